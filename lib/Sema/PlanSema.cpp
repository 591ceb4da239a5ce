//===- PlanSema.cpp - Parallel plans from the language or JSON ------------===//
//
// A plan is a set of keys (tp, pp, dp, ep, etp, sp, attention_dp,
// micro_batches, overlap, stages) that apply to both phases, and optional
// prefill / decode sections that override them. The language and the JSON
// form share the key handling below, so both give the same plan.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "ssc/Sema/Sema.h"
#include "ssc/Support/Format.h"
#include "ssc/Support/JSONLocator.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"


using namespace ssc;
using namespace ssc::sema;
using namespace ssc::ast;
using llvm::SMLoc;
using llvm::StringRef;

namespace {

const StringRef PlanKeys[] = {"tp", "pp", "dp", "ep", "etp", "sp",
                              "attention_dp", "micro_batches", "overlap",
                              "stages", "seq_parallel", "redundant_experts",
                              "uneven_experts", "expert_imbalance"};

/// A plan key's value, already converted from its source form.
struct PlanValue {
  enum Kind { Int, Number, Bool, Word, IntList } K;
  int64_t I = 0;
  double D = 0; // Number (Int values carry it too)
  bool B = false;
  std::string W;
  std::vector<int64_t> L;
  SMLoc Loc;
  std::vector<SMLoc> ElemLocs;
};

/// Applies one key to \p P; reports through \p R.
void applyKey(Reader &R, PhasePlan &P, StringRef Key, const PlanValue &V) {
  auto IntKey = [&](int64_t &Dst, SMLoc &DstLoc, int64_t Max) {
    if (V.K != PlanValue::Int) {
      R.error(V.Loc, "'" + Key + "' must be an integer");
      return;
    }
    if (V.I < 1 || V.I > Max) {
      R.error(V.Loc, "'" + Key + "' must be between 1 and " + std::to_string(Max) +
                         ", not " + std::to_string(V.I));
      return;
    }
    Dst = V.I;
    DstLoc = V.Loc;
  };
  if (Key == "tp")
    IntKey(P.TP, P.TPLoc, MaxCount);
  else if (Key == "pp")
    IntKey(P.PP, P.PPLoc, MaxCount);
  else if (Key == "dp")
    IntKey(P.DP, P.DPLoc, MaxCount);
  else if (Key == "ep")
    IntKey(P.EP, P.EPLoc, MaxCount);
  else if (Key == "etp")
    IntKey(P.ETP, P.ETPLoc, MaxCount);
  else if (Key == "sp")
    IntKey(P.SP, P.SPLoc, MaxCount);
  else if (Key == "micro_batches")
    IntKey(P.MicroBatches, P.MicroBatchesLoc, 1 << 16);
  else if (Key == "attention_dp") {
    if (V.K != PlanValue::Bool) {
      R.error(V.Loc, "'attention_dp' must be true or false");
      return;
    }
    P.AttentionDP = V.B ? 1 : 0;
    P.AttentionDPLoc = V.Loc;
  } else if (Key == "redundant_experts") {
    if (V.K != PlanValue::Int || V.I < 0 || V.I > MaxCount) {
      R.error(V.Loc, "'redundant_experts' must be an integer between 0 and " +
                         std::to_string(MaxCount));
      return;
    }
    P.RedundantExperts = V.I;
    P.RedundantExpertsLoc = V.Loc;
  } else if (Key == "expert_imbalance") {
    if (V.K != PlanValue::Int && V.K != PlanValue::Number) {
      R.error(V.Loc, "'expert_imbalance' must be a number, the busiest GPU's routed "
                     "tokens over the mean, as in 1.2");
      return;
    }
    if (!(V.D >= 1 && V.D <= MaxExpertImbalance)) {
      R.error(V.Loc, "'expert_imbalance' must be between 1 and " +
                         formatShortest(MaxExpertImbalance) + ", not " +
                         formatShortest(V.D) +
                         " (the busiest GPU's routed tokens over the mean)");
      return;
    }
    P.ExpertImbalance = V.D;
    P.ExpertImbalanceLoc = V.Loc;
  } else if (Key == "uneven_experts") {
    if (V.K != PlanValue::Bool) {
      R.error(V.Loc, "'uneven_experts' must be true or false");
      return;
    }
    P.UnevenExperts = V.B;
    P.UnevenExpertsLoc = V.Loc;
  } else if (Key == "seq_parallel") {
    if (V.K != PlanValue::Bool) {
      R.error(V.Loc, "'seq_parallel' must be true or false");
      return;
    }
    P.SeqParallel = V.B;
    P.SeqParallelLoc = V.Loc;
  } else if (Key == "overlap") {
    if (V.K != PlanValue::Word) {
      R.error(V.Loc, "'overlap' must be one of " + joinAlternatives(overlapSpellings()));
      return;
    }
    if (std::optional<OverlapMode> M = parseOverlap(V.W))
      P.Overlap = *M;
    else
      R.unknown(V.Loc, "overlap mode", V.W, overlapSpellings());
  } else if (Key == "stages") {
    if (V.K != PlanValue::IntList) {
      R.error(V.Loc, "'stages' must be a list of layer counts, as in [16, 16]");
      return;
    }
    for (size_t I = 0; I < V.L.size(); ++I)
      if (V.L[I] < 1) {
        R.error(V.ElemLocs[I], "a pipeline stage needs at least one layer");
        return;
      }
    P.Stages = V.L;
    P.StagesLoc = V.Loc;
  }
}

/// Converts a language value to a PlanValue.
std::optional<PlanValue> fromAST(Reader &R, StringRef Key, const Value &V) {
  PlanValue PV;
  PV.Loc = V.getLoc();
  if (const auto *I = llvm::dyn_cast<IntValue>(&V)) {
    PV.K = PlanValue::Int;
    PV.I = I->getValue();
    PV.D = static_cast<double>(PV.I);
  } else if (const auto *F = llvm::dyn_cast<FloatValue>(&V)) {
    PV.K = PlanValue::Number;
    PV.D = F->getValue();
  } else if (const auto *B = llvm::dyn_cast<BoolValue>(&V)) {
    PV.K = PlanValue::Bool;
    PV.B = B->getValue();
  } else if (const auto *Ref = llvm::dyn_cast<RefValue>(&V); Ref && !Ref->hasArgs()) {
    PV.K = PlanValue::Word;
    PV.W = Ref->getName().str();
  } else if (const auto *L = llvm::dyn_cast<ListValue>(&V)) {
    PV.K = PlanValue::IntList;
    for (const ValuePtr &E : L->getElements()) {
      auto X = R.getInt(*E, Key, 1, MaxCount);
      if (!X)
        return std::nullopt;
      PV.L.push_back(*X);
      PV.ElemLocs.push_back(E->getLoc());
    }
  } else {
    R.error(V, "unexpected " + V.getKindName().str() + " for '" + Key + "'");
    return std::nullopt;
  }
  return PV;
}

/// `layer dense { tp = 1; }` inside a plan or a phase.
std::optional<LayerOverride> readLayerOverride(Reader &R, const Block &B) {
  LayerOverride L;
  L.Kind = B.getName().str();
  L.Loc = B.getNameLoc();
  if (!B.getBase().empty()) {
    R.error(B.getBaseLoc(), "a plan's layer section does not extend another");
    return std::nullopt;
  }
  bool Ok = true;
  for (const NodePtr &N : B.getBody()) {
    const auto *P = llvm::dyn_cast<PropertyStmt>(N.get());
    if (!P || P->getName() != "tp") {
      R.error(N->getLoc(), "a plan's layer section sets 'tp' only, as in "
                           "'layer dense { tp = 1; }'");
      Ok = false;
      continue;
    }
    if (L.TP) {
      R.error(P->getLoc(), "'tp' is given twice");
      Ok = false;
      continue;
    }
    auto X = R.getInt(P->getValue(), "tp", 1, MaxCount);
    if (!X) {
      Ok = false;
      continue;
    }
    L.TP = *X;
    L.TPLoc = P->getValue().getLoc();
  }
  if (Ok && !L.TP) {
    R.error(B.getNameLoc(), "layer section '" + L.Kind + "' sets nothing");
    Ok = false;
  }
  if (!Ok)
    return std::nullopt;
  return L;
}

void addOverride(Reader &R, PhasePlan &P, const LayerOverride &L) {
  for (LayerOverride &X : P.Layers)
    if (X.Kind == L.Kind) {
      X = L; // a phase's section refines the plan's
      return;
    }
  P.Layers.push_back(L);
}

/// Reads the statements of a plan or phase block as (key, value) pairs.
using KeyValues = std::vector<std::pair<std::string, PlanValue>>;

bool readStmts(Reader &R, const std::vector<NodePtr> &Body, KeyValues &Out,
               std::vector<const Block *> *Phases) {
  llvm::StringMap<SMLoc> Seen;
  bool Ok = true;
  for (const NodePtr &N : Body) {
    if (const auto *B = llvm::dyn_cast<Block>(N.get())) {
      if (Phases)
        Phases->push_back(B);
      continue;
    }
    if (const auto *C = llvm::dyn_cast<ClauseStmt>(N.get())) {
      R.error(C->getLoc(), "plans hold properties only, as in 'tp = 8;'");
      Ok = false;
      continue;
    }
    const auto &P = llvm::cast<PropertyStmt>(*N);
    if (!llvm::is_contained(PlanKeys, P.getName())) {
      R.unknown(P.getLoc(), "plan property", P.getName(), PlanKeys);
      Ok = false;
      continue;
    }
    auto [It, New] = Seen.try_emplace(P.getName(), P.getLoc());
    if (!New) {
      R.error(P.getLoc(), "'" + P.getName() + "' is given twice");
      R.note(It->second, "the first one is here");
      Ok = false;
      continue;
    }
    auto V = fromAST(R, P.getName(), P.getValue());
    if (!V) {
      Ok = false;
      continue;
    }
    Out.emplace_back(P.getName().str(), std::move(*V));
  }
  return Ok;
}

} // namespace

std::optional<PlanSpec> ssc::sema::buildPlan(Reader &R, const Block &B) {
  unsigned ErrorsBefore = R.diags().getNumErrors();
  PlanSpec Plan;
  Plan.Name = B.getName().str();
  Plan.Loc = B.getNameLoc();

  KeyValues Common;
  std::vector<const Block *> Blocks, Phases;
  readStmts(R, B.getBody(), Common, &Blocks);
  for (auto &[K, V] : Common) {
    applyKey(R, Plan.Prefill, K, V);
    applyKey(R, Plan.Decode, K, V);
  }
  // Layer sections of the plan apply to both phases; a phase's own refine it.
  auto ReadLayers = [&](const std::vector<const Block *> &Bs, PhasePlan *One) {
    llvm::StringMap<SMLoc> SeenLayers;
    for (const Block *L : Bs) {
      if (L->getBlockKind() != BlockKind::Layer)
        continue;
      auto [It, New] = SeenLayers.try_emplace(L->getName(), L->getNameLoc());
      if (!New) {
        R.error(L->getNameLoc(), "layer section '" + L->getName() + "' is given twice");
        R.note(It->second, "the first one is here");
        continue;
      }
      if (auto O = readLayerOverride(R, *L)) {
        if (One) {
          addOverride(R, *One, *O);
        } else {
          addOverride(R, Plan.Prefill, *O);
          addOverride(R, Plan.Decode, *O);
        }
      }
    }
  };
  ReadLayers(Blocks, nullptr);
  for (const Block *X : Blocks)
    if (X->getBlockKind() != BlockKind::Layer)
      Phases.push_back(X);
  const Block *Seen[2] = {nullptr, nullptr};
  for (const Block *Ph : Phases) {
    bool IsPrefill = Ph->getBlockKind() == BlockKind::Prefill;
    const Block *&Prev = Seen[IsPrefill ? 0 : 1];
    if (Prev) {
      R.error(Ph->getLoc(), "'" + blockKeyword(Ph->getBlockKind()) +
                                "' is given twice in plan '" + Plan.Name + "'");
      R.note(Prev->getLoc(), "the first one is here");
      continue;
    }
    Prev = Ph;
    KeyValues Own;
    std::vector<const Block *> PhaseLayers;
    readStmts(R, Ph->getBody(), Own, &PhaseLayers);
    for (auto &[K, V] : Own)
      applyKey(R, IsPrefill ? Plan.Prefill : Plan.Decode, K, V);
    ReadLayers(PhaseLayers, IsPrefill ? &Plan.Prefill : &Plan.Decode);
  }
  if (R.diags().getNumErrors() != ErrorsBefore)
    return std::nullopt;
  return Plan;
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

/// Whether \p S can be written as a name in the language (SSC.g4's ID, not
/// a keyword), so that the plan prints back as `plan NAME { ... }`.
static bool isName(StringRef S) {
  static const StringRef Keywords[] = {"import",  "model",  "layer",   "gpu",
                                       "plan",    "prefill", "decode", "extends",
                                       "true",    "false"};
  if (S.empty() || !(llvm::isAlpha(S.front()) || S.front() == '_') ||
      llvm::is_contained(Keywords, S))
    return false;
  bool AfterSeparator = false;
  for (char C : S) {
    if (llvm::isAlnum(C) || C == '_')
      AfterSeparator = false;
    else if ((C == '-' || C == '.') && !AfterSeparator)
      AfterSeparator = true;
    else
      return false;
  }
  return !AfterSeparator;
}

static std::optional<PlanValue> fromJSON(Reader &R, const JSONLocator &Loc,
                                         const std::string &Path,
                                         const llvm::json::Value &V) {
  PlanValue PV;
  PV.Loc = Loc.valueLoc(Path);
  if (auto I = V.getAsInteger()) {
    PV.K = PlanValue::Int;
    PV.I = *I;
    PV.D = static_cast<double>(*I);
  } else if (auto N = V.getAsNumber()) {
    PV.K = PlanValue::Number;
    PV.D = *N;
  } else if (auto B = V.getAsBoolean()) {
    PV.K = PlanValue::Bool;
    PV.B = *B;
  } else if (auto S = V.getAsString()) {
    PV.K = PlanValue::Word;
    PV.W = S->str();
  } else if (const auto *A = V.getAsArray()) {
    PV.K = PlanValue::IntList;
    for (size_t I = 0; I < A->size(); ++I) {
      std::string EPath = Path + "[" + std::to_string(I) + "]";
      auto X = (*A)[I].getAsInteger();
      if (!X) {
        R.error(Loc.valueLoc(EPath), "'" + Path + "' must hold integers");
        return std::nullopt;
      }
      PV.L.push_back(*X);
      PV.ElemLocs.push_back(Loc.valueLoc(EPath));
    }
  } else {
    R.error(PV.Loc, "unexpected value for '" + Path + "'");
    return std::nullopt;
  }
  return PV;
}

static bool readJSONObject(Reader &R, const JSONLocator &Loc,
                           const llvm::json::Object &O, const std::string &Prefix,
                           PhasePlan *Both[2], bool AllowPhases,
                           const llvm::json::Object **PhaseObjs, PlanSpec &Plan) {
  bool Ok = true;
  // Visit keys in a stable order so that diagnostics are deterministic.
  std::vector<std::string> Keys;
  for (const auto &KV : O)
    Keys.push_back(KV.first.str());
  std::sort(Keys.begin(), Keys.end());
  for (const std::string &K : Keys) {
    const llvm::json::Value &V = *O.get(K);
    std::string Path = Prefix.empty() ? K : Prefix + "." + K;
    if (AllowPhases && (K == "prefill" || K == "decode")) {
      const llvm::json::Object *PO = V.getAsObject();
      if (!PO) {
        R.error(Loc.valueLoc(Path), "'" + K + "' must be an object of plan keys");
        Ok = false;
        continue;
      }
      PhaseObjs[K == "prefill" ? 0 : 1] = PO;
      continue;
    }
    if (K == "layers") {
      // {"dense": {"tp": 1}}: per-layer-kind sections.
      const llvm::json::Object *LO = V.getAsObject();
      if (!LO) {
        R.error(Loc.valueLoc(Path), "'layers' must map layer kinds to objects, "
                                    "as in {\"dense\": {\"tp\": 1}}");
        Ok = false;
        continue;
      }
      std::vector<std::string> Kinds;
      for (const auto &KV : *LO)
        Kinds.push_back(KV.first.str());
      std::sort(Kinds.begin(), Kinds.end());
      for (const std::string &Kind : Kinds) {
        std::string KPath = Path + "." + Kind;
        const llvm::json::Object *KO = LO->getObject(Kind);
        LayerOverride L;
        L.Kind = Kind;
        L.Loc = Loc.keyLoc(KPath);
        bool Good = KO != nullptr;
        if (KO)
          for (const auto &KV : *KO) {
            std::string FPath = KPath + "." + KV.first.str();
            auto TP = KV.second.getAsInteger();
            if (KV.first != "tp" || !TP || *TP < 1 || *TP > MaxCount) {
              R.error(KV.first != "tp" ? Loc.keyLoc(FPath) : Loc.valueLoc(FPath),
                      KV.first != "tp" ? "a layer section sets 'tp' only"
                                       : "'tp' must be a positive integer");
              Good = false;
              continue;
            }
            L.TP = *TP;
            L.TPLoc = Loc.valueLoc(FPath);
          }
        if (!Good || !L.TP) {
          if (!KO)
            R.error(Loc.valueLoc(KPath), "a layer section is an object, as in "
                                         "{\"tp\": 1}");
          else if (Good)
            R.error(Loc.valueLoc(KPath), "layer section '" + Kind + "' sets nothing");
          Ok = false;
          continue;
        }
        for (int I = 0; I < 2; ++I)
          if (Both[I]) {
            bool Replaced = false;
            for (LayerOverride &X : Both[I]->Layers)
              if (X.Kind == L.Kind) {
                X = L;
                Replaced = true;
              }
            if (!Replaced)
              Both[I]->Layers.push_back(L);
          }
      }
      continue;
    }
    if (AllowPhases && K == "name") {
      if (auto S = V.getAsString(); S && isName(*S)) {
        Plan.Name = S->str();
      } else {
        R.error(Loc.valueLoc(Path),
                "'name' must be a string holding a name of the language (letters, "
                "digits and _, joined by - or .), as in \"serve-v2\"");
        Ok = false;
      }
      continue;
    }
    if (!llvm::is_contained(PlanKeys, StringRef(K))) {
      llvm::SmallVector<StringRef, 16> Known(std::begin(PlanKeys), std::end(PlanKeys));
      Known.push_back("layers");
      if (AllowPhases) {
        Known.push_back("prefill");
        Known.push_back("decode");
        Known.push_back("name");
      }
      R.unknown(Loc.keyLoc(Path), "plan key", K, Known);
      Ok = false;
      continue;
    }
    auto PV = fromJSON(R, Loc, Path, V);
    if (!PV) {
      Ok = false;
      continue;
    }
    for (int I = 0; I < 2; ++I)
      if (Both[I])
        applyKey(R, *Both[I], K, *PV);
  }
  return Ok;
}

std::optional<PlanSpec> ssc::loadPlanJSON(StringRef Path, DiagnosticEngine &Diags) {
  unsigned ErrorsBefore = Diags.getNumErrors();
  unsigned Buf = loadFileBuffer(Path, Diags);
  if (!Buf)
    return std::nullopt;
  std::optional<JSONObjectDocument> Doc = parseJSONObject(
      Buf, Diags, "a plan file holds one JSON object, as in {\"tp\": 8, \"ep\": 8}");
  if (!Doc)
    return std::nullopt;
  const JSONLocator &Loc = Doc->Loc;
  Reader R(Diags);
  const llvm::json::Object *O = &Doc->object();
  PlanSpec Plan;
  Plan.Name = llvm::sys::path::stem(Path).str();
  Plan.Loc = Loc.valueLoc("");
  PhasePlan *Both[2] = {&Plan.Prefill, &Plan.Decode};
  const llvm::json::Object *Phases[2] = {nullptr, nullptr};
  readJSONObject(R, Loc, *O, "", Both, true, Phases, Plan);
  if (!O->get("name") && !isName(Plan.Name))
    R.error(Plan.Loc, "the plan needs a name: the file name '" + Plan.Name +
                          "' is not a name of the language; add \"name\": \"...\"");
  for (int I = 0; I < 2; ++I) {
    if (!Phases[I])
      continue;
    PhasePlan *One[2] = {I == 0 ? &Plan.Prefill : nullptr,
                         I == 1 ? &Plan.Decode : nullptr};
    readJSONObject(R, Loc, *Phases[I], I == 0 ? "prefill" : "decode", One, false,
                   nullptr, Plan);
  }
  if (Diags.getNumErrors() != ErrorsBefore)
    return std::nullopt;
  return Plan;
}

//===----------------------------------------------------------------------===//
// Checking a plan against a model and a target
//===----------------------------------------------------------------------===//

namespace {
class PlanChecker {
public:
  PlanChecker(const ModelSpec &M, const PlanSpec &Plan, const Target *T,
              DiagnosticEngine &Diags)
      : M(M), Plan(Plan), T(T), Diags(Diags) {}

  /// Checks both phases, then reports: a problem found in both phases (a key
  /// written once for both) is reported once; one found in a single phase
  /// says which.
  bool run() {
    check(Phase::Prefill);
    check(Phase::Decode);
    bool Ok = true;
    for (const Problem &P : Problems) {
      if (P.Phases == 0)
        continue;
      std::string Prefix = P.Phases == 3 ? ""
                           : P.Phases == 1 ? "in the prefill plan: "
                                           : "in the decode plan: ";
      if (P.Warning) {
        Diags.warning(P.Loc, Prefix + P.Msg);
      } else {
        Diags.error(P.Loc, Prefix + P.Msg);
        Ok = false;
      }
      if (P.NoteLoc.isValid())
        Diags.note(P.NoteLoc, P.Note);
    }
    return Ok;
  }

private:
  struct Problem {
    SMLoc Loc;
    std::string Msg;
    SMLoc NoteLoc;
    std::string Note;
    unsigned Phases = 0; // bit 0: prefill, bit 1: decode
    bool Warning = false;
  };
  const ModelSpec &M;
  const PlanSpec &Plan;
  const Target *T;
  DiagnosticEngine &Diags;
  std::vector<Problem> Problems;
  Phase Current = Phase::Prefill;

  void error(SMLoc Loc, const std::string &Msg, SMLoc NoteLoc = SMLoc(),
             const std::string &Note = "", bool Warning = false) {
    SMLoc At = Loc.isValid() ? Loc : Plan.Loc;
    unsigned Bit = Current == Phase::Prefill ? 1 : 2;
    for (Problem &P : Problems)
      if (P.Loc.getPointer() == At.getPointer() && P.Msg == Msg &&
          P.Warning == Warning) {
        P.Phases |= Bit;
        return;
      }
    Problems.push_back({At, Msg, NoteLoc, Note, Bit, Warning});
  }
  void warning(SMLoc Loc, const std::string &Msg) { error(Loc, Msg, SMLoc(), "", true); }

  void check(Phase Ph) {
    Current = Ph;
    const PhasePlan &P = Plan.phase(Ph);
    checkOverrides(P);
    std::vector<bool> Seen(M.LayerKinds.size(), false);
    for (unsigned K : M.Layers) {
      if (Seen[K])
        continue;
      Seen[K] = true;
      checkLayer(P, M.LayerKinds[K]);
    }

    bool HasMoe = M.hasMoe();
    if (P.EP > 1 && !HasMoe)
      error(P.EPLoc, "ep=" + std::to_string(P.EP) + ", but model '" + M.Name +
                         "' has no MoE layers");
    if (P.ExpertImbalance != 1 && P.EP == 1)
      warning(P.ExpertImbalanceLoc,
              "expert_imbalance has no effect without expert parallelism (ep=1): "
              "every GPU runs all experts on the same tokens");
    if (HasMoe) {
      int64_t Group = P.moeGroup(), ETP = P.effectiveETP();
      if (Group % (P.EP * ETP) != 0) {
        std::string Msg = "ep=" + std::to_string(P.EP) + " x etp=" +
                          std::to_string(ETP) + " does not divide the " +
                          std::to_string(Group) + " GPUs of the MoE group";
        if (!P.attentionDP() && P.DP > 1)
          Msg += " (tp*sp; attention_dp = true spreads experts over the dp "
                 "replicas)";
        error(P.EPLoc.isValid() ? P.EPLoc : P.ETPLoc, Msg);
      }
    }

    int64_t NumLayers = static_cast<int64_t>(M.numLayers());
    if (P.PP > NumLayers)
      error(P.PPLoc, "pp=" + std::to_string(P.PP) + " is more than the " +
                         std::to_string(NumLayers) + " layers of model '" +
                         M.Name + "'");
    if (!P.Stages.empty()) {
      if (static_cast<int64_t>(P.Stages.size()) != P.PP)
        error(P.StagesLoc, std::to_string(P.Stages.size()) +
                               " stages are listed, but pp=" + std::to_string(P.PP));
      int64_t Sum = 0;
      for (int64_t S : P.Stages)
        Sum += S;
      if (Sum != NumLayers)
        error(P.StagesLoc, "the stages hold " + std::to_string(Sum) +
                               " layers, but model '" + M.Name + "' has " +
                               std::to_string(NumLayers));
    }
    if (T && P.world() != T->Count)
      error(SMLoc(), "the plan uses " + std::to_string(P.world()) +
                         (P.world() == 1 ? " GPU" : " GPUs") +
                         " (tp*sp*pp*dp = " + std::to_string(P.TP) + "*" +
                         std::to_string(P.SP) + "*" + std::to_string(P.PP) + "*" +
                         std::to_string(P.DP) + "), but target " + T->str() +
                         " has " + std::to_string(T->Count));
  }

  void checkLayer(const PhasePlan &P, const LayerSpec &L) {
    const AttentionSpec &A = L.Attn;
    // A layer section may give this kind its own TP degree.
    int64_t LTP = P.tpFor(L.Name);
    SMLoc TPLoc = P.TPLoc;
    for (const LayerOverride &O : P.Layers)
      if (O.Kind == L.Name && O.TP > 0)
        TPLoc = O.TPLoc;
    if (LTP != P.TP && P.TP % LTP != 0)
      error(TPLoc, "tp=" + std::to_string(LTP) + " for layer '" + L.Name +
                       "' does not divide the plan's tp=" + std::to_string(P.TP));
    std::string TP = "tp=" + std::to_string(LTP);
    if (A.Heads % LTP != 0)
      error(TPLoc, TP + " does not divide the " + std::to_string(A.Heads) +
                       " attention heads of layer '" + L.Name + "'",
            A.HeadsLoc, "heads given here");
    else if (!A.isMLA() && A.KvHeads % LTP != 0 && LTP % A.KvHeads != 0)
      error(TPLoc, TP + " and the " + std::to_string(A.KvHeads) +
                       " KV heads of layer '" + L.Name + "' divide neither way",
            A.KvHeadsLoc.isValid() ? A.KvHeadsLoc : A.Loc, "KV heads given here");
    if (L.Mlp && L.Mlp->Intermediate % LTP != 0)
      error(TPLoc, TP + " does not divide the MLP intermediate size " +
                       std::to_string(L.Mlp->Intermediate) + " of layer '" +
                       L.Name + "'",
            L.Mlp->Loc, "mlp given here");
    if (L.Moe) {
      const MoeSpec &E = *L.Moe;
      int64_t Slots = E.Experts + P.RedundantExperts;
      if (P.RedundantExperts && P.UnevenExperts)
        error(P.RedundantExpertsLoc, "redundant_experts and uneven_experts "
                                     "exclude each other");
      else if (Slots % P.EP != 0 && !P.UnevenExperts) {
        int64_t Fill = (Slots + P.EP - 1) / P.EP * P.EP - E.Experts;
        std::string Msg = "ep=" + std::to_string(P.EP) + " does not divide the " +
                          std::to_string(E.Experts) + " experts of layer '" + L.Name + "'";
        if (P.RedundantExperts)
          Msg += " plus " + std::to_string(P.RedundantExperts) + " redundant";
        Msg += "; set redundant_experts = " + std::to_string(Fill) +
               " or uneven_experts = true";
        error(P.RedundantExpertsLoc.isValid() ? P.RedundantExpertsLoc : P.EPLoc, Msg,
              E.ExpertsLoc, "experts given here");
      }
      int64_t ETP = P.effectiveETP();
      if (E.Expert.Intermediate % ETP != 0)
        error(P.ETPLoc.isValid() ? P.ETPLoc : P.TPLoc,
              "etp=" + std::to_string(ETP) +
                  " does not divide the expert intermediate size " +
                  std::to_string(E.Expert.Intermediate) + " of layer '" + L.Name +
                  "'");
    }
  }

  /// Layer sections must name layer kinds of the model.
  void checkOverrides(const PhasePlan &P) {
    llvm::SmallVector<llvm::StringRef, 8> Names;
    for (const LayerSpec &L : M.LayerKinds)
      Names.push_back(L.Name);
    for (const LayerOverride &O : P.Layers)
      if (!llvm::is_contained(Names, O.Kind))
        error(O.Loc, "plan section for unknown layer '" + O.Kind + "' of model '" +
                         M.Name + "'" + didYouMean(O.Kind, Names));
  }
};
} // namespace

bool ssc::checkPlan(const ModelSpec &M, const PlanSpec &Plan, const Target *T,
                    DiagnosticEngine &Diags) {
  return PlanChecker(M, Plan, T, Diags).run();
}

std::string ssc::planSourceFromKeys(StringRef Keys, StringRef Name) {
  // Spaces around '=' belong to the item ("tp = 8" is "tp=8").
  std::string Joined;
  for (size_t I = 0; I < Keys.size(); ++I) {
    char C = Keys[I];
    bool Space = C == ' ' || C == '\t';
    if (Space && ((!Joined.empty() && Joined.back() == '=') ||
                  Keys.drop_front(I).ltrim(" \t").starts_with("=")))
      continue;
    Joined += C;
  }
  StringRef Text = Joined;

  // Split at separators outside a `[...]` list.
  llvm::SmallVector<StringRef, 8> Items;
  int Depth = 0;
  size_t Start = 0;
  for (size_t I = 0; I <= Text.size(); ++I) {
    // The end closes the last item, inside an unclosed list too.
    char C = I < Text.size() ? Text[I] : ';';
    if (I == Text.size())
      Depth = 0;
    if (C == '[')
      ++Depth;
    else if (C == ']' && Depth > 0)
      --Depth;
    else if (Depth == 0 && (C == ' ' || C == '\t' || C == '\n' || C == ',' || C == ';')) {
      if (I > Start)
        Items.push_back(Text.slice(Start, I));
      Start = I + 1;
    }
  }

  // A section's lines: its keys, then one line per layer kind.
  struct Section {
    std::vector<std::string> Lines;
    std::vector<std::pair<std::string, std::string>> Layers; // kind, keys
    void add(StringRef Item) {
      size_t Eq = Item.find('='), Dot = Item.find('.');
      std::string Stmt = Eq == StringRef::npos ? (Item + " = true;").str() : (Item + ";").str();
      if (Dot == StringRef::npos || Dot > Eq) {
        Lines.push_back(Stmt);
        return;
      }
      std::string Kind = Item.take_front(Dot).str();
      Stmt = Stmt.substr(Dot + 1);
      auto It = llvm::find_if(Layers, [&](const auto &L) { return L.first == Kind; });
      if (It == Layers.end())
        Layers.emplace_back(Kind, Stmt);
      else
        It->second += " " + Stmt;
    }
    void print(std::string &Out) const {
      for (const std::string &L : Lines)
        Out += L + "\n";
      for (const auto &[Kind, Stmts] : Layers)
        Out += "layer " + Kind + " { " + Stmts + " }\n";
    }
  };
  Section Plan, Phases[2];
  for (StringRef Item : Items) {
    if (Item.consume_front("prefill."))
      Phases[0].add(Item);
    else if (Item.consume_front("decode."))
      Phases[1].add(Item);
    else
      Plan.add(Item);
  }
  std::string Out = "plan " + Name.str() + " {\n";
  Plan.print(Out);
  const char *PhaseNames[2] = {"prefill", "decode"};
  for (int P = 0; P < 2; ++P) {
    if (Phases[P].Lines.empty() && Phases[P].Layers.empty())
      continue;
    Out += std::string(PhaseNames[P]) + " {\n";
    Phases[P].print(Out);
    Out += "}\n";
  }
  return Out + "}\n";
}

std::optional<PlanSpec> ssc::planFromKeys(StringRef Keys, DiagnosticEngine &Diags) {
  std::unique_ptr<Program> P = analyzeBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(planSourceFromKeys(Keys, "inline"), "--plan"), Diags,
      SemaOptions());
  if (!P)
    return std::nullopt;
  if (P->InputPlans.size() != 1 || !P->Models.empty() || !P->Gpus.empty()) {
    Diags.error("--plan '" + Keys.str() + "' must hold plan keys only, as in 'tp=8 ep=8'");
    return std::nullopt;
  }
  return *P->InputPlans.front();
}

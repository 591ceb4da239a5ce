//===- ModelSema.cpp - model and layer blocks to ModelSpec ----------------===//
//
// A model block holds properties (hidden, vocab, context, layers, ...),
// default clauses (attn, mlp, moe, norm) and layer blocks. A layer takes its
// clauses from itself, then from the layer it extends, then from the model's
// defaults; a clause that leaves options out takes them from the next clause
// of the same kind in that order (`attn window=4096;` in a layer keeps the
// model's kind, heads and rope).
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"

#include <map>

using namespace ssc;
using namespace ssc::sema;
using namespace ssc::ast;
using llvm::SMLoc;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Term helpers
//===----------------------------------------------------------------------===//

const Value *ssc::sema::termValue(Reader &R, const Term &T, StringRef Example) {
  if (!T.isAssignment()) {
    R.error(T.Loc, "'" + T.Name + "' needs a value, as in " + Example);
    return nullptr;
  }
  return T.Assigned.get();
}

bool ssc::sema::termFlag(Reader &R, const Term &T) {
  if (T.isAssignment() || T.HasArgs) {
    R.error(T.Loc, "'" + T.Name + "' takes no value");
    return false;
  }
  return true;
}

bool ssc::sema::termCall(Reader &R, const Term &T, llvm::ArrayRef<StringRef> Params,
                         llvm::SmallVectorImpl<const Value *> &Out) {
  if (T.isAssignment()) {
    R.error(T.Loc, "'" + T.Name + "' takes arguments in parentheses, as in " +
                       T.Name + "(...)");
    return false;
  }
  return R.bindArgs(T.Args, Params, T.Loc, T.Name, Out);
}

namespace {

static const StringRef AttnKinds[] = {"mha", "gqa", "mqa", "mla"};
static const StringRef AttnOptions[] = {
    "mha",    "gqa",   "mqa",    "mla",      "heads",   "head_dim", "window",
    "chunk",  "sinks", "rope",   "nope",     "yarn",    "llama3",   "linear",
    "dynamic", "longrope", "qk_norm", "bias", "share_kv", "softcap", "h2o",
    "quest"};
static const StringRef MlpKinds[] = {"swiglu", "geglu", "gelu", "relu"};
static const StringRef ModelProperties[] = {"hidden", "vocab",  "context",
                                            "tie_embeddings", "lm_head_bias",
                                            "layers", "mtp",
                                            "source", "dtype", "expert_dtype"};
static const StringRef LayerClauses[] = {"attn", "mlp", "moe", "norm"};

/// The clauses a layer is made of. Each slot lists the clauses that describe
/// it, most specific first: the layer's own, then those of the layers it
/// extends, then the model's default (see mergeTerms).
struct Slots {
  using Chain = llvm::SmallVector<const ClauseStmt *, 2>;
  Chain Attn;
  Chain Ffn; // mlp or moe
  Chain Norm;
};
using ClauseChain = llvm::ArrayRef<const ClauseStmt *>;
using ChainKey = std::vector<const ClauseStmt *>;

/// Appends the clauses a slot inherits: all of \p From when \p To is empty,
/// else those of the same kind (an mlp inherits nothing from a moe).
void inherit(Slots::Chain &To, ClauseChain From) {
  for (const ClauseStmt *C : From)
    if (To.empty() || C->getHead() == To.front()->getHead())
      To.push_back(C);
}

/// The terms of \p Chain's first clause, completed from the clauses after it:
/// a term of an inherited clause is used unless a more specific clause wrote
/// a term of the same group (GroupOf: `gqa` and `mha` are both the kind).
/// Writing `rope(...)` or `nope` also drops an inherited rope scaling.
std::vector<const Term *> mergeTerms(ClauseChain Chain,
                                     llvm::function_ref<StringRef(StringRef)> GroupOf) {
  std::vector<const Term *> Out;
  llvm::StringSet<> Written;
  for (const ClauseStmt *C : Chain) {
    llvm::SmallVector<StringRef, 8> Now;
    for (const Term &T : C->getTerms()) {
      StringRef G = GroupOf(T.Name);
      if (Written.contains(G))
        continue;
      Out.push_back(&T);
      Now.push_back(G);
    }
    for (StringRef G : Now) {
      Written.insert(G);
      if (G == "#position")
        Written.insert("#scaling");
    }
  }
  return Out;
}

StringRef attnGroup(StringRef N) {
  return llvm::StringSwitch<StringRef>(N)
      .Cases("mha", "gqa", "mqa", "mla", "#kind")
      .Cases("window", "chunk", "#span")
      .Cases("rope", "nope", "#position")
      .Cases("yarn", "linear", "dynamic", "longrope", "llama3", "#scaling")
      .Cases("h2o", "quest", "#selection")
      .Default(N);
}

StringRef ffnGroup(StringRef N) {
  return llvm::is_contained(MlpKinds, N) ? StringRef("#kind") : N;
}

StringRef normGroup(StringRef N) {
  return llvm::StringSwitch<StringRef>(N)
      .Cases("rmsnorm", "layernorm", "#kind")
      .Cases("pre", "post", "sandwich", "parallel", "#placement")
      .Default(N);
}

class ModelBuilder {
public:
  ModelBuilder(Reader &R, const Block &B) : R(R), B(B) {}
  std::optional<ModelSpec> build();

private:
  Reader &R;
  const Block &B;
  ModelSpec M;
  llvm::StringMap<const Block *> LayerBlocks;
  std::vector<const Block *> LayerOrder;
  llvm::StringMap<unsigned> LayerIndex;
  std::map<ChainKey, std::optional<AttentionSpec>> AttnCache;
  std::map<ChainKey, std::optional<MlpSpec>> MlpCache;
  std::map<ChainKey, std::optional<MoeSpec>> MoeCache;
  std::map<ChainKey, std::optional<NormSpec>> NormCache;

  bool addSlot(Slots &S, const ClauseStmt &C, StringRef Owner);
  bool slotsOf(const Block &L, Slots &Out, std::vector<const Block *> &Chain);
  std::optional<AttentionSpec> attention(ClauseChain Chain);
  std::optional<MlpSpec> mlp(ClauseChain Chain);
  std::optional<MoeSpec> moe(ClauseChain Chain);
  std::optional<NormSpec> norm(ClauseChain Chain);
  bool readMlpKind(const Term &T, MlpSpec &Out);
  std::optional<StackPattern> pattern(const Value &V);
  bool stack(const PropertyStmt &P, StackPattern &Pat, std::vector<unsigned> &Out,
             StringRef What);
  void checkLayers();
};

} // namespace

bool ModelBuilder::addSlot(Slots &S, const ClauseStmt &C, StringRef Owner) {
  StringRef H = C.getHead();
  Slots::Chain &Slot = H == "attn" ? S.Attn : H == "norm" ? S.Norm : S.Ffn;
  if (!Slot.empty()) {
    StringRef Prev = Slot.front()->getHead();
    if (Prev == H)
      R.error(C.getLoc(), "'" + H + "' is given twice in " + Owner);
    else
      R.error(C.getLoc(), Owner + " has both '" + Prev + "' and '" + H +
                              "'; a layer has either an mlp or a moe");
    R.note(Slot.front()->getLoc(), "the first one is here");
    return false;
  }
  Slot.push_back(&C);
  return true;
}

/// Collects the clauses of layer \p L: its own, then its base's.
bool ModelBuilder::slotsOf(const Block &L, Slots &Out,
                           std::vector<const Block *> &Chain) {
  if (llvm::is_contained(Chain, &L)) {
    R.error(L.getBaseLoc(), "layer '" + L.getName() +
                                "' extends itself through '" +
                                Chain.back()->getName() + "'");
    return false;
  }
  Chain.push_back(&L);
  Slots Own;
  bool Ok = true;
  for (const NodePtr &N : L.getBody()) {
    if (const auto *C = llvm::dyn_cast<ClauseStmt>(N.get())) {
      if (!llvm::is_contained(LayerClauses, C->getHead())) {
        R.unknown(C->getLoc(), "layer clause", C->getHead(), LayerClauses);
        Ok = false;
        continue;
      }
      Ok &= addSlot(Own, *C, "layer '" + L.getName().str() + "'");
    } else if (const auto *P = llvm::dyn_cast<PropertyStmt>(N.get())) {
      R.error(P->getLoc(), "layers have no properties; '" + P->getName() +
                               "' belongs in the model block or in a clause");
      Ok = false;
    }
  }
  if (!L.getBase().empty()) {
    auto It = LayerBlocks.find(L.getBase());
    if (It == LayerBlocks.end()) {
      llvm::SmallVector<StringRef, 8> Names;
      for (const Block *X : LayerOrder)
        Names.push_back(X->getName());
      R.error(L.getBaseLoc(), "unknown layer '" + L.getBase() + "'" +
                                  didYouMean(L.getBase(), Names));
      return false;
    }
    Slots Base;
    if (!slotsOf(*It->second, Base, Chain))
      return false;
    inherit(Own.Attn, Base.Attn);
    inherit(Own.Ffn, Base.Ffn);
    inherit(Own.Norm, Base.Norm);
  }
  Chain.pop_back();
  Out = Own;
  return Ok;
}

//===----------------------------------------------------------------------===//
// Clauses
//===----------------------------------------------------------------------===//

std::optional<AttentionSpec> ModelBuilder::attention(ClauseChain Chain) {
  auto [It, Inserted] = AttnCache.try_emplace(ChainKey(Chain.begin(), Chain.end()));
  if (!Inserted)
    return It->second;

  unsigned ErrorsBefore = R.numErrors();
  const ClauseStmt &C = *Chain.front();
  AttentionSpec A;
  A.Loc = C.getLoc();
  for (const ClauseStmt *X : Chain)
    if (X->hasArgs())
      R.error(X->getLoc(), "'attn' takes no arguments; write the kind as a term, "
                           "as in 'attn gqa(kv=8) heads=32'");

  const Term *KindTerm = nullptr, *HeadDimTerm = nullptr, *RopeTerm = nullptr,
             *NopeTerm = nullptr, *ScalingTerm = nullptr, *SelectTerm = nullptr;
  llvm::StringSet<> Seen;
  llvm::SmallVector<const Value *, 5> Args;
  for (const Term *TP : mergeTerms(Chain, attnGroup)) {
    const Term &T = *TP;
    StringRef N = T.Name;
    if (!Seen.insert(N).second) {
      R.error(T.Loc, "'" + N + "' is given twice in this clause");
      continue;
    }
    if (llvm::is_contained(AttnKinds, N)) {
      if (KindTerm) {
        R.error(T.Loc, "attention kind given twice ('" + KindTerm->Name +
                           "' and '" + N + "')");
        continue;
      }
      KindTerm = &T;
      if (N == "mha" || N == "mqa") {
        if (termFlag(R, T))
          A.Kind = N == "mha" ? AttentionKind::MHA : AttentionKind::MQA;
      } else if (N == "gqa") {
        A.Kind = AttentionKind::GQA;
        if (!termCall(R, T, {"kv"}, Args))
          continue;
        if (!Args[0]) {
          R.missingArg(T.Loc, "gqa", "kv");
          continue;
        }
        A.KvHeadsLoc = Args[0]->getLoc();
        A.KvHeads = R.getInt(*Args[0], "kv", 1, MaxCount).value_or(0);
      } else { // mla
        A.Kind = AttentionKind::MLA;
        static const StringRef P[] = {"q_lora", "kv_lora", "qk_nope", "qk_rope",
                                      "v_head"};
        if (!termCall(R, T, P, Args))
          continue;
        int64_t *Dst[] = {&A.QLoraRank, &A.KvLoraRank, &A.QkNopeDim,
                          &A.QkRopeDim, &A.VHeadDim};
        for (size_t I = 0; I < 5; ++I) {
          if (!Args[I]) {
            R.missingArg(T.Loc, "mla", P[I]);
            continue;
          }
          // q_lora = 0 means queries are not compressed (DeepSeek-V2-Lite).
          *Dst[I] = R.getInt(*Args[I], P[I], I == 0 ? 0 : 1, MaxDim).value_or(0);
        }
      }
      continue;
    }
    if (N == "heads") {
      if (const Value *V = termValue(R, T, "heads=32")) {
        A.HeadsLoc = V->getLoc();
        A.Heads = R.getInt(*V, "heads", 1, MaxCount).value_or(0);
      }
    } else if (N == "head_dim") {
      HeadDimTerm = &T;
      if (const Value *V = termValue(R, T, "head_dim=128"))
        A.HeadDim = R.getInt(*V, "head_dim", 1, MaxDim).value_or(0);
    } else if (N == "window") {
      if (const Value *V = termValue(R, T, "window=4096")) {
        A.WindowLoc = V->getLoc();
        A.Window = R.getInt(*V, "window", 1, MaxContext).value_or(0);
      }
    } else if (N == "chunk") {
      if (const Value *V = termValue(R, T, "chunk=8192")) {
        A.ChunkLoc = V->getLoc();
        A.Chunk = R.getInt(*V, "chunk", 1, MaxContext).value_or(0);
      }
    } else if (N == "sinks") {
      if (T.HasArgs) {
        R.error(T.Loc, "'sinks' is written 'sinks' (learned per-head sinks) or "
                       "'sinks=4' (StreamingLLM sink tokens)");
      } else if (T.isAssignment()) {
        A.SinkTokens = R.getInt(*T.Assigned, "sinks", 1, MaxContext).value_or(0);
      } else {
        A.LearnedSinks = true;
      }
    } else if (N == "rope") {
      RopeTerm = &T;
      if (!termCall(R, T, {"theta", "partial"}, Args))
        continue;
      if (Args[0])
        A.Rope.Theta = R.getNumber(*Args[0], "theta", 1e-3, 1e15).value_or(1e4);
      if (Args[1])
        A.Rope.Partial = R.getNumber(*Args[1], "partial", 1e-6, 1.0).value_or(1.0);
    } else if (N == "nope") {
      NopeTerm = &T;
      termFlag(R, T);
    } else if (N == "yarn" || N == "linear" || N == "dynamic" ||
               N == "longrope" || N == "llama3") {
      if (ScalingTerm) {
        R.error(T.Loc, "rope scaling given twice ('" + ScalingTerm->Name +
                           "' and '" + N + "')");
        continue;
      }
      ScalingTerm = &T;
      A.Rope.Scaling = llvm::StringSwitch<RopeScaling>(N)
                           .Case("yarn", RopeScaling::Yarn)
                           .Case("linear", RopeScaling::Linear)
                           .Case("dynamic", RopeScaling::Dynamic)
                           .Case("longrope", RopeScaling::LongRope)
                           .Default(RopeScaling::Llama3);
      if (!termCall(R, T, {"factor", "original", "low", "high"}, Args))
        continue;
      if (!Args[0]) {
        R.missingArg(T.Loc, N, "factor");
        continue;
      }
      A.Rope.Factor = R.getFactor(*Args[0], "factor").value_or(1.0);
      if (Args[1])
        A.Rope.OriginalContext =
            R.getInt(*Args[1], "original", 1, MaxContext).value_or(0);
      if ((Args[2] || Args[3]) && N != "llama3")
        R.error((Args[2] ? Args[2] : Args[3])->getLoc(),
                "'low' and 'high' are arguments of llama3 scaling only");
      if (Args[2])
        A.Rope.LowFreqFactor = R.getNumber(*Args[2], "low", 1e-6, 1e6).value_or(1);
      if (Args[3])
        A.Rope.HighFreqFactor = R.getNumber(*Args[3], "high", 1e-6, 1e6).value_or(4);
    } else if (N == "qk_norm") {
      // `qk_norm`: one head_dim norm for q and one for k (Qwen3, Gemma 3);
      // `qk_norm=full`: norms over the whole projections (OLMo 2).
      if (T.HasArgs) {
        R.error(T.Loc, "'qk_norm' is written 'qk_norm' (per-head norms) or "
                       "'qk_norm=full'");
      } else if (T.isAssignment()) {
        if (auto W = R.getWord(*T.Assigned, "qk_norm", {"head", "full"})) {
          A.QkNorm = true;
          A.QkNormFull = *W == "full";
        }
      } else {
        A.QkNorm = true;
      }
    } else if (N == "bias") {
      if (T.HasArgs) {
        R.error(T.Loc, "'bias' is written 'bias' or 'bias=qkv'");
      } else if (T.isAssignment()) {
        if (auto W = R.getWord(*T.Assigned, "bias", {"none", "qkv", "all"}))
          A.Bias = *W == "none"  ? AttentionBias::None
                   : *W == "qkv" ? AttentionBias::QKV
                                 : AttentionBias::All;
      } else {
        A.Bias = AttentionBias::All;
      }
    } else if (N == "share_kv") {
      A.SharesKv = termFlag(R, T);
    } else if (N == "softcap") {
      if (const Value *V = termValue(R, T, "softcap=50"))
        A.Softcap = R.getNumber(*V, "softcap", 1e-6, 1e9).value_or(0);
    } else if (N == "h2o" || N == "quest") {
      if (SelectTerm) {
        R.error(T.Loc, "KV selection given twice ('" + SelectTerm->Name +
                           "' and '" + N + "')");
        continue;
      }
      SelectTerm = &T;
      A.Selection = N == "h2o" ? KvSelection::H2O : KvSelection::Quest;
      if (!termCall(R, T, {"budget", "page"}, Args))
        continue;
      if (!Args[0]) {
        R.missingArg(T.Loc, N, "budget");
        continue;
      }
      A.KvBudget = R.getInt(*Args[0], "budget", 1, MaxContext).value_or(0);
      if (Args[1] && N == "h2o")
        R.error(Args[1]->getLoc(), "'page' is an argument of quest only");
      A.PageSize = N == "quest"
                       ? (Args[1] ? R.getInt(*Args[1], "page", 1, MaxContext).value_or(16)
                                  : 16)
                       : 0;
    } else {
      R.unknown(T.Loc, "attention option", N, AttnOptions);
    }
  }

  if (!KindTerm)
    R.error(C.getLoc(), "attention needs a kind: 'mha', 'gqa(kv=N)', 'mqa' or "
                        "'mla(q_lora=, kv_lora=, qk_nope=, qk_rope=, v_head=)'");
  if (!A.HeadsLoc.isValid())
    R.error(C.getLoc(), "attention needs its number of heads, as in 'heads=32'");

  if (A.Heads > 0) {
    switch (A.Kind) {
    case AttentionKind::MHA:
      A.KvHeads = A.Heads;
      break;
    case AttentionKind::MQA:
      A.KvHeads = 1;
      break;
    case AttentionKind::GQA:
      if (A.KvHeads > A.Heads)
        R.error(A.KvHeadsLoc, "kv=" + std::to_string(A.KvHeads) +
                                  " is more than the " + std::to_string(A.Heads) +
                                  " query heads");
      else if (A.KvHeads > 0 && A.Heads % A.KvHeads != 0) {
        R.error(A.KvHeadsLoc, "kv=" + std::to_string(A.KvHeads) +
                                  " does not divide the " +
                                  std::to_string(A.Heads) + " query heads");
        R.note(A.HeadsLoc, "heads given here");
      }
      break;
    case AttentionKind::MLA:
      A.KvHeads = A.Heads;
      break;
    }
  }
  if (A.isMLA()) {
    if (HeadDimTerm)
      R.error(HeadDimTerm->Loc, "'head_dim' does not apply to mla; its head "
                                "sizes are qk_nope + qk_rope and v_head");
    A.HeadDim = A.QkNopeDim + A.QkRopeDim;
  } else if (!HeadDimTerm && A.Heads > 0 && M.Hidden > 0) {
    if (M.Hidden % A.Heads != 0)
      R.error(A.HeadsLoc, "hidden size " + std::to_string(M.Hidden) +
                              " is not a multiple of " + std::to_string(A.Heads) +
                              " heads; give 'head_dim' explicitly");
    else
      A.HeadDim = M.Hidden / A.Heads;
  }

  if (RopeTerm && NopeTerm)
    R.error(NopeTerm->Loc, "a layer has either 'rope' or 'nope', not both");
  if (NopeTerm) {
    A.Rope.Enabled = false;
    if (ScalingTerm)
      R.error(ScalingTerm->Loc, "'" + ScalingTerm->Name +
                                    "' scales rope, but this layer uses 'nope'");
  }
  if (A.SinkTokens > 0 && A.Window == 0)
    R.error(C.getLoc(), "'sinks=" + std::to_string(A.SinkTokens) +
                            "' keeps tokens beside a sliding window; give "
                            "'window=N' too");
  if (A.Window > 0 && A.Chunk > 0)
    R.error(A.ChunkLoc, "a layer has either a sliding 'window' or a 'chunk', "
                        "not both");

  if (R.numErrors() != ErrorsBefore)
    return It->second = std::nullopt;
  return It->second = A;
}

bool ModelBuilder::readMlpKind(const Term &T, MlpSpec &Out) {
  llvm::SmallVector<const Value *, 1> Args;
  Out.Kind = llvm::StringSwitch<MlpKind>(T.Name)
                 .Case("swiglu", MlpKind::SwiGLU)
                 .Case("geglu", MlpKind::GeGLU)
                 .Case("gelu", MlpKind::GELU)
                 .Default(MlpKind::ReLU);
  if (!termCall(R, T, {"size"}, Args))
    return false;
  if (!Args[0]) {
    R.error(T.Loc, "'" + T.Name + "' needs its intermediate size, as in " +
                       T.Name + "(14336)");
    return false;
  }
  auto Size = R.getInt(*Args[0], "size", 1, MaxDim);
  Out.Intermediate = Size.value_or(0);
  return Size.has_value();
}

std::optional<MlpSpec> ModelBuilder::mlp(ClauseChain Chain) {
  auto [It, Inserted] = MlpCache.try_emplace(ChainKey(Chain.begin(), Chain.end()));
  if (!Inserted)
    return It->second;
  unsigned ErrorsBefore = R.numErrors();
  const ClauseStmt &C = *Chain.front();
  MlpSpec S;
  S.Loc = C.getLoc();
  for (const ClauseStmt *X : Chain)
    if (X->hasArgs())
      R.error(X->getLoc(), "'mlp' takes no arguments; write its kind and size "
                           "as a term, as in 'mlp swiglu(14336)'");
  const Term *Kind = nullptr;
  llvm::StringSet<> Seen;
  for (const Term *TP : mergeTerms(Chain, ffnGroup)) {
    const Term &T = *TP;
    if (!Seen.insert(T.Name).second) {
      R.error(T.Loc, "'" + T.Name + "' is given twice in this clause");
      continue;
    }
    if (llvm::is_contained(MlpKinds, T.Name)) {
      if (Kind) {
        R.error(T.Loc, "mlp kind given twice ('" + Kind->Name + "' and '" +
                           T.Name + "')");
        continue;
      }
      Kind = &T;
      readMlpKind(T, S);
    } else if (T.Name == "bias") {
      S.Bias = termFlag(R, T);
    } else {
      static const StringRef Opts[] = {"swiglu", "geglu", "gelu", "relu", "bias"};
      R.unknown(T.Loc, "mlp option", T.Name, Opts);
    }
  }
  if (!Kind)
    R.error(C.getLoc(), "mlp needs a kind and size: 'swiglu(N)', 'geglu(N)', "
                        "'gelu(N)' or 'relu(N)'");
  if (R.numErrors() != ErrorsBefore)
    return It->second = std::nullopt;
  return It->second = S;
}

std::optional<MoeSpec> ModelBuilder::moe(ClauseChain Chain) {
  auto [It, Inserted] = MoeCache.try_emplace(ChainKey(Chain.begin(), Chain.end()));
  if (!Inserted)
    return It->second;
  unsigned ErrorsBefore = R.numErrors();
  const ClauseStmt &C = *Chain.front();
  MoeSpec S;
  S.Loc = C.getLoc();

  // The experts and top-k come from the most specific clause that gives them.
  const ClauseStmt *Counts = nullptr;
  for (const ClauseStmt *X : Chain)
    if (!Counts && X->hasArgs())
      Counts = X;
  llvm::SmallVector<const Value *, 3> Args;
  if (!Counts) {
    R.error(C.getLoc(), "'moe' needs its experts and top-k, as in 'moe(8, top2)'");
  } else if (R.bindArgs(Counts->getArgs(), {"experts", "top"}, Counts->getLoc(),
                        "moe", Args)) {
    if (!Args[0])
      R.missingArg(Counts->getLoc(), "moe", "experts");
    if (!Args[1])
      R.missingArg(Counts->getLoc(), "moe", "top");
    if (Args[0]) {
      S.ExpertsLoc = Args[0]->getLoc();
      S.Experts = R.getInt(*Args[0], "experts", 1, MaxCount).value_or(0);
    }
    if (Args[1]) {
      S.TopKLoc = Args[1]->getLoc();
      S.TopK = R.getTopK(*Args[1], "top").value_or(0);
    }
  }

  const Term *Kind = nullptr;
  SMLoc GroupTopLoc;
  llvm::StringSet<> Seen;
  for (const Term *TP : mergeTerms(Chain, ffnGroup)) {
    const Term &T = *TP;
    if (!Seen.insert(T.Name).second) {
      R.error(T.Loc, "'" + T.Name + "' is given twice in this clause");
      continue;
    }
    if (llvm::is_contained(MlpKinds, T.Name)) {
      if (Kind) {
        R.error(T.Loc, "expert kind given twice ('" + Kind->Name + "' and '" +
                           T.Name + "')");
        continue;
      }
      Kind = &T;
      readMlpKind(T, S.Expert);
      S.Expert.Loc = T.Loc;
    } else if (T.Name == "shared") {
      if (!termCall(R, T, {"count", "size", "gate"}, Args))
        continue;
      if (!Args[0]) {
        R.missingArg(T.Loc, "shared", "count");
        continue;
      }
      S.SharedExperts = R.getInt(*Args[0], "count", 0, MaxCount).value_or(0);
      if (Args[1])
        S.SharedIntermediate = R.getInt(*Args[1], "size", 1, MaxDim).value_or(0);
      if (Args[2])
        S.SharedGate = R.getBool(*Args[2], "gate").value_or(false);
    } else if (T.Name == "groups") {
      if (!termCall(R, T, {"n", "top"}, Args))
        continue;
      if (!Args[0] || !Args[1]) {
        R.missingArg(T.Loc, "groups", !Args[0] ? "n" : "top");
        continue;
      }
      S.Groups = R.getInt(*Args[0], "n", 1, MaxCount).value_or(1);
      GroupTopLoc = Args[1]->getLoc();
      S.GroupTopK = R.getTopK(*Args[1], "top").value_or(1);
    } else if (T.Name == "router") {
      if (const Value *V = termValue(R, T, "router=sigmoid"))
        if (auto W = R.getWord(*V, "router", {"softmax", "sigmoid"}))
          S.Score = *W == "softmax" ? RouterScore::Softmax : RouterScore::Sigmoid;
    } else if (T.Name == "router_bias") {
      S.RouterBias = termFlag(R, T);
    } else if (T.Name == "bias") {
      S.Expert.Bias = termFlag(R, T);
    } else {
      static const StringRef Opts[] = {"swiglu", "geglu",  "gelu",        "relu",
                                       "shared", "groups", "router",
                                       "router_bias", "bias"};
      R.unknown(T.Loc, "moe option", T.Name, Opts);
    }
  }
  if (!Kind)
    R.error(C.getLoc(), "moe needs the kind and size of its experts, as in "
                        "'moe(8, top2) swiglu(14336)'");
  if (S.SharedExperts > 0 && S.SharedIntermediate == 0)
    S.SharedIntermediate = S.Expert.Intermediate;

  if (S.Experts > 0 && S.TopK > S.Experts) {
    R.error(S.TopKLoc, "top-" + std::to_string(S.TopK) + " routing needs at least " +
                           std::to_string(S.TopK) + " experts, but there are " +
                           std::to_string(S.Experts));
  }
  if (S.Groups > 1 && S.Experts > 0) {
    if (S.Experts % S.Groups != 0)
      R.error(C.getLoc(), std::to_string(S.Groups) + " expert groups do not divide " +
                              std::to_string(S.Experts) + " experts");
    else if (S.GroupTopK > S.Groups)
      R.error(GroupTopLoc, "top-" + std::to_string(S.GroupTopK) + " of " +
                               std::to_string(S.Groups) + " groups is impossible");
    else if (S.TopK > S.GroupTopK * (S.Experts / S.Groups))
      R.error(S.TopKLoc, "top-" + std::to_string(S.TopK) + " routing cannot fit in " +
                             std::to_string(S.GroupTopK) + " groups of " +
                             std::to_string(S.Experts / S.Groups) + " experts");
  }
  if (R.numErrors() != ErrorsBefore)
    return It->second = std::nullopt;
  return It->second = S;
}

std::optional<NormSpec> ModelBuilder::norm(ClauseChain Chain) {
  auto [It, Inserted] = NormCache.try_emplace(ChainKey(Chain.begin(), Chain.end()));
  if (!Inserted)
    return It->second;
  unsigned ErrorsBefore = R.numErrors();
  const ClauseStmt &C = *Chain.front();
  NormSpec S;
  S.Loc = C.getLoc();
  for (const ClauseStmt *X : Chain)
    if (X->hasArgs())
      R.error(X->getLoc(), "'norm' takes no arguments, as in 'norm rmsnorm pre'");
  bool HaveKind = false, HavePlace = false;
  for (const Term *TP : mergeTerms(Chain, normGroup)) {
    const Term &T = *TP;
    static const StringRef Kinds[] = {"rmsnorm", "layernorm"};
    static const StringRef Places[] = {"pre", "post", "sandwich", "parallel"};
    if (llvm::is_contained(Kinds, T.Name)) {
      if (HaveKind)
        R.error(T.Loc, "norm kind given twice");
      HaveKind = termFlag(R, T);
      S.Kind = T.Name == "rmsnorm" ? NormKind::RMSNorm : NormKind::LayerNorm;
    } else if (llvm::is_contained(Places, T.Name)) {
      if (HavePlace)
        R.error(T.Loc, "norm placement given twice");
      HavePlace = termFlag(R, T);
      S.Placement = llvm::StringSwitch<NormPlacement>(T.Name)
                        .Case("pre", NormPlacement::Pre)
                        .Case("post", NormPlacement::Post)
                        .Case("sandwich", NormPlacement::Sandwich)
                        .Default(NormPlacement::Parallel);
    } else {
      static const StringRef Opts[] = {"rmsnorm", "layernorm", "pre",
                                       "post",    "sandwich",  "parallel"};
      R.unknown(T.Loc, "norm option", T.Name, Opts);
    }
  }
  if (R.numErrors() != ErrorsBefore)
    return It->second = std::nullopt;
  return It->second = S;
}

//===----------------------------------------------------------------------===//
// Stack
//===----------------------------------------------------------------------===//

std::optional<StackPattern> ModelBuilder::pattern(const Value &V) {
  StackPattern P;
  P.Loc = V.getLoc();
  switch (V.getKind()) {
  case Value::Kind::Ref: {
    const auto &Ref = llvm::cast<RefValue>(V);
    auto It = LayerIndex.find(Ref.getName());
    if (It == LayerIndex.end()) {
      llvm::SmallVector<StringRef, 8> Names;
      for (const Block *L : LayerOrder)
        Names.push_back(L->getName());
      R.error(V, "unknown layer '" + Ref.getName() + "'" +
                     didYouMean(Ref.getName(), Names));
      return std::nullopt;
    }
    if (Ref.hasArgs()) {
      R.error(V, "a layer in a pattern takes no arguments");
      return std::nullopt;
    }
    P.K = StackPattern::Kind::Layer;
    P.LayerIndex = It->second;
    return P;
  }
  case Value::Kind::List: {
    P.K = StackPattern::Kind::Sequence;
    for (const ValuePtr &E : llvm::cast<ListValue>(V).getElements()) {
      auto C = pattern(*E);
      if (!C)
        return std::nullopt;
      P.Children.push_back(std::move(*C));
    }
    return P;
  }
  case Value::Kind::Repeat: {
    const auto &Rep = llvm::cast<RepeatValue>(V);
    if (Rep.getCount() < 1) {
      R.error(Rep.getCountLoc(), "a repeat count must be positive");
      return std::nullopt;
    }
    auto C = pattern(Rep.getBody());
    if (!C)
      return std::nullopt;
    P.K = StackPattern::Kind::Repeat;
    P.Count = Rep.getCount();
    P.Children.push_back(std::move(*C));
    return P;
  }
  case Value::Kind::Cycle: {
    const auto &Cy = llvm::cast<CycleValue>(V);
    if (Cy.getCount() < 1) {
      R.error(Cy.getCountLoc(), "a pattern's layer count must be positive");
      return std::nullopt;
    }
    if (Cy.getElements().empty()) {
      R.error(V, "the pattern is empty");
      return std::nullopt;
    }
    P.K = StackPattern::Kind::Cycle;
    P.Count = Cy.getCount();
    for (const ValuePtr &E : Cy.getElements()) {
      auto C = pattern(*E);
      if (!C)
        return std::nullopt;
      P.Children.push_back(std::move(*C));
    }
    return P;
  }
  default:
    R.error(V, "expected layer names, as in '3 x dense, 58 x moe' or "
               "'62 of [5 x local, global]'; found " +
                   describeKind(V));
    return std::nullopt;
  }
}

bool ModelBuilder::stack(const PropertyStmt &P, StackPattern &Pat,
                         std::vector<unsigned> &Out, StringRef What) {
  auto Parsed = pattern(P.getValue());
  if (!Parsed)
    return false;
  Pat = std::move(*Parsed);
  constexpr size_t MaxLayers = 100000;
  if (!Pat.expand(Out, MaxLayers)) {
    R.error(P.getValue(), "'" + What + "' makes more than " +
                              std::to_string(MaxLayers) + " layers");
    return false;
  }
  if (Out.empty()) {
    R.error(P.getValue(), "'" + What + "' makes no layers");
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

void ModelBuilder::checkLayers() {
  // Windows and chunks beyond the context mean nothing.
  for (const LayerSpec &L : M.LayerKinds) {
    const AttentionSpec &A = L.Attn;
    if (M.MaxContext > 0 && A.Window > M.MaxContext) {
      R.error(A.WindowLoc, "window of " + std::to_string(A.Window) +
                               " tokens is larger than the model's context of " +
                               std::to_string(M.MaxContext));
      R.note(M.MaxContextLoc, "context given here");
    }
    if (M.MaxContext > 0 && A.Chunk > M.MaxContext) {
      R.error(A.ChunkLoc, "chunk of " + std::to_string(A.Chunk) +
                              " tokens is larger than the model's context of " +
                              std::to_string(M.MaxContext));
      R.note(M.MaxContextLoc, "context given here");
    }
  }
  // A layer that shares KV reads the cache of the nearest earlier layer
  // that has its own, which must have the same shape.
  auto CheckSharing = [&](const std::vector<unsigned> &Seq) {
    const LayerSpec *Source = nullptr;
    for (unsigned K : Seq) {
      const LayerSpec &L = M.LayerKinds[K];
      if (!L.Attn.SharesKv) {
        Source = &L;
        continue;
      }
      if (!Source) {
        R.error(L.Attn.Loc, "layer '" + L.Name +
                                "' shares KV, but no earlier layer has a KV cache");
        return;
      }
      const AttentionSpec &S = Source->Attn, &A = L.Attn;
      bool Same = S.isMLA() == A.isMLA() &&
                  (A.isMLA() ? S.KvLoraRank == A.KvLoraRank && S.QkRopeDim == A.QkRopeDim
                             : S.KvHeads == A.KvHeads && S.HeadDim == A.HeadDim);
      if (!Same) {
        R.error(L.Attn.Loc, "layer '" + L.Name + "' shares the KV cache of layer '" +
                                Source->Name + "', whose KV heads or sizes differ");
        return;
      }
    }
  };
  CheckSharing(M.Layers);

  // Layer kinds that no pattern uses are probably mistakes.
  std::vector<bool> Used(M.LayerKinds.size(), false);
  for (unsigned K : M.Layers)
    Used[K] = true;
  for (unsigned K : M.MtpLayers)
    Used[K] = true;
  for (size_t K = 0; K < Used.size(); ++K)
    if (!Used[K])
      R.warning(M.LayerKinds[K].Loc, "layer '" + M.LayerKinds[K].Name +
                                         "' is not used by 'layers' or 'mtp'");
}

std::optional<ModelSpec> ModelBuilder::build() {
  unsigned ErrorsBefore = R.diags().getNumErrors();
  M.Name = B.getName().str();
  M.Loc = B.getNameLoc();

  llvm::StringMap<const PropertyStmt *> Props;
  Slots Defaults;
  for (const NodePtr &N : B.getBody()) {
    if (const auto *P = llvm::dyn_cast<PropertyStmt>(N.get())) {
      if (!llvm::is_contained(ModelProperties, P->getName())) {
        R.unknown(P->getLoc(), "model property", P->getName(), ModelProperties);
        continue;
      }
      auto [It, New] = Props.try_emplace(P->getName(), P);
      if (!New) {
        R.error(P->getLoc(), "'" + P->getName() + "' is given twice");
        R.note(It->second->getLoc(), "the first one is here");
      }
    } else if (const auto *C = llvm::dyn_cast<ClauseStmt>(N.get())) {
      if (!llvm::is_contained(LayerClauses, C->getHead())) {
        R.unknown(C->getLoc(), "model clause", C->getHead(), LayerClauses);
        continue;
      }
      addSlot(Defaults, *C, "the model");
    } else if (const auto *L = llvm::dyn_cast<Block>(N.get())) {
      auto [It, New] = LayerBlocks.try_emplace(L->getName(), L);
      if (!New) {
        R.error(L->getNameLoc(), "redefinition of layer '" + L->getName() + "'");
        R.note(It->second->getNameLoc(), "previous definition is here");
        continue;
      }
      LayerIndex[L->getName()] = LayerOrder.size();
      LayerOrder.push_back(L);
    }
  }

  auto Get = [&](StringRef Name) -> const PropertyStmt * {
    auto It = Props.find(Name);
    return It == Props.end() ? nullptr : It->second;
  };
  auto Require = [&](StringRef Name, StringRef Example) -> const PropertyStmt * {
    const PropertyStmt *P = Get(Name);
    if (!P)
      R.error(B.getNameLoc(), "model '" + M.Name + "' needs '" + Name + "', as in '" +
                                  Example + "'");
    return P;
  };

  if (const PropertyStmt *P = Require("hidden", "hidden = 4096;"))
    M.Hidden = R.getInt(P->getValue(), "hidden", 1, MaxDim).value_or(0);
  if (const PropertyStmt *P = Require("vocab", "vocab = 128256;"))
    M.Vocab = R.getInt(P->getValue(), "vocab", 1, MaxDim).value_or(0);
  if (const PropertyStmt *P = Require("context", "context = 131072;")) {
    M.MaxContextLoc = P->getValue().getLoc();
    M.MaxContext = R.getInt(P->getValue(), "context", 1, MaxContext).value_or(0);
  }
  if (const PropertyStmt *P = Get("tie_embeddings"))
    M.TieEmbeddings = R.getBool(P->getValue(), "tie_embeddings").value_or(false);
  if (const PropertyStmt *P = Get("lm_head_bias"))
    M.LmHeadBias = R.getBool(P->getValue(), "lm_head_bias").value_or(false);
  if (const PropertyStmt *P = Get("source"))
    M.Source = R.getString(P->getValue(), "source").value_or("");
  // A weight type: a dtype word, or fp8(block=N) for fp8 weights scaled per
  // N x N block whose activations are quantized per 1 x N group at run time.
  auto ReadDType = [&](const PropertyStmt &P, llvm::StringRef What) -> std::optional<DType> {
    const ast::Value &V = P.getValue();
    const auto *Call = llvm::dyn_cast<RefValue>(&V);
    if (!Call || !Call->hasArgs()) {
      if (auto W = R.getWord(V, What, dtypeSpellings()))
        return *parseDType(*W);
      return std::nullopt;
    }
    if (Call->getName() != "fp8") {
      R.error(V, "'" + What + "' takes arguments only as fp8(block=N), the block-scaled "
                 "fp8 of DeepSeek-V3's checkpoints; '" + Call->getName() +
                 "' takes none");
      return std::nullopt;
    }
    llvm::SmallVector<const ast::Value *, 1> Args;
    if (!R.bindArgs(Call->getArgs(), {"block"}, V.getLoc(), "fp8", Args))
      return std::nullopt;
    if (!Args[0]) {
      R.missingArg(V.getLoc(), "fp8", "block");
      return std::nullopt;
    }
    std::optional<int64_t> Block = R.getInt(*Args[0], "block", 1, MaxDim);
    if (!Block)
      return std::nullopt;
    if (M.Fp8Block > 0 && M.Fp8Block != *Block) {
      R.error(*Args[0], "fp8 block of " + std::to_string(*Block) + " differs from the " +
                            std::to_string(M.Fp8Block) + " given for 'dtype'; ssc "
                            "models one block size per model");
      return std::nullopt;
    }
    M.Fp8Block = *Block;
    return DType::FP8;
  };
  if (const PropertyStmt *P = Get("dtype"))
    if (auto T = ReadDType(*P, "dtype"))
      M.WeightType = *T;
  M.ExpertWeightType = M.WeightType;
  if (const PropertyStmt *P = Get("expert_dtype"))
    if (auto T = ReadDType(*P, "expert_dtype"))
      M.ExpertWeightType = *T;

  // Layer kinds, in declaration order.
  for (const Block *L : LayerOrder) {
    Slots S;
    std::vector<const Block *> Chain;
    if (!slotsOf(*L, S, Chain))
      continue;
    inherit(S.Attn, Defaults.Attn);
    inherit(S.Ffn, Defaults.Ffn);
    inherit(S.Norm, Defaults.Norm);

    LayerSpec Spec;
    Spec.Name = L->getName().str();
    Spec.Loc = L->getNameLoc();
    bool Ok = true;
    if (S.Attn.empty()) {
      R.error(L->getNameLoc(), "layer '" + Spec.Name +
                                   "' has no 'attn' clause and the model gives "
                                   "no default");
      Ok = false;
    } else if (auto A = attention(S.Attn)) {
      Spec.Attn = *A;
    } else {
      Ok = false;
    }
    if (S.Ffn.empty()) {
      R.error(L->getNameLoc(), "layer '" + Spec.Name +
                                   "' has no 'mlp' or 'moe' clause and the model "
                                   "gives no default");
      Ok = false;
    } else if (S.Ffn.front()->getHead() == "mlp") {
      if (auto X = mlp(S.Ffn))
        Spec.Mlp = *X;
      else
        Ok = false;
    } else if (auto X = moe(S.Ffn)) {
      Spec.Moe = *X;
    } else {
      Ok = false;
    }
    if (!S.Norm.empty()) {
      if (auto X = norm(S.Norm))
        Spec.Norm = *X;
      else
        Ok = false;
    }
    (void)Ok;
    M.LayerKinds.push_back(std::move(Spec));
  }
  // Every layer block got a kind (failed ones too), so indices stay aligned
  // with LayerIndex.
  if (LayerOrder.empty())
    R.error(B.getNameLoc(), "model '" + M.Name + "' declares no layers, as in "
                            "'layer decoder { attn gqa(kv=8) heads=32; mlp swiglu(14336); }'");

  if (const PropertyStmt *P = Require("layers", "layers = 32 x decoder;")) {
    M.StackLoc = P->getLoc();
    stack(*P, M.Stack, M.Layers, "layers");
  }
  if (const PropertyStmt *P = Get("mtp"))
    stack(*P, M.MtpStack, M.MtpLayers, "mtp");

  if (R.diags().getNumErrors() != ErrorsBefore)
    return std::nullopt;
  checkLayers();
  if (R.diags().getNumErrors() != ErrorsBefore)
    return std::nullopt;
  return std::move(M);
}

std::optional<ModelSpec> ssc::sema::buildModel(Reader &R, const Block &B) {
  ModelBuilder MB(R, B);
  return MB.build();
}

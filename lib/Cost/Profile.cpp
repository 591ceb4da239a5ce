//===- Profile.cpp - Loading cost profiles --------------------------------===//

#include "ssc/Cost/Profile.h"
#include "ssc/Spec/Plan.h"

#include "ssc/Support/DataPaths.h"
#include "ssc/Support/Format.h"
#include "ssc/Support/JSONLocator.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <map>

using namespace ssc;
using namespace ssc::cost;
using llvm::StringRef;

llvm::StringRef ssc::cost::blockName(Block B) {
  switch (B) {
  case Block::Embed: return "embed";
  case Block::Attention: return "attention";
  case Block::Mlp: return "mlp";
  case Block::Router: return "router";
  case Block::Experts: return "experts";
  case Block::SharedExperts: return "shared_experts";
  case Block::Head: return "head";
  case Block::Other: return "other";
  }
  return "?";
}

std::optional<Block> ssc::cost::parseBlock(StringRef S) {
  for (unsigned I = 0; I < NumBlocks; ++I)
    if (blockName(static_cast<Block>(I)) == S)
      return static_cast<Block>(I);
  return std::nullopt;
}

Block ssc::cost::blockOf(const ir::Op &O) {
  using ir::Role;
  switch (O.R) {
  case Role::Embed:
    return Block::Embed;
  case Role::Head:
  case Role::FinalNorm:
    return Block::Head;
  case Role::InputNorm:
  case Role::PostAttnNorm:
  case Role::QkNorm:
  case Role::QLoraNorm:
  case Role::KvLoraNorm:
  case Role::QKV:
  case Role::Q:
  case Role::K:
  case Role::V:
  case Role::QA:
  case Role::QB:
  case Role::KVA:
  case Role::KVB:
  case Role::QAbsorb:
  case Role::VAbsorb:
  case Role::O:
  case Role::Attn:
  case Role::Rope:
  case Role::KConcat:
  case Role::AttnResidual:
  case Role::ContextExchange:
  case Role::EhProj:
  case Role::AttnQuant:
    return Block::Attention;
  case Role::Router:
    return Block::Router;
  case Role::ExpertGateUp:
  case Role::ExpertGate:
  case Role::ExpertUp:
  case Role::ExpertDown:
  case Role::ExpertAct:
  case Role::Experts:
  case Role::Dispatch:
  case Role::Combine:
  case Role::Permute:
  case Role::DispatchQuant:
  case Role::ExpertQuant:
    return Block::Experts;
  case Role::SharedGateUp:
  case Role::SharedDown:
  case Role::SharedGate:
  case Role::SharedQuant:
    return Block::SharedExperts;
  case Role::FfnNorm:
  case Role::PostFfnNorm:
  case Role::GateUp:
  case Role::Gate:
  case Role::Up:
  case Role::Down:
  case Role::FfnResidual:
  case Role::MlpQuant:
    return Block::Mlp;
  case Role::Act:
    return Block::Mlp; // refined by the caller for shared experts
  case Role::None:
  case Role::PipeSend:
    return Block::Other;
  }
  return Block::Other;
}

double Curve::eval(double X) const {
  if (Points.empty())
    return 1.0;
  if (Mode == Lookup::NextPow2Above) {
    double P = 1;
    double IX = std::floor(X);
    while (P <= IX)
      P *= 2;
    // The largest key not above P (tables list powers of two).
    double Y = Points.front().second;
    for (const auto &[K, V] : Points)
      if (K <= P)
        Y = V;
    return Y;
  }
  auto F = [&](double V) { return Mode == Lookup::LogInterpolate ? std::log(std::max(V, 1e-30)) : V; };
  if (X <= Points.front().first)
    return Points.front().second;
  if (X >= Points.back().first)
    return Points.back().second;
  for (size_t I = 1; I < Points.size(); ++I) {
    auto [X0, Y0] = Points[I - 1];
    auto [X1, Y1] = Points[I];
    if (X <= X1) {
      double T = (F(X) - F(X0)) / (F(X1) - F(X0));
      return Y0 + T * (Y1 - Y0);
    }
  }
  return Points.back().second;
}

double Curve::evalNonDecreasingTime(double X) const {
  double Y = eval(X);
  if (Mode == Lookup::NextPow2Above || !(X > 0) || !(Y > 0))
    return Y;
  double Time = X / Y;
  for (const auto &[K, V] : Points)
    if (K < X && K > 0 && V > 0)
      Time = std::max(Time, K / V);
  return X / Time;
}

//===----------------------------------------------------------------------===//
// JSON reading
//===----------------------------------------------------------------------===//

namespace {

/// "must be between Min and Max, not V" when \p V is outside [Min, Max] or
/// not finite, else empty: the profile reader's ranges and the parameters'.
std::string rangeError(double V, double Min, double Max) {
  if (V >= Min && V <= Max && std::isfinite(V))
    return "";
  return "must be between " + formatShortest(Min) + " and " + formatShortest(Max) + ", not " +
         formatShortest(V);
}

class ProfileReader {
public:
  ProfileReader(DiagnosticEngine &Diags, const JSONLocator &Loc)
      : Diags(Diags), Loc(Loc) {}
  bool Failed = false;

  void error(const std::string &Path, const llvm::Twine &Msg) {
    Failed = true;
    Diags.error(Loc.valueLoc(Path), Msg);
  }

  /// Reports keys of \p O not in \p Known.
  void checkKeys(const llvm::json::Object &O, const std::string &Path,
                 llvm::ArrayRef<StringRef> Known) {
    std::vector<std::string> Keys;
    for (const auto &KV : O)
      Keys.push_back(KV.first.str());
    std::sort(Keys.begin(), Keys.end());
    for (const std::string &K : Keys)
      if (!llvm::is_contained(Known, StringRef(K))) {
        Failed = true;
        std::string Full = Path.empty() ? K : Path + "." + K;
        Diags.error(Loc.keyLoc(Full), "unknown profile key '" + K + "'" +
                                          didYouMean(K, Known));
      }
  }

  std::optional<double> number(const llvm::json::Object &O, StringRef Key,
                               const std::string &Path, double Min, double Max) {
    const llvm::json::Value *V = O.get(Key);
    if (!V)
      return std::nullopt;
    std::string P = join(Path, Key);
    std::optional<double> D = V->getAsNumber();
    if (!D) {
      error(P, "'" + Key + "' must be a number");
      return std::nullopt;
    }
    std::string Range = rangeError(*D, Min, Max);
    if (!Range.empty()) {
      error(P, "'" + Key + "' " + Range);
      return std::nullopt;
    }
    return D;
  }

  std::optional<bool> boolean(const llvm::json::Object &O, StringRef Key,
                              const std::string &Path) {
    const llvm::json::Value *V = O.get(Key);
    if (!V)
      return std::nullopt;
    std::optional<bool> B = V->getAsBoolean();
    if (!B)
      error(join(Path, Key), "'" + Key + "' must be true or false");
    return B;
  }

  /// The profile, once its `params` are read: what a rule's *_param key may
  /// name.
  const Profile *Declared = nullptr;

  /// A key naming a profile parameter, which `params` must declare: an
  /// undeclared name would silently read as the rule's default.
  std::optional<std::string> paramName(const llvm::json::Object &O, StringRef Key,
                                       const std::string &Path) {
    std::optional<std::string> S = string(O, Key, Path);
    if (S && Declared && !Declared->Params.count(*S)) {
      error(join(Path, Key), "'" + Key + "' names parameter '" + *S +
                                 "', which 'params' does not declare" +
                                 Declared->undeclaredParamHint(*S));
      return std::nullopt;
    }
    return S;
  }

  std::optional<std::string> string(const llvm::json::Object &O, StringRef Key,
                                    const std::string &Path) {
    const llvm::json::Value *V = O.get(Key);
    if (!V)
      return std::nullopt;
    std::optional<StringRef> S = V->getAsString();
    if (!S) {
      error(join(Path, Key), "'" + Key + "' must be a string");
      return std::nullopt;
    }
    return S->str();
  }

  /// The value of the string \p Key, one of \p Choices (spellings and what
  /// they mean); anything else is an error that lists the spellings.
  template <typename T>
  std::optional<T> oneOf(const llvm::json::Object &O, StringRef Key, const std::string &Path,
                         std::initializer_list<std::pair<StringRef, T>> Choices) {
    std::optional<std::string> S = string(O, Key, Path);
    if (!S)
      return std::nullopt;
    llvm::SmallVector<StringRef, 8> Names;
    for (const auto &[Name, Value] : Choices) {
      if (*S == Name)
        return Value;
      Names.push_back(Name);
    }
    error(join(Path, Key),
          "'" + Key.str() + "' must be " + joinAlternatives(Names) + ", not '" + *S + "'");
    return std::nullopt;
  }

  /// A string or a list of strings.
  std::vector<std::string> strings(const llvm::json::Object &O, StringRef Key,
                                   const std::string &Path) {
    std::vector<std::string> Out;
    const llvm::json::Value *V = O.get(Key);
    if (!V)
      return Out;
    if (auto S = V->getAsString()) {
      Out.push_back(S->str());
      return Out;
    }
    const llvm::json::Array *A = V->getAsArray();
    if (!A) {
      error(join(Path, Key), "'" + Key + "' must be a string or a list of strings");
      return Out;
    }
    for (size_t I = 0; I < A->size(); ++I) {
      auto S = (*A)[I].getAsString();
      if (!S) {
        error(join(Path, Key) + "[" + std::to_string(I) + "]", "expected a string");
        continue;
      }
      Out.push_back(S->str());
    }
    return Out;
  }

  static std::string join(const std::string &Path, StringRef Key) {
    return Path.empty() ? Key.str() : Path + "." + Key.str();
  }

  bool phase(const std::string &S, const std::string &Path, Phase &Out) {
    if (S == "prefill")
      Out = Phase::Prefill;
    else if (S == "decode")
      Out = Phase::Decode;
    else {
      error(Path, "unknown phase '" + S + "'; expected 'prefill' or 'decode'");
      return false;
    }
    return true;
  }

  Match match(const llvm::json::Object *O, const std::string &Path, bool Comm) {
    Match M;
    if (!O)
      return M;
    static const StringRef Keys[] = {"kernel", "block", "role", "group", "phase",
                                     "layer", "gpu_has_fp4", "link", "gpu",
                                     "scale_up_gpus", "dtype", "ep_dispatch"};
    checkKeys(*O, Path, Keys);
    for (const std::string &K : strings(*O, "kernel", Path)) {
      std::optional<ir::OpKind> Kind;
      for (unsigned I = 0; I <= static_cast<unsigned>(ir::OpKind::Elementwise); ++I) {
        StringRef N = ir::opName(static_cast<ir::OpKind>(I));
        N.consume_front("kernel.");
        N.consume_front("comm.");
        if (N == K && ir::dialectOf(static_cast<ir::OpKind>(I)) ==
                          (Comm ? ir::Dialect::Comm : ir::Dialect::Kernel))
          Kind = static_cast<ir::OpKind>(I);
      }
      if (!Kind)
        error(join(Path, "kernel"), "unknown " + std::string(Comm ? "collective" : "kernel") +
                                        " '" + K + "'");
      else
        M.Kinds.push_back(*Kind);
    }
    for (const std::string &B : strings(*O, "block", Path)) {
      if (auto X = parseBlock(B))
        M.Blocks.push_back(*X);
      else
        error(join(Path, "block"), "unknown block '" + B + "'");
    }
    for (const std::string &R : strings(*O, "role", Path)) {
      bool Found = false;
      for (unsigned I = 0; I <= static_cast<unsigned>(ir::LastRole); ++I)
        if (ir::roleName(static_cast<ir::Role>(I)) == R) {
          M.Roles.push_back(static_cast<ir::Role>(I));
          Found = true;
        }
      if (!Found)
        error(join(Path, "role"), "unknown role '" + R + "'");
    }
    for (const std::string &G : strings(*O, "group", Path)) {
      bool Found = false;
      for (unsigned I = 0; I <= static_cast<unsigned>(ir::Group::PP); ++I)
        if (ir::groupName(static_cast<ir::Group>(I)) == G) {
          M.Groups.push_back(static_cast<ir::Group>(I));
          Found = true;
        }
      if (!Found)
        error(join(Path, "group"), "unknown group '" + G + "'");
    }
    if (auto S = string(*O, "phase", Path)) {
      Phase P;
      if (phase(*S, join(Path, "phase"), P))
        M.P = P;
    }
    M.MoeLayer = oneOf<bool>(*O, "layer", Path, {{"moe", true}, {"dense", false}});
    M.GpuHasFp4 = boolean(*O, "gpu_has_fp4", Path);
    M.EpDispatch = boolean(*O, "ep_dispatch", Path);
    M.L = oneOf<ir::Link>(*O, "link", Path,
                          {{"scale_up", ir::Link::ScaleUp}, {"scale_out", ir::Link::ScaleOut}});
    M.Gpus = strings(*O, "gpu", Path);
    for (const std::string &D : strings(*O, "dtype", Path)) {
      if (auto T = parseDType(D))
        M.DTypes.push_back(*T);
      else
        error(join(Path, "dtype"), "unknown dtype '" + D + "'; expected " +
                                       joinAlternatives(dtypeSpellings()));
    }
    if (const llvm::json::Value *V = O->get("scale_up_gpus")) {
      auto One = V->getAsInteger();
      const llvm::json::Array *A = V->getAsArray();
      if (One)
        M.ScaleUpGpus.push_back(*One);
      else if (A)
        for (const llvm::json::Value &E : *A) {
          if (auto I = E.getAsInteger())
            M.ScaleUpGpus.push_back(*I);
          else
            error(join(Path, "scale_up_gpus"), "expected integers");
        }
      else
        error(join(Path, "scale_up_gpus"), "expected an integer or a list of them");
    }
    return M;
  }

  std::optional<Curve> curve(const llvm::json::Value &V, const std::string &Path) {
    const llvm::json::Object *O = V.getAsObject();
    if (!O) {
      error(Path, "expected a number or {\"by\": ..., \"points\": [[x, y], ...]}");
      return std::nullopt;
    }
    static const StringRef Keys[] = {"by", "lookup", "points"};
    checkKeys(*O, Path, Keys);
    Curve C;
    C.Mode = oneOf<Curve::Lookup>(*O, "lookup", Path,
                                  {{"interpolate", Curve::Lookup::Interpolate},
                                   {"log", Curve::Lookup::LogInterpolate},
                                   {"next_pow2_above", Curve::Lookup::NextPow2Above}})
                 .value_or(C.Mode);
    const llvm::json::Array *Pts = O->getArray("points");
    if (!Pts || Pts->empty()) {
      error(Path, "a curve needs 'points': [[x, y], ...]");
      return std::nullopt;
    }
    for (size_t I = 0; I < Pts->size(); ++I) {
      std::string P = join(Path, "points") + "[" + std::to_string(I) + "]";
      const llvm::json::Array *XY = (*Pts)[I].getAsArray();
      std::optional<double> X, Y;
      if (XY && XY->size() == 2) {
        X = (*XY)[0].getAsNumber();
        Y = (*XY)[1].getAsNumber();
      }
      if (!X || !Y) {
        error(P, "expected [x, y]");
        return std::nullopt;
      }
      if (!C.Points.empty() && *X <= C.Points.back().first) {
        error(P, "curve points must have increasing x");
        return std::nullopt;
      }
      // An efficiency of zero would make the kernel free (its time divides
      // by it), so every curve is held to the range of a scalar efficiency.
      if (*Y < 1e-6 || *Y > 10) {
        error(P, "efficiencies must be between 0.000001 and 10, not " + formatShortest(*Y));
        return std::nullopt;
      }
      C.Points.emplace_back(*X, *Y);
    }
    return C;
  }

  std::optional<EffKey> effKey(const llvm::json::Object &O, const std::string &Path) {
    const llvm::json::Value *V = O.get("efficiency");
    const llvm::json::Object *C = V ? V->getAsObject() : nullptr;
    if (!C)
      return std::nullopt;
    // Without "by", a curve is indexed by M.
    if (!C->get("by"))
      return EffKey::M;
    return oneOf<EffKey>(*C, "by", join(Path, "efficiency"),
                         {{"m", EffKey::M},
                          {"k", EffKey::K},
                          {"layer_m_per_group", EffKey::LayerMPerGroup},
                          {"keys", EffKey::Keys},
                          {"queries", EffKey::Queries}});
  }

  KernelRule kernelRule(const llvm::json::Object &O, const std::string &Path) {
    static const StringRef Keys[] = {
        "match",       "rate",         "efficiency",       "memory_efficiency",
        "memory",      "weight_scale", "flops_scale",      "time",
        "overhead_us", "free",         "divide_replicated", "full_pairs",
        "read_idle_groups", "divide_by_param", "all_reduce_param", "leaves_comm_sms",
        "note"};
    checkKeys(O, Path, Keys);
    KernelRule R;
    R.When = match(O.getObject("match"), join(Path, "match"), false);
    R.Rate = oneOf<RateSource>(O, "rate", Path,
                               {{"operands", RateSource::Operands},
                                {"fp16", RateSource::FP16},
                                {"bf16", RateSource::BF16},
                                {"fp8", RateSource::FP8},
                                {"fp4", RateSource::FP4},
                                {"fastest", RateSource::Fastest}});
    if (const llvm::json::Value *E = O.get("efficiency")) {
      if (E->getAsNumber()) {
        R.Efficiency = number(O, "efficiency", Path, 1e-6, 10);
      } else {
        R.EfficiencyCurve = curve(*E, join(Path, "efficiency"));
        R.Key = effKey(O, Path);
      }
    }
    R.MemoryEfficiency = number(O, "memory_efficiency", Path, 1e-6, 10);
    R.Memory = oneOf<Traffic>(O, "memory", Path,
                              {{"all", Traffic::All},
                               {"weights", Traffic::Weights},
                               {"kv", Traffic::KvCache},
                               {"none", Traffic::None}});
    R.WeightScale = number(O, "weight_scale", Path, 0, 100);
    R.FlopsScale = number(O, "flops_scale", Path, 0, 100);
    R.SumTimes = oneOf<bool>(O, "time", Path, {{"sum", true}, {"max", false}});
    R.OverheadUs = number(O, "overhead_us", Path, 0, 1e9);
    R.Free = boolean(O, "free", Path);
    R.DivideReplicated = boolean(O, "divide_replicated", Path);
    R.FullPairs = boolean(O, "full_pairs", Path);
    R.ReadIdleGroups = boolean(O, "read_idle_groups", Path);
    R.LeavesCommSms = boolean(O, "leaves_comm_sms", Path);
    R.DivideByParam = paramName(O, "divide_by_param", Path);
    R.AllReduceParam = paramName(O, "all_reduce_param", Path);
    return R;
  }

  CommRule commRule(const llvm::json::Object &O, const std::string &Path) {
    static const StringRef Keys[] = {"match",      "algorithm",   "bandwidth_efficiency",
                                     "latency_us", "bytes_scale", "free",
                                     "payload",    "link",        "takes_sms",
                                     "note"};
    checkKeys(O, Path, Keys);
    CommRule R;
    R.When = match(O.getObject("match"), join(Path, "match"), true);
    R.Ring = oneOf<bool>(O, "algorithm", Path, {{"ring", true}, {"direct", false}});
    if (const llvm::json::Value *E = O.get("bandwidth_efficiency")) {
      std::string EP = join(Path, "bandwidth_efficiency");
      if (E->getAsNumber()) {
        R.BandwidthEfficiency = number(O, "bandwidth_efficiency", Path, 1e-6, 10);
      } else if (const llvm::json::Object *C = E->getAsObject()) {
        auto By = string(*C, "by", EP);
        if (!By || *By != "bytes")
          error(join(EP, "by"), "a collective's efficiency curve is indexed by "
                                "message size: \"by\": \"bytes\"");
        R.BandwidthEfficiencyCurve = curve(*E, EP);
      } else {
        error(EP, "expected a number or {\"by\": \"bytes\", \"points\": [[bytes, "
                  "efficiency], ...]}");
      }
    }
    R.LatencyUs = number(O, "latency_us", Path, 0, 1e9);
    R.BytesScale = number(O, "bytes_scale", Path, 0, 100);
    R.Free = boolean(O, "free", Path);
    R.TakesSms = boolean(O, "takes_sms", Path);
    using Remote = CommRule::Remote;
    R.Payload = oneOf<Remote>(O, "payload", Path,
                              {{"all", Remote::All},
                               {"peers", Remote::Peers},
                               {"domain_experts", Remote::DomainExperts},
                               {"group_dedup", Remote::GroupDedup},
                               {"domain_dedup", Remote::DomainDedup},
                               {"gpu_dedup", Remote::GpuDedup}});
    R.ForceLink = oneOf<ir::Link>(O, "link", Path,
                                  {{"scale_up", ir::Link::ScaleUp},
                                   {"scale_out", ir::Link::ScaleOut}});
    return R;
  }

  std::vector<Block> blocks(const llvm::json::Object &O, StringRef Key,
                            const std::string &Path) {
    std::vector<Block> Out;
    for (const std::string &B : strings(O, Key, Path)) {
      if (auto X = parseBlock(B))
        Out.push_back(*X);
      else
        error(join(Path, Key), "unknown block '" + B + "'");
    }
    return Out;
  }

  void twoBatch(const llvm::json::Object &O, const std::string &Path, TwoBatchSpec &Out) {
    static const StringRef Keys[] = {"split", "hide"};
    checkKeys(O, Path, Keys);
    Out.SplitBlocks = blocks(O, "split", Path);
    if (const llvm::json::Array *H = O.getArray("hide")) {
      for (size_t I = 0; I < H->size(); ++I) {
        std::string P = join(Path, "hide") + "[" + std::to_string(I) + "]";
        const llvm::json::Object *HO = (*H)[I].getAsObject();
        if (!HO) {
          error(P, "expected {\"comm\": [...], \"behind\": [...]}");
          continue;
        }
        static const StringRef HKeys[] = {"comm", "behind", "share", "note"};
        checkKeys(*HO, P, HKeys);
        TwoBatchSpec::Hide Hd;
        for (const std::string &R : strings(*HO, "comm", P)) {
          bool Found = false;
          for (unsigned J = 0; J <= static_cast<unsigned>(ir::LastRole); ++J)
            if (ir::roleName(static_cast<ir::Role>(J)) == R) {
              Hd.Comm.push_back(static_cast<ir::Role>(J));
              Found = true;
            }
          if (!Found)
            error(join(P, "comm"), "unknown role '" + R + "'");
        }
        Hd.Behind = blocks(*HO, "behind", P);
        if (auto S = number(*HO, "share", P, 0, 1))
          Hd.Share = *S;
        Out.Hides.push_back(std::move(Hd));
      }
      // A block's time can hide each collective once: the groups that
      // share it may not claim more than all of it.
      std::map<Block, double> Claimed;
      for (const TwoBatchSpec::Hide &Hd : Out.Hides)
        for (Block B : Hd.Behind)
          Claimed[B] += Hd.Share;
      for (const auto &[B, Sum] : Claimed)
        if (Sum > 1 + 1e-9)
          error(join(Path, "hide"), "the hide groups claim " + formatShortest(Sum) +
                                        " of block '" + blockName(B).str() +
                                        "'; their shares of one block sum to at most 1");
    }
  }

private:
  DiagnosticEngine &Diags;
  const JSONLocator &Loc;
};

} // namespace

std::vector<StringRef> Profile::paramNames() const {
  std::vector<StringRef> Names;
  for (const auto &KV : Params)
    Names.push_back(KV.first());
  llvm::sort(Names);
  return Names;
}

std::string Profile::paramRangeError(double V) { return rangeError(V, MinParam, MaxParam); }

std::string Profile::undeclaredParamHint(StringRef Name) const {
  std::vector<StringRef> Names = paramNames();
  if (Names.empty())
    return "; the profile declares none (its 'params' object lists them)";
  std::string Hint = didYouMean(Name, Names);
  return !Hint.empty() ? Hint : "; its parameters: " + joinAlternatives(Names);
}

std::vector<std::string> ssc::cost::availableProfiles() {
  return dataFileStems("profiles", ".json");
}

std::optional<Profile> ssc::cost::loadProfile(StringRef NameOrPath,
                                              DiagnosticEngine &Diags) {
  std::string Path = NameOrPath.ends_with(".json")
                         ? NameOrPath.str()
                         : dataPath(("profiles/" + NameOrPath + ".json").str());
  if (!NameOrPath.ends_with(".json") && !llvm::sys::fs::exists(Path)) {
    std::vector<std::string> Names = availableProfiles();
    std::vector<StringRef> Refs(Names.begin(), Names.end());
    Diags.error("unknown cost profile '" + NameOrPath + "'" +
                (didYouMean(NameOrPath, Refs).empty()
                     ? "; available: " + joinAlternatives(Refs)
                     : didYouMean(NameOrPath, Refs)));
    return std::nullopt;
  }
  unsigned Buf = loadFileBuffer(Path, Diags);
  if (!Buf)
    return std::nullopt;
  std::optional<JSONObjectDocument> Doc =
      parseJSONObject(Buf, Diags, "a cost profile is one JSON object");
  if (!Doc)
    return std::nullopt;
  const JSONLocator &Loc = Doc->Loc;
  ProfileReader R(Diags, Loc);
  const llvm::json::Object *O = &Doc->object();
  static const StringRef Keys[] = {"name",   "description", "sources",  "gpus",
                                   "discount", "comm_sms_in", "launch_us", "units",
                                   "comm_overlap", "params", "kernels", "comms",
                                   "two_batch", "memory", "serving", "uncertainty",
                                   "sustained_clock", "note"};
  R.checkKeys(*O, "", Keys);

  Profile P;
  P.Name = R.string(*O, "name", "").value_or(llvm::sys::path::stem(Path).str());
  P.Description = R.string(*O, "description", "").value_or("");
  if (const llvm::json::Object *S = O->getObject("sources"))
    for (const auto &KV : *S)
      if (auto V = KV.second.getAsString())
        P.Sources.emplace_back(KV.first.str(), V->str());
  P.GpuTable = R.string(*O, "gpus", "").value_or("");
  P.Discount = R.number(*O, "discount", "", 1e-6, 10).value_or(1.0);
  for (const std::string &S : R.strings(*O, "comm_sms_in", "")) {
    Phase Ph;
    if (R.phase(S, "comm_sms_in", Ph))
      P.CommSmPhases.push_back(Ph);
  }
  if (const llvm::json::Object *SC = O->getObject("sustained_clock")) {
    static const StringRef SKeys[] = {"calibrated_mhz", "sustained_mhz", "note"};
    R.checkKeys(*SC, "sustained_clock", SKeys);
    auto Cal = R.number(*SC, "calibrated_mhz", "sustained_clock", 1, 1e5);
    auto Sus = R.number(*SC, "sustained_mhz", "sustained_clock", 1, 1e5);
    if (!Cal || !Sus)
      R.error("sustained_clock", "'sustained_clock' needs 'calibrated_mhz' and 'sustained_mhz'");
    else if (*Sus > *Cal)
      R.error("sustained_clock.sustained_mhz",
              "'sustained_mhz' cannot exceed 'calibrated_mhz'");
    else
      P.SustainedClock = *Sus / *Cal;
  } else if (O->get("sustained_clock")) {
    R.error("sustained_clock", "'sustained_clock' must be an object");
  }
  P.LaunchUs = R.number(*O, "launch_us", "", 0, 1e6).value_or(0);
  P.CommOverlap = R.number(*O, "comm_overlap", "", 0, 1).value_or(0);
  if (const llvm::json::Object *U = O->getObject("units")) {
    static const StringRef UKeys[] = {"weight_bytes_per_ms", "kv_bytes_per_ms",
                                      "comm_bytes_per_ms", "note"};
    R.checkKeys(*U, "units", UKeys);
    P.WeightBytesPerMs = R.number(*U, "weight_bytes_per_ms", "units", 1, 1e12).value_or(1e6);
    P.KvBytesPerMs = R.number(*U, "kv_bytes_per_ms", "units", 1, 1e12).value_or(1e6);
    P.CommBytesPerMs = R.number(*U, "comm_bytes_per_ms", "units", 1, 1e12).value_or(1e6);
  }
  if (const llvm::json::Object *Par = O->getObject("params"))
    for (const auto &KV : *Par) {
      // A bad value is reported here and fails the load; the name stays
      // declared so that the rules naming it do not report it again.
      P.Params[KV.first] =
          R.number(*Par, KV.first, "params", Profile::MinParam, Profile::MaxParam)
              .value_or(1);
    }
  R.Declared = &P;
  if (const llvm::json::Array *K = O->getArray("kernels"))
    for (size_t I = 0; I < K->size(); ++I) {
      std::string Path = "kernels[" + std::to_string(I) + "]";
      if (const llvm::json::Object *KO = (*K)[I].getAsObject())
        P.Kernels.push_back(R.kernelRule(*KO, Path));
      else
        R.error(Path, "a kernel rule is an object");
    }
  if (const llvm::json::Array *C = O->getArray("comms"))
    for (size_t I = 0; I < C->size(); ++I) {
      std::string Path = "comms[" + std::to_string(I) + "]";
      if (const llvm::json::Object *CO = (*C)[I].getAsObject())
        P.Comms.push_back(R.commRule(*CO, Path));
      else
        R.error(Path, "a comm rule is an object");
    }
  if (const llvm::json::Object *T = O->getObject("two_batch")) {
    static const StringRef TKeys[] = {"prefill", "decode"};
    R.checkKeys(*T, "two_batch", TKeys);
    if (const llvm::json::Object *X = T->getObject("prefill"))
      R.twoBatch(*X, "two_batch.prefill", P.TwoBatch[0]);
    if (const llvm::json::Object *X = T->getObject("decode"))
      R.twoBatch(*X, "two_batch.decode", P.TwoBatch[1]);
  }
  if (const llvm::json::Object *Mem = O->getObject("memory")) {
    static const StringRef MKeys[] = {"usable_fraction", "reserved_gb", "bytes_per_gb",
                                      "weight_bytes_scale",
                                      "activation_hidden_per_token",
                                      "max_tokens_in_flight", "kv_for", "chunked_kv",
                                      "count_blocks", "attention_weights_divisor_param",
                                      "kv_multiplier_param", "note"};
    R.checkKeys(*Mem, "memory", MKeys);
    MemorySpec &M = P.Memory;
    M.UsableFraction = R.number(*Mem, "usable_fraction", "memory", 0.01, 1).value_or(0.9);
    M.ReservedGB = R.number(*Mem, "reserved_gb", "memory", 0, 1e6).value_or(0);
    M.BytesPerGB = R.number(*Mem, "bytes_per_gb", "memory", 1, 1e12).value_or(1e9);
    M.WeightBytesScale = R.number(*Mem, "weight_bytes_scale", "memory", 0, 100).value_or(1);
    M.ActivationHiddenPerToken =
        R.number(*Mem, "activation_hidden_per_token", "memory", 0, 1e6).value_or(0);
    M.MaxTokensInFlight =
        R.number(*Mem, "max_tokens_in_flight", "memory", 0, 1e12).value_or(0);
    M.CountBlocks = R.blocks(*Mem, "count_blocks", "memory");
    M.AttentionWeightsDivisorParam =
        R.paramName(*Mem, "attention_weights_divisor_param", "memory").value_or("");
    M.KvMultiplierParam = R.paramName(*Mem, "kv_multiplier_param", "memory").value_or("");
    M.KvForFullSequence =
        R.oneOf<bool>(*Mem, "kv_for", "memory", {{"sequence", true}, {"context", false}})
            .value_or(M.KvForFullSequence);
    M.ChunkedKvWholeSequence =
        R.oneOf<bool>(*Mem, "chunked_kv", "memory", {{"sequence", true}, {"chunk", false}})
            .value_or(M.ChunkedKvWholeSequence);
  }
  if (const llvm::json::Object *Srv = O->getObject("serving")) {
    static const StringRef SKeys[] = {"max_batch", "max_tokens_per_step",
                                      "eplb_expert_imbalance", "note"};
    R.checkKeys(*Srv, "serving", SKeys);
    P.Serving.MaxBatch = R.number(*Srv, "max_batch", "serving", 0, 1e9).value_or(0);
    P.Serving.MaxTokensPerStep =
        R.number(*Srv, "max_tokens_per_step", "serving", 0, 1e12).value_or(0);
    P.Serving.EplbExpertImbalance =
        R.number(*Srv, "eplb_expert_imbalance", "serving", 1, MaxExpertImbalance)
            .value_or(1);
  }
  if (const llvm::json::Object *Un = O->getObject("uncertainty")) {
    static const StringRef UKeys[] = {"bands", "default_pct", "outside_factor", "calibrated",
                                      "note"};
    R.checkKeys(*Un, "uncertainty", UKeys);
    UncertaintySpec &U = P.Uncertainty;
    if (const llvm::json::Object *Bands = Un->getObject("bands"))
      for (const auto &KV : *Bands) {
        if (auto D = KV.second.getAsNumber(); D && *D >= 0)
          U.Bands[KV.first.str()] = *D;
        else
          R.error("uncertainty.bands." + KV.first.str(), "a band is a percentage (>= 0)");
      }
    U.DefaultPct = R.number(*Un, "default_pct", "uncertainty", 0, 1000).value_or(0);
    U.OutsideFactor =
        R.number(*Un, "outside_factor", "uncertainty", 1, 100).value_or(U.OutsideFactor);
    if (const llvm::json::Object *C = Un->getObject("calibrated")) {
      static const StringRef CKeys[] = {"gpus",           "dtypes",     "attention_dtypes",
                                        "gemm_k",         "gemm_max_m", "grouped_gemm_n",
                                        "grouped_gemm_k", "head_dims",  "note"};
      R.checkKeys(*C, "uncertainty.calibrated", CKeys);
      U.Gpus = R.strings(*C, "gpus", "uncertainty.calibrated");
      auto DTypes = [&](StringRef Key, std::vector<DType> &Out) {
        for (const std::string &D : R.strings(*C, Key, "uncertainty.calibrated")) {
          if (auto T = parseDType(D))
            Out.push_back(*T);
          else
            R.error(("uncertainty.calibrated." + Key).str(), "unknown dtype '" + D + "'");
        }
      };
      DTypes("dtypes", U.DTypes);
      DTypes("attention_dtypes", U.AttnDTypes);
      auto Range = [&](StringRef Key, int64_t &Min, int64_t &Max) {
        const llvm::json::Array *K = C->getArray(Key);
        if (!K)
          return;
        if (K->size() == 2 && (*K)[0].getAsInteger() && (*K)[1].getAsInteger() &&
            *(*K)[0].getAsInteger() <= *(*K)[1].getAsInteger()) {
          Min = *(*K)[0].getAsInteger();
          Max = *(*K)[1].getAsInteger();
        } else {
          R.error(("uncertainty.calibrated." + Key).str(), "expected [smallest, largest]");
        }
      };
      Range("gemm_k", U.MinK, U.MaxK);
      Range("grouped_gemm_n", U.GroupedMinN, U.GroupedMaxN);
      Range("grouped_gemm_k", U.GroupedMinK, U.GroupedMaxK);
      U.MaxM = R.number(*C, "gemm_max_m", "uncertainty.calibrated", 0, 1e12).value_or(0);
      if (const llvm::json::Array *H = C->getArray("head_dims"))
        for (const llvm::json::Value &V : *H) {
          if (auto I = V.getAsInteger())
            U.HeadDims.push_back(*I);
          else
            R.error("uncertainty.calibrated.head_dims", "expected integers");
        }
    }
  }
  if (R.Failed)
    return std::nullopt;
  return P;
}

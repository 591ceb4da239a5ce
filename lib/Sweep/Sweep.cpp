//===- Sweep.cpp - Evaluating the points of a sweep -----------------------===//

#include "ssc/Sweep/Sweep.h"

#include "ssc/Analysis/ModelSummary.h"
#include "ssc/Cost/CostModel.h"
#include "ssc/Cost/StepEvaluator.h"
#include "ssc/Passes/Pass.h"
#include "ssc/Report/Serving.h"
#include "ssc/Report/Uncertainty.h"
#include "ssc/Spec/PlanDefaults.h"
#include "ssc/Support/Format.h"
#include "ssc/Sweep/ModelVariant.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <limits>

using namespace llvm;
using namespace ssc;
using namespace ssc::sweep;

StringRef ssc::sweep::statusName(Status S) {
  switch (S) {
  case Status::Ok: return "ok";
  case Status::InvalidModel: return "invalid-model";
  case Status::InvalidPlan: return "invalid-plan";
  case Status::InvalidWorkload: return "invalid-workload";
  case Status::DoesNotFit: return "does-not-fit";
  case Status::Sla: return "sla";
  }
  return "?";
}

std::string ssc::sweep::firstError(StringRef Captured) {
  SmallVector<StringRef, 8> Lines;
  Captured.split(Lines, '\n');
  for (StringRef L : Lines) {
    size_t At = L.find("error: ");
    if (At != StringRef::npos)
      return L.drop_front(At + 7).str();
  }
  return Captured.trim().str();
}

namespace {

/// A DiagnosticEngine whose output is kept instead of printed: a point's
/// problem becomes its reason.
struct Capture {
  SourceMgr SM;
  std::string Text;
  raw_string_ostream OS{Text};
  DiagnosticEngine Diags{SM, OS};
  Capture() { Diags.setSuppressWarnings(true); }
  std::string error() {
    OS.flush();
    return firstError(Text);
  }
};

/// Adds the seconds of its scope to a counter.
struct Timer {
  double &Total;
  std::chrono::steady_clock::time_point Start = std::chrono::steady_clock::now();
  explicit Timer(double &Total) : Total(Total) {}
  ~Timer() {
    Total += std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
  }
};

/// Enumeration positions: the model and config axes, the profile
/// parameters, then the workload axes.
size_t axisPos(Axis A, size_t NumParams) {
  unsigned I = static_cast<unsigned>(A);
  return I < FirstWorkloadAxis ? I : I + NumParams;
}

size_t radix(const Grid &G, size_t Pos) {
  size_t NP = G.Params.size();
  if (Pos < FirstWorkloadAxis)
    return G.Axes[Pos].size();
  if (Pos < FirstWorkloadAxis + NP)
    return G.Params[Pos - FirstWorkloadAxis].Values.size();
  return G.Axes[Pos - NP].size();
}

const LayerSpec *firstMoe(const ModelSpec &M) {
  for (unsigned K : M.Layers)
    if (M.LayerKinds[K].isMoe())
      return &M.LayerKinds[K];
  return nullptr;
}

const LayerSpec *firstNonMla(const ModelSpec &M) {
  for (unsigned K : M.Layers)
    if (!M.LayerKinds[K].Attn.isMLA())
      return &M.LayerKinds[K];
  return nullptr;
}

} // namespace

/// A phase's band into \p X: its percent and regime, its reasons added to
/// the point's (each once).
static void setBand(Metrics &X, const report::Band &B, double &Pct, std::string &Regime) {
  Pct = B.Pct;
  Regime = B.Regime;
  for (const std::string &R : B.Outside)
    if (!llvm::is_contained(X.Outside, R))
      X.Outside.push_back(R);
}

struct PointEvaluator::ModelState {
  unsigned Grid = 0;
  std::vector<uint32_t> Key;
  ModelSpec M;
  std::string Error;
};

struct PointEvaluator::ConfigState {
  unsigned Grid = 0;
  std::vector<uint32_t> Key;
  Status S = Status::Ok;
  std::string Reason;
  Target T;
  PlanSpec Plan;
  ir::Precision Prec;
  std::optional<ir::Module> Prefill, Decode;
  // What the rows show.
  int64_t Gpus = 0, TP = 0, PP = 0, DP = 0, EP = 0, SP = 0, ETP = 0, Micro = 0,
          Redundant = 0;
  double Imbalance = 1;
  OverlapMode Overlap = OverlapMode::None;
  std::string Keys; // Plan.keys(), for the command column
};

struct PointEvaluator::CostState {
  unsigned Grid = 0;
  std::vector<uint32_t> Key;
  std::unique_ptr<cost::Profile> OwnProfile; // with this point's parameters
  const cost::Profile *Prof = nullptr;
  std::unique_ptr<cost::CostModel> PrefillCM, DecodeCM;
  std::unique_ptr<cost::StepEvaluator> PrefillEval, DecodeEval;
  std::unique_ptr<report::CalibrationCheck> PrefillCheck, DecodeCheck;
};

PointEvaluator::PointEvaluator(const SweepContext &Ctx) : Ctx(Ctx) { seek(0); }
PointEvaluator::~PointEvaluator() {
  Cost.reset(); // refers to Config's modules
}

void PointEvaluator::seek(uint64_t I) {
  Index = I;
  GridIdx = 0;
  const std::vector<Grid> &Grids = Ctx.Spec->Grids;
  while (GridIdx + 1 < Grids.size() && I >= *Grids[GridIdx].numPoints()) {
    I -= *Grids[GridIdx].numPoints();
    ++GridIdx;
  }
  const Grid &G = grid();
  size_t N = NumAxes + G.Params.size();
  Digits.assign(N, 0);
  for (size_t Pos = N; Pos-- > 0;) {
    size_t R = radix(G, Pos);
    Digits[Pos] = static_cast<uint32_t>(I % R);
    I /= R;
  }
}

void PointEvaluator::next() {
  ++Index;
  const Grid &G = grid();
  for (size_t Pos = Digits.size(); Pos-- > 0;) {
    if (++Digits[Pos] < radix(G, Pos))
      return;
    Digits[Pos] = 0;
  }
  // Past the last point of this grid: the first of the next.
  if (GridIdx + 1 < Ctx.Spec->Grids.size()) {
    ++GridIdx;
    Digits.assign(NumAxes + grid().Params.size(), 0);
  }
}

int64_t PointEvaluator::intValue(Axis A, int64_t Default) const {
  const AxisValues &V = grid()[A];
  if (!V.Given)
    return Default;
  return V.Ints[Digits[axisPos(A, grid().Params.size())]];
}

double PointEvaluator::numberValue(Axis A, double Default) const {
  const AxisValues &V = grid()[A];
  if (!V.Given)
    return Default;
  return V.Numbers[Digits[axisPos(A, grid().Params.size())]];
}

bool PointEvaluator::sameDigits(const std::vector<uint32_t> &Key, size_t N) const {
  return Key.size() == N && std::equal(Key.begin(), Key.end(), Digits.begin());
}

void PointEvaluator::ensureModel() {
  constexpr size_t N = FirstConfigAxis;
  if (Model && Model->Grid == GridIdx && sameDigits(Model->Key, N))
    return;
  Cost.reset();
  Config.reset();
  if (!Model)
    Model = std::make_unique<ModelState>();
  Model->Grid = GridIdx;
  Model->Key.assign(Digits.begin(), Digits.begin() + N);
  Model->M = *Ctx.Model;
  Hyperparameters H;
  H.Layers = intValue(Axis::Layers, 0);
  H.Experts = intValue(Axis::Experts, 0);
  H.TopK = intValue(Axis::TopK, 0);
  H.KvHeads = intValue(Axis::KvHeads, 0);
  Model->Error = applyHyperparameters(Model->M, H);
}

void PointEvaluator::ensureConfig() {
  constexpr size_t N = FirstWorkloadAxis;
  if (Config && Config->Grid == GridIdx && sameDigits(Config->Key, N))
    return;
  Cost.reset();
  Timer Time(LowerSeconds);
  if (!Config)
    Config = std::make_unique<ConfigState>();
  ConfigState &C = *Config;
  C = ConfigState();
  C.Grid = GridIdx;
  C.Key.assign(Digits.begin(), Digits.begin() + N);
  const ModelSpec &M = Model->M;
  const Grid &G = grid();
  auto Invalid = [&](const std::string &Why) {
    C.S = Status::InvalidPlan;
    C.Reason = Why;
  };

  const GpuSpec *Gpu = Ctx.Gpus[GridIdx][Digits[axisPos(Axis::Gpu, 0)]];
  C.T.Gpu = Gpu;
  bool PlanAxes = false;
  for (Axis A : {Axis::TP, Axis::PP, Axis::DP, Axis::EP, Axis::SP, Axis::ETP,
                 Axis::MicroBatches, Axis::Overlap, Axis::RedundantExperts})
    PlanAxes |= G.given(A);
  // (expert-imbalance alone keeps ssc's default plan: it changes no degree.)

  // Precision: the model's, with the dtype axes on top (as ssc's flags).
  C.Prec.Weights = M.WeightType;
  C.Prec.ExpertWeights = M.ExpertWeightType;
  if (G.given(Axis::WeightDType))
    C.Prec.Weights = C.Prec.ExpertWeights =
        static_cast<DType>(intValue(Axis::WeightDType, 0));
  C.Prec.KvCache = static_cast<DType>(intValue(Axis::KvDType, int64_t(DType::BF16)));
  C.Prec.Dispatch = static_cast<DType>(intValue(Axis::DispatchDType, int64_t(DType::BF16)));
  C.Prec.Combine = static_cast<DType>(intValue(Axis::CombineDType, int64_t(DType::BF16)));
  C.Prec.Attention = static_cast<DType>(intValue(Axis::AttnDType, int64_t(DType::BF16)));

  // The plan: the base plan, ssc's default plan for the target, or the
  // language's defaults, with the axes' values on top.
  if (Ctx.BasePlan) {
    C.Plan = *Ctx.BasePlan;
  } else if (!PlanAxes) {
    C.T.Count = intValue(Axis::Gpus, 1);
    C.Plan = defaultPlan(M, C.T,
                         weightFootprint(M, C.Prec.Weights, C.Prec.ExpertWeights));
  } else {
    C.Plan = PlanSpec();
    C.Plan.Name = "sweep";
  }
  int64_t Count = intValue(Axis::Gpus, 0);
  const LayerSpec *Moe = firstMoe(M);
  for (PhasePlan *Ph : {&C.Plan.Prefill, &C.Plan.Decode}) {
    if (G.given(Axis::TP)) {
      Ph->TP = intValue(Axis::TP, 1);
      Ph->TPLoc = SMLoc();
    }
    if (G.given(Axis::PP)) {
      Ph->PP = intValue(Axis::PP, 1);
      Ph->PPLoc = SMLoc();
      Ph->Stages.clear();
    }
    if (G.given(Axis::SP)) {
      Ph->SP = intValue(Axis::SP, 1);
      Ph->SPLoc = SMLoc();
    }
    if (G.given(Axis::ETP)) {
      Ph->ETP = intValue(Axis::ETP, 1);
      Ph->ETPLoc = SMLoc();
    }
    if (G.given(Axis::MicroBatches)) {
      Ph->MicroBatches = intValue(Axis::MicroBatches, 1);
      Ph->MicroBatchesLoc = SMLoc();
    }
    if (G.given(Axis::Overlap))
      Ph->Overlap = static_cast<OverlapMode>(intValue(Axis::Overlap, 0));
    if (G.given(Axis::DP)) {
      Ph->DP = intValue(Axis::DP, 1);
      Ph->DPLoc = SMLoc();
    } else if (Count && (PlanAxes || Ctx.BasePlan)) {
      int64_t Group = Ph->TP * Ph->SP * Ph->PP;
      if (Count % Group != 0) {
        Invalid("tp*sp*pp = " + std::to_string(Group) + " does not divide the " +
                std::to_string(Count) + " GPUs");
        Ph->DP = 0;
      } else {
        Ph->DP = Count / Group;
      }
      Ph->DPLoc = SMLoc();
    }
    if (G.given(Axis::EP)) {
      int64_t EP = intValue(Axis::EP, 1);
      Ph->EP = EP == EpAll ? Ph->TP * Ph->SP * Ph->DP : EP;
      Ph->EPLoc = SMLoc();
    }
    if (G.given(Axis::RedundantExperts)) {
      int64_t R = intValue(Axis::RedundantExperts, 0);
      if (R == RedundantFill)
        R = Moe && Ph->EP > 0 ? (Moe->Moe->Experts + Ph->EP - 1) / Ph->EP * Ph->EP -
                                    Moe->Moe->Experts
                              : 0;
      Ph->RedundantExperts = R;
      Ph->RedundantExpertsLoc = SMLoc();
    }
    if (G.given(Axis::ExpertImbalance)) {
      Ph->ExpertImbalance = numberValue(Axis::ExpertImbalance, 1);
      Ph->ExpertImbalanceLoc = SMLoc();
    }
  }
  const PhasePlan &Shown = Ctx.hasDecode() ? C.Plan.Decode : C.Plan.Prefill;
  C.Gpus = Count ? Count : Shown.world();
  C.TP = Shown.TP;
  C.PP = Shown.PP;
  C.DP = Shown.DP;
  C.EP = Shown.EP;
  C.SP = Shown.SP;
  C.ETP = Shown.effectiveETP();
  C.Micro = Shown.MicroBatches;
  C.Redundant = Shown.RedundantExperts;
  C.Imbalance = Shown.ExpertImbalance;
  C.Overlap = Shown.Overlap;
  // A plan whose dp could not be derived has no key form (dp=0 is not a
  // plan).
  if (Ctx.Commands && C.Plan.Prefill.DP > 0 && C.Plan.Decode.DP > 0)
    C.Keys = C.Plan.keys();
  if (C.S != Status::Ok)
    return;
  C.T.Count = C.Gpus;

  Capture Cap;
  if (!checkPlan(M, C.Plan, &C.T, Cap.Diags)) {
    Invalid(Cap.error());
    return;
  }
  // The workload in the modules is only their default: their sizes are
  // symbolic, and each point passes its own.
  auto Lower = [&](Phase Ph, std::optional<ir::Module> &Out) {
    ir::Workload W = Ph == Phase::Prefill ? ir::Workload{Phase::Prefill, 1, 1024, 0}
                                          : ir::Workload{Phase::Decode, 1, 1, 1024};
    ir::Module Mod = ir::buildModule(M, C.T, C.Plan, W, C.Prec, Ctx.Passes);
    PassManager PM;
    PassManager::parsePipeline("", PM, Cap.Diags);
    if (!PM.run(Mod, Cap.Diags)) {
      Invalid(Cap.error());
      return false;
    }
    ++ModulesLowered;
    Out = std::move(Mod);
    return true;
  };
  if (Ctx.hasPrefill() && !Lower(Phase::Prefill, C.Prefill))
    return;
  if (Ctx.hasDecode())
    Lower(Phase::Decode, C.Decode);
}

void PointEvaluator::ensureCost() {
  const Grid &G = grid();
  size_t N = FirstWorkloadAxis + G.Params.size();
  if (Cost && Cost->Grid == GridIdx && sameDigits(Cost->Key, N))
    return;
  Timer Time(LowerSeconds);
  if (!Cost)
    Cost = std::make_unique<CostState>();
  CostState &CS = *Cost;
  CS.PrefillEval.reset();
  CS.DecodeEval.reset();
  CS.PrefillCheck.reset();
  CS.DecodeCheck.reset();
  CS.PrefillCM.reset();
  CS.DecodeCM.reset();
  CS.Grid = GridIdx;
  CS.Key.assign(Digits.begin(), Digits.begin() + static_cast<ptrdiff_t>(N));
  CS.Prof = Ctx.Profile;
  if (!G.Params.empty()) {
    CS.OwnProfile = std::make_unique<cost::Profile>(*Ctx.Profile);
    for (size_t I = 0; I < G.Params.size(); ++I)
      CS.OwnProfile->Params[G.Params[I].Name] =
          G.Params[I].Values[Digits[FirstWorkloadAxis + I]];
    CS.Prof = CS.OwnProfile.get();
  }
  const GpuSpec &Gpu = *Config->T.Gpu;
  if (Config->Prefill) {
    CS.PrefillCM = std::make_unique<cost::CostModel>(*CS.Prof, Gpu);
    CS.PrefillCM->prepare(*Config->Prefill);
    CS.PrefillEval = std::make_unique<cost::StepEvaluator>(*CS.PrefillCM, *Config->Prefill);
    CS.PrefillCheck = std::make_unique<report::CalibrationCheck>(*CS.Prof, *Config->Prefill, Gpu);
  }
  if (Config->Decode) {
    CS.DecodeCM = std::make_unique<cost::CostModel>(*CS.Prof, Gpu);
    CS.DecodeCM->prepare(*Config->Decode);
    CS.DecodeEval = std::make_unique<cost::StepEvaluator>(*CS.DecodeCM, *Config->Decode);
    CS.DecodeCheck = std::make_unique<report::CalibrationCheck>(*CS.Prof, *Config->Decode, Gpu);
  }
}

void PointEvaluator::evaluate(PointResult &Out, bool Detailed) {
  const Grid &G = grid();
  Out.Index = Index;
  Out.Grid = GridIdx;
  Out.S = Status::Ok;
  Out.Reason.clear();
  Out.HasMetrics = false;
  Out.M = Metrics();
  Out.PlanKeys.clear();

  // The workload.
  Out.Batch = intValue(Axis::Batch, 1);
  Out.MaxBatch = intValue(Axis::MaxBatch, 0);
  Out.Requests = intValue(Axis::Requests, 0);
  Out.Isl = intValue(Axis::Isl, 1024);
  Out.Osl = intValue(Axis::Osl, 256);
  Out.Prefix = intValue(Axis::Prefix, 0);
  Out.KvLen = G.given(Axis::KvLen)
                  ? G[Axis::KvLen].KvLens[Digits[axisPos(Axis::KvLen, G.Params.size())]]
                        .resolve(Out.Isl, Out.Osl)
                  : Out.Isl + Out.Osl / 2;
  Out.Params.assign(Ctx.ParamNames.size(), std::numeric_limits<double>::quiet_NaN());
  for (size_t I = 0; I < Ctx.ParamNames.size(); ++I) {
    bool Swept = false;
    for (size_t J = 0; J < G.Params.size(); ++J)
      if (G.Params[J].Name == Ctx.ParamNames[I]) {
        Out.Params[I] = G.Params[J].Values[Digits[FirstWorkloadAxis + J]];
        Swept = true;
      }
    if (!Swept)
      Out.Params[I] = Ctx.Profile->param(Ctx.ParamNames[I],
                                         std::numeric_limits<double>::quiet_NaN());
  }

  // The model.
  ensureModel();
  const ModelSpec &M = Model->M;
  Out.Layers = static_cast<int64_t>(M.numLayers());
  const LayerSpec *Moe = firstMoe(M);
  Out.Experts = Moe ? Moe->Moe->Experts : 0;
  Out.TopK = Moe ? Moe->Moe->TopK : 0;
  const LayerSpec *Gqa = firstNonMla(M);
  Out.KvHeads = Gqa ? Gqa->Attn.KvHeads : 0;
  // An invalid variant shows the values asked for, not what was applied.
  Out.Layers = intValue(Axis::Layers, Out.Layers);
  Out.Experts = intValue(Axis::Experts, Out.Experts);
  Out.TopK = intValue(Axis::TopK, Out.TopK);
  Out.KvHeads = intValue(Axis::KvHeads, Out.KvHeads);
  Out.LongerThanContext = std::max(Out.KvLen, Out.Isl) > M.MaxContext;
  Out.Gpu = Ctx.Gpus[GridIdx][Digits[axisPos(Axis::Gpu, 0)]];
  if (!Model->Error.empty()) {
    Out.S = Status::InvalidModel;
    Out.Reason = Model->Error;
    Out.Gpus = Out.TP = Out.PP = Out.DP = Out.EP = Out.SP = Out.ETP = 0;
    return;
  }

  // The target and plan.
  ensureConfig();
  const ConfigState &C = *Config;
  Out.Gpus = C.Gpus;
  Out.TP = C.TP;
  Out.PP = C.PP;
  Out.DP = C.DP;
  Out.EP = C.EP;
  Out.SP = C.SP;
  Out.ETP = C.ETP;
  Out.MicroBatches = C.Micro;
  Out.RedundantExperts = C.Redundant;
  Out.ExpertImbalance = C.Imbalance;
  Out.Overlap = C.Overlap;
  Out.WeightType = C.Prec.Weights;
  Out.KvType = C.Prec.KvCache;
  Out.DispatchType = C.Prec.Dispatch;
  Out.CombineType = C.Prec.Combine;
  Out.AttnType = C.Prec.Attention;
  Out.PlanKeys = C.Keys;
  if (C.S != Status::Ok) {
    Out.S = C.S;
    Out.Reason = C.Reason;
    return;
  }

  // The same checks as ssc's workload flags.
  if (Out.Prefix >= Out.Isl) {
    Out.S = Status::InvalidWorkload;
    Out.Reason = "prefix=" + std::to_string(Out.Prefix) + " is not less than isl=" +
                 std::to_string(Out.Isl);
    return;
  }
  if (Out.KvLen < 0) {
    Out.S = Status::InvalidWorkload;
    Out.Reason = "kv-len is negative (" + std::to_string(Out.KvLen) + ") for isl=" +
                 std::to_string(Out.Isl);
    return;
  }

  // Memory first: a point that does not fit needs no timing.
  ensureCost();
  const CostState &CS = *Cost;
  const cost::Profile &P = *CS.Prof;
  Metrics &X = Out.M;
  if (Ctx.Offline) {
    evaluateOffline(Out);
    return;
  }
  double Batch = static_cast<double>(Out.Batch);
  double KvTokens = static_cast<double>(Out.Isl + Out.Osl);
  cost::MemoryUse Mem, PrefillMem;
  bool PrefillFits = true, DecodeFits = true;
  if (C.Prefill) {
    PrefillMem = CS.PrefillCM->memory(
        *C.Prefill, Batch,
        P.Memory.KvForFullSequence ? KvTokens : static_cast<double>(Out.Isl),
        Out.Isl - Out.Prefix);
    PrefillFits = PrefillMem.fits(Batch);
    Mem = PrefillMem;
  }
  if (C.Decode) {
    Mem = CS.DecodeCM->memory(*C.Decode, Batch,
                              P.Memory.KvForFullSequence
                                  ? KvTokens
                                  : static_cast<double>(Out.KvLen + 1));
    DecodeFits = Mem.fits(Batch);
  }
  X.Fits = PrefillFits && DecodeFits;
  X.MaxBatch = Mem.MaxBatch;
  X.UsedBytes = Mem.usedBytes(Batch);
  if (!X.Fits) {
    Out.S = Status::DoesNotFit;
    if (!Detailed)
      return;
    const cost::MemoryUse &Bad = PrefillFits ? Mem : PrefillMem;
    Out.Reason = formatv("the batch does not fit in memory ({0}): it needs {1:f1} GB of "
                         "{2:f1} GB usable per GPU; {3}",
                         !PrefillFits && !DecodeFits ? "prefill and decode"
                         : !PrefillFits             ? "prefill"
                                                    : "decode",
                         Bad.usedBytes(Batch) / 1e9, Bad.UsableBytes / 1e9,
                         describeSequencesThatFit(Bad.MaxBatch))
                     .str();
  }

  // Time, and the report's metrics from it (report::buildReport).
  Out.HasMetrics = true;
  if (C.Prefill) {
    ir::Workload W{Phase::Prefill, Out.Batch, Out.Isl - Out.Prefix, Out.Prefix};
    cost::StepCost S = CS.PrefillEval->evaluate(W);
    setBand(X, CS.PrefillCheck->band(report::regimeOf(Phase::Prefill, S.Dominant, false), W),
            X.PrefillBandPct, X.PrefillRegime);
    const PhasePlan &Pl = C.Prefill->Plan;
    int64_t PerReplica = Pl.TP * Pl.SP * Pl.PP;
    X.TtftMs = S.StepMs;
    if (X.TtftMs > 0)
      X.PrefillTokensPerSecPerGpu = static_cast<double>(Out.Batch) *
                                    static_cast<double>(Out.Isl - Out.Prefix) /
                                    (X.TtftMs / 1000.0) / static_cast<double>(PerReplica);
  }
  if (C.Decode) {
    ir::Workload W{Phase::Decode, Out.Batch, 1, Out.KvLen};
    cost::StepCost S = CS.DecodeEval->evaluate(W);
    setBand(X, CS.DecodeCheck->band(report::regimeOf(Phase::Decode, S.Dominant, false), W),
            X.DecodeBandPct, X.DecodeRegime);
    const PhasePlan &Pl = C.Decode->Plan;
    int64_t PerReplica = Pl.TP * Pl.SP * Pl.PP;
    X.TpotMs = S.StepMs;
    X.TpotIfHiddenMs = S.StepIfHiddenMs;
    if (X.TpotMs > 0) {
      X.TokensPerSecPerUser = 1000.0 / X.TpotMs;
      X.DecodeTokensPerSecPerGpu = static_cast<double>(Out.Batch) * 1000.0 / X.TpotMs /
                                   static_cast<double>(PerReplica);
    }
  }
}

void PointEvaluator::evaluateOffline(PointResult &Out) {
  // As `ssc FILE --mode=offline` (driver::emitReport), on the modules and
  // cost models this configuration already prepared.
  const ConfigState &C = *Config;
  const CostState &CS = *Cost;
  report::OfflineOptions OO;
  OO.Isl = Out.Isl;
  OO.Osl = Out.Osl;
  OO.MaxBatch = static_cast<double>(Out.MaxBatch);
  OO.Requests = Out.Requests;
  report::OfflineResult F =
      report::evaluateOffline(*C.Prefill, *C.Decode, *CS.PrefillCM, *CS.DecodeCM, OO);
  Metrics &X = Out.M;
  X.Fits = F.Fits;
  X.MaxBatch = F.Memory.MaxBatch;
  X.UsedBytes = F.Memory.usedBytes(F.Fits ? F.Batch : 1);
  if (!F.Fits) {
    Out.S = Status::DoesNotFit;
    Out.Reason = report::describeNoFit(F, Out.Isl + Out.Osl);
    return;
  }
  Out.HasMetrics = true;
  X.Batch = F.Batch;
  X.BatchLimit = F.BatchLimit;
  X.TpotMs = F.StepMs;
  X.TokensPerSecPerUser = F.OutputTokensPerSecPerUser;
  X.OutputTokensPerSec = F.OutputTokensPerSec;
  X.OutputTokensPerSecPerGpu = F.OutputTokensPerSecPerGpu;
  X.DecodeTokensPerSecPerGpu = F.OutputTokensPerSecPerGpu;
  setBand(X, F.Uncertainty, X.DecodeBandPct, X.DecodeRegime);
  if (F.Run) {
    X.RunSeconds = F.Run->Seconds;
    X.RunOutputTokensPerSecPerGpu = F.Run->OutputTokensPerSecPerGpu;
    X.DecodeTokensPerSecPerGpu = F.Run->OutputTokensPerSecPerGpu;
  }
}

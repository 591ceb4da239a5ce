//===- Sweep.h - Evaluating the points of a sweep ---------------*- C++ -*-===//
//
// A PointEvaluator walks the points of a sweep in order and keeps what the
// previous point built: the model variant while the model axes stay, the
// lowered modules while the target, plan and dtypes stay, the prepared cost
// models while the profile parameters stay. A point that changes only the
// workload costs one StepEvaluator call per phase and one memory check.
//
// The metrics are those of `ssc FILE --emit=report` (report::buildReport)
// for the same model, target, plan and workload, computed the same way.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SWEEP_SWEEP_H
#define SSC_SWEEP_SWEEP_H

#include "ssc/Cost/Profile.h"
#include "ssc/IR/IR.h"
#include "ssc/Sema/Sema.h"
#include "ssc/Sweep/SweepSpec.h"

#include "llvm/ADT/SmallVector.h"

#include <memory>

namespace ssc::sweep {

/// Everything the sweep's threads share; read-only while it runs.
struct SweepContext {
  const Program *P = nullptr;
  const ModelSpec *Model = nullptr;
  const cost::Profile *Profile = nullptr;
  const SweepSpec *Spec = nullptr;
  std::optional<PlanSpec> BasePlan;
  PhaseChoice Phases = PhaseChoice::Both;
  /// --mode=offline: each point is the offline steady state at its isl,
  /// osl and max-batch (report::evaluateOffline), with a finite run at
  /// each point's requests; the batch, prefix and KV-length axes do not
  /// apply.
  bool Offline = false;
  ir::PassOptions Passes;
  /// Per grid, the GPU of each name of its gpu axis (resolved up front).
  std::vector<std::vector<const GpuSpec *>> Gpus;
  /// The profile parameters that appear in any grid, in column order.
  std::vector<std::string> ParamNames;
  /// The `command` column (--command): each point's `ssc` command line for
  /// its report. CommandModel is the model file as the sweep was given it;
  /// CommandArgs the options every point's command carries (--model, the
  /// profile, catalog, imports, pass options), in shell words.
  bool Commands = false;
  std::string CommandModel;
  std::vector<std::string> CommandArgs;

  bool hasPrefill() const { return Phases != PhaseChoice::Decode; }
  bool hasDecode() const { return Phases != PhaseChoice::Prefill; }
};

/// What became of a point.
enum class Status : uint8_t {
  Ok,
  InvalidModel,    // the hyperparameters break the model
  InvalidPlan,     // the plan does not fit the model or the target
  InvalidWorkload, // e.g. a prefix not shorter than the prompt
  DoesNotFit,      // the batch does not fit in memory
  Sla,             // costed, but outside the --sla
};
constexpr unsigned NumStatuses = 6;
llvm::StringRef statusName(Status S);

/// The report's summary numbers for one point.
struct Metrics {
  double TtftMs = 0;
  double PrefillTokensPerSecPerGpu = 0;
  double TpotMs = 0;
  double TpotIfHiddenMs = 0;
  double TokensPerSecPerUser = 0;
  double DecodeTokensPerSecPerGpu = 0;
  double MaxBatch = 0;  // of decode when there is a decode phase
  double UsedBytes = 0; // per GPU, the same phase's
  bool Fits = true;     // both phases

  // --mode=offline. TpotMs is then the mean step (the time between a
  // user's tokens), TokensPerSecPerUser its inverse, and
  // DecodeTokensPerSecPerGpu the output rate per GPU that --best and
  // --pareto rank: the finite run's with --requests, else the steady
  // state's.
  double Batch = 0; // sequences in flight per replica
  std::string BatchLimit;
  double OutputTokensPerSec = 0, OutputTokensPerSecPerGpu = 0; // steady state
  double RunSeconds = 0, RunOutputTokensPerSecPerGpu = 0;      // with --requests

  // The uncertainty band of each phase's prediction (the report's
  // *_uncertainty): +-percent and the regime (the offline mode's in
  // Decode*), and why the point lies outside what the calibration covers
  // (both phases', each reason once).
  double PrefillBandPct = 0, DecodeBandPct = 0;
  std::string PrefillRegime, DecodeRegime;
  std::vector<std::string> Outside;
};

/// One point: where it lies and what it costs.
struct PointResult {
  uint64_t Index = 0;
  unsigned Grid = 0;
  // The target and plan (0: could not be derived).
  const GpuSpec *Gpu = nullptr;
  int64_t Gpus = 0, TP = 0, PP = 0, DP = 0, EP = 0, SP = 0, ETP = 0;
  int64_t MicroBatches = 0, RedundantExperts = 0;
  double ExpertImbalance = 1;
  OverlapMode Overlap = OverlapMode::None;
  DType WeightType = DType::BF16, KvType = DType::BF16, DispatchType = DType::BF16,
        CombineType = DType::BF16, AttnType = DType::BF16;
  // The model as swept (0: not applicable).
  int64_t Layers = 0, Experts = 0, TopK = 0, KvHeads = 0;
  llvm::SmallVector<double, 4> Params; // per SweepContext::ParamNames; NaN: unset
  // The workload.
  int64_t Batch = 0, Isl = 0, Osl = 0, KvLen = 0, Prefix = 0;
  int64_t MaxBatch = 0; // --mode=offline's cap (0: the profile's)
  int64_t Requests = 0; // --mode=offline's finite run (0: none)
  bool LongerThanContext = false;

  Status S = Status::Ok;
  /// The plan in key form (PlanSpec::keys), when Commands and the point
  /// has a plan an `ssc` command can state: not for points whose degrees do
  /// not divide the GPUs or that change the model's hyperparameters.
  std::string PlanKeys;

  std::string Reason;      // why the point is not Ok
  bool HasMetrics = false; // costed (Ok, DoesNotFit and Sla points)
  Metrics M;
};

/// Evaluates points in order for one thread.
class PointEvaluator {
public:
  explicit PointEvaluator(const SweepContext &Ctx);
  ~PointEvaluator();
  PointEvaluator(const PointEvaluator &) = delete;

  /// Moves to the point of global index \p Index (over all grids).
  void seek(uint64_t Index);
  /// Moves to the next point.
  void next();

  /// Evaluates the current point. Points that do not fit in memory are
  /// timed and given a reason only when \p Detailed.
  void evaluate(PointResult &Out, bool Detailed);

  uint64_t index() const { return Index; }
  /// Modules lowered so far, and the seconds spent lowering them and
  /// preparing their cost models.
  uint64_t modulesLowered() const { return ModulesLowered; }
  double lowerSeconds() const { return LowerSeconds; }

private:
  struct ModelState;
  struct ConfigState;
  struct CostState;

  const SweepContext &Ctx;
  uint64_t Index = 0;
  unsigned GridIdx = 0;
  std::vector<uint32_t> Digits; // per axis, then per parameter
  std::unique_ptr<ModelState> Model;
  std::unique_ptr<ConfigState> Config;
  std::unique_ptr<CostState> Cost;
  uint64_t ModulesLowered = 0;
  double LowerSeconds = 0;

  const Grid &grid() const { return Ctx.Spec->Grids[GridIdx]; }
  int64_t intValue(Axis A, int64_t Default) const;
  double numberValue(Axis A, double Default) const;
  bool sameDigits(const std::vector<uint32_t> &Key, size_t N) const;
  void ensureModel();
  void ensureConfig();
  void ensureCost();
  void evaluateOffline(PointResult &Out);
};

/// The first error of a diagnostic stream captured by a sweep (the
/// messages without "ssc: error: ").
std::string firstError(llvm::StringRef Captured);

} // namespace ssc::sweep

#endif // SSC_SWEEP_SWEEP_H

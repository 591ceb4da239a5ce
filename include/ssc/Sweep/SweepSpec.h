//===- SweepSpec.h - What a design-space sweep covers -----------*- C++ -*-===//
//
// A sweep is one or more grids; a grid is the cartesian product of its
// axes' value lists (docs/sweep.md). Axes come in three levels, by what a
// change of value costs:
//
//   model     layers, experts, top-k, kv-heads        re-lower the model
//   config    gpu, gpus, the plan's degrees, dtypes   re-lower the plan
//   param     profile parameters (--param)            re-prepare the cost model
//   workload  isl, osl, kv-len, prefix, batch,        re-evaluate only
//             max-batch (the offline mode's cap)
//
// Points are enumerated with the first axis outermost, in the order of the
// Axis enum, then the profile parameters, then the workload; so consecutive
// points share everything but the innermost values, and each compiled
// module serves every workload of its configuration.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SWEEP_SWEEPSPEC_H
#define SSC_SWEEP_SWEEPSPEC_H

#include "ssc/Spec/Plan.h"
#include "ssc/Support/Diagnostics.h"
#include "ssc/Sweep/Values.h"

#include "llvm/Support/SMLoc.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace ssc::sweep {

enum class Axis : uint8_t {
  // The model.
  Layers,
  Experts,
  TopK,
  KvHeads,
  // The target, plan and precision.
  Gpu,
  Gpus,
  TP,
  PP,
  DP,
  EP,
  SP,
  ETP,
  MicroBatches,
  Overlap,
  RedundantExperts,
  ExpertImbalance,
  WeightDType,
  KvDType,
  DispatchDType,
  CombineDType,
  AttnDType,
  // The workload.
  Isl,
  Osl,
  KvLen,
  Prefix,
  Batch,
  MaxBatch, // --mode=offline: the scheduler's cap (as ssc's --max-batch)
  Requests, // --mode=offline: a finite run of this many requests (--requests)
};
constexpr unsigned NumAxes = 28;
constexpr unsigned FirstConfigAxis = static_cast<unsigned>(Axis::Gpu);
constexpr unsigned FirstWorkloadAxis = static_cast<unsigned>(Axis::Isl);

/// The axis's command-line flag without dashes ("top-k").
llvm::StringRef axisFlag(Axis A);
/// The axis's key in a sweep file and its CSV column ("top_k").
llvm::StringRef axisKey(Axis A);
std::optional<Axis> axisFromKey(llvm::StringRef Key);
std::optional<Axis> axisFromFlag(llvm::StringRef Flag);

/// Special values of integer axes.
constexpr int64_t EpAll = 0;             // ep=all: every GPU of a stage
constexpr int64_t RedundantFill = -1;    // redundant-experts=fill

/// The values of one axis. Integer axes, dtypes and overlap modes keep
/// integers (enum values for the last two); expert-imbalance keeps numbers;
/// gpu keeps names; kv-len its own.
struct AxisValues {
  bool Given = false;
  llvm::SMLoc Loc;
  std::vector<int64_t> Ints;
  std::vector<double> Numbers;
  std::vector<std::string> Names;
  std::vector<llvm::SMLoc> NameLocs;
  std::vector<KvLenValue> KvLens;
  size_t size() const {
    return Given ? Ints.size() + Numbers.size() + Names.size() + KvLens.size() : 1;
  }
};

/// A profile parameter swept (or fixed) by --param NAME=VALUES.
struct ParamAxis {
  std::string Name;
  llvm::SMLoc Loc;
  std::vector<double> Values;
};

struct Grid {
  std::array<AxisValues, NumAxes> Axes;
  std::vector<ParamAxis> Params;

  AxisValues &operator[](Axis A) { return Axes[static_cast<unsigned>(A)]; }
  const AxisValues &operator[](Axis A) const { return Axes[static_cast<unsigned>(A)]; }
  bool given(Axis A) const { return (*this)[A].Given; }
  /// Points of the grid; std::nullopt when the count overflows 64 bits.
  std::optional<uint64_t> numPoints() const;
  /// Replaces this grid's axes and parameters by those \p Over gives.
  void override(const Grid &Over);
};

/// Parses \p Text as the values of \p A.
bool parseAxisValues(Axis A, llvm::StringRef Text, AxisValues &Out, ValueError &Err);
/// Parses "NAME=VALUES" for --param.
bool parseParamAxis(llvm::StringRef Text, ParamAxis &Out, ValueError &Err);

enum class PhaseChoice : uint8_t { Prefill, Decode, Both };

/// A sweep: its grids and the settings that are not axes.
struct SweepSpec {
  std::vector<Grid> Grids; // at least one
  std::optional<std::string> Profile;
  std::optional<std::string> Plan; // base plan: file or name
  std::optional<PhaseChoice> Phases;
  /// The serving mode: the phases at the swept batches (false), or the
  /// offline steady state, which chooses the batch (ssc's --mode=offline).
  std::optional<bool> Offline;
  /// Where the sweep file gives 'phase' and 'mode'; invalid where the
  /// command line gave them (or no one did). Errors about them point here.
  llvm::SMLoc PhasesLoc, ModeLoc;

  /// Whether any grid gives \p A / parameter \p Name.
  bool anyGiven(Axis A) const;
  /// Where the first grid that gives \p A gives it in the sweep file; invalid
  /// where none does or the command line gave it.
  llvm::SMLoc givenLoc(Axis A) const;
  std::vector<std::string> paramNames() const;
  std::optional<uint64_t> numPoints() const;
};

/// Reads a sweep file (JSON; schema in docs/sweep.md). Errors point at the
/// offending key or value. Relative plan paths resolve against the file's
/// directory.
std::optional<SweepSpec> loadSweepFile(llvm::StringRef Path, DiagnosticEngine &Diags);

} // namespace ssc::sweep

#endif // SSC_SWEEP_SWEEPSPEC_H

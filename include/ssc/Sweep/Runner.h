//===- Runner.h - Running a sweep: threads, order, progress -----*- C++ -*-===//
//
// The points of a sweep (or of one shard of it) are cut into blocks of
// consecutive points. Worker threads each evaluate whole blocks with their
// own PointEvaluator (and so their own lowered modules); the calling thread
// writes the blocks' rows in order as they complete, so the output is the
// same for any number of threads and only a few blocks are ever held in
// memory. Counts by status are gathered on the way.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SWEEP_RUNNER_H
#define SSC_SWEEP_RUNNER_H

#include "ssc/Sweep/Output.h"
#include "ssc/Sweep/Select.h"

#include "llvm/Support/raw_ostream.h"

#include <array>
#include <map>

namespace ssc::sweep {

enum class Selection : uint8_t { All, Pareto, Best };

struct RunOptions {
  Format F = Format::CSV;
  bool KeepInvalid = false; // rows for every point, with status and reason
  Selection Select = Selection::All;
  std::vector<SlaBound> Sla;
  unsigned Jobs = 0;            // 0: one thread for small sweeps, else all cores
  uint64_t Shard = 1, Shards = 1; // this part (1-based) of that many
  bool Header = true;           // CSV header (the first shard's only, by default)
  double ProgressAfterSeconds = 1; // progress on stderr for longer sweeps
  bool Time = false;            // time lowering and evaluation apart
};

/// Points [Begin, End) of shard \p Shard of \p Shards over \p N points: the
/// shards are consecutive and concatenate to the whole.
std::pair<uint64_t, uint64_t> shardRange(uint64_t N, uint64_t Shard, uint64_t Shards);

struct RunStats {
  uint64_t Points = 0;
  uint64_t Rows = 0;
  std::array<uint64_t, NumStatuses> Count{};
  /// Distinct reasons of the invalid statuses, counted (capped at 100 per
  /// status; the rest are counted in Count only).
  std::array<std::map<std::string, uint64_t>, NumStatuses> Reasons;
  uint64_t LongerThanContext = 0;
  uint64_t ModulesLowered = 0;
  unsigned Threads = 1;
  double WallSeconds = 0;
  double LowerSeconds = 0; // lowering and preparing, summed over threads
  double EvalSeconds = 0;  // evaluating points, summed over threads
  double OutputSeconds = 0; // formatting rows, summed over threads

  void merge(const RunStats &O);
};

/// Runs the sweep, writing rows to \p Out and progress to \p Progress.
RunStats runSweep(const SweepContext &Ctx, const RunOptions &Opts, llvm::raw_ostream &Out,
                  llvm::raw_ostream &Progress);

/// The summary on stderr: points, rows, and why the others have no row.
void printSummary(const RunStats &S, const RunOptions &Opts, const SweepContext &Ctx,
                  llvm::raw_ostream &OS);

} // namespace ssc::sweep

#endif // SSC_SWEEP_RUNNER_H

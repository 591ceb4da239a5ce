//===- Output.h - Rows of a sweep: CSV and JSON ------------------*- C++ -*-===//
//
// One row per point, in the order of the sweep. The columns depend only on
// the sweep's axes, phases, mode and options (--command), never on the
// points, so that the parts of a sharded sweep concatenate into one table.
// JSON output is one object per line (JSON Lines), for the same reason.
// Numbers are printed to the last bit (shortest round trip).
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SWEEP_OUTPUT_H
#define SSC_SWEEP_OUTPUT_H

#include "ssc/Sweep/Sweep.h"

#include <string>
#include <vector>

namespace ssc::sweep {

enum class Format : uint8_t { CSV, JSON };

/// The `ssc` command line whose report gives the point \p R's metrics: the
/// model, target, plan keys, the swept dtypes and profile parameters, the
/// context's CommandArgs, the phases and the workload. Empty where the
/// point has no PlanKeys.
std::string pointCommand(const SweepContext &Ctx, const PointResult &R);

class RowWriter {
public:
  /// \p WithStatus adds the status and reason columns (--keep-invalid).
  RowWriter(const SweepContext &Ctx, Format F, bool WithStatus);

  /// The CSV header line (nothing for JSON).
  void header(std::string &Out) const;
  /// Appends one row, newline included.
  void row(const PointResult &R, std::string &Out) const;

  const std::vector<std::string> &columnNames() const { return Names; }

private:
  enum class Col : uint8_t;
  const SweepContext &Ctx;
  Format F;
  std::vector<Col> Cols;
  std::vector<size_t> ParamIndex; // per column (for parameters)
  std::vector<std::string> Names;
};

} // namespace ssc::sweep

#endif // SSC_SWEEP_OUTPUT_H

//===- Uncertainty.h - How far to trust a prediction --------------*- C++ -*-===//
//
// Every prediction carries a band: the error ssc's profile showed on
// measured serving results of the same class: the regime (offline, or a
// phase, with what bounds it: compute, memory, communication) and the model's
// kind (dense or MoE), as the profile's `uncertainty`
// section records it (scripts/calibrate/fit-uncertainty derives it from
// `ssc validate`). A prediction outside what the calibration covers (a GPU,
// a dtype or a kernel shape without measurements) is flagged, and its band
// doubled.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_REPORT_UNCERTAINTY_H
#define SSC_REPORT_UNCERTAINTY_H

#include "ssc/Cost/CostModel.h"

#include <string>
#include <vector>

namespace ssc::report {

struct Band {
  std::string Regime;               // with the kind: "offline-memory/moe"
  double Pct = 0;                   // +- percent
  std::vector<std::string> Outside; // why the query is outside the calibration
  double Scale = 1; // Pct over its class's band: the profile's outside_factor
                    // when Outside is not empty
};

/// "offline-compute", "prefill-comm", "decode-memory", ...
std::string regimeOf(Phase P, cost::Bound B, bool Offline);

/// The band of \p Regime, for the kind of model \p M is, under \p Prof on
/// \p Gpu.
Band bandFor(const cost::Profile &Prof, llvm::StringRef Regime, const ir::Module &M,
             const GpuSpec &Gpu);

} // namespace ssc::report

#endif // SSC_REPORT_UNCERTAINTY_H

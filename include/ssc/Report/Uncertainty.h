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
/// \p Gpu, at the module's workload.
Band bandFor(const cost::Profile &Prof, llvm::StringRef Regime, const ir::Module &M,
             const GpuSpec &Gpu);

/// bandFor's checks of one module, done once for many workloads (a sweep's
/// points): what does not depend on the workload (the GPU, dtypes, GEMM K,
/// attention head dims, links) is found here, and each GEMM's M (its
/// tokens) is checked at the workload band() is given. \p Prof and \p M
/// must outlive it. Not for concurrent use: band() remembers each class's
/// band.
class CalibrationCheck {
public:
  CalibrationCheck(const cost::Profile &Prof, const ir::Module &M, const GpuSpec &Gpu);
  /// The band of \p Regime ("decode-memory") at workload \p W.
  Band band(llvm::StringRef Regime, const ir::Workload &W) const;

private:
  const cost::Profile &Prof;
  std::string Kind;
  /// In op order: a reason found, or a GEMM's tokens to check (Tokens set).
  struct Item {
    std::string Reason;
    const ir::Extent *Tokens = nullptr;
  };
  std::vector<Item> Items;
  /// The class bands asked for so far, by regime.
  mutable std::vector<std::pair<std::string, Band>> Classes;
};

} // namespace ssc::report

#endif // SSC_REPORT_UNCERTAINTY_H

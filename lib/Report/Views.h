//===- Views.h - The report views (internal) --------------------*- C++ -*-===//

#ifndef SSC_LIB_REPORT_VIEWS_H
#define SSC_LIB_REPORT_VIEWS_H

#include "ssc/Report/Report.h"

namespace ssc::report {

std::unique_ptr<View> createSummaryView();
std::unique_ptr<View> createMemoryView();
std::unique_ptr<View> createLayerView();
std::unique_ptr<View> createKernelView();
std::unique_ptr<View> createCommView();

/// The phases present in a report, with their modules and costs.
struct PhaseRef {
  Phase P;
  const ir::Module *M;
  const cost::PhaseCost *C;
};
std::vector<PhaseRef> phasesOf(const Report &R);

/// Fixed-point with N decimals, for tables.
std::string fixed(double V, int N);

} // namespace ssc::report

#endif

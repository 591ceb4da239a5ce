//===- Pipeline.h - From checked specs to lowered modules -------*- C++ -*-===//
//
// The driver's compile path: choose the target and plan (or their defaults),
// build one ir::Module per phase from the workload flags, run the pass
// pipeline, and print what --emit asks for.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_TOOLS_SSC_PIPELINE_H
#define SSC_TOOLS_SSC_PIPELINE_H

#include "ssc/IR/IR.h"
#include "ssc/Sema/Sema.h"

#include <optional>

namespace ssc::driver {

struct CompileInputs {
  const Program &P;
  const ModelSpec &M;
  std::optional<PlanSpec> Plan; // none: ssc::defaultPlan
  std::optional<Target> T;      // none: h100 x the plan's GPU count
  DiagnosticEngine &Diags;
  bool IncludeMtp = false;      // run the model's MTP layers (--mtp)
};

/// Builds and lowers the modules for the phases --phase selects. Runs the
/// plan checks first. Returns false after reporting an error.
bool compileModules(CompileInputs &In, std::vector<ir::Module> &Out);

/// --emit=ir: the modules after the pipeline, as text or JSON.
int emitIR(CompileInputs &In, bool JSON);
/// --emit=kernels: one kernel per line, per device class.
int emitKernels(CompileInputs &In, bool JSON);
/// --emit=report: costs both phases under the --profile and prints the
/// --views as text, JSON or CSV.
int emitReport(CompileInputs &In, bool JSON, bool CSV);

/// Loads the --profile (once) and, when it brings its own GPU table, points
/// \p Opts at it instead of the catalog.
bool prepareProfile(DiagnosticEngine &Diags, SemaOptions &Opts);

/// --list-passes
void listPasses();
bool listPassesRequested();

} // namespace ssc::driver

#endif // SSC_TOOLS_SSC_PIPELINE_H

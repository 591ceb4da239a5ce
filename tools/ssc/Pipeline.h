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
#include <string>

namespace ssc::driver {

struct CompileInputs {
  const Program &P;
  const ModelSpec &M;
  std::optional<PlanSpec> Plan; // none: ssc::defaultPlan
  std::optional<Target> T;      // none: h100 x the plan's GPU count
  DiagnosticEngine &Diags;
  bool IncludeMtp = false;      // run the model's MTP layers (--mtp)
  std::string Settings = {};    // the hyperparameters --set changed in M, or empty
};

/// What to compile: the workload and precision flags, as values, so that
/// subcommands (ssc validate) can compile without the command line.
struct CompileOptions {
  bool Prefill = true, Decode = true; // phases to build
  int64_t Batch = 1, Isl = 1024, Osl = 256, Prefix = 0;
  int64_t KvLen = -1; // decode KV length; -1: isl + osl / 2
  std::string WeightDType;              // empty: the model's
  std::string KvDType = "bf16", DispatchDType = "bf16", CombineDType = "bf16";
  std::string AttnDType = "bf16"; // attention math (fp8: FlashAttention-3's fp8 path)
  ir::MlaForm Mla = ir::MlaForm::Auto;
  bool FuseProjections = true;
  ir::ExpertRouting Routing = ir::ExpertRouting::Random;
  std::optional<std::string> Passes; // none: the default pipeline
  bool PrintAfter = true;            // honour --print-after(-all)
};

/// The options the command line gives.
CompileOptions compileOptionsFromFlags();

/// Builds and lowers the modules for the phases \p Opts selects. Runs the
/// plan checks first. Returns false after reporting an error.
bool compileModules(CompileInputs &In, const CompileOptions &Opts,
                    std::vector<ir::Module> &Out);
/// The same with the command line's options.
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

/// Warns about each option given that the chosen --emit does not read, as
/// a compiler warns about an unused argument: \p Compiles when the emit
/// runs the pass pipeline (ir, kernels, report), \p Reports for the report.
void warnUnusedOptions(DiagnosticEngine &Diags, bool Compiles, bool Reports);

/// --list-passes
void listPasses();
bool listPassesRequested();

} // namespace ssc::driver

#endif // SSC_TOOLS_SSC_PIPELINE_H

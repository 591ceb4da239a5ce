//===- Sema.h - Names, imports, defaults and checks -------------*- C++ -*-===//
//
// Sema loads the input files and what they import, resolves names, applies
// the documented defaults (docs/language.md) and turns `model`, `gpu` and
// `plan` blocks into checked specs. Every rejection is a located diagnostic.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SEMA_SEMA_H
#define SSC_SEMA_SEMA_H

#include "ssc/AST/AST.h"
#include "ssc/Spec/Gpu.h"
#include "ssc/Spec/Model.h"
#include "ssc/Spec/Plan.h"
#include "ssc/Support/Diagnostics.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace ssc {

struct SemaOptions {
  /// Directories searched for `import "x.arch"` after the importing file's own
  /// directory.
  std::vector<std::string> ImportDirs;
  /// The GPU catalog, loaded before the inputs so that its GPUs can be
  /// named; empty: none.
  std::string CatalogPath;
};

/// Everything the loaded files define, after checking. Specs keep source
/// locations into the DiagnosticEngine's SourceMgr, which must outlive them.
class Program {
public:
  /// Parsed files in load order: the catalog (if any), then the inputs and
  /// their imports.
  std::vector<std::unique_ptr<ast::File>> Files;
  /// Index into Files of each file named on the command line.
  std::vector<size_t> InputFiles;
  std::vector<ModelSpec> Models;
  std::vector<std::unique_ptr<GpuSpec>> Gpus; // stable addresses
  std::vector<PlanSpec> Plans;
  /// Which models and plans come from the inputs (not imports or catalog).
  std::vector<const ModelSpec *> InputModels;
  std::vector<const PlanSpec *> InputPlans;
  /// The GPU catalog that was loaded (SemaOptions::CatalogPath); empty: none.
  std::string CatalogPath;

  const ModelSpec *findModel(llvm::StringRef Name) const;
  const GpuSpec *findGpu(llvm::StringRef NameOrAlias) const;
  const PlanSpec *findPlan(llvm::StringRef Name) const;
};

/// Parses and checks \p Paths (and their imports). Returns null when any
/// error was reported.
std::unique_ptr<Program> analyze(llvm::ArrayRef<std::string> Paths,
                                 DiagnosticEngine &Diags,
                                 const SemaOptions &Opts = {});

/// Like analyze(), for source text already in memory (unit tests, fuzzing).
/// Imports resolve relative to the current directory.
std::unique_ptr<Program> analyzeBuffer(std::unique_ptr<llvm::MemoryBuffer> Buf,
                                       DiagnosticEngine &Diags,
                                       const SemaOptions &Opts = {});

/// "unknown GPU 'x'" + \p Where, with where the GPUs come from when that is
/// not the catalog, then a suggestion or the list of the program's GPUs.
std::string unknownGpuMessage(const Program &P, llvm::StringRef Gpu,
                              llvm::StringRef Where = "");

/// Resolves "h100x16" against the program's GPUs. Reports an error (at \p Loc
/// when valid) and returns false when the GPU is unknown or the count bad.
bool resolveTarget(const Program &P, llvm::StringRef Name, Target &Out,
                   DiagnosticEngine &Diags, llvm::SMLoc Loc = llvm::SMLoc());

/// Reads a plan from a JSON file (schema in docs/language.md). The file is
/// added to the engine's SourceMgr so that errors are located.
std::optional<PlanSpec> loadPlanJSON(llvm::StringRef Path, DiagnosticEngine &Diags);

/// The text of a plan block named \p Name holding the keys \p Keys gives,
/// in the form PhasePlan::str() prints: items separated by spaces, commas or
/// semicolons (not inside a `[...]` list; spaces around `=` join), each
/// `key=value`, a bare `key` (`true`), `KIND.tp=N` (a layer section), or
/// `prefill.ITEM` / `decode.ITEM` (that phase's section). One line per
/// item, sections grouped, so that a diagnostic shows the item it is about.
std::string planSourceFromKeys(llvm::StringRef Keys, llvm::StringRef Name);

/// The plan \p Keys gives (planSourceFromKeys), checked as a plan block
/// would be; its diagnostics are located in a buffer named `--plan`.
std::optional<PlanSpec> planFromKeys(llvm::StringRef Keys, DiagnosticEngine &Diags);

/// Checks \p Plan against \p M and, when given, \p T: tp against heads, ep
/// against experts, pp against layers, stages, and the GPU count. Reports
/// located errors; returns false if any.
bool checkPlan(const ModelSpec &M, const PlanSpec &Plan, const Target *T,
               DiagnosticEngine &Diags);

} // namespace ssc

#endif // SSC_SEMA_SEMA_H

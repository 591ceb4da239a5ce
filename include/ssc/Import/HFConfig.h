//===- HFConfig.h - Hugging Face config.json to a model ---------*- C++ -*-===//
//
// `ssc import-hf` reads the config.json that Hugging Face transformers ships
// with a checkpoint and writes the model in ssc's language. The importer
// builds the layers one by one from the config's fields (rope scaling, sliding
// windows and their per-layer patterns, MoE placement, NoPE layers, ...), then
// groups identical layers into kinds and compresses the stack into a short
// pattern. docs/import-hf.md lists the supported model types and how each
// field is read.
//
// Every field is read with its location: a missing required field is an error
// at the object that lacks it, a wrong type or value an error at the value.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_IMPORT_HFCONFIG_H
#define SSC_IMPORT_HFCONFIG_H

#include "ssc/Spec/Model.h"
#include "ssc/Support/Diagnostics.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace ssc {

struct HFImportOptions {
  /// The model's name; empty: derived from `_name_or_path`, else from the
  /// file name (see hfModelName).
  std::string Name;
};

/// Converts the config.json held in buffer \p BufferID of the engine's
/// SourceMgr into a model. The result has passed Sema's checks (it is printed
/// and checked again before it is returned). Returns nullopt after reporting
/// located errors.
std::optional<ModelSpec> importHFConfig(unsigned BufferID, DiagnosticEngine &Diags,
                                        const HFImportOptions &Opts = {});

/// The `model_type` values importHFConfig accepts, in documentation order.
llvm::ArrayRef<llvm::StringRef> supportedHFModelTypes();

/// A model name the language accepts, made from a repository id
/// ("meta-llama/Llama-3.1-8B" -> "llama-3.1-8b") or a file name; empty when
/// nothing usable remains.
std::string hfModelName(llvm::StringRef RepoOrPath);

} // namespace ssc

#endif // SSC_IMPORT_HFCONFIG_H

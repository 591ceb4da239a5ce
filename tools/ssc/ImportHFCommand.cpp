//===- ImportHFCommand.cpp - ssc import-hf ----------------------------------===//
//
//   ssc import-hf config.json [-o model.arch] [--name NAME]
//
// Converts a Hugging Face transformers config.json into a model in the
// language (lib/Import, docs/import-hf.md).
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "ssc/Import/HFConfig.h"
#include "ssc/Spec/SpecPrinter.h"
#include "ssc/Support/JSONLocator.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace llvm;
using namespace ssc;

cl::SubCommand ssc::driver::ImportHFCmd(
    "import-hf", "Convert a Hugging Face config.json into a model (see "
                 "docs/import-hf.md)");

namespace {

cl::opt<std::string> ConfigPath(cl::Positional, cl::desc("<config.json>"),
                                cl::sub(driver::ImportHFCmd),
                                cl::cat(driver::category()));

cl::opt<std::string> OutputPath("o", cl::desc("Write the model to <file> "
                                              "(default: standard output)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::sub(driver::ImportHFCmd),
                                cl::cat(driver::category()));

cl::opt<std::string> ModelName("name",
                               cl::desc("Name of the model (default: from "
                                        "_name_or_path, else the file name)"),
                               cl::value_desc("name"), cl::sub(driver::ImportHFCmd),
                               cl::cat(driver::category()));

} // namespace

int ssc::driver::runImportHF() {
  SourceMgr SM;
  DiagnosticEngine Diags(SM);
  configureDiagnostics(Diags);
  if (ConfigPath.empty()) {
    Diags.error("no input file; usage: ssc import-hf config.json [-o model.arch] "
                "[--name NAME]");
    return 1;
  }
  unsigned Buffer = loadFileBuffer(ConfigPath, Diags);
  if (!Buffer)
    return 1;

  HFImportOptions Opts;
  Opts.Name = ModelName;
  std::optional<ModelSpec> M = importHFConfig(Buffer, Diags, Opts);
  if (!M || Diags.hasErrors())
    return 1;

  std::error_code EC;
  ToolOutputFile Out(OutputPath, EC, sys::fs::OF_Text);
  if (EC) {
    Diags.error("cannot write '" + OutputPath + "': " + EC.message());
    return 1;
  }
  printModel(*M, Out.os());
  Out.keep();
  return 0;
}

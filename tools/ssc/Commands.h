//===- Commands.h - ssc's subcommands ---------------------------*- C++ -*-===//
//
// `ssc FILE ...` compiles a model (ssc.cpp). Other jobs are subcommands, each
// in its own file with its own llvm::cl::SubCommand and options:
//
//   ssc import-hf config.json        ImportHFCommand.cpp
//   ssc validate measurements.csv    ValidateCommand.cpp
//
// A subcommand file defines `llvm::cl::SubCommand <Name>Cmd` and
// `int run<Name>()`, and registers itself in the table in ssc.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_TOOLS_SSC_COMMANDS_H
#define SSC_TOOLS_SSC_COMMANDS_H

#include "ssc/Sema/Sema.h"

#include "llvm/Support/CommandLine.h"

namespace ssc::driver {

/// The options category every ssc option belongs to (the rest of LLVM's
/// options are hidden from --help).
llvm::cl::OptionCategory &category();

/// Sema options from the shared -I and --catalog flags.
SemaOptions semaOptions();

/// Applies the shared -Werror and -w flags to \p Diags.
void configureDiagnostics(DiagnosticEngine &Diags);

struct Subcommand {
  llvm::cl::SubCommand *Cmd;
  int (*Run)();
};

extern llvm::cl::SubCommand ImportHFCmd; // ImportHFCommand.cpp
int runImportHF();
extern llvm::cl::SubCommand ValidateCmd; // ValidateCommand.cpp
int runValidate();

} // namespace ssc::driver

#endif // SSC_TOOLS_SSC_COMMANDS_H

//===- Commands.h - ssc's subcommands ---------------------------*- C++ -*-===//
//
// `ssc FILE ...` compiles a model (ssc.cpp). Other jobs are subcommands, each
// in its own file with its own llvm::cl::SubCommand and options:
//
//   ssc import-hf config.json        ImportHFCommand.cpp
//   ssc validate measurements.csv    ValidateCommand.cpp
//   ssc sweep model.arch --gpu ...   SweepCommand.cpp
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

/// The options a printed `ssc` command line (`ssc validate`'s and `ssc
/// sweep --command`'s) needs to see what this run sees: --profile when not
/// the default, and --catalog and -I where \p Opts (from semaOptions) are
/// not the defaults. \p ProfileCatalog: the profile names its own GPU
/// table, which --profile brings along.
std::vector<std::string> sharedCommandArgs(llvm::StringRef ProfileName, bool ProfileCatalog,
                                           const SemaOptions &Opts);

/// A count option's value (sequences, tokens, requests) must be from 1 to
/// 2^34; else an error naming --\p Name.
bool checkCount(DiagnosticEngine &Diags, const char *Name, int64_t V);

/// Applies the shared -Werror and -w flags to \p Diags.
void configureDiagnostics(DiagnosticEngine &Diags);

/// Adds "--\p Flag=\p Value" to \p Diags' sources as the buffer "command
/// line", so that errors in a flag's value can point at its characters;
/// returns where the value starts in it.
const char *addFlagBuffer(DiagnosticEngine &Diags, llvm::StringRef Flag, llvm::StringRef Value);

struct Subcommand {
  llvm::cl::SubCommand *Cmd;
  int (*Run)();
};

/// The model named \p Name, or with an empty \p Name the input's only model
/// (or the only one it imports); null, with an error where one is due, when
/// there is none or several.
const ModelSpec *selectModel(const Program &P, llvm::StringRef Name,
                             DiagnosticEngine &Diags);

/// The plan \p Spec names (a .json or .arch file, or a plan of the input),
/// or with an empty \p Spec the input's only plan, or none.
bool selectPlan(const Program &P, llvm::StringRef Spec, DiagnosticEngine &Diags,
                std::optional<PlanSpec> &Out);

extern llvm::cl::SubCommand ImportHFCmd; // ImportHFCommand.cpp
int runImportHF();
extern llvm::cl::SubCommand ValidateCmd; // ValidateCommand.cpp
int runValidate();
extern llvm::cl::SubCommand SweepCmd; // SweepCommand.cpp
int runSweep();

} // namespace ssc::driver

#endif // SSC_TOOLS_SSC_COMMANDS_H

//===- CommandLine.cpp - Command-line errors as ssc diagnostics -----------===//

#include "ssc/Support/CommandLine.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cctype>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

using namespace ssc;
using llvm::StringRef;

namespace {

/// The text between the first pair of single quotes, or empty.
StringRef quoted(StringRef S) {
  size_t Open = S.find('\'');
  if (Open == StringRef::npos)
    return {};
  size_t Close = S.find('\'', Open + 1);
  if (Close == StringRef::npos)
    return {};
  return S.slice(Open + 1, Close);
}

/// llvm::cl's sentence as ours: no exclamation mark, lower-case start.
std::string plain(StringRef S) {
  S = S.trim().rtrim('!').rtrim();
  std::string Out = S.str();
  // Lower the first letter unless the first word is an acronym or a flag.
  if (Out.size() > 1 && std::isupper(static_cast<unsigned char>(Out[0])) &&
      !std::isupper(static_cast<unsigned char>(Out[1])))
    Out[0] = llvm::toLower(Out[0]);
  return Out;
}

/// The error llvm::cl gives as "for the --NAME option: MESSAGE".
std::string optionError(StringRef Flag, StringRef Msg) {
  if (Msg.starts_with("Cannot find option named"))
    return "unknown value '" + quoted(Msg).str() + "' for " + Flag.str();
  if (Msg.contains("value invalid for") || Msg.contains("is invalid value for"))
    return "invalid value '" + quoted(Msg).str() + "' for " + Flag.str();
  if (Msg.starts_with("may only occur zero or one times"))
    return Flag.str() + " given more than once";
  if (Msg.starts_with("requires a value"))
    return Flag.str() + " requires a value";
  if (Msg.starts_with("does not allow a value"))
    return Flag.str() + " takes no value; '" + quoted(Msg).str() + "' given";
  return Flag.str() + ": " + plain(Msg);
}

} // namespace

std::vector<CommandLineDiagnostic> ssc::translateCommandLineErrors(StringRef Text,
                                                                   StringRef ProgramName) {
  std::vector<CommandLineDiagnostic> Out;
  llvm::SmallVector<StringRef, 8> Lines;
  Text.split(Lines, '\n', -1, /*KeepEmpty=*/false);
  std::string Prefix = ProgramName.str() + ": ";
  std::string Unknown; // the option of the last "unknown option" error
  for (StringRef Line : Lines) {
    Line = Line.rtrim();
    if (Line.empty())
      continue;
    if (!Line.consume_front(Prefix)) {
      // The second line of "Too many positional arguments specified!":
      // "Can specify at most 1 positional arguments: See: ssc --help".
      StringRef Lead = Line.split(": See:").first;
      if (Lead.consume_front("Can specify at most ") && !Out.empty() && !Out.back().IsNote) {
        Out.back().Message += "; at most " + Lead.split(' ').first.str() + " allowed";
        continue;
      }
      Out.push_back({/*IsNote=*/true, plain(Lead)});
      continue;
    }
    if (Line.starts_with("Did you mean")) {
      // llvm::cl suggests its nearest option however far it is ("-h" for
      // "--bogus"); ssc keeps the suggestions its own rule finds close.
      StringRef Hint = quoted(Line);
      StringRef Candidate = Hint.split('=').first.ltrim('-');
      if (!Unknown.empty() && !Out.empty() && !Out.back().IsNote &&
          !closestMatch(StringRef(Unknown).split('=').first.ltrim('-'), {Candidate}).empty())
        Out.back().Message += "; did you mean '" + Hint.str() + "'?";
      continue;
    }
    Unknown.clear();
    if (Line.starts_with("Unknown command line argument")) {
      Unknown = quoted(Line).str();
      Out.push_back({false, "unknown option '" + Unknown + "'"});
      continue;
    }
    if (Line.starts_with("Too many positional arguments")) {
      Out.push_back({false, "too many input files"});
      continue;
    }
    if (Line.starts_with("for the ")) {
      StringRef Rest = Line.drop_front(strlen("for the "));
      size_t End = Rest.find(" option: ");
      if (End != StringRef::npos) {
        Out.push_back(
            {false, optionError(Rest.take_front(End), Rest.drop_front(End + strlen(" option: ")))});
        continue;
      }
    }
    Out.push_back({false, plain(Line)});
  }
  return Out;
}

/// "-I" for a one-letter option, "--target" for the others.
static std::string flagSpelling(const llvm::cl::Option &O) {
  return (O.ArgStr.size() == 1 ? "-" : "--") + O.ArgStr.str();
}

bool ssc::reportBadOptionValue(const llvm::cl::Option &O, StringRef Value, StringRef Expected,
                               llvm::ArrayRef<StringRef> Alternatives) {
  std::string Flag = flagSpelling(O);
  std::string Msg;
  if (!Alternatives.empty())
    Msg = "unknown value '" + Value.str() + "' for " + Flag + "; expected " +
          joinAlternatives(Alternatives) + didYouMean(Value, Alternatives);
  else
    Msg = "invalid value '" + Value.str() + "' for " + Flag +
          (Expected.empty() ? "" : "; expected " + Expected.str());
  llvm::errs() << "ssc: error: " << Msg << "\n";
  return true;
}

/// The options of the subcommand the command line chose: its first
/// argument when that names one, else the top level's.
static const llvm::StringMap<llvm::cl::Option *> &optionsFor(int Argc, const char *const *Argv) {
  llvm::cl::SubCommand *Sub = &llvm::cl::SubCommand::getTopLevel();
  if (Argc > 1)
    for (llvm::cl::SubCommand *S : llvm::cl::getRegisteredSubcommands())
      if (!S->getName().empty() && S->getName() == StringRef(Argv[1]))
        Sub = S;
  return llvm::cl::getRegisteredOptions(*Sub);
}

/// The option a "-name" or "--name[=value]" argument names, if any.
static const llvm::cl::Option *named(const llvm::StringMap<llvm::cl::Option *> &Opts,
                                     StringRef Arg) {
  if (!Arg.starts_with("-") || Arg == "-" || Arg == "--")
    return nullptr;
  auto It = Opts.find(Arg.ltrim('-').split('=').first);
  return It == Opts.end() ? nullptr : It->second;
}

/// What parseCommandLine checks before llvm::cl sees the arguments.
struct ArgScan {
  /// The first option that needs a value and has none: it ends the command
  /// line, or the next argument is another flag ("--target --emit=report"),
  /// which llvm::cl would take as its value. llvm::cl reports the first case
  /// itself, in its own words, on llvm::errs(); the second one it does not.
  const llvm::cl::Option *MissingValue = nullptr;
  /// The "--name" arguments that name no option. llvm::cl would also try
  /// them as a group of one-letter flags ("--osl=x" as -o -s -l under
  /// import-hf, whose -o takes a value) and print that attempt's error in
  /// its own words.
  std::vector<StringRef> UnknownLong;
  /// Arguments with a '=' that directly follow a --plan value of keys and
  /// name no file: keys the shell split ("--plan tp=8 ep=8"), which llvm::cl
  /// would take as more input files. PlanValue is the value they follow.
  StringRef PlanValue;
  std::vector<StringRef> StrayPlanKeys;
};

static ArgScan scanArgs(const llvm::StringMap<llvm::cl::Option *> &Opts, int Argc,
                        const char *const *Argv) {
  ArgScan S;
  int AfterPlan = -1; // the index just past --plan's value and its stray keys
  for (int I = 1; I < Argc; ++I) {
    StringRef Arg = Argv[I];
    if (Arg == "--")
      break; // positional arguments only from here
    if (const llvm::cl::Option *O = named(Opts, Arg)) {
      std::optional<StringRef> Value; // the option's value, in either form
      if (Arg.contains('=')) {
        Value = Arg.split('=').second;
      } else if (O->getValueExpectedFlag() == llvm::cl::ValueRequired) {
        bool NoValue = I + 1 == Argc ||
                       (StringRef(Argv[I + 1]).starts_with("--") && named(Opts, Argv[I + 1]));
        if (!NoValue)
          Value = Argv[++I];
        else if (!S.MissingValue)
          S.MissingValue = O;
      }
      if (Value && O->ArgStr == "plan" && S.StrayPlanKeys.empty()) {
        S.PlanValue = *Value;
        AfterPlan = I + 1;
      }
      continue;
    }
    if (Arg.starts_with("--") && Arg.size() > 2)
      S.UnknownLong.push_back(Arg);
    else if (I == AfterPlan && S.PlanValue.contains('=') && !Arg.starts_with("-") &&
             Arg.contains('=') && !llvm::sys::fs::exists(Arg)) {
      S.StrayPlanKeys.push_back(Arg);
      AfterPlan = I + 1;
    }
  }
  return S;
}

bool ssc::parseCommandLine(int Argc, const char *const *Argv, StringRef Overview,
                           DiagnosticEngine &Diags) {
  const llvm::StringMap<llvm::cl::Option *> &Opts = optionsFor(Argc, Argv);
  ArgScan Scan = scanArgs(Opts, Argc, Argv);
  if (const llvm::cl::Option *O = Scan.MissingValue) {
    bool Short = O->ArgStr.size() == 1;
    std::string Flag = flagSpelling(*O);
    if (O->ValueStr.empty())
      Diags.error(Flag + " needs a value; see 'ssc --help'");
    else
      Diags.error(Flag + " needs a value, as in " + Flag + (Short ? " " : "=") + O->ValueStr.str());
    return false;
  }
  if (!Scan.StrayPlanKeys.empty()) {
    std::string Keys = Scan.PlanValue.str();
    for (StringRef K : Scan.StrayPlanKeys)
      Keys += " " + K.str();
    Diags.error("'" + Scan.StrayPlanKeys.front() +
                "' is not an input file; give --plan its keys as one argument, in quotes: "
                "--plan '" +
                Keys + "'");
    return false;
  }
  if (!Scan.UnknownLong.empty()) {
    // Suggest among the options --help lists.
    llvm::SmallVector<StringRef, 64> Visible;
    for (const auto &E : Opts)
      if (E.second->getOptionHiddenFlag() == llvm::cl::NotHidden && E.getKey().size() > 1)
        Visible.push_back(E.getKey());
    llvm::sort(Visible);
    for (StringRef Arg : Scan.UnknownLong) {
      auto [Name, Value] = Arg.drop_front(2).split('=');
      std::string Msg = "unknown option '" + Arg.str() + "'";
      StringRef Near = closestMatch(Name, Visible);
      if (!Near.empty())
        Msg +=
            "; did you mean '--" + Near.str() + (Arg.contains('=') ? "=" + Value.str() : "") + "'?";
      Diags.error(Msg);
    }
    return false;
  }
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  bool OK = llvm::cl::ParseCommandLineOptions(Argc, Argv, Overview, &OS);
  OS.flush();
  // llvm::cl names the program by its file name.
  StringRef Program = Argc > 0 ? llvm::sys::path::filename(Argv[0]) : StringRef("ssc");
  for (const CommandLineDiagnostic &D : translateCommandLineErrors(Text, Program)) {
    if (D.IsNote)
      Diags.note(D.Message);
    else if (OK)
      Diags.warning(D.Message);
    else
      Diags.error(D.Message);
  }
  return OK;
}

//===- CommandLine.h - Command-line errors as ssc diagnostics ---*- C++ -*-===//
//
// llvm::cl words its errors its own way ("ssc: for the --mode option: Cannot
// find option named 'foo'!"). ssc parses its command line through
// parseCommandLine, which reports them as every other error without a
// location ("ssc: error: unknown option '--bogus'; did you mean '--views'?").
// llvm::cl's value parsers print their errors straight to llvm::errs(), so
// ssc's options parse their values with EnumParser and NumberParser, which
// word them as ssc does ("ssc: error: unknown value 'foo' for --mode;
// expected 'phases' or 'offline'"), and BoolParser for flags. A flag that
// needs a value but ends the command line, or is followed by another flag
// (which llvm::cl would take as its value), is caught before llvm::cl sees
// it, and so is an unknown "--name" (llvm::cl would also try it as a group
// of one-letter flags: "--osl=x" as -o -s -l under import-hf).
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SUPPORT_COMMANDLINE_H
#define SSC_SUPPORT_COMMANDLINE_H

#include "ssc/Support/Diagnostics.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/CommandLine.h"

#include <string>
#include <type_traits>
#include <vector>

namespace ssc {

/// One diagnostic made from llvm::cl's error text.
struct CommandLineDiagnostic {
  bool IsNote = false;
  std::string Message;
};

/// Rewrites llvm::cl's error text \p Text (lines prefixed by \p ProgramName)
/// as ssc diagnostics. Lines it does not know keep their words, without the
/// program name and the exclamation mark.
std::vector<CommandLineDiagnostic> translateCommandLineErrors(llvm::StringRef Text,
                                                              llvm::StringRef ProgramName);

/// Reports a flag's value the flag does not accept, as "ssc: error: invalid
/// value 'x' for --flag; expected <Expected>" (or "unknown value" with the
/// alternatives when \p Alternatives is not empty); returns true, llvm::cl's
/// "error" result.
bool reportBadOptionValue(const llvm::cl::Option &O, llvm::StringRef Value,
                          llvm::StringRef Expected,
                          llvm::ArrayRef<llvm::StringRef> Alternatives = {});

/// The parser of an enumerated option (cl::values): an unknown value lists
/// the ones it accepts. Declare the option as
/// `EnumOpt<T>`.
template <typename T> class EnumParser : public llvm::cl::parser<T> {
public:
  using llvm::cl::parser<T>::parser;

  bool parse(llvm::cl::Option &O, llvm::StringRef ArgName, llvm::StringRef Arg, T &V) {
    llvm::StringRef Value = O.hasArgStr() ? Arg : ArgName;
    llvm::SmallVector<llvm::StringRef, 8> Names;
    for (const auto &Info : this->Values) {
      if (Info.Name == Value) {
        V = Info.V.getValue();
        return false;
      }
      Names.push_back(Info.Name);
    }
    return reportBadOptionValue(O, Value, "", Names);
  }
};

/// The parser of a numeric option: a value that is not a number of the
/// option's type is an error in ssc's words. Declare the option as
/// `NumberOpt<T>`.
template <typename T> class NumberParser : public llvm::cl::basic_parser<T> {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);

public:
  // llvm::cl's own parser of T is final; it still names the value in --help
  // and prints the value for --print-options.
  explicit NumberParser(llvm::cl::Option &O) : llvm::cl::basic_parser<T>(O), Base(O) {}

  llvm::StringRef getValueName() const override { return Base.getValueName(); }

  // --print-options prints the value through llvm::cl's parser of T.
  operator const llvm::cl::parser<T> &() const { return Base; }

  bool parse(llvm::cl::Option &O, llvm::StringRef, llvm::StringRef Arg, T &V) {
    if constexpr (std::is_floating_point_v<T>) {
      double D;
      if (!Arg.getAsDouble(D)) {
        V = static_cast<T>(D);
        return false;
      }
      return reportBadOptionValue(O, Arg, "a number");
    } else {
      // getAsInteger fails on overflow of T, and an unsigned T on a sign.
      if (!Arg.getAsInteger(0, V))
        return false;
      return reportBadOptionValue(
          O, Arg, std::is_signed_v<T> ? "a whole number" : "a whole number, 0 or more");
    }
  }

private:
  llvm::cl::parser<T> Base;
};

/// The parser of a boolean flag: `--flag`, `--flag=true` or `--flag=false`
/// (and llvm::cl's other spellings: 1, 0, TRUE, False, ...); another value
/// is an error in ssc's words. Declare the option as `BoolOpt`.
class BoolParser : public llvm::cl::parser<bool> {
public:
  using llvm::cl::parser<bool>::parser;

  bool parse(llvm::cl::Option &O, llvm::StringRef, llvm::StringRef Arg, bool &V) {
    if (Arg.empty() || Arg == "true" || Arg == "TRUE" || Arg == "True" || Arg == "1") {
      V = true;
      return false;
    }
    if (Arg == "false" || Arg == "FALSE" || Arg == "False" || Arg == "0") {
      V = false;
      return false;
    }
    return reportBadOptionValue(O, Arg, "true or false");
  }
};

/// Options that parse with the parsers above.
template <typename T> using EnumOpt = llvm::cl::opt<T, false, EnumParser<T>>;
template <typename T> using NumberOpt = llvm::cl::opt<T, false, NumberParser<T>>;
using BoolOpt = llvm::cl::opt<bool, false, BoolParser>;

/// Parses the command line as llvm::cl::ParseCommandLineOptions does, but
/// reports its errors through \p Diags; returns false after an error.
bool parseCommandLine(int Argc, const char *const *Argv, llvm::StringRef Overview,
                      DiagnosticEngine &Diags);

} // namespace ssc

#endif // SSC_SUPPORT_COMMANDLINE_H

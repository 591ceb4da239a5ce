//===- Diagnostics.h - Located error reporting ------------------*- C++ -*-===//
//
// Every error, warning and note in ssc goes through a DiagnosticEngine. Located
// diagnostics print as `file:line:col: error: message` followed by the source
// line and a caret, using llvm::SourceMgr; diagnostics without a location print
// as `ssc: error: message`.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SUPPORT_DIAGNOSTICS_H
#define SSC_SUPPORT_DIAGNOSTICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <set>
#include <string>

namespace ssc {

class DiagnosticEngine {
public:
  enum class Severity { Error, Warning, Note, Remark };

  explicit DiagnosticEngine(llvm::SourceMgr &SM,
                            llvm::raw_ostream &OS = llvm::errs());

  /// Reports a diagnostic at \p Loc. An invalid location prints the message
  /// without a source line, prefixed by the program name.
  void report(Severity Sev, llvm::SMLoc Loc, const llvm::Twine &Msg,
              llvm::ArrayRef<llvm::SMRange> Ranges = {});

  void error(llvm::SMLoc Loc, const llvm::Twine &Msg,
             llvm::ArrayRef<llvm::SMRange> Ranges = {}) {
    report(Severity::Error, Loc, Msg, Ranges);
  }
  void warning(llvm::SMLoc Loc, const llvm::Twine &Msg,
               llvm::ArrayRef<llvm::SMRange> Ranges = {}) {
    report(Severity::Warning, Loc, Msg, Ranges);
  }
  void note(llvm::SMLoc Loc, const llvm::Twine &Msg,
            llvm::ArrayRef<llvm::SMRange> Ranges = {}) {
    report(Severity::Note, Loc, Msg, Ranges);
  }
  void remark(llvm::SMLoc Loc, const llvm::Twine &Msg) {
    report(Severity::Remark, Loc, Msg);
  }
  /// An error without a source location (I/O failures, bad flags).
  void error(const llvm::Twine &Msg) { error(llvm::SMLoc(), Msg); }
  void warning(const llvm::Twine &Msg) { warning(llvm::SMLoc(), Msg); }
  void note(const llvm::Twine &Msg) { note(llvm::SMLoc(), Msg); }

  unsigned getNumErrors() const { return NumErrors; }
  unsigned getNumWarnings() const { return NumWarnings; }
  bool hasErrors() const { return NumErrors != 0; }

  /// After this many errors the engine prints one "too many errors" line and
  /// drops the rest (0: no limit).
  void setErrorLimit(unsigned Limit) { ErrorLimit = Limit; }
  void setWarningsAsErrors(bool V) { WarningsAsErrors = V; }
  void setSuppressWarnings(bool V) { SuppressWarnings = V; }
  void setProgramName(llvm::StringRef Name) { ProgramName = Name.str(); }

  llvm::SourceMgr &getSourceMgr() { return SM; }
  llvm::raw_ostream &getStream() { return OS; }

  /// Returns "file:line:col" for \p Loc, or "<unknown>".
  std::string formatLocation(llvm::SMLoc Loc) const;

private:
  llvm::SourceMgr &SM;
  llvm::raw_ostream &OS;
  std::string ProgramName = "ssc";
  unsigned NumErrors = 0;
  unsigned NumWarnings = 0;
  unsigned ErrorLimit = 20;
  bool LimitReached = false;
  // Notes attach to the preceding error or warning; when that one was
  // suppressed, its notes are too.
  bool LastSuppressed = false;
  bool WarningsAsErrors = false;
  bool SuppressWarnings = false;
  // Warnings already shown, by location and text: a check that runs twice
  // (the driver's and the pipeline's plan check) warns once.
  std::set<std::pair<const char *, std::string>> ShownWarnings;
};

/// Reads \p Path (or standard input for "-") into \p Diags' SourceMgr,
/// without a leading UTF-8 byte order mark; returns its buffer ID, or 0
/// after reporting an error at \p IncludeLoc.
unsigned loadFileBuffer(llvm::StringRef Path, DiagnosticEngine &Diags,
                        llvm::SMLoc IncludeLoc = llvm::SMLoc());

/// Closest candidate to \p Word by edit distance, or empty when none is close
/// enough to suggest ("did you mean ...?").
llvm::StringRef closestMatch(llvm::StringRef Word,
                             llvm::ArrayRef<llvm::StringRef> Candidates);

/// Appends "; did you mean 'x'?" when \p Word is close to a candidate.
std::string didYouMean(llvm::StringRef Word,
                       llvm::ArrayRef<llvm::StringRef> Candidates);

/// Joins candidates as "'a', 'b' or 'c'".
std::string joinAlternatives(llvm::ArrayRef<llvm::StringRef> Candidates);

} // namespace ssc

#endif // SSC_SUPPORT_DIAGNOSTICS_H

//===- Reader.h - Typed access to AST values --------------------*- C++ -*-===//
//
// Internal to lib/Sema. Reads numbers, words, strings and call arguments out
// of AST values, reporting a located error for every value of the wrong kind
// or out of range, so that each Sema routine only says what it expects.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_LIB_SEMA_READER_H
#define SSC_LIB_SEMA_READER_H

#include "ssc/AST/AST.h"
#include "ssc/Support/Diagnostics.h"

#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <set>
#include <string>
#include <utility>

namespace ssc::sema {

/// Largest size accepted for any dimension (hidden, vocab, intermediate...);
/// keeps every product the cost model forms far from overflow.
constexpr int64_t MaxDim = int64_t(1) << 24;
/// Largest count of heads, experts, layers or GPUs.
constexpr int64_t MaxCount = int64_t(1) << 20;
/// Largest context length in tokens.
constexpr int64_t MaxContext = int64_t(1) << 34;

class Reader {
public:
  explicit Reader(DiagnosticEngine &Diags) : Diags(Diags) {}

  bool failed() const { return Failed; }
  /// Errors raised through this reader, repeats included.
  unsigned numErrors() const { return NumErrors; }
  DiagnosticEngine &diags() { return Diags; }

  /// Reports an error. The same value can be checked more than once (a plan
  /// key written once for both phases, a clause shared by several layers);
  /// an error already reported at the same place with the same message is
  /// not reported again, and neither are its notes.
  void error(llvm::SMLoc Loc, const llvm::Twine &Msg,
             llvm::SMRange Range = llvm::SMRange());
  void error(const ast::Value &V, const llvm::Twine &Msg) {
    error(V.getLoc(), Msg, V.getRange());
  }
  void note(llvm::SMLoc Loc, const llvm::Twine &Msg) {
    if (!LastWasRepeat)
      Diags.note(Loc, Msg);
  }
  void warning(llvm::SMLoc Loc, const llvm::Twine &Msg) { Diags.warning(Loc, Msg); }

  /// An integer in [Min, Max]; \p What names the quantity in messages.
  std::optional<int64_t> getInt(const ast::Value &V, llvm::StringRef What,
                                int64_t Min, int64_t Max);
  /// A number (integer or float) in [Min, Max].
  std::optional<double> getNumber(const ast::Value &V, llvm::StringRef What,
                                  double Min, double Max);
  /// A positive factor, written `4x` or `4`.
  std::optional<double> getFactor(const ast::Value &V, llvm::StringRef What);
  std::optional<bool> getBool(const ast::Value &V, llvm::StringRef What);
  std::optional<std::string> getString(const ast::Value &V, llvm::StringRef What);
  /// A bare word among \p Choices.
  std::optional<std::string> getWord(const ast::Value &V, llvm::StringRef What,
                                     llvm::ArrayRef<llvm::StringRef> Choices);
  /// A top-k count written `top2`, `2` (or `top=2` as a named argument).
  std::optional<int64_t> getTopK(const ast::Value &V, llvm::StringRef What);

  /// Binds call arguments to parameter names: positional ones first, in
  /// order, then named ones. Out[i] is null for a parameter not given.
  /// Reports too many arguments, unknown or repeated names.
  bool bindArgs(const std::vector<ast::Arg> &Args,
                llvm::ArrayRef<llvm::StringRef> Params, llvm::SMLoc CallLoc,
                llvm::StringRef Callee,
                llvm::SmallVectorImpl<const ast::Value *> &Out);

  /// Reports a missing required argument of \p Callee.
  void missingArg(llvm::SMLoc CallLoc, llvm::StringRef Callee,
                  llvm::StringRef Param);

  /// Reports an unknown word with the valid ones and a suggestion.
  void unknown(llvm::SMLoc Loc, llvm::StringRef What, llvm::StringRef Word,
               llvm::ArrayRef<llvm::StringRef> Known);

private:
  DiagnosticEngine &Diags;
  bool Failed = false;
  bool LastWasRepeat = false;
  unsigned NumErrors = 0;
  std::set<std::pair<const char *, std::string>> Reported;
};

/// The kind of \p V with its article, for messages: "an integer", "a string".
std::string describeKind(const ast::Value &V);

} // namespace ssc::sema

#endif // SSC_LIB_SEMA_READER_H

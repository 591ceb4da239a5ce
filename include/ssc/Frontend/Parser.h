//===- Parser.h - Source text to AST ----------------------------*- C++ -*-===//
//
// The only entry point into the ANTLR-generated parser. Input is checked
// before ANTLR sees it (NUL bytes, invalid UTF-8, nesting depth, size), so
// that no input can crash, hang or exhaust the stack; syntax errors are
// reported through the DiagnosticEngine with a caret, and parsing stops at the
// first one.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_FRONTEND_PARSER_H
#define SSC_FRONTEND_PARSER_H

#include "ssc/AST/AST.h"
#include "ssc/Support/Diagnostics.h"

#include <memory>

namespace ssc {

struct ParserLimits {
  /// Deepest nesting of (), [] and {} accepted.
  unsigned MaxNesting = 256;
  /// Most tokens accepted in one file.
  size_t MaxTokens = 4'000'000;
  /// Largest file accepted, in bytes.
  size_t MaxBytes = 64u << 20;
};

/// Parses buffer \p BufferID of the engine's SourceMgr. Returns null after
/// reporting an error.
std::unique_ptr<ast::File> parseBuffer(unsigned BufferID, DiagnosticEngine &Diags,
                                       const ParserLimits &Limits = {});

/// Reads \p Path into the SourceMgr and parses it. \p IncludeLoc is the
/// import that asked for it (invalid for files named on the command line).
std::unique_ptr<ast::File> parseFile(llvm::StringRef Path, DiagnosticEngine &Diags,
                                     llvm::SMLoc IncludeLoc = llvm::SMLoc(),
                                     const ParserLimits &Limits = {});

} // namespace ssc

#endif // SSC_FRONTEND_PARSER_H

//===- ASTPrinter.h - Print the AST in the language's syntax ----*- C++ -*-===//
//
// Prints a file in normalized form: two-space indentation, one statement per
// line, canonical spelling of numbers and strings, comments dropped. Printing
// is a fixed point: print(parse(print(F))) == print(F), which lit tests check
// on every zoo file.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_AST_ASTPRINTER_H
#define SSC_AST_ASTPRINTER_H

#include "ssc/AST/AST.h"

#include "llvm/Support/raw_ostream.h"

namespace ssc::ast {

void print(const File &F, llvm::raw_ostream &OS);
void print(const Node &N, llvm::raw_ostream &OS, unsigned Indent = 0);
void print(const Value &V, llvm::raw_ostream &OS);

} // namespace ssc::ast

#endif // SSC_AST_ASTPRINTER_H

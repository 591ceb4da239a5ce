//===- Printer.h - Text and JSON forms of the IR ----------------*- C++ -*-===//
//
// The text form is stable and FileCheck-friendly: one op per line, layers as
// `layer N @kind { ... }` blocks, sizes bound to the module's workload. The
// JSON form carries the same content plus every op's metrics, for other
// tools. docs/ir.md describes both.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_IR_PRINTER_H
#define SSC_IR_PRINTER_H

#include "ssc/IR/IR.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace ssc::ir {

void printModule(const Module &M, llvm::raw_ostream &OS);
void printOp(const Module &M, const Op &O, llvm::raw_ostream &OS);
llvm::json::Value moduleToJSON(const Module &M);

/// A number for printing: integers plain, others with up to 4 decimals.
std::string formatNumber(double V);

} // namespace ssc::ir

#endif // SSC_IR_PRINTER_H

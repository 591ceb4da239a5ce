//===- SpecPrinter.h - Specs back to the language ---------------*- C++ -*-===//
//
// Prints a checked ModelSpec as a model block with every default made
// explicit: each layer kind written out in full (no model-level defaults, no
// `extends`), the stack as written, and the expanded layer ranges as a
// comment. The output parses back to the same spec. `ssc --emit=model` and
// `ssc import-hf` print through here.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SPEC_SPECPRINTER_H
#define SSC_SPEC_SPECPRINTER_H

#include "ssc/Spec/Gpu.h"
#include "ssc/Spec/Model.h"
#include "ssc/Spec/Plan.h"

#include "llvm/Support/raw_ostream.h"

namespace ssc {

void printModel(const ModelSpec &M, llvm::raw_ostream &OS);
/// One layer kind's clauses, `attn ...; mlp ...; norm ...;` on one line each,
/// indented by \p Indent.
void printLayerClauses(const LayerSpec &L, llvm::raw_ostream &OS, unsigned Indent);
void printGpu(const GpuSpec &G, llvm::raw_ostream &OS);
void printPlan(const PlanSpec &P, llvm::raw_ostream &OS);

} // namespace ssc

#endif // SSC_SPEC_SPECPRINTER_H

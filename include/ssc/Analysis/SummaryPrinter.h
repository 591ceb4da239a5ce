//===- SummaryPrinter.h - A ModelSummary as text, JSON or CSV ---*- C++ -*-===//
//
// The three views of `ssc FILE --emit=summary`. The JSON object and the CSV
// columns are a stable interface (scripts/update-catalog reads the JSON);
// docs/summary.md documents both.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_ANALYSIS_SUMMARYPRINTER_H
#define SSC_ANALYSIS_SUMMARYPRINTER_H

#include "ssc/Analysis/ModelSummary.h"

#include "llvm/Support/raw_ostream.h"

namespace ssc {

/// A report for people: parameter table, layer kinds, KV cache per dtype and
/// FLOPs per token.
void printSummaryText(const ModelSummary &S, const ModelSpec &M,
                      llvm::raw_ostream &OS);

/// One JSON object (keys in docs/summary.md), counts as integers.
void printSummaryJSON(const ModelSummary &S, const ModelSpec &M,
                      llvm::raw_ostream &OS);

/// A header line and one row, so that the rows of several models concatenate.
void printSummaryCSV(const ModelSummary &S, const ModelSpec &M,
                     llvm::raw_ostream &OS);

} // namespace ssc

#endif // SSC_ANALYSIS_SUMMARYPRINTER_H

//===- Format.h - Number formatting shared by printers ----------*- C++ -*-===//

#ifndef SSC_SUPPORT_FORMAT_H
#define SSC_SUPPORT_FORMAT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace ssc {

/// Shortest decimal spelling that reads back as the same double ("0.1",
/// "1e+20", "500000").
std::string formatShortest(double V);

/// Shortest fixed-notation spelling (no exponent), for factors like "1.5".
std::string formatFixedShortest(double V);

/// A count with an SI suffix and 3 significant digits: 8.03B, 70.6B, 512M.
std::string formatCount(double V);

/// Bytes in binary-free decimal units: 16.1 GB, 512 KB.
std::string formatBytes(double Bytes);

/// A duration given in milliseconds, with a unit that fits: 812 us, 41.2 ms,
/// 3.20 s.
std::string formatMillis(double Ms);

/// Fixed-point with \p Decimals digits after the point.
std::string formatFixed(double V, int Decimals);

/// \p S as one CSV field (RFC 4180): as is, or in double quotes with its
/// quotes doubled when it holds a comma, a quote or a line break.
std::string csvField(llvm::StringRef S);
/// Appends csvField(\p S) to \p Out without building a string of its own
/// (the sweep writes one per text field of every row).
void appendCsvField(std::string &Out, llvm::StringRef S);

/// \p S as a string literal of the language (docs/language.md), quotes and
/// escapes included, so that it reads back to \p S: a raw CR or LF would
/// end it.
std::string stringLiteral(llvm::StringRef S);

/// \p S as one word of a POSIX shell command line: as is when it holds
/// only characters no shell treats specially, else in single quotes (a
/// quote inside as '\'').
std::string shellWord(llvm::StringRef S);

/// \p Args as one POSIX shell command line: each a shellWord, separated by
/// spaces.
std::string shellCommand(llvm::ArrayRef<std::string> Args);

/// How many sequences memory holds, for messages about a batch that does
/// not fit: "at most 324 sequences fit", "at most 1 sequence fits", or "not
/// one sequence fits beside the weights" below one.
std::string describeSequencesThatFit(double MaxBatch);

} // namespace ssc

#endif // SSC_SUPPORT_FORMAT_H

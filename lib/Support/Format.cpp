//===- Format.cpp - Number formatting shared by printers ------------------===//

#include "ssc/Support/Format.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

std::string ssc::formatShortest(double V) {
  char Buf[64];
  auto R = std::to_chars(Buf, Buf + sizeof(Buf), V);
  std::string General(Buf, R.ptr);
  // Prefer plain digits ("500000", not "5e+05") unless they are much longer.
  if (General.find('e') == std::string::npos)
    return General;
  char Fixed[400];
  auto F = std::to_chars(Fixed, Fixed + sizeof(Fixed), V, std::chars_format::fixed);
  if (F.ec == std::errc() &&
      static_cast<size_t>(F.ptr - Fixed) <= General.size() + 4)
    return std::string(Fixed, F.ptr);
  return General;
}

std::string ssc::formatFixedShortest(double V) {
  char Buf[400];
  auto R = std::to_chars(Buf, Buf + sizeof(Buf), V, std::chars_format::fixed);
  if (R.ec != std::errc())
    return formatShortest(V);
  return std::string(Buf, R.ptr);
}

static std::string withSuffix(double V, const char *const *Suffixes,
                              unsigned NumSuffixes, double Base) {
  double A = std::fabs(V);
  unsigned I = 0;
  while (I + 1 < NumSuffixes && A >= Base * 0.9995) {
    A /= Base;
    V /= Base;
    ++I;
  }
  int Decimals = A >= 99.95 ? 0 : A >= 9.995 ? 1 : 2;
  if (I == 0 && V == std::floor(V))
    Decimals = 0;
  return fmt::format("{:.{}f}{}", V, Decimals, Suffixes[I]);
}

std::string ssc::formatCount(double V) {
  static const char *const S[] = {"", "K", "M", "B", "T"};
  return withSuffix(V, S, 5, 1000.0);
}

std::string ssc::formatBytes(double Bytes) {
  static const char *const S[] = {" B", " KB", " MB", " GB", " TB", " PB"};
  return withSuffix(Bytes, S, 6, 1000.0);
}

std::string ssc::formatMillis(double Ms) {
  double A = std::fabs(Ms);
  if (A < 1.0)
    return fmt::format("{:.{}f} us", Ms * 1000, A * 1000 >= 99.95 ? 0 : 1);
  if (A < 1000.0)
    return fmt::format("{:.{}f} ms", Ms, A >= 99.95 ? 1 : 2);
  return fmt::format("{:.2f} s", Ms / 1000);
}

std::string ssc::formatFixed(double V, int Decimals) {
  return fmt::format("{:.{}f}", V, Decimals);
}

std::string ssc::describeSequencesThatFit(double MaxBatch) {
  if (!(MaxBatch >= 1))
    return "not one sequence fits beside the weights";
  double N = std::floor(MaxBatch);
  return "at most " + formatFixed(N, 0) + (N == 1 ? " sequence fits" : " sequences fit");
}

void ssc::appendCsvField(std::string &Out, llvm::StringRef S) {
  if (S.find_first_of(",\"\n\r") == llvm::StringRef::npos) {
    Out.append(S.data(), S.size());
    return;
  }
  Out += '"';
  for (char C : S) {
    if (C == '"')
      Out += '"';
    Out += C;
  }
  Out += '"';
}

std::string ssc::stringLiteral(llvm::StringRef S) {
  std::string Out = "\"";
  for (char C : S) {
    switch (C) {
    case '"':
      Out += "\\\"";
      break;
    case '\\':
      Out += "\\\\";
      break;
    case '\n':
      Out += "\\n";
      break;
    case '\t':
      Out += "\\t";
      break;
    case '\r':
      Out += "\\r";
      break;
    default:
      Out += C;
    }
  }
  return Out + "\"";
}

std::string ssc::shellWord(llvm::StringRef S) {
  auto Plain = [](char C) { return llvm::isAlnum(C) || llvm::StringRef("_-./=,:+@%").contains(C); };
  if (!S.empty() && llvm::all_of(S, Plain))
    return S.str();
  std::string Out = "'";
  for (char C : S)
    Out += C == '\'' ? std::string("'\\''") : std::string(1, C);
  return Out + "'";
}

std::string ssc::shellCommand(llvm::ArrayRef<std::string> Args) {
  std::string Out;
  for (const std::string &A : Args) {
    if (!Out.empty())
      Out += ' ';
    Out += shellWord(A);
  }
  return Out;
}

std::string ssc::csvField(llvm::StringRef S) {
  std::string Out;
  appendCsvField(Out, S);
  return Out;
}

//===- Gpu.cpp - GPUs and targets -----------------------------------------===//

#include "ssc/Spec/Gpu.h"

#include <charconv>

using namespace ssc;

std::string Target::str() const {
  return Gpu->Name + "x" + std::to_string(Count);
}

bool ssc::splitTargetName(llvm::StringRef S, std::string &Gpu, int64_t &Count) {
  // The count follows the last 'x' when everything after it is digits:
  // "h100x16" -> h100, 16; "gb200-nvl72x48" -> gb200-nvl72, 48; "mi300x" has
  // no digits after its 'x', so it names one GPU.
  size_t X = S.rfind('x');
  if (X != llvm::StringRef::npos && X + 1 < S.size() && X > 0) {
    llvm::StringRef Digits = S.substr(X + 1);
    if (llvm::all_of(Digits, [](char C) { return C >= '0' && C <= '9'; })) {
      int64_t N = 0;
      auto R = std::from_chars(Digits.begin(), Digits.end(), N);
      if (R.ec != std::errc() || N <= 0)
        return false;
      Gpu = S.substr(0, X).str();
      Count = N;
      return true;
    }
  }
  Gpu = S.str();
  Count = 1;
  return true;
}

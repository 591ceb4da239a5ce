//===- Values.h - Value lists of sweep axes ---------------------*- C++ -*-===//
//
// An axis takes its values from a list written the same way on the command
// line and in a sweep file (docs/sweep.md):
//
//   8                one value
//   1,2,4,8          a list
//   1..8             every integer from 1 to 8
//   128..4096:128    from 128 to 4096 in steps of 128
//   16..512*2        16, 32, ..., 512 (times 2 each step, up to 512)
//   1,2,4..64*2,96   any mix of the above
//
// Some axes accept words too (ep=all, redundant-experts=fill,
// kv-len=isl-1). Errors carry the offset of the offending character so that
// callers can point at it.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SWEEP_VALUES_H
#define SSC_SWEEP_VALUES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ssc::sweep {

/// What went wrong, and where in the text.
struct ValueError {
  size_t Offset = 0;
  std::string Message;
};

/// A word an integer axis accepts in place of a number, and the value that
/// stands for it (outside the axis's numeric range).
struct Keyword {
  llvm::StringRef Word;
  int64_t Value;
};

/// The most values one axis may take.
constexpr size_t MaxAxisValues = 1000000;

/// Parses an integer list. Numbers must lie in [Min, Max]. Returns false and
/// fills \p Err on error; values may not repeat.
bool parseIntList(llvm::StringRef Text, int64_t Min, int64_t Max,
                  llvm::ArrayRef<Keyword> Words, std::vector<int64_t> &Out,
                  ValueError &Err);

/// Parses a list of numbers (profile parameters): numbers and A..B:S ranges.
bool parseNumberList(llvm::StringRef Text, std::vector<double> &Out, ValueError &Err);

/// Parses a comma-separated list of words; each must be non-empty and
/// unique. Offsets of the words are returned beside them.
bool parseWordList(llvm::StringRef Text,
                   std::vector<std::pair<std::string, size_t>> &Out, ValueError &Err);

/// The decode KV length of a point: isl + osl/2 (ssc's default), a fixed
/// number of tokens, or the prompt length plus an offset (isl-1).
struct KvLenValue {
  enum class Kind : uint8_t { Default, Tokens, FromIsl };
  Kind K = Kind::Default;
  int64_t Value = 0;
  bool operator==(const KvLenValue &O) const { return K == O.K && Value == O.Value; }
  /// "isl-1", "4096" or "default".
  std::string str() const;
  /// The KV length for a prompt of \p Isl and an output of \p Osl tokens.
  int64_t resolve(int64_t Isl, int64_t Osl) const {
    switch (K) {
    case Kind::Default: return Isl + Osl / 2;
    case Kind::Tokens: return Value;
    case Kind::FromIsl: return Isl + Value;
    }
    return Value;
  }
};

/// Parses kv-len values: numbers and ranges as for integers, `isl`,
/// `isl+N`, `isl-N` and `default`.
bool parseKvLenList(llvm::StringRef Text, std::vector<KvLenValue> &Out, ValueError &Err);

} // namespace ssc::sweep

#endif // SSC_SWEEP_VALUES_H

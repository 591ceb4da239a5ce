//===- DType.h - Numeric formats of weights, activations and KV -*- C++ -*-===//

#ifndef SSC_SUPPORT_DTYPE_H
#define SSC_SUPPORT_DTYPE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace ssc {

/// The numeric formats ssc knows. FP8 is e4m3/e5m2 (one byte); FP4 covers
/// NVFP4 and MXFP4 (half a byte plus block scales, see bytesPerElement); INT4
/// is weight-only 4-bit quantization (AWQ/GPTQ style).
enum class DType : unsigned char { FP32, TF32, BF16, FP16, FP8, FP4, INT8, INT4 };

constexpr unsigned NumDTypes = 8;

/// Lower-case spelling used in the language, the IR and reports.
llvm::StringRef dtypeName(DType T);

/// Parses a spelling ("bf16", "fp8", "nvfp4", "mxfp4", "e4m3", ...).
std::optional<DType> parseDType(llvm::StringRef S);

/// The spellings accepted by parseDType, for diagnostics.
llvm::ArrayRef<llvm::StringRef> dtypeSpellings();

/// Storage bytes per element, including block-scale overhead for the 4-bit
/// formats (one 8-bit scale per 16 elements: NVFP4 / group-16 int4).
double bytesPerElement(DType T);

} // namespace ssc

#endif // SSC_SUPPORT_DTYPE_H

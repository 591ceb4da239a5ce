//===- DType.h - Numeric formats of weights, activations and KV -*- C++ -*-===//

#ifndef SSC_SUPPORT_DTYPE_H
#define SSC_SUPPORT_DTYPE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace ssc {

/// The numeric formats ssc knows. FP8 is e4m3/e5m2 (one byte); FP4 is NVFP4
/// (half a byte plus an 8-bit scale per 16 elements), whose GEMMs quantize
/// their activations too and run on fp4 tensor cores; INT4 is weight-only
/// 4-bit quantization (AWQ/GPTQ style); MXFP4 (an 8-bit scale per 32
/// elements) is weight-only too: its GEMMs dequantize the weights and compute
/// in bf16, as TensorRT-LLM runs openai's gpt-oss checkpoint (W4A16_MXFP4)
/// and as Hopper frameworks do.
enum class DType : unsigned char { FP32, TF32, BF16, FP16, FP8, FP4, INT8, INT4, MXFP4 };

constexpr unsigned NumDTypes = 9;

/// Weight-only formats: the weights are stored narrow and dequantized in the
/// kernel, whose math runs in bf16.
inline bool isWeightOnly(DType T) { return T == DType::INT4 || T == DType::MXFP4; }

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

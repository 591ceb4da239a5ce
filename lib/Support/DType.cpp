//===- DType.cpp - Numeric formats -----------------------------------------===//

#include "ssc/Support/DType.h"

#include "llvm/ADT/StringSwitch.h"

using namespace ssc;

llvm::StringRef ssc::dtypeName(DType T) {
  switch (T) {
  case DType::FP32: return "fp32";
  case DType::TF32: return "tf32";
  case DType::BF16: return "bf16";
  case DType::FP16: return "fp16";
  case DType::FP8: return "fp8";
  case DType::FP4: return "fp4";
  case DType::INT8: return "int8";
  case DType::INT4: return "int4";
  case DType::MXFP4: return "mxfp4";
  }
  return "?";
}

std::optional<DType> ssc::parseDType(llvm::StringRef S) {
  return llvm::StringSwitch<std::optional<DType>>(S.lower())
      .Case("fp32", DType::FP32)
      .Case("f32", DType::FP32)
      .Case("tf32", DType::TF32)
      .Case("bf16", DType::BF16)
      .Case("fp16", DType::FP16)
      .Case("f16", DType::FP16)
      .Case("fp8", DType::FP8)
      .Case("e4m3", DType::FP8)
      .Case("fp4", DType::FP4)
      .Case("nvfp4", DType::FP4)
      .Case("mxfp4", DType::MXFP4)
      .Case("int8", DType::INT8)
      .Case("int4", DType::INT4)
      .Default(std::nullopt);
}

llvm::ArrayRef<llvm::StringRef> ssc::dtypeSpellings() {
  static const llvm::StringRef Names[] = {"fp32", "tf32", "bf16", "fp16", "fp8",
                                          "fp4",  "nvfp4", "mxfp4", "int8", "int4"};
  return Names;
}

double ssc::bytesPerElement(DType T) {
  switch (T) {
  case DType::FP32:
  case DType::TF32:
    return 4;
  case DType::BF16:
  case DType::FP16:
    return 2;
  case DType::FP8:
  case DType::INT8:
    return 1;
  case DType::FP4:
  case DType::INT4:
    return 0.5 + 1.0 / 16; // 4 bits + one 8-bit scale per 16 elements
  case DType::MXFP4:
    return 0.5 + 1.0 / 32; // 4 bits + one 8-bit scale per 32 elements
  }
  return 2;
}

//===- Gpu.h - GPUs and targets ---------------------------------*- C++ -*-===//
//
// A GpuSpec is one entry of the GPU catalog (targets/gpus.arch) or a `gpu`
// block of the user's; a Target is a number of GPUs of one kind, grouped into
// scale-up domains (NVLink / Infinity Fabric) joined by a scale-out network.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SPEC_GPU_H
#define SSC_SPEC_GPU_H

#include "ssc/Support/DType.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/SMLoc.h"

#include <array>
#include <string>
#include <vector>

namespace ssc {

struct GpuSpec {
  std::string Name; // catalog name: lower case, e.g. "h100", "gb200-nvl72"
  llvm::SMLoc Loc;
  std::string Vendor;
  std::string Description;
  std::vector<std::string> Aliases; // other spellings, e.g. the seed's "H800"

  /// Dense peak TFLOP/s per dtype; 0 where the GPU has no such unit.
  std::array<double, NumDTypes> Tflops{};
  double MemoryGB = 0;   // HBM capacity, GB (1e9 bytes)
  double HbmGBps = 0;    // HBM bandwidth, GB/s
  int64_t Sms = 0;       // streaming multiprocessors / compute units
  int64_t CommSms = 0;   // SMs a communication library reserves (DeepEP)
  int64_t ScaleUpGpus = 1;       // GPUs per scale-up domain
  double ScaleUpGBps = 0;        // per GPU, per direction
  double ScaleUpLatencyUs = 0;
  double ScaleOutGBps = 0;       // per GPU, per direction
  double ScaleOutLatencyUs = 0;
  /// Where each group of numbers comes from, by clause ("tflops", "memory").
  std::vector<std::pair<std::string, std::string>> Sources;

  double tflops(DType T) const { return Tflops[static_cast<unsigned>(T)]; }
  bool supports(DType T) const { return tflops(T) > 0; }
  /// Whether \p N is this GPU's name or one of its aliases.
  bool isNamed(llvm::StringRef N) const {
    return N == Name || llvm::is_contained(Aliases, N);
  }
};

struct Target {
  const GpuSpec *Gpu = nullptr;
  int64_t Count = 1;

  /// GPUs in one scale-up domain of this target.
  int64_t domainSize() const {
    return std::min<int64_t>(Count, Gpu->ScaleUpGpus);
  }
  int64_t numDomains() const {
    return (Count + Gpu->ScaleUpGpus - 1) / Gpu->ScaleUpGpus;
  }
  /// "h100x16".
  std::string str() const;
};

/// Splits "h100x16" into ("h100", 16). A name without a count means one GPU.
/// Returns false when the count is malformed.
bool splitTargetName(llvm::StringRef S, std::string &Gpu, int64_t &Count);

} // namespace ssc

#endif // SSC_SPEC_GPU_H

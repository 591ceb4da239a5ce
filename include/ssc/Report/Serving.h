//===- Serving.h - Serving modes: offline steady state ------------*- C++ -*-===//
//
// `prefill` and `decode` cost one phase at a given batch (Report.h). The
// `offline` mode is the steady state of a server under unlimited load with
// fixed prompt (isl) and output (osl) lengths, as TensorRT-LLM, vLLM and
// SGLang serve it: continuous batching keeps B sequences in flight (as many
// as memory allows with each one's whole KV reserved, up to the profile's
// scheduler limits: sequences in flight, tokens per step), and every step
// decodes one token of each while prefilling, in chunks, the prompts of the
// sequences that replace the finished ones: B * isl / osl prompt tokens per
// step on average. One such mixed step is costed as the decode module at
// B + c tokens (GEMMs, norms, collectives see every token of the step), with
// attention and the output head replaced by their real shapes: decode
// attention of B sequences at the mean KV length isl + osl/2, and c/isl
// prompts' worth of causal prefill attention.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_REPORT_SERVING_H
#define SSC_REPORT_SERVING_H

#include "ssc/Cost/CostModel.h"
#include "ssc/Report/Uncertainty.h"

#include <string>
#include <vector>

namespace ssc::report {

struct OfflineOptions {
  int64_t Isl = 1024;
  int64_t Osl = 256;
  /// Most sequences per replica the scheduler keeps in flight (0: the
  /// profile's serving.max_batch, or memory alone).
  double MaxBatch = 0;
};

struct OfflineResult {
  bool Fits = false;           // at least one sequence fits
  double Batch = 0;            // sequences in flight per replica
  std::string BatchLimit;      // "memory", "max batch" or "tokens per step"
  double PrefillTokensPerStep = 0;
  double StepMs = 0;           // one mixed step; the time between tokens
  double OutputTokensPerSec = 0;       // all replicas
  double OutputTokensPerSecPerGpu = 0;
  double OutputTokensPerSecPerUser = 0;
  double TtftMs = 0; // a prompt's prefill when it has the GPUs alone (lower bound)
  int64_t Gpus = 1, Replicas = 1;
  cost::Bound Dominant = cost::Bound::None;
  cost::MemoryUse Memory;
  Band Uncertainty; // of the output rate (Uncertainty.h)
  std::vector<std::string> Notes;
};

/// The offline steady state. \p Prefill is the model lowered for one prompt
/// of isl tokens, \p Decode for one decode step (any batch, KV length
/// isl + osl/2): both are re-evaluated at the workloads above.
OfflineResult evaluateOffline(const ir::Module &Prefill, const ir::Module &Decode,
                              const cost::Profile &P, const GpuSpec &Gpu,
                              const OfflineOptions &Opts);

} // namespace ssc::report

#endif // SSC_REPORT_SERVING_H

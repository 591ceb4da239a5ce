//===- Serving.h - Serving modes: offline steady state ------------*- C++ -*-===//
//
// `prefill` and `decode` cost one phase at a given batch (Report.h). The
// `offline` mode is the steady state of a server under unlimited load with
// fixed prompt (isl) and output (osl) lengths, as TensorRT-LLM, vLLM and
// SGLang serve it: continuous batching keeps B sequences in flight (as many
// as memory allows with each one's whole KV reserved, up to the profile's
// scheduler limits: sequences in flight, tokens per step), and every step
// decodes one token of each while the prompts of the sequences that replace
// the finished ones are prefilled: B * isl / osl = c prompt tokens per step
// on average. The scheduler admits prompts whole (chunked only where one
// does not fit the step's token budget beside the decodes), so when fewer
// than one sequence finishes per step, one step in isl / c prefills a prompt
// and the others only decode. A step that prefills is costed as the decode
// module at B + chunk tokens (GEMMs, norms, collectives see every token of
// the step), with attention and the output head replaced by their real
// shapes: decode attention of B sequences at the mean KV length
// isl + osl/2, and chunk/isl prompts' worth of causal prefill attention; a
// step that only decodes is the decode step at B. The mean step weighs the
// two by how often they occur.
//
// A finite run (OfflineOptions::Requests) is what a benchmark measures: N
// requests queued at once, spread over the replicas, from the first prompt
// to the last token. It fills the batch first (prompts only) and drains it
// at the end (fewer sequences per step), which the steady state has
// neither. It is simulated step by step with the same scheduler (the batch,
// the token budget, prompts admitted as slots free) and the step costed as
// above at each step's decodes and prompt tokens (the cost model evaluated
// on a grid of token counts and interpolated); its throughput is reported
// as the steady state's times the simulated run's over a simulated long
// run, so that the two differ by the fill and the drain alone.
//
// With pipeline stages, the scheduler keeps one micro-batch per stage in
// flight (or the plan's micro_batches, if more), each of B / m sequences,
// and its caps (sequences, tokens per step) bound each micro-batch. Every
// stage then works on one micro-batch after another: a micro-batch's step
// takes the pipeline's period, m times its slowest stage or the sum of its
// stages, whichever is longer (its next step needs the last stage's token).
//
//===----------------------------------------------------------------------===//

#ifndef SSC_REPORT_SERVING_H
#define SSC_REPORT_SERVING_H

#include "ssc/Cost/CostModel.h"
#include "ssc/Report/Uncertainty.h"

#include <optional>
#include <string>
#include <vector>

namespace ssc::report {

struct OfflineOptions {
  int64_t Isl = 1024;
  int64_t Osl = 256;
  /// Most sequences per replica the scheduler keeps in flight (0: the
  /// profile's serving.max_batch, or memory alone).
  double MaxBatch = 0;
  /// Requests of a finite run over all replicas (0: the steady state only).
  int64_t Requests = 0;
};

/// A finite run of OfflineOptions::Requests requests.
struct FiniteRun {
  int64_t Requests = 0;   // over all replicas
  int64_t PerReplica = 0; // on the busiest replica
  double Seconds = 0;     // from the first prompt to the last token
  /// Its output rate over the steady state's: what the fill and the drain
  /// cost (at most 1).
  double Factor = 1;
  double OutputTokensPerSec = 0; // all replicas
  double OutputTokensPerSecPerGpu = 0;
};

struct OfflineResult {
  bool Fits = false;           // at least one sequence fits
  double Batch = 0;            // sequences in flight per replica
  std::string BatchLimit;      // "memory", "max batch" or "tokens per step"
  int64_t MicroBatches = 1;    // in flight with pipeline stages, B / m sequences each
  double PrefillTokensPerStep = 0;       // on average, per micro-batch
  double PromptTokensPerPrefillStep = 0; // in a step that prefills
  double PrefillStepShare = 0;           // of the steps, those that prefill
  double MixedStepMs = 0;  // a step that prefills
  double DecodeStepMs = 0; // a step that only decodes
  double StepMs = 0;       // the mean step: the mean time between tokens
  double OutputTokensPerSec = 0;       // all replicas
  double OutputTokensPerSecPerGpu = 0;
  double OutputTokensPerSecPerUser = 0;
  double TtftMs = 0; // a prompt's prefill when it has the GPUs alone (lower bound)
  int64_t Gpus = 1, Replicas = 1;
  cost::Bound Dominant = cost::Bound::None;
  cost::MemoryUse Memory;
  Band Uncertainty; // of the output rate (Uncertainty.h)
  std::optional<FiniteRun> Run; // with OfflineOptions::Requests
  std::vector<std::string> Notes;
};

/// The offline steady state. \p Prefill is the model lowered for one prompt
/// of isl tokens, \p Decode for one decode step (any batch, KV length
/// isl + osl/2): both are re-evaluated at the workloads above.
OfflineResult evaluateOffline(const ir::Module &Prefill, const ir::Module &Decode,
                              const cost::Profile &P, const GpuSpec &Gpu,
                              const OfflineOptions &Opts);
/// Why an offline result does not fit (OfflineResult::Fits false): "not one
/// sequence of N tokens fits in memory beside the weights: ...", for
/// sequences of \p SequenceTokens (isl + osl).
std::string describeNoFit(const OfflineResult &R, int64_t SequenceTokens);

/// The same with cost models already prepared for \p Prefill (\p CP) and
/// \p Decode (\p CD), as a sweep keeps them across points.
OfflineResult evaluateOffline(const ir::Module &Prefill, const ir::Module &Decode,
                              const cost::CostModel &CP, const cost::CostModel &CD,
                              const OfflineOptions &Opts);

} // namespace ssc::report

#endif // SSC_REPORT_SERVING_H

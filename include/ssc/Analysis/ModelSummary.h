//===- ModelSummary.h - Parameters, KV cache and FLOPs of a model -*- C++ -*-===//
//
// What a model costs before any hardware is chosen: how many parameters it
// has (in total and per token), how much KV cache a token of context takes and
// how many FLOPs a token costs in prefill and in decode. Computed from the
// checked ModelSpec only; docs/summary.md defines every number.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_ANALYSIS_MODELSUMMARY_H
#define SSC_ANALYSIS_MODELSUMMARY_H

#include "ssc/Spec/Model.h"
#include "ssc/Spec/PlanDefaults.h"
#include "ssc/Support/DType.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ssc {

/// The context length a summary uses when none is given (capped at the
/// model's own context).
constexpr int64_t DefaultSummaryContext = 4096;

/// Where parameters live. MLA's LoRA norms, q/k norms and learned sinks count
/// as attention; the per-layer and final norms as norms; Mtp holds the whole
/// multi-token-prediction modules (their layers, projections and norms).
enum class ParamGroup : unsigned {
  Embedding,
  Attention,
  Mlp,
  Experts, // routed experts
  SharedExperts,
  Router,
  Norms,
  LmHead,
  Mtp,
};
constexpr unsigned NumParamGroups = 9;

/// "embedding", "attention", "mlp", "experts", "shared_experts", "router",
/// "norms", "lm_head", "mtp".
llvm::StringRef paramGroupName(ParamGroup G);

/// Parameters stored (Total) and used by one token (Active: routed experts
/// count top-k of E, everything else fully).
struct ParamCount {
  int64_t Total = 0;
  int64_t Active = 0;

  ParamCount &operator+=(const ParamCount &O) {
    Total += O.Total;
    Active += O.Active;
    return *this;
  }
};

struct ParamBreakdown {
  std::array<ParamCount, NumParamGroups> Groups{};

  ParamCount &operator[](ParamGroup G) { return Groups[static_cast<unsigned>(G)]; }
  const ParamCount &operator[](ParamGroup G) const {
    return Groups[static_cast<unsigned>(G)];
  }
  ParamBreakdown &operator+=(const ParamBreakdown &O);
  ParamCount total() const;
};

/// The KV-cache formats a summary reports.
llvm::ArrayRef<DType> summaryKvTypes();

/// One layer of the expanded stack (MTP layers last, when counted).
struct LayerSummary {
  unsigned Index = 0; // position in the stack (MTP layers continue the count)
  unsigned Kind = 0;  // index into ModelSpec::LayerKinds
  bool IsMtp = false;
  ParamBreakdown Params; // the layer alone (an MTP layer's extras are not here)
  int64_t KvElementsPerToken = 0; // 0 when the layer shares another's cache
  int64_t CachedTokens = 0;       // tokens of KV kept at the context
  double PrefillAttended = 0;     // keys a prompt token attends to, on average
  int64_t DecodeAttended = 0;     // keys the decoded token attends to
  double PrefillFlops = 0;        // per prompt token
  double DecodeFlops = 0;         // per decoded token
};

struct SummaryOptions {
  int64_t Context = 0;     // tokens; 0: DefaultSummaryContext capped at the model's
  bool IncludeMtp = false; // count, cache and run the MTP modules
};

struct ModelSummary {
  std::string Model;
  int64_t Context = 0;
  bool IncludesMtp = false;
  ParamBreakdown Params;
  std::vector<LayerSummary> Layers;
  /// Elements cached per token of context, summed over layers, before any
  /// window or budget applies.
  int64_t KvElementsPerToken = 0;
  /// Elements one sequence of Context tokens keeps, windows applied.
  int64_t KvElementsPerSequence = 0;
  double PrefillFlopsPerSequence = 0; // a Context-token prompt, logits once
  double DecodeFlopsPerToken = 0;     // one token at position Context
  /// The parts of the two above spent in attention scores and values.
  double PrefillAttentionFlopsPerSequence = 0;
  double DecodeAttentionFlopsPerToken = 0;

  int64_t paramsTotal() const { return Params.total().Total; }
  int64_t paramsActive() const { return Params.total().Active; }
  double kvBytesPerSequence(DType T) const {
    return static_cast<double>(KvElementsPerSequence) * bytesPerElement(T);
  }
  /// KV bytes per token of context: the sequence's cache over its length.
  double kvBytesPerToken(DType T) const {
    return Context ? kvBytesPerSequence(T) / static_cast<double>(Context) : 0;
  }
  double prefillFlopsPerToken() const {
    return Context ? PrefillFlopsPerSequence / static_cast<double>(Context) : 0;
  }
};

/// Parameters of one layer's attention: projections (MLA: q_a/q_b or q,
/// kv_a with the rope part, kv_b, o), biases, q/k norms, MLA's LoRA norms and
/// learned sinks. \p NormKind is the layer's norm, used for the inner norms.
ParamCount attentionParams(const AttentionSpec &A, int64_t Hidden, NormKind Norm);

/// Parameters of one layer, by group.
ParamBreakdown layerParams(const LayerSpec &L, int64_t Hidden);

/// Keys one token attends to, averaged over the positions 1..PromptLen of a
/// causal prefill, with windows (plus sink tokens) and chunks applied. KV
/// selection (H2O, Quest) applies to decode only.
double averagePrefillAttended(const AttentionSpec &A, int64_t PromptLen);

/// "gqa+swa 5:1", "mla", "gqa+chunk 3:1+nope 1:3": the attention kinds of the
/// main stack and the features some layers have (swa, chunk, nope, sinks,
/// share_kv, h2o, quest), with the ratio of layers with and without each
/// within the stack's repeating period when not all layers have it.
std::string attentionCombination(const ModelSpec &M);

/// Summarizes \p M. Fails when the context is not positive or exceeds the
/// model's.
llvm::Expected<ModelSummary> summarize(const ModelSpec &M,
                                       const SummaryOptions &Opts = {});

/// The model's weight bytes with dense weights in \p Weights and routed
/// experts in \p ExpertWeights, for the default plan's fit check (zero
/// bytes when the model cannot be summarized).
WeightFootprint weightFootprint(const ModelSpec &M, DType Weights, DType ExpertWeights);

} // namespace ssc

#endif // SSC_ANALYSIS_MODELSUMMARY_H

//===- Model.h - Checked description of a model architecture ----*- C++ -*-===//
//
// What Sema produces from a `model` block: sizes, layer kinds and the layer
// stack, with defaults applied and every value checked. Later stages (IR,
// summaries, the importer's tests) read these structs, never the AST.
//
// Source locations are kept for the values that later checks refer to (a
// plan's tp against the heads, an ep against the experts).
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SPEC_MODEL_H
#define SSC_SPEC_MODEL_H

#include "ssc/Support/DType.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ssc {

enum class AttentionKind { MHA, GQA, MQA, MLA };
enum class RopeScaling { None, Linear, Dynamic, Yarn, Llama3, LongRope };
enum class NormKind { RMSNorm, LayerNorm };
/// Where the norms sit around each sub-block: before it (pre), after it inside
/// the residual branch (post, OLMo 2), both (sandwich, Gemma 2/3), or one norm
/// feeding attention and MLP computed in parallel (parallel, GPT-J/Phi-2).
enum class NormPlacement { Pre, Post, Sandwich, Parallel };
enum class MlpKind { SwiGLU, GeGLU, GELU, ReLU };
enum class RouterScore { Softmax, Sigmoid };
/// Which attention projections carry a bias.
enum class AttentionBias { None, QKV, All };
/// Dynamic KV-cache sparsity: H2O evicts to a budget of heavy hitters; Quest
/// keeps the whole cache but reads only the budget's worth of pages per step.
enum class KvSelection { None, H2O, Quest };

llvm::StringRef attentionKindName(AttentionKind K);
llvm::StringRef ropeScalingName(RopeScaling S);
llvm::StringRef normKindName(NormKind K);
llvm::StringRef normPlacementName(NormPlacement P);
llvm::StringRef mlpKindName(MlpKind K);

struct RopeSpec {
  bool Enabled = true; // false: NoPE
  double Theta = 10000.0;
  double Partial = 1.0; // fraction of head_dim rotated (Phi-2: 0.4)
  RopeScaling Scaling = RopeScaling::None;
  double Factor = 1.0;
  int64_t OriginalContext = 0; // 0: not given
  double LowFreqFactor = 1.0;  // llama3 scaling
  double HighFreqFactor = 4.0; // llama3 scaling
};

struct AttentionSpec {
  llvm::SMLoc Loc;
  AttentionKind Kind = AttentionKind::MHA;
  int64_t Heads = 0;
  llvm::SMLoc HeadsLoc;
  int64_t KvHeads = 0; // MHA: Heads; MQA: 1; MLA: Heads (decompressed)
  llvm::SMLoc KvHeadsLoc;
  int64_t HeadDim = 0; // q/k/v head size (MLA: see below)

  // Multi-head latent attention (DeepSeek-V2/V3, Kimi K2).
  int64_t QLoraRank = 0; // 0: queries are not compressed
  int64_t KvLoraRank = 0;
  int64_t QkNopeDim = 0;
  int64_t QkRopeDim = 0;
  int64_t VHeadDim = 0;

  int64_t Window = 0; // sliding window in tokens; 0: global
  llvm::SMLoc WindowLoc;
  int64_t Chunk = 0; // chunked local attention (Llama 4); 0: none
  llvm::SMLoc ChunkLoc;
  int64_t SinkTokens = 0;    // StreamingLLM: first tokens kept beside the window
  bool LearnedSinks = false; // per-head sink logits (gpt-oss)
  RopeSpec Rope;
  bool QkNorm = false;
  /// The q/k norms span the whole projection (OLMo 2: one norm over
  /// heads*head_dim) instead of one head_dim norm shared by all heads.
  bool QkNormFull = false;
  AttentionBias Bias = AttentionBias::None;
  bool SharesKv = false; // reuses the KV cache of the previous KV layer
  double Softcap = 0;    // logit soft-capping (Gemma 2); no effect on cost
  KvSelection Selection = KvSelection::None;
  int64_t KvBudget = 0; // tokens kept (H2O) or read per step (Quest)
  int64_t PageSize = 0; // Quest page size

  bool isMLA() const { return Kind == AttentionKind::MLA; }
  /// Width of one query/key head (MLA: nope + rope).
  int64_t qkHeadDim() const { return isMLA() ? QkNopeDim + QkRopeDim : HeadDim; }
  /// Width of one value head.
  int64_t vHeadDim() const { return isMLA() ? VHeadDim : HeadDim; }
  /// Elements cached per token for this layer (K and V, or MLA's latent).
  int64_t kvCacheElementsPerToken() const {
    if (SharesKv)
      return 0;
    if (isMLA())
      return KvLoraRank + QkRopeDim;
    return 2 * KvHeads * HeadDim;
  }
  /// Tokens of KV one sequence keeps at context length \p Ctx.
  int64_t cachedTokens(int64_t Ctx) const;
  /// Tokens of KV one decode step reads at context length \p Ctx.
  int64_t attendedTokens(int64_t Ctx) const;
};

struct MlpSpec {
  llvm::SMLoc Loc;
  MlpKind Kind = MlpKind::SwiGLU;
  int64_t Intermediate = 0;
  bool Bias = false;

  bool isGated() const { return Kind == MlpKind::SwiGLU || Kind == MlpKind::GeGLU; }
  /// Weight matrices of hidden x intermediate size (3 gated, 2 plain).
  int64_t numMatrices() const { return isGated() ? 3 : 2; }
};

struct MoeSpec {
  llvm::SMLoc Loc;
  int64_t Experts = 0;
  llvm::SMLoc ExpertsLoc;
  int64_t TopK = 0;
  llvm::SMLoc TopKLoc;
  MlpSpec Expert;
  int64_t SharedExperts = 0;
  int64_t SharedIntermediate = 0; // per shared expert
  bool SharedGate = false;        // sigmoid gate on the shared expert (Qwen2-MoE)
  int64_t Groups = 1;             // expert groups for group-limited routing
  int64_t GroupTopK = 1;
  RouterScore Score = RouterScore::Softmax;
  bool RouterBias = false;
};

struct NormSpec {
  llvm::SMLoc Loc;
  NormKind Kind = NormKind::RMSNorm;
  NormPlacement Placement = NormPlacement::Pre;

  /// Parameters of one norm over a vector of width \p Dim.
  int64_t params(int64_t Dim) const {
    return Kind == NormKind::LayerNorm ? 2 * Dim : Dim;
  }
};

/// One kind of layer (`layer NAME { ... }`); the stack refers to kinds by
/// index.
struct LayerSpec {
  std::string Name;
  llvm::SMLoc Loc;
  AttentionSpec Attn;
  std::optional<MlpSpec> Mlp; // exactly one of Mlp and Moe is set
  std::optional<MoeSpec> Moe;
  NormSpec Norm;

  bool isMoe() const { return Moe.has_value(); }
};

/// The layer stack as written: a sequence of layer references, repetitions
/// (`3 x dense`) and cycles (`62 of [5 x local, global]`).
struct StackPattern {
  enum class Kind { Layer, Sequence, Repeat, Cycle };
  Kind K = Kind::Sequence;
  llvm::SMLoc Loc;
  unsigned LayerIndex = 0; // Kind::Layer
  int64_t Count = 0;       // Kind::Repeat and Kind::Cycle
  std::vector<StackPattern> Children;

  /// Appends the explicit layer sequence to \p Out; stops (returning false)
  /// once more than \p Limit layers would be produced.
  bool expand(std::vector<unsigned> &Out, size_t Limit) const;
  /// The pattern in the language's syntax, with layer names from \p Kinds.
  std::string str(const std::vector<LayerSpec> &Kinds) const;
};

struct ModelSpec {
  std::string Name;
  llvm::SMLoc Loc;
  std::string Source; // where the numbers come from (config.json, paper)
  int64_t Hidden = 0;
  int64_t Vocab = 0;
  int64_t MaxContext = 0;
  llvm::SMLoc MaxContextLoc;
  bool TieEmbeddings = false;
  bool LmHeadBias = false; // the output projection has a bias (Phi-2)
  DType WeightType = DType::BF16; // the released checkpoint's weights
  DType ExpertWeightType = DType::BF16; // routed experts' weights (gpt-oss: fp4)
  /// fp8 weights scaled per Fp8Block x Fp8Block block, with activations
  /// quantized at run time per 1 x Fp8Block group (DeepSeek-V3's recipe,
  /// `fp8(block=128)`); 0: one scale per tensor.
  int64_t Fp8Block = 0;

  std::vector<LayerSpec> LayerKinds;
  StackPattern Stack;
  llvm::SMLoc StackLoc;
  std::vector<unsigned> Layers; // the stack expanded: one kind index per layer

  /// Multi-token-prediction modules (DeepSeek-V3): not part of the main
  /// stack; counted and run only when asked for.
  StackPattern MtpStack;
  std::vector<unsigned> MtpLayers;

  const LayerSpec &layer(size_t I) const { return LayerKinds[Layers[I]]; }
  size_t numLayers() const { return Layers.size(); }
  bool hasMoe() const;
  /// The norm used for the final norm (the first layer's kind).
  NormKind finalNormKind() const;
};

} // namespace ssc

#endif // SSC_SPEC_MODEL_H

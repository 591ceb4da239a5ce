//===- LlamaLike.cpp - Llama-style decoders and their MoE variants --------===//
//
// llama, mistral, mixtral, qwen2, qwen2_moe, qwen3, qwen3_moe, olmo2, smollm3
// and phi3 share one layout: RMSNorm, rotary attention with grouped KV heads
// and a gated MLP or a routed MoE. They differ in a few switches, kept in one
// table so that the differences are visible side by side.
//
//===----------------------------------------------------------------------===//

#include "ImportInternal.h"

using namespace ssc;
using namespace ssc::hf;
using llvm::StringRef;

namespace {

/// Which layers use `sliding_window`.
enum class WindowRule {
  NoWindow,  // no sliding window in this family
  AllLayers, // every layer (mistral, mixtral, phi3)
  PerLayer,  // layer_types, else use_sliding_window from max_window_layers on
};
/// Which attention projections carry a bias.
enum class BiasRule {
  BiasFlag, // attention_bias: all of q, k, v, o
  QKVBias,  // always q, k, v (Qwen2)
  NoBias,
};
/// Norms on q and k.
enum class QkRule {
  NoQkNorm,
  QkPerHead, // one head_dim norm for q and one for k (Qwen3)
  QkFull,    // over the whole projections (OLMo 2)
};
/// Where the MoE layers are and how they are described.
enum class MoeRule { DenseOnly, MixtralMoe, Qwen2Moe, Qwen3Moe };

using enum WindowRule;
using enum BiasRule;
using enum QkRule;
using enum MoeRule;
constexpr NormPlacement Pre = NormPlacement::Pre, Post = NormPlacement::Post;

struct Traits {
  StringRef Type;
  bool TieDefault;
  bool KvDefaultsToHeads; // the config class turns a missing KV count into heads
  WindowRule Window;
  BiasRule Bias;
  QkRule QkNorm;
  NormPlacement Placement;
  MoeRule Moe;
  bool NoRopeLayers;  // smollm3: no_rope_layers / no_rope_layer_interval
  bool PartialRotary; // phi3: partial_rotary_factor
  bool MlpBias;       // mlp_bias is read
};

// clang-format off
const Traits Families[] = {
  // type        tie    kv=heads window     bias      qk_norm    place moe         nope   partial mlp_bias
  {"llama",      false, true,    NoWindow,  BiasFlag, NoQkNorm,  Pre,  DenseOnly,  false, false,  true},
  {"mistral",    false, false,   AllLayers, NoBias,   NoQkNorm,  Pre,  DenseOnly,  false, false,  false},
  {"mixtral",    false, false,   AllLayers, NoBias,   NoQkNorm,  Pre,  MixtralMoe, false, false,  false},
  {"qwen2",      false, false,   PerLayer,  QKVBias,  NoQkNorm,  Pre,  DenseOnly,  false, false,  false},
  {"qwen2_moe",  false, false,   PerLayer,  QKVBias,  NoQkNorm,  Pre,  Qwen2Moe,   false, false,  false},
  {"qwen3",      false, false,   PerLayer,  BiasFlag, QkPerHead, Pre,  DenseOnly,  false, false,  false},
  {"qwen3_moe",  false, false,   PerLayer,  BiasFlag, QkPerHead, Pre,  Qwen3Moe,   false, false,  false},
  {"olmo2",      false, true,    NoWindow,  BiasFlag, QkFull,    Post, DenseOnly,  false, false,  false},
  {"smollm3",    true,  false,   PerLayer,  BiasFlag, NoQkNorm,  Pre,  DenseOnly,  true,  false,  true},
  {"phi3",       false, true,    AllLayers, NoBias,   NoQkNorm,  Pre,  DenseOnly,  false, true,   false},
};
// clang-format on

const Traits &traitsOf(StringRef Type) {
  for (const Traits &T : Families)
    if (T.Type == Type)
      return T;
  return Families[0];
}

/// The sliding window of each layer (0: global).
std::vector<int64_t> layerWindows(ImportContext &X, const Traits &T) {
  const ConfigReader &C = X.C;
  size_t N = static_cast<size_t>(X.NumLayers);
  std::vector<int64_t> Out(N, 0);
  if (T.Window == NoWindow)
    return Out;
  static const StringRef Types[] = {"full_attention", "sliding_attention"};
  if (auto LT = readLayerTypes(X, Types)) {
    bool AnySliding = llvm::is_contained(*LT, "sliding_attention");
    if (AnySliding && !C.has("sliding_window")) {
      C.error(C.valueLoc("layer_types"), "'layer_types' has sliding layers, but "
                                         "'sliding_window' is not given");
      return Out;
    }
    int64_t W = AnySliding ? readWindow(X, "sliding_window") : 0;
    for (size_t I = 0; I < N; ++I)
      Out[I] = (*LT)[I] == "sliding_attention" ? W : 0;
    return Out;
  }
  if (T.Window == AllLayers) {
    int64_t W = readWindow(X, "sliding_window");
    std::fill(Out.begin(), Out.end(), W);
    return Out;
  }
  // Qwen2 style: with use_sliding_window, the layers from max_window_layers on
  // slide.
  if (!C.boolOr("use_sliding_window", false).value_or(false))
    return Out;
  int64_t W = readWindow(X, "sliding_window");
  int64_t From = C.intOr("max_window_layers", 28, 0, MaxLayers).value_or(0);
  for (size_t I = static_cast<size_t>(std::min(From, X.NumLayers)); I < N; ++I)
    Out[I] = W;
  return Out;
}

/// Whether each layer uses rotary embeddings (SmolLM3 drops it in every
/// no_rope_layer_interval-th layer).
std::vector<bool> layerRope(ImportContext &X, const Traits &T) {
  const ConfigReader &C = X.C;
  size_t N = static_cast<size_t>(X.NumLayers);
  std::vector<bool> Out(N, true);
  if (!T.NoRopeLayers)
    return Out;
  if (const llvm::json::Array *A = C.array("no_rope_layers"); A && !A->empty()) {
    if (A->size() != N) {
      C.error(C.valueLoc("no_rope_layers"),
              "'no_rope_layers' has " + std::to_string(A->size()) +
                  " entries, but 'num_hidden_layers' is " + std::to_string(N));
      return Out;
    }
    for (size_t I = 0; I < N; ++I)
      if (auto V = C.asInt((*A)[I], C.elementLoc("no_rope_layers", I),
                           "'no_rope_layers[" + std::to_string(I) + "]'", 0, 1))
        Out[I] = *V == 1;
    return Out;
  }
  int64_t Interval = C.intOr("no_rope_layer_interval", 4, 1, MaxLayers).value_or(4);
  for (size_t I = 0; I < N; ++I)
    Out[I] = (I + 1) % static_cast<size_t>(Interval) != 0;
  return Out;
}

} // namespace

void hf::importLlamaLike(ImportContext &X) {
  const ConfigReader &C = X.C;
  const Traits &T = traitsOf(C.modelType());
  readBasics(X, {T.TieDefault, std::nullopt, std::nullopt});

  AttentionSpec Attn = readAttention(X, T.KvDefaultsToHeads);
  Attn.Rope = readRope(X, 10000.0);
  if (T.PartialRotary)
    Attn.Rope.Partial =
        C.numberOr("partial_rotary_factor", 1.0, 1e-6, 1.0).value_or(1.0);
  Attn.QkNorm = T.QkNorm != NoQkNorm;
  Attn.QkNormFull = T.QkNorm == QkFull;
  if (T.Bias == QKVBias)
    Attn.Bias = AttentionBias::QKV;
  else if (T.Bias == BiasFlag && C.boolOr("attention_bias", false).value_or(false))
    Attn.Bias = AttentionBias::All;

  std::optional<MlpKind> Act = readGatedActivation(X, "hidden_act", "silu");
  bool MlpBias = T.MlpBias && C.boolOr("mlp_bias", false).value_or(false);
  NormSpec Norm;
  Norm.Placement = T.Placement;

  // Which layers are MoE, and their MoE block.
  size_t N = static_cast<size_t>(X.NumLayers);
  std::vector<bool> Sparse(N, T.Moe != DenseOnly);
  std::optional<MoeSpec> Moe;
  if (T.Moe == MixtralMoe) {
    if (auto R = readRouting(X, "num_local_experts", "num_experts_per_tok")) {
      Moe.emplace();
      Moe->Experts = R->Experts;
      Moe->TopK = R->TopK;
      Moe->Expert.Intermediate = C.requireInt("intermediate_size").value_or(0);
    }
  } else if (T.Moe == Qwen2Moe || T.Moe == Qwen3Moe) {
    if (auto R = readRouting(X, "num_experts", "num_experts_per_tok")) {
      Moe.emplace();
      Moe->Experts = R->Experts;
      Moe->TopK = R->TopK;
    }
    int64_t ExpertSize = C.requireInt("moe_intermediate_size").value_or(0);
    if (Moe)
      Moe->Expert.Intermediate = ExpertSize;
    if (T.Moe == Qwen2Moe) {
      // One shared expert with its own size and a sigmoid gate.
      int64_t Shared = C.intOr("shared_expert_intermediate_size", 0, 0).value_or(0);
      if (Moe && Shared > 0) {
        Moe->SharedExperts = 1;
        Moe->SharedIntermediate = Shared;
        Moe->SharedGate = true;
      }
    }
    int64_t Step = C.intOr("decoder_sparse_step", 1, 1, MaxLayers).value_or(1);
    std::vector<bool> MlpOnly =
        readLayerSet(X, "mlp_only_layers").value_or(std::vector<bool>(N, false));
    for (size_t I = 0; I < N; ++I)
      Sparse[I] = !MlpOnly[I] && (I + 1) % static_cast<size_t>(Step) == 0;
  }
  if (Moe && Act)
    Moe->Expert.Kind = *Act;

  std::optional<MlpSpec> Mlp;
  if (llvm::is_contained(Sparse, false)) {
    Mlp.emplace();
    Mlp->Intermediate = C.requireInt("intermediate_size").value_or(0);
    Mlp->Kind = Act.value_or(MlpKind::SwiGLU);
    Mlp->Bias = MlpBias;
  }

  std::vector<int64_t> Windows = layerWindows(X, T);
  std::vector<bool> Rope = layerRope(X, T);
  for (size_t I = 0; I < N; ++I) {
    LayerSpec L;
    L.Attn = Attn;
    L.Attn.Window = Windows[I];
    if (!Rope[I])
      L.Attn.Rope = RopeSpec{.Enabled = false};
    if (Sparse[I])
      L.Moe = Moe.value_or(MoeSpec());
    else
      L.Mlp = Mlp.value_or(MlpSpec());
    L.Norm = Norm;
    X.Layers.push_back(std::move(L));
  }
}

//===- Llama4.cpp - Llama 4 text models -------------------------------------===//
//
// Llama 4 (model_type llama4_text, usually the text_config of a llama4
// config) interleaves rotary layers using chunked attention
// (attention_chunk_size) with global NoPE layers: no_rope_layers marks each
// layer (1: rope), an empty list means every no_rope_layer_interval-th layer
// is NoPE. use_qk_norm adds an L2 norm without weights to q and k of the
// rotary layers: no parameters and negligible work, so it is not written as
// `qk_norm` (which carries a learned scale). MoE
// layers (moe_layers, else every interleave_moe_layer_step-th) route top-k of
// num_local_experts with a sigmoid score and add one shared expert, both of
// intermediate_size; dense layers use intermediate_size_mlp.
//
//===----------------------------------------------------------------------===//

#include "ImportInternal.h"

using namespace ssc;
using namespace ssc::hf;
using llvm::StringRef;

void hf::importLlama4(ImportContext &X) {
  const ConfigReader &C = X.C;
  readBasics(X, {/*TieEmbeddings=*/false, std::nullopt, std::nullopt});
  size_t N = static_cast<size_t>(X.NumLayers);

  AttentionSpec Attn = readAttention(X, /*KvDefaultsToHeads=*/false);
  Attn.Rope = readRope(X, 500000.0);
  if (C.boolOr("attention_bias", false).value_or(false))
    Attn.Bias = AttentionBias::All;
  (void)C.boolOr("use_qk_norm", true); // type-checked only, see above

  // Which layers rotate.
  std::vector<bool> Rope(N, true);
  const llvm::json::Array *NoRope = C.array("no_rope_layers");
  if (NoRope && !NoRope->empty()) {
    if (NoRope->size() != N) {
      C.error(C.valueLoc("no_rope_layers"),
              "'no_rope_layers' has " + std::to_string(NoRope->size()) +
                  " entries, but 'num_hidden_layers' is " + std::to_string(N));
    } else {
      for (size_t I = 0; I < N; ++I)
        if (auto V = C.asInt((*NoRope)[I], C.elementLoc("no_rope_layers", I),
                             "'no_rope_layers[" + std::to_string(I) + "]'", 0, 1))
          Rope[I] = *V == 1;
    }
  } else {
    int64_t Interval = C.intOr("no_rope_layer_interval", 4, 1, MaxLayers).value_or(4);
    for (size_t I = 0; I < N; ++I)
      Rope[I] = (I + 1) % static_cast<size_t>(Interval) != 0;
  }
  // Which layers are chunked: layer_types when given, else the rotary ones.
  std::vector<bool> Chunked = Rope;
  static const StringRef Types[] = {"full_attention", "chunked_attention"};
  if (auto LT = readLayerTypes(X, Types))
    for (size_t I = 0; I < N; ++I)
      Chunked[I] = (*LT)[I] == "chunked_attention";
  int64_t Chunk = 0;
  if (llvm::is_contained(Chunked, true)) {
    Chunk = C.intOr("attention_chunk_size", 8192, 0, MaxContext).value_or(0);
    if (X.M.MaxContext > 0 && Chunk >= X.M.MaxContext)
      Chunk = 0; // a chunk as long as the context changes nothing
  }

  // Which layers are MoE.
  std::vector<bool> Sparse(N, false);
  if (auto Listed = readLayerSet(X, "moe_layers")) {
    Sparse = *Listed;
  } else {
    int64_t Step = C.intOr("interleave_moe_layer_step", 1, 1, MaxLayers).value_or(1);
    for (size_t I = static_cast<size_t>(Step - 1); I < N; I += static_cast<size_t>(Step))
      Sparse[I] = true;
  }

  MlpKind Act = readGatedActivation(X, "hidden_act", "silu").value_or(MlpKind::SwiGLU);
  MoeSpec Moe;
  if (llvm::is_contained(Sparse, true)) {
    StringRef TopKKey = "num_experts_per_tok";
    if (auto R = readRouting(X, "num_local_experts", TopKKey)) {
      Moe.Experts = R->Experts;
      Moe.TopK = R->TopK;
    }
    Moe.Expert.Kind = Act;
    Moe.Expert.Intermediate = C.requireInt("intermediate_size").value_or(0);
    Moe.SharedExperts = 1;
    Moe.SharedIntermediate = Moe.Expert.Intermediate;
    Moe.Score = RouterScore::Sigmoid;
  }
  MlpSpec Mlp;
  if (llvm::is_contained(Sparse, false)) {
    Mlp.Kind = Act;
    Mlp.Intermediate = C.requireInt("intermediate_size_mlp").value_or(0);
  }

  for (size_t I = 0; I < N; ++I) {
    LayerSpec L;
    L.Attn = Attn;
    if (!Rope[I])
      L.Attn.Rope = RopeSpec{.Enabled = false};
    L.Attn.Chunk = Chunked[I] ? Chunk : 0;
    if (Sparse[I])
      L.Moe = Moe;
    else
      L.Mlp = Mlp;
    X.Layers.push_back(std::move(L));
  }
}

//===- GptOss.cpp - OpenAI gpt-oss -----------------------------------------===//
//
// gpt-oss: every layer is MoE (num_local_experts, top-k from
// num_experts_per_tok or experts_per_token) with biased SwiGLU experts and a
// biased router; attention has biases, learned per-head sinks and alternates
// sliding-window and full layers (layer_types; by default even layers
// slide). Released checkpoints keep the experts in MXFP4.
//
//===----------------------------------------------------------------------===//

#include "ImportInternal.h"

using namespace ssc;
using namespace ssc::hf;
using llvm::StringRef;

void hf::importGptOss(ImportContext &X) {
  const ConfigReader &C = X.C;
  readBasics(X, {/*TieEmbeddings=*/false, std::nullopt, std::nullopt});

  AttentionSpec Attn = readAttention(X, /*KvDefaultsToHeads=*/false);
  Attn.Rope = readRope(X, 150000.0);
  Attn.LearnedSinks = true;
  if (C.boolOr("attention_bias", true).value_or(true))
    Attn.Bias = AttentionBias::All;

  MoeSpec Moe;
  StringRef TopKKey = C.has("num_experts_per_tok") ? "num_experts_per_tok"
                                                   : "experts_per_token";
  if (auto R = readRouting(X, "num_local_experts", TopKKey)) {
    Moe.Experts = R->Experts;
    Moe.TopK = R->TopK;
  }
  Moe.Expert.Kind = MlpKind::SwiGLU;
  Moe.Expert.Intermediate = C.requireInt("intermediate_size").value_or(0);
  Moe.Expert.Bias = true;
  Moe.RouterBias = true;

  size_t N = static_cast<size_t>(X.NumLayers);
  std::vector<bool> Sliding(N);
  static const StringRef Types[] = {"full_attention", "sliding_attention"};
  if (auto LT = readLayerTypes(X, Types)) {
    for (size_t I = 0; I < N; ++I)
      Sliding[I] = (*LT)[I] == "sliding_attention";
  } else {
    for (size_t I = 0; I < N; ++I)
      Sliding[I] = I % 2 == 0;
  }
  int64_t Window = llvm::is_contained(Sliding, true) ? readWindow(X, "sliding_window", 128) : 0;

  for (size_t I = 0; I < N; ++I) {
    LayerSpec L;
    L.Attn = Attn;
    L.Attn.Window = Sliding[I] ? Window : 0;
    L.Moe = Moe;
    X.Layers.push_back(std::move(L));
  }
}

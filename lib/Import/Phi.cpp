//===- Phi.cpp - Phi-1, Phi-1.5 and Phi-2 ---------------------------------===//
//
// The `phi` model type (GPT-J style): one LayerNorm feeding attention and a
// plain two-matrix MLP (fc1, fc2) computed in parallel, biases on every
// projection (the output head's too), rotary embeddings on part of each head
// (partial_rotary_factor).
// Phi-3 and later are `phi3`, a Llama-style layout (LlamaLike.cpp).
//
//===----------------------------------------------------------------------===//

#include "ImportInternal.h"

using namespace ssc;
using namespace ssc::hf;

void hf::importPhi(ImportContext &X) {
  const ConfigReader &C = X.C;
  readBasics(X, {/*TieEmbeddings=*/false, std::nullopt, std::nullopt});
  X.M.LmHeadBias = true; // PhiForCausalLM's lm_head has a bias

  AttentionSpec Attn = readAttention(X, /*KvDefaultsToHeads=*/true);
  Attn.Rope = readRope(X, 10000.0);
  Attn.Rope.Partial = C.numberOr("partial_rotary_factor", 0.5, 1e-6, 1.0).value_or(0.5);
  Attn.Bias = AttentionBias::All;
  Attn.QkNorm = C.boolOr("qk_layernorm", false).value_or(false);

  MlpSpec Mlp;
  Mlp.Intermediate = C.requireInt("intermediate_size").value_or(0);
  Mlp.Bias = true;
  if (auto Act = C.stringOr("hidden_act", "gelu_new")) {
    if (llvm::StringRef(*Act).starts_with("gelu"))
      Mlp.Kind = MlpKind::GELU;
    else if (*Act == "relu")
      Mlp.Kind = MlpKind::ReLU;
    else
      C.error(C.valueLoc("hidden_act"),
              "'hidden_act' '" + *Act + "' is not supported for phi's MLP; ssc "
              "knows the gelu variants and 'relu'");
  }

  NormSpec Norm;
  Norm.Kind = NormKind::LayerNorm;
  Norm.Placement = NormPlacement::Parallel;

  for (int64_t I = 0; I < X.NumLayers; ++I) {
    LayerSpec L;
    L.Attn = Attn;
    L.Mlp = Mlp;
    L.Norm = Norm;
    X.Layers.push_back(std::move(L));
  }
}

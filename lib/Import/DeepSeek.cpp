//===- DeepSeek.cpp - DeepSeek-V3 and Kimi K2 ------------------------------===//
//
// Multi-head latent attention (q_lora_rank, kv_lora_rank and the split head
// sizes), dense MLPs in the first first_k_dense_replace layers and MoE after,
// every moe_layer_freq-th layer, with shared experts, group-limited routing
// (n_group, topk_group) and a sigmoid router whose correction bias comes with
// topk_method "noaux_tc". num_nextn_predict_layers adds multi-token-prediction
// layers after the stack. Kimi K2 (model_type kimi_k2) is the same layout.
//
//===----------------------------------------------------------------------===//

#include "ImportInternal.h"

using namespace ssc;
using namespace ssc::hf;

void hf::importDeepSeek(ImportContext &X) {
  const ConfigReader &C = X.C;
  readBasics(X, {/*TieEmbeddings=*/false, std::nullopt, std::nullopt});

  AttentionSpec Attn;
  Attn.Kind = AttentionKind::MLA;
  Attn.Loc = Attn.HeadsLoc = C.valueLoc("num_attention_heads");
  Attn.Heads = C.requireInt("num_attention_heads", 1, MaxCount).value_or(0);
  Attn.KvHeads = Attn.Heads;
  // q_lora_rank null: queries are not compressed (DeepSeek-V2-Lite).
  Attn.QLoraRank = C.intOr("q_lora_rank", 0, 0).value_or(0);
  Attn.KvLoraRank = C.requireInt("kv_lora_rank").value_or(0);
  Attn.QkNopeDim = C.requireInt("qk_nope_head_dim").value_or(0);
  Attn.QkRopeDim = C.requireInt("qk_rope_head_dim").value_or(0);
  Attn.VHeadDim = C.requireInt("v_head_dim").value_or(0);
  Attn.HeadDim = Attn.QkNopeDim + Attn.QkRopeDim;
  Attn.Rope = readRope(X, 10000.0);
  if (C.boolOr("attention_bias", false).value_or(false))
    Attn.Bias = AttentionBias::All;

  MlpKind Act = readGatedActivation(X, "hidden_act", "silu").value_or(MlpKind::SwiGLU);
  MlpSpec Mlp;
  Mlp.Kind = Act;
  Mlp.Intermediate = C.requireInt("intermediate_size").value_or(0);

  MoeSpec Moe;
  bool HaveMoe = C.has("n_routed_experts");
  if (HaveMoe) {
    if (auto R = readRouting(X, "n_routed_experts", "num_experts_per_tok")) {
      Moe.Experts = R->Experts;
      Moe.TopK = R->TopK;
    }
    Moe.Expert.Kind = Act;
    Moe.Expert.Intermediate = C.requireInt("moe_intermediate_size").value_or(0);
    Moe.SharedExperts = C.intOr("n_shared_experts", 0, 0, MaxCount).value_or(0);
    Moe.SharedIntermediate = Moe.SharedExperts ? Moe.Expert.Intermediate : 0;
    Moe.Groups = C.intOr("n_group", 1, 1, MaxCount).value_or(1);
    Moe.GroupTopK = C.intOr("topk_group", 1, 1, MaxCount).value_or(1);
    if (Moe.Experts > 0 && Moe.Groups > 1) {
      if (Moe.Experts % Moe.Groups != 0)
        C.error(C.valueLoc("n_group"), "'n_group' (" + std::to_string(Moe.Groups) +
                                           ") does not divide the " +
                                           std::to_string(Moe.Experts) + " experts");
      else if (Moe.GroupTopK > Moe.Groups)
        C.error(C.valueLoc("topk_group"),
                "'topk_group' (" + std::to_string(Moe.GroupTopK) +
                    ") is more than the " + std::to_string(Moe.Groups) + " groups");
      else if (Moe.TopK > Moe.GroupTopK * (Moe.Experts / Moe.Groups))
        C.error(C.valueLoc("num_experts_per_tok"),
                "top-" + std::to_string(Moe.TopK) + " routing cannot fit in " +
                    std::to_string(Moe.GroupTopK) + " groups of " +
                    std::to_string(Moe.Experts / Moe.Groups) + " experts");
    }
    if (Moe.Groups == 1)
      Moe.GroupTopK = 1;
    if (auto Score = C.stringOr("scoring_func", "sigmoid")) {
      if (*Score == "sigmoid")
        Moe.Score = RouterScore::Sigmoid;
      else if (*Score == "softmax")
        Moe.Score = RouterScore::Softmax;
      else
        C.error(C.valueLoc("scoring_func"), "'scoring_func' '" + *Score +
                                                "' is not supported; expected "
                                                "'softmax' or 'sigmoid'");
    }
    // noaux_tc selects experts with a learned per-expert correction bias.
    Moe.RouterBias = C.stringOr("topk_method", "noaux_tc").value_or("") == "noaux_tc";
  }
  int64_t FirstDense = C.intOr("first_k_dense_replace", 0, 0, MaxLayers).value_or(0);
  int64_t Freq = C.intOr("moe_layer_freq", 1, 1, MaxLayers).value_or(1);
  auto IsMoe = [&](int64_t I) { return HaveMoe && I >= FirstDense && I % Freq == 0; };

  NormSpec Norm;
  auto Layer = [&](int64_t I) {
    LayerSpec L;
    L.Attn = Attn;
    if (IsMoe(I))
      L.Moe = Moe;
    else
      L.Mlp = Mlp;
    L.Norm = Norm;
    return L;
  };
  for (int64_t I = 0; I < X.NumLayers; ++I)
    X.Layers.push_back(Layer(I));
  // The MTP modules are decoder layers numbered after the stack.
  int64_t Mtp = C.intOr("num_nextn_predict_layers", 0, 0, MaxLayers).value_or(0);
  for (int64_t I = 0; I < Mtp; ++I)
    X.Mtp.push_back(Layer(X.NumLayers + I));
}

//===- ImportTest.cpp - Hugging Face config.json import -------------------===//
//
// Family details that the lit tests over real configs do not reach: per-layer
// patterns from config switches, defaults, rope scaling variants, dtypes and
// names. Each config here is small and made up; test/Import holds the real
// ones.
//
//===----------------------------------------------------------------------===//

#include "ssc/Import/HFConfig.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace ssc;

namespace {

struct Imported {
  llvm::SourceMgr SM;
  std::string Errors;
  llvm::raw_string_ostream ErrStream{Errors};
  DiagnosticEngine Diags{SM, ErrStream};
  std::optional<ModelSpec> M;

  explicit Imported(llvm::StringRef Json, HFImportOptions Opts = {}) {
    unsigned Id = SM.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(Json, "config.json"), llvm::SMLoc());
    M = importHFConfig(Id, Diags, Opts);
    ErrStream.flush();
  }
  std::string stack() const { return M->Stack.str(M->LayerKinds); }
  const LayerSpec &layer(size_t I) const { return M->layer(I); }
};

/// A small Llama-style config with \p Extra members added.
std::string llamaLike(llvm::StringRef Type, llvm::StringRef Extra, int Layers = 8) {
  return (R"({"model_type": ")" + Type +
          R"(", "hidden_size": 256, "intermediate_size": 512,
  "num_hidden_layers": )" + std::to_string(Layers) +
          R"(, "num_attention_heads": 8, "num_key_value_heads": 2,
  "vocab_size": 1000, "max_position_embeddings": 4096)" +
          (Extra.empty() ? "" : ", ") + Extra + "}")
      .str();
}

TEST(ImportHF, Llama) {
  Imported I(llamaLike("llama", R"("_name_or_path": "org/My_Model-7B")"));
  ASSERT_TRUE(I.M) << I.Errors;
  EXPECT_EQ(I.M->Name, "my_model-7b");
  EXPECT_EQ(I.M->Source, "https://huggingface.co/org/My_Model-7B/blob/main/config.json");
  EXPECT_EQ(I.stack(), "8 x decoder");
  const AttentionSpec &A = I.layer(0).Attn;
  EXPECT_EQ(A.Kind, AttentionKind::GQA);
  EXPECT_EQ(A.KvHeads, 2);
  EXPECT_EQ(A.HeadDim, 32);
  EXPECT_DOUBLE_EQ(A.Rope.Theta, 10000);
  EXPECT_FALSE(I.M->TieEmbeddings);
  EXPECT_EQ(I.M->WeightType, DType::BF16);
}

TEST(ImportHF, NameOption) {
  Imported I(llamaLike("llama", ""), HFImportOptions{"tiny"});
  ASSERT_TRUE(I.M) << I.Errors;
  EXPECT_EQ(I.M->Name, "tiny");
  // Without _name_or_path, the file name gives it ("config" itself is useless).
  Imported J(llamaLike("llama", ""));
  ASSERT_TRUE(J.M) << J.Errors;
  EXPECT_EQ(J.M->Name, "imported");

  Imported Bad(llamaLike("llama", ""), HFImportOptions{"two words"});
  EXPECT_FALSE(Bad.M);
  EXPECT_NE(Bad.Errors.find("'two words' is not a valid model name"), std::string::npos)
      << Bad.Errors;
}

TEST(ImportHF, ModelNames) {
  EXPECT_EQ(hfModelName("meta-llama/Llama-3.1-8B"), "llama-3.1-8b");
  EXPECT_EQ(hfModelName("Qwen/Qwen2.5-7B-Instruct"), "qwen2.5-7b-instruct");
  EXPECT_EQ(hfModelName("/ckpt/run 7/"), "run-7");
  EXPECT_EQ(hfModelName("7b"), "m-7b");
  EXPECT_EQ(hfModelName("model"), "hf-model");
  EXPECT_EQ(hfModelName("--"), "");
}

TEST(ImportHF, QwenSlidingLayers) {
  // Qwen2: with use_sliding_window, layers from max_window_layers on slide.
  Imported I(llamaLike("qwen2", R"("use_sliding_window": true,
      "sliding_window": 1024, "max_window_layers": 6)"));
  ASSERT_TRUE(I.M) << I.Errors;
  EXPECT_EQ(I.stack(), "6 x global, 2 x local");
  EXPECT_EQ(I.layer(7).Attn.Window, 1024);
  EXPECT_EQ(I.layer(0).Attn.Bias, AttentionBias::QKV);

  // Without it the window is ignored.
  Imported J(llamaLike("qwen2", R"("use_sliding_window": false, "sliding_window": 1024)"));
  ASSERT_TRUE(J.M) << J.Errors;
  EXPECT_EQ(J.stack(), "8 x decoder");
  EXPECT_EQ(J.layer(0).Attn.Window, 0);

  // layer_types, when given, decides.
  Imported K(llamaLike("qwen3", R"("sliding_window": 512, "layer_types": [
      "sliding_attention", "full_attention", "sliding_attention", "full_attention",
      "sliding_attention", "full_attention", "sliding_attention", "full_attention"])"));
  ASSERT_TRUE(K.M) << K.Errors;
  EXPECT_EQ(K.stack(), "8 of [local, global]");
  EXPECT_TRUE(K.layer(0).Attn.QkNorm);
}

TEST(ImportHF, WindowCoveringTheContextIsDropped) {
  Imported I(llamaLike("mistral", R"("sliding_window": 4096)"));
  ASSERT_TRUE(I.M) << I.Errors;
  EXPECT_EQ(I.layer(0).Attn.Window, 0);
}

TEST(ImportHF, Qwen2MoePlacement) {
  Imported I(llamaLike("qwen2_moe", R"("num_experts": 8, "num_experts_per_tok": 2,
      "moe_intermediate_size": 64, "shared_expert_intermediate_size": 256,
      "decoder_sparse_step": 2, "mlp_only_layers": [5])"));
  ASSERT_TRUE(I.M) << I.Errors;
  // Sparse layers: (i + 1) % 2 == 0 and not 5, so 1, 3, 7.
  EXPECT_EQ(I.stack(), "4 of [dense, moe], 3 x dense, moe");
  const MoeSpec &E = *I.layer(1).Moe;
  EXPECT_EQ(E.Experts, 8);
  EXPECT_EQ(E.TopK, 2);
  EXPECT_EQ(E.Expert.Intermediate, 64);
  EXPECT_EQ(E.SharedExperts, 1);
  EXPECT_EQ(E.SharedIntermediate, 256);
  EXPECT_TRUE(E.SharedGate);
  EXPECT_EQ(I.layer(0).Mlp->Intermediate, 512);
}

TEST(ImportHF, SmolLM3NoRopeInterval) {
  Imported I(llamaLike("smollm3", R"("no_rope_layer_interval": 2)"));
  ASSERT_TRUE(I.M) << I.Errors;
  EXPECT_EQ(I.stack(), "8 of [decoder, nope]");
  EXPECT_FALSE(I.layer(1).Attn.Rope.Enabled);
  EXPECT_TRUE(I.M->TieEmbeddings); // SmolLM3Config ties by default
}

TEST(ImportHF, NormVariants) {
  // OLMo 2 normalizes the whole q and k projections, after each block.
  Imported Olmo(llamaLike("olmo2", ""));
  ASSERT_TRUE(Olmo.M) << Olmo.Errors;
  EXPECT_TRUE(Olmo.layer(0).Attn.QkNorm);
  EXPECT_TRUE(Olmo.layer(0).Attn.QkNormFull);
  EXPECT_EQ(Olmo.layer(0).Norm.Placement, NormPlacement::Post);
  // Qwen3 normalizes each head.
  Imported Qwen(llamaLike("qwen3", ""));
  ASSERT_TRUE(Qwen.M) << Qwen.Errors;
  EXPECT_TRUE(Qwen.layer(0).Attn.QkNorm);
  EXPECT_FALSE(Qwen.layer(0).Attn.QkNormFull);
  // Phi-2: one LayerNorm, parallel blocks, a biased output head.
  Imported Phi(llamaLike("phi", R"("hidden_act": "gelu_new")"));
  ASSERT_TRUE(Phi.M) << Phi.Errors;
  EXPECT_TRUE(Phi.M->LmHeadBias);
  EXPECT_EQ(Phi.layer(0).Norm.Kind, NormKind::LayerNorm);
  EXPECT_EQ(Phi.layer(0).Norm.Placement, NormPlacement::Parallel);
  EXPECT_EQ(Phi.layer(0).Mlp->Kind, MlpKind::GELU);
  EXPECT_DOUBLE_EQ(Phi.layer(0).Attn.Rope.Partial, 0.5);
}

TEST(ImportHF, RopeScalingVariants) {
  Imported Yarn(llamaLike("qwen3", R"("rope_scaling": {"rope_type": "yarn",
      "factor": 4.0, "original_max_position_embeddings": 1024})"));
  ASSERT_TRUE(Yarn.M) << Yarn.Errors;
  EXPECT_EQ(Yarn.layer(0).Attn.Rope.Scaling, RopeScaling::Yarn);
  EXPECT_DOUBLE_EQ(Yarn.layer(0).Attn.Rope.Factor, 4.0);
  EXPECT_EQ(Yarn.layer(0).Attn.Rope.OriginalContext, 1024);

  Imported Dyn(llamaLike("llama", R"("rope_scaling": {"type": "dynamic", "factor": 2.0})"));
  ASSERT_TRUE(Dyn.M) << Dyn.Errors;
  EXPECT_EQ(Dyn.layer(0).Attn.Rope.Scaling, RopeScaling::Dynamic);

  // Phi-3 LongRoPE: the factor is how far the context was stretched.
  Imported Long(llamaLike("phi3", R"("original_max_position_embeddings": 1024,
      "partial_rotary_factor": 0.75, "rope_scaling": {"type": "longrope",
      "long_factor": [1.0, 2.0], "short_factor": [1.0, 1.0]})"));
  ASSERT_TRUE(Long.M) << Long.Errors;
  EXPECT_EQ(Long.layer(0).Attn.Rope.Scaling, RopeScaling::LongRope);
  EXPECT_DOUBLE_EQ(Long.layer(0).Attn.Rope.Factor, 4.0);
  EXPECT_DOUBLE_EQ(Long.layer(0).Attn.Rope.Partial, 0.75);

  // transformers 5 writes rope_parameters.
  Imported V5(llamaLike("llama", R"("rope_parameters": {"rope_type": "linear",
      "factor": 2.0, "rope_theta": 250000.0})"));
  ASSERT_TRUE(V5.M) << V5.Errors;
  EXPECT_EQ(V5.layer(0).Attn.Rope.Scaling, RopeScaling::Linear);
  EXPECT_DOUBLE_EQ(V5.layer(0).Attn.Rope.Theta, 250000.0);
}

TEST(ImportHF, Gemma3Defaults) {
  // What Gemma3TextConfig supplies when a config leaves it out.
  Imported I(R"({"model_type": "gemma3_text", "hidden_size": 256,
      "intermediate_size": 512, "num_hidden_layers": 12, "num_attention_heads": 4,
      "num_key_value_heads": 1, "head_dim": 64})");
  ASSERT_TRUE(I.M) << I.Errors;
  EXPECT_EQ(I.M->Vocab, 262208);
  EXPECT_EQ(I.M->MaxContext, 131072);
  EXPECT_TRUE(I.M->TieEmbeddings);
  EXPECT_EQ(I.stack(), "12 of [5 x local, global]");
  EXPECT_EQ(I.layer(0).Attn.Window, 4096);
  EXPECT_DOUBLE_EQ(I.layer(0).Attn.Rope.Theta, 10000);
  EXPECT_DOUBLE_EQ(I.layer(5).Attn.Rope.Theta, 1000000);
  EXPECT_EQ(I.layer(0).Attn.Kind, AttentionKind::MQA);
  EXPECT_EQ(I.layer(0).Mlp->Kind, MlpKind::GeGLU);
  EXPECT_EQ(I.layer(0).Norm.Placement, NormPlacement::Sandwich);
}

TEST(ImportHF, Llama4Interleaved) {
  // Maverick's layout: MoE every second layer, NoPE every fourth.
  Imported I(R"({"model_type": "llama4", "tie_word_embeddings": false,
    "text_config": {"model_type": "llama4_text", "hidden_size": 512,
      "intermediate_size": 256, "intermediate_size_mlp": 1024,
      "num_hidden_layers": 8, "num_attention_heads": 8, "num_key_value_heads": 2,
      "head_dim": 64, "vocab_size": 1000, "max_position_embeddings": 65536,
      "num_local_experts": 16, "num_experts_per_tok": 1,
      "interleave_moe_layer_step": 2, "no_rope_layers": [],
      "attention_chunk_size": 8192}})");
  ASSERT_TRUE(I.M) << I.Errors;
  EXPECT_EQ(I.stack(), "8 of [dense_local, moe_local, dense_local, moe_global]");
  EXPECT_EQ(I.layer(0).Mlp->Intermediate, 1024);
  EXPECT_EQ(I.layer(1).Moe->SharedIntermediate, 256);
  EXPECT_EQ(I.layer(1).Moe->Score, RouterScore::Sigmoid);
  EXPECT_EQ(I.layer(1).Attn.Chunk, 8192);
  EXPECT_FALSE(I.layer(1).Attn.QkNorm); // a weightless L2 norm
  EXPECT_FALSE(I.layer(3).Attn.Rope.Enabled);
  EXPECT_EQ(I.layer(3).Attn.Chunk, 0);
}

TEST(ImportHF, Mistral3Wrapper) {
  Imported I(R"({"model_type": "mistral3", "torch_dtype": "float16",
    "text_config": {"hidden_size": 512, "intermediate_size": 1024,
      "num_hidden_layers": 4, "num_attention_heads": 8, "num_key_value_heads": 2,
      "head_dim": 128, "vocab_size": 1000, "max_position_embeddings": 8192,
      "sliding_window": null}})");
  ASSERT_TRUE(I.M) << I.Errors;
  EXPECT_EQ(I.layer(0).Attn.HeadDim, 128); // not hidden / heads
  EXPECT_EQ(I.M->WeightType, DType::FP16); // from the outer config
}

TEST(ImportHF, DeepSeekLayout) {
  Imported I(R"({"model_type": "deepseek_v3", "hidden_size": 256,
      "intermediate_size": 512, "moe_intermediate_size": 64,
      "num_hidden_layers": 6, "num_attention_heads": 4, "vocab_size": 1000,
      "max_position_embeddings": 4096, "q_lora_rank": null, "kv_lora_rank": 64,
      "qk_nope_head_dim": 32, "qk_rope_head_dim": 16, "v_head_dim": 32,
      "n_routed_experts": 16, "num_experts_per_tok": 4, "n_shared_experts": 2,
      "n_group": 4, "topk_group": 2, "first_k_dense_replace": 1,
      "moe_layer_freq": 1, "num_nextn_predict_layers": 2,
      "scoring_func": "softmax", "topk_method": "group_limited_greedy"})");
  ASSERT_TRUE(I.M) << I.Errors;
  EXPECT_EQ(I.stack(), "dense, 5 x moe");
  EXPECT_EQ(I.M->MtpStack.str(I.M->LayerKinds), "2 x moe");
  const AttentionSpec &A = I.layer(0).Attn;
  EXPECT_EQ(A.Kind, AttentionKind::MLA);
  EXPECT_EQ(A.QLoraRank, 0);
  EXPECT_EQ(A.kvCacheElementsPerToken(), 64 + 16);
  const MoeSpec &E = *I.layer(1).Moe;
  EXPECT_EQ(E.SharedExperts, 2);
  EXPECT_EQ(E.Groups, 4);
  EXPECT_EQ(E.GroupTopK, 2);
  EXPECT_EQ(E.Score, RouterScore::Softmax);
  EXPECT_FALSE(E.RouterBias);
}

TEST(ImportHF, QuantizationDTypes) {
  Imported Awq(llamaLike("llama", R"("torch_dtype": "float16",
      "quantization_config": {"quant_method": "awq", "bits": 4})"));
  ASSERT_TRUE(Awq.M) << Awq.Errors;
  EXPECT_EQ(Awq.M->WeightType, DType::INT4);

  // transformers 4.56 renamed torch_dtype to dtype.
  Imported New(llamaLike("llama", R"("dtype": "float32")"));
  ASSERT_TRUE(New.M) << New.Errors;
  EXPECT_EQ(New.M->WeightType, DType::FP32);

  Imported Unknown(llamaLike("llama", R"("quantization_config": {"quant_method": "hqq"})"));
  ASSERT_TRUE(Unknown.M) << Unknown.Errors;
  EXPECT_NE(Unknown.Errors.find("warning: quantization method 'hqq' is not modelled"),
            std::string::npos)
      << Unknown.Errors;
}

TEST(ImportHF, ReportsEveryMissingField) {
  Imported I(R"({"model_type": "mixtral", "hidden_size": 256})");
  EXPECT_FALSE(I.M);
  for (const char *Field : {"vocab_size", "max_position_embeddings", "num_hidden_layers",
                            "num_attention_heads", "num_key_value_heads",
                            "num_local_experts", "num_experts_per_tok"})
    EXPECT_NE(I.Errors.find(std::string("'") + Field + "' is missing (model_type "
                                                      "'mixtral')"),
              std::string::npos)
        << Field << "\n"
        << I.Errors;
}

} // namespace

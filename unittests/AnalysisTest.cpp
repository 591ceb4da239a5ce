//===- AnalysisTest.cpp - Parameter, KV-cache and FLOP arithmetic ---------===//
//
// Tiny models whose counts are worked out by hand in the comments, so that a
// change in any convention shows up as a changed number here.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "ssc/Analysis/ModelSummary.h"

#include <gtest/gtest.h>

using namespace ssc;
using ssc::test::Compiled;

namespace {

ModelSummary summarizeOk(const ModelSpec &M, SummaryOptions Opts = {}) {
  auto S = summarize(M, Opts);
  EXPECT_TRUE(static_cast<bool>(S)) << llvm::toString(S.takeError());
  return S ? std::move(*S) : ModelSummary();
}

// hidden 16, vocab 100, one dense layer and two MoE layers with a window.
const char *Tiny = R"(
model tiny {
  hidden = 16; vocab = 100; context = 64;
  norm rmsnorm pre;
  layer dense {
    attn gqa(kv=2) heads=4 head_dim=8;
    mlp swiglu(32);
  }
  layer moe {
    attn gqa(kv=2) heads=4 head_dim=8 window=8;
    moe(4, top2) swiglu(8) shared(1, 16);
  }
  layers = dense, 2 x moe;
}
)";

TEST(ModelSummary, CountsParametersByGroup) {
  Compiled C(Tiny);
  ASSERT_TRUE(C.P) << C.Errors;
  ModelSummary S = summarizeOk(C.model());
  // Attention: q 16x32 + k, v 16x16 each + o 32x16 = 1536 per layer.
  EXPECT_EQ(S.Params[ParamGroup::Attention].Total, 3 * 1536);
  // Dense SwiGLU: 3 x 16 x 32.
  EXPECT_EQ(S.Params[ParamGroup::Mlp].Total, 1536);
  // Experts: 4 x (3 x 16 x 8) = 1536 per layer; a token uses 2 of 4.
  EXPECT_EQ(S.Params[ParamGroup::Experts].Total, 2 * 1536);
  EXPECT_EQ(S.Params[ParamGroup::Experts].Active, 2 * 768);
  // Shared expert: 3 x 16 x 16, always active.
  EXPECT_EQ(S.Params[ParamGroup::SharedExperts].Total, 2 * 768);
  EXPECT_EQ(S.Params[ParamGroup::SharedExperts].Active, 2 * 768);
  EXPECT_EQ(S.Params[ParamGroup::Router].Total, 2 * 16 * 4);
  // Two pre-norms per layer and the final norm.
  EXPECT_EQ(S.Params[ParamGroup::Norms].Total, 3 * 32 + 16);
  EXPECT_EQ(S.Params[ParamGroup::Embedding].Total, 1600);
  EXPECT_EQ(S.Params[ParamGroup::LmHead].Total, 1600);
  EXPECT_EQ(S.paramsTotal(), 14192);
  EXPECT_EQ(S.paramsActive(), 12656);
  ASSERT_EQ(S.Layers.size(), 3u);
  EXPECT_EQ(S.Layers[0].Params.total().Total, 3104);
  EXPECT_EQ(S.Layers[1].Params.total().Total, 3936);
  EXPECT_EQ(S.Layers[1].Params.total().Active, 3168);
}

TEST(ModelSummary, KvCacheCapsWindowedLayers) {
  Compiled C(Tiny);
  ASSERT_TRUE(C.P) << C.Errors;
  // The default context (4096) is capped at the model's 64.
  ModelSummary S = summarizeOk(C.model());
  EXPECT_EQ(S.Context, 64);
  // 2 kv heads x 8 x (K and V) = 32 elements per layer and token.
  EXPECT_EQ(S.KvElementsPerToken, 96);
  // 64 tokens in the global layer, 8 in each windowed one.
  EXPECT_EQ(S.KvElementsPerSequence, 32 * 64 + 2 * 32 * 8);
  EXPECT_DOUBLE_EQ(S.kvBytesPerToken(DType::BF16), 2560.0 * 2 / 64);
  EXPECT_DOUBLE_EQ(S.kvBytesPerToken(DType::FP8), 2560.0 / 64);
  EXPECT_DOUBLE_EQ(S.kvBytesPerSequence(DType::FP4), 2560.0 * (0.5 + 1.0 / 16));

  ModelSummary Short = summarizeOk(C.model(), {/*Context=*/4, false});
  EXPECT_EQ(Short.KvElementsPerSequence, 96 * 4);
}

TEST(ModelSummary, FlopsPerToken) {
  Compiled C(Tiny);
  ASSERT_TRUE(C.P) << C.Errors;
  ModelSummary S = summarizeOk(C.model());
  // Per key: 2 x 4 heads x (8 + 8) = 128 FLOPs.
  // Dense: 2 x (1536 + 1536) MACs + 128 x 64 keys = 14336.
  // MoE: 2 x (1536 + 768 + 768 + 64) + 128 x 8 = 7296 each.
  // Logits: 2 x 1600.
  EXPECT_DOUBLE_EQ(S.Layers[0].DecodeFlops, 14336);
  EXPECT_DOUBLE_EQ(S.Layers[1].DecodeFlops, 7296);
  EXPECT_DOUBLE_EQ(S.DecodeFlopsPerToken, 14336 + 2 * 7296 + 3200);
  EXPECT_DOUBLE_EQ(S.DecodeAttentionFlopsPerToken, 128 * (64 + 2 * 8));
  // Prefill of 64 tokens: the global layer attends to 65/2 keys on average,
  // a windowed one to (1+...+8 + 56 x 8) / 64 = 7.5625; logits once.
  EXPECT_DOUBLE_EQ(S.Layers[0].PrefillAttended, 32.5);
  EXPECT_DOUBLE_EQ(S.Layers[1].PrefillAttended, 7.5625);
  double PerToken = (6144 + 128 * 32.5) + 2 * (6272 + 128 * 7.5625);
  EXPECT_DOUBLE_EQ(S.PrefillFlopsPerSequence, 64 * PerToken + 3200);
  EXPECT_DOUBLE_EQ(S.prefillFlopsPerToken(), PerToken + 3200.0 / 64);
}

TEST(ModelSummary, MlaProjectionsNormsAndLatentCache) {
  Compiled C(R"(
model m {
  hidden = 16; vocab = 10; context = 128;
  norm rmsnorm pre;
  layer a {
    attn mla(q_lora=8, kv_lora=4, qk_nope=4, qk_rope=2, v_head=8) heads=2;
    mlp swiglu(8);
  }
  layer b {
    attn mla(q_lora=0, kv_lora=4, qk_nope=4, qk_rope=2, v_head=8) heads=2;
    mlp swiglu(8);
  }
  layers = a, b;
})");
  ASSERT_TRUE(C.P) << C.Errors;
  const ModelSpec &M = C.model();
  // q_a 16x8, its norm 8, q_b 8x(2 x 6), kv_a 16x(4+2), its norm 4,
  // kv_b 4x(2 x (4+8)), o (2 x 8)x16.
  EXPECT_EQ(attentionParams(M.LayerKinds[0].Attn, 16, NormKind::RMSNorm).Total,
            128 + 8 + 96 + 96 + 4 + 96 + 256);
  // Uncompressed queries: q 16x(2 x 6) instead of q_a, its norm and q_b.
  EXPECT_EQ(attentionParams(M.LayerKinds[1].Attn, 16, NormKind::RMSNorm).Total,
            192 + 96 + 4 + 96 + 256);
  ModelSummary S = summarizeOk(M, {/*Context=*/100, false});
  EXPECT_EQ(S.KvElementsPerToken, 2 * (4 + 2)); // latent + rope key
  // Decode reads the latent: 2 x 2 heads x (4 + 2 + 4) per key; prefill
  // uses the decompressed heads: 2 x 2 x (6 + 8).
  double LinearA = 2.0 * (128 + 96 + 96 + 96 + 256 + 3 * 16 * 8);
  EXPECT_DOUBLE_EQ(S.Layers[0].DecodeFlops, LinearA + 40 * 100);
  EXPECT_DOUBLE_EQ(S.Layers[0].PrefillFlops, LinearA + 56 * 50.5);
}

TEST(ModelSummary, BiasesNormsSinksAndHead) {
  Compiled C(R"(
model m {
  hidden = 16; vocab = 10; context = 128;
  tie_embeddings = true;
  lm_head_bias = true;
  layer a {
    attn mha heads=2 bias rope(10000, partial=0.5) qk_norm=full sinks;
    mlp gelu(32) bias;
    norm layernorm parallel;
  }
  layer b {
    attn gqa(kv=1) heads=2 head_dim=8 bias=qkv qk_norm;
    mlp relu(32);
    norm rmsnorm sandwich;
  }
  layers = a, b;
})");
  ASSERT_TRUE(C.P) << C.Errors;
  const ModelSpec &M = C.model();
  EXPECT_TRUE(M.LmHeadBias);
  EXPECT_TRUE(M.LayerKinds[0].Attn.QkNormFull);
  // a: q, k, v, o 16x16 with biases; layernorm q/k norms over 16 each
  // (scale and bias); 2 sinks. MLP 16x32 + 32 and 32x16 + 16. One layernorm.
  ParamBreakdown A = layerParams(M.LayerKinds[0], 16);
  EXPECT_EQ(A[ParamGroup::Attention].Total, 4 * (256 + 16) + 2 * 32 + 2);
  EXPECT_EQ(A[ParamGroup::Mlp].Total, 512 + 32 + 512 + 16);
  EXPECT_EQ(A[ParamGroup::Norms].Total, 32);
  // b: q 16x16 + 16, k and v 16x8 + 8, o without bias; per-head q/k norms
  // of 8; four rmsnorms (sandwich).
  ParamBreakdown B = layerParams(M.LayerKinds[1], 16);
  EXPECT_EQ(B[ParamGroup::Attention].Total, 272 + 2 * 136 + 256 + 16);
  EXPECT_EQ(B[ParamGroup::Mlp].Total, 2 * 512);
  EXPECT_EQ(B[ParamGroup::Norms].Total, 64);
  ModelSummary S = summarizeOk(M);
  // Tied: the head adds only its bias. The final norm follows layer a's
  // layernorm.
  EXPECT_EQ(S.Params[ParamGroup::Embedding].Total, 160);
  EXPECT_EQ(S.Params[ParamGroup::LmHead].Total, 10);
  EXPECT_EQ(S.Params[ParamGroup::Norms].Total, 32 + 64 + 32);
}

TEST(ModelSummary, MoeRouterBiasSharedGateAndExpertBias) {
  Compiled C(R"(
model m {
  hidden = 8; vocab = 10; context = 16;
  attn mha heads=2;
  layer e { moe(8, top2) swiglu(4) bias shared(1, 16, gate=true) router_bias; }
  layers = e;
})");
  ASSERT_TRUE(C.P) << C.Errors;
  ParamBreakdown P = layerParams(C.model().LayerKinds[0], 8);
  // Expert: gate and up 8x4 + 4, down 4x8 + 8 = 112.
  EXPECT_EQ(P[ParamGroup::Experts].Total, 8 * 112);
  EXPECT_EQ(P[ParamGroup::Experts].Active, 2 * 112);
  // Shared: gate and up 8x16 + 16, down 16x8 + 8, its gate 8x1.
  EXPECT_EQ(P[ParamGroup::SharedExperts].Total, 2 * 144 + 136 + 8);
  EXPECT_EQ(P[ParamGroup::Router].Total, 8 * 8 + 8);
}

TEST(ModelSummary, MtpModulesCountOnlyWhenAsked) {
  Compiled C(R"(
model m {
  hidden = 8; vocab = 10; context = 32;
  attn mha heads=2;
  norm rmsnorm pre;
  layer d { mlp swiglu(16); }
  layer e { moe(4, top1) swiglu(4); }
  layers = d, e;
  mtp = e;
})");
  ASSERT_TRUE(C.P) << C.Errors;
  const ModelSpec &M = C.model();
  ModelSummary Without = summarizeOk(M);
  EXPECT_FALSE(Without.IncludesMtp);
  EXPECT_EQ(Without.Params[ParamGroup::Mtp].Total, 0);
  EXPECT_EQ(Without.Layers.size(), 2u);

  ModelSummary With = summarizeOk(M, {0, /*IncludeMtp=*/true});
  EXPECT_TRUE(With.IncludesMtp);
  ASSERT_EQ(With.Layers.size(), 3u);
  EXPECT_TRUE(With.Layers[2].IsMtp);
  // The layer (attention 4 x 64, experts 4 x 96, router 32, norms 16) plus
  // eh_proj 16x8 and enorm, hnorm and the final norm (3 x 8).
  ParamCount Layer = layerParams(M.LayerKinds[1], 8).total();
  EXPECT_EQ(Layer.Total, 256 + 384 + 32 + 16);
  EXPECT_EQ(With.Params[ParamGroup::Mtp].Total, Layer.Total + 128 + 24);
  EXPECT_EQ(With.Params[ParamGroup::Mtp].Active, Layer.Active + 128 + 24);
  EXPECT_EQ(With.paramsTotal() - Without.paramsTotal(), Layer.Total + 152);
  // The MTP layer caches its own KV and produces one more set of logits.
  EXPECT_EQ(With.KvElementsPerToken, 3 * 2 * 8);
  EXPECT_DOUBLE_EQ(With.DecodeFlopsPerToken - Without.DecodeFlopsPerToken,
                   With.Layers[2].DecodeFlops + 2 * 80);
}

TEST(ModelSummary, SharedKvChunksAndBudgets) {
  Compiled C(R"(
model m {
  hidden = 8; vocab = 10; context = 1000;
  mlp swiglu(8);
  layer c { attn gqa(kv=1) heads=2 chunk=100; }
  layer s { attn gqa(kv=1) heads=2 share_kv; }
  layer h { attn gqa(kv=1) heads=2 h2o(budget=50); }
  layer q { attn gqa(kv=1) heads=2 quest(budget=50, page=16); }
  layers = c, s, h, q;
})");
  ASSERT_TRUE(C.P) << C.Errors;
  ModelSummary S = summarizeOk(C.model(), {/*Context=*/250, false});
  // Chunks of 100: at position 250 the chunk holds 50 tokens; the prefill
  // average restarts every chunk: (2 x 5050 + 1275) / 250.
  EXPECT_EQ(S.Layers[0].CachedTokens, 100);
  EXPECT_EQ(S.Layers[0].DecodeAttended, 50);
  EXPECT_DOUBLE_EQ(S.Layers[0].PrefillAttended, (2 * 5050.0 + 1275) / 250);
  // share_kv caches nothing but still attends to everything.
  EXPECT_EQ(S.Layers[1].KvElementsPerToken, 0);
  EXPECT_EQ(S.Layers[1].DecodeAttended, 250);
  // H2O keeps its budget; Quest keeps everything and reads its budget.
  EXPECT_EQ(S.Layers[2].CachedTokens, 50);
  EXPECT_EQ(S.Layers[3].CachedTokens, 250);
  EXPECT_EQ(S.Layers[3].DecodeAttended, 50);
  EXPECT_EQ(S.KvElementsPerSequence, 8 * 100 + 8 * 50 + 8 * 250);
}

TEST(ModelSummary, AttentionCombination) {
  Compiled C(R"(
model m {
  hidden = 64; vocab = 10; context = 8192;
  mlp swiglu(8);
  layer local { attn gqa(kv=2) heads=4 window=1024; }
  layer global { attn gqa(kv=2) heads=4; }
  layers = 62 of [5 x local, global];
})");
  ASSERT_TRUE(C.P) << C.Errors;
  EXPECT_EQ(attentionCombination(C.model()), "gqa+swa 5:1");

  Compiled L(R"(
model m {
  hidden = 64; vocab = 10; context = 8192;
  mlp swiglu(8);
  layer rope { attn gqa(kv=2) heads=4 chunk=4096; }
  layer nope { attn gqa(kv=2) heads=4 nope; }
  layers = 48 of [3 x rope, nope];
})");
  ASSERT_TRUE(L.P) << L.Errors;
  EXPECT_EQ(attentionCombination(L.model()), "gqa+chunk 3:1+nope 1:3");

  Compiled D(R"(
model m {
  hidden = 64; vocab = 10; context = 8192;
  attn mha heads=4 window=4096 sinks;
  mlp swiglu(8);
  layer x { }
  layers = 2 x x;
})");
  ASSERT_TRUE(D.P) << D.Errors;
  EXPECT_EQ(attentionCombination(D.model()), "mha+swa+sinks");
}

TEST(ModelSummary, ReportsCountsBeyond64Bits) {
  // Every size is within Sema's limits, but a million experts of
  // 2^24 x 2^24 hold more than 2^63 weights.
  Compiled C(R"(
model huge {
  hidden = 16777216; vocab = 10; context = 16;
  attn mha heads=1;
  layer e { moe(1048576, top1) swiglu(16777216); }
  layers = e;
})");
  ASSERT_TRUE(C.P) << C.Errors;
  auto S = summarize(C.model());
  ASSERT_FALSE(static_cast<bool>(S));
  EXPECT_EQ(llvm::toString(S.takeError()),
            "model 'huge' has more parameters or KV-cache elements than 64-bit "
            "counts can hold");
}

TEST(ModelSummary, RejectsBadContexts) {
  Compiled C(Tiny);
  ASSERT_TRUE(C.P) << C.Errors;
  auto Long = summarize(C.model(), {/*Context=*/65, false});
  ASSERT_FALSE(static_cast<bool>(Long));
  EXPECT_EQ(llvm::toString(Long.takeError()),
            "a context of 65 tokens is longer than model 'tiny' supports (64)");
  auto Zero = summarize(C.model(), {/*Context=*/-1, false});
  ASSERT_FALSE(static_cast<bool>(Zero));
  llvm::consumeError(Zero.takeError());
}

} // namespace

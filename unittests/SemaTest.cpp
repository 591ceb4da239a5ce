//===- SemaTest.cpp - Model, GPU and plan checking ------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

using namespace ssc;
using ssc::test::Compiled;

namespace {

const char *Llama = R"(
model llama {
  hidden = 4096; vocab = 128256; context = 8192;
  norm rmsnorm pre;
  layer decoder {
    attn gqa(kv=8) heads=32 rope(500000);
    mlp swiglu(14336);
  }
  layers = 32 x decoder;
}
)";

TEST(Sema, AppliesDefaults) {
  Compiled C(Llama);
  ASSERT_TRUE(C.P) << C.Errors;
  const ModelSpec &M = C.model();
  EXPECT_EQ(M.numLayers(), 32u);
  const LayerSpec &L = M.layer(0);
  EXPECT_EQ(L.Attn.Kind, AttentionKind::GQA);
  EXPECT_EQ(L.Attn.KvHeads, 8);
  EXPECT_EQ(L.Attn.HeadDim, 128); // hidden / heads
  EXPECT_TRUE(L.Attn.Rope.Enabled);
  EXPECT_DOUBLE_EQ(L.Attn.Rope.Theta, 500000);
  EXPECT_EQ(L.Mlp->Intermediate, 14336);
  EXPECT_EQ(L.Norm.Placement, NormPlacement::Pre);
  EXPECT_FALSE(M.TieEmbeddings);
  EXPECT_EQ(L.Attn.kvCacheElementsPerToken(), 2 * 8 * 128);
}

TEST(Sema, ExpandsPatterns) {
  Compiled C(R"(
model g {
  hidden = 64; vocab = 10; context = 4096;
  attn gqa(kv=2) heads=4;
  mlp geglu(128);
  layer local { attn gqa(kv=2) heads=4 window=1024; }
  layer global { }
  layers = 14 of [5 x local, global];
})");
  ASSERT_TRUE(C.P) << C.Errors;
  const ModelSpec &M = C.model();
  ASSERT_EQ(M.numLayers(), 14u);
  for (size_t I = 0; I < 14; ++I)
    EXPECT_EQ(M.layer(I).Name, (I + 1) % 6 == 0 ? "global" : "local") << I;
  EXPECT_EQ(M.layer(0).Attn.Window, 1024);
  EXPECT_EQ(M.layer(5).Attn.Window, 0);
  EXPECT_EQ(M.Stack.str(M.LayerKinds), "14 of [5 x local, global]");
}

TEST(Sema, LayerExtendsBase) {
  Compiled C(R"(
model x {
  hidden = 64; vocab = 10; context = 100;
  layer a { attn mha heads=4; mlp swiglu(128); norm layernorm sandwich; }
  layer b extends a { moe(8, top2) swiglu(32) shared(1) groups(4, top2); }
  layers = a, b;
})");
  ASSERT_TRUE(C.P) << C.Errors;
  const LayerSpec &B = C.model().layer(1);
  ASSERT_TRUE(B.isMoe());
  EXPECT_EQ(B.Moe->Experts, 8);
  EXPECT_EQ(B.Moe->TopK, 2);
  EXPECT_EQ(B.Moe->SharedExperts, 1);
  EXPECT_EQ(B.Moe->SharedIntermediate, 32);
  EXPECT_EQ(B.Moe->Groups, 4);
  EXPECT_EQ(B.Norm.Kind, NormKind::LayerNorm);
  EXPECT_EQ(B.Norm.Placement, NormPlacement::Sandwich);
  EXPECT_EQ(B.Attn.Kind, AttentionKind::MHA);
}

TEST(Sema, MlaCachesTheLatent) {
  Compiled C(R"(
model d {
  hidden = 7168; vocab = 129280; context = 163840;
  layer l { attn mla(q_lora=1536, kv_lora=512, qk_nope=128, qk_rope=64, v_head=128) heads=128; mlp swiglu(18432); }
  layers = 61 x l;
})");
  ASSERT_TRUE(C.P) << C.Errors;
  const AttentionSpec &A = C.model().layer(0).Attn;
  EXPECT_EQ(A.kvCacheElementsPerToken(), 576);
  EXPECT_EQ(A.qkHeadDim(), 192);
}

TEST(Sema, RejectsWhatIsWrong) {
  struct Case {
    const char *Src;
    const char *Msg;
  } Cases[] = {
      {"model m { hidden = 64; vocab = 1; context = 9; layer l { attn gqa(kv=3) heads=4; mlp swiglu(8); } layers = l; }",
       "kv=3 does not divide the 4 query heads"},
      {"model m { hidden = 64; vocab = 1; context = 9; layer l { attn mha heads=4; moe(4, top8) swiglu(8); } layers = l; }",
       "top-8 routing needs at least 8 experts"},
      {"model m { hidden = 0; vocab = 1; context = 9; layer l { attn mha heads=4; mlp swiglu(8); } layers = l; }",
       "'hidden' must be positive"},
      {"model m { hidden = 64; vocab = 1; context = 9; layer l { attn mha heads=4 window=10; mlp swiglu(8); } layers = l; }",
       "window of 10 tokens is larger than the model's context of 9"},
      {"model m { hidden = 64; vocab = 1; context = 9; layer l { attn flash heads=4; mlp swiglu(8); } layers = l; }",
       "unknown attention option 'flash'"},
      {"model m { hidden = 64; vocab = 1; context = 9; layer l { attn mha heads=4; mlp swiglu(8); } layer l { } layers = l; }",
       "redefinition of layer 'l'"},
      {"model m { hidden = 64; vocab = 1; context = 9; layer l { attn mha heads=4; mlp swiglu(8); } layers = 2 x k; }",
       "unknown layer 'k'"},
      {"model m { hidden = 64; vocab = 1; context = 9; layer a extends b { } layer b extends a { } layers = a; }",
       "extends itself"},
  };
  for (const Case &X : Cases) {
    Compiled C(X.Src);
    EXPECT_FALSE(C.P) << X.Src;
    EXPECT_NE(C.Errors.find(X.Msg), std::string::npos)
        << "expected '" << X.Msg << "' in:\n"
        << C.Errors;
  }
}

TEST(Sema, PlanFromBlock) {
  Compiled C(std::string(Llama) + R"(
plan p {
  tp = 8;
  prefill { tp = 4; dp = 2; }
  decode { overlap = tbo; micro_batches = 2; }
})");
  ASSERT_TRUE(C.P) << C.Errors;
  const PlanSpec &P = *C.P->InputPlans.at(0);
  EXPECT_EQ(P.Prefill.TP, 4);
  EXPECT_EQ(P.Prefill.DP, 2);
  EXPECT_EQ(P.Decode.TP, 8);
  EXPECT_EQ(P.Decode.Overlap, OverlapMode::TwoBatch);
  EXPECT_EQ(P.Decode.MicroBatches, 2);
}

TEST(Sema, CheckPlanDivisibility) {
  Compiled C(std::string(Llama) + "plan p { tp = 3; }\nplan q { pp = 64; }\n"
                                  "plan r { tp = 8; }\n", /*WithCatalog=*/true);
  ASSERT_TRUE(C.P) << C.Errors;
  const ModelSpec &M = C.model();
  EXPECT_FALSE(checkPlan(M, *C.P->findPlan("p"), nullptr, C.Diags));
  EXPECT_FALSE(checkPlan(M, *C.P->findPlan("q"), nullptr, C.Diags));
  Target T;
  ASSERT_TRUE(resolveTarget(*C.P, "h100x8", T, C.Diags));
  EXPECT_TRUE(checkPlan(M, *C.P->findPlan("r"), &T, C.Diags));
  ASSERT_TRUE(resolveTarget(*C.P, "h100x16", T, C.Diags));
  EXPECT_FALSE(checkPlan(M, *C.P->findPlan("r"), &T, C.Diags));
  C.ErrStream.flush();
  EXPECT_NE(C.Errors.find("tp=3 does not divide the 32 attention heads"),
            std::string::npos)
      << C.Errors;
  EXPECT_NE(C.Errors.find("pp=64 is more than the 32 layers"), std::string::npos);
  EXPECT_NE(C.Errors.find("but target h100x16 has 16"), std::string::npos);
}

TEST(Sema, ExpertParallelGroups) {
  PhasePlan P;
  P.TP = 1;
  P.DP = 32;
  P.EP = 32;
  EXPECT_TRUE(P.attentionDP());
  EXPECT_EQ(P.moeGroup(), 32);
  EXPECT_EQ(P.effectiveETP(), 1);
  EXPECT_EQ(P.expertDP(), 1);

  PhasePlan Q;
  Q.TP = 8;
  Q.DP = 2;
  EXPECT_FALSE(Q.attentionDP());
  EXPECT_EQ(Q.moeGroup(), 8);
  EXPECT_EQ(Q.effectiveETP(), 8); // ep = 1: experts split like the MLP
  EXPECT_EQ(Q.expertDP(), 1);
}

TEST(Sema, TargetsResolveWithCounts) {
  Compiled C("", /*WithCatalog=*/true);
  ASSERT_TRUE(C.P) << C.Errors;
  Target T;
  ASSERT_TRUE(resolveTarget(*C.P, "gb200-nvl72x48", T, C.Diags));
  EXPECT_EQ(T.Gpu->Name, "gb200-nvl72");
  EXPECT_EQ(T.Count, 48);
  EXPECT_EQ(T.domainSize(), 48);
  ASSERT_TRUE(resolveTarget(*C.P, "h100x16", T, C.Diags));
  EXPECT_EQ(T.numDomains(), 2);
  ASSERT_TRUE(resolveTarget(*C.P, "mi300x", T, C.Diags));
  EXPECT_EQ(T.Gpu->Name, "mi300x");
  EXPECT_EQ(T.Count, 1);
  ASSERT_TRUE(resolveTarget(*C.P, "H800x8", T, C.Diags)); // the seed's name
  EXPECT_EQ(T.Gpu->Name, "h800");
  EXPECT_FALSE(resolveTarget(*C.P, "h10x8", T, C.Diags));
}

} // namespace

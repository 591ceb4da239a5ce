//===- SemaTest.cpp - Model, GPU and plan checking ------------------------===//

#include "TestUtil.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

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

TEST(Sema, LayerClausesCompleteFromDefaults) {
  Compiled C(R"(
model g {
  hidden = 4096; vocab = 32000; context = 131072;
  attn gqa(kv=8) heads=32 rope(1000000) linear(8x) qk_norm;
  mlp swiglu(14336);
  norm layernorm;
  layer global {}
  layer local { attn window=1024 rope(10000); norm post; }
  layer nope-layer extends local { attn nope; }
  layer single { attn mqa; }
  layers = global, local, nope-layer, single;
})");
  ASSERT_TRUE(C.P) << C.Errors;
  const ModelSpec &M = C.model();
  const AttentionSpec &Global = M.layer(0).Attn;
  EXPECT_EQ(Global.Rope.Scaling, RopeScaling::Linear);
  EXPECT_DOUBLE_EQ(Global.Rope.Theta, 1e6);

  // The local layer keeps the kind, heads and qk_norm; its rope replaces the
  // model's and drops the scaling; its norm keeps the kind.
  const LayerSpec &Local = M.layer(1);
  EXPECT_EQ(Local.Attn.Kind, AttentionKind::GQA);
  EXPECT_EQ(Local.Attn.KvHeads, 8);
  EXPECT_EQ(Local.Attn.Heads, 32);
  EXPECT_EQ(Local.Attn.Window, 1024);
  EXPECT_TRUE(Local.Attn.QkNorm);
  EXPECT_DOUBLE_EQ(Local.Attn.Rope.Theta, 10000);
  EXPECT_EQ(Local.Attn.Rope.Scaling, RopeScaling::None);
  EXPECT_EQ(Local.Norm.Kind, NormKind::LayerNorm);
  EXPECT_EQ(Local.Norm.Placement, NormPlacement::Post);

  // Through extends: nope replaces local's rope, the window stays.
  const AttentionSpec &Nope = M.layer(2).Attn;
  EXPECT_FALSE(Nope.Rope.Enabled);
  EXPECT_EQ(Nope.Window, 1024);

  const AttentionSpec &Single = M.layer(3).Attn;
  EXPECT_EQ(Single.Kind, AttentionKind::MQA);
  EXPECT_EQ(Single.KvHeads, 1);
}

TEST(Sema, ErrorsInSharedClausesAreReportedOnce) {
  // The default attn clause is used by three layers, two of which complete
  // it with their own options; a plan key is applied to both phases.
  Compiled C(R"(
model m {
  hidden = 64; vocab = 8; context = 4096;
  attn mha heads=4 flash;
  mlp swiglu(8);
  layer a {}
  layer b { attn window=16; }
  layer c { attn window=32; }
  layers = a, b, c;
}
plan p { tp = 0; }
)");
  EXPECT_FALSE(C.P);
  EXPECT_EQ(C.Diags.getNumErrors(), 2u) << C.Errors;
  auto Count = [&](llvm::StringRef Needle) {
    size_t N = 0;
    for (size_t At = C.Errors.find(Needle.str()); At != std::string::npos;
         At = C.Errors.find(Needle.str(), At + 1))
      ++N;
    return N;
  };
  EXPECT_EQ(Count("unknown attention option 'flash'"), 1u) << C.Errors;
  EXPECT_EQ(Count("'tp' must be between 1"), 1u) << C.Errors;
}

TEST(Sema, FileNamedTwiceIsAnInput) {
  // The catalog is loaded first; named again as the input, it is the input.
  llvm::SourceMgr SM;
  std::string Errors;
  llvm::raw_string_ostream ES(Errors);
  DiagnosticEngine Diags(SM, ES);
  SemaOptions Opts;
  Opts.CatalogPath = dataPath("targets/gpus.arch");
  auto P = analyze({Opts.CatalogPath}, Diags, Opts);
  ASSERT_TRUE(P) << ES.str();
  ASSERT_EQ(P->InputFiles.size(), 1u);
  EXPECT_EQ(P->Files[P->InputFiles[0]]->getPath(), Opts.CatalogPath);
}

TEST(Sema, PlanFromKeys) {
  // One line per item, the sections grouped.
  EXPECT_EQ(planSourceFromKeys("tp=2, pp=2 stages=[16, 16];dense.tp=1 attention_dp "
                               "decode.pp=1 decode.dense.tp=2 moe.tp=1 prefill.dp=2",
                               "k"),
            "plan k {\ntp=2;\npp=2;\nstages=[16, 16];\nattention_dp = true;\n"
            "layer dense { tp=1; }\nlayer moe { tp=1; }\n"
            "prefill {\ndp=2;\n}\n"
            "decode {\npp=1;\nlayer dense { tp=2; }\n}\n}\n");

  EXPECT_EQ(planSourceFromKeys("tp = 8  ep= 8 dense.tp =1", "k"),
            "plan k {\ntp=8;\nep=8;\nlayer dense { tp=1; }\n}\n");

  auto Parse = [](llvm::StringRef Keys, std::string &Errors) {
    llvm::SourceMgr SM;
    llvm::raw_string_ostream ES(Errors);
    DiagnosticEngine Diags(SM, ES);
    std::optional<PlanSpec> P = planFromKeys(Keys, Diags);
    ES.flush();
    return P;
  };
  std::string E;
  std::optional<PlanSpec> P =
      Parse("tp=1 dp=32 ep=32 attention_dp expert_imbalance=1.115 overlap=tbo "
            "decode.micro_batches=2",
            E);
  ASSERT_TRUE(P) << E;
  EXPECT_EQ(P->Name, "inline");
  EXPECT_EQ(P->Prefill.DP, 32);
  EXPECT_EQ(P->Prefill.EP, 32);
  EXPECT_TRUE(P->Prefill.attentionDP());
  EXPECT_DOUBLE_EQ(P->Prefill.ExpertImbalance, 1.115);
  EXPECT_EQ(P->Prefill.Overlap, OverlapMode::TwoBatch);
  EXPECT_EQ(P->Prefill.MicroBatches, 1);
  EXPECT_EQ(P->Decode.MicroBatches, 2);

  // What PhasePlan::str() prints reads back as the same plan.
  for (const char *Keys : {"tp=8", "tp=2 sp=2 pp=2 dp=2 ep=4 etp=2 attention_dp",
                           "tp=4 dp=2 ep=8 attention_dp redundant_experts=8 overlap=comm",
                           "tp=2 micro_batches=4 seq_parallel uneven_experts dense.tp=1",
                           // Explicit stages; etp that ep=1 would not derive;
                           // attention data parallelism off where ep would
                           // turn it on.
                           "tp=1 pp=2 stages=[20, 12] micro_batches=2", "tp=8 etp=4",
                           "tp=2 dp=4 ep=8 attention_dp=false"}) {
    std::string Errors;
    std::optional<PlanSpec> Q = Parse(Keys, Errors);
    ASSERT_TRUE(Q) << Keys << "\n" << Errors;
    EXPECT_EQ(Q->Decode.str(), Keys);
    std::optional<PlanSpec> R = Parse(Q->Decode.str(), Errors);
    ASSERT_TRUE(R) << Errors;
    EXPECT_EQ(R->Prefill.str(), Q->Prefill.str());
  }

  // PlanSpec::keys(): one string for both phases where they agree, each
  // phase in full where they do not; both read back as the same plan.
  for (const char *Keys :
       {"tp=2 dp=4 ep=8 attention_dp overlap=tbo",
        "tp=8 prefill.pp=2 prefill.micro_batches=2 decode.dp=2 decode.ep=16 dense.tp=1"}) {
    std::string Errors;
    std::optional<PlanSpec> Q = Parse(Keys, Errors);
    ASSERT_TRUE(Q) << Keys << "\n" << Errors;
    std::optional<PlanSpec> R = Parse(Q->keys(), Errors);
    ASSERT_TRUE(R) << Q->keys() << "\n" << Errors;
    EXPECT_EQ(R->Prefill.str(), Q->Prefill.str()) << Q->keys();
    EXPECT_EQ(R->Decode.str(), Q->Decode.str()) << Q->keys();
  }
  std::optional<PlanSpec> Same = Parse("tp=2 dp=4 ep=8 overlap=tbo", E);
  ASSERT_TRUE(Same) << E;
  EXPECT_EQ(Same->keys(), "tp=2 dp=4 ep=8 attention_dp overlap=tbo");
  std::optional<PlanSpec> Split = Parse("tp=8 decode.dp=2", E);
  ASSERT_TRUE(Split) << E;
  EXPECT_EQ(Split->keys(), "prefill.tp=8 decode.tp=8 decode.dp=2");

  // Errors point at the item's own line of the `--plan` buffer.
  std::string Errors;
  EXPECT_FALSE(Parse("tp=8 ep=x", Errors));
  EXPECT_NE(Errors.find("--plan:3:4: error: 'ep' must be an integer"), std::string::npos) << Errors;
  Errors.clear();
  EXPECT_FALSE(Parse("tp=8 pq=2", Errors));
  EXPECT_NE(Errors.find("--plan:3:1: error: unknown plan property 'pq'"), std::string::npos)
      << Errors;
  Errors.clear();
  EXPECT_FALSE(Parse("tp=8 stages=[1, 2", Errors));
  EXPECT_NE(Errors.find("--plan:3:"), std::string::npos) << Errors;
  Errors.clear();
  EXPECT_FALSE(Parse("tp=8 } model m {", Errors));
  EXPECT_NE(Errors.find("--plan:"), std::string::npos) << Errors;
}

TEST(Sema, JSONPlanNamesMustBeNames) {
  auto Load = [](llvm::StringRef Stem, llvm::StringRef Text, std::string &Errors) {
    llvm::SmallString<128> Dir;
    EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("ssc-plan", Dir));
    llvm::SmallString<128> Path(Dir);
    llvm::sys::path::append(Path, Stem + ".json");
    {
      std::error_code EC;
      llvm::raw_fd_ostream OS(Path, EC);
      EXPECT_FALSE(EC);
      OS << Text;
    }
    llvm::SourceMgr SM;
    llvm::raw_string_ostream ES(Errors);
    DiagnosticEngine Diags(SM, ES);
    std::optional<PlanSpec> Plan = loadPlanJSON(Path, Diags);
    ES.flush();
    llvm::sys::fs::remove(Path);
    llvm::sys::fs::remove(Dir);
    return Plan;
  };
  std::string E;
  auto Named = Load("x", R"({"name": "serve-v2.1", "tp": 2})", E);
  ASSERT_TRUE(Named) << E;
  EXPECT_EQ(Named->Name, "serve-v2.1");
  auto Stem = Load("decode_only", R"({"tp": 2})", E);
  ASSERT_TRUE(Stem) << E;
  EXPECT_EQ(Stem->Name, "decode_only");
  for (const char *Bad : {"a b", "2x", "plan", "a-", "a..b", ""}) {
    std::string Errors;
    EXPECT_FALSE(Load("x", std::string(R"({"name": ")") + Bad + "\"}", Errors))
        << Bad;
    EXPECT_NE(Errors.find("'name' must be a string holding a name"),
              std::string::npos)
        << Errors;
  }
  std::string Errors;
  EXPECT_FALSE(Load("model", "{}", Errors));
  EXPECT_NE(Errors.find("the plan needs a name"), std::string::npos) << Errors;
}

} // namespace

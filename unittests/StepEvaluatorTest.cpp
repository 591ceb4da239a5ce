//===- StepEvaluatorTest.cpp - Sweeps' step time equals evaluate()'s -------===//
//
// A StepEvaluator costs each group of identical layers once; these tests
// check that it gives CostModel::evaluate()'s numbers bit for bit on zoo
// models, plans with pipeline stages, micro-batches, overlap and per-kind
// TP, and both profiles; and that one module, costed at other workloads,
// gives what a module built for those workloads gives.
//
//===----------------------------------------------------------------------===//

#include "ssc/Cost/StepEvaluator.h"
#include "ssc/Passes/Pass.h"
#include "ssc/Sema/Sema.h"
#include "ssc/Spec/PlanDefaults.h"
#include "ssc/Support/DataPaths.h"

#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace ssc;

namespace {

struct Loaded {
  llvm::SourceMgr SM;
  std::string Errors;
  llvm::raw_string_ostream ErrStream{Errors};
  DiagnosticEngine Diags{SM, ErrStream};
  std::unique_ptr<Program> P;
  std::optional<cost::Profile> Prof;

  Loaded(llvm::StringRef Model, llvm::StringRef Profile) {
    Prof = cost::loadProfile(Profile, Diags);
    SemaOptions Opts;
    Opts.CatalogPath = dataPath(Prof && !Prof->GpuTable.empty() ? Prof->GpuTable
                                                                : "targets/gpus.arch");
    P = analyze({dataPath(Model)}, Diags, Opts);
  }
  const ModelSpec &model() const { return *P->InputModels.at(0); }

  ir::Module lower(const Target &T, const PlanSpec &Plan, const ir::Workload &W,
                   const ir::Precision &Prec = {}) {
    EXPECT_TRUE(checkPlan(model(), Plan, &T, Diags)) << Errors;
    ir::Module M = ir::buildModule(model(), T, Plan, W, Prec, ir::PassOptions());
    PassManager PM;
    PassManager::parsePipeline("", PM, Diags);
    EXPECT_TRUE(PM.run(M, Diags)) << Errors;
    return M;
  }
  Target target(llvm::StringRef Name) {
    Target T;
    EXPECT_TRUE(resolveTarget(*P, Name, T, Diags)) << Errors;
    return T;
  }
};

PlanSpec plan(int64_t TP, int64_t PP, int64_t DP, int64_t EP, OverlapMode O,
              int64_t Micro = 1) {
  PlanSpec S;
  S.Name = "test";
  for (PhasePlan *P : {&S.Prefill, &S.Decode}) {
    P->TP = TP;
    P->PP = PP;
    P->DP = DP;
    P->EP = EP;
    P->Overlap = O;
    P->MicroBatches = Micro;
  }
  return S;
}

/// evaluate() and the StepEvaluator agree exactly at many workloads.
void expectSameSteps(Loaded &L, const ir::Module &M, size_t MaxGroups) {
  cost::CostModel CM(*L.Prof, *M.Tgt.Gpu);
  CM.prepare(M);
  cost::StepEvaluator SE(CM, M);
  EXPECT_LE(SE.numLayerGroups(), MaxGroups);
  for (int64_t B : {1, 3, 16, 127, 512})
    for (int64_t Len : {1, 100, 4383, 65536}) {
      ir::Workload W = M.W.P == Phase::Prefill ? ir::Workload{Phase::Prefill, B, Len, 7}
                                               : ir::Workload{Phase::Decode, B, 1, Len};
      cost::PhaseCost Full = CM.evaluate(M, W);
      cost::StepCost Fast = SE.evaluate(W);
      EXPECT_EQ(Fast.StepMs, Full.StepMs) << "batch " << B << " length " << Len;
      EXPECT_EQ(Fast.StepIfHiddenMs, Full.StepIfHiddenMs);
      EXPECT_EQ(Fast.ExposedCommMs, Full.ExposedCommMs);
      EXPECT_EQ(Fast.Dominant, Full.Dominant) << "batch " << B << " length " << Len;
    }
}

TEST(StepEvaluator, DeepSeekV3GroupsItsLayersIntoTwoKinds) {
  Loaded L("models/moe/deepseek-v3.arch", "default");
  ASSERT_TRUE(L.P) << L.Errors;
  Target T = L.target("h200x16");
  for (Phase Ph : {Phase::Prefill, Phase::Decode}) {
    ir::Module M = L.lower(T, plan(1, 1, 16, 16, OverlapMode::TwoBatch),
                           {Ph, 1, Ph == Phase::Prefill ? 1024 : 1, 1024});
    expectSameSteps(L, M, 2);
  }
}

TEST(StepEvaluator, PipelineStagesAndMicroBatches) {
  Loaded L("models/moe/deepseek-v3.arch", "default");
  ASSERT_TRUE(L.P) << L.Errors;
  Target T = L.target("h100x32");
  for (Phase Ph : {Phase::Prefill, Phase::Decode}) {
    ir::Module M = L.lower(T, plan(4, 4, 2, 8, OverlapMode::Comm, 4),
                           {Ph, 1, Ph == Phase::Prefill ? 1024 : 1, 1024});
    expectSameSteps(L, M, 8);
  }
}

TEST(StepEvaluator, ShallowsimProfileWithItsParameter) {
  Loaded L("models/moe/deepseek-v3.arch", "shallowsim");
  ASSERT_TRUE(L.P) << L.Errors;
  L.Prof->Params["attention_tp"] = 4;
  Target T = L.target("h800x72");
  PlanSpec S = plan(1, 1, 72, 72, OverlapMode::TwoBatch);
  S.Decode.RedundantExperts = S.Prefill.RedundantExperts = 32;
  ir::Precision Prec;
  Prec.Weights = Prec.ExpertWeights = DType::FP8;
  Prec.KvCache = Prec.Dispatch = DType::FP8;
  ir::Module M = L.lower(T, S, {Phase::Decode, 1, 1, 4382}, Prec);
  expectSameSteps(L, M, 2);
}

TEST(StepEvaluator, SlidingWindowLayersAndDensePlans) {
  Loaded L("models/dense/gemma-3-27b.arch", "default");
  ASSERT_TRUE(L.P) << L.Errors;
  Target T = L.target("h100x8");
  for (Phase Ph : {Phase::Prefill, Phase::Decode}) {
    ir::Module M = L.lower(T, defaultPlan(L.model(), T),
                           {Ph, 1, Ph == Phase::Prefill ? 1024 : 1, 1024});
    // Local and global layers.
    expectSameSteps(L, M, 2);
  }
}

/// One module serves every workload: costing it at a workload equals
/// costing a module built for that workload, memory included.
TEST(StepEvaluator, OneModuleServesEveryWorkload) {
  Loaded L("models/moe/mixtral-8x7b.arch", "default");
  ASSERT_TRUE(L.P) << L.Errors;
  Target T = L.target("h100x8");
  PlanSpec S = plan(4, 1, 2, 4, OverlapMode::None);
  for (Phase Ph : {Phase::Prefill, Phase::Decode}) {
    ir::Workload W0{Ph, 1, Ph == Phase::Prefill ? 1024 : 1, 1024};
    ir::Module M0 = L.lower(T, S, W0);
    cost::CostModel CM0(*L.Prof, *T.Gpu);
    CM0.prepare(M0);
    cost::StepEvaluator SE(CM0, M0);
    for (int64_t B : {2, 33})
      for (int64_t Len : {200, 9000}) {
        ir::Workload W = Ph == Phase::Prefill ? ir::Workload{Ph, B, Len, 0}
                                              : ir::Workload{Ph, B, 1, Len};
        ir::Module M = L.lower(T, S, W);
        cost::CostModel CM(*L.Prof, *T.Gpu);
        CM.prepare(M);
        EXPECT_EQ(SE.evaluate(W).StepMs, CM.evaluate(M, M.W).StepMs);
        double Kv = static_cast<double>(Len + 256);
        cost::MemoryUse A = CM0.memory(M0, double(B), Kv, W.Query);
        cost::MemoryUse Want = CM.memory(M, double(B), Kv);
        EXPECT_EQ(A.MaxBatch, Want.MaxBatch);
        EXPECT_EQ(A.usedBytes(double(B)), Want.usedBytes(double(B)));
        EXPECT_EQ(A.ActivationBytes, Want.ActivationBytes);
      }
  }
}

/// memory() before prepare() gives what it gives after.
TEST(StepEvaluator, MemoryWithoutPrepare) {
  Loaded L("models/dense/llama-3-8b.arch", "default");
  ASSERT_TRUE(L.P) << L.Errors;
  Target T = L.target("h100x2");
  ir::Module M = L.lower(T, plan(2, 1, 1, 1, OverlapMode::None), {Phase::Decode, 1, 1, 512});
  cost::CostModel Cold(*L.Prof, *T.Gpu), Warm(*L.Prof, *T.Gpu);
  Warm.prepare(M);
  EXPECT_EQ(Cold.memory(M, 8, 4096).MaxBatch, Warm.memory(M, 8, 4096).MaxBatch);
  EXPECT_EQ(Cold.memory(M, 8, 4096).WeightBytes, Warm.memory(M, 8, 4096).WeightBytes);
}

} // namespace

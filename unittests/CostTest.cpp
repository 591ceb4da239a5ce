//===- CostTest.cpp - Cost profiles and the cost model ---------------------===//

#include "ssc/Cost/CostModel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace ssc;
using namespace ssc::cost;

namespace {

TEST(Curve, Interpolates) {
  Curve C;
  C.Points = {{1, 0.1}, {3, 0.5}};
  EXPECT_DOUBLE_EQ(C.eval(0), 0.1); // clamped
  EXPECT_DOUBLE_EQ(C.eval(2), 0.3);
  EXPECT_DOUBLE_EQ(C.eval(10), 0.5); // clamped
}

TEST(Curve, LogInterpolates) {
  Curve C;
  C.Mode = Curve::Lookup::LogInterpolate;
  C.Points = {{1, 0.0}, {100, 1.0}};
  EXPECT_NEAR(C.eval(10), 0.5, 1e-12);
}

TEST(Curve, TimeNeverFallsAsWorkGrows) {
  // The bf16 grouped-GEMM curve's first points: the efficiency grows about
  // as fast as the rows (a 128-row tile filling up), and log interpolation
  // between them would make 2 rows take 2/0.02625 = 76 units where 1 row takes
  // 1/0.005 = 200.
  Curve C;
  C.Mode = Curve::Lookup::LogInterpolate;
  C.Points = {{1, 0.005}, {16, 0.09}, {64, 0.35}, {128, 0.55}};
  EXPECT_NEAR(2 / C.eval(2), 76.19, 0.01);
  EXPECT_NEAR(2 / C.evalNonDecreasingTime(2), 200, 1e-9);
  double Prev = 0;
  for (double X = 0.25; X <= 512; X *= 1.1) {
    double T = X / C.evalNonDecreasingTime(X);
    EXPECT_GE(T, Prev * (1 - 1e-12)) << "at " << X;
    Prev = T;
  }
  // Where the interpolated time already grows, nothing changes.
  EXPECT_DOUBLE_EQ(C.evalNonDecreasingTime(0.5), C.eval(0.5));
  EXPECT_DOUBLE_EQ(C.evalNonDecreasingTime(100), C.eval(100));
  EXPECT_DOUBLE_EQ(C.evalNonDecreasingTime(1000), C.eval(1000));

  // Step tables are read as published.
  Curve S;
  S.Mode = Curve::Lookup::NextPow2Above;
  S.Points = {{1, 0.05}, {16, 0.08}, {32, 0.1}};
  EXPECT_DOUBLE_EQ(S.evalNonDecreasingTime(16), S.eval(16));
}

/// DeepSeek-V3's fp8 gate_up GEMM over the 32 experts of one of \p Ranks
/// expert-parallel GPUs, at one pair per token routed over them.
ir::Op deepSeekGateUp(int64_t Ranks) {
  ir::Op O;
  O.Kind = ir::OpKind::GroupedGemm;
  O.Groups = 32;
  O.In = 7168;
  O.Out = 4096;
  O.WeightType = DType::FP8;
  O.ExpertRanks = Ranks;
  O.Tokens = ir::Extent::tokens(1.0 / 32); // per token of the workload
  return O;
}

ir::Workload decodeAtBatch1() {
  ir::Workload W;
  W.P = Phase::Decode;
  W.Batch = 1;
  return W;
}

TEST(Metrics, GroupedGemmReadsTheExpertsThatGetTokens) {
  // One token's pair over 32 local experts: one expert's weights.
  EXPECT_NEAR(ir::activeGroupShare(32, 1.0 / 32) * 32, 1.0, 1e-12);
  // One pair per expert on average leaves (31/32)^32 = 36% of them idle.
  EXPECT_NEAR(ir::activeGroupShare(32, 1), 1 - std::pow(31.0 / 32, 32), 1e-12);
  EXPECT_GT(ir::activeGroupShare(32, 64), 1 - 1e-12);
  EXPECT_EQ(ir::activeGroupShare(32, 0), 0);
  // Less than one slot (a share of an expert): Poisson rows.
  EXPECT_NEAR(ir::activeGroupShare(0.5, 1), 1 - std::exp(-1.0), 1e-12);

  ir::OpMetrics M = ir::metricsOf(deepSeekGateUp(1), decodeAtBatch1());
  EXPECT_DOUBLE_EQ(M.WeightBytes, 32.0 * 7168 * 4096);   // all resident
  EXPECT_NEAR(M.WeightRead, 7168.0 * 4096, 1e-6 * M.WeightRead); // one read
}

// The busiest of R ranks under random routing, against a seeded simulation
// of DeepSeek-V3's router (each token picks 8 distinct experts of 256, held
// 32 per rank on 8 ranks).
TEST(Metrics, BusiestActiveGroupShare) {
  std::mt19937 Rng(7);
  auto Simulate = [&](int Tokens, int Ranks, int Trials) {
    const int Experts = 256, TopK = 8, PerRank = Experts / Ranks;
    std::vector<int> All(Experts);
    std::iota(All.begin(), All.end(), 0);
    double Sum = 0;
    for (int T = 0; T < Trials; ++T) {
      std::vector<char> Active(Experts, 0);
      for (int Tok = 0; Tok < Tokens; ++Tok) {
        std::shuffle(All.begin(), All.end(), Rng);
        for (int K = 0; K < TopK; ++K)
          Active[All[K]] = 1;
      }
      int Max = 0;
      for (int R = 0; R < Ranks; ++R)
        Max = std::max(Max, static_cast<int>(std::count(Active.begin() + R * PerRank,
                                                        Active.begin() + (R + 1) * PerRank, 1)));
      Sum += Max;
    }
    return Sum / Trials;
  };
  for (auto [Tokens, Ranks] : {std::pair{1, 8}, {8, 8}, {32, 8}, {4, 4}}) {
    double G = 256.0 / Ranks;
    double PerExpert = static_cast<double>(Tokens) * 8 / 256;
    double Model = ir::busiestActiveGroupShare(G, PerExpert, Ranks) * G;
    double Sim = Simulate(Tokens, Ranks, 4000);
    EXPECT_NEAR(Model, Sim, 0.03 * Sim) << Tokens << " tokens on " << Ranks << " ranks";
    // Above the average rank's count, which it equals with one rank.
    EXPECT_GT(Model, ir::activeGroupShare(G, PerExpert) * G);
  }
  EXPECT_DOUBLE_EQ(ir::busiestActiveGroupShare(32, 0.25, 1), ir::activeGroupShare(32, 0.25));
  EXPECT_EQ(ir::busiestActiveGroupShare(32, 0, 8), 0);
  EXPECT_NEAR(ir::busiestActiveGroupShare(32, 64, 8), 1, 1e-9);
  // More ranks, a busier busiest one; more tokens, never fewer experts read.
  EXPECT_GT(ir::busiestActiveGroupShare(32, 0.25, 16), ir::busiestActiveGroupShare(32, 0.25, 8));
  double Last = 0;
  for (double M = 0.01; M < 20; M *= 1.3) {
    double S = ir::busiestActiveGroupShare(32, M, 8);
    EXPECT_GE(S, Last);
    Last = S;
  }

  // A grouped GEMM on one of 8 ranks reads the busiest rank's experts.
  EXPECT_NEAR(ir::metricsOf(deepSeekGateUp(8), decodeAtBatch1()).WeightRead / (7168.0 * 4096),
              ir::busiestActiveGroupShare(32, 1.0 / 32, 8) * 32, 1e-9);
}

TEST(Curve, NextPowerOfTwoAbove) {
  // shallowsim's grouped-GEMM table: int(m) looked up at the next power of
  // two strictly above it.
  Curve C;
  C.Mode = Curve::Lookup::NextPow2Above;
  C.Points = {{1, 0.05}, {2, 0.05}, {4, 0.05}, {8, 0.05}, {16, 0.08}, {32, 0.1},
              {64, 0.2}, {128, 0.35}, {256, 0.4}, {512, 0.6}, {1024, 0.7}};
  EXPECT_DOUBLE_EQ(C.eval(0.5), 0.05); // -> 1
  EXPECT_DOUBLE_EQ(C.eval(8), 0.08);   // -> 16
  EXPECT_DOUBLE_EQ(C.eval(15.9), 0.08);
  EXPECT_DOUBLE_EQ(C.eval(16), 0.1); // -> 32
  EXPECT_DOUBLE_EQ(C.eval(127), 0.35);
  EXPECT_DOUBLE_EQ(C.eval(5000), 0.7); // beyond the table: its last value
}

TEST(Blocks, OfRoles) {
  ir::Op O;
  O.R = ir::Role::QKV;
  EXPECT_EQ(blockOf(O), Block::Attention);
  O.R = ir::Role::ExpertDown;
  EXPECT_EQ(blockOf(O), Block::Experts);
  O.R = ir::Role::SharedGateUp;
  EXPECT_EQ(blockOf(O), Block::SharedExperts);
  O.R = ir::Role::Down;
  EXPECT_EQ(blockOf(O), Block::Mlp);
  EXPECT_EQ(parseBlock("shared_experts"), Block::SharedExperts);
  EXPECT_FALSE(parseBlock("nope").has_value());
}

/// A one-GEMM module: m=4096, n=k=8192 in bf16 on an H100-like GPU.
struct OneGemm {
  GpuSpec Gpu;
  ir::Module M;
  OneGemm() {
    Gpu.Name = "test";
    Gpu.Tflops[static_cast<unsigned>(DType::BF16)] = 1000;
    Gpu.HbmGBps = 1000;
    Gpu.MemoryGB = 80;
    Gpu.ScaleUpGpus = 8;
    M.W = {Phase::Prefill, 1, 4096, 0};
    M.Tgt.Gpu = &Gpu;
    ir::Op O;
    O.Kind = ir::OpKind::Gemm;
    O.R = ir::Role::O;
    O.Tokens = ir::Extent::tokens();
    O.In = 8192;
    O.Out = 8192;
    M.Ops.push_back(O);
  }
};

TEST(CostModel, RooflineTakesTheLarger) {
  OneGemm G;
  Profile P;
  CostModel CM(P, G.Gpu);
  CM.prepare(G.M);
  PhaseCost C = CM.evaluate(G.M, G.M.W);
  // 2*4096*8192*8192 FLOPs at 1000 TFLOP/s: 0.5498 ms; bytes (8192^2 +
  // 4096*16384) * 2 = 268 MB at 1000 GB/s: 0.268 ms.
  EXPECT_NEAR(C.Ops[0].ComputeMs, 2.0 * 4096 * 8192 * 8192 / 1e15 * 1e3, 1e-9);
  EXPECT_NEAR(C.Ops[0].MemoryMs, (8192.0 * 8192 + 4096.0 * 16384) * 2 / 1e12 * 1e3, 1e-9);
  EXPECT_DOUBLE_EQ(C.Ops[0].TimeMs, C.Ops[0].ComputeMs);
  EXPECT_EQ(C.Ops[0].B, Bound::Compute);
  EXPECT_DOUBLE_EQ(C.StepMs, C.Ops[0].TimeMs);
}

TEST(CostModel, RulesRefineInOrder) {
  OneGemm G;
  Profile P;
  KernelRule All;
  All.Efficiency = 0.5;
  All.SumTimes = true;
  P.Kernels.push_back(All);
  KernelRule Gemm;
  Gemm.When.Kinds = {ir::OpKind::Gemm};
  Gemm.OverheadUs = 100;
  P.Kernels.push_back(Gemm);
  KernelRule Other; // does not match: another block
  Other.When.Blocks = {Block::Experts};
  Other.Free = true;
  P.Kernels.push_back(Other);
  CostModel CM(P, G.Gpu);
  CM.prepare(G.M);
  PhaseCost C = CM.evaluate(G.M, G.M.W);
  double Compute = 2.0 * 4096 * 8192 * 8192 / 1e15 * 1e3 / 0.5;
  double Memory = (8192.0 * 8192 + 4096.0 * 16384) * 2 / 1e12 * 1e3;
  EXPECT_NEAR(C.Ops[0].TimeMs, Compute + Memory + 0.1, 1e-9);
}

TEST(CostModel, FallsBackToAWiderUnit) {
  OneGemm G;
  G.M.Ops[0].WeightType = DType::FP8; // the GPU has no fp8
  Profile P;
  CostModel CM(P, G.Gpu);
  CM.prepare(G.M);
  DType Used;
  EXPECT_DOUBLE_EQ(CM.tflops(DType::FP8, Phase::Prefill, &Used), 1000);
  EXPECT_EQ(Used, DType::BF16);
  PhaseCost C = CM.evaluate(G.M, G.M.W);
  EXPECT_EQ(C.Ops[0].Rate, DType::BF16);
  ASSERT_EQ(C.Notes.size(), 1u);
  EXPECT_NE(C.Notes[0].find("has no fp8 units"), std::string::npos);
}

} // namespace

namespace {

TEST(CostModel, RemoteDomainsPerToken) {
  MoeSpec Moe;
  Moe.Experts = 256;
  Moe.TopK = 8;
  // One domain: nothing crosses.
  EXPECT_DOUBLE_EQ(remoteDomainsPerToken(Moe, 8, 8), 0);
  // Two domains, 8 experts drawn from 256: the other domain holds none of
  // them with probability C(128, 8) / C(256, 8).
  double Miss = 1;
  for (int I = 0; I < 8; ++I)
    Miss *= (128.0 - I) / (256.0 - I);
  EXPECT_NEAR(remoteDomainsPerToken(Moe, 16, 8), 1 - Miss, 1e-12);
  // Many domains: bounded by top-k and by the remote domain count.
  EXPECT_LT(remoteDomainsPerToken(Moe, 256, 8), 8);
  EXPECT_GT(remoteDomainsPerToken(Moe, 256, 8), 7);
  EXPECT_LT(remoteDomainsPerToken(Moe, 32, 8), 3);
  // DeepSeek-V3's group-limited routing (top 4 of 8 groups) on 4 domains of
  // 2 groups each: a domain is missed when none of its 2 groups is chosen,
  // C(6, 4) / C(8, 4) = 15/70.
  Moe.Groups = 8;
  Moe.GroupTopK = 4;
  EXPECT_NEAR(remoteDomainsPerToken(Moe, 32, 8), 3 * (1 - 15.0 / 70.0), 1e-12);
  // One GPU per domain (the gpu_dedup payload): EP8 puts one group on each
  // GPU, so a token reaches its 4 groups' GPUs, its own with probability
  // 1/2: 7 x (1 - C(7, 4) / C(8, 4)) = 3.5 other GPUs.
  EXPECT_NEAR(remoteDomainsPerToken(Moe, 8, 1), 3.5, 1e-12);
}

} // namespace

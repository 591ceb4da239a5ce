//===- SweepBench.cpp - The speed of ssc sweep -------------------*- C++ -*-===//
//
// The sweeps of docs/sweep.md's speed section:
//
//   ShallowsimDecodeSweep   the seed tool's decode table (bench/
//                           shallowsim-decode.json): 1296 points, 855 rows
//   SeqLenSweep             the same grid over 480 prompt lengths
//                           (622,080 points) on every core
//   StepEvaluator, CostModelEvaluate
//                           one DeepSeek-V3 decode point, the sweep's fast
//                           path against the report's full evaluation
//
// Sweeps include lowering (a fresh run compiles its modules once) and
// formatting the rows, which go to a null stream. Run from anywhere: data
// files come from the source tree.
//
//===----------------------------------------------------------------------===//

#include "ssc/Cost/StepEvaluator.h"
#include "ssc/Passes/Pass.h"
#include "ssc/Sema/Sema.h"
#include "ssc/Support/DataPaths.h"
#include "ssc/Sweep/Runner.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <benchmark/benchmark.h>

#include <cstdlib>

using namespace ssc;

namespace {

/// A loaded sweep, as `ssc sweep` sets it up.
struct LoadedSweep {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags{SM, llvm::errs()};
  std::optional<sweep::SweepSpec> Spec;
  std::optional<cost::Profile> Prof;
  std::unique_ptr<Program> P;
  sweep::SweepContext Ctx;

  /// \p Isl, when given, replaces the prompt lengths of every grid.
  LoadedSweep(llvm::StringRef SweepFile, llvm::StringRef Model, llvm::StringRef Isl = "") {
    Spec = sweep::loadSweepFile(dataPath(SweepFile), Diags);
    if (!Spec)
      std::abort();
    if (!Isl.empty()) {
      sweep::AxisValues V;
      sweep::ValueError Err;
      if (!sweep::parseAxisValues(sweep::Axis::Isl, Isl, V, Err))
        std::abort();
      for (sweep::Grid &G : Spec->Grids)
        G[sweep::Axis::Isl] = V;
    }
    Prof = cost::loadProfile(Spec->Profile.value_or("default"), Diags);
    if (!Prof)
      std::abort();
    SemaOptions Opts;
    Opts.CatalogPath =
        dataPath(Prof->GpuTable.empty() ? "targets/gpus.arch" : Prof->GpuTable);
    P = analyze({dataPath(Model)}, Diags, Opts);
    if (!P)
      std::abort();
    Ctx.P = P.get();
    Ctx.Model = P->InputModels.at(0);
    Ctx.Profile = &*Prof;
    Ctx.Spec = &*Spec;
    Ctx.Phases = Spec->Phases.value_or(sweep::PhaseChoice::Both);
    Ctx.ParamNames = Spec->paramNames();
    for (const sweep::Grid &G : Spec->Grids) {
      std::vector<const GpuSpec *> Gpus;
      for (const std::string &Name : G[sweep::Axis::Gpu].Names)
        if (!Gpus.emplace_back(P->findGpu(Name)))
          std::abort();
      Ctx.Gpus.push_back(std::move(Gpus));
    }
  }
};

void runSweep(benchmark::State &State, LoadedSweep &L, unsigned Jobs) {
  sweep::RunOptions Opts;
  Opts.Jobs = Jobs;
  Opts.ProgressAfterSeconds = 1e9;
  uint64_t Points = 0;
  for (auto _ : State) {
    llvm::raw_null_ostream Null;
    sweep::RunStats S = sweep::runSweep(L.Ctx, Opts, Null, Null);
    Points += S.Points;
    benchmark::DoNotOptimize(S.Rows);
  }
  State.SetItemsProcessed(static_cast<int64_t>(Points));
}

void ShallowsimDecodeSweep(benchmark::State &State) {
  static LoadedSweep L("bench/shallowsim-decode.json", "models/moe/deepseek-v3.arch");
  runSweep(State, L, 1);
}
BENCHMARK(ShallowsimDecodeSweep)->Unit(benchmark::kMillisecond);

void SeqLenSweep(benchmark::State &State) {
  static LoadedSweep L("bench/shallowsim-decode.json", "models/moe/deepseek-v3.arch",
                       "128..61440:128");
  runSweep(State, L, static_cast<unsigned>(State.range(0)));
}
BENCHMARK(SeqLenSweep)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

/// One lowered DeepSeek-V3 decode module on h800x72 under the shallowsim
/// profile, as the sweep above holds it.
struct DecodeModule {
  llvm::SourceMgr SM;
  DiagnosticEngine Diags{SM, llvm::errs()};
  std::optional<cost::Profile> Prof;
  std::unique_ptr<Program> P;
  std::optional<ir::Module> M;

  DecodeModule() {
    Prof = cost::loadProfile("shallowsim", Diags);
    SemaOptions Opts;
    Opts.CatalogPath = dataPath(Prof->GpuTable);
    P = analyze({dataPath("models/moe/deepseek-v3.arch")}, Diags, Opts);
    Target T;
    if (!P || !resolveTarget(*P, "h800x72", T, Diags))
      std::abort();
    PlanSpec S;
    S.Name = "bench";
    for (PhasePlan *Ph : {&S.Prefill, &S.Decode}) {
      Ph->DP = Ph->EP = 72;
      Ph->Overlap = OverlapMode::TwoBatch;
      Ph->RedundantExperts = 32;
    }
    ir::Precision Prec;
    Prec.Weights = Prec.ExpertWeights = Prec.KvCache = Prec.Dispatch = DType::FP8;
    const ModelSpec &Model = *P->InputModels.at(0);
    if (!checkPlan(Model, S, &T, Diags))
      std::abort();
    M = ir::buildModule(Model, T, S, {Phase::Decode, 1, 1, 4382}, Prec, ir::PassOptions());
    PassManager PM;
    PassManager::parsePipeline("", PM, Diags);
    if (!PM.run(*M, Diags))
      std::abort();
  }
};

DecodeModule &decodeModule() {
  static DecodeModule D;
  return D;
}

void StepEvaluator(benchmark::State &State) {
  DecodeModule &D = decodeModule();
  cost::CostModel CM(*D.Prof, *D.M->Tgt.Gpu);
  CM.prepare(*D.M);
  cost::StepEvaluator SE(CM, *D.M);
  int64_t Batch = 1;
  for (auto _ : State) {
    Batch = Batch % 512 + 1;
    benchmark::DoNotOptimize(SE.evaluate({Phase::Decode, Batch, 1, 4382}).StepMs);
  }
  State.SetItemsProcessed(State.iterations());
}
BENCHMARK(StepEvaluator);

void CostModelEvaluate(benchmark::State &State) {
  DecodeModule &D = decodeModule();
  cost::CostModel CM(*D.Prof, *D.M->Tgt.Gpu);
  CM.prepare(*D.M);
  int64_t Batch = 1;
  for (auto _ : State) {
    Batch = Batch % 512 + 1;
    benchmark::DoNotOptimize(CM.evaluate(*D.M, {Phase::Decode, Batch, 1, 4382}).StepMs);
  }
  State.SetItemsProcessed(State.iterations());
}
BENCHMARK(CostModelEvaluate);

} // namespace

BENCHMARK_MAIN();

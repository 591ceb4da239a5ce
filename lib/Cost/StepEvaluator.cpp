//===- StepEvaluator.cpp - One module's step time at many workloads --------===//

#include "ssc/Cost/StepEvaluator.h"

#include "llvm/ADT/SmallVector.h"

using namespace ssc;
using namespace ssc::cost;

static bool costed(const ir::Op &O) {
  return O.dialect() == ir::Dialect::Kernel || O.dialect() == ir::Dialect::Comm;
}

StepEvaluator::StepEvaluator(const CostModel &CM, const ir::Module &M) : CM(CM), M(M) {
  const PhasePlan &Plan = M.Plan;
  Micro = Plan.PP > 1 ? std::max<int64_t>(1, Plan.MicroBatches) : 1;
  NumStages = static_cast<size_t>(std::max<int64_t>(1, Plan.PP));
  NumHides = Plan.Overlap == OverlapMode::TwoBatch ? CM.twoBatch(M).Hides.size() : 0;
  IsSplit = CM.splitBlocks(M);

  std::vector<std::vector<uint32_t>> Layers;
  for (size_t I = 0; I < M.Ops.size(); ++I) {
    const ir::Op &O = M.Ops[I];
    // A free op adds zeros wherever it goes (CostModel::costKernel).
    if (!costed(O) || CM.isFree(I))
      continue;
    if (O.Layer < 0) {
      Outside.push_back(static_cast<uint32_t>(I));
      continue;
    }
    if (static_cast<size_t>(O.Layer) >= Layers.size())
      Layers.resize(static_cast<size_t>(O.Layer) + 1);
    Layers[static_cast<size_t>(O.Layer)].push_back(static_cast<uint32_t>(I));
  }

  // Two layers cost the same when their ops are equal but for the layer
  // index and the cost model resolved the same block and expert load for
  // each (the rules follow from those).
  auto Same = [&](const std::vector<uint32_t> &A, const std::vector<uint32_t> &B) {
    if (A.size() != B.size())
      return false;
    for (size_t K = 0; K < A.size(); ++K) {
      ir::Op X = M.Ops[A[K]];
      X.Layer = M.Ops[B[K]].Layer;
      if (!(X == M.Ops[B[K]]) || CM.Blocks[A[K]] != CM.Blocks[B[K]] ||
          CM.MoeLayer[A[K]] != CM.MoeLayer[B[K]] ||
          CM.LayerMPerGroup[A[K]] != CM.LayerMPerGroup[B[K]])
        return false;
    }
    return true;
  };
  GroupOfLayer.assign(Layers.size(), -1);
  for (size_t L = 0; L < Layers.size(); ++L) {
    if (Layers[L].empty())
      continue;
    for (size_t G = 0; G < Groups.size() && GroupOfLayer[L] < 0; ++G)
      if (Same(Groups[G], Layers[L]))
        GroupOfLayer[L] = static_cast<int32_t>(G);
    if (GroupOfLayer[L] < 0) {
      GroupOfLayer[L] = static_cast<int32_t>(Groups.size());
      Groups.push_back(std::move(Layers[L]));
    }
  }
}

StepCost StepEvaluator::evaluate(const ir::Workload &WIn) const {
  ir::Workload W = CostModel::stepWorkload(M, WIn);
  StepCost S;
  llvm::SmallVector<double, 8> StageMs(NumStages, 0.0);

  // The same sums as CostModel::evaluate(), in the same order: ops outside
  // layers first, then the layers in order.
  // What bounds the step: its kernels' time by what bounds each (as
  // CostModel::evaluate tallies it).
  double ComputeBound = 0, MemoryBound = 0;
  auto Tally = [&](const ir::Op &O, const OpCost &C, double &Compute, double &Memory) {
    if (!O.isComm() && O.dialect() == ir::Dialect::Kernel)
      (C.B == Bound::Compute ? Compute : Memory) += C.TimeMs;
  };
  double OutsideMs = 0;
  for (uint32_t I : Outside) {
    OpCost C = CM.costOp(M, I, W, IsSplit);
    const ir::Op &O = M.Ops[I];
    Tally(O, C, ComputeBound, MemoryBound);
    OutsideMs += C.TimeMs;
    StageMs[std::min<size_t>(O.Stage, NumStages - 1)] += C.TimeMs;
    if (O.isComm() && C.crossesLink())
      S.ExposedCommMs += C.TimeMs;
  }

  struct GroupCost {
    double TimeMs, BlocksMs, ExposedMs, ComputeMs, MemoryMs;
    size_t Stage;
  };
  llvm::SmallVector<GroupCost, 8> Costs;
  Costs.reserve(Groups.size());
  LayerCost LC;
  for (const std::vector<uint32_t> &Ops : Groups) {
    LC = LayerCost();
    LC.resetHides(NumHides);
    double Compute = 0, Memory = 0;
    for (uint32_t I : Ops) {
      OpCost C = CM.costOp(M, I, W, IsSplit);
      Tally(M.Ops[I], C, Compute, Memory);
      CM.addToLayer(LC, M, M.Ops[I], C);
    }
    double Blocks = CM.finishLayer(LC, M);
    Costs.push_back({LC.TimeMs, Blocks, LC.ExposedCommMs, Compute, Memory,
                     std::min<size_t>(LC.Stage, NumStages - 1)});
  }
  for (int32_t G : GroupOfLayer) {
    if (G < 0)
      continue; // a layer without costed ops adds zeros
    const GroupCost &C = Costs[static_cast<size_t>(G)];
    S.ExposedCommMs += C.ExposedMs;
    S.StepIfHiddenMs += C.BlocksMs;
    StageMs[C.Stage] += C.TimeMs;
    ComputeBound += C.ComputeMs;
    MemoryBound += C.MemoryMs;
  }
  S.StepIfHiddenMs += OutsideMs;
  double Bubble = 0;
  CostModel::finishStep(StageMs, Micro, M.W.P == Phase::Decode, S.StepMs, S.StepIfHiddenMs,
                        Bubble);
  S.Dominant = dominantBound(ComputeBound, MemoryBound, S.ExposedCommMs);
  return S;
}

//===- StepEvaluator.h - One module's step time at many workloads -*- C++ -*-===//
//
// Sweeps evaluate one lowered module at thousands of batch sizes and
// sequence lengths. CostModel::evaluate() costs every op and keeps the
// per-op and per-layer breakdown a report prints; a sweep needs only the
// step. A StepEvaluator groups the layers whose ops are the same but for
// the layer index (DeepSeek-V3's 61 layers are two kinds: dense and MoE),
// costs one layer of each group per workload, and replays the groups in
// layer order. The op costs come from the CostModel's own code and the sums
// are taken in evaluate()'s order, so StepMs, StepIfHiddenMs and
// ExposedCommMs equal evaluate()'s bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_COST_STEPEVALUATOR_H
#define SSC_COST_STEPEVALUATOR_H

#include "ssc/Cost/CostModel.h"

#include <cstdint>
#include <vector>

namespace ssc::cost {

/// The step of one phase, as PhaseCost gives it.
struct StepCost {
  double StepMs = 0;
  double StepIfHiddenMs = 0;
  double ExposedCommMs = 0;
  /// What bounds the step, as PhaseCost::Dominant.
  Bound Dominant = Bound::None;
};

class StepEvaluator {
public:
  /// \p CM must have been prepared for \p M; both must outlive the
  /// evaluator. evaluate() may be called from several threads.
  StepEvaluator(const CostModel &CM, const ir::Module &M);

  StepCost evaluate(const ir::Workload &W) const;

  /// Groups of identical layers (each costed once per workload).
  size_t numLayerGroups() const { return Groups.size(); }

private:
  const CostModel &CM;
  const ir::Module &M;
  std::vector<uint32_t> Outside;         // costed ops outside layers, in order
  std::vector<std::vector<uint32_t>> Groups; // one layer's costed ops per group
  std::vector<int32_t> GroupOfLayer;     // per layer index; -1: no costed op
  std::vector<bool> IsSplit;             // blocks two-batch overlap splits
  int64_t Micro = 1;
  size_t NumStages = 1;
  size_t NumHides = 0;
};

} // namespace ssc::cost

#endif // SSC_COST_STEPEVALUATOR_H

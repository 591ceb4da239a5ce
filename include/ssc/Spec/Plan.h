//===- Plan.h - Parallel plans ----------------------------------*- C++ -*-===//
//
// How a model is spread over GPUs, per phase (prefill and decode may differ,
// as in disaggregated serving). Degrees multiply to the GPU count:
//
//   world = tp * sp * pp * dp
//
// tp: tensor parallel (heads and MLP columns); sp: sequence / context
// parallel; pp: pipeline stages; dp: data-parallel replicas of attention and
// dense layers. MoE layers use expert parallelism inside a group of
// `tp * sp` GPUs, or of `tp * sp * dp` GPUs when attention_dp is on (the
// DeepSeek/SGLang layout where attention replicas share the experts):
//
//   ep * etp * edp = MoE group size
//
// with etp the tensor split of each expert and edp the replication of the
// expert set.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SPEC_PLAN_H
#define SSC_SPEC_PLAN_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ssc {

enum class Phase { Prefill, Decode };
llvm::StringRef phaseName(Phase P);

/// How communication meets computation.
enum class OverlapMode {
  None,     // collectives wait for compute and vice versa
  Comm,     // collectives overlap independent compute where possible
  TwoBatch, // DeepSeek-style two-micro-batch overlap (tbo)
};
llvm::StringRef overlapName(OverlapMode M);
/// Parses an overlap mode's spelling (overlapName's inverse).
std::optional<OverlapMode> parseOverlap(llvm::StringRef S);
/// The spellings parseOverlap accepts, for diagnostics.
llvm::ArrayRef<llvm::StringRef> overlapSpellings();

/// Parallelism of one kind of layer that differs from the plan's: `layer
/// dense { tp = 1; }` replicates the dense layers over each TP group instead
/// of splitting them (no all-reduce, redundant work).
struct LayerOverride {
  std::string Kind;
  llvm::SMLoc Loc;
  int64_t TP = 0; // 0: the plan's
  llvm::SMLoc TPLoc;
};

/// The largest expert_imbalance a plan, a validation row or a sweep may
/// state: every routed pair of a layer on one GPU of 64.
constexpr double MaxExpertImbalance = 64;

/// The degrees of one phase. Fields that were not written keep their
/// defaults; `*Loc` are the locations of written values (for diagnostics).
struct PhasePlan {
  int64_t TP = 1, PP = 1, DP = 1, EP = 1, SP = 1;
  int64_t ETP = 0; // 0: derived (see effectiveETP)
  int AttentionDP = -1; // -1: derived (on when ep exceeds the tp*sp group)
  int64_t MicroBatches = 1;
  OverlapMode Overlap = OverlapMode::None;
  /// Megatron-style sequence parallelism inside the TP group: norms and
  /// residual adds run on 1/tp of the tokens, and each all-reduce becomes a
  /// reduce-scatter plus an all-gather.
  bool SeqParallel = false;
  /// Extra expert replicas (DeepSeek's redundant experts): each MoE layer
  /// places experts + redundant slots evenly over ep GPUs.
  int64_t RedundantExperts = 0;
  /// Allow ep not dividing the experts: GPUs hold floor or ceil of
  /// experts/ep, and costs use the average GPU.
  bool UnevenExperts = false;
  /// The busiest GPU's routed (token, expert) pairs over the mean, after
  /// expert placement (1: balanced, DeepSeek's profiles). The step waits
  /// for that GPU: its grouped GEMMs and all-to-all volume scale by it.
  double ExpertImbalance = 1;
  std::vector<int64_t> Stages; // layers per pipeline stage; empty: even split
  std::vector<LayerOverride> Layers;

  llvm::SMLoc TPLoc, PPLoc, DPLoc, EPLoc, SPLoc, ETPLoc, AttentionDPLoc,
      MicroBatchesLoc, StagesLoc, SeqParallelLoc, RedundantExpertsLoc,
      UnevenExpertsLoc, ExpertImbalanceLoc;

  int64_t world() const { return TP * SP * PP * DP; }
  bool attentionDP() const {
    return AttentionDP >= 0 ? AttentionDP != 0 : EP > TP * SP;
  }
  /// GPUs that share one copy of the experts' work.
  int64_t moeGroup() const { return TP * SP * (attentionDP() ? DP : 1); }
  int64_t effectiveETP() const {
    if (ETP > 0)
      return ETP;
    int64_t Group = TP * SP;
    // EP < 1 is an invalid plan (checkPlan says so); a sweep still shows
    // its columns, so answer rather than divide by zero.
    if (EP < 1 || EP >= Group)
      return 1;
    return Group % EP == 0 ? Group / EP : 1;
  }
  /// Replicas of the expert set inside the MoE group.
  int64_t expertDP() const { return moeGroup() / (EP * effectiveETP()); }
  /// "tp=8 ep=8 ..." with only the non-default degrees after tp: the plan
  /// keys that give this phase plan back (planFromKeys).
  std::string str() const;
  /// The items of str(), one per key.
  std::vector<std::string> items() const;
  /// The TP degree for layers of kind \p Kind (an override or the plan's).
  int64_t tpFor(llvm::StringRef Kind) const {
    for (const LayerOverride &L : Layers)
      if (L.Kind == Kind && L.TP > 0)
        return L.TP;
    return TP;
  }
};

struct PlanSpec {
  std::string Name;
  llvm::SMLoc Loc;
  PhasePlan Prefill;
  PhasePlan Decode;

  const PhasePlan &phase(Phase P) const {
    return P == Phase::Prefill ? Prefill : Decode;
  }
  /// The plan keys that give this plan back (planFromKeys): the phases'
  /// str() where they agree, else each phase's items under `prefill.` and
  /// `decode.`.
  std::string keys() const;
};

} // namespace ssc

#endif // SSC_SPEC_PLAN_H

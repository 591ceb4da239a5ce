//===- CostModel.h - Time and memory of a lowered module ---------*- C++ -*-===//
//
// Turns the kernels and collectives of a lowered ir::Module into time on a
// GPU under a cost profile, then into per-layer, per-stage and per-step time
// (with overlap and pipeline bubbles) and memory use. The model is prepared
// once per module (rule matching) and evaluated for any workload, which is
// what sweeps rely on.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_COST_COSTMODEL_H
#define SSC_COST_COSTMODEL_H

#include "ssc/Cost/Profile.h"
#include "ssc/IR/IR.h"

#include <algorithm>
#include <string>
#include <vector>

namespace ssc::cost {

/// What bounds an op's (or a layer's) time.
enum class Bound : uint8_t { None, Compute, Memory, Comm, Overhead };
llvm::StringRef boundName(Bound B);

struct OpCost {
  double TimeMs = 0; // on the critical path, all executions
  double ComputeMs = 0;
  double MemoryMs = 0;
  double CommMs = 0;
  double OverheadMs = 0;
  double Flops = 0;     // all executions
  double Bytes = 0;     // HBM bytes, all executions
  double CommBytes = 0; // payload moved
  int Executions = 1;   // two with two-batch overlap for split blocks
  Bound B = Bound::None;
  Block Blk = Block::Other;
  DType Rate = DType::BF16; // the unit the FLOPs ran on
  /// The two-batch hide group that hides this collective (-1: none).
  int HideGroup = -1;
  /// Of a hidden collective's time, what its hide group could not hide
  /// (the group's excess over its compute, shared by time).
  double ExposedMs = 0;
  bool TakesSms = false;    // a collective whose kernels occupy comm SMs
  /// A kernel that ran on the SMs two-batch overlap's collectives leave
  /// (its compute time is already at that rate).
  bool LeavesCommSms = false;
  /// Communication hidden by two-batch overlap.
  bool hidden() const { return HideGroup >= 0; }
  /// Data that crossed a link: a collective over two or more GPUs. A
  /// collective over one GPU (the local permute of an MoE layer without
  /// expert parallelism) is a copy in HBM, costed and counted as memory.
  bool crossesLink() const { return B == Bound::Comm; }
};

struct LayerCost {
  int32_t Layer = -1;
  uint16_t Kind = 0;
  uint16_t Stage = 0;
  bool Mtp = false;
  double TimeMs = 0;        // with exposed communication
  double ComputeMs = 0;     // kernels
  double CommMs = 0;        // all collectives
  double ExposedCommMs = 0; // collectives not hidden behind compute
  double BlockMs[NumBlocks] = {}; // kernels plus unhidden collectives
  /// Of BlockMs, the kernels that share SMs with collectives that take
  /// them (all but those that run on the SMs the collectives leave).
  double SmSharingMs[NumBlocks] = {};
  /// Per two-batch hide group: its communication minus the compute it hides
  /// behind (negative when fully hidden).
  std::vector<double> HideBalanceMs;
  std::vector<double> HideCommMs;
  /// Per hide group: its collectives that occupy comm SMs.
  std::vector<double> HideSmCommMs;
  /// Per hide group: the compute it hides behind that shares SMs with them.
  std::vector<double> HideSmSharingMs;
  /// Compute slowed by the SMs overlapped collectives take (two-batch
  /// overlap), beyond the exposed communication.
  double SmTaxMs = 0;
  Bound Dominant = Bound::None;
  /// Sizes the per-hide-group sums for \p N groups, all zero.
  void resetHides(size_t N) {
    HideBalanceMs.assign(N, 0.0);
    HideCommMs.assign(N, 0.0);
    HideSmCommMs.assign(N, 0.0);
    HideSmSharingMs.assign(N, 0.0);
  }
};

/// What bounds a span of work: its exposed communication when that is the
/// largest part, else the larger of its compute-bound and its other
/// (memory- or overhead-bound) kernel time.
inline Bound dominantBound(double ComputeBoundMs, double OtherMs, double ExposedCommMs) {
  return ExposedCommMs >= std::max(ComputeBoundMs, OtherMs) ? Bound::Comm
         : ComputeBoundMs >= OtherMs                        ? Bound::Compute
                                                            : Bound::Memory;
}

struct PhaseCost {
  Phase P = Phase::Decode;
  /// One step over the whole batch (prefill: the prompt; decode: one token
  /// for every sequence), through all pipeline stages.
  double StepMs = 0;
  /// The same if the two-batch hide groups' communication were free.
  double StepIfHiddenMs = 0;
  double ComputeMs = 0, CommMs = 0, ExposedCommMs = 0;
  double SmTaxMs = 0; // the layers' SmTaxMs
  double BubbleMs = 0;
  std::vector<double> StageMs;
  std::vector<OpCost> Ops; // parallel to the module's ops
  std::vector<LayerCost> Layers;
  double OutsideLayersMs = 0; // embedding, head, pipeline sends
  Bound Dominant = Bound::None;
  std::vector<std::string> Notes; // dtype fallbacks and other caveats
};

/// Memory of one GPU (the busiest stage's).
struct MemoryUse {
  double CapacityBytes = 0;
  double UsableBytes = 0;
  double ReservedBytes = 0;
  double WeightBytes = 0;
  double KvBytesPerSeq = 0;  // per sequence, at the tokens it must hold
  double ActivationBytes = 0; // at the module's batch
  double KvTokensPerSeq = 0;
  /// Chunked-attention layers hold more than their chunk (the profile's
  /// memory.chunked_kv is `sequence` and the sequence is longer).
  bool ChunkedKvWhole = false;
  double MaxBatch = 0; // sequences per replica that fit
  bool fits(double Batch) const { return Batch <= MaxBatch + 1e-9; }
  double usedBytes(double Batch) const {
    return ReservedBytes + WeightBytes + ActivationBytes + KvBytesPerSeq * Batch;
  }
};

/// Remote scale-up domains one token's experts touch on average, for an EP
/// group of \p Ep GPUs in domains of \p DomainGpus (see CommRule's
/// domain_dedup payload).
double remoteDomainsPerToken(const MoeSpec &Moe, int64_t Ep, int64_t DomainGpus);

class StepEvaluator;

class CostModel {
public:
  /// \p Gpu is the GPU as the profile sees it (its table may replace the
  /// catalog's).
  CostModel(const Profile &P, const GpuSpec &Gpu);
  ~CostModel();
  CostModel(CostModel &&);

  /// Matches rules against the module's ops and collects its weights and
  /// KV-caching ops for memory(); call before evaluate(). Memory reads the
  /// profile's parameters here.
  void prepare(const ir::Module &M);

  /// Whether the prepared module's op \p I costs nothing under the profile
  /// (a rule made it free).
  bool isFree(size_t I) const;

  PhaseCost evaluate(const ir::Module &M, const ir::Workload &W) const;

  /// Memory at \p Batch sequences per replica with \p KvTokens tokens cached
  /// per sequence.
  MemoryUse memory(const ir::Module &M, double Batch, double KvTokens) const;
  /// The same for a workload of \p Query new tokens per sequence instead of
  /// the module's own (sweeps evaluate one module at many prompt lengths).
  MemoryUse memory(const ir::Module &M, double Batch, double KvTokens,
                   int64_t Query) const;

  /// Peak rate in TFLOP/s the profile gives \p T on this GPU in \p P, after
  /// fallback; \p Used reports the unit used.
  double tflops(DType T, Phase P, DType *Used = nullptr) const;

  const GpuSpec &gpu() const { return Gpu; }
  const Profile &profile() const { return Prof; }

  /// The period of a pipeline that keeps \p Micro micro-batches in flight,
  /// each taking \p StageMs in its stages: every stage works on one
  /// micro-batch after another, and a micro-batch's next step cannot start
  /// before its last one has left the last stage: max(m x slowest, sum).
  static double pipelinePeriod(llvm::ArrayRef<double> StageMs, int64_t Micro);

private:
  friend class StepEvaluator; // costs ops and layers the way evaluate() does
  struct Resolved;
  const Profile &Prof;
  const GpuSpec &Gpu;
  std::vector<Resolved> Rules; // per op
  std::vector<Block> Blocks;   // per op
  std::vector<uint8_t> MoeLayer;
  std::vector<double> LayerMPerGroup; // per op: its layer's routed tokens per expert (per token of T)
  bool EpDispatch = false; // the prepared module dispatches tokens to other GPUs
  std::vector<double> StageWeightBytes; // per stage, as memory() counts them
  std::vector<uint32_t> KvOps;          // attention ops that cache KV
  const ir::Module *MemoryTermsOf = nullptr; // the module prepare() saw
  /// Per layer kind: two-batch overlap hides collectives of it that take
  /// SMs, so its leaves_comm_sms kernels run on the rest.
  std::vector<uint8_t> SmTakingLayerKind;
  /// comm_sms / sms, the share of the GPU collectives that take SMs occupy
  /// (0 when the catalog gives none).
  double commSmShare() const;

  // The steps of evaluate(), shared with StepEvaluator so that both give
  // the same numbers bit for bit.
  const TwoBatchSpec &twoBatch(const ir::Module &M) const {
    return Prof.TwoBatch[M.W.P == Phase::Prefill ? 0 : 1];
  }
  static ir::Workload stepWorkload(const ir::Module &M, const ir::Workload &W);
  std::vector<bool> splitBlocks(const ir::Module &M) const;
  OpCost costOp(const ir::Module &M, size_t I, const ir::Workload &W,
                const std::vector<bool> &IsSplit) const;
  void addToLayer(LayerCost &LC, const ir::Module &M, const ir::Op &O, OpCost &C) const;
  /// Sets the layer's time and exposed communication; returns its time with
  /// the hide groups' communication free.
  double finishLayer(LayerCost &LC, const ir::Module &M) const;
  /// The step through \p StageMs with \p Micro micro-batches: a prefill's
  /// fill and drain, or (\p Steady) the period of back-to-back decode steps.
  static void finishStep(llvm::ArrayRef<double> StageMs, int64_t Micro, bool Steady,
                         double &StepMs, double &StepIfHiddenMs, double &BubbleMs);
  void collectMemoryTerms(const ir::Module &M, std::vector<double> &Weights,
                          std::vector<uint32_t> &KvOps) const;

  /// \p Split: run once per micro-batch under two-batch overlap.
  OpCost costKernel(const ir::Module &M, const ir::Op &O, size_t I,
                    const ir::Workload &W, double TokenScale, bool Split) const;
  OpCost costComm(const ir::Module &M, const ir::Op &O, size_t I,
                  const ir::Workload &W, double TokenScale) const;
  double allReduceMs(const ir::Module &M, double Bytes, int64_t Participants,
                     ir::Link L, Phase P) const;
};

} // namespace ssc::cost

#endif // SSC_COST_COSTMODEL_H

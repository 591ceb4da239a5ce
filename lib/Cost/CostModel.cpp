//===- CostModel.cpp - Time and memory of a lowered module -----------------===//

#include "ssc/Cost/CostModel.h"
#include "ssc/Support/Format.h"

#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

using namespace ssc;
using namespace ssc::cost;
using ir::Op;
using ir::OpKind;

llvm::StringRef ssc::cost::boundName(Bound B) {
  switch (B) {
  case Bound::None: return "-";
  case Bound::Compute: return "compute";
  case Bound::Memory: return "memory";
  case Bound::Comm: return "comm";
  case Bound::Overhead: return "overhead";
  }
  return "?";
}

/// The rules that apply to one op, merged.
struct CostModel::Resolved {
  RateSource Rate = RateSource::Operands;
  double Eff = 1;
  const Curve *EffCurve = nullptr;
  EffKey Key = EffKey::M;
  double MemEff = 1;
  Traffic Mem = Traffic::All;
  double WeightScale = 1, FlopsScale = 1;
  bool Sum = false;
  double OverheadUs = 0;
  bool Free = false;
  bool DivideReplicated = false;
  bool FullPairs = false;
  bool ReadIdleGroups = false;
  bool LeavesCommSms = false;
  std::string DivideByParam, AllReduceParam;
  // Collectives.
  bool Ring = true;
  double BwEff = 1;
  const Curve *BwEffCurve = nullptr; // over the message bytes, when set
  double LatencyUs = 0;
  double BytesScale = 1;
  CommRule::Remote Payload = CommRule::Remote::All;
  std::optional<ir::Link> ForceLink;
  bool TakesSms = false;

  /// The share of the link a collective moving \p MessageBytes per GPU gets,
  /// read so that more bytes never take less time.
  double bandwidthEfficiency(double MessageBytes) const {
    return BwEffCurve ? BwEffCurve->evalNonDecreasingTime(MessageBytes) : BwEff;
  }

  /// What a matching comm rule changes; later rules refine earlier ones.
  void apply(const CommRule &CR) {
    if (CR.Ring)
      Ring = *CR.Ring;
    if (CR.BandwidthEfficiency) {
      BwEff = *CR.BandwidthEfficiency;
      BwEffCurve = nullptr;
    }
    if (CR.BandwidthEfficiencyCurve)
      BwEffCurve = &*CR.BandwidthEfficiencyCurve;
    if (CR.LatencyUs)
      LatencyUs = *CR.LatencyUs;
    if (CR.BytesScale)
      BytesScale = *CR.BytesScale;
    if (CR.Free)
      Free = *CR.Free;
    if (CR.Payload)
      Payload = *CR.Payload;
    if (CR.ForceLink)
      ForceLink = CR.ForceLink;
    if (CR.TakesSms)
      TakesSms = *CR.TakesSms;
  }
};

CostModel::CostModel(const Profile &P, const GpuSpec &Gpu) : Prof(P), Gpu(Gpu) {}
CostModel::~CostModel() = default;
CostModel::CostModel(CostModel &&) = default;

static bool gpuNamed(const GpuSpec &G, const std::vector<std::string> &Names) {
  return llvm::any_of(Names, [&](const std::string &N) { return G.isNamed(N); });
}

namespace {
struct OpContext {
  const Op &O;
  Block Blk;
  Phase P;
  bool MoeLayer;
  bool EpDispatch;
  const GpuSpec &Gpu;
};

/// The units attention in \p T asks for: both of its operands are
/// activations, so mxfp4 there is a 4-bit format on fp4 units, not a
/// weight-only one.
DType attentionUnits(DType T) { return T == DType::MXFP4 ? DType::FP4 : T; }

DType operandType(const Op &O) {
  switch (O.Kind) {
  case OpKind::Gemm:
  case OpKind::GroupedGemm:
  case OpKind::Gather:
    return O.WeightType;
  default:
    return O.ActType;
  }
}

/// Whether the module's MoE layers send tokens to other GPUs (the profile's
/// `ep_dispatch`).
bool hasEpDispatch(const ir::Module &M) {
  return llvm::any_of(M.Ops, [](const Op &O) {
    return O.Kind == OpKind::AllToAll && O.R == ir::Role::Dispatch && O.Participants > 1;
  });
}

bool matches(const Match &M, const OpContext &C) {
  if (!M.Kinds.empty() && !llvm::is_contained(M.Kinds, C.O.Kind))
    return false;
  if (!M.Blocks.empty() && !llvm::is_contained(M.Blocks, C.Blk))
    return false;
  if (!M.Roles.empty() && !llvm::is_contained(M.Roles, C.O.R))
    return false;
  if (!M.Groups.empty() && (!C.O.isComm() || !llvm::is_contained(M.Groups, C.O.G)))
    return false;
  if (M.P && *M.P != C.P)
    return false;
  if (M.MoeLayer && *M.MoeLayer != C.MoeLayer)
    return false;
  if (M.GpuHasFp4 && *M.GpuHasFp4 != C.Gpu.supports(DType::FP4))
    return false;
  if (M.EpDispatch && *M.EpDispatch != C.EpDispatch)
    return false;
  if (M.L && (!C.O.isComm() || *M.L != C.O.L))
    return false;
  if (!M.Gpus.empty() && !gpuNamed(C.Gpu, M.Gpus))
    return false;
  if (!M.ScaleUpGpus.empty() && !llvm::is_contained(M.ScaleUpGpus, C.Gpu.ScaleUpGpus))
    return false;
  if (!M.DTypes.empty() && !llvm::is_contained(M.DTypes, operandType(C.O)))
    return false;
  return true;
}
} // namespace

void CostModel::prepare(const ir::Module &M) {
  size_t N = M.Ops.size();
  Rules.assign(N, Resolved());
  Blocks.assign(N, Block::Other);
  MoeLayer.assign(N, 0);
  LayerMPerGroup.assign(N, 0);

  // Each layer's routed tokens per expert (per token of the workload), for
  // rules keyed by it.
  std::vector<double> LayerM;
  for (const Op &O : M.Ops)
    if (O.Layer >= 0) {
      if (static_cast<size_t>(O.Layer) >= LayerM.size())
        LayerM.resize(static_cast<size_t>(O.Layer) + 1, 0);
      if ((O.Kind == OpKind::GroupedGemm || O.Kind == OpKind::ExpertLinear) &&
          LayerM[static_cast<size_t>(O.Layer)] == 0)
        LayerM[static_cast<size_t>(O.Layer)] = O.Tokens.PerToken;
    }

  EpDispatch = hasEpDispatch(M);

  for (size_t I = 0; I < N; ++I) {
    const Op &O = M.Ops[I];
    bool Moe = O.Layer >= 0 && M.Model.LayerKinds[O.LayerKind].isMoe();
    Block B = blockOf(O);
    if (Moe && B == Block::Mlp && O.R == ir::Role::Act)
      B = Block::SharedExperts; // the shared experts' activation
    // A collective without a role of its own (the all-reduce after a
    // row-parallel projection) belongs to the block it completes.
    if (B == Block::Other && O.isComm() && O.Layer >= 0 && I > 0 &&
        M.Ops[I - 1].Layer == O.Layer)
      B = Blocks[I - 1];
    Blocks[I] = B;
    MoeLayer[I] = Moe;
    if (O.Layer >= 0 && static_cast<size_t>(O.Layer) < LayerM.size())
      LayerMPerGroup[I] = LayerM[static_cast<size_t>(O.Layer)];

    OpContext C{O, B, M.W.P, Moe, EpDispatch, Gpu};
    Resolved &R = Rules[I];
    if (O.isComm()) {
      for (const CommRule &CR : Prof.Comms)
        if (matches(CR.When, C))
          R.apply(CR);
      continue;
    }
    for (const KernelRule &KR : Prof.Kernels) {
      if (!matches(KR.When, C))
        continue;
      if (KR.Rate)
        R.Rate = *KR.Rate;
      if (KR.Efficiency) {
        R.Eff = *KR.Efficiency;
        R.EffCurve = nullptr;
      }
      if (KR.EfficiencyCurve) {
        R.EffCurve = &*KR.EfficiencyCurve;
        R.Key = KR.Key.value_or(EffKey::M);
        if (!KR.Efficiency)
          R.Eff = 1;
      }
      if (KR.MemoryEfficiency)
        R.MemEff = *KR.MemoryEfficiency;
      if (KR.Memory)
        R.Mem = *KR.Memory;
      if (KR.WeightScale)
        R.WeightScale = *KR.WeightScale;
      if (KR.FlopsScale)
        R.FlopsScale = *KR.FlopsScale;
      if (KR.SumTimes)
        R.Sum = *KR.SumTimes;
      if (KR.OverheadUs)
        R.OverheadUs = *KR.OverheadUs;
      if (KR.Free)
        R.Free = *KR.Free;
      if (KR.DivideReplicated)
        R.DivideReplicated = *KR.DivideReplicated;
      if (KR.FullPairs)
        R.FullPairs = *KR.FullPairs;
      if (KR.ReadIdleGroups)
        R.ReadIdleGroups = *KR.ReadIdleGroups;
      if (KR.LeavesCommSms)
        R.LeavesCommSms = *KR.LeavesCommSms;
      if (KR.DivideByParam)
        R.DivideByParam = *KR.DivideByParam;
      if (KR.AllReduceParam)
        R.AllReduceParam = *KR.AllReduceParam;
    }
  }
  collectMemoryTerms(M, StageWeightBytes, KvOps);
  MemoryTermsOf = &M;

  // Collectives that two-batch overlap hides and that take SMs leave the
  // compute beside them the rest.
  SmTakingLayerKind.assign(M.Model.LayerKinds.size(), 0);
  if (M.Plan.Overlap == OverlapMode::TwoBatch && commSmShare() > 0) {
    const TwoBatchSpec &TB = twoBatch(M);
    for (size_t I = 0; I < N; ++I) {
      const Op &O = M.Ops[I];
      if (!O.isComm() || O.Layer < 0 || !Rules[I].TakesSms || Rules[I].Free)
        continue;
      for (const TwoBatchSpec::Hide &H : TB.Hides)
        if (llvm::is_contained(H.Comm, O.R))
          SmTakingLayerKind[O.LayerKind] = 1;
    }
  }
}

double CostModel::commSmShare() const {
  return Gpu.CommSms > 0 && Gpu.Sms > Gpu.CommSms
             ? static_cast<double>(Gpu.CommSms) / static_cast<double>(Gpu.Sms)
             : 0.0;
}

/// The next wider format a GPU without \p T would compute in.
static std::optional<DType> widerOf(DType T) {
  switch (T) {
  case DType::FP4: return DType::FP8;
  case DType::FP8: return DType::BF16;
  case DType::INT4: return DType::BF16; // weight-only: dequantized to bf16
  case DType::MXFP4: return DType::BF16;
  case DType::INT8: return DType::FP8;
  case DType::BF16: return DType::FP16;
  case DType::FP16: return DType::FP32;
  case DType::TF32: return DType::FP32;
  case DType::FP32: return std::nullopt;
  }
  return std::nullopt;
}

double CostModel::tflops(DType T, Phase P, DType *Used) const {
  DType X = T;
  // Weight-only formats run their math in bf16.
  if (isWeightOnly(X))
    X = DType::BF16;
  while (!Gpu.supports(X)) {
    std::optional<DType> W = widerOf(X);
    if (!W)
      break;
    X = *W;
  }
  if (Used)
    *Used = X;
  double R = Gpu.tflops(X) * Prof.Discount * Prof.SustainedClock;
  if (Gpu.CommSms > 0 && Gpu.Sms > 0 &&
      llvm::is_contained(Prof.CommSmPhases, P))
    R *= static_cast<double>(Gpu.Sms - Gpu.CommSms) / static_cast<double>(Gpu.Sms);
  return R;
}

static double fullPairs(const ir::Workload &W) {
  return static_cast<double>(W.Query) * static_cast<double>(W.Context + W.Query);
}

OpCost CostModel::costKernel(const ir::Module &M, const Op &Orig, size_t I,
                             const ir::Workload &W, double TokenScale, bool Split) const {
  const Resolved &R = Rules[I];
  OpCost C;
  C.Blk = Blocks[I];
  if (R.Free)
    return C;
  Op O = Orig;
  if (TokenScale != 1.0)
    O.Tokens = O.Tokens.scaled(TokenScale);
  ir::OpMetrics Mx = ir::metricsOf(O, W);

  // FLOPs and the rate they run at.
  double Flops = Mx.Flops * R.FlopsScale;
  bool IsAttention = O.Kind == OpKind::FlashAttention ||
                     O.Kind == OpKind::PagedAttention || O.Kind == OpKind::MlaDecode;
  if (R.FullPairs && IsAttention) {
    double Causal = ir::attentionPairs(O, W);
    if (Causal > 0)
      Flops *= fullPairs(W) / Causal;
  }
  DType Want = M.Prec.Activations;
  switch (R.Rate) {
  case RateSource::Operands:
    if (O.Kind == OpKind::Gemm || O.Kind == OpKind::GroupedGemm)
      Want = O.WeightType;
    else if (IsAttention)
      Want = attentionUnits(O.ActType);
    break;
  case RateSource::FP16: Want = DType::FP16; break;
  case RateSource::BF16: Want = DType::BF16; break;
  case RateSource::FP8: Want = DType::FP8; break;
  case RateSource::FP4: Want = DType::FP4; break;
  case RateSource::Fastest:
    Want = Gpu.supports(DType::FP4) ? DType::FP4
           : Gpu.supports(DType::FP8) ? DType::FP8
                                      : DType::BF16;
    break;
  }
  double Rate = tflops(Want, M.W.P, &C.Rate);

  double Eff = R.Eff;
  if (R.EffCurve) {
    double X = 0;
    double T = O.Tokens.eval(W);
    switch (R.Key) {
    case EffKey::M: X = T; break;
    case EffKey::K: X = static_cast<double>(O.In); break;
    case EffKey::LayerMPerGroup:
      X = LayerMPerGroup[I] * static_cast<double>(W.tokens()) * TokenScale;
      break;
    case EffKey::Keys: X = static_cast<double>(W.Context + W.Query); break;
    case EffKey::Queries: X = static_cast<double>(W.Query); break;
    }
    // Work grows in proportion to a GEMM's rows and inner dimension, so
    // more of either never takes less time (Curve::evalNonDecreasingTime).
    bool WorkScales = R.Key == EffKey::M || R.Key == EffKey::K ||
                      R.Key == EffKey::LayerMPerGroup;
    Eff *= WorkScales ? R.EffCurve->evalNonDecreasingTime(X) : R.EffCurve->eval(X);
  }
  double ComputeMs = Flops > 0 && Rate > 0 && Eff > 0 ? Flops / (Rate * 1e9 * Eff) : 0;
  if (Split && R.LeavesCommSms && O.Layer >= 0 && SmTakingLayerKind[O.LayerKind]) {
    ComputeMs /= 1 - commSmShare();
    C.LeavesCommSms = true;
  }

  // Memory traffic.
  double Hbm = Gpu.HbmGBps * Prof.Discount * R.MemEff;
  double WeightRead = Mx.WeightRead;
  if (R.ReadIdleGroups && (O.Kind == OpKind::GroupedGemm || O.Kind == OpKind::ExpertLinear))
    WeightRead = Mx.WeightBytes;
  double WeightAct = 0, Kv = 0;
  switch (R.Mem) {
  case Traffic::All:
    WeightAct = WeightRead * R.WeightScale + Mx.ActBytes;
    Kv = Mx.KvRead;
    break;
  case Traffic::Weights:
    WeightAct = WeightRead * R.WeightScale;
    break;
  case Traffic::KvCache:
    Kv = Mx.KvRead;
    break;
  case Traffic::None:
    break;
  }
  double WeightActMs = Hbm > 0 ? WeightAct / (Hbm * Prof.WeightBytesPerMs) : 0;
  double KvMs = Hbm > 0 ? Kv / (Hbm * Prof.KvBytesPerMs) : 0;

  if (R.DivideReplicated && O.Redundancy > 1) {
    ComputeMs /= static_cast<double>(O.Redundancy);
    WeightActMs /= static_cast<double>(O.Redundancy);
    KvMs /= static_cast<double>(O.Redundancy);
  }
  if (!R.DivideByParam.empty()) {
    double D = Prof.param(R.DivideByParam, 1);
    if (D > 0) {
      ComputeMs /= D;
      WeightActMs /= D; // the KV read is not split
    }
  }
  C.ComputeMs = ComputeMs;
  C.MemoryMs = WeightActMs + KvMs;
  C.OverheadMs = (R.OverheadUs + Prof.LaunchUs) / 1000.0;
  double Busy = R.Sum ? C.ComputeMs + C.MemoryMs : std::max(C.ComputeMs, C.MemoryMs);
  C.TimeMs = Busy + C.OverheadMs;
  C.B = C.ComputeMs >= C.MemoryMs ? Bound::Compute : Bound::Memory;
  if (C.OverheadMs > Busy)
    C.B = Bound::Overhead;
  C.Flops = Flops;
  C.Bytes = WeightAct + Kv;

  if (!R.AllReduceParam.empty()) {
    double N = Prof.param(R.AllReduceParam, 1);
    if (N > 1) {
      double Bytes = O.Tokens.eval(W) * static_cast<double>(O.Out) *
                     bytesPerElement(O.ActType);
      C.CommMs = allReduceMs(M, Bytes, static_cast<int64_t>(N), ir::Link::ScaleUp, M.W.P);
      C.CommBytes = Bytes;
      C.TimeMs += C.CommMs;
    }
  }
  return C;
}

bool CostModel::isFree(size_t I) const { return Rules[I].Free; }

double CostModel::allReduceMs(const ir::Module &M, double Bytes,
                              int64_t Participants, ir::Link L, Phase P) const {
  Op A;
  A.Kind = OpKind::AllReduce;
  A.G = ir::Group::TP;
  A.Participants = Participants;
  A.L = L;
  Resolved R;
  OpContext C{A, Block::Attention, P, true, EpDispatch, Gpu};
  for (const CommRule &CR : Prof.Comms)
    if (matches(CR.When, C))
      R.apply(CR); // only the rate, latency and byte scale are read below
  double N = static_cast<double>(Participants);
  double Factor = R.Ring ? 2 * (N - 1) / N : 1.0;
  double Bw = (L == ir::Link::ScaleUp ? Gpu.ScaleUpGBps : Gpu.ScaleOutGBps) *
              Prof.Discount * R.bandwidthEfficiency(Bytes * R.BytesScale);
  (void)M;
  return Bytes * R.BytesScale * Factor / (Bw * Prof.CommBytesPerMs) + R.LatencyUs / 1000.0;
}

/// C(N, K) as a double.
static double choose(double N, double K) {
  if (K < 0 || K > N)
    return 0;
  return std::exp(std::lgamma(N + 1) - std::lgamma(K + 1) - std::lgamma(N - K + 1));
}

/// Scale-up domains other than its own that one token's top-k experts
/// touch, on average, with the experts spread evenly over the EP group's
/// domains: the inter-domain copies a hierarchical all-to-all (DeepEP's
/// normal kernels) sends, one per remote domain. Group-limited routing
/// (top g of G groups, groups aligned with domains) touches fewer domains
/// than k experts drawn uniformly.
double ssc::cost::remoteDomainsPerToken(const MoeSpec &Moe, int64_t Ep, int64_t DomainGpus) {
  double D = std::ceil(static_cast<double>(Ep) / static_cast<double>(std::max<int64_t>(1, DomainGpus)));
  if (D <= 1)
    return 0;
  double Miss; // probability that a given domain holds none of the token's experts
  if (Moe.Groups > 1 && Moe.GroupTopK > 0 && Moe.Groups % static_cast<int64_t>(D) == 0) {
    double G = static_cast<double>(Moe.Groups);
    double GK = static_cast<double>(Moe.GroupTopK);
    Miss = choose(G - G / D, GK) / choose(G, GK);
  } else {
    double E = static_cast<double>(Moe.Experts);
    double K = static_cast<double>(Moe.TopK);
    Miss = choose(E - E / D, K) / choose(E, K);
  }
  return (D - 1) * (1 - Miss);
}

OpCost CostModel::costComm(const ir::Module &M, const Op &O, size_t I,
                           const ir::Workload &W, double TokenScale) const {
  const Resolved &R = Rules[I];
  OpCost C;
  C.Blk = Blocks[I];
  C.B = Bound::Comm;
  if (R.Free)
    return C;
  C.TakesSms = R.TakesSms;
  double Bytes = O.Bytes.eval(W) * TokenScale * R.BytesScale;
  double N = static_cast<double>(O.Participants);
  if (O.Kind == OpKind::AllToAll && O.Layer >= 0) {
    const LayerSpec &L = M.Model.LayerKinds[O.LayerKind];
    if (L.Moe) {
      double E = static_cast<double>(L.Moe->Experts);
      switch (R.Payload) {
      case CommRule::Remote::All:
        break;
      case CommRule::Remote::Peers:
        Bytes *= N > 1 ? (N - 1) / N : 0;
        break;
      case CommRule::Remote::DomainExperts: {
        double Local = std::ceil(E / static_cast<double>(Gpu.ScaleUpGpus));
        Bytes *= (E - Local) / E;
        break;
      }
      case CommRule::Remote::GroupDedup:
        Bytes *= static_cast<double>(std::max<int64_t>(1, L.Moe->GroupTopK) - 1) /
                 static_cast<double>(L.Moe->TopK);
        break;
      case CommRule::Remote::DomainDedup:
        Bytes *= remoteDomainsPerToken(*L.Moe, O.Participants, Gpu.ScaleUpGpus) /
                 static_cast<double>(L.Moe->TopK);
        break;
      case CommRule::Remote::GpuDedup:
        Bytes *= remoteDomainsPerToken(*L.Moe, O.Participants, 1) /
                 static_cast<double>(L.Moe->TopK);
        break;
      }
    }
  }
  C.CommBytes = Bytes;
  ir::Link Link = R.ForceLink.value_or(O.L);
  if (O.Participants <= 1 && !R.ForceLink) {
    // A collective over one GPU is a local copy: read and write in HBM.
    double Hbm = Gpu.HbmGBps * Prof.Discount;
    C.MemoryMs = Hbm > 0 ? 2 * Bytes / (Hbm * Prof.WeightBytesPerMs) : 0;
    C.TimeMs = C.MemoryMs + Prof.LaunchUs / 1000.0;
    C.Bytes = 2 * Bytes;
    C.B = Bound::Memory;
    return C;
  }
  double Factor = 1.0;
  if (R.Ring && N > 1) {
    switch (O.Kind) {
    case OpKind::AllReduce: Factor = 2 * (N - 1) / N; break;
    case OpKind::AllGather:
    case OpKind::ReduceScatter:
    case OpKind::AllToAll: Factor = (N - 1) / N; break;
    default: Factor = 1; break;
    }
  }
  double Bw = (Link == ir::Link::ScaleUp ? Gpu.ScaleUpGBps : Gpu.ScaleOutGBps) *
              Prof.Discount * R.bandwidthEfficiency(Bytes);
  C.CommMs = Bw > 0 ? Bytes * Factor / (Bw * Prof.CommBytesPerMs) : 0;
  C.CommMs += R.LatencyUs / 1000.0;
  C.TimeMs = C.CommMs;
  return C;
}

ir::Workload CostModel::stepWorkload(const ir::Module &M, const ir::Workload &W) {
  // Pipeline micro-batches run the stages on a slice of the batch.
  int64_t Micro = M.Plan.PP > 1 ? std::max<int64_t>(1, M.Plan.MicroBatches) : 1;
  ir::Workload Out = W;
  if (Micro > 1)
    Out.Batch = std::max<int64_t>(1, (Out.Batch + Micro - 1) / Micro);
  return Out;
}

std::vector<bool> CostModel::splitBlocks(const ir::Module &M) const {
  std::vector<bool> IsSplit(NumBlocks, false);
  if (M.Plan.Overlap == OverlapMode::TwoBatch)
    for (Block B : twoBatch(M).SplitBlocks)
      IsSplit[static_cast<unsigned>(B)] = true;
  return IsSplit;
}

OpCost CostModel::costOp(const ir::Module &M, size_t I, const ir::Workload &W,
                         const std::vector<bool> &IsSplit) const {
  const Op &O = M.Ops[I];
  if (O.isComm())
    return costComm(M, O, I, W, 1.0);
  if (!IsSplit[static_cast<unsigned>(Blocks[I])])
    return costKernel(M, O, I, W, 1.0, false);
  OpCost C = costKernel(M, O, I, W, 0.5, true);
  C.TimeMs *= 2;
  C.ComputeMs *= 2;
  C.MemoryMs *= 2;
  C.OverheadMs *= 2;
  C.CommMs *= 2;
  C.Flops *= 2;
  C.Bytes *= 2;
  C.Executions = 2;
  return C;
}

void CostModel::addToLayer(LayerCost &LC, const ir::Module &M, const Op &O,
                           OpCost &C) const {
  LC.Kind = O.LayerKind;
  LC.Stage = O.Stage;
  LC.Mtp = O.Mtp;
  if (O.isComm() && C.crossesLink()) {
    LC.CommMs += C.TimeMs;
    int Group = -1;
    if (M.Plan.Overlap == OverlapMode::TwoBatch) {
      const TwoBatchSpec &TB = twoBatch(M);
      for (size_t H = 0; H < TB.Hides.size(); ++H)
        if (llvm::is_contained(TB.Hides[H].Comm, O.R))
          Group = static_cast<int>(H);
    }
    if (Group >= 0) {
      C.HideGroup = Group;
      LC.HideCommMs[static_cast<size_t>(Group)] += C.TimeMs;
      if (C.TakesSms)
        LC.HideSmCommMs[static_cast<size_t>(Group)] += C.TimeMs;
      return;
    }
  } else {
    LC.ComputeMs += C.TimeMs;
    LC.CommMs += C.CommMs;
    if (!C.LeavesCommSms)
      LC.SmSharingMs[static_cast<unsigned>(C.Blk)] += C.TimeMs;
  }
  LC.BlockMs[static_cast<unsigned>(C.Blk)] += C.TimeMs;
}

double CostModel::finishLayer(LayerCost &LC, const ir::Module &M) const {
  bool TBO = M.Plan.Overlap == OverlapMode::TwoBatch;
  const TwoBatchSpec &TB = twoBatch(M);
  size_t NumHides = TBO ? TB.Hides.size() : 0;
  double Blocks = 0;
  for (double B : LC.BlockMs)
    Blocks += B;
  double T = Blocks;
  double Deficit = 0;
  // While collectives that take SMs run, the compute beside them has the
  // other SMs. Of X ms of compute behind C ms of such collectives, a part
  // U runs on all SMs (the rest already runs on the SMs they leave); the
  // collectives overlap min(1, C / X) of it, so the compute finishes after
  // max(C, X + s * U * min(1, C / X)), s = comm_sms / sms. With U = X that
  // is max(C, X + s * min(C, X)).
  double SmShare = commSmShare();
  LC.SmTaxMs = 0;
  for (size_t H = 0; H < NumHides; ++H) {
    double Behind = 0, Sharing = 0;
    for (Block B : TB.Hides[H].Behind) {
      Behind += TB.Hides[H].Share * LC.BlockMs[static_cast<unsigned>(B)];
      Sharing += TB.Hides[H].Share * LC.SmSharingMs[static_cast<unsigned>(B)];
    }
    LC.HideBalanceMs[H] = LC.HideCommMs[H] - Behind;
    LC.HideSmSharingMs[H] = Sharing;
    double Exposed = std::max(0.0, LC.HideBalanceMs[H]);
    Deficit += Exposed;
    double Overlapped = Behind > 0 ? Sharing * std::min(1.0, LC.HideSmCommMs[H] / Behind) : 0;
    LC.SmTaxMs += std::max(0.0, SmShare * Overlapped - Exposed);
  }
  T += Deficit + LC.SmTaxMs;
  // Collectives outside hide groups were counted in their blocks.
  double Unhidden = LC.CommMs;
  for (double H : LC.HideCommMs)
    Unhidden -= H;
  // The difference of equal sums can round below zero; nothing is exposed.
  Unhidden = std::max(0.0, Unhidden);
  if (!TBO && M.Plan.Overlap == OverlapMode::Comm) {
    double Hide = Prof.CommOverlap * std::min(LC.ComputeMs, Unhidden);
    T -= Hide;
    Unhidden -= Hide;
  }
  LC.ExposedCommMs = Unhidden + Deficit;
  LC.TimeMs = T;
  return Blocks;
}

namespace {
/// The sum and the largest of the stages' times.
std::pair<double, double> sumAndMax(llvm::ArrayRef<double> StageMs) {
  double Sum = 0, Max = 0;
  for (double S : StageMs) {
    Sum += S;
    Max = std::max(Max, S);
  }
  return {Sum, Max};
}

/// pipelinePeriod from the stages' sum and largest time.
double period(double Sum, double Max, double Micro) { return std::max(Micro * Max, Sum); }
} // namespace

double CostModel::pipelinePeriod(llvm::ArrayRef<double> StageMs, int64_t Micro) {
  auto [Sum, Max] = sumAndMax(StageMs);
  return period(Sum, Max, static_cast<double>(Micro));
}

void CostModel::finishStep(llvm::ArrayRef<double> StageMs, int64_t Micro, bool Steady,
                           double &StepMs, double &StepIfHiddenMs, double &BubbleMs) {
  // Pipeline: with m micro-batches, a prefill fills the pipe once, then
  // passes one micro-batch per slowest stage. Decode steps follow each other
  // without draining the pipe, so a step takes the pipeline's period.
  auto [Sum, Max] = sumAndMax(StageMs);
  double M = static_cast<double>(Micro);
  StepMs = Steady ? period(Sum, Max, M) : Sum + (M - 1) * Max;
  if (Micro > 1)
    StepIfHiddenMs = StepIfHiddenMs / Sum * StepMs;
  BubbleMs = StageMs.size() > 1 ? StepMs - M * Sum / static_cast<double>(StageMs.size()) : 0;
  BubbleMs = std::max(0.0, BubbleMs);
}

PhaseCost CostModel::evaluate(const ir::Module &M, const ir::Workload &WIn) const {
  PhaseCost PC;
  PC.P = M.W.P;
  const PhasePlan &Plan = M.Plan;
  int64_t Micro = Plan.PP > 1 ? std::max<int64_t>(1, Plan.MicroBatches) : 1;
  ir::Workload W = stepWorkload(M, WIn);
  std::vector<bool> IsSplit = splitBlocks(M);

  PC.Ops.resize(M.Ops.size());
  std::set<std::string> Notes;
  for (size_t I = 0; I < M.Ops.size(); ++I) {
    const Op &O = M.Ops[I];
    if (O.dialect() == ir::Dialect::Model || O.dialect() == ir::Dialect::NN)
      continue; // the driver runs lower-kernels before costing
    OpCost C = costOp(M, I, W, IsSplit);
    bool OperandRate = Rules[I].Rate == RateSource::Operands;
    if (O.Kind == OpKind::GroupedGemm && O.ExpertRanks > 1 && !O.EvenRows &&
        !Rules[I].ReadIdleGroups && O.Layer >= 0) {
      // Say so where the busiest rank's reading sets the step: at small
      // batches, the experts a rank reads vary from rank to rank.
      double T = O.Tokens.eval(W);
      double Mean = ir::activeGroupShare(O.Groups, T) * O.Groups;
      double Busiest = ir::busiestActiveGroupShare(O.Groups, T, O.ExpertRanks) * O.Groups;
      if (Mean > 0 && Busiest > 1.1 * Mean)
        Notes.insert(("expert weights read as on the busiest of the " + llvm::Twine(O.ExpertRanks) +
                      " expert-parallel ranks, which the step waits for: " +
                      formatShortest(std::round(Busiest * 10) / 10) + " of its " +
                      formatShortest(std::round(O.Groups * 10) / 10) +
                      " experts get tokens per layer, " +
                      formatShortest(std::round(Mean * 10) / 10) +
                      " on the average rank (tokens routed at random; --expert-routing=even "
                      "for a benchmark's layout)")
                         .str());
    }
    if (OperandRate && !O.isComm() &&
        (O.Kind == OpKind::Gemm || O.Kind == OpKind::GroupedGemm)) {
      if (O.WeightType == DType::MXFP4)
        Notes.insert("GEMMs with mxfp4 weights run weight-only: the kernel dequantizes the "
                     "4-bit weights and computes in bf16, as TensorRT-LLM runs openai's "
                     "gpt-oss checkpoint (W4A16_MXFP4); fp4 (NVFP4) quantizes the "
                     "activations too and runs on fp4 units");
      else if (C.Rate != O.WeightType && !isWeightOnly(O.WeightType))
        Notes.insert(("GEMMs with " + dtypeName(O.WeightType) + " weights run at " +
                      dtypeName(C.Rate) + " rate: " + Gpu.Name + " has no " +
                      dtypeName(O.WeightType) + " units")
                         .str());
    }
    if (OperandRate &&
        (O.Kind == OpKind::FlashAttention || O.Kind == OpKind::PagedAttention ||
         O.Kind == OpKind::MlaDecode) &&
        C.Rate != attentionUnits(O.ActType))
      Notes.insert(("attention in " + dtypeName(O.ActType) + " runs at " +
                    dtypeName(C.Rate) + " rate: " + Gpu.Name + " has no " +
                    dtypeName(O.ActType) + " units")
                       .str());
    PC.Ops[I] = C;
  }
  if (Plan.EP > 1 && Plan.ExpertImbalance == 1 && M.Model.hasMoe()) {
    std::string Note = "routed experts evenly loaded over the ep=" + std::to_string(Plan.EP) +
                       " GPUs (expert_imbalance in the plan states the busiest GPU's load "
                       "over the mean";
    // Wide EP: say what the profile knows of the imbalance EPLB leaves.
    if (Plan.attentionDP() && Prof.Serving.EplbExpertImbalance > 1)
      Note += "; under EPLB about " + formatShortest(Prof.Serving.EplbExpertImbalance) +
              ", the profile's serving.eplb_expert_imbalance, which ssc validate applies";
    Notes.insert(Note + ")");
  }

  if (llvm::any_of(M.Ops, [](const Op &O) { return O.Mtp; }))
    Notes.insert("the model's multi-token-prediction layers run in every step (--mtp); "
                 "the draft tokens they propose and their acceptance are not modeled, so a "
                 "decode step still yields one token per sequence");

  // Layers.
  int32_t MaxLayer = -1;
  for (const Op &O : M.Ops)
    MaxLayer = std::max(MaxLayer, O.Layer);
  PC.Layers.resize(static_cast<size_t>(MaxLayer + 1));
  for (size_t L = 0; L < PC.Layers.size(); ++L)
    PC.Layers[L].Layer = static_cast<int32_t>(L);
  PC.StageMs.assign(static_cast<size_t>(std::max<int64_t>(1, Plan.PP)), 0.0);

  size_t NumHides = Plan.Overlap == OverlapMode::TwoBatch ? twoBatch(M).Hides.size() : 0;
  for (LayerCost &LC : PC.Layers) {
    LC.resetHides(NumHides);
  }

  for (size_t I = 0; I < M.Ops.size(); ++I) {
    const Op &O = M.Ops[I];
    OpCost &C = PC.Ops[I];
    if (O.dialect() == ir::Dialect::Model || O.dialect() == ir::Dialect::NN)
      continue;
    bool Transfer = O.isComm() && C.crossesLink();
    PC.ComputeMs += Transfer ? 0 : C.TimeMs;
    PC.CommMs += Transfer ? C.TimeMs : C.CommMs;
    if (O.Layer < 0) {
      PC.OutsideLayersMs += C.TimeMs;
      PC.StageMs[std::min<size_t>(O.Stage, PC.StageMs.size() - 1)] += C.TimeMs;
      if (Transfer)
        PC.ExposedCommMs += C.TimeMs;
      continue;
    }
    addToLayer(PC.Layers[static_cast<size_t>(O.Layer)], M, O, C);
  }

  // Each layer's ops, for what dominates it.
  std::vector<std::vector<uint32_t>> LayerOps(PC.Layers.size());
  for (size_t I = 0; I < M.Ops.size(); ++I)
    if (M.Ops[I].Layer >= 0 && !(M.Ops[I].isComm() && PC.Ops[I].crossesLink()))
      LayerOps[static_cast<size_t>(M.Ops[I].Layer)].push_back(static_cast<uint32_t>(I));

  for (LayerCost &LC : PC.Layers) {
    double Blocks = finishLayer(LC, M);
    PC.ExposedCommMs += LC.ExposedCommMs;
    PC.SmTaxMs += LC.SmTaxMs;
    PC.StepIfHiddenMs += Blocks;
    PC.StageMs[std::min<size_t>(LC.Stage, PC.StageMs.size() - 1)] += LC.TimeMs;

    // What dominates the layer.
    double ComputeBound = 0, MemoryBound = 0;
    for (uint32_t I : LayerOps[static_cast<size_t>(LC.Layer)]) {
      if (PC.Ops[I].B == Bound::Compute)
        ComputeBound += PC.Ops[I].TimeMs;
      else
        MemoryBound += PC.Ops[I].TimeMs;
    }
    LC.Dominant = dominantBound(ComputeBound, MemoryBound, LC.ExposedCommMs);
  }
  // Each hidden collective's part of its group's excess.
  for (size_t I = 0; I < M.Ops.size(); ++I) {
    OpCost &C = PC.Ops[I];
    if (!C.hidden())
      continue;
    const LayerCost &LC = PC.Layers[static_cast<size_t>(M.Ops[I].Layer)];
    size_t H = static_cast<size_t>(C.HideGroup);
    if (LC.HideCommMs[H] > 0)
      C.ExposedMs = std::max(0.0, LC.HideBalanceMs[H]) * C.TimeMs / LC.HideCommMs[H];
  }
  // Two-batch overlap that hides nothing: the split blocks run twice (each
  // half-batch reads the weights again) and no collective goes behind them.
  if (Plan.Overlap == OverlapMode::TwoBatch &&
      llvm::none_of(PC.Ops, [](const OpCost &C) { return C.hidden() && C.crossesLink(); }))
    Notes.insert("two-batch overlap hides nothing here: no collective of the profile's "
                 "two_batch groups crosses GPUs in this plan (without expert parallelism "
                 "there is no dispatch or combine), so splitting the batch only runs each "
                 "split block twice");
  PC.StepIfHiddenMs += PC.OutsideLayersMs;
  finishStep(PC.StageMs, Micro, M.W.P == Phase::Decode, PC.StepMs, PC.StepIfHiddenMs,
             PC.BubbleMs);

  double ComputeBound = 0, MemoryBound = 0;
  for (size_t I = 0; I < M.Ops.size(); ++I)
    if (!M.Ops[I].isComm() && M.Ops[I].dialect() == ir::Dialect::Kernel) {
      if (PC.Ops[I].B == Bound::Compute)
        ComputeBound += PC.Ops[I].TimeMs;
      else
        MemoryBound += PC.Ops[I].TimeMs;
    }
  PC.Dominant = dominantBound(ComputeBound, MemoryBound, PC.ExposedCommMs);
  PC.Notes.assign(Notes.begin(), Notes.end());
  return PC;
}

/// Tokens of KV a layer keeps for a sequence of \p L tokens; a chunked
/// layer keeps them all where \p WholeChunked.
static double cachedTokens(const Op &O, double L, bool WholeChunked) {
  double N = L;
  if (O.Window > 0)
    N = std::min(N, static_cast<double>(O.Window + O.SinkTokens));
  if (O.Chunk > 0 && !WholeChunked)
    N = std::min(N, static_cast<double>(O.Chunk));
  if (O.Selection == KvSelection::H2O && O.KvBudget > 0)
    N = std::min(N, static_cast<double>(O.KvBudget));
  return N;
}

void CostModel::collectMemoryTerms(const ir::Module &M, std::vector<double> &Weights,
                                   std::vector<uint32_t> &KvOps) const {
  const MemorySpec &MS = Prof.Memory;
  size_t Stages = static_cast<size_t>(std::max<int64_t>(1, M.Plan.PP));
  Weights.assign(Stages, 0.0);
  KvOps.clear();
  double AttnDivisor = MS.AttentionWeightsDivisorParam.empty()
                           ? 1.0
                           : Prof.param(MS.AttentionWeightsDivisorParam, 1);
  for (size_t I = 0; I < M.Ops.size(); ++I) {
    const Op &O = M.Ops[I];
    if (O.dialect() != ir::Dialect::Kernel)
      continue;
    size_t S = std::min<size_t>(O.Stage, Stages - 1);
    Block B = I < Blocks.size() ? Blocks[I] : blockOf(O);
    bool Count = MS.CountBlocks.empty() || llvm::is_contained(MS.CountBlocks, B);
    if (Count) {
      double WB = ir::metricsOf(O, M.W).WeightBytes * MS.WeightBytesScale;
      if (B == Block::Attention)
        WB /= AttnDivisor;
      Weights[S] += WB;
    }
    bool IsAttention = O.Kind == OpKind::FlashAttention ||
                       O.Kind == OpKind::PagedAttention || O.Kind == OpKind::MlaDecode;
    if (IsAttention && O.CachesKv)
      KvOps.push_back(static_cast<uint32_t>(I));
  }
}

MemoryUse CostModel::memory(const ir::Module &M, double Batch, double KvTokens) const {
  return memory(M, Batch, KvTokens, M.W.Query);
}

MemoryUse CostModel::memory(const ir::Module &M, double Batch, double KvTokens,
                            int64_t QueryTokens) const {
  const MemorySpec &MS = Prof.Memory;
  size_t Stages = static_cast<size_t>(std::max<int64_t>(1, M.Plan.PP));
  // prepare() collected the weights and the KV-caching ops of its module.
  std::vector<double> OwnWeights;
  std::vector<uint32_t> OwnKvOps;
  const std::vector<double> *Weights = &StageWeightBytes;
  const std::vector<uint32_t> *KvOpList = &KvOps;
  if (MemoryTermsOf != &M || StageWeightBytes.size() != Stages) {
    collectMemoryTerms(M, OwnWeights, OwnKvOps);
    Weights = &OwnWeights;
    KvOpList = &OwnKvOps;
  }
  double KvMult = MS.KvMultiplierParam.empty() ? 1.0 : Prof.param(MS.KvMultiplierParam, 1);
  llvm::SmallVector<double, 8> KvPerSeq(Stages, 0.0);
  // Per stage: one of its chunked-attention layers holds more tokens than
  // its chunk because the profile keeps the whole sequence.
  llvm::SmallVector<bool, 8> ChunkedWhole(Stages, false);
  for (uint32_t I : *KvOpList) {
    const Op &O = M.Ops[I];
    size_t S = std::min<size_t>(O.Stage, Stages - 1);
    double Kept = cachedTokens(O, KvTokens, MS.ChunkedKvWholeSequence);
    if (MS.ChunkedKvWholeSequence && Kept > cachedTokens(O, KvTokens, false))
      ChunkedWhole[S] = true;
    KvPerSeq[S] += static_cast<double>(O.KvElemsPerToken) * Kept *
                   bytesPerElement(O.KvType) /
                   static_cast<double>(std::max<int64_t>(1, O.ContextShards)) * KvMult;
  }
  MemoryUse Best;
  bool First = true;
  for (size_t S = 0; S < Stages; ++S) {
    MemoryUse U;
    U.CapacityBytes = Gpu.MemoryGB * MS.BytesPerGB;
    U.UsableBytes = U.CapacityBytes * MS.UsableFraction;
    U.ReservedBytes = MS.ReservedGB * MS.BytesPerGB;
    U.WeightBytes = (*Weights)[S];
    U.KvBytesPerSeq = KvPerSeq[S];
    U.KvTokensPerSeq = KvTokens;
    U.ChunkedKvWhole = ChunkedWhole[S];
    double ActPerToken = MS.ActivationHiddenPerToken * static_cast<double>(M.Model.Hidden) *
                         bytesPerElement(M.Prec.Activations);
    double Query = static_cast<double>(QueryTokens);
    // Activations are live for the tokens in flight: the whole batch, or a
    // chunk of at most MaxTokensInFlight tokens when the profile says so.
    double Chunk = MS.MaxTokensInFlight > 0 ? MS.MaxTokensInFlight : 1e300;
    U.ActivationBytes = ActPerToken * std::min(Batch * Query, Chunk);
    double Free = U.UsableBytes - U.ReservedBytes - U.WeightBytes;
    double PerSeq = U.KvBytesPerSeq + ActPerToken * Query;
    // Largest b with b * KV + act(min(b * Query, Chunk)) <= Free.
    double B = Free <= 0 ? 0 : PerSeq > 0 ? Free / PerSeq : 1e18;
    if (B * Query > Chunk)
      B = U.KvBytesPerSeq > 0 ? (Free - ActPerToken * Chunk) / U.KvBytesPerSeq : 1e18;
    U.MaxBatch = std::max(0.0, B);
    if (First || U.MaxBatch < Best.MaxBatch)
      Best = U;
    First = false;
  }
  return Best;
}

//===- IR.h - ssc's intermediate representation -----------------*- C++ -*-===//
//
// A Module holds one phase (prefill or decode) of one model on one target
// under one plan: a flat list of ops, each tagged with the layer and pipeline
// stage it belongs to. Ops come in four dialects, which the passes move
// through (docs/ir.md):
//
//   model.*   the model as written: embed, stack (a layer pattern), layer, head
//   nn.*      tensor ops of one device: linear, attention, norm, ...
//   comm.*    collectives inserted by sharding: all_reduce, all_to_all, ...
//   kernel.*  what runs on the GPU: gemm, grouped_gemm, flash_attention, ...
//
// Sizes that depend on the workload are not fixed numbers but Extents over
// the workload's symbols (tokens T = B*Q, sequences B), so that one lowered
// module evaluates any batch or sequence length without re-running passes.
// Printers show them bound to the module's workload.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_IR_IR_H
#define SSC_IR_IR_H

#include "ssc/Spec/Gpu.h"
#include "ssc/Spec/Model.h"
#include "ssc/Spec/Plan.h"
#include "ssc/Support/DType.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssc::ir {

/// The workload one module computes: Batch sequences per data-parallel
/// replica, each adding Query new tokens to Context tokens already cached.
/// Prefill: Query = prompt length (minus a cached prefix in Context);
/// decode: Query = 1 (more with multi-token prediction), Context = KV length.
struct Workload {
  Phase P = Phase::Decode;
  int64_t Batch = 1;
  int64_t Query = 1;
  int64_t Context = 0;

  int64_t tokens() const { return Batch * Query; }
};

/// A size that scales with the workload:
///   PerToken * T + PerSeq * B + PerContext * B * C + Fixed
/// (T = B * Q new tokens; B * C tokens already cached).
struct Extent {
  double PerToken = 0;
  double PerSeq = 0;
  double PerContext = 0;
  double Fixed = 0;

  static Extent tokens(double Scale = 1) { return {Scale, 0, 0, 0}; }
  static Extent seqs(double Scale = 1) { return {0, Scale, 0, 0}; }
  /// Every token of every sequence, cached or new: B * (C + Q).
  static Extent allTokens(double Scale = 1) { return {Scale, 0, Scale, 0}; }
  static Extent fixed(double V) { return {0, 0, 0, V}; }

  double eval(const Workload &W) const {
    double B = static_cast<double>(W.Batch);
    return PerToken * static_cast<double>(W.tokens()) + PerSeq * B +
           PerContext * B * static_cast<double>(W.Context) + Fixed;
  }
  Extent scaled(double F) const {
    return {PerToken * F, PerSeq * F, PerContext * F, Fixed * F};
  }
  bool isZero() const {
    return PerToken == 0 && PerSeq == 0 && PerContext == 0 && Fixed == 0;
  }
  bool operator==(const Extent &O) const {
    return PerToken == O.PerToken && PerSeq == O.PerSeq &&
           PerContext == O.PerContext && Fixed == O.Fixed;
  }
};

/// Numeric formats of one deployment.
struct Precision {
  DType Weights = DType::BF16;       // dense weights and GEMM inputs
  DType ExpertWeights = DType::BF16; // routed experts
  DType Activations = DType::BF16;
  DType KvCache = DType::BF16;
  DType Attention = DType::BF16;     // attention math
  DType Dispatch = DType::BF16;      // MoE dispatch all-to-all payload
  DType Combine = DType::BF16;       // MoE combine all-to-all payload
};

enum class OpKind : uint8_t {
  // model dialect
  ModelEmbed,
  ModelStack,
  ModelLayer,
  ModelHead,
  // nn dialect
  Embedding,
  Norm,
  Linear,
  ExpertLinear,
  Rope,
  Attention,
  Activation,
  Residual,
  TopK,
  MoeCombine,
  MoePermute, // received tokens into expert order (contiguous grouped GEMMs)
  Concat,     // copy parts (some broadcast) into one tensor: no FLOPs
  Quantize,   // a GEMM's input to fp8 with its scales (block-scaled fp8)
  // comm dialect
  AllReduce,
  AllGather,
  ReduceScatter,
  AllToAll,
  SendRecv,
  // kernel dialect
  Gather,
  Gemm,
  GroupedGemm,
  FlashAttention,
  PagedAttention,
  MlaDecode,
  NormKernel,
  Elementwise,
};

enum class Dialect : uint8_t { Model, NN, Comm, Kernel };
Dialect dialectOf(OpKind K);
/// "nn.linear", "kernel.gemm", ...
llvm::StringRef opName(OpKind K);

/// What an op is for, within its layer.
enum class Role : uint8_t {
  None,
  Embed,
  Head,
  InputNorm,    // before attention (pre / sandwich / parallel)
  PostAttnNorm, // after attention (post / sandwich)
  FfnNorm,      // before the MLP (pre / sandwich)
  PostFfnNorm,  // after the MLP (post / sandwich)
  FinalNorm,
  QkNorm,
  QLoraNorm,
  KvLoraNorm,
  QKV,      // fused q, k, v projection
  Q,
  K,
  V,
  QA,       // MLA: hidden -> q_lora
  QB,       // MLA: q_lora -> heads * (nope + rope)
  KVA,      // MLA: hidden -> kv_lora + rope
  KVB,      // MLA: kv_lora -> heads * (nope + v), plain form
  QAbsorb,  // MLA absorbed: q_nope -> kv_lora per head (W_UK)
  VAbsorb,  // MLA absorbed: latent -> v per head (W_UV)
  O,
  Attn,
  Rope,
  KConcat,  // MLA plain: per-head keys from k_nope and the shared k_rope
  GateUp,   // fused gate and up projections
  Gate,
  Up,
  Down,
  Act,
  Router,
  Experts,      // routed experts (gate+up, then down: see ExpertStep)
  ExpertGateUp,
  ExpertGate,
  ExpertUp,
  ExpertDown,
  ExpertAct,
  SharedGateUp,
  SharedDown,
  SharedGate,
  EhProj,       // MTP input projection
  AttnResidual,
  FfnResidual,
  Dispatch,
  Combine,
  Permute,
  PipeSend,
  ContextExchange,
  // nn.quantize of a block-scaled fp8 GEMM's input, by the GEMMs it feeds:
  AttnQuant,     // attention projections
  MlpQuant,      // a dense MLP's projections
  SharedQuant,   // the shared experts' projections
  DispatchQuant, // each token once, before the routed experts (and dispatch)
  ExpertQuant,   // the routed experts' down projection, per (token, expert)
};
/// The last role, for loops over all of them.
constexpr Role LastRole = Role::ExpertQuant;
llvm::StringRef roleName(Role R);
/// One of the roles of nn.quantize (and of the kernel it lowers to).
bool isQuantRole(Role R);

/// How sharding split an op's weights.
enum class Split : uint8_t { None, Column, Row, Vocab, Experts, Heads, Sequence, Replicated };
llvm::StringRef splitName(Split S);

/// The devices a collective spans.
enum class Group : uint8_t { TP, SP, EP, ETP, DP, PP };
llvm::StringRef groupName(Group G);

enum class Link : uint8_t { ScaleUp, ScaleOut };
llvm::StringRef linkName(Link L);

/// Which form MLA attention takes: plain (decompress K and V, then standard
/// attention; cheap for long query blocks) or absorbed (attend over the
/// latent cache with W_UK and W_UV folded into the query and output; cheap
/// for decode).
enum class MlaForm : uint8_t { Auto, Plain, Absorbed };
/// How a MoE layer's tokens spread over its experts: at random, as a router
/// sends them in serving (some experts of a GPU get none at small batches),
/// or evenly, every expert the same rows (a kernel benchmark's layout).
enum class ExpertRouting : uint8_t { Random, Even };

struct Op {
  OpKind Kind = OpKind::Linear;
  Role R = Role::None;
  int32_t Layer = -1;     // position in the stack (MTP layers follow); -1: none
  uint16_t LayerKind = 0; // index into the model's LayerKinds
  uint16_t Stage = 0;     // pipeline stage
  bool Mtp = false;       // part of a multi-token-prediction module

  // Placement, set by `shard`: how many GPUs run this op in the whole
  // deployment, and how many of those compute the same values.
  int64_t Devices = 1;
  int64_t Redundancy = 1;
  Split How = Split::None;
  /// Distinct slices of the op's weights across one replica's devices (tp
  /// for a column split, ep * etp for experts, 1 when replicated).
  int64_t WeightShards = 1;

  // Sizes on one device.
  Extent Tokens;           // rows processed (tokens, or sequences for the head)
  int64_t In = 0;          // linear: K; norm/elementwise: width
  int64_t Out = 0;         // linear: N
  double Groups = 0;       // expert linear: experts on the device (an average
                           // when uneven placement gives GPUs different
                           // counts); linear: batched per-head GEMMs (MLA
                           // absorption); 0: one
  int64_t ExpertsTotal = 0; // experts in the model (for expected activation)
  /// Expert GEMMs: the ranks holding different experts (ep). Tokens routed
  /// at random leave them different numbers of active experts, and the step
  /// waits for the rank that reads the most (ir::busiestActiveGroupShare).
  int64_t ExpertRanks = 1;
  /// Expert GEMMs: every group gets the same rows rather than tokens routed
  /// at random (which leave some groups, and their weights, untouched).
  bool EvenRows = false;
  DType WeightType = DType::BF16;
  DType ActType = DType::BF16;
  bool Bias = false;
  uint8_t Sub = 0; // NormKind, MlpKind or elementwise detail, by kind
                   // (quantize: 1 when its input is split like a
                   // row-parallel GEMM's, 0 when whole)
  int64_t QuantGroup = 0; // quantize: elements per scale; 0: one per tensor

  // Attention.
  int64_t Heads = 0, KvHeads = 0, QkDim = 0, VDim = 0;
  int64_t Window = 0, Chunk = 0, SinkTokens = 0;
  KvSelection Selection = KvSelection::None;
  int64_t KvBudget = 0;
  bool Causal = true;
  bool Latent = false;       // MLA absorbed: K/V are the shared latent
  bool CachesKv = true;      // false: reads another layer's cache (share_kv)
  int64_t KvElemsPerToken = 0; // cached elements per token on the device
  int64_t KvReadPerKey = 0;    // elements attention reads per key (MLA plain:
                               // decompressed K and V; otherwise the cache)
  bool TiedWeights = false;    // lm_head reusing the embedding's weights
  int64_t ContextShards = 1;   // context parallel: KV split this many ways
  DType KvType = DType::BF16;

  // Collectives.
  Group G = Group::TP;
  int64_t Participants = 1;
  Link L = Link::ScaleUp;
  int64_t Domains = 1; // scale-up domains the group spans
  Extent Bytes;        // payload per device

  Dialect dialect() const { return dialectOf(Kind); }
  bool isComm() const { return dialect() == Dialect::Comm; }
  /// Every field equal (sweeps find identical layers this way).
  bool operator==(const Op &) const = default;
};

/// Options the passes read.
struct PassOptions {
  MlaForm Mla = MlaForm::Auto;
  bool FuseProjections = true; // qkv and gate+up as one GEMM each
  bool IncludeMtp = false;     // run the model's MTP layers
  ExpertRouting Routing = ExpertRouting::Random;
};

struct Module {
  ModelSpec Model;
  Target Tgt;
  std::string PlanName;
  PhasePlan Plan;
  Workload W;
  Precision Prec;
  PassOptions Options;
  std::vector<Op> Ops;
  /// The passes that ran, in order.
  std::vector<std::string> History;

  /// Stages of the plan (1 without pipeline parallelism).
  int64_t numStages() const { return Plan.PP; }
};

/// Builds the initial module: model.embed, model.stack, model.head.
Module buildModule(const ModelSpec &M, const Target &T, const PlanSpec &Plan,
                   const Workload &W, const Precision &P, const PassOptions &O);

/// Work and traffic of one op on one device, at a workload.
struct OpMetrics {
  double Flops = 0;
  double BytesMoved = 0;  // HBM traffic of one execution:
  double WeightRead = 0;  //   weights read,
  double KvRead = 0;      //   KV cache read,
  double ActBytes = 0;    //   activations read and written
  double WeightBytes = 0; // resident weights on the device
  double CommBytes = 0;   // payload of a collective
};
OpMetrics metricsOf(const Op &O, const Workload &W);

/// The share of a grouped GEMM's groups that get at least one row when
/// \p TokensPerGroup rows per group on average are routed at random over
/// \p Groups groups (experts). A grouped GEMM reads the weights of those
/// groups only: at one token per expert about 63% of them, at 1/32 (one
/// token routed over 32 local experts) one expert's.
double activeGroupShare(double Groups, double TokensPerGroup);

/// The share of its \p Groups groups that the busiest of \p Ranks ranks
/// reads, each rank holding as many groups and the rows routed at random over
/// all of them: the expected maximum over the ranks of a binomial count of
/// active groups (each active with probability activeGroupShare, ranks taken
/// as independent). DeepSeek-V3 at batch 1 on 8 ranks of 32 experts: 8 pairs
/// make the average rank read 1 expert and the busiest 2.6. Equals
/// activeGroupShare with one rank, and 1 once every group gets rows.
double busiestActiveGroupShare(double Groups, double TokensPerGroup, int64_t Ranks);

/// Query-key pairs one sequence's attention covers: the Query new tokens at
/// positions Context+1 .. Context+Query, each attending to the keys its
/// window, chunk or selection allows.
double attentionPairs(const Op &O, const Workload &W);

} // namespace ssc::ir

#endif // SSC_IR_IR_H

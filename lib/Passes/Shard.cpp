//===- Shard.cpp - Apply the parallel plan ---------------------------------===//
//
// Turns the single-device tensor ops into what one device of each pipeline
// stage runs, and inserts the collectives that parallelism needs:
//
//  TP  column-split projections (q/k/v, gate/up, kv_b, lm_head), row-split
//      outputs (o, down) followed by an all-reduce (a reduce-scatter and an
//      all-gather with seq_parallel); vocab-split embedding; replicated
//      norms, routers and MLA down-projections. KV heads fewer than tp are
//      replicated.
//  SP  context parallelism: prefill splits each sequence's tokens and
//      exchanges K/V (all-gather); decode splits the KV cache and gathers
//      the partial attention outputs.
//  EP  experts spread over the MoE group (docs/language.md, Plan.h): each
//      device routes its share of the tokens, dispatches them with an
//      all-to-all, runs its experts, and combines the results back.
//  PP  layers assigned to stages; activations sent between stages.
//  DP  replicas: nothing to communicate in inference.
//
// Every op records how many devices run it (Devices) and how many of those
// compute the same values (Redundancy); every collective records its group,
// participants, payload and the link level it crosses.
//
//===----------------------------------------------------------------------===//

#include "ssc/Passes/Pass.h"

#include <cmath>

using namespace ssc;
using namespace ssc::ir;

namespace {

class ShardPass : public Pass {
public:
  llvm::StringRef getName() const override { return "shard"; }
  bool run(Module &M, DiagnosticEngine &Diags) override;

private:
  // Plan degrees.
  int64_t TP = 1, SP = 1, PP = 1, DP = 1, EP = 1, ETP = 1, EDP = 1, MoeGroup = 1;
  int64_t PlanTP = 1; // TP is the current layer's degree (layer sections)
  int64_t Replicas = 1; // DP replicas inside one MoE group
  bool Prefill = false;
  int64_t Domain = 1;
  double ActBytes = 2;
  const Module *Mod = nullptr;
  std::vector<Op> Out;
  bool SeqSharded = false; // Megatron-SP: activations split by tokens
  /// Expert parallelism over the TP group without attention data
  /// parallelism: every rank holds all of the replica's tokens already.
  bool ReplicatedEP = false;
  /// A dispatch_quant held back until the tokens it quantizes arrive (a
  /// dispatch that carries them in bf16).
  std::optional<Op> PendingQuant;

  /// Scale of per-token sizes on one device for the dense part: context
  /// parallelism splits a prefill's tokens; decode keeps every token on every
  /// SP rank (they split the KV instead).
  double tokenScale() const { return Prefill ? 1.0 / SP : 1.0; }
  int64_t cpRedundancy() const { return Prefill ? 1 : SP; }

  /// An expert op's 1/etp slice under expert parallelism: the gate and up
  /// projections keep 1/etp of their columns, the down projection of its
  /// rows, and the activation and quantization between them of their width.
  void sliceExpert(Op &O) const {
    bool Between = O.R == Role::ExpertAct || O.R == Role::ExpertQuant;
    if (O.R == Role::ExpertDown || Between)
      O.In /= ETP;
    if (O.R != Role::ExpertDown)
      O.Out /= ETP;
  }

  Link linkFor(int64_t Extent) const {
    return Extent <= Domain ? Link::ScaleUp : Link::ScaleOut;
  }
  int64_t domainsFor(int64_t Extent) const {
    return Extent <= Domain ? 1 : (Extent + Domain - 1) / Domain;
  }

  Op &push(const Op &O) {
    Out.push_back(O);
    Op &P = Out.back();
    // Weight matrices split by a tensor-parallel scheme exist in that many
    // slices (norm weights are never split).
    bool Matrix = P.Kind == OpKind::Linear || P.Kind == OpKind::ExpertLinear ||
                  P.Kind == OpKind::Embedding;
    switch (Matrix ? P.How : Split::None) {
    case Split::Column:
    case Split::Row:
    case Split::Vocab:
    case Split::Heads:
      if (P.WeightShards == 1)
        P.WeightShards = isMoeOp(P) && EP == 1 ? ETP : TP;
      break;
    default:
      break;
    }
    return P;
  }
  Op &collective(const Op &At, OpKind K, Role R, Group G, int64_t Participants,
                 int64_t Extent, const ssc::ir::Extent &Bytes);
  void shardDense(Op O);
  void shardMoe(Op O);
  void shardMoeReplicated(Op O);
  void allGatherIfSeqSharded(const Op &At);
  void afterRowParallel(const Op &At, const ssc::ir::Extent &Tokens);
  bool isMoeOp(const Op &O) const;
};

} // namespace

Op &ShardPass::collective(const Op &At, OpKind K, Role R, Group G,
                          int64_t Participants, int64_t Extent,
                          const ssc::ir::Extent &Bytes) {
  Op C;
  C.Kind = K;
  C.R = R;
  C.Layer = At.Layer;
  C.LayerKind = At.LayerKind;
  C.Stage = At.Stage;
  C.Mtp = At.Mtp;
  C.G = G;
  C.Participants = Participants;
  C.L = linkFor(Extent);
  C.Domains = domainsFor(Extent);
  C.Bytes = Bytes;
  C.Devices = At.Devices;
  C.ActType = At.ActType;
  C.Tokens = At.Tokens;
  return push(C);
}

void ShardPass::allGatherIfSeqSharded(const Op &At) {
  if (!SeqSharded)
    return;
  SeqSharded = false;
  collective(At, OpKind::AllGather, Role::None, Group::TP, TP, TP,
             Extent::tokens(tokenScale() * Mod->Model.Hidden * ActBytes));
}

void ShardPass::afterRowParallel(const Op &At, const ssc::ir::Extent &Tokens) {
  if (TP == 1)
    return;
  ssc::ir::Extent Bytes = Tokens.scaled(Mod->Model.Hidden * ActBytes);
  if (Mod->Plan.SeqParallel) {
    collective(At, OpKind::ReduceScatter, Role::None, Group::TP, TP, TP, Bytes);
    SeqSharded = true;
  } else {
    collective(At, OpKind::AllReduce, Role::None, Group::TP, TP, TP, Bytes);
  }
}

bool ShardPass::isMoeOp(const Op &O) const {
  if (O.Layer < 0)
    return false;
  const LayerSpec &L = Mod->Model.LayerKinds[O.LayerKind];
  if (!L.isMoe())
    return false;
  switch (O.R) {
  case Role::Router:
  case Role::ExpertGateUp:
  case Role::ExpertGate:
  case Role::ExpertUp:
  case Role::ExpertDown:
  case Role::Combine:
  case Role::SharedGateUp:
  case Role::SharedDown:
  case Role::SharedGate:
    return true;
  case Role::Act:
  case Role::ExpertAct:
  case Role::SharedQuant:
  case Role::DispatchQuant:
  case Role::ExpertQuant:
    return true; // activations and quantizations of routed or shared experts
  default:
    return false;
  }
}

void ShardPass::shardDense(Op O) {
  double Scale = tokenScale();
  O.Tokens = O.Tokens.scaled(Scale);
  O.Redundancy = cpRedundancy();
  auto Replicate = [&](Op &X) {
    X.How = TP > 1 ? Split::Replicated : Split::None;
    X.Redundancy *= TP;
  };

  switch (O.Kind) {
  case OpKind::Embedding:
    if (TP > 1) {
      O.Out = (O.Out + TP - 1) / TP;
      O.How = Split::Vocab;
    }
    push(O);
    // Partial rows from each vocab shard: summed like a row-parallel output.
    afterRowParallel(O, O.Tokens);
    if (!Out.back().isComm() || Out.back().R != Role::None)
      return;
    Out.back().R = Role::Embed;
    return;

  case OpKind::Norm:
  case OpKind::Residual:
    if (O.R == Role::QkNorm) {
      O.In /= TP;
      O.How = TP > 1 ? Split::Heads : Split::None;
      push(O);
      return;
    }
    if (SeqSharded) {
      O.Tokens = O.Tokens.scaled(1.0 / TP);
      O.How = Split::Sequence;
    } else {
      Replicate(O);
    }
    push(O);
    return;

  case OpKind::Concat: {
    // MLA keys: each TP rank assembles its own heads' keys; every rank
    // reads the shared rope part.
    const AttentionSpec &A = Mod->Model.LayerKinds[O.LayerKind].Attn;
    int64_t Heads = A.Heads / TP;
    O.In = Heads * A.QkNopeDim + A.QkRopeDim;
    O.Out = Heads * (A.QkNopeDim + A.QkRopeDim);
    O.How = TP > 1 ? Split::Heads : Split::None;
    push(O);
    return;
  }
  case OpKind::Rope:
  case OpKind::Activation:
    O.In /= TP;
    O.Out /= TP;
    O.How = TP > 1 ? Split::Column : Split::None;
    push(O);
    return;

  case OpKind::Attention: {
    O.Heads /= TP;
    if (Mod->Model.LayerKinds[O.LayerKind].Attn.isMLA()) {
      // The latent cache serves all heads: every TP rank keeps all of it.
      // The plain form reads decompressed K and V of its own heads.
      if (!O.Latent) {
        O.KvHeads = O.Heads;
        O.KvReadPerKey /= TP;
      }
    } else {
      O.KvHeads = std::max<int64_t>(1, O.KvHeads / TP);
      O.KvElemsPerToken = 2 * O.KvHeads * O.QkDim;
      O.KvReadPerKey = O.KvElemsPerToken;
    }
    O.How = TP > 1 ? Split::Heads : Split::None;
    O.ContextShards = SP;
    // Sequences, not tokens: every SP rank sees every sequence.
    O.Tokens = Extent::seqs();
    O.Redundancy = 1;
    push(O);
    if (SP > 1) {
      if (Prefill) {
        // Ring attention: every rank receives every other rank's K/V.
        double PerToken = static_cast<double>(O.KvElemsPerToken) *
                          bytesPerElement(O.KvType);
        collective(O, OpKind::AllGather, Role::ContextExchange, Group::SP, SP,
                   TP * SP, Extent::allTokens(PerToken));
      } else {
        // Partial outputs and their softmax statistics.
        double PerToken = static_cast<double>(O.Heads * (O.VDim + 1)) * 4.0;
        collective(O, OpKind::AllGather, Role::ContextExchange, Group::SP, SP,
                   TP * SP, Extent::tokens(PerToken * SP));
      }
    }
    return;
  }

  case OpKind::Quantize:
    // Split like the input of the row-parallel GEMM it feeds, or whole on
    // every rank (gathered first under sequence parallelism) like the input
    // of a column-parallel or replicated one.
    if (O.Sub) {
      O.In /= TP;
      O.Out /= TP;
      O.How = TP > 1 ? Split::Column : Split::None;
    } else {
      allGatherIfSeqSharded(O);
      Replicate(O);
    }
    push(O);
    return;
  case OpKind::Linear:
    break;
  default:
    push(O);
    return;
  }

  // Linear layers.
  const LayerSpec *L = O.Layer >= 0 ? &Mod->Model.LayerKinds[O.LayerKind] : nullptr;
  switch (O.R) {
  case Role::QKV: {
    allGatherIfSeqSharded(O);
    const AttentionSpec &A = L->Attn;
    if (TP > 1 && A.KvHeads < TP) {
      // Fewer KV heads than ranks: split the queries, replicate K and V.
      Op Q = O;
      Q.R = Role::Q;
      Q.Out = A.Heads / TP * A.HeadDim;
      Q.How = Split::Column;
      push(Q);
      for (Role R : {Role::K, Role::V}) {
        Op KV = O;
        KV.R = R;
        KV.Out = A.HeadDim;
        KV.How = Split::Replicated;
        KV.Redundancy *= TP / A.KvHeads;
        KV.WeightShards = A.KvHeads;
        push(KV);
      }
      return;
    }
    O.Out /= TP;
    O.How = TP > 1 ? Split::Column : Split::None;
    push(O);
    return;
  }
  case Role::K:
  case Role::V: {
    allGatherIfSeqSharded(O);
    const AttentionSpec &A = L->Attn;
    if (TP > 1 && A.KvHeads < TP) {
      O.Out = A.HeadDim;
      O.How = Split::Replicated;
      O.Redundancy *= TP / A.KvHeads;
      O.WeightShards = A.KvHeads;
    } else {
      O.Out /= TP;
      O.How = TP > 1 ? Split::Column : Split::None;
    }
    push(O);
    return;
  }
  case Role::Q:
  case Role::QB:
  case Role::KVB:
  case Role::GateUp:
  case Role::Gate:
  case Role::Up:
  case Role::Head:
    allGatherIfSeqSharded(O);
    O.Out = (O.Out + TP - 1) / TP;
    O.How = TP > 1 ? (O.R == Role::Head ? Split::Vocab : Split::Column) : Split::None;
    push(O);
    if (O.R == Role::Head && TP > 1)
      collective(O, OpKind::AllGather, Role::Head, Group::TP, TP, TP,
                 O.Tokens.scaled(static_cast<double>(O.Out * TP) * ActBytes));
    return;
  case Role::QAbsorb:
  case Role::VAbsorb:
    O.Groups /= TP;
    O.How = TP > 1 ? Split::Heads : Split::None;
    push(O);
    return;
  case Role::O:
  case Role::Down:
    O.In /= TP;
    O.How = TP > 1 ? Split::Row : Split::None;
    push(O);
    afterRowParallel(O, O.Tokens);
    return;
  default:
    // Down-projections of MLA, the MTP projection: small, replicated.
    allGatherIfSeqSharded(O);
    Replicate(O);
    push(O);
    return;
  }
}

void ShardPass::shardMoe(Op O) {
  const MoeSpec &X = *Mod->Model.LayerKinds[O.LayerKind].Moe;
  int64_t Hidden = Mod->Model.Hidden;
  // Without expert parallelism, experts are tensor-split like an MLP.
  if (EP == 1) {
    O.Tokens = O.Tokens.scaled(tokenScale());
    O.Redundancy = cpRedundancy();
    switch (O.R) {
    case Role::ExpertGateUp:
    case Role::ExpertGate:
    case Role::ExpertUp:
    case Role::SharedGateUp:
      O.Out /= ETP;
      O.How = ETP > 1 ? Split::Column : Split::None;
      break;
    case Role::Act:
    case Role::ExpertAct:
      O.In /= ETP;
      O.Out /= ETP;
      O.How = ETP > 1 ? Split::Column : Split::None;
      break;
    case Role::ExpertQuant:
    case Role::SharedQuant:
      if (O.R == Role::ExpertQuant || O.Sub) { // the down projections' inputs
        O.In /= ETP;
        O.Out /= ETP;
        O.How = ETP > 1 ? Split::Column : Split::None;
      } else {
        O.How = TP > 1 ? Split::Replicated : Split::None;
        O.Redundancy *= TP;
      }
      break;
    case Role::ExpertDown:
    case Role::SharedDown:
      O.In /= ETP;
      O.How = ETP > 1 ? Split::Row : Split::None;
      break;
    default: // router, gates, combine: replicated
      O.How = TP > 1 ? Split::Replicated : Split::None;
      O.Redundancy *= TP;
      break;
    }
    push(O);
    // Tokens are permuted into expert order and back even without expert
    // parallelism: a local all-to-all over one GPU.
    if (O.Kind == OpKind::TopK)
      collective(O, OpKind::AllToAll, Role::Dispatch, Group::EP, 1, 1,
                 Extent::tokens(tokenScale() * X.TopK * Hidden *
                                bytesPerElement(Mod->Prec.Dispatch)));
    if (O.R == Role::ExpertDown)
      collective(O, OpKind::AllToAll, Role::Combine, Group::EP, 1, 1,
                 Extent::tokens(tokenScale() * X.TopK * Hidden *
                                bytesPerElement(Mod->Prec.Combine)));
    // One all-reduce after the layer's last down projection covers routed
    // and shared experts.
    bool LastDown = X.SharedExperts > 0 ? O.R == Role::SharedDown && !X.SharedGate
                                        : O.R == Role::ExpertDown;
    if (O.R == Role::SharedGate)
      LastDown = true;
    if (LastDown)
      afterRowParallel(O, Extent::tokens(tokenScale()));
    return;
  }

  if (ReplicatedEP) {
    shardMoeReplicated(O);
    return;
  }

  // Expert parallelism. Each device routes and dispatches its share of the
  // group's tokens (TP ranks of a replica split their identical tokens).
  // The ops are the busiest GPU's: with expert_imbalance, its experts get
  // that many times the mean (token, expert) pairs, which it receives in the
  // dispatch and returns in the combine.
  double Share = 1.0 / static_cast<double>(TP * SP);
  double Imbalance = Mod->Plan.ExpertImbalance;
  // The (token, expert) pairs this device's experts receive.
  double Received = static_cast<double>(Replicas) * X.TopK / EP / EDP * Imbalance;
  O.Redundancy = 1;
  switch (O.R) {
  case Role::DispatchQuant:
    if (Mod->Prec.Dispatch != DType::FP8) {
      // The dispatch carries bf16: the experts' GPU quantizes the pairs it
      // receives, after the permute below.
      PendingQuant = O;
      return;
    }
    [[fallthrough]];
  case Role::Router:
  case Role::SharedGate:
  case Role::SharedGateUp:
  case Role::SharedDown:
  case Role::SharedQuant:
  case Role::Combine:
    O.Tokens = O.Tokens.scaled(Share);
    if (O.R == Role::Router && O.Kind == OpKind::Linear)
      allGatherIfSeqSharded(O);
    push(O);
    if (O.R == Role::Router && O.Kind == OpKind::TopK) {
      // Dispatch the (token, expert) pairs to the experts' owners.
      collective(O, OpKind::AllToAll, Role::Dispatch, Group::EP, EP, EP * ETP,
                 Extent::tokens(Share * X.TopK * Hidden *
                                bytesPerElement(Mod->Prec.Dispatch) * ETP * Imbalance));
      // The tokens arrive grouped by source; contiguous grouped GEMMs need
      // them grouped by expert, one row per (token, local expert) pair.
      // (A library that delivers them by expert, as DeepEP's low-latency
      // kernels do, has nothing to permute: the profile says which.)
      Op P;
      P.Kind = OpKind::MoePermute;
      P.R = Role::Permute;
      P.Layer = O.Layer;
      P.LayerKind = O.LayerKind;
      P.Stage = O.Stage;
      P.Mtp = O.Mtp;
      P.Devices = O.Devices;
      P.ActType = Mod->Prec.Dispatch;
      P.Tokens = Extent::tokens(Received);
      P.In = P.Out = Hidden;
      push(P);
      if (PendingQuant) {
        PendingQuant->Tokens = Extent::tokens(Received);
        push(*PendingQuant);
        PendingQuant.reset();
      }
    }
    return;
  case Role::ExpertGateUp:
  case Role::ExpertGate:
  case Role::ExpertUp:
  case Role::ExpertDown: {
    // Expert slots: the experts plus redundant replicas, spread evenly; with
    // uneven placement, the average GPU's share.
    double Slots = static_cast<double>(X.Experts + Mod->Plan.RedundantExperts);
    O.Groups = Slots / EP;
    // Tokens per slot: the group's tokens, split over expert replicas.
    double GroupTokens = static_cast<double>(Replicas);
    O.Tokens = Extent::tokens(GroupTokens * X.TopK / Slots / EDP * Imbalance);
    sliceExpert(O);
    O.How = Split::Experts;
    O.WeightShards = EP * ETP;
    O.ExpertRanks = EP;
    push(O);
    if (O.R == Role::ExpertDown) {
      if (ETP > 1)
        collective(O, OpKind::AllReduce, Role::None, Group::ETP, ETP, ETP,
                   O.Tokens.scaled(O.Groups * static_cast<double>(Hidden) * ActBytes));
      collective(O, OpKind::AllToAll, Role::Combine, Group::EP, EP, EP * ETP,
                 Extent::tokens(Share * X.TopK * Hidden *
                                bytesPerElement(Mod->Prec.Combine) * ETP * Imbalance));
    }
    return;
  }
  case Role::ExpertAct:
  case Role::ExpertQuant:
    O.Tokens = Extent::tokens(Received);
    sliceExpert(O);
    push(O);
    return;
  case Role::Act:
    O.Tokens = O.Tokens.scaled(Share);
    push(O);
    return;
  default:
    push(O);
    return;
  }
}

// Expert parallelism inside the TP group, without attention data
// parallelism (tp=8 ep=8, or tp=8 ep=4 etp=2): after attention's all-reduce
// every rank holds all of the replica's tokens, so nothing is dispatched. As
// vLLM, TensorRT-LLM and SGLang's non-DeepEP MoE run it, each rank routes
// every token, permutes the pairs routed to its own experts into expert order
// and runs them (its 1/etp slice of each), the shared experts are
// tensor-split like an MLP, and one all-reduce sums the partial outputs.
void ShardPass::shardMoeReplicated(Op O) {
  const MoeSpec &X = *Mod->Model.LayerKinds[O.LayerKind].Moe;
  int64_t Hidden = Mod->Model.Hidden;
  double Imbalance = Mod->Plan.ExpertImbalance;
  double Slots = static_cast<double>(X.Experts + Mod->Plan.RedundantExperts);
  // The (token, expert) pairs this rank's experts receive, per token.
  double Received = static_cast<double>(X.TopK) / EP * Imbalance;
  O.Tokens = O.Tokens.scaled(tokenScale());
  O.Redundancy = 1;
  auto LocalPermute = [&](const Op &At, Role R, DType D) {
    collective(At, OpKind::AllToAll, R, Group::EP, 1, 1,
               Extent::tokens(tokenScale() * Received * Hidden * bytesPerElement(D)));
  };
  switch (O.R) {
  case Role::Router:
  case Role::SharedGate:
    O.How = Split::Replicated;
    O.Redundancy = TP;
    push(O);
    if (O.R == Role::Router && O.Kind == OpKind::TopK)
      LocalPermute(O, Role::Dispatch, Mod->Prec.Dispatch);
    break;
  case Role::ExpertGateUp:
  case Role::ExpertGate:
  case Role::ExpertUp:
  case Role::ExpertDown:
    O.Groups = Slots / EP;
    O.Tokens = Extent::tokens(tokenScale() * X.TopK / Slots * Imbalance);
    sliceExpert(O);
    O.How = Split::Experts;
    O.WeightShards = EP * ETP;
    O.ExpertRanks = EP;
    push(O);
    if (O.R == Role::ExpertDown)
      LocalPermute(O, Role::Combine, Mod->Prec.Combine);
    break;
  case Role::ExpertAct:
  case Role::ExpertQuant:
    O.Tokens = Extent::tokens(tokenScale() * Received);
    sliceExpert(O);
    push(O);
    break;
  case Role::DispatchQuant:
    O.How = Split::Replicated;
    O.Redundancy = TP;
    push(O);
    break;
  case Role::Combine:
    // The weighted sum of the rank's own expert outputs, counted over its
    // share of the tokens (the partial sums of all ranks add up to one
    // combine of every token).
    O.Tokens = O.Tokens.scaled(1.0 / TP);
    push(O);
    break;
  case Role::SharedGateUp:
    O.Out /= TP;
    O.How = Split::Column;
    push(O);
    break;
  case Role::Act: // the shared experts' activation
    O.In /= TP;
    O.Out /= TP;
    O.How = Split::Column;
    push(O);
    break;
  case Role::SharedQuant:
    if (O.Sub) { // the shared down projection's input
      O.In /= TP;
      O.Out /= TP;
      O.How = Split::Column;
    } else {
      O.How = Split::Replicated;
      O.Redundancy = TP;
    }
    push(O);
    break;
  case Role::SharedDown:
    O.In /= TP;
    O.How = Split::Row;
    push(O);
    break;
  default:
    push(O);
    break;
  }
  // One all-reduce after the layer's last op that leaves partial sums.
  bool Last = X.SharedExperts > 0 ? O.R == Role::SharedDown && !X.SharedGate
                                  : O.R == Role::Combine && O.Kind == OpKind::MoeCombine;
  if (O.R == Role::SharedGate)
    Last = true;
  if (Last)
    afterRowParallel(O, Extent::tokens(tokenScale()));
}

bool ShardPass::run(Module &M, DiagnosticEngine &Diags) {
  for (const Op &O : M.Ops)
    if (O.dialect() == Dialect::Model || O.dialect() == Dialect::Kernel) {
      Diags.error("shard runs on tensor ops; run 'expand' and 'decompose' first, "
                  "and 'lower-kernels' after");
      return false;
    }
  for (const Op &O : M.Ops)
    if (O.isComm() || O.Devices != 1) {
      Diags.error("this module is already sharded");
      return false;
    }

  const PhasePlan &P = M.Plan;
  TP = PlanTP = P.TP, SP = P.SP, PP = P.PP, DP = P.DP, EP = P.EP;
  ETP = P.effectiveETP();
  MoeGroup = P.moeGroup();
  EDP = std::max<int64_t>(1, P.expertDP());
  Replicas = P.attentionDP() ? DP : 1;
  ReplicatedEP = EP > 1 && !P.attentionDP() && EP * ETP == TP && SP == 1 &&
                 !P.SeqParallel;
  Prefill = M.W.P == Phase::Prefill;
  Domain = M.Tgt.Gpu ? M.Tgt.Gpu->ScaleUpGpus : 1;
  ActBytes = bytesPerElement(M.Prec.Activations);
  Mod = &M;

  // Defensive: the driver checks plans against the model with locations.
  for (const LayerSpec &L : M.Model.LayerKinds) {
    int64_t LTP = P.tpFor(L.Name);
    if (L.Attn.Heads % LTP != 0 || (L.Mlp && L.Mlp->Intermediate % LTP != 0) ||
        (L.Moe && (L.Moe->Experts + P.RedundantExperts) % EP != 0 &&
         !P.UnevenExperts)) {
      Diags.error("plan " + P.str() + " does not divide layer '" + L.Name + "'");
      return false;
    }
  }

  // Pipeline stages: given sizes, or an even split with the remainder on
  // the first stages.
  int64_t NumLayers = static_cast<int64_t>(M.Model.numLayers());
  std::vector<int64_t> StageOf(static_cast<size_t>(NumLayers), 0);
  {
    std::vector<int64_t> Sizes = P.Stages;
    if (Sizes.empty())
      for (int64_t S = 0; S < PP; ++S)
        Sizes.push_back(NumLayers / PP + (S < NumLayers % PP ? 1 : 0));
    int64_t L = 0;
    for (size_t S = 0; S < Sizes.size(); ++S)
      for (int64_t I = 0; I < Sizes[S] && L < NumLayers; ++I)
        StageOf[static_cast<size_t>(L++)] = static_cast<int64_t>(S);
  }

  int64_t StageDevices = TP * SP * DP;
  std::vector<Op> In = std::move(M.Ops);
  Out.clear();
  Out.reserve(In.size() * 2);
  bool SeenHead = false, MoePending = false;
  for (size_t I = 0; I < In.size(); ++I) {
    Op O = In[I];
    int64_t Stage;
    if (O.Layer >= 0 && O.Layer < NumLayers)
      Stage = StageOf[static_cast<size_t>(O.Layer)];
    else if (O.Layer >= NumLayers || O.R == Role::Head || O.R == Role::FinalNorm ||
             SeenHead)
      Stage = PP - 1; // the head, and MTP modules after it
    else
      Stage = 0; // the embedding
    if (O.R == Role::Head)
      SeenHead = true;
    O.Stage = static_cast<uint16_t>(Stage);
    O.Devices = StageDevices;
    // With pipeline stages, a tied head keeps its own copy of the weights.
    if (O.R == Role::Head && PP > 1 && !O.Mtp)
      O.TiedWeights = false;

    bool Moe = isMoeOp(O);
    // A layer section of the plan may replicate this kind over the TP group.
    int64_t LayerTP = O.Layer >= 0
                          ? M.Plan.tpFor(M.Model.LayerKinds[O.LayerKind].Name)
                          : PlanTP;
    TP = Moe ? PlanTP : LayerTP;
    if (!Moe && MoePending) {
      // Tokens left the MoE split over tp*sp ranks; give every rank back
      // the tokens its dense ops need.
      MoePending = false;
      int64_t Ranks = Prefill ? TP : TP * SP;
      if (Ranks > 1)
        collective(Out.back(), OpKind::AllGather, Role::Combine, Group::TP, Ranks,
                   Ranks, Extent::tokens(tokenScale() * M.Model.Hidden * ActBytes));
    }
    if (Moe) {
      shardMoe(O);
      MoePending = EP > 1 && !ReplicatedEP;
    } else {
      size_t First = Out.size();
      shardDense(O);
      // Replicated over the TP group: every rank computes the whole layer.
      for (size_t I = First; I < Out.size(); ++I)
        Out[I].Redundancy *= PlanTP / TP;
    }
    TP = PlanTP;

    // Activations leave a stage after its last op.
    bool LastOfStage = I + 1 == In.size() ||
                       (In[I + 1].Layer >= 0 && In[I + 1].Layer < NumLayers &&
                        StageOf[static_cast<size_t>(In[I + 1].Layer)] != Stage) ||
                       ((In[I + 1].R == Role::FinalNorm) && Stage != PP - 1);
    if (PP > 1 && LastOfStage && Stage < PP - 1) {
      allGatherIfSeqSharded(Out.back());
      // The send belongs to the stage boundary, not to the layer before it.
      collective(Out.back(), OpKind::SendRecv, Role::PipeSend, Group::PP, 2,
                 StageDevices * PP,
                 Extent::tokens(tokenScale() * M.Model.Hidden * ActBytes))
          .Layer = -1;
    }
  }
  if (SeqSharded)
    allGatherIfSeqSharded(Out.back());
  M.Ops = std::move(Out);
  return true;
}

std::unique_ptr<Pass> ssc::createShardPass() { return std::make_unique<ShardPass>(); }

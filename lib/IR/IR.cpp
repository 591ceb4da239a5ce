//===- IR.cpp - ssc's intermediate representation -------------------------===//

#include "ssc/IR/IR.h"

#include <algorithm>
#include <cmath>

using namespace ssc;
using namespace ssc::ir;

Dialect ssc::ir::dialectOf(OpKind K) {
  switch (K) {
  case OpKind::ModelEmbed:
  case OpKind::ModelStack:
  case OpKind::ModelLayer:
  case OpKind::ModelHead:
    return Dialect::Model;
  case OpKind::AllReduce:
  case OpKind::AllGather:
  case OpKind::ReduceScatter:
  case OpKind::AllToAll:
  case OpKind::SendRecv:
    return Dialect::Comm;
  case OpKind::Gather:
  case OpKind::Gemm:
  case OpKind::GroupedGemm:
  case OpKind::FlashAttention:
  case OpKind::PagedAttention:
  case OpKind::MlaDecode:
  case OpKind::NormKernel:
  case OpKind::Elementwise:
    return Dialect::Kernel;
  default:
    return Dialect::NN;
  }
}

llvm::StringRef ssc::ir::opName(OpKind K) {
  switch (K) {
  case OpKind::ModelEmbed: return "model.embed";
  case OpKind::ModelStack: return "model.stack";
  case OpKind::ModelLayer: return "model.layer";
  case OpKind::ModelHead: return "model.head";
  case OpKind::Embedding: return "nn.embedding";
  case OpKind::Norm: return "nn.norm";
  case OpKind::Linear: return "nn.linear";
  case OpKind::ExpertLinear: return "nn.expert_linear";
  case OpKind::Rope: return "nn.rope";
  case OpKind::Attention: return "nn.attention";
  case OpKind::Activation: return "nn.activation";
  case OpKind::Residual: return "nn.residual";
  case OpKind::TopK: return "nn.topk";
  case OpKind::MoeCombine: return "nn.moe_combine";
  case OpKind::MoePermute: return "nn.moe_permute";
  case OpKind::Concat: return "nn.concat";
  case OpKind::Quantize: return "nn.quantize";
  case OpKind::AllReduce: return "comm.all_reduce";
  case OpKind::AllGather: return "comm.all_gather";
  case OpKind::ReduceScatter: return "comm.reduce_scatter";
  case OpKind::AllToAll: return "comm.all_to_all";
  case OpKind::SendRecv: return "comm.send_recv";
  case OpKind::Gather: return "kernel.gather";
  case OpKind::Gemm: return "kernel.gemm";
  case OpKind::GroupedGemm: return "kernel.grouped_gemm";
  case OpKind::FlashAttention: return "kernel.flash_attention";
  case OpKind::PagedAttention: return "kernel.paged_attention";
  case OpKind::MlaDecode: return "kernel.mla_decode";
  case OpKind::NormKernel: return "kernel.norm";
  case OpKind::Elementwise: return "kernel.elementwise";
  }
  return "?";
}

llvm::StringRef ssc::ir::roleName(Role R) {
  switch (R) {
  case Role::None: return "";
  case Role::Embed: return "embed";
  case Role::Head: return "lm_head";
  case Role::InputNorm: return "input_norm";
  case Role::PostAttnNorm: return "post_attn_norm";
  case Role::FfnNorm: return "ffn_norm";
  case Role::PostFfnNorm: return "post_ffn_norm";
  case Role::FinalNorm: return "final_norm";
  case Role::QkNorm: return "qk_norm";
  case Role::QLoraNorm: return "q_a_norm";
  case Role::KvLoraNorm: return "kv_a_norm";
  case Role::QKV: return "qkv";
  case Role::Q: return "q";
  case Role::K: return "k";
  case Role::V: return "v";
  case Role::QA: return "q_a";
  case Role::QB: return "q_b";
  case Role::KVA: return "kv_a";
  case Role::KVB: return "kv_b";
  case Role::QAbsorb: return "q_absorb";
  case Role::VAbsorb: return "v_absorb";
  case Role::O: return "o";
  case Role::Attn: return "attn";
  case Role::Rope: return "rope";
  case Role::KConcat: return "k_concat";
  case Role::GateUp: return "gate_up";
  case Role::Gate: return "gate";
  case Role::Up: return "up";
  case Role::Down: return "down";
  case Role::Act: return "act";
  case Role::Router: return "router";
  case Role::Experts: return "experts";
  case Role::ExpertGateUp: return "expert_gate_up";
  case Role::ExpertGate: return "expert_gate";
  case Role::ExpertUp: return "expert_up";
  case Role::ExpertDown: return "expert_down";
  case Role::ExpertAct: return "expert_act";
  case Role::SharedGateUp: return "shared_gate_up";
  case Role::SharedDown: return "shared_down";
  case Role::SharedGate: return "shared_gate";
  case Role::EhProj: return "eh_proj";
  case Role::AttnResidual: return "attn_residual";
  case Role::FfnResidual: return "ffn_residual";
  case Role::Dispatch: return "dispatch";
  case Role::Combine: return "combine";
  case Role::Permute: return "permute";
  case Role::PipeSend: return "pipe_send";
  case Role::ContextExchange: return "context_exchange";
  case Role::AttnQuant: return "attn_quant";
  case Role::MlpQuant: return "mlp_quant";
  case Role::SharedQuant: return "shared_quant";
  case Role::DispatchQuant: return "dispatch_quant";
  case Role::ExpertQuant: return "expert_quant";
  }
  return "?";
}

bool ssc::ir::isQuantRole(Role R) {
  switch (R) {
  case Role::AttnQuant:
  case Role::MlpQuant:
  case Role::SharedQuant:
  case Role::DispatchQuant:
  case Role::ExpertQuant:
    return true;
  default:
    return false;
  }
}

llvm::StringRef ssc::ir::splitName(Split S) {
  switch (S) {
  case Split::None: return "none";
  case Split::Column: return "column";
  case Split::Row: return "row";
  case Split::Vocab: return "vocab";
  case Split::Experts: return "experts";
  case Split::Heads: return "heads";
  case Split::Sequence: return "sequence";
  case Split::Replicated: return "replicated";
  }
  return "?";
}

llvm::StringRef ssc::ir::groupName(Group G) {
  switch (G) {
  case Group::TP: return "tp";
  case Group::SP: return "sp";
  case Group::EP: return "ep";
  case Group::ETP: return "etp";
  case Group::DP: return "dp";
  case Group::PP: return "pp";
  }
  return "?";
}

llvm::StringRef ssc::ir::linkName(Link L) {
  return L == Link::ScaleUp ? "scale_up" : "scale_out";
}

Module ssc::ir::buildModule(const ModelSpec &M, const Target &T,
                            const PlanSpec &Plan, const Workload &W,
                            const Precision &P, const PassOptions &O) {
  Module Mod;
  Mod.Model = M;
  Mod.Tgt = T;
  Mod.PlanName = Plan.Name;
  Mod.Plan = Plan.phase(W.P);
  Mod.W = W;
  Mod.Prec = P;
  Mod.Options = O;

  Op Embed;
  Embed.Kind = OpKind::ModelEmbed;
  Embed.R = Role::Embed;
  Mod.Ops.push_back(Embed);

  Op Stack;
  Stack.Kind = OpKind::ModelStack;
  Mod.Ops.push_back(Stack);

  Op Head;
  Head.Kind = OpKind::ModelHead;
  Head.R = Role::Head;
  Mod.Ops.push_back(Head);

  if (O.IncludeMtp && !M.MtpLayers.empty()) {
    Op Mtp = Stack;
    Mtp.Mtp = true;
    Mod.Ops.push_back(Mtp);
  }
  return Mod;
}

/// Sum of min(j, Cap) for j = 1..N.
static double sumCapped(double N, double Cap) {
  if (N <= 0)
    return 0;
  if (N <= Cap)
    return N * (N + 1) / 2;
  return Cap * (Cap + 1) / 2 + (N - Cap) * Cap;
}

/// Sum over positions p = 1..N of the keys position p attends to.
static double prefixPairs(double N, double Cap, double Chunk) {
  if (N <= 0)
    return 0;
  if (Chunk <= 0)
    return sumCapped(N, Cap);
  // Inside chunks of size Chunk, position p sees ((p - 1) mod Chunk) + 1 keys.
  double Full = std::floor(N / Chunk);
  double Rest = N - Full * Chunk;
  return Full * sumCapped(Chunk, Cap) + sumCapped(Rest, Cap);
}

double ssc::ir::attentionPairs(const Op &O, const Workload &W) {
  double Cap = std::numeric_limits<double>::infinity();
  if (O.Window > 0)
    Cap = static_cast<double>(O.Window + O.SinkTokens);
  if (O.Selection != KvSelection::None && O.KvBudget > 0)
    Cap = std::min(Cap, static_cast<double>(O.KvBudget));
  double C = static_cast<double>(W.Context), Q = static_cast<double>(W.Query);
  double Chunk = static_cast<double>(O.Chunk);
  return prefixPairs(C + Q, Cap, Chunk) - prefixPairs(C, Cap, Chunk);
}

/// Keys attention reads from memory for one sequence: the union of what its
/// new tokens attend to.
static double keysRead(const Op &O, const Workload &W) {
  double C = static_cast<double>(W.Context), Q = static_cast<double>(W.Query);
  double N = C + Q;
  if (O.Window > 0)
    N = std::min(N, static_cast<double>(O.Window + O.SinkTokens) + Q - 1);
  if (O.Chunk > 0)
    N = std::min(N, static_cast<double>(O.Chunk) + Q - 1);
  if (O.Selection != KvSelection::None && O.KvBudget > 0)
    N = std::min(N, static_cast<double>(O.KvBudget) + Q - 1);
  return N;
}

double ssc::ir::activeGroupShare(double Groups, double TokensPerGroup) {
  if (!(TokensPerGroup > 0))
    return 0;
  // Groups * TokensPerGroup rows routed at random over the groups leave a
  // group empty with probability (1 - 1/G)^(rows); with less than one group
  // (a share of a slot), the rows per group are Poisson.
  double Empty = Groups > 1 ? std::pow(1 - 1 / Groups, Groups * TokensPerGroup)
                            : std::exp(-TokensPerGroup);
  return 1 - Empty;
}

/// X^N for a whole N, by squaring.
static double powWhole(double X, int64_t N) {
  double R = 1;
  for (; N > 0; N >>= 1, X *= X)
    if (N & 1)
      R *= X;
  return R;
}

double ssc::ir::busiestActiveGroupShare(double Groups, double TokensPerGroup, int64_t Ranks) {
  double P = activeGroupShare(Groups, TokensPerGroup);
  int64_t G = static_cast<int64_t>(std::llround(Groups));
  if (Ranks <= 1 || G < 1 || P <= 0 || P >= 1)
    return P;
  // The expert GEMMs of a layer ask twice in a row (gate/up, then down).
  thread_local double LastGroups = -1, LastTokens = -1, LastShare = 0;
  thread_local int64_t LastRanks = 0;
  if (Groups == LastGroups && TokensPerGroup == LastTokens && Ranks == LastRanks)
    return LastShare;
  // A rank's active groups X ~ Binomial(G, P); the busiest of R independent
  // ranks has E[max] = sum over j < G of 1 - F(j)^R, F the binomial CDF.
  // Terms more than 12 standard deviations below the mean are 1 and those
  // above it 0 to double precision (R ε for F = 1 - ε, with R in the
  // thousands at most), so only the window between is summed.
  double Gd = static_cast<double>(G);
  double Mean = Gd * P, Sd = std::sqrt(Gd * P * (1 - P));
  int64_t Lo = std::clamp<int64_t>(static_cast<int64_t>(std::floor(Mean - 12 * Sd)) - 1, 0, G);
  int64_t Hi = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(Mean + 12 * Sd)) + 1, 0, G);
  double Lod = static_cast<double>(Lo);
  // The binomial's probability at Lo, then each next one from the last.
  double Pmf = std::exp(std::lgamma(Gd + 1) - std::lgamma(Lod + 1) - std::lgamma(Gd - Lod + 1) +
                        Lod * std::log(P) + (Gd - Lod) * std::log1p(-P));
  double Odds = P / (1 - P);
  double Cdf = 0, ExpectedMax = Lod;
  for (int64_t J = Lo; J < Hi; ++J) {
    Cdf += Pmf;
    ExpectedMax += 1 - powWhole(std::min(Cdf, 1.0), Ranks);
    Pmf *= static_cast<double>(G - J) / static_cast<double>(J + 1) * Odds;
  }
  LastGroups = Groups;
  LastTokens = TokensPerGroup;
  LastRanks = Ranks;
  LastShare = std::clamp(ExpectedMax / Gd, P, 1.0);
  return LastShare;
}

OpMetrics ssc::ir::metricsOf(const Op &O, const Workload &W) {
  OpMetrics R;
  double T = O.Tokens.eval(W);
  double Act = bytesPerElement(O.ActType);
  double Wt = bytesPerElement(O.WeightType);
  // A GEMM whose weights are narrower than 16 bits (fp8, int8, nvfp4)
  // multiplies activations of that format (quantized by the kernel before it
  // or fused into it), unless the format is weight-only (int4, mxfp4: bf16
  // activations). The output keeps the activation dtype.
  bool QuantizedInput = !isWeightOnly(O.WeightType) && Wt < bytesPerElement(DType::BF16);
  double GemmIn = QuantizedInput ? std::min(Wt, Act) : Act;
  double In = static_cast<double>(O.In), Out = static_cast<double>(O.Out);
  auto Finish = [&]() {
    R.BytesMoved = R.WeightRead + R.KvRead + R.ActBytes;
    return R;
  };
  switch (O.Kind) {
  case OpKind::ModelEmbed:
  case OpKind::ModelStack:
  case OpKind::ModelLayer:
  case OpKind::ModelHead:
    return R;
  case OpKind::Embedding:
  case OpKind::Gather:
    R.WeightBytes = In * Out * Wt;
    R.WeightRead = T * In * Wt; // only the rows looked up
    R.ActBytes = T * In * Act;
    return Finish();
  case OpKind::Norm:
  case OpKind::NormKernel: {
    // In: width normalized per token; Out: weights (QK-norm shares one
    // vector per head across heads).
    double Params = Out * (O.Sub == static_cast<uint8_t>(NormKind::LayerNorm) ? 2 : 1);
    R.Flops = 4 * T * In;
    R.WeightBytes = Params * Wt;
    R.WeightRead = R.WeightBytes;
    R.ActBytes = 2 * T * In * Act;
    return Finish();
  }
  case OpKind::Linear:
  case OpKind::Gemm: {
    double Batch = O.Groups > 0 ? O.Groups : 1.0;
    R.Flops = 2 * T * In * Out * Batch;
    R.WeightRead = (In * Out + (O.Bias ? Out : 0)) * Batch * Wt;
    R.WeightBytes = O.TiedWeights ? 0 : R.WeightRead;
    R.ActBytes = T * (In * GemmIn + Out * Act) * Batch;
    return Finish();
  }
  case OpKind::ExpertLinear:
  case OpKind::GroupedGemm: {
    double G = O.Groups;
    R.Flops = 2 * G * T * In * Out;
    R.WeightBytes = G * (In * Out + (O.Bias ? Out : 0)) * Wt;
    R.WeightRead = R.WeightBytes *
                   (O.EvenRows ? std::min(1.0, T) : busiestActiveGroupShare(G, T, O.ExpertRanks));
    R.ActBytes = G * T * (In * GemmIn + Out * Act);
    return Finish();
  }
  case OpKind::Rope:
  case OpKind::Activation:
  case OpKind::Elementwise:
  case OpKind::Residual:
  case OpKind::TopK:
  case OpKind::MoeCombine:
  case OpKind::MoePermute:
  case OpKind::Concat:
  case OpKind::Quantize:
    if (isQuantRole(O.R)) {
      // Reads the activations, writes fp8 and one fp32 scale per group (or
      // one for the tensor); an absolute maximum and a scale per element.
      double Scales = O.QuantGroup > 0 ? T * Out / static_cast<double>(O.QuantGroup) : 1;
      R.Flops = 2 * T * In;
      R.ActBytes = T * In * Act + T * Out * bytesPerElement(DType::FP8) + Scales * 4;
      return Finish();
    }
    // In: input width, Out: output width. A permute or a concatenation
    // (before or after lowering) only moves data.
    R.Flops = O.R == Role::Permute || O.R == Role::KConcat ? 0 : 4 * T * std::max(In, Out);
    R.ActBytes = T * (In + Out) * Act;
    return Finish();
  case OpKind::Attention:
  case OpKind::FlashAttention:
  case OpKind::PagedAttention:
  case OpKind::MlaDecode: {
    // Tokens counts sequences on the device; context parallelism splits the
    // key range over ContextShards devices.
    double Seqs = T;
    double Shards = static_cast<double>(std::max<int64_t>(1, O.ContextShards));
    double Pairs = attentionPairs(O, W);
    double H = static_cast<double>(O.Heads);
    R.Flops = 2 * Seqs * H * static_cast<double>(O.QkDim + O.VDim) * Pairs / Shards;
    double Q = static_cast<double>(W.Query);
    double Keys = keysRead(O, W) / Shards;
    // Cached keys come from the KV cache; in the plain MLA form they are
    // decompressed activations.
    bool FromCache = O.Latent || O.KvReadPerKey == O.KvElemsPerToken;
    double KeyBytes = Seqs * Keys * static_cast<double>(O.KvReadPerKey);
    if (FromCache)
      R.KvRead = KeyBytes * bytesPerElement(O.KvType);
    else
      R.ActBytes = KeyBytes * Act;
    R.ActBytes += Seqs * Q * H * static_cast<double>(O.QkDim + O.VDim) * Act;
    return Finish();
  }
  case OpKind::AllReduce:
  case OpKind::AllGather:
  case OpKind::ReduceScatter:
  case OpKind::AllToAll:
  case OpKind::SendRecv:
    R.CommBytes = O.Bytes.eval(W);
    return R;
  }
  return R;
}

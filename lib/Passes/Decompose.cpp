//===- Decompose.cpp - Layers to tensor ops --------------------------------===//
//
// Each model.layer becomes the tensor ops one device would run for the
// module's workload without any parallelism: norms, projections, rope,
// attention, MLP or MoE, residual adds. model.embed and model.head become the
// embedding lookup, the final norm and the LM head (only the last position of
// each sequence in prefill).
//
// MLA has two forms: plain (decompress K and V with kv_b, assemble per-head
// keys from their nope part and the shared rope part, then attention with
// head dims qk_nope + qk_rope and v_head) and absorbed (fold W_UK into the
// query and W_UV into the output, attend over the latent cache). `auto`
// picks absorbed for decode and plain for prefill, as DeepSeek's kernels do.
//
// A checkpoint of block-scaled fp8 (`dtype = fp8(block=128)`, DeepSeek-V3's
// recipe) run in that format quantizes each GEMM's input at run time: a
// kernel of its own (SGLang's per_token_group_quant_fp8, TensorRT-LLM's
// fp8_quantize_1x128) reads the bf16 activations and writes fp8 with one
// scale per 1 x 128 group, which the block-scaled GEMMs (DeepGEMM) take. It
// is emitted as nn.quantize before the GEMMs it feeds, once per input tensor
// of a module (q_a and kv_a share one). The absorbed form's per-head batched
// GEMMs take one scale per tensor. Per-tensor fp8 (TensorRT-LLM's and vLLM's
// fp8 checkpoints of bf16 models) folds the cast into the norm or
// activation before the GEMM, so nothing is emitted.
//
//===----------------------------------------------------------------------===//

#include "ssc/Passes/Pass.h"

using namespace ssc;
using namespace ssc::ir;

namespace {

class Emitter {
public:
  Emitter(const Module &M, std::vector<Op> &Out) : M(M), Out(Out) {}

  void setLayer(int32_t Layer, uint16_t Kind, bool Mtp) {
    this->Layer = Layer;
    this->Kind = Kind;
    this->Mtp = Mtp;
  }

  Op &emit(OpKind K, Role R) {
    Out.emplace_back();
    Op &O = Out.back();
    O.Kind = K;
    O.R = R;
    O.Layer = Layer;
    O.LayerKind = Kind;
    O.Mtp = Mtp;
    O.ActType = M.Prec.Activations;
    O.WeightType = M.Prec.Weights;
    O.Tokens = Extent::tokens();
    return O;
  }

  Op &linear(Role R, int64_t In, int64_t Out, bool Bias = false) {
    Op &O = emit(OpKind::Linear, R);
    O.In = In;
    O.Out = Out;
    O.Bias = Bias;
    return O;
  }

  Op &norm(Role R, int64_t Dim, NormKind K) {
    Op &O = emit(OpKind::Norm, R);
    O.WeightType = M.Prec.Activations;
    O.In = Dim;
    O.Out = Dim;
    O.Sub = static_cast<uint8_t>(K);
    return O;
  }

  Op &elementwise(OpKind K, Role R, int64_t In, int64_t Out) {
    Op &O = emit(K, R);
    O.In = In;
    O.Out = Out;
    return O;
  }

  /// The quantization of a GEMM input \p Width elements wide when the
  /// dense GEMMs (\p Experts: the routed experts') are block-scaled fp8;
  /// null when they are not. \p SplitInput: the input is split like a
  /// row-parallel GEMM's (the output and down projections), not whole on
  /// every rank.
  Op *quant(Role R, int64_t Width, bool SplitInput, bool Experts = false) {
    int64_t Group = quantGroup(Experts);
    if (Group == 0)
      return nullptr;
    Op &O = elementwise(OpKind::Quantize, R, Width, Width);
    O.Sub = SplitInput ? 1 : 0;
    O.QuantGroup = Group;
    return &O;
  }

  /// The same with one scale for the whole tensor (the absorbed MLA form's
  /// per-head batched GEMMs), on an input split by heads.
  void quantPerTensor(Role R, int64_t Width) {
    if (Op *O = quant(R, Width, /*SplitInput=*/true))
      O->QuantGroup = 0;
  }

  /// Elements per scale of the activations of block-scaled fp8 GEMMs; 0
  /// when the GEMMs are not (the checkpoint is not, or --weight-dtype runs
  /// it in another format).
  int64_t quantGroup(bool Experts) const {
    DType Run = Experts ? M.Prec.ExpertWeights : M.Prec.Weights;
    DType Ckpt = Experts ? M.Model.ExpertWeightType : M.Model.WeightType;
    return Run == DType::FP8 && Ckpt == DType::FP8 ? M.Model.Fp8Block : 0;
  }

private:
  const Module &M;
  std::vector<Op> &Out;
  int32_t Layer = -1;
  uint16_t Kind = 0;
  bool Mtp = false;
};

class DecomposePass : public Pass {
public:
  llvm::StringRef getName() const override { return "decompose"; }
  bool run(Module &M, DiagnosticEngine &Diags) override;

private:
  void attention(const Module &M, const LayerSpec &L, Emitter &E);
  void ffn(const Module &M, const LayerSpec &L, Emitter &E);
  void layer(const Module &M, const LayerSpec &L, Emitter &E);
  void head(const Module &M, Emitter &E, bool Mtp);
};

} // namespace

void DecomposePass::attention(const Module &M, const LayerSpec &L, Emitter &E) {
  const AttentionSpec &A = L.Attn;
  int64_t Hidden = M.Model.Hidden;
  int64_t H = A.Heads;
  bool Decode = M.W.P == Phase::Decode;

  if (!A.isMLA()) {
    int64_t KV = A.KvHeads, D = A.HeadDim;
    bool QkvBias = A.Bias != AttentionBias::None;
    E.quant(Role::AttnQuant, Hidden, false);
    if (A.SharesKv) {
      // K and V come from an earlier layer's cache.
      E.linear(Role::Q, Hidden, H * D, QkvBias);
    } else if (M.Options.FuseProjections) {
      E.linear(Role::QKV, Hidden, (H + 2 * KV) * D, QkvBias);
    } else {
      E.linear(Role::Q, Hidden, H * D, QkvBias);
      E.linear(Role::K, Hidden, KV * D, QkvBias);
      E.linear(Role::V, Hidden, KV * D, QkvBias);
    }
    int64_t RopeHeads = A.SharesKv ? H : H + KV;
    if (A.QkNorm) {
      Op &N = E.norm(Role::QkNorm, RopeHeads * D, NormKind::RMSNorm);
      N.Out = A.SharesKv ? D : 2 * D; // one weight vector for q, one for k
    }
    if (A.Rope.Enabled) {
      int64_t Width = static_cast<int64_t>(RopeHeads * D * A.Rope.Partial);
      E.elementwise(OpKind::Rope, Role::Rope, Width, Width);
    }
    Op &At = E.emit(OpKind::Attention, Role::Attn);
    At.Tokens = Extent::seqs();
    At.Heads = H;
    At.KvHeads = KV;
    At.QkDim = At.VDim = D;
    At.KvElemsPerToken = 2 * KV * D;
    At.KvReadPerKey = 2 * KV * D;
    At.CachesKv = !A.SharesKv;
    At.Window = A.Window;
    At.Chunk = A.Chunk;
    At.SinkTokens = A.SinkTokens;
    At.Selection = A.Selection;
    At.KvBudget = A.KvBudget;
    At.KvType = M.Prec.KvCache;
    At.ActType = M.Prec.Attention;
    E.quant(Role::AttnQuant, H * D, true);
    E.linear(Role::O, H * D, Hidden, A.Bias == AttentionBias::All);
    return;
  }

  // Multi-head latent attention.
  int64_t Nope = A.QkNopeDim, RopeD = A.QkRopeDim, VD = A.VHeadDim;
  int64_t Latent = A.KvLoraRank;
  bool Absorbed = M.Options.Mla == MlaForm::Absorbed ||
                  (M.Options.Mla == MlaForm::Auto && Decode);
  // One quantized copy of the hidden state feeds q_a (or q) and kv_a
  // (SGLang and TensorRT-LLM fuse the two into one GEMM).
  E.quant(Role::AttnQuant, Hidden, false);
  if (A.QLoraRank > 0) {
    E.linear(Role::QA, Hidden, A.QLoraRank);
    E.norm(Role::QLoraNorm, A.QLoraRank, L.Norm.Kind);
    E.quant(Role::AttnQuant, A.QLoraRank, false);
    E.linear(Role::QB, A.QLoraRank, H * (Nope + RopeD));
  } else {
    E.linear(Role::Q, Hidden, H * (Nope + RopeD));
  }
  if (!A.SharesKv) {
    E.linear(Role::KVA, Hidden, Latent + RopeD);
    E.norm(Role::KvLoraNorm, Latent, L.Norm.Kind);
  }
  if (A.Rope.Enabled)
    E.elementwise(OpKind::Rope, Role::Rope, H * RopeD + RopeD, H * RopeD + RopeD);

  Op *At;
  if (Absorbed) {
    E.quantPerTensor(Role::AttnQuant, H * Nope);
    Op &QAbs = E.linear(Role::QAbsorb, Nope, Latent);
    QAbs.Groups = H;
    At = &E.emit(OpKind::Attention, Role::Attn);
    At->Heads = H;
    At->KvHeads = 1;
    At->QkDim = Latent + RopeD;
    At->VDim = Latent;
    At->Latent = true;
    At->KvReadPerKey = Latent + RopeD;
  } else {
    // Decompress every key of every sequence, cached or new.
    if (Op *Q = E.quant(Role::AttnQuant, Latent, false))
      Q->Tokens = Extent::allTokens();
    Op &KvB = E.linear(Role::KVB, Latent, H * (Nope + VD));
    KvB.Tokens = Extent::allTokens();
    // Attention kernels take one key tensor of head dim nope + rope per
    // head; the rope part is shared by all heads in the latent cache. Each
    // key's per-head nope part and the shared rope part are copied into it.
    Op &KCat = E.elementwise(OpKind::Concat, Role::KConcat, H * Nope + RopeD,
                             H * (Nope + RopeD));
    KCat.Tokens = Extent::allTokens();
    At = &E.emit(OpKind::Attention, Role::Attn);
    At->Heads = H;
    At->KvHeads = H;
    At->QkDim = Nope + RopeD;
    At->VDim = VD;
    At->KvReadPerKey = H * (Nope + RopeD + VD);
  }
  At->Tokens = Extent::seqs();
  At->KvElemsPerToken = Latent + RopeD;
  At->CachesKv = !A.SharesKv;
  At->Window = A.Window;
  At->Chunk = A.Chunk;
  At->SinkTokens = A.SinkTokens;
  At->Selection = A.Selection;
  At->KvBudget = A.KvBudget;
  At->KvType = M.Prec.KvCache;
  At->ActType = M.Prec.Attention;
  if (Absorbed) {
    E.quantPerTensor(Role::AttnQuant, H * Latent);
    Op &VAbs = E.linear(Role::VAbsorb, Latent, VD);
    VAbs.Groups = H;
  }
  E.quant(Role::AttnQuant, H * VD, true);
  E.linear(Role::O, H * VD, Hidden);
}

void DecomposePass::ffn(const Module &M, const LayerSpec &L, Emitter &E) {
  int64_t Hidden = M.Model.Hidden;
  auto Mlp = [&](const MlpSpec &S, Role GateUp, Role Down, int64_t Width) {
    Role Quant = GateUp == Role::GateUp ? Role::MlpQuant : Role::SharedQuant;
    E.quant(Quant, Hidden, false);
    if (S.isGated()) {
      if (M.Options.FuseProjections) {
        E.linear(GateUp, Hidden, 2 * Width, S.Bias);
      } else {
        E.linear(GateUp == Role::GateUp ? Role::Gate : GateUp, Hidden, Width, S.Bias);
        E.linear(GateUp == Role::GateUp ? Role::Up : GateUp, Hidden, Width, S.Bias);
      }
    } else {
      E.linear(GateUp == Role::GateUp ? Role::Up : GateUp, Hidden, Width, S.Bias);
    }
    Op &Act = E.elementwise(OpKind::Activation, Role::Act,
                            S.isGated() ? 2 * Width : Width, Width);
    Act.Sub = static_cast<uint8_t>(S.Kind);
    E.quant(Quant, Width, true);
    E.linear(Down, Width, Hidden, S.Bias);
  };

  if (L.Mlp) {
    Mlp(*L.Mlp, Role::GateUp, Role::Down, L.Mlp->Intermediate);
    return;
  }
  const MoeSpec &X = *L.Moe;
  // Each token is quantized once for the routed experts, before it is
  // routed and dispatched (DeepEP carries the fp8 copy).
  E.quant(Role::DispatchQuant, Hidden, false, /*Experts=*/true);
  // Routers, embeddings and heads stay in the activation format even when the
  // checkpoint quantizes the GEMM weights (DeepSeek-V3, gpt-oss).
  E.linear(Role::Router, Hidden, X.Experts, X.RouterBias).WeightType =
      M.Prec.Activations;
  E.elementwise(OpKind::TopK, Role::Router, X.Experts, X.TopK);

  double PerExpert = static_cast<double>(X.TopK) / static_cast<double>(X.Experts);
  int64_t Width = X.Expert.Intermediate;
  auto Expert = [&](Role R, int64_t In, int64_t Out) -> Op & {
    Op &O = E.emit(OpKind::ExpertLinear, R);
    O.Groups = X.Experts;
    O.ExpertsTotal = X.Experts;
    O.EvenRows = M.Options.Routing == ExpertRouting::Even;
    O.Tokens = Extent::tokens(PerExpert);
    O.In = In;
    O.Out = Out;
    O.Bias = X.Expert.Bias;
    O.WeightType = M.Prec.ExpertWeights;
    return O;
  };
  if (X.Expert.isGated() && !M.Options.FuseProjections) {
    Expert(Role::ExpertGate, Hidden, Width);
    Expert(Role::ExpertUp, Hidden, Width);
  } else {
    Expert(Role::ExpertGateUp, Hidden, X.Expert.isGated() ? 2 * Width : Width);
  }
  Op &Act = E.elementwise(OpKind::Activation, Role::ExpertAct,
                          X.Expert.isGated() ? 2 * Width : Width, Width);
  Act.Tokens = Extent::tokens(static_cast<double>(X.TopK));
  Act.Sub = static_cast<uint8_t>(X.Expert.Kind);
  if (Op *Q = E.quant(Role::ExpertQuant, Width, false, /*Experts=*/true))
    Q->Tokens = Extent::tokens(static_cast<double>(X.TopK));
  Expert(Role::ExpertDown, Width, Hidden);
  // Weighted sum of each token's top-k expert outputs.
  E.elementwise(OpKind::MoeCombine, Role::Combine, X.TopK * Hidden, Hidden);

  if (X.SharedExperts > 0) {
    MlpSpec Shared = X.Expert;
    Mlp(Shared, Role::SharedGateUp, Role::SharedDown,
        X.SharedExperts * X.SharedIntermediate);
    if (X.SharedGate)
      E.linear(Role::SharedGate, Hidden, 1);
  }
}

void DecomposePass::layer(const Module &M, const LayerSpec &L, Emitter &E) {
  int64_t Hidden = M.Model.Hidden;
  NormPlacement P = L.Norm.Placement;
  bool Pre = P == NormPlacement::Pre || P == NormPlacement::Sandwich ||
             P == NormPlacement::Parallel;
  bool Post = P == NormPlacement::Post || P == NormPlacement::Sandwich;
  if (Pre)
    E.norm(Role::InputNorm, Hidden, L.Norm.Kind);
  attention(M, L, E);
  if (Post)
    E.norm(Role::PostAttnNorm, Hidden, L.Norm.Kind);
  if (P != NormPlacement::Parallel) {
    E.elementwise(OpKind::Residual, Role::AttnResidual, 2 * Hidden, Hidden);
    if (Pre)
      E.norm(Role::FfnNorm, Hidden, L.Norm.Kind);
  }
  ffn(M, L, E);
  if (Post)
    E.norm(Role::PostFfnNorm, Hidden, L.Norm.Kind);
  // Parallel blocks add attention and MLP outputs to the residual at once.
  E.elementwise(OpKind::Residual, Role::FfnResidual,
                (P == NormPlacement::Parallel ? 3 : 2) * Hidden, Hidden);
}

void DecomposePass::head(const Module &M, Emitter &E, bool Mtp) {
  NormKind NK = M.Model.finalNormKind();
  E.norm(Role::FinalNorm, M.Model.Hidden, NK);
  Op &H = E.linear(Role::Head, M.Model.Hidden, M.Model.Vocab);
  H.WeightType = M.Prec.Activations;
  // Prefill needs logits for the last position of each sequence only.
  if (M.W.P == Phase::Prefill)
    H.Tokens = Extent::seqs();
  H.TiedWeights = M.Model.TieEmbeddings || Mtp;
}

bool DecomposePass::run(Module &M, DiagnosticEngine &Diags) {
  for (const Op &O : M.Ops) {
    if (O.Kind == OpKind::ModelStack) {
      Diags.error("decompose needs explicit layers; run 'expand' first");
      return false;
    }
    if (O.dialect() != Dialect::Model) {
      Diags.error("decompose runs on model ops; this module is already decomposed");
      return false;
    }
  }
  std::vector<Op> Out;
  Out.reserve(M.Ops.size() * 32); // the largest layers (MLA, MoE, fp8 quantization) have 32 ops
  Emitter E(M, Out);
  NormKind NK = M.Model.finalNormKind();
  for (const Op &O : M.Ops) {
    switch (O.Kind) {
    case OpKind::ModelEmbed: {
      E.setLayer(-1, 0, false);
      Op &Emb = E.emit(OpKind::Embedding, Role::Embed);
      Emb.WeightType = M.Prec.Activations;
      Emb.In = M.Model.Hidden;
      Emb.Out = M.Model.Vocab;
      break;
    }
    case OpKind::ModelHead:
      E.setLayer(-1, 0, false);
      head(M, E, false);
      break;
    case OpKind::ModelLayer: {
      const LayerSpec &L = M.Model.LayerKinds[O.LayerKind];
      E.setLayer(O.Layer, O.LayerKind, O.Mtp);
      if (O.Mtp) {
        // DeepSeek MTP module: normalize the previous hidden state and the
        // next token's embedding, project their concatenation, run the layer,
        // then the shared head.
        E.norm(Role::InputNorm, M.Model.Hidden, NK);
        E.norm(Role::InputNorm, M.Model.Hidden, NK);
        E.linear(Role::EhProj, 2 * M.Model.Hidden, M.Model.Hidden);
      }
      layer(M, L, E);
      if (O.Mtp)
        head(M, E, true);
      break;
    }
    default:
      break;
    }
  }
  M.Ops = std::move(Out);
  return true;
}

std::unique_ptr<Pass> ssc::createDecomposePass() {
  return std::make_unique<DecomposePass>();
}

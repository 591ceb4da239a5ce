//===- SpecPrinter.cpp - Specs back to the language ------------------------===//

#include "ssc/Spec/SpecPrinter.h"

#include "ssc/Support/Format.h"

using namespace ssc;

/// A number as the language spells it: integers plain, others shortest.
static std::string num(double V) {
  if (V == static_cast<double>(static_cast<int64_t>(V)) && std::abs(V) < 1e15)
    return std::to_string(static_cast<int64_t>(V));
  return formatShortest(V);
}

static void printAttention(const AttentionSpec &A, llvm::raw_ostream &OS) {
  OS << "attn ";
  switch (A.Kind) {
  case AttentionKind::MHA:
    OS << "mha";
    break;
  case AttentionKind::MQA:
    OS << "mqa";
    break;
  case AttentionKind::GQA:
    OS << "gqa(kv=" << A.KvHeads << ")";
    break;
  case AttentionKind::MLA:
    OS << "mla(q_lora=" << A.QLoraRank << ", kv_lora=" << A.KvLoraRank
       << ", qk_nope=" << A.QkNopeDim << ", qk_rope=" << A.QkRopeDim
       << ", v_head=" << A.VHeadDim << ")";
    break;
  }
  OS << " heads=" << A.Heads;
  if (!A.isMLA())
    OS << " head_dim=" << A.HeadDim;
  if (A.Window)
    OS << " window=" << A.Window;
  if (A.Chunk)
    OS << " chunk=" << A.Chunk;
  if (A.SinkTokens)
    OS << " sinks=" << A.SinkTokens;
  if (A.LearnedSinks)
    OS << " sinks";
  if (!A.Rope.Enabled) {
    OS << " nope";
  } else {
    OS << " rope(" << num(A.Rope.Theta);
    if (A.Rope.Partial != 1.0)
      OS << ", partial=" << num(A.Rope.Partial);
    OS << ")";
    if (A.Rope.Scaling != RopeScaling::None) {
      OS << " " << ropeScalingName(A.Rope.Scaling) << "("
         << formatFixedShortest(A.Rope.Factor) << "x";
      if (A.Rope.OriginalContext)
        OS << ", original=" << A.Rope.OriginalContext;
      if (A.Rope.Scaling == RopeScaling::Llama3)
        OS << ", low=" << num(A.Rope.LowFreqFactor)
           << ", high=" << num(A.Rope.HighFreqFactor);
      OS << ")";
    }
  }
  if (A.QkNorm)
    OS << (A.QkNormFull ? " qk_norm=full" : " qk_norm");
  if (A.Bias == AttentionBias::QKV)
    OS << " bias=qkv";
  else if (A.Bias == AttentionBias::All)
    OS << " bias=all";
  if (A.SharesKv)
    OS << " share_kv";
  if (A.Softcap > 0)
    OS << " softcap=" << num(A.Softcap);
  if (A.Selection == KvSelection::H2O)
    OS << " h2o(budget=" << A.KvBudget << ")";
  else if (A.Selection == KvSelection::Quest)
    OS << " quest(budget=" << A.KvBudget << ", page=" << A.PageSize << ")";
  OS << ";\n";
}

static void printMlpKind(const MlpSpec &M, llvm::raw_ostream &OS) {
  OS << mlpKindName(M.Kind) << "(" << M.Intermediate << ")";
}

void ssc::printLayerClauses(const LayerSpec &L, llvm::raw_ostream &OS,
                            unsigned Indent) {
  OS.indent(Indent);
  printAttention(L.Attn, OS);
  OS.indent(Indent);
  if (L.Mlp) {
    OS << "mlp ";
    printMlpKind(*L.Mlp, OS);
    if (L.Mlp->Bias)
      OS << " bias";
  } else {
    const MoeSpec &E = *L.Moe;
    OS << "moe(" << E.Experts << ", top" << E.TopK << ") ";
    printMlpKind(E.Expert, OS);
    if (E.SharedExperts)
      OS << " shared(" << E.SharedExperts << ", " << E.SharedIntermediate
         << (E.SharedGate ? ", gate=true" : "") << ")";
    if (E.Groups > 1)
      OS << " groups(" << E.Groups << ", top" << E.GroupTopK << ")";
    OS << " router=" << (E.Score == RouterScore::Softmax ? "softmax" : "sigmoid");
    if (E.RouterBias)
      OS << " router_bias";
    if (E.Expert.Bias)
      OS << " bias";
  }
  OS << ";\n";
  OS.indent(Indent) << "norm " << normKindName(L.Norm.Kind) << " "
                    << normPlacementName(L.Norm.Placement) << ";\n";
}

/// "0-2 dense, 3-60 moe": runs of equal kinds in the expanded stack.
static std::string ranges(const ModelSpec &M, const std::vector<unsigned> &Seq) {
  std::string S;
  for (size_t I = 0; I < Seq.size();) {
    size_t J = I;
    while (J + 1 < Seq.size() && Seq[J + 1] == Seq[I])
      ++J;
    if (!S.empty())
      S += ", ";
    S += I == J ? std::to_string(I) : std::to_string(I) + "-" + std::to_string(J);
    S += " " + M.LayerKinds[Seq[I]].Name;
    I = J + 1;
  }
  return S;
}

void ssc::printModel(const ModelSpec &M, llvm::raw_ostream &OS) {
  OS << "model " << M.Name << " {\n";
  if (!M.Source.empty())
    OS << "  source = " << stringLiteral(M.Source) << ";\n";
  OS << "  hidden = " << M.Hidden << ";\n";
  OS << "  vocab = " << M.Vocab << ";\n";
  OS << "  context = " << M.MaxContext << ";\n";
  OS << "  tie_embeddings = " << (M.TieEmbeddings ? "true" : "false") << ";\n";
  if (M.LmHeadBias)
    OS << "  lm_head_bias = true;\n";
  auto DTypeText = [&](DType T) {
    std::string S = dtypeName(T).str();
    if (T == DType::FP8 && M.Fp8Block > 0)
      S += "(block=" + std::to_string(M.Fp8Block) + ")";
    return S;
  };
  OS << "  dtype = " << DTypeText(M.WeightType) << ";\n";
  if (M.ExpertWeightType != M.WeightType)
    OS << "  expert_dtype = " << DTypeText(M.ExpertWeightType) << ";\n";
  for (const LayerSpec &L : M.LayerKinds) {
    OS << "\n  layer " << L.Name << " {\n";
    printLayerClauses(L, OS, 4);
    OS << "  }\n";
  }
  OS << "\n  // " << M.numLayers() << " layers: " << ranges(M, M.Layers) << "\n";
  OS << "  layers = " << M.Stack.str(M.LayerKinds) << ";\n";
  if (!M.MtpLayers.empty()) {
    OS << "  // MTP: " << M.MtpLayers.size() << " layer(s), counted only when asked for\n";
    OS << "  mtp = " << M.MtpStack.str(M.LayerKinds) << ";\n";
  }
  OS << "}\n";
}

void ssc::printGpu(const GpuSpec &G, llvm::raw_ostream &OS) {
  OS << "gpu " << G.Name << " {\n";
  if (!G.Vendor.empty())
    OS << "  vendor = " << stringLiteral(G.Vendor) << ";\n";
  if (!G.Description.empty())
    OS << "  description = " << stringLiteral(G.Description) << ";\n";
  OS << "  tflops";
  for (unsigned I = 0; I < NumDTypes; ++I)
    if (G.Tflops[I] > 0)
      OS << " " << dtypeName(static_cast<DType>(I)) << "=" << num(G.Tflops[I]);
  OS << ";\n";
  OS << "  memory gb=" << num(G.MemoryGB) << " gbps=" << num(G.HbmGBps) << ";\n";
  OS << "  compute sms=" << G.Sms << " comm_sms=" << G.CommSms << ";\n";
  OS << "  scale_up gpus=" << G.ScaleUpGpus << " gbps=" << num(G.ScaleUpGBps)
     << " latency_us=" << num(G.ScaleUpLatencyUs) << ";\n";
  OS << "  scale_out gbps=" << num(G.ScaleOutGBps)
     << " latency_us=" << num(G.ScaleOutLatencyUs) << ";\n";
  OS << "}\n";
}

static void printPhase(const PhasePlan &P, llvm::raw_ostream &OS, unsigned Indent) {
  auto Line = [&](const char *K, const std::string &V) {
    OS.indent(Indent) << K << " = " << V << ";\n";
  };
  Line("tp", std::to_string(P.TP));
  Line("sp", std::to_string(P.SP));
  Line("pp", std::to_string(P.PP));
  Line("dp", std::to_string(P.DP));
  Line("ep", std::to_string(P.EP));
  Line("etp", std::to_string(P.effectiveETP()));
  Line("attention_dp", P.attentionDP() ? "true" : "false");
  Line("micro_batches", std::to_string(P.MicroBatches));
  Line("overlap", overlapName(P.Overlap).str());
  Line("seq_parallel", P.SeqParallel ? "true" : "false");
  if (P.RedundantExperts)
    Line("redundant_experts", std::to_string(P.RedundantExperts));
  if (P.UnevenExperts)
    Line("uneven_experts", "true");
  if (P.ExpertImbalance != 1)
    Line("expert_imbalance", formatShortest(P.ExpertImbalance));
  if (!P.Stages.empty()) {
    std::string S = "[";
    for (size_t I = 0; I < P.Stages.size(); ++I)
      S += (I ? ", " : "") + std::to_string(P.Stages[I]);
    Line("stages", S + "]");
  }
  for (const LayerOverride &L : P.Layers)
    if (L.TP > 0)
      OS.indent(Indent) << "layer " << L.Kind << " {\n"
                        << std::string(Indent + 2, ' ') << "tp = " << L.TP << ";\n"
                        << std::string(Indent, ' ') << "}\n";
}

void ssc::printPlan(const PlanSpec &P, llvm::raw_ostream &OS) {
  OS << "plan " << P.Name << " {\n  prefill {\n";
  printPhase(P.Prefill, OS, 4);
  OS << "  }\n\n  decode {\n";
  printPhase(P.Decode, OS, 4);
  OS << "  }\n}\n";
}

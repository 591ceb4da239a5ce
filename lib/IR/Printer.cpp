//===- Printer.cpp - Text and JSON forms of the IR ------------------------===//

#include "ssc/IR/Printer.h"

#include "ssc/Spec/SpecPrinter.h"
#include "ssc/Support/Format.h"

#include <cmath>
#include <fmt/format.h>

using namespace ssc;
using namespace ssc::ir;

std::string ssc::ir::formatNumber(double V) {
  double R = std::round(V);
  if (std::fabs(V - R) <= 1e-9 * std::max(1.0, std::fabs(V)) && std::fabs(R) < 1e18)
    return fmt::format("{}", static_cast<long long>(R));
  std::string S = fmt::format("{:.4f}", V);
  while (!S.empty() && S.back() == '0')
    S.pop_back();
  if (!S.empty() && S.back() == '.')
    S.pop_back();
  return S;
}

namespace {

/// Collects `key=value` attributes and prints them as `{k=v, ...}`.
class Attrs {
public:
  Attrs &add(llvm::StringRef K, const std::string &V) {
    Items.emplace_back(K.str(), V);
    return *this;
  }
  Attrs &add(llvm::StringRef K, double V) { return add(K, formatNumber(V)); }
  Attrs &add(llvm::StringRef K, int64_t V) { return add(K, std::to_string(V)); }
  Attrs &add(llvm::StringRef K, llvm::StringRef V) { return add(K, V.str()); }
  Attrs &add(llvm::StringRef K, const char *V) { return add(K, std::string(V)); }
  Attrs &flag(llvm::StringRef K, bool On) {
    if (On)
      Items.emplace_back(K.str(), "true");
    return *this;
  }
  void print(llvm::raw_ostream &OS) const {
    OS << '{';
    for (size_t I = 0; I < Items.size(); ++I)
      OS << (I ? ", " : "") << Items[I].first << '=' << Items[I].second;
    OS << '}';
  }

private:
  std::vector<std::pair<std::string, std::string>> Items;
};

std::string shape(std::initializer_list<double> Dims, DType T) {
  std::string S;
  for (double D : Dims)
    S += formatNumber(D) + "x";
  return S + dtypeName(T).str();
}

const char *attentionForm(const Op &O) {
  if (O.Latent)
    return "absorbed";
  return O.KvReadPerKey != O.KvElemsPerToken ? "plain" : "standard";
}

} // namespace

void ssc::ir::printOp(const Module &M, const Op &O, llvm::raw_ostream &OS) {
  const Workload &W = M.W;
  OS << opName(O.Kind);
  if (O.R != Role::None)
    OS << " \"" << roleName(O.R) << "\"";
  Attrs A;
  std::string Type;
  double T = O.Tokens.eval(W);
  switch (O.Kind) {
  case OpKind::ModelEmbed:
    A.add("vocab", M.Model.Vocab).add("hidden", M.Model.Hidden);
    break;
  case OpKind::ModelStack:
    OS << " \"" << (O.Mtp ? M.Model.MtpStack : M.Model.Stack).str(M.Model.LayerKinds)
       << "\"";
    A.add("layers", static_cast<int64_t>(O.Mtp ? M.Model.MtpLayers.size()
                                                : M.Model.numLayers()));
    A.flag("mtp", O.Mtp);
    break;
  case OpKind::ModelLayer:
    OS << ' ' << O.Layer << " @" << M.Model.LayerKinds[O.LayerKind].Name;
    A.add("stage", static_cast<int64_t>(O.Stage));
    A.flag("mtp", O.Mtp);
    break;
  case OpKind::ModelHead:
    A.add("vocab", M.Model.Vocab).flag("tied", M.Model.TieEmbeddings);
    break;
  case OpKind::Embedding:
  case OpKind::Gather:
    A.add("tokens", T).add("rows", O.Out).add("dim", O.In);
    Type = shape({T, static_cast<double>(O.In)}, O.ActType);
    break;
  case OpKind::Norm:
  case OpKind::NormKernel:
    A.add("tokens", T).add("dim", O.In)
        .add("kind", normKindName(static_cast<NormKind>(O.Sub)));
    Type = shape({T, static_cast<double>(O.In)}, O.ActType);
    break;
  case OpKind::Linear:
  case OpKind::Gemm:
    if (O.Kind == OpKind::Gemm)
      A.add("m", T).add("n", O.Out).add("k", O.In);
    else
      A.add("tokens", T).add("in", O.In).add("out", O.Out);
    if (O.Groups > 0)
      A.add("batch", formatNumber(O.Groups));
    A.add("dtype", dtypeName(O.WeightType)).flag("bias", O.Bias).flag("tied", O.TiedWeights);
    Type = "(" + shape({T, static_cast<double>(O.In)}, O.ActType) + ", " +
           (O.Groups > 0 ? formatNumber(static_cast<double>(O.Groups)) + "x" : "") +
           shape({static_cast<double>(O.In), static_cast<double>(O.Out)}, O.WeightType) +
           ") -> " + shape({T, static_cast<double>(O.Out)}, O.ActType);
    break;
  case OpKind::ExpertLinear:
  case OpKind::GroupedGemm:
    A.add("groups", formatNumber(O.Groups));
    if (O.Kind == OpKind::GroupedGemm)
      A.add("m_per_group", T).add("n", O.Out).add("k", O.In);
    else
      A.add("tokens_per_expert", T).add("in", O.In).add("out", O.Out);
    A.add("experts", O.ExpertsTotal).add("dtype", dtypeName(O.WeightType)).flag("bias", O.Bias);
    if (O.ExpertRanks > 1)
      A.add("expert_ranks", O.ExpertRanks);
    A.flag("even_rows", O.EvenRows);
    Type = "(" + shape({static_cast<double>(O.Groups), T, static_cast<double>(O.In)}, O.ActType) +
           ", " + shape({static_cast<double>(O.Groups), static_cast<double>(O.In),
                         static_cast<double>(O.Out)}, O.WeightType) +
           ") -> " + shape({static_cast<double>(O.Groups), T, static_cast<double>(O.Out)}, O.ActType);
    break;
  case OpKind::Rope:
    A.add("tokens", T).add("dim", O.In);
    Type = shape({T, static_cast<double>(O.In)}, O.ActType);
    break;
  case OpKind::Activation:
    A.add("tokens", T).add("in", O.In).add("out", O.Out)
        .add("kind", mlpKindName(static_cast<MlpKind>(O.Sub)));
    Type = shape({T, static_cast<double>(O.Out)}, O.ActType);
    break;
  case OpKind::Quantize:
  case OpKind::Residual:
  case OpKind::TopK:
  case OpKind::MoeCombine:
  case OpKind::MoePermute:
  case OpKind::Concat:
  case OpKind::Elementwise:
    A.add("tokens", T).add("in", O.In).add("out", O.Out);
    if (isQuantRole(O.R)) {
      // fp8 out, with one scale per group (or per tensor).
      if (O.QuantGroup > 0)
        A.add("group", O.QuantGroup);
      else
        A.add("scale", "tensor");
      Type = shape({T, static_cast<double>(O.Out)}, DType::FP8);
      break;
    }
    Type = shape({T, static_cast<double>(O.Out)}, O.ActType);
    break;
  case OpKind::Attention:
  case OpKind::FlashAttention:
  case OpKind::PagedAttention:
  case OpKind::MlaDecode:
    A.add("seqs", T).add("query", W.Query).add("context", W.Context)
        .add("heads", O.Heads).add("kv_heads", O.KvHeads)
        .add("qk_dim", O.QkDim).add("v_dim", O.VDim);
    if (O.Window)
      A.add("window", O.Window);
    if (O.Chunk)
      A.add("chunk", O.Chunk);
    if (O.SinkTokens)
      A.add("sinks", O.SinkTokens);
    if (O.Selection != KvSelection::None)
      A.add(O.Selection == KvSelection::H2O ? "h2o_budget" : "quest_budget", O.KvBudget);
    if (O.ContextShards > 1)
      A.add("context_shards", O.ContextShards);
    A.add("form", attentionForm(O)).add("kv", dtypeName(O.KvType))
        .add("kv_per_token", O.KvElemsPerToken);
    A.flag("shared_kv", !O.CachesKv);
    break;
  case OpKind::AllReduce:
  case OpKind::AllGather:
  case OpKind::ReduceScatter:
  case OpKind::AllToAll:
  case OpKind::SendRecv:
    A.add("group", groupName(O.G)).add("participants", O.Participants)
        .add("link", linkName(O.L));
    if (O.Domains > 1)
      A.add("domains", O.Domains);
    A.add("bytes", O.Bytes.eval(W));
    break;
  }
  if (O.Kind != OpKind::ModelLayer && O.dialect() != Dialect::Model) {
    if (O.Devices > 1)
      A.add("devices", O.Devices);
    if (O.Redundancy > 1)
      A.add("redundancy", O.Redundancy);
    if (O.How != Split::None)
      A.add("split", splitName(O.How));
  }
  if (O.dialect() == Dialect::Kernel) {
    OpMetrics Mx = metricsOf(O, W);
    A.add("flops", Mx.Flops).add("bytes", Mx.BytesMoved);
  }
  OS << ' ';
  A.print(OS);
  if (!Type.empty())
    OS << " : " << Type;
}

void ssc::ir::printModule(const Module &M, llvm::raw_ostream &OS) {
  OS << "ssc.module @" << M.Model.Name << " phase=" << phaseName(M.W.P) << " {\n";
  OS << "  target = " << M.Tgt.str() << " {gpu=" << M.Tgt.Gpu->Name
     << ", count=" << M.Tgt.Count << ", domain=" << M.Tgt.domainSize() << "}\n";
  OS << "  plan = " << (M.PlanName.empty() ? "default" : M.PlanName) << " {"
     << M.Plan.str() << "}\n";
  OS << "  workload = {batch=" << M.W.Batch << ", query=" << M.W.Query
     << ", context=" << M.W.Context << ", tokens=" << M.W.tokens() << "}\n";
  const Precision &P = M.Prec;
  OS << "  precision = {weights=" << dtypeName(P.Weights)
     << ", experts=" << dtypeName(P.ExpertWeights)
     << ", activations=" << dtypeName(P.Activations)
     << ", kv=" << dtypeName(P.KvCache) << ", attention=" << dtypeName(P.Attention)
     << ", dispatch=" << dtypeName(P.Dispatch) << ", combine=" << dtypeName(P.Combine)
     << "}\n";
  if (!M.History.empty()) {
    OS << "  passes = [";
    for (size_t I = 0; I < M.History.size(); ++I)
      OS << (I ? ", " : "") << M.History[I];
    OS << "]\n";
  }
  for (const LayerSpec &L : M.Model.LayerKinds) {
    OS << "  kind @" << L.Name << " {\n";
    printLayerClauses(L, OS, 4);
    OS << "  }\n";
  }
  int32_t OpenLayer = -1;
  for (const Op &O : M.Ops) {
    bool InLayer = O.Layer >= 0 && O.Kind != OpKind::ModelLayer;
    if (OpenLayer >= 0 && (!InLayer || O.Layer != OpenLayer)) {
      OS << "  }\n";
      OpenLayer = -1;
    }
    if (InLayer && OpenLayer < 0) {
      OS << "  layer " << O.Layer << " @" << M.Model.LayerKinds[O.LayerKind].Name
         << " {stage=" << O.Stage << (O.Mtp ? ", mtp=true" : "") << "} {\n";
      OpenLayer = O.Layer;
    }
    OS.indent(OpenLayer >= 0 ? 4 : 2);
    printOp(M, O, OS);
    OS << '\n';
  }
  if (OpenLayer >= 0)
    OS << "  }\n";
  OS << "}\n";
}

llvm::json::Value ssc::ir::moduleToJSON(const Module &M) {
  llvm::json::Array Ops;
  for (const Op &O : M.Ops) {
    OpMetrics Mx = metricsOf(O, M.W);
    llvm::json::Object J{
        {"op", opName(O.Kind)},
        {"role", roleName(O.R)},
        {"layer", O.Layer},
        {"stage", static_cast<int64_t>(O.Stage)},
        {"devices", O.Devices},
        {"redundancy", O.Redundancy},
        {"split", splitName(O.How)},
        {"weight_shards", O.WeightShards},
        {"flops", Mx.Flops},
        {"bytes", Mx.BytesMoved},
        {"weight_bytes", Mx.WeightBytes},
    };
    if (O.Layer >= 0)
      J["kind"] = M.Model.LayerKinds[O.LayerKind].Name;
    if (O.Mtp)
      J["mtp"] = true;
    double T = O.Tokens.eval(M.W);
    switch (O.dialect()) {
    case Dialect::Model:
      break;
    case Dialect::Comm:
      J["group"] = groupName(O.G);
      J["participants"] = O.Participants;
      J["link"] = linkName(O.L);
      J["domains"] = O.Domains;
      J["comm_bytes"] = Mx.CommBytes;
      break;
    default:
      J["tokens"] = T;
      if (O.In)
        J["in"] = O.In;
      if (O.Out)
        J["out"] = O.Out;
      if (O.Groups)
        J["groups"] = O.Groups;
      if (O.ExpertRanks > 1)
        J["expert_ranks"] = O.ExpertRanks;
      if (isQuantRole(O.R))
        J["quant_group"] = O.QuantGroup;
      if (O.Kind == OpKind::Gemm || O.Kind == OpKind::GroupedGemm ||
          O.Kind == OpKind::Linear || O.Kind == OpKind::ExpertLinear) {
        J["m"] = T;
        J["n"] = O.Out;
        J["k"] = O.In;
        J["dtype"] = dtypeName(O.WeightType);
      }
      if (O.Heads) {
        J["heads"] = O.Heads;
        J["kv_heads"] = O.KvHeads;
        J["qk_dim"] = O.QkDim;
        J["v_dim"] = O.VDim;
        J["window"] = O.Window;
        J["kv_per_token"] = O.KvElemsPerToken;
      }
      break;
    }
    Ops.push_back(std::move(J));
  }
  llvm::json::Array Passes;
  for (const std::string &P : M.History)
    Passes.push_back(P);
  return llvm::json::Object{
      {"model", M.Model.Name},
      {"phase", phaseName(M.W.P)},
      {"target", llvm::json::Object{{"name", M.Tgt.str()},
                                    {"gpu", M.Tgt.Gpu->Name},
                                    {"count", M.Tgt.Count},
                                    {"domain", M.Tgt.domainSize()}}},
      {"plan", llvm::json::Object{{"name", M.PlanName},
                                  {"tp", M.Plan.TP},
                                  {"sp", M.Plan.SP},
                                  {"pp", M.Plan.PP},
                                  {"dp", M.Plan.DP},
                                  {"ep", M.Plan.EP},
                                  {"etp", M.Plan.effectiveETP()},
                                  {"attention_dp", M.Plan.attentionDP()},
                                  {"micro_batches", M.Plan.MicroBatches},
                                  {"overlap", overlapName(M.Plan.Overlap)}}},
      {"workload", llvm::json::Object{{"batch", M.W.Batch},
                                      {"query", M.W.Query},
                                      {"context", M.W.Context},
                                      {"tokens", M.W.tokens()}}},
      {"precision", llvm::json::Object{{"weights", dtypeName(M.Prec.Weights)},
                                       {"experts", dtypeName(M.Prec.ExpertWeights)},
                                       {"activations", dtypeName(M.Prec.Activations)},
                                       {"kv", dtypeName(M.Prec.KvCache)},
                                       {"attention", dtypeName(M.Prec.Attention)},
                                       {"dispatch", dtypeName(M.Prec.Dispatch)},
                                       {"combine", dtypeName(M.Prec.Combine)}}},
      {"passes", std::move(Passes)},
      {"ops", std::move(Ops)},
  };
}

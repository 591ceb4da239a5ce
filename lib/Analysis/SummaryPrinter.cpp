//===- SummaryPrinter.cpp - A ModelSummary as text, JSON or CSV -----------===//

#include "ssc/Analysis/SummaryPrinter.h"

#include "ssc/Support/Format.h"

#include "llvm/Support/JSON.h"

#include <cmath>
#include <fmt/format.h>

using namespace ssc;

static const ParamGroup AllGroups[] = {
    ParamGroup::Embedding, ParamGroup::Attention,     ParamGroup::Mlp,
    ParamGroup::Experts,   ParamGroup::SharedExperts, ParamGroup::Router,
    ParamGroup::Norms,     ParamGroup::LmHead,        ParamGroup::Mtp};

/// FLOPs with an SI prefix and 3 significant digits: "75.6 GFLOP".
static std::string formatFlops(double V) {
  static const char *const Prefix[] = {"", "K", "M", "G", "T", "P", "E"};
  unsigned I = 0;
  while (I + 1 < std::size(Prefix) && std::fabs(V) >= 999.5) {
    V /= 1000;
    ++I;
  }
  double A = std::fabs(V);
  int Decimals = A >= 99.95 ? 0 : A >= 9.995 ? 1 : 2;
  if (I == 0 && V == std::floor(V))
    Decimals = 0;
  return fmt::format("{:.{}f} {}FLOP", V, Decimals, Prefix[I]);
}

static std::string groupLabel(ParamGroup G) {
  std::string S = paramGroupName(G).str();
  if (G == ParamGroup::SharedExperts)
    S = "shared experts";
  return S;
}

/// "256 experts, top 8, 1 shared" for the first MoE layer kind; "dense".
static std::string moeDescription(const ModelSpec &M) {
  for (unsigned K : M.Layers) {
    const LayerSpec &L = M.LayerKinds[K];
    if (!L.Moe)
      continue;
    std::string S = fmt::format("{} experts, top {}", L.Moe->Experts, L.Moe->TopK);
    if (L.Moe->SharedExperts)
      S += fmt::format(", {} shared", L.Moe->SharedExperts);
    return S;
  }
  return "none (dense)";
}

void ssc::printSummaryText(const ModelSummary &S, const ModelSpec &M,
                           llvm::raw_ostream &OS) {
  size_t Main = M.numLayers(), Mtp = M.MtpLayers.size();
  OS << fmt::format("{}: {} layers ({}), hidden {}, vocab {}\n", M.Name, Main,
                    M.Stack.str(M.LayerKinds), M.Hidden, M.Vocab);
  auto Weights = [&](DType T) {
    std::string W = dtypeName(T).str();
    if (T == DType::FP8 && M.Fp8Block > 0)
      W += fmt::format(" in {0}x{0} blocks", M.Fp8Block);
    return W;
  };
  OS << fmt::format("attention: {}; moe: {}; weights: {}", attentionCombination(M),
                    moeDescription(M), Weights(M.WeightType));
  if (M.ExpertWeightType != M.WeightType)
    OS << fmt::format(" (experts {})", Weights(M.ExpertWeightType));
  OS << fmt::format("; embeddings: {}\n", M.TieEmbeddings ? "tied" : "untied");
  OS << fmt::format("context: {} tokens; MTP: ", S.Context);
  if (Mtp == 0)
    OS << "none\n";
  else
    OS << fmt::format("{} layer{}, {}\n", Mtp, Mtp == 1 ? "" : "s",
                      S.IncludesMtp ? "counted" : "not counted (--mtp counts it)");

  OS << fmt::format("\n{:<20}{:>14}{:>14}\n", "Parameters", "total", "active");
  for (ParamGroup G : AllGroups) {
    const ParamCount &C = S.Params[G];
    if (G == ParamGroup::LmHead && C.Total == 0 && M.TieEmbeddings) {
      OS << fmt::format("  {:<18}{:>14}{:>14}\n", "lm_head", "(tied)", "(tied)");
      continue;
    }
    if (C.Total == 0)
      continue;
    OS << fmt::format("  {:<18}{:>14}{:>14}\n", groupLabel(G),
                      formatCount(static_cast<double>(C.Total)),
                      formatCount(static_cast<double>(C.Active)));
  }
  ParamCount T = S.Params.total();
  OS << fmt::format("  {:<18}{:>14}{:>14}\n", "total",
                    formatCount(static_cast<double>(T.Total)),
                    formatCount(static_cast<double>(T.Active)));
  OS << fmt::format("  {:<18}{:>14}{:>14}\n", "", T.Total, T.Active);

  // One row per layer kind (MTP layers apart), in order of first use.
  struct Row {
    unsigned Kind;
    bool IsMtp;
    const LayerSummary *First;
    size_t Count;
  };
  std::vector<Row> Rows;
  for (const LayerSummary &L : S.Layers) {
    auto It = llvm::find_if(Rows, [&](const Row &R) {
      return R.Kind == L.Kind && R.IsMtp == L.IsMtp;
    });
    if (It == Rows.end())
      Rows.push_back({L.Kind, L.IsMtp, &L, 1});
    else
      ++It->Count;
  }
  OS << fmt::format("\n{:<20}{:>6}{:>10}{:>10}{:>10}{:>11}\n", "Layer kinds", "count",
                    "params", "active", "KV elems", "KV tokens");
  for (const Row &R : Rows) {
    ParamCount P = R.First->Params.total();
    std::string Name = M.LayerKinds[R.Kind].Name + (R.IsMtp ? " (mtp)" : "");
    OS << fmt::format("  {:<18}{:>6}{:>10}{:>10}{:>10}{:>11}\n", Name, R.Count,
                      formatCount(static_cast<double>(P.Total)),
                      formatCount(static_cast<double>(P.Active)),
                      R.First->KvElementsPerToken, R.First->CachedTokens);
  }

  OS << fmt::format("\n{:<20}", fmt::format("KV cache at {}", S.Context));
  for (DType D : summaryKvTypes())
    OS << fmt::format("{:>12}", dtypeName(D).str());
  OS << "\n  " << fmt::format("{:<18}", "bytes per token");
  for (DType D : summaryKvTypes())
    OS << fmt::format("{:>12}", formatBytes(S.kvBytesPerToken(D)));
  OS << "\n  " << fmt::format("{:<18}", "bytes per sequence");
  for (DType D : summaryKvTypes())
    OS << fmt::format("{:>12}", formatBytes(S.kvBytesPerSequence(D)));
  OS << fmt::format("\n  ({} elements per token before windows and budgets)\n",
                    S.KvElementsPerToken);

  OS << fmt::format("\n{:<20}{:>14}{:>14}\n", "FLOPs per token", "prefill", "decode");
  OS << fmt::format("  {:<18}{:>14}{:>14}\n", "total",
                    formatFlops(S.prefillFlopsPerToken()),
                    formatFlops(S.DecodeFlopsPerToken));
  OS << fmt::format("  {:<18}{:>14}{:>14}\n", "attention",
                    formatFlops(S.PrefillAttentionFlopsPerSequence /
                                static_cast<double>(S.Context)),
                    formatFlops(S.DecodeAttentionFlopsPerToken));
  OS << fmt::format("  (prefill: average over a {0}-token prompt; decode: the "
                    "token at position {0})\n",
                    S.Context);
}

void ssc::printSummaryJSON(const ModelSummary &S, const ModelSpec &M,
                           llvm::raw_ostream &OS) {
  llvm::json::OStream J(OS, 2);
  auto PerDType = [&](llvm::StringRef Key, auto Value) {
    J.attributeObject(Key, [&] {
      for (DType D : summaryKvTypes())
        J.attribute(dtypeName(D), Value(D));
    });
  };
  J.object([&] {
    J.attribute("model", M.Name);
    J.attribute("source", M.Source);
    J.attribute("context", S.Context);
    J.attribute("mtp", S.IncludesMtp);
    J.attribute("attention", attentionCombination(M));
    J.attribute("moe", M.hasMoe());
    J.attribute("hidden", M.Hidden);
    J.attribute("vocab", M.Vocab);
    J.attribute("tie_embeddings", M.TieEmbeddings);
    J.attribute("params_total", S.paramsTotal());
    J.attribute("params_active", S.paramsActive());
    J.attributeObject("params", [&] {
      for (ParamGroup G : AllGroups)
        J.attributeObject(paramGroupName(G), [&] {
          J.attribute("total", S.Params[G].Total);
          J.attribute("active", S.Params[G].Active);
        });
    });
    J.attribute("kv_elements_per_token", S.KvElementsPerToken);
    PerDType("kv_bytes_per_token", [&](DType D) { return S.kvBytesPerToken(D); });
    PerDType("kv_bytes_per_sequence",
             [&](DType D) { return S.kvBytesPerSequence(D); });
    J.attributeObject("flops_per_token", [&] {
      J.attribute("prefill", S.prefillFlopsPerToken());
      J.attribute("decode", S.DecodeFlopsPerToken);
    });
    J.attributeObject("attention_flops_per_token", [&] {
      J.attribute("prefill", S.PrefillAttentionFlopsPerSequence /
                                 static_cast<double>(S.Context));
      J.attribute("decode", S.DecodeAttentionFlopsPerToken);
    });
    J.attribute("prefill_flops_per_sequence", S.PrefillFlopsPerSequence);
    J.attribute("num_layers", static_cast<int64_t>(S.Layers.size()));
    J.attributeArray("layers", [&] {
      for (const LayerSummary &L : S.Layers)
        J.object([&] {
          ParamCount P = L.Params.total();
          J.attribute("index", static_cast<int64_t>(L.Index));
          J.attribute("kind", M.LayerKinds[L.Kind].Name);
          J.attribute("mtp", L.IsMtp);
          J.attribute("params_total", P.Total);
          J.attribute("params_active", P.Active);
          J.attribute("kv_elements_per_token", L.KvElementsPerToken);
          J.attribute("cached_tokens", L.CachedTokens);
          J.attribute("prefill_attended", L.PrefillAttended);
          J.attribute("decode_attended", L.DecodeAttended);
          J.attribute("prefill_flops", L.PrefillFlops);
          J.attribute("decode_flops", L.DecodeFlops);
        });
    });
  });
  OS << "\n";
}

void ssc::printSummaryCSV(const ModelSummary &S, const ModelSpec &M,
                          llvm::raw_ostream &OS) {
  std::vector<std::pair<std::string, std::string>> Cols;
  auto Add = [&](std::string K, std::string V) {
    Cols.emplace_back(std::move(K), std::move(V));
  };
  Add("model", M.Name);
  Add("context", std::to_string(S.Context));
  Add("mtp", S.IncludesMtp ? "true" : "false");
  Add("attention", attentionCombination(M));
  Add("moe", M.hasMoe() ? "true" : "false");
  Add("params_total", std::to_string(S.paramsTotal()));
  Add("params_active", std::to_string(S.paramsActive()));
  for (ParamGroup G : AllGroups) {
    Add(paramGroupName(G).str() + "_total", std::to_string(S.Params[G].Total));
    Add(paramGroupName(G).str() + "_active", std::to_string(S.Params[G].Active));
  }
  Add("kv_elements_per_token", std::to_string(S.KvElementsPerToken));
  for (DType D : summaryKvTypes())
    Add("kv_bytes_per_token_" + dtypeName(D).str(), formatShortest(S.kvBytesPerToken(D)));
  for (DType D : summaryKvTypes())
    Add("kv_bytes_per_sequence_" + dtypeName(D).str(),
        formatShortest(S.kvBytesPerSequence(D)));
  Add("prefill_flops_per_token", formatShortest(S.prefillFlopsPerToken()));
  Add("decode_flops_per_token", formatShortest(S.DecodeFlopsPerToken));
  Add("num_layers", std::to_string(S.Layers.size()));

  auto Field = [](const std::string &V) {
    if (V.find_first_of(",\"\n") == std::string::npos)
      return V;
    std::string Q = "\"";
    for (char C : V)
      Q += C == '"' ? std::string("\"\"") : std::string(1, C);
    return Q + "\"";
  };
  for (size_t I = 0; I < Cols.size(); ++I)
    OS << (I ? "," : "") << Cols[I].first;
  OS << "\n";
  for (size_t I = 0; I < Cols.size(); ++I)
    OS << (I ? "," : "") << Field(Cols[I].second);
  OS << "\n";
}

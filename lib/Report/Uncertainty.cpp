//===- Uncertainty.cpp - Bands and calibration coverage -------------------===//

#include "ssc/Report/Uncertainty.h"

#include "llvm/ADT/STLExtras.h"

#include <fmt/format.h>

using namespace ssc;
using namespace ssc::report;
using ir::OpKind;

std::string ssc::report::regimeOf(Phase P, cost::Bound B, bool Offline) {
  std::string S = Offline ? "offline" : phaseName(P).str();
  switch (B) {
  case cost::Bound::Compute: return S + "-compute";
  case cost::Bound::Comm: return S + "-comm";
  default: return S + "-memory";
  }
}

static std::string joinInts(const std::vector<int64_t> &V) {
  std::string S;
  for (int64_t I : V)
    S += (S.empty() ? "" : ", ") + std::to_string(I);
  return S;
}

static void addOnce(std::vector<std::string> &V, std::string S) {
  if (!llvm::is_contained(V, S))
    V.push_back(std::move(S));
}

Band ssc::report::bandFor(const cost::Profile &Prof, llvm::StringRef Regime,
                          const ir::Module &M, const GpuSpec &Gpu) {
  return CalibrationCheck(Prof, M, Gpu).band(Regime, M.W);
}

CalibrationCheck::CalibrationCheck(const cost::Profile &Prof, const ir::Module &M,
                                   const GpuSpec &Gpu)
    : Prof(Prof), Kind(M.Model.hasMoe() ? "moe" : "dense") {
  const cost::UncertaintySpec &U = Prof.Uncertainty;
  if (U.Gpus.empty())
    return; // the profile states no calibration coverage
  auto Add = [&](std::string Reason) {
    if (llvm::none_of(Items, [&](const Item &I) { return I.Reason == Reason; }))
      Items.push_back({std::move(Reason), nullptr});
  };
  if (llvm::none_of(U.Gpus, [&](const std::string &N) { return Gpu.isNamed(N); }))
    Add("no kernel measurements on " + Gpu.Name);
  for (const ir::Op &O : M.Ops) {
    if (O.dialect() != ir::Dialect::Kernel && O.dialect() != ir::Dialect::Comm)
      continue;
    if (O.Kind == OpKind::Gemm || O.Kind == OpKind::GroupedGemm) {
      if (!llvm::is_contained(U.DTypes, O.WeightType))
        Add("no measurements of " + dtypeName(O.WeightType).str() + " GEMMs");
      else if (!Gpu.supports(O.WeightType))
        Add(Gpu.Name + " has no " + dtypeName(O.WeightType).str() + " units (the GEMMs fall back)");
      // Expert GEMMs take the grouped kernels' curves, measured on whole
      // experts of a few models: a slice of an expert (etp, tp without ep)
      // or a narrow one lies outside them.
      if (O.Kind == OpKind::GroupedGemm && U.GroupedMaxN > 0 &&
          (O.Out < U.GroupedMinN || O.Out > U.GroupedMaxN || O.In < U.GroupedMinK ||
           O.In > U.GroupedMaxK))
        Add(fmt::format("an expert GEMM of N={} K={} (measured: N {} to {}, K {} to {})", O.Out,
                        O.In, U.GroupedMinN, U.GroupedMaxN, U.GroupedMinK, U.GroupedMaxK));
      if (U.MaxK > 0 && (O.In < U.MinK || O.In > U.MaxK))
        Add(fmt::format("a GEMM with K={} (measured: {} to {})", O.In, U.MinK, U.MaxK));
      // M depends on the workload; the same tokens as the last GEMM's check
      // nothing new.
      if (U.MaxM > 0 &&
          !llvm::any_of(Items, [&](const Item &I) { return I.Tokens && *I.Tokens == O.Tokens; }))
        Items.push_back({"", &O.Tokens});
    } else if (O.Kind == OpKind::FlashAttention || O.Kind == OpKind::PagedAttention) {
      if (!U.AttnDTypes.empty() && !llvm::is_contained(U.AttnDTypes, O.ActType))
        Add("no measurements of " + dtypeName(O.ActType).str() + " attention");
      if (!U.HeadDims.empty() && !llvm::is_contained(U.HeadDims, O.QkDim))
        Add(fmt::format("attention with head_dim {} (measured: {})", O.QkDim,
                        joinInts(U.HeadDims)));
    } else if (O.isComm() && O.Participants > 1 && O.L == ir::Link::ScaleOut &&
               O.Kind != OpKind::AllToAll) {
      Add(std::string(ir::opName(O.Kind)) + " across scale-out links (measured: all-to-all only)");
    }
  }
}

/// The band of \p Regime for models of kind \p Kind, before any reason to
/// widen it.
static Band classBand(const cost::UncertaintySpec &U, llvm::StringRef Regime,
                      llvm::StringRef Kind) {
  Band B;
  // MoE models and dense ones miss by different amounts (routing, grouped
  // GEMMs and all-to-all add costs dense models do not have), so each kind
  // has its own bands: "offline-memory/moe", "decode-compute/dense".
  std::string Mode = Regime.split('-').first.str();
  B.Regime = (Regime + "/" + Kind).str();
  // The class's band; else that of the mode for the kind (all bounds
  // together); else that of the kind (all modes); else that of the mode
  // (both kinds); else the profile's default.
  B.Pct = U.DefaultPct;
  for (const std::string &Key : {B.Regime, Mode + "/" + Kind.str(), Kind.str(), Mode}) {
    auto It = U.Bands.find(Key);
    if (It != U.Bands.end()) {
      B.Pct = It->second;
      break;
    }
  }
  return B;
}

Band CalibrationCheck::band(llvm::StringRef Regime, const ir::Workload &W) const {
  const cost::UncertaintySpec &U = Prof.Uncertainty;
  // A sweep asks for a few regimes over and over: each class's band once.
  auto It = llvm::find_if(Classes, [&](const auto &C) { return C.first == Regime; });
  if (It == Classes.end()) {
    Classes.emplace_back(Regime.str(), classBand(U, Regime, Kind));
    It = std::prev(Classes.end());
  }
  Band B = It->second;
  for (const Item &I : Items) {
    if (!I.Tokens) {
      addOnce(B.Outside, I.Reason);
      continue;
    }
    double T = I.Tokens->eval(W);
    if (T > U.MaxM)
      addOnce(B.Outside, fmt::format("a GEMM with M={:.0f} (measured up to {:.0f})", T, U.MaxM));
  }
  if (!B.Outside.empty()) {
    B.Scale = U.OutsideFactor;
    B.Pct *= B.Scale;
  }
  return B;
}

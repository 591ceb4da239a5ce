//===- Plan.cpp - Parallel plans ------------------------------------------===//

#include "ssc/Spec/Plan.h"

#include "ssc/Support/Format.h"

using namespace ssc;

llvm::StringRef ssc::phaseName(Phase P) {
  return P == Phase::Prefill ? "prefill" : "decode";
}

llvm::StringRef ssc::overlapName(OverlapMode M) {
  switch (M) {
  case OverlapMode::None: return "none";
  case OverlapMode::Comm: return "comm";
  case OverlapMode::TwoBatch: return "tbo";
  }
  return "?";
}

std::optional<OverlapMode> ssc::parseOverlap(llvm::StringRef S) {
  for (OverlapMode M : {OverlapMode::None, OverlapMode::Comm, OverlapMode::TwoBatch})
    if (S == overlapName(M))
      return M;
  return std::nullopt;
}

llvm::ArrayRef<llvm::StringRef> ssc::overlapSpellings() {
  static const llvm::StringRef Names[] = {"none", "comm", "tbo"};
  return Names;
}

std::string PhasePlan::str() const {
  std::string S = "tp=" + std::to_string(TP);
  auto Add = [&](const char *Name, int64_t V, int64_t Default) {
    if (V != Default)
      S += std::string(" ") + Name + "=" + std::to_string(V);
  };
  Add("sp", SP, 1);
  Add("pp", PP, 1);
  Add("dp", DP, 1);
  Add("ep", EP, 1);
  if (EP > 1)
    Add("etp", effectiveETP(), 1);
  if (attentionDP() && DP > 1)
    S += " attention_dp";
  Add("micro_batches", MicroBatches, 1);
  if (SeqParallel)
    S += " seq_parallel";
  Add("redundant_experts", RedundantExperts, 0);
  if (UnevenExperts)
    S += " uneven_experts";
  if (ExpertImbalance != 1)
    S += " expert_imbalance=" + formatShortest(ExpertImbalance);
  for (const LayerOverride &L : Layers)
    if (L.TP > 0)
      S += " " + L.Kind + ".tp=" + std::to_string(L.TP);
  if (Overlap != OverlapMode::None)
    S += " overlap=" + overlapName(Overlap).str();
  return S;
}

//===- Plan.cpp - Parallel plans ------------------------------------------===//

#include "ssc/Spec/Plan.h"

#include "ssc/Support/Format.h"

#include "llvm/ADT/StringExtras.h"

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

std::vector<std::string> PhasePlan::items() const {
  std::vector<std::string> Items = {"tp=" + std::to_string(TP)};
  auto Add = [&](const char *Name, int64_t V, int64_t Default) {
    if (V != Default)
      Items.push_back(std::string(Name) + "=" + std::to_string(V));
  };
  Add("sp", SP, 1);
  Add("pp", PP, 1);
  if (!Stages.empty()) {
    std::string L = "stages=[";
    for (size_t I = 0; I < Stages.size(); ++I)
      L += (I ? ", " : "") + std::to_string(Stages[I]);
    Items.push_back(L + "]");
  }
  Add("dp", DP, 1);
  Add("ep", EP, 1);
  // etp: shown beside ep > 1, and wherever it is not what ep would derive.
  PhasePlan Derived = *this;
  Derived.ETP = 0;
  if ((EP > 1 && effectiveETP() != 1) || effectiveETP() != Derived.effectiveETP())
    Items.push_back("etp=" + std::to_string(effectiveETP()));
  if (attentionDP() && DP > 1)
    Items.push_back("attention_dp");
  else if (!attentionDP() && EP > TP * SP)
    Items.push_back("attention_dp=false"); // off where ep would turn it on
  Add("micro_batches", MicroBatches, 1);
  if (SeqParallel)
    Items.push_back("seq_parallel");
  Add("redundant_experts", RedundantExperts, 0);
  if (UnevenExperts)
    Items.push_back("uneven_experts");
  if (ExpertImbalance != 1)
    Items.push_back("expert_imbalance=" + formatShortest(ExpertImbalance));
  for (const LayerOverride &L : Layers)
    if (L.TP > 0)
      Items.push_back(L.Kind + ".tp=" + std::to_string(L.TP));
  if (Overlap != OverlapMode::None)
    Items.push_back("overlap=" + overlapName(Overlap).str());
  return Items;
}

std::string PhasePlan::str() const { return llvm::join(items(), " "); }

std::string PlanSpec::keys() const {
  std::vector<std::string> P = Prefill.items(), D = Decode.items();
  if (P == D)
    return llvm::join(P, " ");
  // Each phase in full: a key one phase leaves out takes its default.
  std::vector<std::string> Items;
  for (const std::string &I : P)
    Items.push_back("prefill." + I);
  for (const std::string &I : D)
    Items.push_back("decode." + I);
  return llvm::join(Items, " ");
}

//===- PlanDefaults.cpp - A sensible plan when none is given --------------===//

#include "ssc/Spec/PlanDefaults.h"

using namespace ssc;

static bool divides(int64_t D, int64_t N) { return D > 0 && N % D == 0; }

/// The widest TP degree up to \p Limit that divides the GPU count, the heads,
/// the KV heads (or is divided by them) and the MLP and expert widths.
static int64_t widestTP(const ModelSpec &M, const Target &T, int64_t Limit) {
  for (int64_t C = Limit; C > 1; --C) {
    if (!divides(C, T.Count))
      continue;
    bool Ok = true;
    for (const LayerSpec &L : M.LayerKinds) {
      Ok &= divides(C, L.Attn.Heads);
      if (!L.Attn.isMLA())
        Ok &= divides(C, L.Attn.KvHeads) || divides(L.Attn.KvHeads, C);
      if (L.Mlp)
        Ok &= divides(C, L.Mlp->Intermediate);
      if (L.Moe)
        Ok &= divides(C, L.Moe->Expert.Intermediate);
    }
    if (Ok)
      return C;
  }
  return 1;
}

static bool expertsDivide(const ModelSpec &M, int64_t EP) {
  for (const LayerSpec &L : M.LayerKinds)
    if (L.Moe && !divides(EP, L.Moe->Experts))
      return false;
  return true;
}

PlanSpec ssc::defaultPlan(const ModelSpec &M, const Target &T,
                          const WeightFootprint &W) {
  PhasePlan P;
  P.TP = widestTP(M, T, std::min(T.Count, T.Gpu->ScaleUpGpus));
  P.DP = T.Count / P.TP;

  double Budget = 0.85 * T.Gpu->MemoryGB * 1e9;
  auto PerGpu = [&](const PhasePlan &Q) {
    return W.OtherBytes / double(Q.TP * Q.PP) + W.ExpertBytes / double(Q.EP * Q.PP);
  };
  auto Fits = [&](const PhasePlan &Q) { return Budget <= 0 || PerGpu(Q) <= Budget; };
  auto ChooseEP = [&] {
    P.EP = 1;
    if (!M.hasMoe())
      return;
    int64_t Stage = P.TP * P.DP;
    if (P.TP > 1 && expertsDivide(M, P.TP))
      P.EP = P.TP;
    // Attention-DP replicas share the experts inside one scale-up domain:
    // the widest group of whole TP groups there that divides the stage and
    // the experts. Across domains only when one replica's experts would not
    // fit otherwise, since each token's dispatch and combine then cross the
    // slower scale-out links.
    for (int64_t C = std::min(Stage, T.Gpu->ScaleUpGpus); C > P.TP; --C) {
      if (C % P.TP == 0 && Stage % C == 0 && expertsDivide(M, C)) {
        P.EP = C;
        break;
      }
    }
    if (!Fits(P) && Stage > P.EP && expertsDivide(M, Stage))
      P.EP = Stage;
  };
  ChooseEP();

  // Trade replicas for pipeline stages while one replica's weights do not
  // fit; stages must leave at least one layer each.
  int64_t Layers = static_cast<int64_t>(M.numLayers());
  while (!Fits(P) && P.DP % 2 == 0 && P.PP * 2 <= Layers) {
    P.PP *= 2;
    P.DP /= 2;
    ChooseEP();
  }

  PlanSpec Plan;
  Plan.Name = "default";
  Plan.Prefill = P;
  Plan.Decode = P;
  return Plan;
}

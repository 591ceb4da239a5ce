//===- PlanDefaults.cpp - A sensible plan when none is given --------------===//

#include "ssc/Spec/PlanDefaults.h"

using namespace ssc;

static bool divides(int64_t D, int64_t N) { return D > 0 && N % D == 0; }

PlanSpec ssc::defaultPlan(const ModelSpec &M, const Target &T) {
  int64_t Limit = std::min(T.Count, T.Gpu->ScaleUpGpus);
  int64_t TP = 1;
  for (int64_t C = Limit; C >= 1; --C) {
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
    if (Ok) {
      TP = C;
      break;
    }
  }
  PhasePlan P;
  P.TP = TP;
  P.DP = T.Count / TP;
  if (M.hasMoe()) {
    bool ExpertsDivide = true;
    for (const LayerSpec &L : M.LayerKinds)
      if (L.Moe)
        ExpertsDivide &= divides(TP, L.Moe->Experts);
    if (ExpertsDivide && TP > 1)
      P.EP = TP;
  }
  PlanSpec Plan;
  Plan.Name = "default";
  Plan.Prefill = P;
  Plan.Decode = P;
  return Plan;
}

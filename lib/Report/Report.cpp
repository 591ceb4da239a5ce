//===- Report.cpp - Metrics from costed modules ---------------------------===//

#include "ssc/Report/Report.h"

#include "Views.h"

#include <fmt/format.h>

using namespace ssc;
using namespace ssc::report;

Report ssc::report::buildReport(const ir::Module *Prefill, const ir::Module *Decode,
                                const cost::Profile &P, const GpuSpec &Gpu,
                                const WorkloadOptions &Load) {
  Report R;
  R.Load = Load;
  R.Prefill = Prefill;
  R.Decode = Decode;
  R.ProfileName = P.Name;
  R.GpuName = Gpu.Name;
  const ir::Module *Any = Decode ? Decode : Prefill;
  R.ModelName = Any->Model.Name;
  R.TargetName = Any->Tgt.str();
  R.PlanName = Any->PlanName.empty() ? "default" : Any->PlanName;

  std::vector<std::string> Notes;
  auto Collect = [&](const std::vector<std::string> &N) {
    for (const std::string &S : N)
      if (!llvm::is_contained(Notes, S))
        Notes.push_back(S);
  };

  double KvTokens = static_cast<double>(Load.Isl + Load.Osl);
  if (Prefill) {
    cost::CostModel CM(P, Gpu);
    CM.prepare(*Prefill);
    R.PrefillCost = CM.evaluate(*Prefill, Prefill->W);
    Collect(R.PrefillCost.Notes);
    const PhasePlan &Pl = Prefill->Plan;
    int64_t PerReplica = Pl.TP * Pl.SP * Pl.PP;
    R.TtftMs = R.PrefillCost.StepMs;
    if (R.TtftMs > 0)
      R.PrefillTokensPerSecPerGpu = static_cast<double>(Load.Batch) *
                                    static_cast<double>(Load.Isl - Load.Prefix) /
                                    (R.TtftMs / 1000.0) / static_cast<double>(PerReplica);
    cost::MemoryUse MU = CM.memory(
        *Prefill, static_cast<double>(Load.Batch),
        P.Memory.KvForFullSequence ? KvTokens : static_cast<double>(Load.Isl));
    R.PrefillMemory = MU;
    R.PrefillBand = bandFor(P, regimeOf(Phase::Prefill, R.PrefillCost.Dominant, false),
                            *Prefill, Gpu);
    if (!MU.fits(static_cast<double>(Load.Batch)))
      R.Fits = R.PrefillFits = false;
    if (!Decode) {
      R.Memory = MU;
      R.GpusPerReplica = PerReplica;
      R.Replicas = Pl.DP;
      R.Gpus = Pl.world();
    }
  }
  if (Decode) {
    cost::CostModel CM(P, Gpu);
    CM.prepare(*Decode);
    R.DecodeCost = CM.evaluate(*Decode, Decode->W);
    Collect(R.DecodeCost.Notes);
    const PhasePlan &Pl = Decode->Plan;
    R.GpusPerReplica = Pl.TP * Pl.SP * Pl.PP;
    R.Replicas = Pl.DP;
    R.Gpus = Pl.world();
    R.TpotMs = R.DecodeCost.StepMs;
    R.TpotIfHiddenMs = R.DecodeCost.StepIfHiddenMs;
    if (R.TpotMs > 0) {
      R.TokensPerSecPerUser = 1000.0 / R.TpotMs;
      R.DecodeTokensPerSecPerGpu = static_cast<double>(Load.Batch) * 1000.0 / R.TpotMs /
                                   static_cast<double>(R.GpusPerReplica);
    }
    R.Memory = CM.memory(*Decode, static_cast<double>(Load.Batch),
                         P.Memory.KvForFullSequence
                             ? KvTokens
                             : static_cast<double>(Load.kvLen() + 1));
    if (!R.Memory.fits(static_cast<double>(Load.Batch)))
      R.Fits = R.DecodeFits = false;
    R.DecodeBand = bandFor(P, regimeOf(Phase::Decode, R.DecodeCost.Dominant, false),
                           *Decode, Gpu);
    // Fewer micro-batches than stages leave each stage idle for part of
    // every decode step; frameworks keep one in flight per stage.
    int64_t Micro = std::max<int64_t>(1, Pl.MicroBatches);
    if (Pl.PP > 1 && Micro < Pl.PP)
      Collect({fmt::format("decode keeps {0} micro-batch{1} in flight over {2} pipeline "
                           "stages, so each stage works {0}/{2} of the step; serving "
                           "frameworks keep one per stage: micro_batches = {2} (the offline "
                           "mode always does)",
                           Micro, Micro == 1 ? "" : "es", Pl.PP)});
  }
  R.Notes = std::move(Notes);
  return R;
}

llvm::ArrayRef<llvm::StringRef> ssc::report::viewNames() {
  static const llvm::StringRef Names[] = {"summary", "memory", "layers", "kernels",
                                          "comm"};
  return Names;
}

std::unique_ptr<View> ssc::report::createView(llvm::StringRef Name) {
  if (Name == "summary")
    return createSummaryView();
  if (Name == "memory")
    return createMemoryView();
  if (Name == "layers")
    return createLayerView();
  if (Name == "kernels")
    return createKernelView();
  if (Name == "comm")
    return createCommView();
  return nullptr;
}

llvm::json::Value ssc::report::reportToJSON(const Report &R,
                                            llvm::ArrayRef<std::unique_ptr<View>> Views) {
  llvm::json::Object O{{"model", R.ModelName},
                       {"target", R.TargetName},
                       {"gpu", R.GpuName},
                       {"plan", R.PlanName},
                       {"profile", R.ProfileName},
                       {"workload", llvm::json::Object{{"batch", R.Load.Batch},
                                                       {"isl", R.Load.Isl},
                                                       {"osl", R.Load.Osl},
                                                       {"prefix", R.Load.Prefix},
                                                       {"kv_len", R.Load.kvLen()}}}};
  for (const auto &V : Views)
    O[V->name()] = V->toJSON(R);
  llvm::json::Array Notes;
  for (const std::string &N : R.Notes)
    Notes.push_back(N);
  O["notes"] = std::move(Notes);
  return O;
}

//===- SummaryView.cpp - Serving metrics at a glance ----------------------===//

#include "Views.h"

#include "ssc/Support/Format.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

using namespace ssc;
using namespace ssc::report;

std::vector<PhaseRef> ssc::report::phasesOf(const Report &R) {
  std::vector<PhaseRef> Out;
  if (R.Prefill)
    Out.push_back({Phase::Prefill, R.Prefill, &R.PrefillCost});
  if (R.Decode)
    Out.push_back({Phase::Decode, R.Decode, &R.DecodeCost});
  return Out;
}

std::string ssc::report::fixed(double V, int N) { return fmt::format("{:.{}f}", V, N); }

namespace {

std::string thousands(double V) {
  std::string S = fmt::format("{:.0f}", V);
  std::string Out;
  int Digits = 0;
  for (auto It = S.rbegin(); It != S.rend(); ++It) {
    if (Digits && Digits % 3 == 0 && *It != '-')
      Out.insert(Out.begin(), ',');
    Out.insert(Out.begin(), *It);
    if (*It != '-')
      ++Digits;
  }
  return Out;
}

/// A count that may be fractional (sequences, tokens per step on average):
/// thousands() from 10 up or when whole, else two significant digits, so
/// that a small average does not print as 0 or 1.
std::string amount(double V) {
  if (std::abs(V) >= 10 || V == std::round(V))
    return thousands(V);
  if (std::abs(V) < 0.01)
    return "under 0.01";
  return fmt::format("{:.2g}", V);
}

/// \p Noun, with an 's' unless \p Amount reads as one.
std::string counted(const std::string &Amount, llvm::StringRef Noun) {
  return Amount + " " + Noun.str() + (Amount == "1" ? "" : "s");
}

/// ", +-24% (decode-memory)": the band a profile with an uncertainty section
/// gives; nothing for a profile without one.
std::string bandText(const Band &B) {
  if (B.Pct <= 0 && B.Outside.empty())
    return "";
  return fmt::format(", +-{:.0f}% ({})", B.Pct, B.Regime);
}

llvm::json::Value bandJSON(const Band &B) {
  llvm::json::Array Outside;
  for (const std::string &W : B.Outside)
    Outside.push_back(W);
  return llvm::json::Object{
      {"regime", B.Regime}, {"band_pct", B.Pct}, {"outside_calibration", std::move(Outside)}};
}

/// Under two-batch overlap, the compute slowed by the SMs the overlapped
/// collectives occupy.
void printSmTax(const cost::PhaseCost &C, llvm::raw_ostream &OS) {
  if (C.SmTaxMs > 0)
    OS << "             overlapped compute slowed " << formatMillis(C.SmTaxMs)
       << " by the SMs collectives take\n";
}

class SummaryView : public View {
public:
  llvm::StringRef name() const override { return "summary"; }

  void printText(const Report &R, llvm::raw_ostream &OS) const override {
    OS << "Summary: " << R.ModelName << " on " << R.TargetName << " (" << R.Gpus
       << (R.Gpus == 1 ? " GPU: " : " GPUs: ") << R.Replicas << " replica" << (R.Replicas == 1 ? "" : "s")
       << " x " << R.GpusPerReplica << " GPU" << (R.GpusPerReplica == 1 ? "" : "s")
       << "), profile " << R.ProfileName << "\n";
    for (const PhaseRef &P : phasesOf(R))
      OS << "  plan       " << phaseName(P.P) << " " << P.M->PlanName << " {"
         << P.M->Plan.str() << "}\n";
    OS << "  workload   " << R.Load.Batch << " sequence" << (R.Load.Batch == 1 ? "" : "s")
       << " per replica, prompt " << R.Load.Isl << " tokens";
    if (R.Load.Prefix)
      OS << " (" << R.Load.Prefix << " cached)";
    OS << ", output " << R.Load.Osl << ", decode KV length " << R.Load.kvLen() << "\n";
    if (R.Offline) {
      const OfflineResult &F = *R.Offline;
      OS << "  offline    " << thousands(F.OutputTokensPerSec) << " output tokens/s ("
         << thousands(F.OutputTokensPerSecPerGpu) << " per GPU), "
         << counted(amount(F.Batch), "sequence") << " in flight per replica (limit: "
         << F.BatchLimit << ")";
      // Pipeline stages: the micro-batches in flight, each a step apart.
      if (F.MicroBatches > 1)
        OS << " in " << F.MicroBatches << " micro-batches of "
           << amount(F.Batch / static_cast<double>(F.MicroBatches));
      OS << ", " << counted(amount(F.PrefillTokensPerStep), "prompt token")
         << " prefilled per step";
      // Only some steps prefill: say how often, and both kinds of step.
      bool Lumped = F.PrefillStepShare < 0.995;
      if (Lumped) {
        double Pct = 100 * F.PrefillStepShare;
        OS << " (" << thousands(F.PromptTokensPerPrefillStep) << " at a time, in "
           << (Pct < 0.5 ? std::string("under 1") : llvm::formatv("{0:f0}", Pct).str())
           << "% of the steps)";
      }
      OS << ", step " << formatMillis(F.StepMs);
      if (Lumped)
        OS << " on average (" << formatMillis(F.DecodeStepMs) << " decoding only, "
           << formatMillis(F.MixedStepMs) << " with a prompt)";
      OS << ", " << boundName(F.Dominant) << "-bound" << bandText(F.Uncertainty) << "\n";
      if (F.Run) {
        const FiniteRun &Run = *F.Run;
        OS << "  run        " << counted(thousands(static_cast<double>(Run.Requests)), "request")
           << " queued at once: " << thousands(Run.OutputTokensPerSec) << " output tokens/s ("
           << thousands(Run.OutputTokensPerSecPerGpu) << " per GPU), "
           << (Run.Seconds >= 1000 ? thousands(Run.Seconds) + " s"
                                   : formatMillis(Run.Seconds * 1000.0))
           << " from the first prompt to the last token; ";
        double Pct = 100.0 * (1.0 - Run.Factor);
        if (Pct >= 0.05)
          OS << llvm::formatv("{0:f1}", Pct).str()
             << "% below the steady state (the batch filling and draining)\n";
        else if (Pct <= -0.05)
          OS << llvm::formatv("{0:f1}", -Pct).str() << "% above the steady state\n";
        else
          OS << "within 0.1% of the steady state\n";
      }
    }
    if (R.Prefill) {
      OS << "  prefill    TTFT " << formatMillis(R.TtftMs) << ", "
         << thousands(R.PrefillTokensPerSecPerGpu) << " input tokens/s per GPU, "
         << boundName(R.PrefillCost.Dominant) << "-bound" << bandText(R.PrefillBand) << "\n";
      printSmTax(R.PrefillCost, OS);
    }
    if (R.Decode) {
      OS << "  decode     TPOT " << formatMillis(R.TpotMs) << ", "
         << (R.TokensPerSecPerUser >= 1000 ? thousands(R.TokensPerSecPerUser)
                                           : fixed(R.TokensPerSecPerUser, 1))
         << " tokens/s per user, "
         << thousands(R.DecodeTokensPerSecPerGpu) << " tokens/s per GPU, "
         << boundName(R.DecodeCost.Dominant) << "-bound" << bandText(R.DecodeBand) << "\n";
      if (R.DecodeCost.ExposedCommMs > 0)
        OS << "             exposed communication " << formatMillis(R.DecodeCost.ExposedCommMs)
           << " of the step\n";
      printSmTax(R.DecodeCost, OS);
    }
    const cost::MemoryUse &M = R.Memory;
    OS << "  memory     " << (R.Fits ? "fits" : "DOES NOT FIT") << ": "
       << formatBytes(M.usedBytes(static_cast<double>(R.Load.Batch))) << " of "
       << formatBytes(M.UsableBytes) << " usable per GPU; at most "
       << thousands(M.MaxBatch) << " sequences per replica\n";
    std::vector<std::string> Outside;
    double Scale = 1;
    for (const Band *B : {R.Offline ? &R.Offline->Uncertainty : nullptr,
                          R.Prefill ? &R.PrefillBand : nullptr,
                          R.Decode ? &R.DecodeBand : nullptr})
      if (B) {
        Scale = std::max(Scale, B->Scale);
        for (const std::string &W : B->Outside)
          if (!llvm::is_contained(Outside, W))
            Outside.push_back(W);
      }
    if (!Outside.empty())
      OS << "  caution    outside the profile's calibration ("
         << (Scale == 2 ? std::string("bands doubled")
                        : fmt::format("bands x{}", formatShortest(Scale)))
         << "): " << llvm::join(Outside, "; ") << "\n";
    for (const std::string &N : R.Notes)
      OS << "  note       " << N << "\n";
  }

  llvm::json::Value toJSON(const Report &R) const override {
    llvm::json::Object O{{"gpus", R.Gpus},
                         {"replicas", R.Replicas},
                         {"gpus_per_replica", R.GpusPerReplica},
                         {"fits", R.Fits},
                         {"max_batch", R.Memory.MaxBatch}};
    if (R.Prefill) {
      O["ttft_ms"] = R.TtftMs;
      O["prefill_tokens_per_s_per_gpu"] = R.PrefillTokensPerSecPerGpu;
      O["prefill_bound"] = boundName(R.PrefillCost.Dominant);
      O["prefill_uncertainty"] = bandJSON(R.PrefillBand);
    }
    if (R.Decode) {
      O["tpot_ms"] = R.TpotMs;
      O["tpot_if_comm_hidden_ms"] = R.TpotIfHiddenMs;
      O["tokens_per_s_per_user"] = R.TokensPerSecPerUser;
      O["decode_tokens_per_s_per_gpu"] = R.DecodeTokensPerSecPerGpu;
      O["decode_bound"] = boundName(R.DecodeCost.Dominant);
      O["decode_exposed_comm_ms"] = R.DecodeCost.ExposedCommMs;
      O["decode_uncertainty"] = bandJSON(R.DecodeBand);
    }
    if (R.Offline) {
      const OfflineResult &F = *R.Offline;
      llvm::json::Object Off{
          {"output_tokens_per_s", F.OutputTokensPerSec},
          {"output_tokens_per_s_per_gpu", F.OutputTokensPerSecPerGpu},
          {"output_tokens_per_s_per_user", F.OutputTokensPerSecPerUser},
          {"batch", F.Batch},
          {"batch_limit", F.BatchLimit},
          {"micro_batches", F.MicroBatches},
          {"prefill_tokens_per_step", F.PrefillTokensPerStep},
          {"prompt_tokens_per_prefill_step", F.PromptTokensPerPrefillStep},
          {"prefill_step_share", F.PrefillStepShare},
          {"step_ms", F.StepMs},
          {"decode_step_ms", F.DecodeStepMs},
          {"prefill_step_ms", F.MixedStepMs},
          {"bound", boundName(F.Dominant)},
          {"uncertainty", bandJSON(F.Uncertainty)}};
      if (F.Run)
        Off["run"] = llvm::json::Object{
            {"requests", F.Run->Requests},
            {"requests_per_replica", F.Run->PerReplica},
            {"seconds", F.Run->Seconds},
            {"output_tokens_per_s", F.Run->OutputTokensPerSec},
            {"output_tokens_per_s_per_gpu", F.Run->OutputTokensPerSecPerGpu},
            {"vs_steady", F.Run->Factor}};
      O["offline"] = std::move(Off);
    }
    return O;
  }

  void printCSV(const Report &R, llvm::raw_ostream &OS) const override {
    OS << "model,target,plan,profile,batch,isl,osl,gpus,ttft_ms,"
          "prefill_tokens_per_s_per_gpu,tpot_ms,tokens_per_s_per_user,"
          "decode_tokens_per_s_per_gpu,fits,max_batch";
    if (R.Offline)
      OS << ",offline_output_tokens_per_s,offline_output_tokens_per_s_per_gpu,"
            "offline_batch,offline_step_ms";
    if (R.Offline && R.Offline->Run)
      OS << ",run_requests,run_seconds,run_output_tokens_per_s,run_output_tokens_per_s_per_gpu";
    OS << '\n';
    OS << R.ModelName << ',' << R.TargetName << ',' << R.PlanName << ','
       << R.ProfileName << ',' << R.Load.Batch << ',' << R.Load.Isl << ','
       << R.Load.Osl << ',' << R.Gpus << ',' << fixed(R.TtftMs, 6) << ','
       << fixed(R.PrefillTokensPerSecPerGpu, 3) << ',' << fixed(R.TpotMs, 6) << ','
       << fixed(R.TokensPerSecPerUser, 6) << ','
       << fixed(R.DecodeTokensPerSecPerGpu, 3) << ',' << (R.Fits ? 1 : 0) << ','
       << fixed(R.Memory.MaxBatch, 3);
    if (R.Offline)
      OS << ',' << fixed(R.Offline->OutputTokensPerSec, 3) << ','
         << fixed(R.Offline->OutputTokensPerSecPerGpu, 3) << ','
         << fixed(R.Offline->Batch, 0) << ',' << fixed(R.Offline->StepMs, 6);
    if (R.Offline && R.Offline->Run)
      OS << ',' << R.Offline->Run->Requests << ',' << fixed(R.Offline->Run->Seconds, 6) << ','
         << fixed(R.Offline->Run->OutputTokensPerSec, 3) << ','
         << fixed(R.Offline->Run->OutputTokensPerSecPerGpu, 3);
    OS << '\n';
  }
};

class MemoryView : public View {
public:
  llvm::StringRef name() const override { return "memory"; }

  void printText(const Report &R, llvm::raw_ostream &OS) const override {
    const cost::MemoryUse &M = R.Memory;
    double B = static_cast<double>(R.Load.Batch);
    OS << "Memory per GPU (busiest stage)\n";
    OS << "  capacity        " << formatBytes(M.CapacityBytes) << "\n";
    OS << "  usable          " << formatBytes(M.UsableBytes) << "\n";
    OS << "  reserved        " << formatBytes(M.ReservedBytes) << "\n";
    OS << "  weights         " << formatBytes(M.WeightBytes) << "\n";
    OS << "  KV cache        " << formatBytes(M.KvBytesPerSeq) << " per sequence of "
       << fixed(M.KvTokensPerSeq, 0) << " tokens, " << formatBytes(M.KvBytesPerSeq * B)
       << " for " << R.Load.Batch;
    if (M.ChunkedKvWhole)
      OS << " (chunked-attention layers hold every token: the profile's memory.chunked_kv)";
    OS << "\n";
    if (M.ActivationBytes > 0)
      OS << "  activations     " << formatBytes(M.ActivationBytes) << "\n";
    OS << "  used            " << formatBytes(M.usedBytes(B)) << " ("
       << (R.Fits ? "fits" : "does not fit") << ")\n";
    OS << "  max batch       " << fixed(M.MaxBatch, 1) << " sequences per replica\n";
  }

  llvm::json::Value toJSON(const Report &R) const override {
    const cost::MemoryUse &M = R.Memory;
    double B = static_cast<double>(R.Load.Batch);
    return llvm::json::Object{{"capacity_bytes", M.CapacityBytes},
                              {"usable_bytes", M.UsableBytes},
                              {"reserved_bytes", M.ReservedBytes},
                              {"weight_bytes", M.WeightBytes},
                              {"kv_bytes_per_seq", M.KvBytesPerSeq},
                              {"kv_tokens_per_seq", M.KvTokensPerSeq},
                              {"chunked_kv_whole", M.ChunkedKvWhole},
                              {"activation_bytes", M.ActivationBytes},
                              {"used_bytes", M.usedBytes(B)},
                              {"max_batch", M.MaxBatch},
                              {"fits", R.Fits}};
  }

  void printCSV(const Report &R, llvm::raw_ostream &OS) const override {
    const cost::MemoryUse &M = R.Memory;
    double B = static_cast<double>(R.Load.Batch);
    // Columns the JSON view has too; later additions go at the end, so a
    // reader indexing the earlier ones keeps working.
    OS << "capacity_bytes,usable_bytes,reserved_bytes,weight_bytes,kv_bytes_per_seq,"
          "activation_bytes,used_bytes,max_batch,fits,kv_tokens_per_seq,chunked_kv_whole\n";
    OS << fixed(M.CapacityBytes, 0) << ',' << fixed(M.UsableBytes, 0) << ','
       << fixed(M.ReservedBytes, 0) << ',' << fixed(M.WeightBytes, 0) << ','
       << fixed(M.KvBytesPerSeq, 0) << ',' << fixed(M.ActivationBytes, 0) << ','
       << fixed(M.usedBytes(B), 0) << ',' << fixed(M.MaxBatch, 3) << ','
       << (R.Fits ? 1 : 0) << ',' << fixed(M.KvTokensPerSeq, 0) << ','
       << (M.ChunkedKvWhole ? 1 : 0) << '\n';
  }
};

} // namespace

std::unique_ptr<View> ssc::report::createSummaryView() {
  return std::make_unique<SummaryView>();
}
std::unique_ptr<View> ssc::report::createMemoryView() {
  return std::make_unique<MemoryView>();
}

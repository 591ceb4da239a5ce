//===- Output.cpp - Rows of a sweep: CSV and JSON -------------------------===//

#include "ssc/Sweep/Output.h"
#include "ssc/Sweep/ModelVariant.h"

#include "ssc/Support/Format.h"

#include "llvm/ADT/StringExtras.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <tuple>

using namespace ssc;
using namespace ssc::sweep;

enum class RowWriter::Col : uint8_t {
  Model,
  Gpu,
  Gpus,
  TP,
  PP,
  DP,
  EP,
  SP,
  ETP,
  MicroBatches,
  Overlap,
  RedundantExperts,
  ExpertImbalance,
  WeightDType,
  KvDType,
  DispatchDType,
  CombineDType,
  AttnDType,
  Layers,
  Experts,
  TopK,
  KvHeads,
  Param,
  Batch,
  Isl,
  Osl,
  Prefix,
  KvLen,
  TtftMs,
  PrefillTokensPerSecPerGpu,
  TpotMs,
  TpotIfHiddenMs,
  TokensPerSecPerUser,
  DecodeTokensPerSecPerGpu,
  BatchCap,
  Requests,
  OfflineBatch,
  BatchLimit,
  StepMs,
  OutputTokensPerSecPerUser,
  OutputTokensPerSecPerGpu,
  OutputTokensPerSec,
  RunSeconds,
  RunOutputTokensPerSecPerGpu,
  PrefillBandPct,
  PrefillRegime,
  DecodeBandPct,
  DecodeRegime,
  MaxBatch,
  UsedBytes,
  Fits,
  OutsideCalibration,
  Status,
  Reason,
  Command,
};

RowWriter::RowWriter(const SweepContext &Ctx, Format F, bool WithStatus)
    : Ctx(Ctx), F(F) {
  auto Add = [&](Col C, std::string Name, size_t Param = 0) {
    Cols.push_back(C);
    Names.push_back(std::move(Name));
    ParamIndex.push_back(Param);
  };
  const SweepSpec &S = *Ctx.Spec;
  Add(Col::Model, "model");
  Add(Col::Gpu, "gpu");
  for (auto [C, N] : {std::pair{Col::Gpus, "gpus"}, {Col::TP, "tp"}, {Col::PP, "pp"},
                      {Col::DP, "dp"}, {Col::EP, "ep"}, {Col::SP, "sp"}})
    Add(C, N);
  // Axes that most sweeps leave alone get a column when swept.
  for (auto [C, A] : {std::pair{Col::ETP, Axis::ETP},
                      {Col::MicroBatches, Axis::MicroBatches},
                      {Col::Overlap, Axis::Overlap},
                      {Col::RedundantExperts, Axis::RedundantExperts},
                      {Col::ExpertImbalance, Axis::ExpertImbalance},
                      {Col::WeightDType, Axis::WeightDType},
                      {Col::KvDType, Axis::KvDType},
                      {Col::DispatchDType, Axis::DispatchDType},
                      {Col::CombineDType, Axis::CombineDType},
                      {Col::AttnDType, Axis::AttnDType},
                      {Col::Layers, Axis::Layers},
                      {Col::Experts, Axis::Experts},
                      {Col::TopK, Axis::TopK},
                      {Col::KvHeads, Axis::KvHeads}})
    if (S.anyGiven(A))
      Add(C, axisKey(A).str());
  for (size_t I = 0; I < Ctx.ParamNames.size(); ++I)
    Add(Col::Param, Ctx.ParamNames[I], I);
  if (Ctx.Offline) {
    // The workload is the lengths and the cap (named apart from the
    // max_batch memory holds); the rest is the report's offline section
    // (summary view, JSON), the finite run's under run_.
    Add(Col::Isl, "isl");
    Add(Col::Osl, "osl");
    if (S.anyGiven(Axis::MaxBatch))
      Add(Col::BatchCap, "batch_cap");
    if (S.anyGiven(Axis::Requests))
      Add(Col::Requests, "requests");
    for (auto [C, N] : {std::pair{Col::OfflineBatch, "batch"},
                        {Col::BatchLimit, "batch_limit"},
                        {Col::StepMs, "step_ms"},
                        {Col::OutputTokensPerSecPerUser, "output_tokens_per_s_per_user"},
                        {Col::OutputTokensPerSecPerGpu, "output_tokens_per_s_per_gpu"},
                        {Col::OutputTokensPerSec, "output_tokens_per_s"}})
      Add(C, N);
    if (S.anyGiven(Axis::Requests)) {
      Add(Col::RunSeconds, "run_seconds");
      Add(Col::RunOutputTokensPerSecPerGpu, "run_output_tokens_per_s_per_gpu");
    }
  } else {
    for (auto [C, N] : {std::pair{Col::Batch, "batch"},
                        {Col::Isl, "isl"},
                        {Col::Osl, "osl"},
                        {Col::Prefix, "prefix"},
                        {Col::KvLen, "kv_len"}})
      Add(C, N);
  }
  // The report's names (summary view, JSON).
  if (Ctx.hasPrefill() && !Ctx.Offline) {
    Add(Col::TtftMs, "ttft_ms");
    Add(Col::PrefillTokensPerSecPerGpu, "prefill_tokens_per_s_per_gpu");
  }
  if (Ctx.hasDecode() && !Ctx.Offline) {
    Add(Col::TpotMs, "tpot_ms");
    Add(Col::TpotIfHiddenMs, "tpot_if_comm_hidden_ms");
    Add(Col::TokensPerSecPerUser, "tokens_per_s_per_user");
    Add(Col::DecodeTokensPerSecPerGpu, "decode_tokens_per_s_per_gpu");
  }
  Add(Col::MaxBatch, "max_batch");
  Add(Col::UsedBytes, "used_bytes");
  Add(Col::Fits, "fits");
  // Each prediction's band (the report's *_uncertainty), after the columns
  // sweeps had before, so that readers by position keep working.
  if (Ctx.Offline) {
    Add(Col::DecodeBandPct, "band_pct");
    Add(Col::DecodeRegime, "regime");
  } else {
    if (Ctx.hasPrefill()) {
      Add(Col::PrefillBandPct, "prefill_band_pct");
      Add(Col::PrefillRegime, "prefill_regime");
    }
    if (Ctx.hasDecode()) {
      Add(Col::DecodeBandPct, "decode_band_pct");
      Add(Col::DecodeRegime, "decode_regime");
    }
  }
  Add(Col::OutsideCalibration, "outside_calibration");
  if (WithStatus) {
    Add(Col::Status, "status");
    Add(Col::Reason, "reason");
  }
  if (Ctx.Commands)
    Add(Col::Command, "command");
}

void RowWriter::header(std::string &Out) const {
  if (F != Format::CSV)
    return;
  for (size_t I = 0; I < Names.size(); ++I) {
    if (I)
      Out += ',';
    Out += Names[I];
  }
  Out += '\n';
}

namespace {

void jsonString(std::string &Out, llvm::StringRef S) {
  Out += '"';
  for (unsigned char C : S) {
    if (C == '"' || C == '\\') {
      Out += '\\';
      Out += static_cast<char>(C);
    } else if (C < 0x20) {
      fmt::format_to(std::back_inserter(Out), "\\u{:04x}", C);
    } else {
      Out += static_cast<char>(C);
    }
  }
  Out += '"';
}

} // namespace

std::string sweep::pointCommand(const SweepContext &Ctx, const PointResult &R) {
  if (R.PlanKeys.empty() || !R.Gpu)
    return "";
  const Grid &G = Ctx.Spec->Grids[R.Grid];
  std::vector<std::string> Args = {"ssc", Ctx.CommandModel};
  // The model axes the grid gives, as ssc's --set changes them.
  Hyperparameters H;
  for (auto [A, Value, Field] : {std::tuple{Axis::Layers, R.Layers, &H.Layers},
                                 {Axis::Experts, R.Experts, &H.Experts},
                                 {Axis::TopK, R.TopK, &H.TopK},
                                 {Axis::KvHeads, R.KvHeads, &H.KvHeads}})
    if (G.given(A))
      *Field = Value;
  if (H.any())
    Args.insert(Args.end(), {"--set", H.str()});
  Args.insert(Args.end(),
              {"--target", R.Gpu->Name + "x" + std::to_string(R.Gpus), "--plan", R.PlanKeys});
  for (auto [A, T] : {std::pair{Axis::WeightDType, R.WeightType},
                      {Axis::KvDType, R.KvType},
                      {Axis::DispatchDType, R.DispatchType},
                      {Axis::CombineDType, R.CombineType},
                      {Axis::AttnDType, R.AttnType}})
    if (G.given(A))
      Args.insert(Args.end(), {"--" + axisFlag(A).str(), dtypeName(T).str()});
  for (const ParamAxis &PA : G.Params)
    for (size_t I = 0; I < Ctx.ParamNames.size(); ++I)
      if (Ctx.ParamNames[I] == PA.Name)
        Args.insert(Args.end(), {"--profile-set", PA.Name + "=" + formatShortest(R.Params[I])});
  Args.insert(Args.end(), Ctx.CommandArgs.begin(), Ctx.CommandArgs.end());
  if (Ctx.Offline) {
    Args.insert(Args.end(),
                {"--mode=offline", "--isl", std::to_string(R.Isl), "--osl", std::to_string(R.Osl)});
    if (R.MaxBatch)
      Args.insert(Args.end(), {"--max-batch", std::to_string(R.MaxBatch)});
    if (R.Requests)
      Args.insert(Args.end(), {"--requests", std::to_string(R.Requests)});
  } else {
    if (!Ctx.hasDecode())
      Args.push_back("--phase=prefill");
    else if (!Ctx.hasPrefill())
      Args.push_back("--phase=decode");
    Args.insert(Args.end(), {"--batch", std::to_string(R.Batch), "--isl", std::to_string(R.Isl),
                             "--osl", std::to_string(R.Osl)});
    if (R.Prefix)
      Args.insert(Args.end(), {"--prefix", std::to_string(R.Prefix)});
    if (Ctx.hasDecode() && R.KvLen != R.Isl + R.Osl / 2)
      Args.insert(Args.end(), {"--kv-len", std::to_string(R.KvLen)});
  }
  Args.push_back("--emit=report");
  return shellCommand(Args);
}

void RowWriter::row(const PointResult &R, std::string &Out) const {
  bool JSON = F == Format::JSON;
  auto It = std::back_inserter(Out);
  if (JSON)
    Out += '{';
  for (size_t I = 0; I < Cols.size(); ++I) {
    if (I)
      Out += ',';
    if (JSON) {
      Out += '"';
      Out += Names[I];
      Out += "\":";
    }
    auto Null = [&]() {
      if (JSON)
        Out += "null";
    };
    auto Str = [&](llvm::StringRef S) { JSON ? jsonString(Out, S) : appendCsvField(Out, S); };
    auto Int = [&](int64_t V) { fmt::format_to(It, "{}", V); };
    // Plan degrees are 0 where they could not be derived.
    auto Degree = [&](int64_t V) { V > 0 ? Int(V) : Null(); };
    auto Num = [&](double V, bool Have) {
      if (!Have || !std::isfinite(V))
        Null();
      else
        fmt::format_to(It, "{}", V);
    };
    bool Costed = R.HasMetrics;
    switch (Cols[I]) {
    case Col::Model: Str(Ctx.Model->Name); break;
    case Col::Gpu: Str(R.Gpu ? llvm::StringRef(R.Gpu->Name) : ""); break;
    case Col::Gpus: Degree(R.Gpus); break;
    case Col::TP: Degree(R.TP); break;
    case Col::PP: Degree(R.PP); break;
    case Col::DP: Degree(R.DP); break;
    case Col::EP: Degree(R.EP); break;
    case Col::SP: Degree(R.SP); break;
    case Col::ETP: Degree(R.ETP); break;
    case Col::MicroBatches: Degree(R.MicroBatches); break;
    case Col::Overlap: Str(overlapName(R.Overlap)); break;
    case Col::RedundantExperts: Int(R.RedundantExperts); break;
    case Col::ExpertImbalance: Num(R.ExpertImbalance, true); break;
    case Col::WeightDType: Str(dtypeName(R.WeightType)); break;
    case Col::KvDType: Str(dtypeName(R.KvType)); break;
    case Col::DispatchDType: Str(dtypeName(R.DispatchType)); break;
    case Col::CombineDType: Str(dtypeName(R.CombineType)); break;
    case Col::AttnDType: Str(dtypeName(R.AttnType)); break;
    case Col::Layers: Degree(R.Layers); break;
    case Col::Experts: Degree(R.Experts); break;
    case Col::TopK: Degree(R.TopK); break;
    case Col::KvHeads: Degree(R.KvHeads); break;
    case Col::Param: Num(R.Params[ParamIndex[I]], true); break;
    case Col::Batch: Int(R.Batch); break;
    case Col::Isl: Int(R.Isl); break;
    case Col::Osl: Int(R.Osl); break;
    case Col::Prefix: Int(R.Prefix); break;
    case Col::KvLen: Int(R.KvLen); break;
    case Col::TtftMs: Num(R.M.TtftMs, Costed); break;
    case Col::PrefillTokensPerSecPerGpu: Num(R.M.PrefillTokensPerSecPerGpu, Costed); break;
    case Col::TpotMs: Num(R.M.TpotMs, Costed); break;
    case Col::TpotIfHiddenMs: Num(R.M.TpotIfHiddenMs, Costed); break;
    case Col::TokensPerSecPerUser: Num(R.M.TokensPerSecPerUser, Costed); break;
    case Col::DecodeTokensPerSecPerGpu: Num(R.M.DecodeTokensPerSecPerGpu, Costed); break;
    case Col::BatchCap:
      Int(R.MaxBatch);
      break;
    case Col::Requests:
      R.Requests ? Int(R.Requests) : Null();
      break;
    case Col::OfflineBatch:
      Num(R.M.Batch, Costed);
      break;
    case Col::BatchLimit:
      Costed ? Str(R.M.BatchLimit) : Null();
      break;
    case Col::StepMs:
      Num(R.M.TpotMs, Costed);
      break;
    case Col::OutputTokensPerSecPerUser:
      Num(R.M.TokensPerSecPerUser, Costed);
      break;
    case Col::OutputTokensPerSecPerGpu:
      Num(R.M.OutputTokensPerSecPerGpu, Costed);
      break;
    case Col::OutputTokensPerSec:
      Num(R.M.OutputTokensPerSec, Costed);
      break;
    // A grid without requests has no run.
    case Col::RunSeconds:
      Num(R.M.RunSeconds, Costed && R.Requests);
      break;
    case Col::RunOutputTokensPerSecPerGpu:
      Num(R.M.RunOutputTokensPerSecPerGpu, Costed && R.Requests);
      break;
    case Col::PrefillBandPct:
      Num(R.M.PrefillBandPct, Costed);
      break;
    case Col::PrefillRegime:
      Costed ? Str(R.M.PrefillRegime) : Null();
      break;
    case Col::DecodeBandPct:
      Num(R.M.DecodeBandPct, Costed);
      break;
    case Col::DecodeRegime:
      Costed ? Str(R.M.DecodeRegime) : Null();
      break;
    case Col::OutsideCalibration:
      if (!Costed) {
        Null();
      } else if (JSON) {
        Out += '[';
        for (size_t K = 0; K < R.M.Outside.size(); ++K) {
          if (K)
            Out += ',';
          jsonString(Out, R.M.Outside[K]);
        }
        Out += ']';
      } else {
        Str(llvm::join(R.M.Outside, "; "));
      }
      break;
    // Memory is known for every point that got as far as costing.
    case Col::MaxBatch:
      Num(R.M.MaxBatch, Costed || R.S == Status::DoesNotFit);
      break;
    case Col::UsedBytes:
      Num(R.M.UsedBytes, Costed || R.S == Status::DoesNotFit);
      break;
    case Col::Fits:
      if (!Costed && R.S != Status::DoesNotFit)
        Null();
      else if (JSON)
        Out += R.M.Fits ? "true" : "false";
      else
        Out += R.M.Fits ? '1' : '0';
      break;
    case Col::Status: Str(statusName(R.S)); break;
    case Col::Reason: Str(R.Reason); break;
    case Col::Command: {
      std::string C = pointCommand(Ctx, R);
      C.empty() ? Null() : Str(C);
      break;
    }
    }
  }
  Out += JSON ? "}\n" : "\n";
}

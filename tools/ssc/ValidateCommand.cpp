//===- ValidateCommand.cpp - ssc validate -----------------------------------===//
//
//   ssc validate measurements.csv [--profile NAME] [--format=text|csv|json]
//
// Predicts every row of a table of measured serving results (the format of
// shared/reference/measurements/validation_public.csv: zoo model, precision,
// target, tp/ep/dp/pp, mode, lengths, batch, metric, value) through the whole
// pipeline and prints predicted against measured, then the median and the
// largest absolute error. A row that cannot be modeled is listed with the
// reason and left out of the two statistics. docs/cost-model.md describes how
// each column maps onto a plan and a workload.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Pipeline.h"

#include "ssc/Cost/Profile.h"
#include "ssc/Report/Report.h"
#include "ssc/Report/Uncertainty.h"
#include "ssc/Spec/Plan.h"
#include "ssc/Support/CommandLine.h"
#include "ssc/Support/DataPaths.h"
#include "ssc/Support/Format.h"
#include "ssc/Support/JSONLocator.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>

using namespace llvm;
using namespace ssc;

cl::SubCommand ssc::driver::ValidateCmd(
    "validate", "Predict measured serving results and report the error (see "
                "docs/cost-model.md)");

namespace {

cl::opt<std::string> TablePath(cl::Positional, cl::desc("<measurements.csv>"),
                               cl::sub(driver::ValidateCmd), cl::cat(driver::category()));
cl::opt<std::string> ProfileName("profile",
                                 cl::desc("Cost profile (default: default)"),
                                 cl::value_desc("name"), cl::init("default"),
                                 cl::sub(driver::ValidateCmd), cl::cat(driver::category()));
enum class TableFormat { Text, CSV, JSON };
EnumOpt<TableFormat>
    Format("format", cl::desc("Output format"), cl::init(TableFormat::Text),
           cl::values(clEnumValN(TableFormat::Text, "text", "a table and two summary lines"),
                      clEnumValN(TableFormat::CSV, "csv", "one row per measurement"),
                      clEnumValN(TableFormat::JSON, "json", "one JSON document")),
           cl::sub(driver::ValidateCmd), cl::cat(driver::category()));

/// One row of the table, its fields with their locations.
struct Row {
  unsigned Line = 0;
  StringMap<std::pair<std::string, SMLoc>> Fields;
  std::string get(StringRef K) const {
    auto It = Fields.find(K);
    return It == Fields.end() ? "" : It->second.first;
  }
  SMLoc loc(StringRef K) const {
    auto It = Fields.find(K);
    return It == Fields.end() ? SMLoc() : It->second.second;
  }
};

/// What a row became.
struct Outcome {
  std::string Id, Model, Target, Mode, Metric;
  double Measured = 0, Predicted = 0;
  bool Modeled = false;
  std::string Reason; // when not modeled
  report::Band Band;  // when modeled
  std::string Plan;   // the plan the row ran with, as the report prints it
  /// The dtypes it ran with (--weight-dtype, --kv-dtype, --dispatch-dtype);
  /// Weights is empty where the checkpoint runs as released.
  std::string Weights, Kv, Dispatch;
  /// The ssc command line whose report holds the prediction; for a row not
  /// modeled once its setup is known, the one that shows why.
  std::string Command;
};

const char *const Required[] = {"id", "model", "precision", "target", "tp", "ep", "dp",
                                "pp", "mode", "isl", "osl", "batch", "metric", "value"};

/// Splits a CSV line into fields with their byte offsets. A field may be
/// quoted (RFC 4180): commas inside the quotes belong to it and "" is one
/// quote. Returns the offset of a quote left open, or npos.
size_t splitLine(StringRef L, std::vector<std::pair<std::string, size_t>> &Out) {
  Out.clear();
  size_t I = 0;
  while (true) {
    size_t Start = I;
    while (I < L.size() && (L[I] == ' ' || L[I] == '\t'))
      ++I;
    std::string Value;
    if (I < L.size() && L[I] == '"') {
      size_t Open = I++;
      bool Closed = false;
      while (I < L.size()) {
        if (L[I] == '"') {
          if (I + 1 < L.size() && L[I + 1] == '"') {
            Value += '"';
            I += 2;
            continue;
          }
          Closed = true;
          ++I;
          break;
        }
        Value += L[I++];
      }
      if (!Closed)
        return Open;
      // Anything between the closing quote and the comma is kept as written.
      size_t Comma = L.find(',', I);
      Value += L.slice(I, Comma).rtrim().str();
      I = Comma;
    } else {
      size_t Comma = L.find(',', I);
      Value = L.slice(Start, Comma).trim().str();
      I = Comma;
    }
    Out.push_back({std::move(Value), Start});
    if (I == StringRef::npos || I >= L.size())
      return StringRef::npos;
    ++I; // past the comma
  }
}

/// Reads the table; reports malformed lines at their position.
bool readTable(unsigned Buf, DiagnosticEngine &Diags, std::vector<Row> &Rows) {
  StringRef Text = Diags.getSourceMgr().getMemoryBuffer(Buf)->getBuffer();
  const char *Base = Text.data();
  SmallVector<StringRef> Lines;
  Text.split(Lines, '\n');
  std::vector<std::string> Header;
  bool Ok = true;
  for (size_t LI = 0; LI < Lines.size(); ++LI) {
    StringRef L = Lines[LI].rtrim("\r");
    if (L.trim().empty() || L.trim().starts_with("#"))
      continue;
    std::vector<std::pair<std::string, size_t>> Fields;
    if (size_t Open = splitLine(L, Fields); Open != StringRef::npos) {
      Diags.error(SMLoc::getFromPointer(L.data() + Open),
                  "this quote is not closed on its line");
      Ok = false;
      if (Header.empty())
        return false;
      continue;
    }
    if (Header.empty()) {
      for (auto &F : Fields) {
        std::string Name = StringRef(F.first).lower();
        if (is_contained(Header, Name)) {
          Diags.error(SMLoc::getFromPointer(L.data() + F.second),
                      "column '" + Name + "' appears twice in the header");
          Ok = false;
        }
        Header.push_back(std::move(Name));
      }
      std::vector<std::string> Missing;
      for (const char *R : Required)
        if (!is_contained(Header, R))
          Missing.push_back(std::string("'") + R + "'");
      if (!Missing.empty()) {
        Diags.error(SMLoc::getFromPointer(L.data()),
                    std::string(Missing.size() == 1 ? "the header has no column "
                                                    : "the header has no columns ") +
                        join(Missing, ", ") + "; a measurement table needs " +
                        join(std::vector<std::string>(std::begin(Required),
                                                      std::end(Required)),
                             ", "));
        Ok = false;
      }
      if (!Ok)
        return false;
      continue;
    }
    if (Fields.size() != Header.size()) {
      Diags.error(SMLoc::getFromPointer(L.data()),
                  "this row has " + std::to_string(Fields.size()) +
                      " fields, the header " + std::to_string(Header.size()));
      continue; // the other rows are still checked; the run fails at the end
    }
    Row R;
    R.Line = static_cast<unsigned>(LI + 1);
    for (size_t I = 0; I < Fields.size(); ++I)
      R.Fields[Header[I]] = {Fields[I].first,
                             SMLoc::getFromPointer(L.data() + Fields[I].second)};
    Rows.push_back(std::move(R));
  }
  if (Header.empty()) {
    Diags.error(SMLoc::getFromPointer(Base), "the table is empty: no header line");
    return false;
  }
  return Ok;
}

const char *const ZooGroups[] = {"dense", "moe", "edge"};

/// The zoo file of model \p Name: models/<group>/<name>.arch. Zoo names are
/// lower case, so 'Llama-3.1-8B' finds llama-3.1-8b.
std::string zooFile(StringRef Name) {
  if (Name.empty() || Name.find_first_of("/\\") != StringRef::npos)
    return "";
  for (const std::string &N : {Name.str(), Name.lower()})
    for (const char *G : ZooGroups) {
      std::string P = dataPath(("models/" + Twine(G) + "/" + N + ".arch").str());
      if (sys::fs::is_regular_file(P))
        return P;
    }
  return "";
}

/// Every model name in the zoo, sorted.
std::vector<std::string> zooNames() {
  std::vector<std::string> Names;
  for (const char *G : ZooGroups)
    for (std::string &N : dataFileStems(("models/" + Twine(G)).str(), ".arch"))
      Names.push_back(std::move(N));
  llvm::sort(Names);
  return Names;
}

/// The first error a DiagnosticEngine wrote, without its location.
std::string firstError(const std::string &Log) {
  size_t P = Log.find("error: ");
  if (P == std::string::npos)
    return Log.empty() ? "unknown error" : Log.substr(0, Log.find('\n'));
  std::string S = Log.substr(P + 7);
  return S.substr(0, S.find('\n'));
}

class RowPredictor {
public:
  /// \p Args: the options each row's command carries (profile, catalog,
  /// import directories).
  RowPredictor(const cost::Profile &Prof, SemaOptions Opts, std::vector<std::string> Args)
      : Prof(Prof), Opts(Opts), CommonArgs(std::move(Args)) {}

  Outcome predict(const Row &R, DiagnosticEngine &Diags);

private:
  const cost::Profile &Prof;
  SemaOptions Opts;
  std::vector<std::string> CommonArgs;
  StringMap<std::unique_ptr<Program>> Programs; // by model, loaded once
  std::vector<std::unique_ptr<SourceMgr>> Sources;

  bool integer(const Row &R, StringRef K, int64_t &V, DiagnosticEngine &Diags,
               bool AllowEmpty = false, int64_t Default = 0);
  /// A positive number up to 2^34, or empty (0).
  bool fraction(const Row &R, StringRef K, double &V, DiagnosticEngine &Diags);
  const Program *load(StringRef Model, std::string &Why);
  std::string predictRow(const Row &R, const Program &P, const ModelSpec &M, Outcome &O,
                         DiagnosticEngine &Diags);
};

bool RowPredictor::integer(const Row &R, StringRef K, int64_t &V, DiagnosticEngine &Diags,
                           bool AllowEmpty, int64_t Default) {
  std::string S = R.get(K);
  if (S.empty() && AllowEmpty) {
    V = Default;
    return true;
  }
  if (StringRef(S).getAsInteger(10, V) || V < 1 || V > (int64_t(1) << 34)) {
    Diags.error(R.loc(K), "'" + K + "' must be an integer from 1 to 2^34, not '" + S + "'");
    return false;
  }
  return true;
}

bool RowPredictor::fraction(const Row &R, StringRef K, double &V, DiagnosticEngine &Diags) {
  std::string S = R.get(K);
  V = 0;
  if (S.empty())
    return true;
  if (!to_float(S, V) || !(V > 0) || V > double(int64_t(1) << 34)) {
    Diags.error(R.loc(K), "'" + K + "' must be a number above 0 and up to 2^34, not '" + S + "'");
    return false;
  }
  return true;
}

const Program *RowPredictor::load(StringRef Model, std::string &Why) {
  auto It = Programs.find(Model);
  if (It != Programs.end())
    return It->second.get();
  std::string File = zooFile(Model);
  if (File.empty()) {
    std::vector<std::string> Names = zooNames();
    std::vector<StringRef> Refs(Names.begin(), Names.end());
    Why = "model '" + Model.str() + "' is not in the zoo (models/{dense,moe,edge})" +
          didYouMean(Model.lower(), Refs);
    return nullptr;
  }
  Sources.push_back(std::make_unique<SourceMgr>());
  std::string Log;
  raw_string_ostream OS(Log);
  DiagnosticEngine D(*Sources.back(), OS);
  D.setSuppressWarnings(true);
  std::unique_ptr<Program> P = analyze({File}, D, Opts);
  if (!P || P->InputModels.size() != 1) {
    Why = "cannot load " + File + ": " + firstError(OS.str());
    return nullptr;
  }
  return (Programs[Model] = std::move(P)).get();
}

Outcome RowPredictor::predict(const Row &R, DiagnosticEngine &Diags) {
  Outcome O;
  O.Id = R.get("id");
  O.Model = R.get("model");
  O.Target = R.get("target");
  O.Mode = R.get("mode");
  O.Metric = R.get("metric");
  if (!to_float(R.get("value"), O.Measured) || !(O.Measured > 0)) {
    Diags.error(R.loc("value"), "'value' must be a positive number, not '" +
                                    R.get("value") + "'");
    O.Reason = "malformed value";
    return O;
  }
  const Program *P = load(O.Model, O.Reason);
  if (!P)
    return O;
  O.Reason = predictRow(R, *P, *P->InputModels.front(), O, Diags);
  O.Modeled = O.Reason.empty();
  return O;
}

/// Precision as serving frameworks apply it: the weights and GEMMs in the
/// row's dtype, or, where that is the routed experts' dtype of a checkpoint
/// that mixes two (gpt-oss: bf16 attention, mxfp4 experts), the checkpoint
/// as released; an fp8 (or narrower) checkpoint also quantizes the KV cache
/// of GQA/MHA attention to fp8 (TensorRT-LLM's and vLLM's FP8 checkpoints),
/// while MLA's latent cache stays bf16 (FlashMLA reads bf16); MoE dispatch
/// carries the expert GEMMs' fp8 inputs, combine returns bf16 (DeepEP).
struct ServingPrecision {
  std::string Weights, Kv = "bf16", Dispatch = "bf16", Combine = "bf16";
};

std::optional<ServingPrecision> servingPrecision(StringRef Spelling, const ModelSpec &M,
                                                 const std::string &KvColumn) {
  std::optional<DType> D = parseDType(Spelling);
  if (!D)
    return std::nullopt;
  ServingPrecision SP;
  SP.Weights = Spelling.str();
  if (M.ExpertWeightType != M.WeightType && *D == M.ExpertWeightType)
    SP.Weights.clear(); // the model's own dtypes
  bool Narrow = bytesPerElement(*D) <= 1.0;
  bool Mla = false;
  for (const LayerSpec &L : M.LayerKinds)
    Mla |= L.Attn.isMLA();
  if (Narrow && !Mla)
    SP.Kv = "fp8";
  if (!KvColumn.empty())
    SP.Kv = KvColumn;
  if (Narrow)
    SP.Dispatch = "fp8";
  return SP;
}

std::string RowPredictor::predictRow(const Row &R, const Program &P, const ModelSpec &M,
                                     Outcome &O, DiagnosticEngine &Diags) {
  int64_t TP, EP, DP, PP, Isl, Osl, Batch = 0;
  // A decode row's batch is requests per GPU, a fraction where a replica of
  // several GPUs serves fewer requests than it has GPUs (one request on
  // eight tensor-parallel GPUs: 0.125).
  double DecodeBatch = 0;
  bool Decode = O.Mode == "decode";
  if (!integer(R, "tp", TP, Diags) || !integer(R, "ep", EP, Diags) ||
      !integer(R, "dp", DP, Diags) || !integer(R, "pp", PP, Diags) ||
      !integer(R, "isl", Isl, Diags) || !integer(R, "osl", Osl, Diags, true, 1) ||
      (Decode ? !fraction(R, "batch", DecodeBatch, Diags)
              : !integer(R, "batch", Batch, Diags, true, 0)))
    return "malformed field";

  // The target.
  std::string Log;
  raw_string_ostream OS(Log);
  SourceMgr SM;
  DiagnosticEngine D(SM, OS);
  D.setSuppressWarnings(true);
  Target T;
  if (!resolveTarget(P, O.Target, T, D))
    return firstError(OS.str());

  // The plan: DeepSeek-style expert placement where EP does not divide the
  // experts (redundant experts fill every GPU equally); where attention
  // replicas share the experts (wide EP), two-batch overlap and the load
  // imbalance EPLB leaves (the profile's serving.eplb_expert_imbalance),
  // unless the row's optional columns say otherwise.
  PlanSpec Plan;
  Plan.Name = "row-" + O.Id;
  PhasePlan PhP;
  PhP.TP = TP;
  PhP.EP = EP;
  PhP.DP = DP;
  PhP.PP = PP;
  if (EP > 1)
    for (const LayerSpec &L : M.LayerKinds)
      if (L.Moe && L.Moe->Experts % EP) {
        int64_t Slots = (L.Moe->Experts + EP - 1) / EP * EP;
        PhP.RedundantExperts = std::max(PhP.RedundantExperts, Slots - L.Moe->Experts);
      }
  // Pipeline stages: one micro-batch per stage, as serving frameworks
  // schedule them (TensorRT-LLM's PyExecutor, SGLang, vLLM's virtual
  // engines).
  if (PP > 1)
    PhP.MicroBatches = PP;
  if (PhP.attentionDP() && EP > 1) {
    PhP.Overlap = OverlapMode::TwoBatch;
    PhP.ExpertImbalance = Prof.Serving.EplbExpertImbalance;
  }
  // An optional column states the measured run's expert load imbalance.
  if (std::string S = R.get("expert_imbalance"); !S.empty()) {
    double D = 0;
    if (StringRef(S).getAsDouble(D) || !(D >= 1 && D <= MaxExpertImbalance)) {
      Diags.error(R.loc("expert_imbalance"),
                  "'expert_imbalance' must be a number from 1 to " +
                      formatShortest(MaxExpertImbalance) +
                      " (the busiest GPU's routed tokens over the mean), not '" + S + "'");
      return "malformed field";
    }
    PhP.ExpertImbalance = D;
  }
  // An optional column states how the measured run overlapped communication
  // (the plan key `overlap`): TensorRT-LLM's attention-DP ("DEP") runs have
  // no two-batch overlap.
  if (std::string S = R.get("overlap"); !S.empty()) {
    std::optional<OverlapMode> M = parseOverlap(S);
    if (!M) {
      Diags.error(R.loc("overlap"), "'overlap' must be one of " +
                                        joinAlternatives(overlapSpellings()) +
                                        " (the plan key), not '" + S + "'");
      return "malformed field";
    }
    PhP.Overlap = *M;
  }
  Plan.Prefill = Plan.Decode = PhP;
  O.Plan = PhP.str();

  auto Prec = servingPrecision(R.get("precision"), M, R.get("kv_dtype"));
  if (!Prec)
    return "unknown precision '" + R.get("precision") + "'; expected " +
           joinAlternatives(dtypeSpellings());

  O.Weights = Prec->Weights;
  O.Kv = Prec->Kv;
  O.Dispatch = Prec->Dispatch;

  // The command whose report holds the prediction: the row's model, target,
  // plan and dtypes, then its mode's options (added below).
  std::vector<std::string> Args = {"ssc", zooFile(O.Model), "--target", O.Target, "--plan", O.Plan};
  if (!Prec->Weights.empty())
    Args.insert(Args.end(), {"--weight-dtype", Prec->Weights});
  Args.insert(Args.end(), {"--kv-dtype", Prec->Kv, "--dispatch-dtype", Prec->Dispatch});
  if (Prec->Combine != "bf16")
    Args.insert(Args.end(), {"--combine-dtype", Prec->Combine});
  Args.insert(Args.end(), CommonArgs.begin(), CommonArgs.end());
  Args.insert(Args.end(), {"--isl", std::to_string(Isl), "--osl", std::to_string(Osl)});
  auto SetCommand = [&](const std::vector<std::string> &Mode) {
    Args.insert(Args.end(), Mode.begin(), Mode.end());
    Args.push_back("--emit=report");
    O.Command = shellCommand(Args);
  };

  driver::CompileOptions CO;
  CO.Isl = Isl;
  CO.Osl = Osl;
  CO.WeightDType = Prec->Weights;
  CO.KvDType = Prec->Kv;
  CO.DispatchDType = Prec->Dispatch;
  CO.CombineDType = Prec->Combine;
  CO.PrintAfter = false;

  StringRef Mode = O.Mode, Metric = O.Metric;
  int64_t PerReplica = TP * PP;
  std::vector<ir::Module> Mods;
  driver::CompileInputs In{P, *P.InputModels.front(), Plan, T, D};
  if (Mode == "offline") {
    if (Metric != "output_tokens_per_s_total" && Metric != "output_tokens_per_s_per_gpu")
      return "metric '" + Metric.str() +
             "' is not an offline metric (output_tokens_per_s_total, "
             "output_tokens_per_s_per_gpu)";
    CO.Batch = 1;
    CO.KvLen = Isl + Osl / 2;
    // batch, when given: the run's scheduler cap (sequences in flight per
    // replica, TensorRT-LLM's max_batch_size), as --max-batch.
    // requests, when given: the benchmark's finite run (--requests), whose
    // rate includes the batch filling and draining.
    int64_t Requests = 0;
    if (!integer(R, "requests", Requests, Diags, true, 0))
      return "malformed field";
    std::vector<std::string> ModeArgs = {"--mode=offline"};
    if (Batch)
      ModeArgs.insert(ModeArgs.end(), {"--max-batch", std::to_string(Batch)});
    if (Requests)
      ModeArgs.insert(ModeArgs.end(), {"--requests", std::to_string(Requests)});
    SetCommand(ModeArgs);
    if (!driver::compileModules(In, CO, Mods))
      return firstError(OS.str());
    report::OfflineOptions OO;
    OO.Isl = Isl;
    OO.Osl = Osl;
    OO.MaxBatch = static_cast<double>(Batch);
    OO.Requests = Requests;
    report::OfflineResult F =
        report::evaluateOffline(Mods[0], Mods[1], Prof, *T.Gpu, OO);
    if (!F.Fits)
      return "not one sequence fits in memory beside the weights";
    O.Predicted = Metric == "output_tokens_per_s_total" ? F.OutputTokensPerSec
                                                        : F.OutputTokensPerSecPerGpu;
    if (F.Run)
      O.Predicted = Metric == "output_tokens_per_s_total" ? F.Run->OutputTokensPerSec
                                                          : F.Run->OutputTokensPerSecPerGpu;
    O.Band = F.Uncertainty;
    return "";
  }
  if (!R.get("requests").empty()) {
    Diags.error(R.loc("requests"), "'requests' states the finite run of an offline row; "
                                   "this row's mode is '" + Mode.str() + "'");
    return "malformed field";
  }
  if (Mode == "prefill") {
    if (Metric != "prefill_tokens_per_s_per_gpu" && Metric != "ttft_ms")
      return "metric '" + Metric.str() +
             "' is not a prefill metric (prefill_tokens_per_s_per_gpu, ttft_ms)";
    // batch: prompt tokens per GPU in one prefill step.
    int64_t Tokens = (Batch ? Batch : Isl) * PerReplica;
    if (Tokens % Isl)
      return "the batch of " + std::to_string(Batch) + " tokens per GPU is not a whole "
             "number of " + std::to_string(Isl) + "-token prompts per replica";
    CO.Decode = false;
    CO.Batch = Tokens / Isl;
  } else if (Mode == "decode") {
    if (Metric != "decode_tokens_per_s_per_gpu" && Metric != "tpot_ms" &&
        Metric != "tokens_per_s_per_user")
      return "metric '" + Metric.str() +
             "' is not a decode metric (decode_tokens_per_s_per_gpu, tpot_ms, "
             "tokens_per_s_per_user)";
    // batch: requests per GPU; the KV length is the prompt's.
    double Sequences = (DecodeBatch > 0 ? DecodeBatch : 1) * static_cast<double>(PerReplica);
    if (std::abs(Sequences - std::round(Sequences)) > 1e-6 * Sequences)
      return "the batch of " + R.get("batch") + " requests per GPU is not a whole number "
             "of sequences per replica of " + std::to_string(PerReplica) + " GPUs";
    CO.Prefill = false;
    CO.Batch = static_cast<int64_t>(std::round(Sequences));
    CO.KvLen = Isl;
  } else {
    return "unknown mode '" + Mode.str() + "' (offline, prefill or decode)";
  }
  if (Mode == "prefill")
    SetCommand({"--phase=prefill", "--batch", std::to_string(CO.Batch)});
  else
    SetCommand({"--phase=decode", "--batch", std::to_string(CO.Batch), "--kv-len",
                std::to_string(CO.KvLen)});
  if (!driver::compileModules(In, CO, Mods))
    return firstError(OS.str());
  const ir::Module &Mod = Mods.front();
  report::WorkloadOptions Load;
  Load.Batch = CO.Batch;
  Load.Isl = Isl;
  Load.Osl = Osl;
  Load.KvLen = CO.KvLen;
  report::Report Rep = report::buildReport(Mode == "prefill" ? &Mod : nullptr,
                                           Mode == "decode" ? &Mod : nullptr, Prof,
                                           *T.Gpu, Load);
  if (!Rep.Fits)
    return "the batch does not fit in memory (" +
           formatv("{0:f1}", Rep.Memory.usedBytes(double(CO.Batch)) / 1e9).str() +
           " GB of " + formatv("{0:f1}", Rep.Memory.UsableBytes / 1e9).str() +
           " GB usable per GPU)";
  if (Metric == "prefill_tokens_per_s_per_gpu")
    O.Predicted = Rep.PrefillTokensPerSecPerGpu;
  else if (Metric == "ttft_ms")
    O.Predicted = Rep.TtftMs;
  else if (Metric == "decode_tokens_per_s_per_gpu")
    O.Predicted = Rep.DecodeTokensPerSecPerGpu;
  else if (Metric == "tpot_ms")
    O.Predicted = Rep.TpotMs;
  else
    O.Predicted = Rep.TokensPerSecPerUser;
  O.Band = Mode == "prefill" ? Rep.PrefillBand : Rep.DecodeBand;
  return "";
}

std::string pct(double V) { return formatv("{0:f1}", V).str(); }

/// A measured value as the table spelled it: no exponent, no trailing zeros.
std::string num(double V) {
  std::string S = formatv("{0:f6}", V).str();
  S.erase(S.find_last_not_of('0') + 1);
  if (S.back() == '.')
    S.pop_back();
  return S;
}

} // namespace

int ssc::driver::runValidate() {
  SourceMgr SM;
  DiagnosticEngine Diags(SM);
  configureDiagnostics(Diags);
  if (TablePath.empty()) {
    Diags.error("no input file; usage: ssc validate measurements.csv [--profile NAME]");
    return 1;
  }
  std::optional<cost::Profile> Prof = cost::loadProfile(ProfileName, Diags);
  if (!Prof)
    return 1;
  unsigned Buf = loadFileBuffer(TablePath, Diags);
  if (!Buf)
    return 1;
  std::vector<Row> Rows;
  if (!readTable(Buf, Diags, Rows))
    return 1;

  SemaOptions Opts = semaOptions();
  if (!Prof->GpuTable.empty())
    Opts.CatalogPath = dataPath(Prof->GpuTable);
  // What every row's command carries besides the row.
  std::vector<std::string> Common =
      driver::sharedCommandArgs(ProfileName, !Prof->GpuTable.empty(), Opts);
  RowPredictor Pred(*Prof, Opts, std::move(Common));
  std::vector<Outcome> Out;
  for (const Row &R : Rows)
    Out.push_back(Pred.predict(R, Diags));
  if (Diags.hasErrors())
    return 1;

  std::vector<double> Abs;
  for (const Outcome &O : Out)
    if (O.Modeled)
      Abs.push_back(std::fabs(O.Predicted - O.Measured) / O.Measured * 100.0);
  std::vector<double> Sorted = Abs;
  std::sort(Sorted.begin(), Sorted.end());
  double Median = 0, Max = 0;
  if (!Sorted.empty()) {
    size_t N = Sorted.size();
    Median = N % 2 ? Sorted[N / 2] : (Sorted[N / 2 - 1] + Sorted[N / 2]) / 2;
    Max = Sorted.back();
  }
  size_t NotModeled = Out.size() - Abs.size();

  auto Err = [](const Outcome &O) { return (O.Predicted - O.Measured) / O.Measured * 100.0; };
  if (Format == TableFormat::JSON) {
    json::Array A;
    for (const Outcome &O : Out) {
      json::Object J{{"id", O.Id},       {"model", O.Model},   {"target", O.Target},
                     {"mode", O.Mode},   {"metric", O.Metric}, {"measured", O.Measured},
                     {"modeled", O.Modeled}};
      if (O.Modeled) {
        J["predicted"] = O.Predicted;
        J["error_pct"] = Err(O);
        J["band_pct"] = O.Band.Pct;
        J["band_scale"] = O.Band.Scale;
        J["regime"] = O.Band.Regime;
        json::Array Flags;
        for (const std::string &F : O.Band.Outside)
          Flags.push_back(F);
        J["outside_calibration"] = std::move(Flags);
        J["plan"] = O.Plan;
        J["command"] = O.Command;
        J["dtypes"] = json::Object{
            {"weights", O.Weights.empty() ? std::string("as released") : O.Weights},
            {"kv", O.Kv},
            {"dispatch", O.Dispatch}};
      } else {
        J["reason"] = O.Reason;
        if (!O.Command.empty())
          J["command"] = O.Command;
      }
      A.push_back(std::move(J));
    }
    outs() << formatv("{0:2}", json::Value(json::Object{
                                   {"profile", Prof->Name},
                                   {"rows", std::move(A)},
                                   {"median_abs_error_pct", Median},
                                   {"max_abs_error_pct", Max},
                                   {"not_modeled", static_cast<int64_t>(NotModeled)}}))
           << "\n";
    return 0;
  }
  if (Format == TableFormat::CSV) {
    outs() << "id,model,target,mode,metric,predicted,measured,error_pct,band_pct,regime,"
              "outside_calibration,reason,command\n";
    // Text fields are quoted where they hold commas (RFC 4180): reasons and
    // calibration gaps do ("measured: 64, 128").
    for (const Outcome &O : Out) {
      outs() << csvField(O.Id) << ',' << csvField(O.Model) << ',' << csvField(O.Target) << ','
             << csvField(O.Mode) << ',' << csvField(O.Metric) << ',';
      if (O.Modeled)
        outs() << formatv("{0:f3}", O.Predicted) << ',' << num(O.Measured) << ','
               << formatv("{0:f2}", Err(O)) << ',' << pct(O.Band.Pct) << ','
               << csvField(O.Band.Regime) << ',' << csvField(join(O.Band.Outside, ";")) << ",,"
               << csvField(O.Command) << "\n";
      else
        outs() << ',' << num(O.Measured) << ",,,,," << csvField(O.Reason) << ','
               << csvField(O.Command) << "\n";
    }
    return 0;
  }
  // The text columns are as wide as their longest entry, and at least as
  // wide as the zoo's usual names.
  unsigned WId = 5, WModel = 16, WTarget = 10, WMode = 8, WMetric = 30;
  for (const Outcome &O : Out) {
    WId = std::max<unsigned>(WId, O.Id.size());
    WModel = std::max<unsigned>(WModel, O.Model.size());
    WTarget = std::max<unsigned>(WTarget, O.Target.size());
    WMode = std::max<unsigned>(WMode, O.Mode.size());
    WMetric = std::max<unsigned>(WMetric, O.Metric.size());
  }
  auto Key = [&](StringRef Id, StringRef Model, StringRef Target, StringRef Mode,
                 StringRef Metric) {
    outs() << left_justify(Id, WId) << ' ' << left_justify(Model, WModel) << ' '
           << left_justify(Target, WTarget) << ' ' << left_justify(Mode, WMode) << ' '
           << left_justify(Metric, WMetric) << ' ';
  };
  Key("id", "model", "target", "mode", "metric");
  outs() << formatv("{0,12} {1,12} {2,8}  {3}\n", "predicted", "measured", "error%", "band");
  for (const Outcome &O : Out) {
    Key(O.Id, O.Model, O.Target, O.Mode, O.Metric);
    if (!O.Modeled) {
      outs() << formatv("{0,12} {1,12}", "-", O.Measured) << "  not modeled: " << O.Reason
             << "\n";
      continue;
    }
    outs() << formatv("{0,12:f1} {1,12} {2,8}  +-{3}% {4}", O.Predicted, O.Measured,
                      (Err(O) >= 0 ? "+" : "") + pct(Err(O)), pct(O.Band.Pct),
                      O.Band.Regime);
    if (!O.Band.Outside.empty())
      outs() << " (outside calibration: " << join(O.Band.Outside, "; ") << ")";
    outs() << "\n";
  }
  outs() << "median_abs_error_pct=" << pct(Median) << "\n";
  outs() << "max_abs_error_pct=" << pct(Max) << "\n";
  if (NotModeled)
    outs() << "not_modeled=" << NotModeled << "\n";
  return 0;
}

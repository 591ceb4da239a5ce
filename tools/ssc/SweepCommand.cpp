//===- SweepCommand.cpp - ssc sweep -----------------------------------------===//
//
//   ssc sweep model.arch --gpu h100,h200 --gpus 8,16 --tp 1..8*2
//       --batch 1..256*2 [--sweep sweep.json] [--sla tpot<=50ms] [--pareto]
//
// Costs every point of a design space (lib/Sweep, docs/sweep.md) and prints
// one row per point, as CSV or JSON Lines.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "ssc/Cost/Profile.h"
#include "ssc/Support/CommandLine.h"
#include "ssc/Support/DataPaths.h"
#include "ssc/Sweep/ModelVariant.h"
#include "ssc/Sweep/Runner.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ToolOutputFile.h"

#include <memory>

using namespace llvm;
using namespace ssc;
using namespace ssc::sweep;

cl::SubCommand ssc::driver::SweepCmd(
    "sweep", "Cost every point of a design space: targets, plans, workloads and "
             "model hyperparameters (see docs/sweep.md)");

namespace {

cl::OptionCategory &Cat = driver::category();

cl::opt<std::string> InputFile(cl::Positional, cl::desc("<model .arch file>"),
                               cl::sub(driver::SweepCmd), cl::cat(Cat));
cl::opt<std::string> SweepFile("sweep",
                               cl::desc("Sweep file (JSON) with the axes; flags "
                                        "replace its axes in every grid"),
                               cl::value_desc("file.json"), cl::sub(driver::SweepCmd),
                               cl::cat(Cat));
cl::opt<std::string> ModelName("model", cl::desc("Model to use when the input defines several"),
                               cl::value_desc("name"), cl::sub(driver::SweepCmd), cl::cat(Cat));
cl::opt<std::string> PlanOpt("plan",
                             cl::desc("Base plan (a .json or .arch file, a plan's name, "
                                      "or its keys, as in 'tp=8 ep=8'); the plan axes "
                                      "change it"),
                             cl::value_desc("plan"), cl::sub(driver::SweepCmd), cl::cat(Cat));
cl::opt<std::string> ProfileOpt("profile",
                                cl::desc("Cost profile (default: 'default', or the "
                                         "sweep file's)"),
                                cl::value_desc("name"), cl::sub(driver::SweepCmd),
                                cl::cat(Cat));
EnumOpt<PhaseChoice>
    PhaseOpt("phase", cl::desc("Which phases to cost (default both)"),
             cl::values(clEnumValN(PhaseChoice::Prefill, "prefill", "the prompt"),
                        clEnumValN(PhaseChoice::Decode, "decode", "one decode step"),
                        clEnumValN(PhaseChoice::Both, "both", "prefill, then decode")),
             cl::sub(driver::SweepCmd), cl::cat(Cat));
enum class ModeChoice { Phases, Offline };
EnumOpt<ModeChoice>
    ModeOpt("mode", cl::desc("Serving mode of each point"),
            cl::values(clEnumValN(ModeChoice::Phases, "phases",
                                  "the phases --phase selects, at the swept batches (default)"),
                       clEnumValN(ModeChoice::Offline, "offline",
                                  "the steady state under unlimited load at each isl and osl, "
                                  "as `ssc --mode=offline`: it chooses the batch")),
            cl::sub(driver::SweepCmd), cl::cat(Cat));
EnumOpt<ir::MlaForm> MlaOpt(
    "mla", cl::desc("Form of MLA attention"), cl::init(ir::MlaForm::Auto),
    cl::values(clEnumValN(ir::MlaForm::Auto, "auto", "absorbed for decode, plain for prefill"),
               clEnumValN(ir::MlaForm::Plain, "plain", "decompress K and V, then attention"),
               clEnumValN(ir::MlaForm::Absorbed, "absorbed", "attend over the latent cache")),
    cl::sub(driver::SweepCmd), cl::cat(Cat));
BoolOpt FuseOpt("fuse-projections",
                cl::desc("Fuse q/k/v and gate/up into one GEMM each (default true)"),
                cl::init(true), cl::sub(driver::SweepCmd), cl::cat(Cat));
BoolOpt MtpOpt("mtp", cl::desc("Run the model's multi-token-prediction layers"),
               cl::sub(driver::SweepCmd), cl::cat(Cat));

cl::list<std::string> ParamOpt("param",
                               cl::desc("Sweep a profile parameter, as in "
                                        "--param attention_tp=1,4,8"),
                               cl::value_desc("name=values"), cl::sub(driver::SweepCmd),
                               cl::cat(Cat));

enum class FormatChoice { CSV, JSON };
EnumOpt<FormatChoice>
    FormatOpt("format", cl::desc("Output format"), cl::init(FormatChoice::CSV),
              cl::values(clEnumValN(FormatChoice::CSV, "csv", "comma-separated rows (default)"),
                         clEnumValN(FormatChoice::JSON, "json", "one JSON object per line")),
              cl::sub(driver::SweepCmd), cl::cat(Cat));
cl::opt<std::string> OutputPath("o", cl::desc("Write the rows to <file> (default: "
                                              "standard output)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::sub(driver::SweepCmd), cl::cat(Cat));
cl::opt<std::string> SlaOpt("sla",
                            cl::desc("Keep points within these bounds, as in "
                                     "\"tpot<=50ms,ttft<=2s,tps_user>=20\""),
                            cl::value_desc("bounds"), cl::sub(driver::SweepCmd), cl::cat(Cat));
BoolOpt ParetoOpt("pareto",
                  cl::desc("Print the Pareto frontier of tokens/s per GPU "
                           "against tokens/s per user"),
                  cl::sub(driver::SweepCmd), cl::cat(Cat));
BoolOpt BestOpt("best", cl::desc("Print the best point (tokens/s per GPU) per target"),
                cl::sub(driver::SweepCmd), cl::cat(Cat));
BoolOpt CommandOpt("command",
                   cl::desc("Add a column with each point's ssc command line "
                            "(--emit=report with the point's target, plan keys, "
                            "dtypes and workload)"),
                   cl::sub(driver::SweepCmd), cl::cat(Cat));
BoolOpt KeepInvalid("keep-invalid",
                    cl::desc("Print a row for every point, with its status "
                             "and the reason it is not valid"),
                    cl::sub(driver::SweepCmd), cl::cat(Cat));
cl::opt<std::string> ShardOpt("shard",
                              cl::desc("Run part i of n (1-based); the parts' outputs "
                                       "concatenate"),
                              cl::value_desc("i/n"), cl::sub(driver::SweepCmd), cl::cat(Cat));
BoolOpt HeaderOpt("header",
                  cl::desc("Print the CSV header (default: on, except in "
                           "shards after the first)"),
                  cl::sub(driver::SweepCmd), cl::cat(Cat));
NumberOpt<unsigned> JobsOpt("jobs",
                            cl::desc("Threads (default: 1 for small sweeps, else every "
                                     "core)"),
                            cl::init(0), cl::sub(driver::SweepCmd), cl::cat(Cat));
cl::alias JobsAlias("j", cl::desc("Alias for --jobs"), cl::aliasopt(JobsOpt));
// `ssc FILE --target h100x16` names one target; a sweep crosses GPU kinds
// and counts instead. Accepted only to say so.
cl::opt<std::string> TargetOpt("target", cl::Hidden, cl::sub(driver::SweepCmd), cl::cat(Cat));
NumberOpt<double> ProgressAfter("progress-after",
                                cl::desc("Show progress on stderr once the sweep has run "
                                         "this many seconds (default 1)"),
                                cl::init(1.0), cl::sub(driver::SweepCmd), cl::cat(Cat));
BoolOpt TimeOpt("time", cl::desc("Print the time spent lowering and evaluating"),
                cl::sub(driver::SweepCmd), cl::cat(Cat));
BoolOpt DryRun("dry-run", cl::desc("Print the number of points and stop"),
               cl::sub(driver::SweepCmd), cl::cat(Cat));

/// One --AXIS=VALUES flag per axis.
struct AxisFlags {
  std::vector<std::unique_ptr<cl::opt<std::string>>> Opts;
  AxisFlags() {
    static const char *Descs[NumAxes] = {
        "Main-stack layers (resizes the stack's last repetition)",
        "Routed experts of every MoE layer",
        "Experts each token is routed to",
        "KV heads of every non-MLA attention",
        "GPU kinds, as in h100,h200 (required)",
        "GPUs per target (default: the plan's count)",
        "Tensor-parallel degrees",
        "Pipeline stages",
        "Data-parallel replicas (default: gpus / (tp*sp*pp))",
        "Expert-parallel degrees, or 'all' (every GPU of a stage)",
        "Sequence (context) parallel degrees",
        "Tensor split of each expert",
        "Pipeline micro-batches",
        "Communication overlap: none, comm, tbo",
        "Redundant expert slots, or 'fill' (ceil(experts/ep)*ep - experts)",
        "Expert load imbalance: the busiest GPU's routed tokens over the mean (1 to 64)",
        "Weight and GEMM dtypes",
        "KV-cache dtypes",
        "MoE dispatch dtypes",
        "MoE combine dtypes",
        "Attention math dtypes: the QK and PV products",
        "Prompt lengths (default 1024)",
        "Output lengths (default 256)",
        "Decode KV lengths: tokens, isl, isl+N, isl-N or default (isl + osl/2)",
        "Prompt tokens already cached (default 0)",
        "Sequences per data-parallel replica (default 1)",
        "--mode=offline: most sequences in flight per replica (default: the profile's "
        "scheduler cap)",
        "--mode=offline: also a finite run of this many requests (its fill and drain "
        "included)",
    };
    for (unsigned I = 0; I < NumAxes; ++I)
      Opts.push_back(std::make_unique<cl::opt<std::string>>(
          axisFlag(static_cast<Axis>(I)), cl::desc(Descs[I]), cl::value_desc("values"),
          cl::sub(driver::SweepCmd), cl::cat(Cat)));
  }
};
AxisFlags Flags;

/// Parses a flag's value; errors point into "--flag=value" shown as the
/// command line.
template <typename Fn>
bool parseFlag(DiagnosticEngine &Diags, StringRef Flag, StringRef Value, Fn Parse,
               SMLoc &ValueLoc, const char *&Start) {
  Start = driver::addFlagBuffer(Diags, Flag, Value);
  ValueLoc = SMLoc::getFromPointer(Start);
  ValueError Err;
  if (Parse(Err))
    return true;
  Diags.error(SMLoc::getFromPointer(Start + Err.Offset), Err.Message);
  return false;
}

/// The axes given on the command line, as a grid to lay over the file's.
bool commandLineGrid(DiagnosticEngine &Diags, Grid &G) {
  bool Ok = true;
  for (unsigned I = 0; I < NumAxes; ++I) {
    cl::opt<std::string> &O = *Flags.Opts[I];
    if (!O.getNumOccurrences())
      continue;
    Axis A = static_cast<Axis>(I);
    AxisValues V;
    SMLoc Loc;
    const char *Start = nullptr;
    if (!parseFlag(
            Diags, axisFlag(A), O,
            [&](ValueError &Err) { return parseAxisValues(A, O, V, Err); }, Loc, Start)) {
      Ok = false;
      continue;
    }
    V.Loc = Loc;
    size_t Offset = 0;
    for (size_t K = 0; K < V.Names.size(); ++K) {
      Offset = StringRef(O).find(V.Names[K], Offset);
      V.NameLocs[K] = SMLoc::getFromPointer(Start + Offset);
      Offset += V.Names[K].size();
    }
    G[A] = std::move(V);
  }
  for (const std::string &P : ParamOpt) {
    ParamAxis PA;
    SMLoc Loc;
    const char *Start = nullptr;
    if (!parseFlag(
            Diags, "param", P, [&](ValueError &Err) { return parseParamAxis(P, PA, Err); },
            Loc, Start)) {
      Ok = false;
      continue;
    }
    PA.Loc = Loc;
    G.override([&] {
      Grid One;
      One.Params.push_back(PA);
      return One;
    }());
  }
  return Ok;
}

/// Checks what can be checked before the first point: GPU names, axes that
/// do not apply to the model, parameters the profile lacks.
bool checkSpec(const SweepSpec &Spec, const Program &P, const ModelSpec &M,
               const cost::Profile &Prof, SweepContext &Ctx, DiagnosticEngine &Diags) {
  bool Ok = true;
  for (const Grid &G : Spec.Grids) {
    std::vector<const GpuSpec *> Gpus;
    if (!G.given(Axis::Gpu)) {
      Diags.error("the sweep needs GPUs: give --gpu (as in --gpu h100,h200) or "
                  "\"gpu\" in the sweep file");
      return false;
    }
    const AxisValues &V = G[Axis::Gpu];
    for (size_t I = 0; I < V.Names.size(); ++I) {
      const GpuSpec *Gpu = P.findGpu(V.Names[I]);
      if (!Gpu) {
        Diags.error(V.NameLocs[I], unknownGpuMessage(P, V.Names[I]));
        Ok = false;
      }
      Gpus.push_back(Gpu);
    }
    Ctx.Gpus.push_back(std::move(Gpus));
    for (Axis A : {Axis::Layers, Axis::Experts, Axis::TopK, Axis::KvHeads}) {
      if (!G.given(A))
        continue;
      std::string Why = inapplicable(M, axisKey(A));
      if (!Why.empty()) {
        Diags.error(G[A].Loc, "'" + axisKey(A) + "' cannot be swept: " + Why);
        Ok = false;
      }
    }
    for (const ParamAxis &PA : G.Params) {
      if (!Prof.Params.count(PA.Name)) {
        Diags.error(PA.Loc, "profile '" + Prof.Name + "' has no parameter '" + PA.Name + "'" +
                                Prof.undeclaredParamHint(PA.Name));
        Ok = false;
        continue;
      }
      for (double V : PA.Values) {
        std::string Range = cost::Profile::paramRangeError(V);
        if (!Range.empty()) {
          Diags.error(PA.Loc, "profile parameter '" + PA.Name + "' " + Range);
          Ok = false;
          break;
        }
      }
    }
  }
  return Ok;
}

/// The offline mode chooses the batch and the KV length and costs both
/// phases; its counts need it (as `ssc --mode=offline`). A setting at odds
/// with the mode is reported where it was given: at the sweep file's key, or
/// as the flag when the command line gave it.
bool checkMode(const SweepSpec &Spec, DiagnosticEngine &Diags) {
  auto FromFlag = [](Axis A) {
    return Flags.Opts[static_cast<unsigned>(A)]->getNumOccurrences() > 0;
  };
  // How the mode was chosen, for the file's errors.
  std::string Mode = ModeOpt.getNumOccurrences() || !Spec.ModeLoc.isValid()
                         ? "--mode=offline"
                         : "the offline mode (\"mode\": \"offline\")";
  if (!Spec.Offline.value_or(false)) {
    for (auto [A, What] :
         {std::pair{Axis::MaxBatch, "caps the batch"}, {Axis::Requests, "sets a finite run"}}) {
      if (!Spec.anyGiven(A))
        continue;
      if (FromFlag(A))
        Diags.error("--" + axisFlag(A).str() + " " + What +
                    " of --mode=offline; with the phases mode, --batch sets the batch");
      else
        Diags.error(Spec.givenLoc(A), "'" + axisKey(A).str() + "' " + What +
                                          " of the offline mode (\"mode\": \"offline\" or "
                                          "--mode=offline); with the phases mode, 'batch' "
                                          "sets the batch");
      return false;
    }
    return true;
  }
  if (Spec.Phases.value_or(PhaseChoice::Both) != PhaseChoice::Both) {
    if (PhaseOpt.getNumOccurrences())
      Diags.error(Mode + " costs both phases; drop --phase");
    else
      Diags.error(Spec.PhasesLoc, Mode + " costs both phases; remove 'phase' or make it 'both'");
    return false;
  }
  for (Axis A : {Axis::Batch, Axis::KvLen, Axis::Prefix}) {
    if (!Spec.anyGiven(A))
      continue;
    if (FromFlag(A))
      Diags.error(Mode + " chooses the batch and KV length itself; drop --" + axisFlag(A).str() +
                  " (--max-batch caps the batch)");
    else
      Diags.error(Spec.givenLoc(A), Mode + " chooses the batch and KV length itself; remove '" +
                                        axisKey(A).str() + "' ('max_batch' caps the batch)");
    return false;
  }
  return true;
}

bool parseShard(DiagnosticEngine &Diags, uint64_t &I, uint64_t &N) {
  auto [A, B] = StringRef(ShardOpt).split('/');
  if (A.getAsInteger(10, I) || B.getAsInteger(10, N) || N < 1 || I < 1 || I > N) {
    Diags.error("--shard takes i/n with 1 <= i <= n, as in --shard 2/8, not '" +
                ShardOpt + "'");
    return false;
  }
  return true;
}

} // namespace

int ssc::driver::runSweep() {
  SourceMgr SM;
  DiagnosticEngine Diags(SM);
  configureDiagnostics(Diags);
  if (InputFile.empty()) {
    Diags.error("no input file; usage: ssc sweep model.arch --gpu h100 [axes...] "
                "(see docs/sweep.md)");
    return 1;
  }

  if (TargetOpt.getNumOccurrences()) {
    std::string Gpu;
    int64_t Count = 0;
    std::string Example = splitTargetName(TargetOpt, Gpu, Count)
                              ? "--gpu " + Gpu + " --gpus " + std::to_string(Count)
                              : std::string("--gpu h100 --gpus 8,16");
    Diags.error("ssc sweep takes GPU kinds and counts as two axes, not --target: write " +
                Example + " (lists and ranges cross, as in --gpu h100,h200 --gpus 8,16)");
    return 1;
  }

  // The sweep: the file's grids with the command line's axes on top.
  SweepSpec Spec;
  if (!SweepFile.empty()) {
    std::optional<SweepSpec> F = loadSweepFile(SweepFile, Diags);
    if (!F)
      return 1;
    Spec = std::move(*F);
  } else {
    Spec.Grids.emplace_back();
  }
  Grid Over;
  if (!commandLineGrid(Diags, Over))
    return 1;
  for (Grid &G : Spec.Grids)
    G.override(Over);
  if (PhaseOpt.getNumOccurrences()) {
    Spec.Phases = PhaseOpt;
    Spec.PhasesLoc = SMLoc();
  }
  if (!ProfileOpt.empty())
    Spec.Profile = ProfileOpt;
  if (!PlanOpt.empty())
    Spec.Plan = PlanOpt;
  if (ModeOpt.getNumOccurrences()) {
    Spec.Offline = ModeOpt == ModeChoice::Offline;
    Spec.ModeLoc = SMLoc();
  }
  if (!checkMode(Spec, Diags))
    return 1;

  RunOptions Opts;
  Opts.F = FormatOpt == FormatChoice::JSON ? Format::JSON : Format::CSV;
  Opts.KeepInvalid = KeepInvalid;
  Opts.Jobs = JobsOpt;
  Opts.ProgressAfterSeconds = ProgressAfter;
  Opts.Time = TimeOpt;
  if (ParetoOpt && BestOpt) {
    Diags.error("--pareto and --best exclude each other");
    return 1;
  }
  Opts.Select = ParetoOpt ? Selection::Pareto : BestOpt ? Selection::Best : Selection::All;
  if (Opts.Select != Selection::All && KeepInvalid) {
    Diags.error(std::string(ParetoOpt ? "--pareto" : "--best") +
                " prints valid points only; it excludes --keep-invalid");
    return 1;
  }
  if (!ShardOpt.empty()) {
    if (!parseShard(Diags, Opts.Shard, Opts.Shards))
      return 1;
    if (Opts.Select != Selection::All) {
      Diags.error(std::string(ParetoOpt ? "--pareto" : "--best") +
                  " needs every point; it cannot be split with --shard");
      return 1;
    }
  }
  Opts.Header = HeaderOpt.getNumOccurrences() ? bool(HeaderOpt) : Opts.Shard == 1;
  SweepContext Ctx;
  Ctx.Phases = Spec.Phases.value_or(PhaseChoice::Both);
  Ctx.Offline = Spec.Offline.value_or(false);
  if (!SlaOpt.empty()) {
    SMLoc Loc;
    const char *Start = nullptr;
    if (!parseFlag(
            Diags, "sla", SlaOpt,
            [&](ValueError &Err) { return parseSla(SlaOpt, Opts.Sla, Err); }, Loc, Start))
      return 1;
    for (const SlaBound &B : Opts.Sla) {
      if (Ctx.Offline && slaNeedsPrefill(B)) {
        Diags.error("the SLA bound '" + B.Text +
                    "' is a phase's; --mode=offline bounds tpot (the mean step), "
                    "tps_user and tps_gpu (output tokens/s per user and per GPU)");
        return 1;
      }
      if (slaNeedsPrefill(B) ? !Ctx.hasPrefill() : !Ctx.hasDecode()) {
        Diags.error("the SLA bound '" + B.Text + "' needs the " +
                    (slaNeedsPrefill(B) ? "prefill" : "decode") +
                    " phase, which --phase leaves out");
        return 1;
      }
    }
  }

  // The profile (which may bring its own GPU table), the model and the plan.
  std::optional<cost::Profile> Prof =
      cost::loadProfile(Spec.Profile.value_or("default"), Diags);
  if (!Prof)
    return 1;
  SemaOptions SOpts = semaOptions();
  if (!Prof->GpuTable.empty())
    SOpts.CatalogPath = dataPath(Prof->GpuTable);
  std::unique_ptr<Program> P = analyze({InputFile}, Diags, SOpts);
  if (!P)
    return 1;
  const ModelSpec *M = driver::selectModel(*P, ModelName, Diags);
  if (!M) {
    if (!Diags.hasErrors())
      Diags.error("the input defines no model to sweep");
    return 1;
  }
  std::optional<PlanSpec> Base;
  if (!selectPlan(*P, Spec.Plan.value_or(""), Diags, Base))
    return 1;

  Ctx.P = P.get();
  Ctx.Model = M;
  Ctx.Profile = &*Prof;
  Ctx.Spec = &Spec;
  Ctx.BasePlan = Base;
  Ctx.Passes.Mla = MlaOpt;
  Ctx.Passes.FuseProjections = FuseOpt;
  Ctx.Passes.IncludeMtp = MtpOpt;
  Ctx.ParamNames = Spec.paramNames();
  if (CommandOpt) {
    Ctx.Commands = true;
    Ctx.CommandModel = InputFile;
    if (!ModelName.empty())
      Ctx.CommandArgs = {"--model", ModelName};
    std::vector<std::string> Shared =
        driver::sharedCommandArgs(Spec.Profile.value_or("default"), !Prof->GpuTable.empty(), SOpts);
    Ctx.CommandArgs.insert(Ctx.CommandArgs.end(), Shared.begin(), Shared.end());
    if (MlaOpt != ir::MlaForm::Auto)
      Ctx.CommandArgs.push_back(MlaOpt == ir::MlaForm::Plain ? "--mla=plain" : "--mla=absorbed");
    if (!FuseOpt)
      Ctx.CommandArgs.push_back("--fuse-projections=false");
    if (MtpOpt)
      Ctx.CommandArgs.push_back("--mtp");
  }
  if (!checkSpec(Spec, *P, *M, *Prof, Ctx, Diags))
    return 1;
  std::optional<uint64_t> N = Spec.numPoints();
  if (!N) {
    Diags.error("the sweep has more than 2^64 points");
    return 1;
  }
  if (DryRun) {
    auto [Lo, Hi] = shardRange(*N, Opts.Shard, Opts.Shards);
    outs() << *N << " points in " << Spec.Grids.size() << " grid"
           << (Spec.Grids.size() == 1 ? "" : "s");
    if (Opts.Shards > 1)
      outs() << "; shard " << Opts.Shard << " of " << Opts.Shards << ": points " << Lo
             << " to " << Hi << " (" << Hi - Lo << ")";
    outs() << "\n";
    return 0;
  }

  std::error_code EC;
  ToolOutputFile Out(OutputPath, EC, sys::fs::OF_None);
  if (EC) {
    Diags.error("cannot write '" + OutputPath + "': " + EC.message());
    return 1;
  }
  RunStats Stats = ssc::sweep::runSweep(Ctx, Opts, Out.os(), errs());
  Out.keep();
  printSummary(Stats, Opts, Ctx, errs());
  return 0;
}

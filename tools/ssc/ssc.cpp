//===- ssc.cpp - The ssc driver ---------------------------------------------===//
//
// A thin driver: parse the command line, load and check the inputs, run what
// --emit asks for and print it. All work lives in the libraries.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Pipeline.h"

#include "ssc/AST/ASTPrinter.h"
#include "ssc/Analysis/ModelSummary.h"
#include "ssc/Analysis/SummaryPrinter.h"
#include "ssc/Sema/Sema.h"
#include "ssc/Spec/SpecPrinter.h"
#include "ssc/Support/CommandLine.h"
#include "ssc/Support/DataPaths.h"
#include "ssc/Sweep/ModelVariant.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;
using namespace ssc;

cl::OptionCategory &ssc::driver::category() {
  static cl::OptionCategory C("ssc options");
  return C;
}

namespace {

enum class EmitKind { AST, Model, IR, Kernels, Summary, Report };
enum class OutputFormat { Text, JSON, CSV };

cl::OptionCategory &SSCCategory = driver::category();

cl::opt<std::string> InputFile(cl::Positional, cl::desc("<input .arch file>"),
                               cl::cat(SSCCategory));

EnumOpt<EmitKind>
    Emit("emit", cl::desc("What to print"), cl::init(EmitKind::AST),
         cl::values(
             clEnumValN(EmitKind::AST, "ast", "the input, checked and normalized, in the language"),
             clEnumValN(EmitKind::Model, "model", "the checked model with every default explicit"),
             clEnumValN(EmitKind::IR, "ir", "the IR after the pass pipeline"),
             clEnumValN(EmitKind::Kernels, "kernels", "one kernel per line, per device class"),
             clEnumValN(EmitKind::Summary, "summary", "parameters, KV cache and FLOPs per token"),
             clEnumValN(EmitKind::Report, "report", "time, throughput and memory on the target")),
         cl::cat(SSCCategory));

EnumOpt<OutputFormat>
    Format("format", cl::desc("Output format of --emit"), cl::init(OutputFormat::Text),
           cl::values(clEnumValN(OutputFormat::Text, "text", "for people (default)"),
                      clEnumValN(OutputFormat::JSON, "json", "one JSON document"),
                      clEnumValN(OutputFormat::CSV, "csv", "comma-separated rows")),
           cl::cat(SSCCategory));

NumberOpt<unsigned long long>
    ContextLength("context",
                  cl::desc("Context length in tokens for --emit=summary (default: 4096, or "
                           "the model's context if shorter)"),
                  cl::value_desc("N"), cl::init(0), cl::cat(SSCCategory));

BoolOpt IncludeMtp("mtp",
                   cl::desc("Include the model's multi-token-prediction layers: "
                            "counted in --emit=summary, run in every step of the IR, "
                            "kernels and report (their draft tokens' acceptance is "
                            "not modeled)"),
                   cl::cat(SSCCategory));

cl::opt<std::string> TargetName("target",
                                cl::desc("GPUs to run on, e.g. h100x16 or "
                                         "gb200-nvl72x72"),
                                cl::value_desc("gpu[xN]"), cl::cat(SSCCategory));

cl::opt<std::string> PlanOpt("plan",
                             cl::desc("Parallel plan: a .json file, an .arch "
                                      "file with one plan, a plan's name, or its "
                                      "keys, as in 'tp=8 ep=8'"),
                             cl::value_desc("plan"), cl::cat(SSCCategory));

cl::opt<std::string> ModelName("model",
                               cl::desc("Model to use when the input defines "
                                        "several"),
                               cl::value_desc("name"), cl::cat(SSCCategory));

cl::list<std::string> SetOpt("set",
                             cl::desc("Change the model's hyperparameters as ssc sweep's model "
                                      "axes do: layers, experts, top_k, kv_heads (as in "
                                      "--set experts=64,top_k=4)"),
                             cl::value_desc("key=N"), cl::CommaSeparated, cl::cat(SSCCategory));

cl::list<std::string> ImportDirs("I", cl::desc("Directory searched by import"),
                                 cl::value_desc("dir"), cl::Prefix,
                                 cl::cat(SSCCategory), cl::sub(cl::SubCommand::getAll()));

cl::opt<std::string> CatalogPath("catalog",
                                 cl::desc("GPU catalog to load (default: "
                                          "targets/gpus.arch in the data "
                                          "directory; 'none' for no catalog)"),
                                 cl::value_desc("file"), cl::cat(SSCCategory),
                                 cl::sub(cl::SubCommand::getAll()));

BoolOpt WarningsAsErrors("Werror", cl::desc("Treat warnings as errors"), cl::cat(SSCCategory),
                         cl::sub(cl::SubCommand::getAll()));
BoolOpt NoWarnings("w", cl::desc("Suppress warnings"), cl::cat(SSCCategory),
                   cl::sub(cl::SubCommand::getAll()));

void printVersion(raw_ostream &OS) {
  OS << "ssc version " << SSC_VERSION << "\n"
     << "  data directory: " << getDataDir() << "\n";
}

} // namespace

SemaOptions ssc::driver::semaOptions() {
  SemaOptions Opts;
  Opts.ImportDirs.assign(ImportDirs.begin(), ImportDirs.end());
  if (CatalogPath.empty())
    Opts.CatalogPath = dataPath("targets/gpus.arch");
  else if (CatalogPath != "none")
    Opts.CatalogPath = CatalogPath;
  return Opts;
}

std::vector<std::string> ssc::driver::sharedCommandArgs(StringRef ProfileName, bool ProfileCatalog,
                                                        const SemaOptions &Opts) {
  std::vector<std::string> Args;
  if (ProfileName != "default")
    Args.insert(Args.end(), {"--profile", ProfileName.str()});
  if (!ProfileCatalog && Opts.CatalogPath != dataPath("targets/gpus.arch"))
    Args.insert(Args.end(), {"--catalog", Opts.CatalogPath.empty() ? "none" : Opts.CatalogPath});
  for (const std::string &Dir : Opts.ImportDirs)
    Args.insert(Args.end(), {"-I", Dir});
  return Args;
}

void ssc::driver::configureDiagnostics(DiagnosticEngine &Diags) {
  Diags.setWarningsAsErrors(WarningsAsErrors);
  Diags.setSuppressWarnings(NoWarnings);
}

const char *ssc::driver::addFlagBuffer(DiagnosticEngine &Diags, StringRef Flag, StringRef Value) {
  auto Buf = MemoryBuffer::getMemBufferCopy(("--" + Flag + "=" + Value).str(), "command line");
  const char *Start = Buf->getBufferStart() + Flag.size() + 3;
  Diags.getSourceMgr().AddNewSourceBuffer(std::move(Buf), SMLoc());
  return Start;
}

/// Subcommands: `ssc NAME ...`. Each lives in its own <Name>Command.cpp.
static const driver::Subcommand Subcommands[] = {
    {&driver::ImportHFCmd, driver::runImportHF},
    {&driver::ValidateCmd, driver::runValidate},
    {&driver::SweepCmd, driver::runSweep},
    {nullptr, nullptr},
};

/// The plan \p Spec names (a .json or .arch file, a plan of the input, or
/// its keys: "tp=8 ep=8", the form PhasePlan::str() prints),
/// or with none the input's only plan, or none.
bool driver::selectPlan(const Program &P, StringRef Spec, DiagnosticEngine &Diags,
                        std::optional<PlanSpec> &Out) {
  if (Spec.empty()) {
    if (P.InputPlans.size() == 1)
      Out = *P.InputPlans.front();
    return true;
  }
  if (Spec.ends_with(".json")) {
    Out = loadPlanJSON(Spec, Diags);
    return Out.has_value();
  }
  if (Spec.ends_with(".arch")) {
    SemaOptions Opts;
    std::unique_ptr<Program> PlanFile = analyze({Spec.str()}, Diags, Opts);
    if (!PlanFile)
      return false;
    if (PlanFile->InputPlans.size() != 1) {
      Diags.error("'" + Spec + "' must define exactly one plan; it defines " +
                  std::to_string(PlanFile->InputPlans.size()));
      return false;
    }
    Out = *PlanFile->InputPlans.front();
    return true;
  }
  if (Spec.contains('=')) {
    Out = planFromKeys(Spec, Diags);
    return Out.has_value();
  }
  if (const PlanSpec *Named = P.findPlan(Spec)) {
    Out = *Named;
    return true;
  }
  Diags.error("unknown plan '" + Spec +
              "'; give a .json or .arch file, the name of a plan in the input, or "
              "its keys, as in 'tp=8 ep=8'");
  return false;
}

const ModelSpec *driver::selectModel(const Program &P, StringRef Name,
                                     DiagnosticEngine &Diags) {
  if (!Name.empty()) {
    if (const ModelSpec *M = P.findModel(Name))
      return M;
    Diags.error("no model named '" + Name + "' in the input");
    return nullptr;
  }
  if (P.InputModels.empty()) {
    // A file that imports its model (a plan beside `import "models/..."`)
    // means that model when it imports exactly one.
    if (P.Models.size() == 1)
      return &P.Models.front();
    if (P.Models.size() > 1) {
      std::vector<std::string> Names;
      for (const ModelSpec &X : P.Models)
        Names.push_back(X.Name);
      Diags.error("the input defines no model and imports " + std::to_string(Names.size()) +
                  " (" + llvm::join(Names, ", ") + "); choose one with --model");
    }
    return nullptr;
  }
  if (P.InputModels.size() > 1) {
    Diags.error("the input defines " + std::to_string(P.InputModels.size()) +
                " models; choose one with --model");
    return nullptr;
  }
  return P.InputModels.front();
}

/// --set: \p M with the hyperparameters changed, as ssc sweep's model axes
/// change them, with the same checks. Errors point into "--set=..." shown as
/// the command line. \p Settings: what changed ("layers=16,experts=64").
static bool applySettings(ModelSpec &M, DiagnosticEngine &Diags, std::string &Settings) {
  sweep::Hyperparameters H;
  for (const std::string &S : SetOpt) {
    const char *Start = driver::addFlagBuffer(Diags, "set", S);
    size_t Offset = 0;
    std::string Error = sweep::parseHyperparameter(S, H, Offset);
    if (!Error.empty()) {
      Diags.error(SMLoc::getFromPointer(Start + Offset), Error);
      return false;
    }
    StringRef Key = StringRef(S).split('=').first.trim();
    std::string Why = sweep::inapplicable(M, Key);
    if (!Why.empty()) {
      Diags.error(SMLoc::getFromPointer(Start + (Key.data() - S.data())),
                  "'" + Key + "' cannot be set: " + Why);
      return false;
    }
  }
  std::string Error = sweep::applyHyperparameters(M, H);
  if (!Error.empty()) {
    Diags.error("--set " + H.str() + " does not give a valid model '" + M.Name + "': " + Error);
    return false;
  }
  Settings = H.str();
  return true;
}

/// --emit=summary: the model's parameters, KV cache and FLOPs per token.
static int emitSummary(const ModelSpec *M, DiagnosticEngine &Diags) {
  if (!M) {
    Diags.error("the input defines no model");
    return 1;
  }
  if (ContextLength.getNumOccurrences() && ContextLength == 0) {
    Diags.error("--context must be at least 1 token");
    return 1;
  }
  SummaryOptions Opts;
  Opts.Context = static_cast<int64_t>(
      std::min<unsigned long long>(ContextLength, INT64_MAX));
  Opts.IncludeMtp = IncludeMtp;
  Expected<ModelSummary> S = summarize(*M, Opts);
  if (!S) {
    Diags.error(toString(S.takeError()));
    return 1;
  }
  switch (Format) {
  case OutputFormat::Text:
    printSummaryText(*S, *M, outs());
    break;
  case OutputFormat::JSON:
    printSummaryJSON(*S, *M, outs());
    break;
  case OutputFormat::CSV:
    printSummaryCSV(*S, *M, outs());
    break;
  }
  return Diags.hasErrors() ? 1 : 0;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(SSCCategory);
  cl::SetVersionPrinter(printVersion);
  {
    // Errors in the flags come out as ssc's own ("ssc: error: ...").
    SourceMgr SM;
    DiagnosticEngine Diags(SM);
    if (!parseCommandLine(argc, argv,
                          "ssc: a compiler for LLM architectures\n\n"
                          "  ssc FILE.arch [--target gpuxN] [--plan P] "
                          "[--emit=...]\n",
                          Diags))
      return 1;
  }

  for (const driver::Subcommand &S : Subcommands)
    if (S.Cmd && *S.Cmd)
      return S.Run();
  if (driver::listPassesRequested()) {
    driver::listPasses();
    return 0;
  }

  SourceMgr SM;
  DiagnosticEngine Diags(SM);
  Diags.setWarningsAsErrors(WarningsAsErrors);
  Diags.setSuppressWarnings(NoWarnings);

  if (InputFile.empty()) {
    Diags.error("no input file; run 'ssc --help' for usage");
    return 1;
  }

  bool Compiles = Emit == EmitKind::IR || Emit == EmitKind::Kernels || Emit == EmitKind::Report;
  driver::warnUnusedOptions(Diags, Compiles, Emit == EmitKind::Report);
  if (ContextLength.getNumOccurrences() && Emit != EmitKind::Summary)
    Diags.warning("--context has no effect with this --emit; it applies to --emit=summary");
  if (IncludeMtp.getNumOccurrences() && !Compiles && Emit != EmitKind::Summary)
    Diags.warning("--mtp has no effect with this --emit; it applies to --emit=summary, "
                  "--emit=ir, --emit=kernels and --emit=report");

  SemaOptions Opts = driver::semaOptions();
  // A cost profile may bring its own GPU table (the seed tool's).
  if (Emit == EmitKind::Report && !driver::prepareProfile(Diags, Opts))
    return 1;
  std::unique_ptr<Program> P = analyze({InputFile}, Diags, Opts);
  if (!P)
    return 1;

  const ModelSpec *M = driver::selectModel(*P, ModelName, Diags);
  std::optional<ModelSpec> Variant;
  std::string Settings;
  if (M && !SetOpt.empty()) {
    if (Emit == EmitKind::AST)
      Diags.warning("--set has no effect with --emit=ast, which prints the input as written");
    Variant.emplace(*M);
    if (!applySettings(*Variant, Diags, Settings))
      return 1;
    M = &*Variant;
  }
  std::optional<PlanSpec> Plan;
  if (Diags.hasErrors() || !driver::selectPlan(*P, PlanOpt, Diags, Plan))
    return 1;
  std::optional<Target> T;
  if (!TargetName.empty()) {
    T.emplace();
    if (!resolveTarget(*P, TargetName, *T, Diags))
      return 1;
  }
  if (Plan && M && !checkPlan(*M, *Plan, T ? &*T : nullptr, Diags))
    return 1;

  bool JSON = Format == OutputFormat::JSON;
  if (Format == OutputFormat::CSV && (Emit == EmitKind::IR || Emit == EmitKind::Kernels ||
                                      Emit == EmitKind::AST || Emit == EmitKind::Model)) {
    Diags.error("--format=csv is not available for this --emit");
    return 1;
  }
  if (Emit == EmitKind::IR || Emit == EmitKind::Kernels || Emit == EmitKind::Report) {
    if (!M) {
      Diags.error("the input defines no model");
      return 1;
    }
    driver::CompileInputs In{*P, *M, Plan, T, Diags};
    In.IncludeMtp = IncludeMtp;
    In.Settings = Settings;
    if (Emit == EmitKind::Report)
      return driver::emitReport(In, JSON, Format == OutputFormat::CSV);
    return Emit == EmitKind::IR ? driver::emitIR(In, JSON)
                                : driver::emitKernels(In, JSON);
  }

  if (Emit == EmitKind::Summary)
    return emitSummary(M, Diags);

  switch (Emit) {
  case EmitKind::AST:
    for (size_t FI : P->InputFiles)
      ast::print(*P->Files[FI], outs());
    break;
  case EmitKind::IR:
  case EmitKind::Kernels:
  case EmitKind::Summary:
  case EmitKind::Report:
    break;
  case EmitKind::Model:
    if (!M) {
      Diags.error("the input defines no model");
      return 1;
    }
    printModel(*M, outs());
    if (Plan) {
      outs() << "\n";
      printPlan(*Plan, outs());
    }
    break;
  }
  return Diags.hasErrors() ? 1 : 0;
}

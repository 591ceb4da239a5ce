//===- Pipeline.cpp - From checked specs to lowered modules ---------------===//

#include "Pipeline.h"

#include "Commands.h"

#include "ssc/Analysis/ModelSummary.h"
#include "ssc/Cost/Profile.h"
#include "ssc/IR/Printer.h"
#include "ssc/Passes/Pass.h"
#include "ssc/Report/Report.h"
#include "ssc/Spec/PlanDefaults.h"
#include "ssc/Support/CommandLine.h"
#include "ssc/Support/DataPaths.h"
#include "ssc/Support/Format.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"

#include <map>
#include <memory>

using namespace llvm;
using namespace ssc;
using namespace ssc::driver;

namespace {

enum class PhaseChoice { Prefill, Decode, Both };

EnumOpt<PhaseChoice>
    PhaseOpt("phase", cl::desc("Which phase to compile"), cl::init(PhaseChoice::Both),
             cl::values(clEnumValN(PhaseChoice::Prefill, "prefill", "the prompt"),
                        clEnumValN(PhaseChoice::Decode, "decode", "one decode step"),
                        clEnumValN(PhaseChoice::Both, "both", "prefill, then decode")),
             cl::cat(category()));

enum class ServingMode { Phases, Offline };
EnumOpt<ServingMode>
    ModeOpt("mode", cl::desc("Serving mode of --emit=report"), cl::init(ServingMode::Phases),
            cl::values(clEnumValN(ServingMode::Phases, "phases",
                                  "the phases --phase selects, at --batch (default)"),
                       clEnumValN(ServingMode::Offline, "offline",
                                  "steady state under unlimited load: continuous batching "
                                  "at the batch memory allows, prompts prefilled in chunks "
                                  "between decode steps")),
            cl::cat(category()));
NumberOpt<int64_t> MaxBatchOpt("max-batch",
                               cl::desc("--mode=offline: most sequences in flight per "
                                        "replica (default: the profile's scheduler cap)"),
                               cl::init(0), cl::cat(category()));

NumberOpt<int64_t> RequestsOpt("requests",
                               cl::desc("--mode=offline: also a finite run of this many requests "
                                        "queued at once over all replicas, as benchmarks run "
                                        "(its fill and drain included)"),
                               cl::init(0), cl::cat(category()));

NumberOpt<int64_t> BatchOpt("batch",
                            cl::desc("Sequences per data-parallel replica "
                                     "(default 1)"),
                            cl::init(1), cl::cat(category()));
NumberOpt<int64_t> IslOpt("isl",
                          cl::desc("Prompt (input) length in tokens "
                                   "(default 1024)"),
                          cl::init(1024), cl::cat(category()));
NumberOpt<int64_t> OslOpt("osl", cl::desc("Output length in tokens (default 256)"), cl::init(256),
                          cl::cat(category()));
NumberOpt<int64_t> PrefixOpt("prefix",
                             cl::desc("Prompt tokens already cached (prefix "
                                      "caching; default 0)"),
                             cl::init(0), cl::cat(category()));
NumberOpt<int64_t> KvLenOpt("kv-len",
                            cl::desc("KV length of the decode step (default: "
                                     "isl + osl/2, the mean over the output)"),
                            cl::init(-1), cl::cat(category()));

cl::opt<std::string> PassesOpt("passes",
                               cl::desc("Pass pipeline, e.g. expand,decompose "
                                        "(default: all passes)"),
                               cl::value_desc("a,b,c"), cl::cat(category()));
BoolOpt PrintAfterAll("print-after-all", cl::desc("Print the IR after each pass"),
                      cl::cat(category()));
cl::list<std::string> PrintAfter("print-after",
                                 cl::desc("Print the IR after the named pass"),
                                 cl::value_desc("pass"), cl::CommaSeparated,
                                 cl::cat(category()));
BoolOpt ListPasses("list-passes", cl::desc("List the passes and exit"), cl::cat(category()));

EnumOpt<ir::MlaForm> MlaOpt(
    "mla", cl::desc("Form of MLA attention"), cl::init(ir::MlaForm::Auto),
    cl::values(clEnumValN(ir::MlaForm::Auto, "auto", "absorbed for decode, plain for prefill"),
               clEnumValN(ir::MlaForm::Plain, "plain", "decompress K and V, then attention"),
               clEnumValN(ir::MlaForm::Absorbed, "absorbed", "attend over the latent cache")),
    cl::cat(category()));
EnumOpt<ir::ExpertRouting> RoutingOpt(
    "expert-routing", cl::desc("How MoE tokens spread over the experts"),
    cl::init(ir::ExpertRouting::Random),
    cl::values(clEnumValN(ir::ExpertRouting::Random, "random",
                          "as a router sends them: at small batches some experts get none, "
                          "and their weights are not read (default)"),
               clEnumValN(ir::ExpertRouting::Even, "even",
                          "every expert the same tokens, as kernel benchmarks lay them out")),
    cl::cat(category()));
BoolOpt FuseOpt("fuse-projections",
                cl::desc("Fuse q/k/v and gate/up into one GEMM each "
                         "(default true)"),
                cl::init(true), cl::cat(category()));

cl::opt<std::string> WeightDTypeOpt("weight-dtype",
                                    cl::desc("Weights and GEMMs (default: the "
                                             "model's dtype)"),
                                    cl::value_desc("dtype"), cl::cat(category()));
cl::opt<std::string> KvDTypeOpt("kv-dtype", cl::desc("KV cache (default bf16)"),
                                cl::value_desc("dtype"), cl::init("bf16"),
                                cl::cat(category()));
cl::opt<std::string> AttnDTypeOpt("attn-dtype",
                                  cl::desc("Attention math: the QK and PV products "
                                           "(default bf16)"),
                                  cl::value_desc("dtype"), cl::init("bf16"),
                                  cl::cat(category()));
cl::opt<std::string> DispatchDTypeOpt("dispatch-dtype",
                                      cl::desc("MoE dispatch payload (default bf16)"),
                                      cl::value_desc("dtype"), cl::init("bf16"),
                                      cl::cat(category()));
cl::opt<std::string> CombineDTypeOpt("combine-dtype",
                                     cl::desc("MoE combine payload (default bf16)"),
                                     cl::value_desc("dtype"), cl::init("bf16"),
                                     cl::cat(category()));

cl::opt<std::string> ProfileOpt("profile",
                                cl::desc("Cost profile: a name under profiles/ "
                                         "(default, shallowsim) or a .json file"),
                                cl::value_desc("name"), cl::init("default"),
                                cl::cat(category()));
cl::list<std::string> ProfileSet("profile-set",
                                 cl::desc("Override a profile parameter, as in "
                                          "--profile-set=attention_tp=8"),
                                 cl::value_desc("name=value"), cl::CommaSeparated,
                                 cl::cat(category()));
cl::list<std::string> ViewsOpt("views",
                               cl::desc("Report views, in order (default: "
                                        "summary,memory,layers for text; all for "
                                        "JSON; summary for CSV)"),
                               cl::value_desc("summary,memory,layers,kernels,comm"),
                               cl::CommaSeparated, cl::cat(category()));

std::optional<cost::Profile> TheProfile;

} // namespace

bool ssc::driver::listPassesRequested() { return ListPasses; }

void ssc::driver::listPasses() {
  outs() << "Passes (default pipeline order):\n";
  for (const PassInfo &I : registeredPasses())
    outs() << "  " << left_justify(I.Name, 15) << I.Description << "\n";
}

CompileOptions ssc::driver::compileOptionsFromFlags() {
  CompileOptions O;
  O.Prefill = PhaseOpt != PhaseChoice::Decode;
  O.Decode = PhaseOpt != PhaseChoice::Prefill;
  O.Batch = BatchOpt;
  O.Isl = IslOpt;
  O.Osl = OslOpt;
  O.Prefix = PrefixOpt;
  O.KvLen = KvLenOpt;
  O.WeightDType = WeightDTypeOpt;
  O.KvDType = KvDTypeOpt;
  O.AttnDType = AttnDTypeOpt;
  O.DispatchDType = DispatchDTypeOpt;
  O.CombineDType = CombineDTypeOpt;
  O.Mla = MlaOpt;
  O.FuseProjections = FuseOpt;
  O.Routing = RoutingOpt;
  // --passes= (explicitly empty) runs no pass at all.
  if (PassesOpt.getNumOccurrences())
    O.Passes = PassesOpt;
  return O;
}

bool ssc::driver::compileModules(CompileInputs &In, std::vector<ir::Module> &Out) {
  return compileModules(In, compileOptionsFromFlags(), Out);
}

bool ssc::driver::checkCount(DiagnosticEngine &Diags, const char *Name, int64_t V) {
  if (V >= 1 && V <= (int64_t(1) << 34))
    return true;
  Diags.error(std::string("--") + Name + " must be between 1 and 2^34, not " +
              std::to_string(V));
  return false;
}

bool ssc::driver::compileModules(CompileInputs &In, const CompileOptions &CO,
                                 std::vector<ir::Module> &Out) {
  DiagnosticEngine &Diags = In.Diags;
  for (const auto &[Name, V] : {std::pair<const char *, int64_t>{"batch", CO.Batch},
                                {"isl", CO.Isl},
                                {"osl", CO.Osl}})
    if (!checkCount(Diags, Name, V))
      return false;
  if (CO.Prefix < 0 || CO.Prefix >= CO.Isl) {
    Diags.error("--prefix must be at least 0 and less than --isl (" +
                std::to_string(CO.Isl) + ")");
    return false;
  }
  int64_t KvLen = CO.KvLen >= 0 ? CO.KvLen : CO.Isl + CO.Osl / 2;
  if (KvLen > In.M.MaxContext || CO.Isl > In.M.MaxContext)
    Diags.warning("the sequence (" + std::to_string(std::max<int64_t>(KvLen, CO.Isl)) +
                  " tokens) is longer than model '" + In.M.Name + "''s context of " +
                  std::to_string(In.M.MaxContext));

  ir::Precision Prec;
  Prec.Weights = In.M.WeightType;
  Prec.ExpertWeights = In.M.ExpertWeightType;
  auto DTypeFlag = [&](const std::string &V, const char *Flag) -> std::optional<DType> {
    std::optional<DType> D = parseDType(V);
    if (!D)
      Diags.error("unknown dtype '" + V + "' for --" + Flag + "; expected " +
                  joinAlternatives(dtypeSpellings()));
    return D;
  };
  if (!CO.WeightDType.empty()) {
    auto D = DTypeFlag(CO.WeightDType, "weight-dtype");
    if (!D)
      return false;
    Prec.Weights = Prec.ExpertWeights = *D;
  }
  auto Kv = DTypeFlag(CO.KvDType, "kv-dtype");
  auto Disp = DTypeFlag(CO.DispatchDType, "dispatch-dtype");
  auto Comb = DTypeFlag(CO.CombineDType, "combine-dtype");
  auto Attn = DTypeFlag(CO.AttnDType, "attn-dtype");
  if (!Kv || !Disp || !Comb || !Attn)
    return false;
  Prec.Attention = *Attn;
  Prec.KvCache = *Kv;
  Prec.Dispatch = *Disp;
  Prec.Combine = *Comb;

  // Target and plan defaults.
  if (!In.T) {
    Target T;
    std::string Spec = "h100x" + std::to_string(In.Plan ? In.Plan->Decode.world() : 1);
    if (!resolveTarget(In.P, Spec, T, Diags))
      return false;
    In.T = T;
  }
  if (!In.Plan)
    In.Plan = defaultPlan(In.M, *In.T, weightFootprint(In.M, Prec.Weights, Prec.ExpertWeights));
  if (!checkPlan(In.M, *In.Plan, &*In.T, Diags))
    return false;

  if (MlaOpt.getNumOccurrences() &&
      llvm::none_of(In.M.LayerKinds, [](const LayerSpec &L) { return L.Attn.isMLA(); }))
    Diags.warning("--mla has no effect: model '" + In.M.Name + "' has no MLA attention");

  ir::PassOptions Opts;
  Opts.Mla = CO.Mla;
  Opts.FuseProjections = CO.FuseProjections;
  Opts.Routing = CO.Routing;
  Opts.IncludeMtp = In.IncludeMtp;

  std::vector<ir::Workload> Loads;
  if (CO.Prefill)
    Loads.push_back({Phase::Prefill, CO.Batch, CO.Isl - CO.Prefix, CO.Prefix});
  if (CO.Decode)
    Loads.push_back({Phase::Decode, CO.Batch, 1, KvLen});

  bool Printing = CO.PrintAfter && (PrintAfterAll || !PrintAfter.empty());
  for (const ir::Workload &W : Loads) {
    ir::Module M = ir::buildModule(In.M, *In.T, *In.Plan, W, Prec, Opts);
    PassManager PM;
    if ((!CO.Passes || !CO.Passes->empty()) &&
        !PassManager::parsePipeline(CO.Passes.value_or(""), PM, Diags))
      return false;
    if (Printing) {
      PM.setAfterPassCallback([](const Pass &P, const ir::Module &Mod) {
        if (!PrintAfterAll && !is_contained(PrintAfter, P.getName()))
          return;
        outs() << "// ----- IR after " << P.getName() << " (" << phaseName(Mod.W.P)
               << ") -----\n";
        ir::printModule(Mod, outs());
      });
      for (const std::string &Name : PrintAfter)
        if (!lookupPass(Name)) {
          Diags.error("--print-after names unknown pass '" + Name + "'");
          return false;
        }
    }
    if (!PM.run(M, Diags))
      return false;
    Out.push_back(std::move(M));
  }
  return true;
}

int ssc::driver::emitIR(CompileInputs &In, bool JSON) {
  std::vector<ir::Module> Mods;
  if (!compileModules(In, Mods))
    return 1;
  if (JSON) {
    json::Array A;
    for (const ir::Module &M : Mods)
      A.push_back(ir::moduleToJSON(M));
    outs() << formatv("{0:2}", json::Value(json::Object{{"modules", std::move(A)}}))
           << "\n";
    return 0;
  }
  // With --print-after, the printed IR is the output.
  if (PrintAfterAll || !PrintAfter.empty())
    return 0;
  for (size_t I = 0; I < Mods.size(); ++I) {
    if (I)
      outs() << "\n";
    ir::printModule(Mods[I], outs());
  }
  return 0;
}

namespace {

/// One kernel line, without the layer column.
std::string kernelLine(const ir::Module &M, const ir::Op &O) {
  using namespace ir;
  std::string S;
  raw_string_ostream OS(S);
  OS << left_justify(opName(O.Kind), 24) << ' '
     << left_justify(O.R == Role::None ? "-" : roleName(O.R), 16);
  OpMetrics Mx = metricsOf(O, M.W);
  double T = O.Tokens.eval(M.W);
  auto N = [](double V) { return formatNumber(V); };
  switch (O.Kind) {
  case OpKind::Gemm:
    OS << " m=" << N(T) << " n=" << O.Out << " k=" << O.In;
    if (O.Groups > 0)
      OS << " batch=" << N(O.Groups);
    OS << " dtype=" << dtypeName(O.WeightType);
    break;
  case OpKind::GroupedGemm:
    OS << " groups=" << N(O.Groups) << " m=" << N(T) << " n=" << O.Out << " k=" << O.In
       << " dtype=" << dtypeName(O.WeightType);
    break;
  case OpKind::FlashAttention:
  case OpKind::PagedAttention:
  case OpKind::MlaDecode:
    OS << " batch=" << N(T) << " heads=" << O.Heads << " kv_heads=" << O.KvHeads
       << " qk=" << O.QkDim << " v=" << O.VDim << " q=" << M.W.Query
       << " kv=" << M.W.Context + M.W.Query;
    if (O.Window)
      OS << " window=" << O.Window;
    if (O.Chunk)
      OS << " chunk=" << O.Chunk;
    OS << " dtype=" << dtypeName(O.ActType) << " kv_dtype=" << dtypeName(O.KvType);
    break;
  case OpKind::Gather:
    OS << " m=" << N(T) << " n=" << O.In << " rows=" << O.Out
       << " dtype=" << dtypeName(O.WeightType);
    break;
  case OpKind::NormKernel:
    OS << " m=" << N(T) << " n=" << O.In << " dtype=" << dtypeName(O.ActType);
    break;
  case OpKind::Elementwise:
    OS << " m=" << N(T) << " n=" << (O.Out ? O.Out : O.In)
       << " dtype=" << dtypeName(O.ActType);
    break;
  default:
    if (O.isComm()) {
      OS << " group=" << groupName(O.G) << " participants=" << O.Participants
         << " link=" << linkName(O.L) << " bytes=" << N(Mx.CommBytes);
      return OS.str();
    }
    break;
  }
  OS << " flops=" << N(Mx.Flops) << " bytes=" << N(Mx.BytesMoved);
  return OS.str();
}

std::string layerRange(int32_t First, int32_t Last) {
  if (First < 0)
    return "-";
  return First == Last ? std::to_string(First)
                       : std::to_string(First) + "-" + std::to_string(Last);
}

} // namespace

int ssc::driver::emitKernels(CompileInputs &In, bool JSON) {
  std::vector<ir::Module> Mods;
  if (!compileModules(In, Mods))
    return 1;
  json::Array JMods;
  for (size_t MI = 0; MI < Mods.size(); ++MI) {
    const ir::Module &M = Mods[MI];
    for (const ir::Op &O : M.Ops)
      if (O.dialect() == ir::Dialect::Model || O.dialect() == ir::Dialect::NN) {
        In.Diags.error("--emit=kernels needs the lower-kernels pass in the pipeline");
        return 1;
      }
    // Group ops by stage, then collapse runs of layers whose kernels are
    // identical into one block ("layers=3-60").
    json::Array JKernels;
    if (!JSON) {
      if (MI)
        outs() << "\n";
      outs() << "# " << M.Model.Name << " " << phaseName(M.W.P) << " on "
             << M.Tgt.str() << ", plan {" << M.Plan.str() << "}, batch="
             << M.W.Batch << " query=" << M.W.Query << " context=" << M.W.Context
             << "\n";
    }
    for (int64_t Stage = 0; Stage < M.numStages(); ++Stage) {
      // Lines per layer (or -1 for ops outside layers, kept in order).
      std::vector<std::pair<int32_t, std::vector<const ir::Op *>>> Blocks;
      for (const ir::Op &O : M.Ops) {
        if (O.Stage != Stage)
          continue;
        if (Blocks.empty() || Blocks.back().first != O.Layer)
          Blocks.push_back({O.Layer, {}});
        Blocks.back().second.push_back(&O);
      }
      int32_t FirstLayer = -1, LastLayer = -1;
      for (auto &B : Blocks)
        if (B.first >= 0) {
          if (FirstLayer < 0)
            FirstLayer = B.first;
          LastLayer = B.first;
        }
      if (!JSON)
        outs() << "device class " << Stage << " (stage " << Stage << " of "
               << M.numStages() << "): " << M.Plan.TP * M.Plan.SP * M.Plan.DP
               << " GPUs, layers " << layerRange(FirstLayer, LastLayer) << "\n";
      for (size_t I = 0; I < Blocks.size();) {
        std::vector<std::string> Lines;
        for (const ir::Op *O : Blocks[I].second)
          Lines.push_back(kernelLine(M, *O));
        size_t J = I + 1;
        if (Blocks[I].first >= 0) {
          while (J < Blocks.size() && Blocks[J].first >= 0 &&
                 Blocks[J].first == Blocks[J - 1].first + 1) {
            std::vector<std::string> Next;
            for (const ir::Op *O : Blocks[J].second)
              Next.push_back(kernelLine(M, *O));
            if (Next != Lines)
              break;
            ++J;
          }
        }
        int32_t Last = Blocks[J - 1].first;
        std::string Range = layerRange(Blocks[I].first, Last);
        for (size_t K = 0; K < Lines.size(); ++K) {
          const ir::Op &O = *Blocks[I].second[K];
          if (!JSON) {
            outs() << "  layers=" << left_justify(Range, 7) << ' ' << Lines[K] << "\n";
            continue;
          }
          ir::OpMetrics Mx = ir::metricsOf(O, M.W);
          json::Object J{{"stage", Stage},
                         {"layers", Range},
                         {"count", Blocks[I].first >= 0 ? int64_t(Last - Blocks[I].first + 1)
                                                        : int64_t(1)},
                         {"kernel", ir::opName(O.Kind)},
                         {"name", ir::roleName(O.R)},
                         {"devices", O.Devices},
                         {"redundancy", O.Redundancy},
                         {"weight_shards", O.WeightShards},
                         {"flops", Mx.Flops},
                         {"bytes", Mx.BytesMoved},
                         {"weight_bytes", Mx.WeightBytes}};
          if (O.isComm()) {
            J["group"] = ir::groupName(O.G);
            J["participants"] = O.Participants;
            J["link"] = ir::linkName(O.L);
            J["comm_bytes"] = Mx.CommBytes;
          } else {
            J["m"] = O.Tokens.eval(M.W);
            J["n"] = O.Out;
            J["k"] = O.In;
            if (O.Groups)
              J["groups"] = O.Groups;
            J["dtype"] = dtypeName(O.WeightType);
          }
          JKernels.push_back(std::move(J));
        }
        I = J;
      }
    }
    if (JSON)
      JMods.push_back(json::Object{{"model", M.Model.Name},
                                   {"phase", phaseName(M.W.P)},
                                   {"target", M.Tgt.str()},
                                   {"plan", M.Plan.str()},
                                   {"kernels", std::move(JKernels)}});
  }
  if (JSON)
    outs() << formatv("{0:2}", json::Value(json::Object{{"modules", std::move(JMods)}}))
           << "\n";
  return 0;
}

void ssc::driver::warnUnusedOptions(DiagnosticEngine &Diags, bool Compiles, bool Reports) {
  auto Warn = [&](const cl::Option &O, StringRef Where) {
    if (O.getNumOccurrences())
      Diags.warning("--" + O.ArgStr + " has no effect with this --emit; it applies to " +
                    Where);
  };
  // std::addressof: cl::list's operator& gives its storage, not the option.
  const cl::Option *CompileOpts[] = {
      std::addressof(PhaseOpt),         std::addressof(BatchOpt),
      std::addressof(IslOpt),           std::addressof(OslOpt),
      std::addressof(PrefixOpt),        std::addressof(KvLenOpt),
      std::addressof(PassesOpt),        std::addressof(PrintAfterAll),
      std::addressof(PrintAfter),       std::addressof(MlaOpt),
      std::addressof(FuseOpt),          std::addressof(RoutingOpt),
      std::addressof(WeightDTypeOpt),
      std::addressof(KvDTypeOpt),       std::addressof(AttnDTypeOpt),
      std::addressof(DispatchDTypeOpt), std::addressof(CombineDTypeOpt)};
  const cl::Option *ReportOpts[] = {std::addressof(ModeOpt), std::addressof(MaxBatchOpt),
                                    std::addressof(RequestsOpt),
                                    std::addressof(ProfileOpt), std::addressof(ProfileSet),
                                    std::addressof(ViewsOpt)};
  if (!Compiles)
    for (const cl::Option *O : CompileOpts)
      Warn(*O, "--emit=ir, --emit=kernels and --emit=report");
  if (!Reports)
    for (const cl::Option *O : ReportOpts)
      Warn(*O, "--emit=report");
}

bool ssc::driver::prepareProfile(DiagnosticEngine &Diags, SemaOptions &Opts) {
  if (!TheProfile) {
    TheProfile = cost::loadProfile(ProfileOpt, Diags);
    if (!TheProfile)
      return false;
    for (const std::string &KV : ProfileSet) {
      StringRef Key, Val;
      std::tie(Key, Val) = StringRef(KV).split('=');
      double D;
      if (Key.empty() || Val.getAsDouble(D)) {
        Diags.error("--profile-set takes name=number, not '" + KV + "'");
        return false;
      }
      // Only a declared parameter is read by the profile's rules; anything
      // else would be set and silently ignored.
      if (!TheProfile->Params.count(Key)) {
        Diags.error("--profile-set: profile '" + TheProfile->Name + "' has no parameter '" +
                    Key + "'" + TheProfile->undeclaredParamHint(Key));
        return false;
      }
      std::string Range = cost::Profile::paramRangeError(D);
      if (!Range.empty()) {
        Diags.error("--profile-set: '" + Key + "' " + Range);
        return false;
      }
      TheProfile->Params[Key] = D;
    }
  }
  if (!TheProfile->GpuTable.empty())
    Opts.CatalogPath = dataPath(TheProfile->GpuTable);
  return true;
}

int ssc::driver::emitReport(CompileInputs &In, bool JSON, bool CSV) {
  SemaOptions Unused;
  if (!prepareProfile(In.Diags, Unused))
    return 1;
  CompileOptions CO = compileOptionsFromFlags();
  // Counts of --mode=offline alone: given, they must be in range and the
  // mode offline (\p WhatItDoes says why not otherwise).
  auto OfflineCount = [&](const NumberOpt<int64_t> &Opt, const char *Name, const char *WhatItDoes) {
    if (!Opt.getNumOccurrences())
      return true;
    if (ModeOpt != ServingMode::Offline) {
      In.Diags.error(WhatItDoes);
      return false;
    }
    return checkCount(In.Diags, Name, Opt);
  };
  if (!OfflineCount(MaxBatchOpt, "max-batch",
                    "--max-batch caps the batch --mode=offline chooses; with the "
                    "phases mode, --batch sets it") ||
      !OfflineCount(RequestsOpt, "requests", "--requests sets a finite run of --mode=offline"))
    return 1;
  std::optional<report::OfflineResult> Offline;
  if (ModeOpt == ServingMode::Offline) {
    // Both phases at a batch of one, evaluated at the steady state's own
    // workloads; then the decode step is compiled again at its batch.
    std::vector<std::string> Given;
    for (auto [Opt, Name] : {std::pair<const cl::Option *, const char *>{&PhaseOpt, "--phase"},
                             {&BatchOpt, "--batch"},
                             {&KvLenOpt, "--kv-len"},
                             {&PrefixOpt, "--prefix"}})
      if (Opt->getNumOccurrences())
        Given.push_back(Name);
    if (!Given.empty()) {
      std::string Last = Given.back();
      Given.pop_back();
      In.Diags.error("--mode=offline chooses the batch and KV length itself and costs both "
                     "phases; drop " +
                     (Given.empty() ? Last : llvm::join(Given, ", ") + " and " + Last) +
                     " (--max-batch caps the batch)");
      return 1;
    }
    CO.Prefill = CO.Decode = true;
    CO.Batch = 1;
    CO.KvLen = CO.Isl + CO.Osl / 2;
    std::vector<ir::Module> Unit;
    if (!compileModules(In, CO, Unit))
      return 1;
    report::OfflineOptions OO;
    OO.Isl = CO.Isl;
    OO.Osl = CO.Osl;
    OO.MaxBatch = static_cast<double>(MaxBatchOpt);
    OO.Requests = RequestsOpt;
    Offline = report::evaluateOffline(Unit[0], Unit[1], *TheProfile, *In.T->Gpu, OO);
    if (!Offline->Fits) {
      In.Diags.error(report::describeNoFit(*Offline, CO.Isl + CO.Osl));
      return 1;
    }
    // The report's phase: the decode step at the steady state's batch.
    CO.Prefill = false;
    CO.Batch = static_cast<int64_t>(Offline->Batch);
  }
  std::vector<ir::Module> Mods;
  if (!compileModules(In, CO, Mods))
    return 1;
  const ir::Module *Prefill = nullptr, *Decode = nullptr;
  for (const ir::Module &M : Mods)
    (M.W.P == Phase::Prefill ? Prefill : Decode) = &M;

  report::WorkloadOptions Load;
  Load.Batch = CO.Batch;
  Load.Isl = CO.Isl;
  Load.Osl = CO.Osl;
  Load.Prefix = CO.Prefix;
  Load.KvLen = CO.KvLen;
  report::Report R =
      report::buildReport(Prefill, Decode, *TheProfile, *In.T->Gpu, Load);
  R.Offline = Offline;
  if (!In.Settings.empty())
    R.Notes.insert(R.Notes.begin(), "model " + In.M.Name + " with its hyperparameters changed: " +
                                        In.Settings + " (--set)");

  std::vector<std::string> Names(ViewsOpt.begin(), ViewsOpt.end());
  if (Names.empty()) {
    if (JSON)
      for (StringRef N : report::viewNames())
        Names.push_back(N.str());
    else if (CSV)
      Names = {"summary"};
    else
      Names = {"summary", "memory", "layers"};
  }
  std::vector<std::unique_ptr<report::View>> Views;
  for (const std::string &N : Names) {
    auto V = report::createView(N);
    if (!V) {
      In.Diags.error("unknown report view '" + N + "'; expected " +
                     joinAlternatives(report::viewNames()));
      return 1;
    }
    Views.push_back(std::move(V));
  }
  if (CSV && Views.size() != 1) {
    In.Diags.error("--format=csv prints one view; choose it with --views");
    return 1;
  }

  if (JSON) {
    outs() << formatv("{0:2}", report::reportToJSON(R, Views)) << "\n";
  } else if (CSV) {
    Views.front()->printCSV(R, outs());
  } else {
    for (size_t I = 0; I < Views.size(); ++I) {
      if (I)
        outs() << "\n";
      Views[I]->printText(R, outs());
    }
  }
  if (!R.Fits) {
    // Name the phase that does not fit, with its own numbers.
    bool Prefill = !R.PrefillFits && (R.DecodeFits || !R.Decode);
    const cost::MemoryUse &MU = Prefill ? R.PrefillMemory : R.Memory;
    std::string Phases = !R.PrefillFits && !R.DecodeFits ? "prefill and decode"
                         : Prefill                        ? "prefill"
                                                          : "decode";
    In.Diags.error("the batch of " + std::to_string(Load.Batch) +
                   (Load.Batch == 1 ? " sequence" : " sequences") +
                   " per replica does not fit in memory (" + Phases +
                   "): it needs " +
                   formatv("{0:f1}", MU.usedBytes(static_cast<double>(Load.Batch)) / 1e9).str() +
                   " GB of " + formatv("{0:f1}", MU.UsableBytes / 1e9).str() +
                   " GB usable per GPU; " + describeSequencesThatFit(MU.MaxBatch));
    return 1;
  }
  return 0;
}

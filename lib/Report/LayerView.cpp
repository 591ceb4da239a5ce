//===- LayerView.cpp - Per-layer and per-kernel breakdowns ----------------===//

#include "Views.h"

#include "ssc/IR/Printer.h"
#include "ssc/Support/Format.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <cmath>
#include <fmt/format.h>

using namespace ssc;
using namespace ssc::report;
using cost::Block;

namespace {

/// Consecutive layers of one kind and stage with the same costs.
struct LayerRun {
  const cost::LayerCost *First;
  int32_t Last;
  int64_t Count;
};

bool sameCost(const cost::LayerCost &A, const cost::LayerCost &B) {
  auto Near = [](double X, double Y) {
    return std::fabs(X - Y) <= 1e-9 * std::max({1.0, std::fabs(X), std::fabs(Y)});
  };
  if (A.Kind != B.Kind || A.Stage != B.Stage || A.Mtp != B.Mtp || !Near(A.TimeMs, B.TimeMs))
    return false;
  for (unsigned I = 0; I < cost::NumBlocks; ++I)
    if (!Near(A.BlockMs[I], B.BlockMs[I]))
      return false;
  return true;
}

std::vector<LayerRun> runs(const cost::PhaseCost &C) {
  std::vector<LayerRun> Out;
  for (const cost::LayerCost &L : C.Layers) {
    if (!Out.empty() && sameCost(*Out.back().First, L) && Out.back().Last + 1 == L.Layer) {
      Out.back().Last = L.Layer;
      ++Out.back().Count;
      continue;
    }
    Out.push_back({&L, L.Layer, 1});
  }
  return Out;
}

std::string range(const LayerRun &R) {
  return R.First->Layer == R.Last ? std::to_string(R.Last)
                                  : std::to_string(R.First->Layer) + "-" +
                                        std::to_string(R.Last);
}

const Block ShownBlocks[] = {Block::Attention, Block::Mlp, Block::Router, Block::Experts,
                             Block::SharedExperts};

class LayerView : public View {
public:
  llvm::StringRef name() const override { return "layers"; }

  void printText(const Report &R, llvm::raw_ostream &OS) const override {
    for (const PhaseRef &P : phasesOf(R)) {
      OS << "Layers (" << phaseName(P.P) << ", milliseconds per layer)\n";
      OS << fmt::format("  {:<9} {:<10} {:>5} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n",
                        "layers", "kind", "stage", "time", "compute", "exposed", "attention",
                        "mlp", "router", "experts", "shared", "bound");
      for (const LayerRun &LR : runs(*P.C)) {
        const cost::LayerCost &L = *LR.First;
        OS << fmt::format("  {:<9} {:<10} {:>5} {:>10} {:>10} {:>10}", range(LR),
                          P.M->Model.LayerKinds[L.Kind].Name + (L.Mtp ? "*" : ""),
                          L.Stage, fixed(L.TimeMs, 4), fixed(L.ComputeMs, 4),
                          fixed(L.ExposedCommMs, 4));
        for (Block B : ShownBlocks)
          OS << fmt::format(" {:>10}", fixed(L.BlockMs[static_cast<unsigned>(B)], 4));
        OS << "  " << boundName(L.Dominant) << "\n";
      }
      OS << fmt::format("  {:<9} {:<10} {:>5} {:>10}\n", "-", "(outside)", "-",
                        fixed(P.C->OutsideLayersMs, 4));
      OS << "  step " << formatMillis(P.C->StepMs);
      if (P.C->BubbleMs > 0)
        OS << " (pipeline bubble " << formatMillis(P.C->BubbleMs) << ")";
      OS << "\n";
    }
  }

  llvm::json::Value toJSON(const Report &R) const override {
    llvm::json::Object O;
    for (const PhaseRef &P : phasesOf(R)) {
      llvm::json::Array Rows;
      for (const LayerRun &LR : runs(*P.C)) {
        const cost::LayerCost &L = *LR.First;
        llvm::json::Object Blocks;
        for (Block B : ShownBlocks)
          Blocks[cost::blockName(B)] = L.BlockMs[static_cast<unsigned>(B)];
        llvm::json::Array Hides;
        for (size_t H = 0; H < L.HideCommMs.size(); ++H)
          Hides.push_back(llvm::json::Object{
              {"comm_ms", L.HideCommMs[H]},
              {"behind_ms", L.HideCommMs[H] - L.HideBalanceMs[H]},
              {"sm_sharing_ms", L.HideSmSharingMs[H]},
              {"balance_ms", L.HideBalanceMs[H]}});
        Rows.push_back(llvm::json::Object{
            {"layers", range(LR)},
            {"first", L.Layer},
            {"count", LR.Count},
            {"kind", P.M->Model.LayerKinds[L.Kind].Name},
            {"moe", P.M->Model.LayerKinds[L.Kind].isMoe()},
            {"mtp", L.Mtp},
            {"stage", static_cast<int64_t>(L.Stage)},
            {"time_ms", L.TimeMs},
            {"compute_ms", L.ComputeMs},
            {"comm_ms", L.CommMs},
            {"exposed_comm_ms", L.ExposedCommMs},
            {"comm_sm_tax_ms", L.SmTaxMs},
            {"blocks_ms", std::move(Blocks)},
            {"hide", std::move(Hides)},
            {"bound", boundName(L.Dominant)}});
      }
      llvm::json::Array Stages;
      for (double S : P.C->StageMs)
        Stages.push_back(S);
      O[phaseName(P.P)] = llvm::json::Object{{"step_ms", P.C->StepMs},
                                              {"stage_ms", std::move(Stages)},
                                              {"step_if_comm_hidden_ms", P.C->StepIfHiddenMs},
                                              {"outside_layers_ms", P.C->OutsideLayersMs},
                                              {"bubble_ms", P.C->BubbleMs},
                                              {"layers", std::move(Rows)}};
    }
    return O;
  }

  void printCSV(const Report &R, llvm::raw_ostream &OS) const override {
    OS << "phase,layers,count,kind,stage,time_ms,compute_ms,exposed_comm_ms,"
          "attention_ms,mlp_ms,router_ms,experts_ms,shared_ms,bound\n";
    for (const PhaseRef &P : phasesOf(R))
      for (const LayerRun &LR : runs(*P.C)) {
        const cost::LayerCost &L = *LR.First;
        OS << phaseName(P.P) << ',' << range(LR) << ',' << LR.Count << ','
           << P.M->Model.LayerKinds[L.Kind].Name << ',' << L.Stage << ','
           << fixed(L.TimeMs, 6) << ',' << fixed(L.ComputeMs, 6) << ','
           << fixed(L.ExposedCommMs, 6);
        for (Block B : ShownBlocks)
          OS << ',' << fixed(L.BlockMs[static_cast<unsigned>(B)], 6);
        OS << ',' << boundName(L.Dominant) << '\n';
      }
  }
};

/// Kernels of the first layer of each run, and of the ops outside layers.
struct KernelRow {
  const ir::Op *O;
  const cost::OpCost *C;
  std::string Layers;
  int64_t Count;
};

std::vector<KernelRow> kernelRows(const PhaseRef &P, bool CommOnly) {
  std::vector<KernelRow> Rows;
  // The ops of each layer, in module order, indexed once: scanning the whole
  // module per run would cost runs x ops (minutes for a 60000-layer stack).
  llvm::DenseMap<int32_t, llvm::SmallVector<size_t, 32>> OpsOf;
  for (size_t I = 0; I < P.M->Ops.size(); ++I) {
    const ir::Op &O = P.M->Ops[I];
    if (O.dialect() == ir::Dialect::Model || O.dialect() == ir::Dialect::NN)
      continue;
    if (CommOnly && !O.isComm() && P.C->Ops[I].CommMs == 0)
      continue;
    OpsOf[O.Layer].push_back(I);
  }
  auto Add = [&](int32_t Layer, const std::string &Range, int64_t Count) {
    auto It = OpsOf.find(Layer);
    if (It == OpsOf.end())
      return;
    for (size_t I : It->second)
      Rows.push_back({&P.M->Ops[I], &P.C->Ops[I], Range, Count});
  };
  Add(-1, "-", 1);
  for (const LayerRun &LR : runs(*P.C))
    Add(LR.First->Layer, range(LR), LR.Count);
  return Rows;
}

std::string shapeOf(const ir::Module &M, const ir::Op &O) {
  double T = O.Tokens.eval(M.W);
  auto N = [](double V) { return ir::formatNumber(V); };
  switch (O.Kind) {
  case ir::OpKind::Gemm:
    return "m=" + N(T) + " n=" + std::to_string(O.Out) + " k=" + std::to_string(O.In) +
           (O.Groups > 0 ? " batch=" + N(O.Groups) : "");
  case ir::OpKind::GroupedGemm:
    return "groups=" + N(O.Groups) + " m=" + N(T) + " n=" + std::to_string(O.Out) +
           " k=" + std::to_string(O.In);
  case ir::OpKind::FlashAttention:
  case ir::OpKind::PagedAttention:
  case ir::OpKind::MlaDecode:
    return "seqs=" + N(T) + " heads=" + std::to_string(O.Heads) +
           " kv=" + std::to_string(M.W.Context + M.W.Query);
  default:
    if (O.isComm())
      return std::string(ir::groupName(O.G)) + "/" + std::to_string(O.Participants) +
             " " + ir::linkName(O.L).str();
    return "m=" + N(T) + " n=" + std::to_string(O.Out ? O.Out : O.In);
  }
}

class KernelView : public View {
public:
  llvm::StringRef name() const override { return "kernels"; }

  void printText(const Report &R, llvm::raw_ostream &OS) const override {
    for (const PhaseRef &P : phasesOf(R)) {
      OS << "Kernels (" << phaseName(P.P)
         << "; time per layer, all micro-batches; layers of a run are identical)\n";
      OS << fmt::format("  {:<9} {:<22} {:<15} {:<36} {:>10} {:>12} {:>12}  {}\n",
                        "layers", "kernel", "name", "shape", "time_ms", "GFLOP", "MB", "bound");
      for (const KernelRow &K : kernelRows(P, false)) {
        if (K.C->TimeMs == 0 && !K.O->isComm())
          continue;
        OS << fmt::format("  {:<9} {:<22} {:<15} {:<36} {:>10} {:>12} {:>12}  {}{}\n",
                          K.Layers, ir::opName(K.O->Kind),
                          K.O->R == ir::Role::None ? "-" : ir::roleName(K.O->R).str(),
                          shapeOf(*P.M, *K.O), fixed(K.C->TimeMs, 4),
                          fixed(K.C->Flops / 1e9, 3),
                          fixed((K.O->isComm() ? K.C->CommBytes : K.C->Bytes) / 1e6, 3),
                          boundName(K.C->B), K.C->hidden() ? " (hidden)" : "");
      }
    }
  }

  llvm::json::Value toJSON(const Report &R) const override {
    llvm::json::Object O;
    for (const PhaseRef &P : phasesOf(R)) {
      llvm::json::Array Rows;
      for (const KernelRow &K : kernelRows(P, false))
        Rows.push_back(llvm::json::Object{{"layers", K.Layers},
                                          {"count", K.Count},
                                          {"kernel", ir::opName(K.O->Kind)},
                                          {"name", ir::roleName(K.O->R)},
                                          {"block", cost::blockName(K.C->Blk)},
                                          {"shape", shapeOf(*P.M, *K.O)},
                                          {"time_ms", K.C->TimeMs},
                                          {"compute_ms", K.C->ComputeMs},
                                          {"memory_ms", K.C->MemoryMs},
                                          {"comm_ms", K.C->CommMs},
                                          {"flops", K.C->Flops},
                                          {"bytes", K.C->Bytes},
                                          {"comm_bytes", K.C->CommBytes},
                                          {"executions", K.C->Executions},
                                          {"rate", dtypeName(K.C->Rate)},
                                          {"hidden", K.C->hidden()},
                                          {"bound", boundName(K.C->B)}});
      O[phaseName(P.P)] = std::move(Rows);
    }
    return O;
  }

  void printCSV(const Report &R, llvm::raw_ostream &OS) const override {
    OS << "phase,layers,count,kernel,name,block,shape,time_ms,compute_ms,memory_ms,"
          "comm_ms,flops,bytes,comm_bytes,bound\n";
    for (const PhaseRef &P : phasesOf(R))
      for (const KernelRow &K : kernelRows(P, false))
        OS << phaseName(P.P) << ',' << K.Layers << ',' << K.Count << ','
           << ir::opName(K.O->Kind) << ',' << ir::roleName(K.O->R) << ','
           << cost::blockName(K.C->Blk) << ',' << shapeOf(*P.M, *K.O) << ','
           << fixed(K.C->TimeMs, 6) << ',' << fixed(K.C->ComputeMs, 6) << ','
           << fixed(K.C->MemoryMs, 6) << ',' << fixed(K.C->CommMs, 6) << ','
           << fixed(K.C->Flops, 0) << ',' << fixed(K.C->Bytes, 0) << ','
           << fixed(K.C->CommBytes, 0) << ',' << boundName(K.C->B) << '\n';
  }
};

class CommView : public View {
public:
  llvm::StringRef name() const override { return "comm"; }

  void printText(const Report &R, llvm::raw_ostream &OS) const override {
    for (const PhaseRef &P : phasesOf(R)) {
      OS << "Communication (" << phaseName(P.P) << ", per layer)\n";
      OS << fmt::format("  {:<9} {:<20} {:<17} {:<6} {:>5} {:<10} {:>12} {:>10}  {}\n",
                        "layers", "collective", "name", "group", "n", "link", "MB",
                        "time_ms", "");
      bool Any = false;
      for (const KernelRow &K : kernelRows(P, true)) {
        Any = true;
        bool Synthetic = !K.O->isComm();
        OS << fmt::format("  {:<9} {:<20} {:<17} {:<6} {:>5} {:<10} {:>12} {:>10}  {}\n",
                          K.Layers,
                          Synthetic ? "all_reduce (profile)" : ir::opName(K.O->Kind).str(),
                          K.O->R == ir::Role::None ? "-" : ir::roleName(K.O->R).str(),
                          Synthetic ? "tp" : ir::groupName(K.O->G).str(),
                          Synthetic ? "-" : std::to_string(K.O->Participants),
                          Synthetic ? "scale_up" : ir::linkName(K.O->L).str(),
                          fixed(K.C->CommBytes / 1e6, 3),
                          fixed(Synthetic ? K.C->CommMs : K.C->TimeMs, 4),
                          !K.C->hidden() ? std::string()
                          : K.C->ExposedMs < 5e-5
                              ? std::string("hidden by two-batch overlap")
                              : "two-batch overlap hides all but " +
                                    fixed(K.C->ExposedMs, 4) + " ms");
      }
      if (!Any)
        OS << "  (none)\n";
      OS << "  total " << formatMillis(P.C->CommMs) << ", exposed "
         << formatMillis(P.C->ExposedCommMs) << "\n";
    }
  }

  llvm::json::Value toJSON(const Report &R) const override {
    llvm::json::Object O;
    for (const PhaseRef &P : phasesOf(R)) {
      llvm::json::Array Rows;
      for (const KernelRow &K : kernelRows(P, true)) {
        bool Synthetic = !K.O->isComm();
        llvm::json::Object Row{
            {"layers", K.Layers},
            {"count", K.Count},
            {"collective", Synthetic ? "comm.all_reduce" : ir::opName(K.O->Kind)},
            {"name", ir::roleName(K.O->R)},
            {"group", Synthetic ? "tp" : ir::groupName(K.O->G)},
            {"participants", Synthetic ? int64_t(0) : K.O->Participants},
            {"link", Synthetic ? "scale_up" : ir::linkName(K.O->L)},
            {"bytes", K.C->CommBytes},
            {"time_ms", Synthetic ? K.C->CommMs : K.C->TimeMs},
            {"hidden", K.C->hidden()}};
        // What two-batch overlap could not hide of a collective it hides.
        if (K.C->hidden())
          Row["exposed_ms"] = K.C->ExposedMs;
        Rows.push_back(std::move(Row));
      }
      O[phaseName(P.P)] = llvm::json::Object{{"total_ms", P.C->CommMs},
                                              {"exposed_ms", P.C->ExposedCommMs},
                                              {"collectives", std::move(Rows)}};
    }
    return O;
  }

  void printCSV(const Report &R, llvm::raw_ostream &OS) const override {
    OS << "phase,layers,count,collective,name,group,participants,link,bytes,time_ms,hidden\n";
    for (const PhaseRef &P : phasesOf(R))
      for (const KernelRow &K : kernelRows(P, true)) {
        if (!K.O->isComm())
          continue;
        OS << phaseName(P.P) << ',' << K.Layers << ',' << K.Count << ','
           << ir::opName(K.O->Kind) << ',' << ir::roleName(K.O->R) << ','
           << ir::groupName(K.O->G) << ',' << K.O->Participants << ','
           << ir::linkName(K.O->L) << ',' << fixed(K.C->CommBytes, 0) << ','
           << fixed(K.C->TimeMs, 6) << ',' << (K.C->hidden() ? 1 : 0) << '\n';
      }
  }
};

} // namespace

std::unique_ptr<View> ssc::report::createLayerView() {
  return std::make_unique<LayerView>();
}
std::unique_ptr<View> ssc::report::createKernelView() {
  return std::make_unique<KernelView>();
}
std::unique_ptr<View> ssc::report::createCommView() {
  return std::make_unique<CommView>();
}

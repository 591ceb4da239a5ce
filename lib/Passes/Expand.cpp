//===- Expand.cpp - Layer patterns to explicit layers ---------------------===//
//
// model.stack "3 x dense, 58 x moe" becomes 61 model.layer ops, numbered from
// 0; an MTP stack (when included) continues the numbering.
//
//===----------------------------------------------------------------------===//

#include "ssc/Passes/Pass.h"

using namespace ssc;
using namespace ssc::ir;

namespace {
class ExpandPass : public Pass {
public:
  llvm::StringRef getName() const override { return "expand"; }

  bool run(Module &M, DiagnosticEngine &) override {
    std::vector<Op> Out;
    Out.reserve(M.Ops.size() + M.Model.numLayers() + M.Model.MtpLayers.size());
    // Main layers first, so that MTP layers are numbered after them.
    for (const Op &O : M.Ops) {
      if (O.Kind != OpKind::ModelStack) {
        Out.push_back(O);
        continue;
      }
      const std::vector<unsigned> &Seq = O.Mtp ? M.Model.MtpLayers : M.Model.Layers;
      int32_t Base = O.Mtp ? static_cast<int32_t>(M.Model.numLayers()) : 0;
      for (size_t I = 0; I < Seq.size(); ++I) {
        Op L;
        L.Kind = OpKind::ModelLayer;
        L.Layer = Base + static_cast<int32_t>(I);
        L.LayerKind = static_cast<uint16_t>(Seq[I]);
        L.Mtp = O.Mtp;
        Out.push_back(L);
      }
    }
    M.Ops = std::move(Out);
    return true;
  }
};
} // namespace

std::unique_ptr<Pass> ssc::createExpandPass() { return std::make_unique<ExpandPass>(); }

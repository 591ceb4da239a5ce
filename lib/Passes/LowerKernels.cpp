//===- LowerKernels.cpp - Tensor ops to GPU kernels ------------------------===//
//
// Each nn op becomes the kernel a serving framework launches for it:
//   nn.linear          -> kernel.gemm (m = tokens, n = out, k = in; batched
//                         per head for MLA absorption)
//   nn.expert_linear   -> kernel.grouped_gemm (groups = local experts,
//                         m_per_group = average tokens per expert)
//   nn.attention       -> kernel.flash_attention (prefill, causal and window
//                         masks; MLA plain form), kernel.paged_attention
//                         (decode over a paged KV cache), kernel.mla_decode
//                         (MLA absorbed over the latent cache)
//   nn.norm            -> kernel.norm
//   nn.embedding       -> kernel.gather
//   rope, activation, residual, top-k, combine, permute -> kernel.elementwise
// Collectives pass through unchanged. Sizes stay symbolic in the workload, so
// kernel FLOPs and bytes (ir::metricsOf) follow the module's batch and
// lengths.
//
//===----------------------------------------------------------------------===//

#include "ssc/Passes/Pass.h"

using namespace ssc;
using namespace ssc::ir;

namespace {
class LowerKernelsPass : public Pass {
public:
  llvm::StringRef getName() const override { return "lower-kernels"; }

  bool run(Module &M, DiagnosticEngine &Diags) override {
    for (Op &O : M.Ops) {
      switch (O.Kind) {
      case OpKind::ModelEmbed:
      case OpKind::ModelStack:
      case OpKind::ModelLayer:
      case OpKind::ModelHead:
        Diags.error("lower-kernels runs on tensor ops; run 'expand' and "
                    "'decompose' first");
        return false;
      case OpKind::Embedding:
        O.Kind = OpKind::Gather;
        break;
      case OpKind::Norm:
        O.Kind = OpKind::NormKernel;
        break;
      case OpKind::Linear:
        O.Kind = OpKind::Gemm;
        break;
      case OpKind::ExpertLinear:
        O.Kind = OpKind::GroupedGemm;
        break;
      case OpKind::Rope:
      case OpKind::Activation:
      case OpKind::Residual:
      case OpKind::TopK:
      case OpKind::MoeCombine:
      case OpKind::MoePermute:
      case OpKind::Concat:
      case OpKind::Quantize:
        O.Kind = OpKind::Elementwise;
        break;
      case OpKind::Attention:
        if (O.Latent)
          O.Kind = OpKind::MlaDecode;
        else if (M.W.P == Phase::Decode && M.W.Query == 1)
          O.Kind = OpKind::PagedAttention;
        else
          O.Kind = OpKind::FlashAttention;
        break;
      default:
        break; // collectives and kernels stay
      }
    }
    return true;
  }
};
} // namespace

std::unique_ptr<Pass> ssc::createLowerKernelsPass() {
  return std::make_unique<LowerKernelsPass>();
}

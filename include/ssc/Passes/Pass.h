//===- Pass.h - Passes over an ir::Module -----------------------*- C++ -*-===//
//
// A pass is a small unit with a name that transforms one module. Passes are
// registered once (Passes.cpp) and run by a PassManager, alone or in a
// pipeline (`ssc --passes=expand,decompose`), with --print-after hooks for
// debugging, as in LLVM's opt.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_PASSES_PASS_H
#define SSC_PASSES_PASS_H

#include "ssc/IR/IR.h"
#include "ssc/Support/Diagnostics.h"

#include "llvm/ADT/ArrayRef.h"

#include <functional>
#include <memory>

namespace ssc {

class Pass {
public:
  virtual ~Pass() = default;
  /// The name used on the command line ("shard").
  virtual llvm::StringRef getName() const = 0;
  /// Runs on \p M; reports problems through \p Diags and returns false on
  /// error.
  virtual bool run(ir::Module &M, DiagnosticEngine &Diags) = 0;
};

struct PassInfo {
  llvm::StringRef Name;
  llvm::StringRef Description;
  std::unique_ptr<Pass> (*Create)();
};

/// Every pass, in pipeline order.
llvm::ArrayRef<PassInfo> registeredPasses();
const PassInfo *lookupPass(llvm::StringRef Name);

std::unique_ptr<Pass> createExpandPass();
std::unique_ptr<Pass> createDecomposePass();
std::unique_ptr<Pass> createShardPass();
std::unique_ptr<Pass> createLowerKernelsPass();

class PassManager {
public:
  using Callback = std::function<void(const Pass &, const ir::Module &)>;

  void add(std::unique_ptr<Pass> P) { Passes.push_back(std::move(P)); }
  /// Called after each pass that ran successfully.
  void setAfterPassCallback(Callback C) { After = std::move(C); }
  bool empty() const { return Passes.empty(); }
  size_t size() const { return Passes.size(); }

  /// Runs the passes in order; stops at the first that fails.
  bool run(ir::Module &M, DiagnosticEngine &Diags);

  /// Fills \p PM from "a,b,c"; reports unknown names. An empty \p Spec gives
  /// the default pipeline (all registered passes).
  static bool parsePipeline(llvm::StringRef Spec, PassManager &PM,
                            DiagnosticEngine &Diags);

private:
  std::vector<std::unique_ptr<Pass>> Passes;
  Callback After;
};

} // namespace ssc

#endif // SSC_PASSES_PASS_H

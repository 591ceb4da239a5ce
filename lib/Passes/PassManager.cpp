//===- PassManager.cpp - Pass registry and pipelines ----------------------===//

#include "ssc/Passes/Pass.h"

#include "llvm/ADT/SmallVector.h"

using namespace ssc;

llvm::ArrayRef<PassInfo> ssc::registeredPasses() {
  static const PassInfo Infos[] = {
      {"expand", "expand layer patterns into one model.layer op per layer",
       createExpandPass},
      {"decompose", "turn layers into the tensor ops of the workload",
       createDecomposePass},
      {"shard", "apply the parallel plan: per-device ops and collectives",
       createShardPass},
      {"lower-kernels", "turn tensor ops into GPU kernels with FLOPs and bytes",
       createLowerKernelsPass},
  };
  return Infos;
}

const PassInfo *ssc::lookupPass(llvm::StringRef Name) {
  for (const PassInfo &I : registeredPasses())
    if (I.Name == Name)
      return &I;
  return nullptr;
}

bool PassManager::run(ir::Module &M, DiagnosticEngine &Diags) {
  for (auto &P : Passes) {
    if (!P->run(M, Diags))
      return false;
    M.History.push_back(P->getName().str());
    if (After)
      After(*P, M);
  }
  return true;
}

bool PassManager::parsePipeline(llvm::StringRef Spec, PassManager &PM,
                                DiagnosticEngine &Diags) {
  if (Spec.trim().empty()) {
    for (const PassInfo &I : registeredPasses())
      PM.add(I.Create());
    return true;
  }
  llvm::SmallVector<llvm::StringRef, 8> Names;
  Spec.split(Names, ',');
  llvm::SmallVector<llvm::StringRef, 8> Known;
  for (const PassInfo &I : registeredPasses())
    Known.push_back(I.Name);
  bool Ok = true;
  for (llvm::StringRef N : Names) {
    N = N.trim();
    const PassInfo *I = lookupPass(N);
    if (!I) {
      Diags.error("unknown pass '" + N + "'" +
                  (didYouMean(N, Known).empty()
                       ? "; known passes: " + joinAlternatives(Known)
                       : didYouMean(N, Known)));
      Ok = false;
      continue;
    }
    PM.add(I->Create());
  }
  return Ok;
}

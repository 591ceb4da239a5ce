//===- SemaInternal.h - Sema's per-block builders ---------------*- C++ -*-===//
//
// Internal to lib/Sema: each builder turns one kind of block into a spec,
// reporting through the Reader.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_LIB_SEMA_SEMAINTERNAL_H
#define SSC_LIB_SEMA_SEMAINTERNAL_H

#include "Reader.h"

#include "ssc/Spec/Gpu.h"
#include "ssc/Spec/Model.h"
#include "ssc/Spec/Plan.h"

#include <functional>

namespace ssc::sema {

/// Builds a model from its block. Returns nullopt when errors were reported.
std::optional<ModelSpec> buildModel(Reader &R, const ast::Block &B);

/// Fills \p G from \p B on top of whatever \p G already holds (its base's
/// values for `gpu x extends y`).
bool buildGpu(Reader &R, const ast::Block &B, GpuSpec &G);
/// Checks that a GPU has the numbers the cost model needs.
bool checkGpuComplete(Reader &R, const GpuSpec &G);

std::optional<PlanSpec> buildPlan(Reader &R, const ast::Block &B);

/// Statement helpers shared by the builders.
const ast::Value *termValue(Reader &R, const ast::Term &T, llvm::StringRef Example);
bool termFlag(Reader &R, const ast::Term &T);
bool termCall(Reader &R, const ast::Term &T, llvm::ArrayRef<llvm::StringRef> Params,
              llvm::SmallVectorImpl<const ast::Value *> &Out);

} // namespace ssc::sema

#endif // SSC_LIB_SEMA_SEMAINTERNAL_H

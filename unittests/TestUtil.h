//===- TestUtil.h - Helpers shared by the unit tests ------------*- C++ -*-===//

#ifndef SSC_UNITTESTS_TESTUTIL_H
#define SSC_UNITTESTS_TESTUTIL_H

#include "ssc/Sema/Sema.h"
#include "ssc/Support/DataPaths.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace ssc::test {

/// Runs Sema over \p Text; keeps the SourceMgr alive with the program and
/// collects diagnostics in Errors.
struct Compiled {
  llvm::SourceMgr SM;
  std::string Errors;
  llvm::raw_string_ostream ErrStream{Errors};
  DiagnosticEngine Diags{SM, ErrStream};
  std::unique_ptr<Program> P;

  explicit Compiled(llvm::StringRef Text, bool WithCatalog = false) {
    SemaOptions Opts;
    if (WithCatalog)
      Opts.CatalogPath = dataPath("targets/gpus.arch");
    P = analyzeBuffer(llvm::MemoryBuffer::getMemBufferCopy(Text, "test.arch"),
                      Diags, Opts);
    ErrStream.flush();
  }
  const ModelSpec &model() const { return *P->InputModels.at(0); }
};

} // namespace ssc::test

#endif

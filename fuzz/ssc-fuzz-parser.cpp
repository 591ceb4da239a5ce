//===- ssc-fuzz-parser.cpp - libFuzzer harness for the parser and Sema ----===//
//
// Feeds arbitrary bytes through the whole front end: encoding checks, the
// ANTLR lexer and parser, the AST builder and Sema (names, imports, defaults,
// checks). Diagnostics go to a null stream; what the fuzzer looks for is a
// crash, a hang, a sanitizer report, or a broken invariant:
//
//   - an accepted input prints (--emit=ast) to text that is accepted again
//     and prints identically (print -> parse -> print is a fixed point);
//   - each accepted model printed with every default explicit (--emit=model)
//     is accepted again and prints identically, and so is each plan.
//
// Plans found in the input are also checked against its models and GPUs.
//
// Build and run: docs/testing.md ("Fuzzing").
//
//===----------------------------------------------------------------------===//

#include "ssc/AST/ASTPrinter.h"
#include "ssc/Sema/Sema.h"
#include "ssc/Spec/SpecPrinter.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace ssc;

namespace {

/// Runs Sema over \p Text. Returns null when it reports an error.
std::unique_ptr<Program> analyzeText(llvm::StringRef Text, DiagnosticEngine &Diags) {
  return analyzeBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(Text, "fuzz.arch"), Diags);
}

std::unique_ptr<Program> analyzeText(llvm::StringRef Text, llvm::SourceMgr &SM) {
  DiagnosticEngine Diags(SM, llvm::nulls());
  return analyzeText(Text, Diags);
}

std::string printInputs(const Program &P) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  for (size_t FI : P.InputFiles)
    ast::print(*P.Files[FI], OS);
  return OS.str();
}

std::string printModelText(const ModelSpec &M) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  printModel(M, OS);
  return OS.str();
}

std::string printPlanText(const PlanSpec &P) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  printPlan(P, OS);
  return OS.str();
}

[[noreturn]] void fail(const char *What, const std::string &A,
                       const std::string &B) {
  std::fprintf(stderr, "ssc-fuzz-parser: %s\n--- first ---\n%s\n--- second ---\n%s\n",
               What, A.c_str(), B.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Text(reinterpret_cast<const char *>(Data), Size);
  llvm::SourceMgr SM;
  DiagnosticEngine Diags(SM, llvm::nulls());
  Diags.setErrorLimit(0);
  std::unique_ptr<Program> P = analyzeText(Text, Diags);
  if (!P)
    return 0;

  // Every plan against every model, alone and on each GPU of the input with
  // the plan's GPU count.
  for (const ModelSpec &M : P->Models)
    for (const PlanSpec &Plan : P->Plans) {
      checkPlan(M, Plan, nullptr, Diags);
      for (const auto &G : P->Gpus) {
        Target T;
        T.Gpu = G.get();
        T.Count = Plan.Prefill.world();
        checkPlan(M, Plan, &T, Diags);
      }
    }

  // print -> parse -> print.
  std::string Printed = printInputs(*P);
  llvm::SourceMgr SM2;
  std::unique_ptr<Program> Again = analyzeText(Printed, SM2);
  if (!Again)
    fail("the printed input is rejected", Printed, "");
  std::string Reprinted = printInputs(*Again);
  if (Reprinted != Printed)
    fail("printing is not a fixed point", Printed, Reprinted);

  // Each model with its defaults explicit reads back to the same model.
  for (const ModelSpec *M : P->InputModels) {
    std::string Text1 = printModelText(*M);
    llvm::SourceMgr SM3;
    std::unique_ptr<Program> Q = analyzeText(Text1, SM3);
    if (!Q || Q->InputModels.size() != 1)
      fail("a printed model is rejected", Text1, "");
    std::string Text2 = printModelText(*Q->InputModels.front());
    if (Text2 != Text1)
      fail("a printed model does not print back identically", Text1, Text2);
  }
  for (const PlanSpec *Plan : P->InputPlans) {
    std::string Text1 = printPlanText(*Plan);
    llvm::SourceMgr SM3;
    std::unique_ptr<Program> Q = analyzeText(Text1, SM3);
    if (!Q || Q->InputPlans.size() != 1)
      fail("a printed plan is rejected", Text1, "");
    std::string Text2 = printPlanText(*Q->InputPlans.front());
    if (Text2 != Text1)
      fail("a printed plan does not print back identically", Text1, Text2);
  }
  return 0;
}

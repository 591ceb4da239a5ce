//===- Report.h - What a user reads: metrics and views -----------*- C++ -*-===//
//
// A Report is the costed result of compiling one model on one target under
// one plan and workload: both phases' costs, memory, and the serving metrics
// derived from them (TTFT, TPOT, tokens/s per user and per GPU). Views print
// one aspect each, as text, JSON or CSV, in the manner of llvm-mca's views:
// a new report is a new view, not a change to the core.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_REPORT_REPORT_H
#define SSC_REPORT_REPORT_H

#include "ssc/Cost/CostModel.h"
#include "ssc/Report/Serving.h"
#include "ssc/Report/Uncertainty.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>

namespace ssc::report {

/// The serving workload, as the user gave it.
struct WorkloadOptions {
  int64_t Batch = 1;  // sequences per data-parallel replica
  int64_t Isl = 1024; // prompt length
  int64_t Osl = 256;  // output length
  int64_t Prefix = 0; // prompt tokens already cached
  int64_t KvLen = -1; // decode KV length; -1: isl + osl / 2
  int64_t kvLen() const { return KvLen >= 0 ? KvLen : Isl + Osl / 2; }
};

struct Report {
  std::string ModelName;
  std::string TargetName;
  std::string GpuName;
  std::string PlanName;
  std::string ProfileName;
  WorkloadOptions Load;
  const ir::Module *Prefill = nullptr; // either may be absent
  const ir::Module *Decode = nullptr;
  cost::PhaseCost PrefillCost, DecodeCost;
  cost::MemoryUse Memory;        // decode's when there is a decode phase
  cost::MemoryUse PrefillMemory; // with the prompt's activations in flight
  int64_t GpusPerReplica = 1;
  int64_t Replicas = 1;
  int64_t Gpus = 1;

  // Metrics.
  double TtftMs = 0;
  double PrefillTokensPerSecPerGpu = 0;
  double TpotMs = 0;
  double TpotIfHiddenMs = 0; // with two-batch overlap's communication free
  double TokensPerSecPerUser = 0;
  double DecodeTokensPerSecPerGpu = 0;
  bool Fits = true; // both phases
  bool PrefillFits = true, DecodeFits = true;
  /// How far each phase's numbers are trusted (Uncertainty.h).
  Band PrefillBand, DecodeBand;
  /// The offline steady state (--mode=offline); the phases above are then
  /// costed at its batch.
  std::optional<OfflineResult> Offline;
  std::vector<std::string> Notes;
};

/// Costs the lowered modules (prefill and/or decode) and derives metrics.
Report buildReport(const ir::Module *Prefill, const ir::Module *Decode,
                   const cost::Profile &P, const GpuSpec &Gpu,
                   const WorkloadOptions &Load);

/// One aspect of a report.
class View {
public:
  virtual ~View() = default;
  virtual llvm::StringRef name() const = 0;
  virtual void printText(const Report &R, llvm::raw_ostream &OS) const = 0;
  virtual llvm::json::Value toJSON(const Report &R) const = 0;
  /// CSV header and rows.
  virtual void printCSV(const Report &R, llvm::raw_ostream &OS) const = 0;
};

/// The views, by name: summary, layers, kernels, memory, comm.
llvm::ArrayRef<llvm::StringRef> viewNames();
std::unique_ptr<View> createView(llvm::StringRef Name);

/// All requested views of a report as one JSON object.
llvm::json::Value reportToJSON(const Report &R,
                               llvm::ArrayRef<std::unique_ptr<View>> Views);

} // namespace ssc::report

#endif // SSC_REPORT_REPORT_H

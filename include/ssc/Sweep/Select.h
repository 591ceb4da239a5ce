//===- Select.h - Which points a sweep keeps --------------------*- C++ -*-===//
//
//   --sla "tpot<=50ms,ttft<=2s"   keep points that meet every bound
//   --pareto                      the frontier of throughput per GPU against
//                                 speed per user
//   --best                        the point of highest throughput per GPU for
//                                 each target (GPU kind and count)
//
// Throughput per GPU is decode tokens/s per GPU (prefill tokens/s per GPU in
// a prefill-only sweep); speed per user is decode tokens/s per user (the
// inverse of TTFT in a prefill-only sweep). Ties keep the earlier point.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SWEEP_SELECT_H
#define SSC_SWEEP_SELECT_H

#include "ssc/Sweep/Sweep.h"
#include "ssc/Sweep/Values.h"

#include <map>
#include <string>
#include <vector>

namespace ssc::sweep {

struct SlaBound {
  enum class Metric : uint8_t {
    Ttft,                // ms
    Tpot,                // ms
    TokensPerUser,       // decode tokens/s per user
    DecodeTokensPerGpu,  // decode tokens/s per GPU
    PrefillTokensPerGpu, // prefill tokens/s per GPU
  };
  Metric M = Metric::Tpot;
  bool Below = true; // <= or <; else >= or >
  bool Strict = false;
  double Value = 0;  // ms for times
  std::string Text;  // as written
};

/// Parses "tpot<=50ms,ttft<=2s,tps_user>=20".
bool parseSla(llvm::StringRef Text, std::vector<SlaBound> &Out, ValueError &Err);
/// Whether the phase a bound needs is swept ("ttft" needs prefill).
bool slaNeedsPrefill(const SlaBound &B);
/// The first bound \p M misses, or null.
const SlaBound *missedBound(const std::vector<SlaBound> &Bounds, const Metrics &M);

/// The objectives of --pareto and --best.
double throughputPerGpu(const Metrics &M, bool HasDecode);
double speedPerUser(const Metrics &M, bool HasDecode);

/// A candidate row: its objectives, its place in the sweep, its text.
struct Candidate {
  double X = 0, Y = 0; // throughput per GPU, speed per user
  uint64_t Index = 0;
  std::string Row;
  std::string Target; // --best: "h100x16"
};

/// The points no other point beats on both objectives.
class ParetoFrontier {
public:
  /// Whether a point at (X, Y) would join the frontier now.
  bool wouldJoin(double X, double Y) const;
  /// Adds a point; returns false when an earlier point dominates or equals it.
  bool add(Candidate C);
  /// The frontier from the highest speed per user to the highest throughput.
  std::vector<Candidate> take();
  size_t size() const { return ByX.size(); }

private:
  std::map<double, Candidate> ByX; // X ascending, Y descending
};

/// The best point of each target, in the order targets first appear.
class BestPerTarget {
public:
  /// Whether a point of \p Target at \p X would be the target's best now.
  bool wouldWin(const std::string &Target, double X) const;
  void add(Candidate C);
  std::vector<Candidate> take();

private:
  std::vector<std::string> Order;
  std::map<std::string, Candidate> Best;
};

} // namespace ssc::sweep

#endif // SSC_SWEEP_SELECT_H

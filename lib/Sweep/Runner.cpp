//===- Runner.cpp - Running a sweep: threads, order, progress -------------===//

#include "ssc/Sweep/Runner.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace llvm;
using namespace ssc;
using namespace ssc::sweep;

using Clock = std::chrono::steady_clock;

static double secondsSince(Clock::time_point T) {
  return std::chrono::duration<double>(Clock::now() - T).count();
}

std::pair<uint64_t, uint64_t> ssc::sweep::shardRange(uint64_t N, uint64_t Shard,
                                                     uint64_t Shards) {
  // (Shard - 1) * N / Shards without overflowing.
  auto Cut = [&](uint64_t K) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(N) * K) / Shards);
  };
  return {Cut(Shard - 1), Cut(Shard)};
}

static constexpr size_t MaxReasons = 100;

void RunStats::merge(const RunStats &O) {
  Points += O.Points;
  Rows += O.Rows;
  for (unsigned S = 0; S < NumStatuses; ++S) {
    Count[S] += O.Count[S];
    for (const auto &[R, N] : O.Reasons[S]) {
      auto It = Reasons[S].find(R);
      if (It != Reasons[S].end())
        It->second += N;
      else if (Reasons[S].size() < MaxReasons)
        Reasons[S].emplace(R, N);
    }
  }
  LongerThanContext += O.LongerThanContext;
  LowerSeconds += O.LowerSeconds;
  EvalSeconds += O.EvalSeconds;
  OutputSeconds += O.OutputSeconds;
}

namespace {

/// What one block of points produced.
struct Block {
  std::string Text;
  RunStats Stats;
  std::vector<Candidate> Cands;
};

class BlockRunner {
public:
  BlockRunner(const SweepContext &Ctx, const RunOptions &Opts, const RowWriter &W)
      : Ctx(Ctx), Opts(Opts), W(W), E(Ctx) {}

  void run(uint64_t Begin, uint64_t End, Block &B) {
    Clock::time_point Start = Clock::now();
    double LowerBefore = E.lowerSeconds();
    if (E.index() != Begin)
      E.seek(Begin);
    ParetoFrontier Frontier;
    BestPerTarget Best;
    bool HasDecode = Ctx.hasDecode();
    for (uint64_t I = Begin; I < End; ++I, E.next()) {
      E.evaluate(P, Opts.KeepInvalid);
      ++B.Stats.Points;
      if (P.S == Status::Ok && !Opts.Sla.empty())
        if (const SlaBound *Miss = missedBound(Opts.Sla, P.M)) {
          P.S = Status::Sla;
          if (Opts.KeepInvalid)
            P.Reason = "misses " + Miss->Text;
        }
      ++B.Stats.Count[static_cast<unsigned>(P.S)];
      B.Stats.LongerThanContext += P.LongerThanContext;
      if (P.S == Status::InvalidModel || P.S == Status::InvalidPlan ||
          P.S == Status::InvalidWorkload) {
        auto &Reasons = B.Stats.Reasons[static_cast<unsigned>(P.S)];
        auto It = Reasons.find(P.Reason);
        if (It != Reasons.end())
          ++It->second;
        else if (Reasons.size() < MaxReasons)
          Reasons.emplace(P.Reason, 1);
      }
      switch (Opts.Select) {
      case Selection::All:
        if (P.S == Status::Ok || Opts.KeepInvalid) {
          format(B.Text);
          ++B.Stats.Rows;
        }
        break;
      case Selection::Pareto:
        if (P.S == Status::Ok) {
          double X = throughputPerGpu(P.M, HasDecode), Y = speedPerUser(P.M, HasDecode);
          if (Frontier.wouldJoin(X, Y)) {
            Candidate C{X, Y, P.Index, {}, {}};
            format(C.Row);
            Frontier.add(std::move(C));
          }
        }
        break;
      case Selection::Best:
        if (P.S == Status::Ok) {
          double X = throughputPerGpu(P.M, HasDecode);
          std::string Target = P.Gpu->Name + "x" + std::to_string(P.Gpus);
          if (Best.wouldWin(Target, X)) {
            Candidate C{X, speedPerUser(P.M, HasDecode), P.Index, {}, Target};
            format(C.Row);
            Best.add(std::move(C));
          }
        }
        break;
      }
    }
    if (Opts.Select == Selection::Pareto)
      B.Cands = Frontier.take();
    if (Opts.Select == Selection::Best)
      B.Cands = Best.take();
    double Lower = E.lowerSeconds() - LowerBefore;
    B.Stats.LowerSeconds = Lower;
    B.Stats.OutputSeconds = OutputSeconds;
    B.Stats.EvalSeconds = secondsSince(Start) - Lower - OutputSeconds;
    OutputSeconds = 0;
  }

  uint64_t modulesLowered() const { return E.modulesLowered(); }

private:
  const SweepContext &Ctx;
  const RunOptions &Opts;
  const RowWriter &W;
  PointEvaluator E;
  PointResult P;
  double OutputSeconds = 0;

  void format(std::string &Out) {
    if (!Opts.Time) {
      W.row(P, Out);
      return;
    }
    Clock::time_point T = Clock::now();
    W.row(P, Out);
    OutputSeconds += secondsSince(T);
  }
};

/// The calling thread's side: rows in order, candidates, progress.
class Collector {
public:
  Collector(const RunOptions &Opts, raw_ostream &Out, raw_ostream &Progress,
            uint64_t Total)
      : Opts(Opts), Out(Out), Progress(Progress), Total(Total),
        Tty(Progress.is_displayed()) {}

  Clock::time_point Start = Clock::now();
  RunStats Stats;

  void consume(Block &B) {
    Out << B.Text;
    Stats.merge(B.Stats);
    if (Opts.Select == Selection::Pareto)
      for (Candidate &C : B.Cands)
        Frontier.add(std::move(C));
    if (Opts.Select == Selection::Best)
      for (Candidate &C : B.Cands)
        Best.add(std::move(C));
    progress(false);
  }

  void finish() {
    std::vector<Candidate> Rows;
    if (Opts.Select == Selection::Pareto)
      Rows = Frontier.take();
    if (Opts.Select == Selection::Best)
      Rows = Best.take();
    // The frontier from the highest throughput per GPU to the fastest per
    // user (take() gives it the other way round).
    if (Opts.Select == Selection::Pareto)
      std::reverse(Rows.begin(), Rows.end());
    for (const Candidate &C : Rows)
      Out << C.Row;
    if (Opts.Select != Selection::All)
      Stats.Rows = Rows.size();
    Out.flush();
    Stats.WallSeconds = secondsSince(Start);
    progress(true);
  }

private:
  const RunOptions &Opts;
  raw_ostream &Out;
  raw_ostream &Progress;
  uint64_t Total;
  bool Tty;
  bool Shown = false;
  double LastShown = 0;
  ParetoFrontier Frontier;
  BestPerTarget Best;

  void progress(bool Done) {
    double T = secondsSince(Start);
    if (!Done && T < Opts.ProgressAfterSeconds)
      return;
    if (Done && !Shown)
      return;
    if (!Done && Shown && T - LastShown < (Tty ? 0.25 : 5.0))
      return;
    Shown = true;
    LastShown = T;
    uint64_t N = Stats.Points;
    double Pct = Total ? 100.0 * static_cast<double>(N) / static_cast<double>(Total) : 100;
    std::string Line =
        fmt::format("ssc sweep: {} of {} points ({:.0f}%), {:.1f} s", N, Total, Pct, T);
    if (!Done && N > 0 && N < Total)
      Line += fmt::format(", about {:.1f} s left",
                          T / static_cast<double>(N) * static_cast<double>(Total - N));
    if (Tty)
      Progress << "\r" << Line << "\x1b[K" << (Done ? "\n" : "");
    else
      Progress << Line << "\n";
    Progress.flush();
  }
};

} // namespace

RunStats ssc::sweep::runSweep(const SweepContext &Ctx, const RunOptions &Opts,
                              raw_ostream &Out, raw_ostream &Progress) {
  RowWriter W(Ctx, Opts.F, Opts.KeepInvalid);
  uint64_t N = Ctx.Spec->numPoints().value_or(0);
  auto [Begin, End] = shardRange(N, Opts.Shard, Opts.Shards);
  uint64_t Count = End - Begin;

  // Threads pay off from about a thousand points: by then lowering the
  // configurations or costing the points outweighs starting them.
  unsigned Jobs = Opts.Jobs;
  if (!Jobs)
    Jobs = Count >= 1024 ? std::max(1u, std::thread::hardware_concurrency()) : 1;
  uint64_t BlockSize =
      Jobs == 1 ? 4096
                : std::clamp<uint64_t>(Count / (uint64_t(Jobs) * 8), 512, 16384);
  uint64_t NumBlocks = (Count + BlockSize - 1) / BlockSize;

  Collector C(Opts, Out, Progress, Count);
  if (Opts.Header) {
    std::string H;
    W.header(H);
    Out << H;
  }
  auto Range = [&](uint64_t B) {
    return std::pair<uint64_t, uint64_t>{Begin + B * BlockSize,
                                         std::min(End, Begin + (B + 1) * BlockSize)};
  };
  uint64_t Lowered = 0;

  if (Jobs == 1) {
    BlockRunner R(Ctx, Opts, W);
    for (uint64_t B = 0; B < NumBlocks; ++B) {
      Block Blk;
      auto [Lo, Hi] = Range(B);
      R.run(Lo, Hi, Blk);
      C.consume(Blk);
    }
    Lowered = R.modulesLowered();
  } else {
    std::mutex Mu;
    std::condition_variable WorkCv, DoneCv;
    const uint64_t Window = uint64_t(Jobs) * 4;
    std::vector<Block> Ring(Window);
    std::vector<char> Ready(Window, 0);
    uint64_t Next = 0, Written = 0;
    std::vector<std::thread> Threads;
    for (unsigned J = 0; J < Jobs; ++J)
      Threads.emplace_back([&]() {
        BlockRunner R(Ctx, Opts, W);
        while (true) {
          uint64_t B;
          {
            std::unique_lock<std::mutex> L(Mu);
            WorkCv.wait(L, [&]() { return Next >= NumBlocks || Next < Written + Window; });
            if (Next >= NumBlocks)
              break;
            B = Next++;
          }
          Block Blk;
          auto [Lo, Hi] = Range(B);
          R.run(Lo, Hi, Blk);
          {
            std::lock_guard<std::mutex> L(Mu);
            Ring[B % Window] = std::move(Blk);
            Ready[B % Window] = 1;
          }
          DoneCv.notify_all();
        }
        std::lock_guard<std::mutex> L(Mu);
        Lowered += R.modulesLowered();
      });
    for (uint64_t B = 0; B < NumBlocks; ++B) {
      Block Blk;
      {
        std::unique_lock<std::mutex> L(Mu);
        DoneCv.wait(L, [&]() { return Ready[B % Window] != 0; });
        Blk = std::move(Ring[B % Window]);
        Ready[B % Window] = 0;
        Written = B + 1;
      }
      WorkCv.notify_all();
      C.consume(Blk);
    }
    for (std::thread &T : Threads)
      T.join();
  }
  C.finish();
  C.Stats.ModulesLowered = Lowered;
  C.Stats.Threads = Jobs;
  return C.Stats;
}

void ssc::sweep::printSummary(const RunStats &S, const RunOptions &Opts,
                              const SweepContext &Ctx, raw_ostream &OS) {
  OS << "ssc sweep: " << S.Points << " point" << (S.Points == 1 ? "" : "s");
  if (Opts.Shards > 1)
    OS << " (shard " << Opts.Shard << " of " << Opts.Shards << ")";
  OS << ", " << S.Rows << " row" << (S.Rows == 1 ? "" : "s");
  if (Opts.Select == Selection::Pareto)
    OS << " on the Pareto frontier of " << S.Count[0] << " valid points";
  if (Opts.Select == Selection::Best)
    OS << ", the best of " << S.Count[0] << " valid points";
  OS << "\n";
  static const char *What[NumStatuses][2] = {
      {"", ""},
      {"has an invalid model", "have an invalid model"},
      {"has an invalid plan", "have an invalid plan"},
      {"has an invalid workload", "have an invalid workload"},
      {"does not fit in memory", "do not fit in memory"},
      {"misses the SLA", "miss the SLA"},
  };
  for (unsigned I = 1; I < NumStatuses; ++I) {
    if (!S.Count[I])
      continue;
    OS << "ssc sweep: " << S.Count[I] << " point" << (S.Count[I] == 1 ? " " : "s ")
       << What[I][S.Count[I] == 1 ? 0 : 1]
       << (Opts.KeepInvalid ? "" : " (no row; --keep-invalid shows them)")
       << (S.Reasons[I].empty() ? "" : ":") << "\n";
    // The most common reasons first.
    std::vector<std::pair<uint64_t, std::string>> Rs;
    for (const auto &[R, N] : S.Reasons[I])
      Rs.push_back({N, R});
    std::stable_sort(Rs.begin(), Rs.end(),
                     [](const auto &A, const auto &B) { return A.first > B.first; });
    uint64_t Shown = 0;
    for (size_t K = 0; K < Rs.size() && K < 10; ++K) {
      OS << fmt::format("ssc sweep:   {:>8}  {}\n", Rs[K].first, Rs[K].second);
      Shown += Rs[K].first;
    }
    if (!Rs.empty() && Shown < S.Count[I])
      OS << fmt::format("ssc sweep:   {:>8}  for other reasons\n", S.Count[I] - Shown);
  }
  if (S.LongerThanContext)
    OS << "ssc sweep: warning: " << S.LongerThanContext
       << " points have sequences longer than model '" << Ctx.Model->Name
       << "''s context of " << Ctx.Model->MaxContext << " tokens\n";
  if (Opts.Time)
    OS << fmt::format("ssc sweep: time: lowering {:.3f} ms ({} modules), evaluation "
                      "{:.3f} ms, output {:.3f} ms, wall {:.3f} ms on {} thread{}\n",
                      S.LowerSeconds * 1e3, S.ModulesLowered, S.EvalSeconds * 1e3,
                      S.OutputSeconds * 1e3, S.WallSeconds * 1e3, S.Threads,
                      S.Threads == 1 ? "" : "s");
}

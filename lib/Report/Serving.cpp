//===- Serving.cpp - The offline steady state -----------------------------===//

#include "ssc/Report/Serving.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <deque>
#include <limits>
#include <map>

using namespace ssc;
using namespace ssc::report;
using ir::OpKind;

namespace {

bool isAttention(const ir::Op &O) {
  return O.Kind == OpKind::FlashAttention || O.Kind == OpKind::PagedAttention ||
         O.Kind == OpKind::MlaDecode;
}

/// Ops whose work does not follow the step's token count: attention (its
/// shapes are per sequence) and the output head (logits for decoded tokens
/// only; a prompt chunk needs none until its last token).
bool perSequence(const ir::Op &O) {
  return isAttention(O) || cost::blockOf(O) == cost::Block::Head;
}

/// The pipeline stage of each layer of \p M.
std::vector<uint16_t> layerStages(const ir::Module &M) {
  std::vector<uint16_t> Stage;
  for (const ir::Op &O : M.Ops)
    if (O.Layer >= 0) {
      if (static_cast<size_t>(O.Layer) >= Stage.size())
        Stage.resize(static_cast<size_t>(O.Layer) + 1, 0);
      Stage[static_cast<size_t>(O.Layer)] = O.Stage;
    }
  return Stage;
}

/// Per pipeline stage of the steady state, the time of the ops of \p M
/// that \p Pred selects. A layer's ops count in the stage \p LayerStage
/// gives it (the decode plan's, which the steady state runs, even for the
/// prefill module's ops); ops outside layers in their own stage.
std::vector<double> stageTimes(const ir::Module &M, const cost::PhaseCost &C,
                               bool (*Pred)(const ir::Op &),
                               const std::vector<uint16_t> &LayerStage, size_t Stages) {
  std::vector<double> T(Stages, 0.0);
  for (size_t I = 0; I < M.Ops.size() && I < C.Ops.size(); ++I) {
    const ir::Op &O = M.Ops[I];
    if (!Pred(O))
      continue;
    size_t L = static_cast<size_t>(O.Layer);
    size_t S = O.Layer >= 0 && L < LayerStage.size() ? LayerStage[L] : O.Stage;
    T[std::min(S, Stages - 1)] += C.Ops[I].TimeMs;
  }
  return T;
}

/// Time of the compute-bound and of the other kernels among the ops of
/// \p M that \p Pred selects, times \p Scale, added to \p Compute and
/// \p Other.
void tallyBounds(const ir::Module &M, const cost::PhaseCost &C, bool (*Pred)(const ir::Op &),
                 double Scale, double &Compute, double &Other) {
  for (size_t I = 0; I < M.Ops.size() && I < C.Ops.size(); ++I)
    if (Pred(M.Ops[I]) && !M.Ops[I].isComm() && M.Ops[I].dialect() == ir::Dialect::Kernel)
      (C.Ops[I].B == cost::Bound::Compute ? Compute : Other) += Scale * C.Ops[I].TimeMs;
}

bool always(const ir::Op &) { return true; }
bool notPerSequence(const ir::Op &O) { return !perSequence(O); }

/// The replica's step time at any mix of decoding sequences and prompt
/// tokens, costed as the steady state's steps are (the decode module at all
/// the step's tokens, attention and head at their real shapes), with the
/// cost model evaluated on a grid of token counts and interpolated.
class StepCostGrid {
public:
  StepCostGrid(const cost::CostModel &CD, const ir::Module &Decode, ir::Workload W,
               int64_t PlanMicro, int64_t Micro, size_t Stages,
               const std::vector<uint16_t> &LayerStage, std::vector<double> PreAttn,
               double Isl, double MaxTokens)
      : Micro(Micro), Stages(Stages), PreAttn(std::move(PreAttn)), Isl(Isl) {
    for (double N = 1;; N = std::max(N + 1, std::round(N * 1.5))) {
      N = std::min(N, MaxTokens);
      W.Batch = std::max<int64_t>(1, std::llround(N)) * PlanMicro;
      cost::PhaseCost C = CD.evaluate(Decode, W);
      Tokens.push_back(N);
      Stage.push_back(C.StageMs);
      PerSeq.push_back(stageTimes(Decode, C, perSequence, LayerStage, Stages));
      if (N >= MaxTokens)
        break;
    }
  }

  /// A step of the replica with \p D sequences decoding and \p P prompt
  /// tokens, spread over its micro-batches.
  double stepMs(double D, double P) const {
    double Md = static_cast<double>(Micro);
    double DPer = D / Md, PPer = P / Md;
    llvm::SmallVector<double, 8> S(Stages); // no allocation per simulated step
    for (size_t I = 0; I < Stages; ++I)
      S[I] = at(Stage, DPer + PPer, I, false) - at(PerSeq, DPer + PPer, I, true) +
             at(PerSeq, DPer, I, true) + PPer / Isl * PreAttn[I];
    return cost::CostModel::pipelinePeriod(S, Micro);
  }

private:
  /// Stage \p I of \p X at \p N tokens: linear between grid points, and
  /// beyond the last; below one token, the one-token value (\p ToZero: down
  /// to nothing at none).
  double at(const std::vector<std::vector<double>> &X, double N, size_t I,
            bool ToZero) const {
    if (N <= 0)
      return ToZero ? 0 : X.front()[I];
    if (N <= Tokens.front())
      return ToZero ? X.front()[I] * N / Tokens.front() : X.front()[I];
    if (Tokens.size() == 1)
      return X.back()[I];
    // The segment [K - 1, K] holding N, the last one beyond the grid.
    size_t K = std::min<size_t>(
        std::lower_bound(Tokens.begin() + 1, Tokens.end(), N) - Tokens.begin(),
        Tokens.size() - 1);
    double A = Tokens[K - 1], B = Tokens[K];
    return X[K - 1][I] + (X[K][I] - X[K - 1][I]) * (N - A) / (B - A);
  }

  int64_t Micro;
  size_t Stages;
  std::vector<double> PreAttn;
  double Isl;
  std::vector<double> Tokens;
  std::vector<std::vector<double>> Stage, PerSeq;
};

/// One replica serving \p N requests queued at once: at most \p Cap in
/// flight, \p Budget tokens per step (decodes and prompt tokens; 0: no
/// budget), prompts admitted as slots free and prefilled whole where they
/// fit beside the decodes, the first one chunked where none does. Returns
/// the milliseconds to the last token; with \p SteadyRate, also the output
/// tokens per millisecond between a quarter and three quarters of the
/// requests admitted (the run's middle).
double simulateRun(int64_t N, int64_t Cap, int64_t Budget, int64_t Isl, int64_t Osl,
                   const StepCostGrid &G, double *SteadyRate = nullptr) {
  int64_t Queue = N, Decoding = 0, Running = 0, Step = 0;
  std::deque<int64_t> Prefilling; // prompt tokens left, in admission order
  std::map<int64_t, int64_t> Finish; // step -> sequences whose last token it is
  double T = 0, Produced = 0;
  double MarkT = -1, MarkTokens = 0;
  auto EndStep = [&](int64_t First) {
    auto It = Finish.find(Step);
    if (It != Finish.end()) {
      Decoding -= It->second;
      Running -= It->second;
      Finish.erase(It);
    }
    if (First > 0) {
      if (Osl > 1) {
        Decoding += First;
        Finish[Step + Osl - 1] += First;
      } else {
        Running -= First;
      }
    }
    ++Step;
  };
  while (Queue > 0 || Running > 0) {
    if (SteadyRate) {
      if (MarkT < 0 && Queue <= N - N / 4) {
        MarkT = T;
        MarkTokens = Produced;
      } else if (MarkT >= 0 && Queue <= N / 4 && *SteadyRate == 0 && T > MarkT)
        *SteadyRate = (Produced - MarkTokens) / (T - MarkT);
    }
    while (Queue > 0 && Running < Cap) {
      Prefilling.push_back(Isl);
      --Queue;
      ++Running;
    }
    int64_t Room = Budget > 0 ? Budget - Decoding : std::numeric_limits<int64_t>::max();
    int64_t P = 0, First = 0;
    while (!Prefilling.empty() && Room > 0) {
      int64_t &Left = Prefilling.front();
      if (Left <= Room) {
        Room -= Left;
        P += Left;
        Prefilling.pop_front();
        ++First;
        continue;
      }
      // A prompt that does not fit beside the decodes: chunked when nothing
      // else prefills in this step or it is already under way, else it waits.
      if (P == 0 || Left < Isl) {
        Left -= Room;
        P += Room;
      }
      break;
    }
    double Dt = G.stepMs(static_cast<double>(Decoding), static_cast<double>(P));
    if (P == 0 && Prefilling.empty() && (Queue == 0 || Running >= Cap) && !Finish.empty()) {
      // Only decodes until the next sequences finish: identical steps.
      int64_t K = Finish.begin()->first - Step + 1;
      T += Dt * static_cast<double>(K);
      Produced += static_cast<double>(Decoding) * static_cast<double>(K);
      Step = Finish.begin()->first;
      EndStep(0);
      continue;
    }
    T += Dt;
    Produced += static_cast<double>(Decoding + First);
    EndStep(First);
  }
  return T;
}

void addNotes(std::vector<std::string> &Out, const std::vector<std::string> &In) {
  for (const std::string &S : In)
    if (!llvm::is_contained(Out, S))
      Out.push_back(S);
}

} // namespace

OfflineResult ssc::report::evaluateOffline(const ir::Module &Prefill,
                                           const ir::Module &Decode,
                                           const cost::Profile &P, const GpuSpec &Gpu,
                                           const OfflineOptions &Opts) {
  cost::CostModel CD(P, Gpu), CP(P, Gpu);
  CD.prepare(Decode);
  CP.prepare(Prefill);
  return evaluateOffline(Prefill, Decode, CP, CD, Opts);
}

OfflineResult ssc::report::evaluateOffline(const ir::Module &Prefill, const ir::Module &Decode,
                                           const cost::CostModel &CP, const cost::CostModel &CD,
                                           const OfflineOptions &Opts) {
  const cost::Profile &P = CD.profile();
  const GpuSpec &Gpu = CD.gpu();
  OfflineResult R;
  const PhasePlan &Pl = Decode.Plan;
  R.Gpus = Pl.world();
  R.Replicas = Pl.DP;
  double Isl = static_cast<double>(Opts.Isl), Osl = static_cast<double>(Opts.Osl);

  // Pipeline stages: the scheduler keeps one micro-batch per stage in
  // flight (TensorRT-LLM's PyExecutor and SGLang run pp_size micro-batches,
  // vLLM as many virtual engines), or the plan's micro_batches if more.
  size_t Stages = static_cast<size_t>(std::max<int64_t>(1, Pl.PP));
  int64_t Micro = Stages > 1 ? std::max<int64_t>(Pl.PP, Pl.MicroBatches) : 1;

  // The batch: what memory holds with every sequence's full KV reserved
  // (no eviction), up to the scheduler's caps, which bound each of its
  // iterations, so each micro-batch (a cap given in the options bounds the
  // replica).
  R.Memory = CD.memory(Decode, 1, P.Memory.KvForFullSequence ? Isl + Osl
                                                             : Isl + Osl / 2);
  double Cap = Opts.MaxBatch > 0 ? Opts.MaxBatch
                                 : P.Serving.MaxBatch * static_cast<double>(Micro);
  double B = std::floor(R.Memory.MaxBatch);
  R.BatchLimit = "memory";
  if (Cap > 0 && Cap < B) {
    B = Cap;
    R.BatchLimit = "max batch";
  }
  // A step holds b decoded tokens and b * isl / osl prompt tokens: a token
  // budget per step bounds the batch that prefill can keep refilled.
  if (P.Serving.MaxTokensPerStep > 0) {
    double ByTokens = std::floor(P.Serving.MaxTokensPerStep / (1 + Isl / Osl)) *
                      static_cast<double>(Micro);
    if (ByTokens < B) {
      B = ByTokens;
      R.BatchLimit = "tokens per step";
    }
  }
  if (B < 1) {
    R.Fits = false;
    return R;
  }
  R.Fits = true;
  R.Batch = B;
  R.Memory = CD.memory(Decode, B, P.Memory.KvForFullSequence ? Isl + Osl : Isl + Osl / 2);
  // Every micro-batch holds at least one sequence.
  Micro = std::max<int64_t>(1, std::min<int64_t>(Micro, static_cast<int64_t>(B)));
  R.MicroBatches = Micro;
  double Bm = B / static_cast<double>(Micro); // sequences per micro-batch

  // Prompt tokens prefilled per step of a micro-batch, on average, to
  // replace the b / osl sequences that finish in it.
  double C = Bm * Isl / Osl;
  R.PrefillTokensPerStep = C;
  // The scheduler admits a prompt whole into the step after its slot frees
  // (TensorRT-LLM's and vLLM's in-flight batching), chunked only where it
  // does not fit beside the decodes within the token budget. So prefill
  // comes in lumps of at least one prompt: when fewer than one sequence
  // finishes per step (c < isl), one step in isl / c prefills a prompt and
  // the others only decode. Costing every step at the mean mix would
  // understate the time, since a step's time is a convex function of its
  // tokens (the weights are read once however few tokens a step has).
  double Room = P.Serving.MaxTokensPerStep > 0 ? P.Serving.MaxTokensPerStep - Bm
                                               : std::numeric_limits<double>::infinity();
  double Chunk = std::max(C, std::min(Isl, Room));
  double Share = Chunk > 0 ? std::min(1.0, C / Chunk) : 0;
  R.PromptTokensPerPrefillStep = Chunk;
  R.PrefillStepShare = Share;

  // The cost model runs a plan's own micro_batches on a slice of the batch
  // it is given; give it that many micro-batches' worth.
  int64_t PlanMicro = Stages > 1 ? std::max<int64_t>(1, Pl.MicroBatches) : 1;
  ir::Workload WD = Decode.W;
  WD.Batch = std::max<int64_t>(1, std::llround(Bm)) * PlanMicro;
  WD.Context = Opts.Isl + Opts.Osl / 2;
  ir::Workload WMix = WD;
  WMix.Batch = std::max<int64_t>(1, std::llround(Bm + Chunk)) * PlanMicro;
  cost::PhaseCost Mix = CD.evaluate(Decode, WMix);
  cost::PhaseCost Dec = CD.evaluate(Decode, WD);
  ir::Workload WP = Prefill.W;
  WP.Batch = 1;
  WP.Query = Opts.Isl;
  WP.Context = 0;
  cost::PhaseCost Pre = CP.evaluate(Prefill, WP);

  // A step that prefills: the decode module at b + chunk tokens, with
  // attention and the output head at their real shapes (decode attention
  // and logits for the b sequences, chunk / isl prompts' causal prefill
  // attention); a step that only decodes: the decode step at b. Both are
  // taken per stage: with micro-batches in flight, a step of each takes the
  // pipeline's period.
  std::vector<uint16_t> LayerStage = layerStages(Decode);
  std::vector<double> MixPerSeq = stageTimes(Decode, Mix, perSequence, LayerStage, Stages),
                      DecPerSeq = stageTimes(Decode, Dec, perSequence, LayerStage, Stages),
                      PreAttn = stageTimes(Prefill, Pre, isAttention, LayerStage, Stages);
  // Mix and Dec come from the decode module, which has a time per stage.
  assert(Mix.StageMs.size() == Stages && Dec.StageMs.size() == Stages);
  std::vector<double> MixStage(Stages), MeanStage(Stages);
  const std::vector<double> &DecStage = Dec.StageMs;
  for (size_t S = 0; S < Stages; ++S) {
    MixStage[S] = Mix.StageMs[S] - MixPerSeq[S] + DecPerSeq[S] + (Chunk / Isl) * PreAttn[S];
    MeanStage[S] = Share * MixStage[S] + (1 - Share) * DecStage[S];
  }
  R.MixedStepMs = cost::CostModel::pipelinePeriod(MixStage, Micro);
  R.DecodeStepMs = cost::CostModel::pipelinePeriod(DecStage, Micro);
  double Step = cost::CostModel::pipelinePeriod(MeanStage, Micro);
  R.StepMs = Step;
  R.TtftMs = Pre.StepMs;
  // What bounds the mean step: its kernels' time by what bounds each, the
  // attention and head of both kinds of step at their real shapes.
  double Compute = 0, Other = 0;
  tallyBounds(Decode, Mix, notPerSequence, Share, Compute, Other);
  tallyBounds(Decode, Dec, perSequence, Share, Compute, Other);
  tallyBounds(Prefill, Pre, isAttention, Share * Chunk / Isl, Compute, Other);
  tallyBounds(Decode, Dec, always, 1 - Share, Compute, Other);
  double Exposed = Share * Mix.ExposedCommMs + (1 - Share) * Dec.ExposedCommMs;
  R.Dominant = cost::dominantBound(Compute, Other, Exposed);
  R.Uncertainty = bandFor(P, regimeOf(Phase::Decode, R.Dominant, /*Offline=*/true), Decode, Gpu);
  if (Step > 0) {
    R.OutputTokensPerSecPerUser = 1000.0 / Step;
    R.OutputTokensPerSec = B * static_cast<double>(R.Replicas) * 1000.0 / Step;
    R.OutputTokensPerSecPerGpu = R.OutputTokensPerSec / static_cast<double>(R.Gpus);
  }
  addNotes(R.Notes, Mix.Notes);
  addNotes(R.Notes, Pre.Notes);

  if (Opts.Requests > 0 && Step > 0) {
    // A finite run, on the busiest replica; its rate is the steady state's
    // times the simulated run's over the simulated steady rate, so that the
    // two differ by the fill and the drain alone.
    int64_t Replicas = std::max<int64_t>(1, R.Replicas);
    int64_t PerReplica = (Opts.Requests + Replicas - 1) / Replicas;
    int64_t Cap = std::max<int64_t>(1, static_cast<int64_t>(std::floor(B)));
    int64_t Budget = P.Serving.MaxTokensPerStep > 0
                         ? static_cast<int64_t>(P.Serving.MaxTokensPerStep) * Micro
                         : 0;
    // The most tokens a micro-batch's step holds: the budget, or without
    // one the whole batch's prompts at once.
    double MaxTokens = P.Serving.MaxTokensPerStep > 0 ? P.Serving.MaxTokensPerStep
                                                      : Bm * (Isl + 1);
    StepCostGrid G(CD, Decode, WD, PlanMicro, Micro, Stages, LayerStage, PreAttn, Isl,
                   std::max(1.0, MaxTokens));
    // The steady rate from the middle of a long run, which its own fill and
    // drain do not reach.
    int64_t Long = std::max<int64_t>(64 * Cap, 4096);
    double SimRate = 0;
    double LongMs = simulateRun(Long, Cap, Budget, Opts.Isl, Opts.Osl, G, &SimRate);
    if (SimRate <= 0)
      SimRate = static_cast<double>(Long) * Osl / LongMs;
    double RunMs = PerReplica <= Long
                       ? simulateRun(PerReplica, Cap, Budget, Opts.Isl, Opts.Osl, G)
                       : LongMs + static_cast<double>(PerReplica - Long) * Osl / SimRate;
    // Scale the simulated times to the steady state's rate.
    double ModelRate = B / Step; // output tokens per ms of a replica
    double Scale = SimRate / ModelRate;
    FiniteRun Run;
    Run.Requests = Opts.Requests;
    Run.PerReplica = PerReplica;
    Run.Seconds = RunMs * Scale / 1000.0;
    Run.OutputTokensPerSec =
        static_cast<double>(Opts.Requests) * Osl / std::max(Run.Seconds, 1e-12);
    Run.OutputTokensPerSecPerGpu = Run.OutputTokensPerSec / static_cast<double>(R.Gpus);
    Run.Factor = R.OutputTokensPerSec > 0 ? Run.OutputTokensPerSec / R.OutputTokensPerSec : 1;
    R.Run = Run;
  }
  return R;
}

std::string ssc::report::describeNoFit(const OfflineResult &R, int64_t SequenceTokens) {
  return fmt::format("not one sequence of {} tokens fits in memory beside the weights: {:.1f} GB "
                     "of weights, {:.1f} GB usable per GPU",
                     SequenceTokens, R.Memory.WeightBytes / 1e9, R.Memory.UsableBytes / 1e9);
}

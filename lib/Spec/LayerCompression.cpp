//===- LayerCompression.cpp - A layer sequence as a short pattern ---------===//
//
// Dynamic programming over positions: the cheapest way to write the suffix
// starting at layer I is either a run of one kind (`k x name`, one name) or a
// cycle (`N of [...]`, one name per run in its period plus one for the cycle
// itself) followed by the cheapest way to write what is left.
//
//===----------------------------------------------------------------------===//

#include "ssc/Spec/LayerCompression.h"

#include <vector>

using namespace ssc;

namespace {

/// Up to this many layers every split point is tried; above it, runs and
/// cycles only end where they stop matching (real stacks are far shorter).
constexpr size_t ExhaustiveLimit = 1024;

/// Above ExhaustiveLimit, cycles have periods of at most this many layers,
/// so that the search takes time in proportion to the stack (a stack of
/// 100000 layers, the language's limit, took 15 s when every period was
/// tried; real periods are a few layers).
constexpr size_t LongStackPeriodLimit = 256;

/// Fewest names, then fewest pieces, then fewest cycles that stop part-way
/// through their period ("4 of [a, b], 3 x a" over "5 of [a, b], 2 x a").
struct Cost {
  size_t Names = 0;
  size_t Pieces = 0;
  size_t Partial = 0;
  bool operator<(const Cost &O) const {
    if (Names != O.Names)
      return Names < O.Names;
    if (Pieces != O.Pieces)
      return Pieces < O.Pieces;
    return Partial < O.Partial;
  }
};

struct Choice {
  size_t End = 0;
  size_t Period = 0; // 0: a run
};

StackPattern layerNode(unsigned Kind) {
  StackPattern P;
  P.K = StackPattern::Kind::Layer;
  P.LayerIndex = Kind;
  return P;
}

StackPattern runNode(unsigned Kind, size_t Count) {
  if (Count == 1)
    return layerNode(Kind);
  StackPattern P;
  P.K = StackPattern::Kind::Repeat;
  P.Count = static_cast<int64_t>(Count);
  P.Children.push_back(layerNode(Kind));
  return P;
}

} // namespace

StackPattern ssc::compressLayers(llvm::ArrayRef<unsigned> L) {
  const size_t N = L.size();
  StackPattern Top;
  Top.K = StackPattern::Kind::Sequence;
  if (N == 0)
    return Top;
  const bool Exhaustive = N <= ExhaustiveLimit;
  const size_t MaxPeriod = Exhaustive ? N : LongStackPeriodLimit;

  // RunEnd[I]: one past the last layer of the run that contains I.
  // Breaks[I]: how many kind changes lie in L[1..I] (runs in [A, B) are
  // 1 + Breaks[B-1] - Breaks[A]).
  std::vector<size_t> RunEnd(N), Breaks(N, 0);
  RunEnd[N - 1] = N;
  for (size_t I = N - 1; I-- > 0;)
    RunEnd[I] = L[I] == L[I + 1] ? RunEnd[I + 1] : I + 1;
  for (size_t I = 1; I < N; ++I)
    Breaks[I] = Breaks[I - 1] + (L[I] != L[I - 1]);
  auto RunsIn = [&](size_t A, size_t B) { return 1 + Breaks[B - 1] - Breaks[A]; };

  std::vector<Cost> Best(N + 1);
  std::vector<Choice> How(N + 1);
  // Match[P]: how many layers from I on equal the ones P later (the longest
  // common prefix of L[I..] and L[I+P..]); updated as I goes down.
  // Entries for periods that reach past the end stay 0.
  std::vector<size_t> Match(MaxPeriod + 1, 0);

  for (size_t I = N; I-- > 0;) {
    for (size_t P = 1; P <= MaxPeriod && I + P < N; ++P)
      Match[P] = L[I] == L[I + P] ? 1 + Match[P] : 0;

    bool Have = false;
    auto Consider = [&](size_t End, size_t Period, size_t Names) {
      bool Partial = Period != 0 && (End - I) % Period != 0;
      Cost C{Names + Best[End].Names, 1 + Best[End].Pieces,
             Partial + Best[End].Partial};
      if (!Have || C < Best[I]) {
        Best[I] = C;
        How[I] = {End, Period};
        Have = true;
      }
    };

    // A run of L[I]: to its end, or (exhaustive) shorter so that a cycle may
    // start inside it.
    Consider(RunEnd[I], 0, 1);
    if (Exhaustive)
      for (size_t End = I + 1; End < RunEnd[I]; ++End)
        Consider(End, 0, 1);

    // A cycle of period P covering at least two periods.
    for (size_t P = 1; P <= MaxPeriod && I + 2 * P <= N; ++P) {
      size_t Extent = I + P + Match[P];
      if (Extent < I + 2 * P)
        continue;
      size_t Names = 1 + RunsIn(I, I + P);
      Consider(Extent, P, Names);
      if (Exhaustive) {
        for (size_t End = I + 2 * P; End < Extent; ++End)
          Consider(End, P, Names);
      } else if (size_t Whole = I + (Extent - I) / P * P; Whole != Extent) {
        Consider(Whole, P, Names);
      }
    }
  }

  for (size_t I = 0; I < N; I = How[I].End) {
    const Choice &C = How[I];
    if (C.Period == 0) {
      Top.Children.push_back(runNode(L[I], C.End - I));
      continue;
    }
    StackPattern Cycle;
    Cycle.K = StackPattern::Kind::Cycle;
    Cycle.Count = static_cast<int64_t>(C.End - I);
    for (size_t J = I; J < I + C.Period;) {
      size_t E = std::min(RunEnd[J], I + C.Period);
      Cycle.Children.push_back(runNode(L[J], E - J));
      J = E;
    }
    Top.Children.push_back(std::move(Cycle));
  }
  if (Top.Children.size() == 1)
    return std::move(Top.Children.front());
  return Top;
}

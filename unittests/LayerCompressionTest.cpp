//===- LayerCompressionTest.cpp - Layer sequences as short patterns -------===//

#include "ssc/Spec/LayerCompression.h"

#include <gtest/gtest.h>

#include <random>

using namespace ssc;

namespace {

/// Kinds named a, b, c, ... so that patterns read as strings.
std::vector<LayerSpec> kinds(unsigned N) {
  std::vector<LayerSpec> K(N);
  for (unsigned I = 0; I < N; ++I)
    K[I].Name = std::string(1, static_cast<char>('a' + I));
  return K;
}

/// Layers from a string of kind letters ("aab" -> 0, 0, 1).
std::vector<unsigned> seq(const std::string &S) {
  std::vector<unsigned> Out;
  for (char C : S)
    Out.push_back(static_cast<unsigned>(C - 'a'));
  return Out;
}

std::string compress(const std::vector<unsigned> &L) {
  return compressLayers(L).str(kinds(8));
}

std::string repeat(const std::string &S, size_t N) {
  std::string Out;
  for (size_t I = 0; I < N; ++I)
    Out += S;
  return Out;
}

TEST(LayerCompression, Runs) {
  EXPECT_EQ(compress(seq("a")), "a");
  EXPECT_EQ(compress(seq(repeat("a", 32))), "32 x a");
  EXPECT_EQ(compress(seq("aaabbbbbbb")), "3 x a, 7 x b");
  EXPECT_EQ(compress(seq("ab")), "a, b");
  EXPECT_EQ(compress(seq("abb")), "a, 2 x b");
  // Three names either way; a cycle needs two full periods.
  EXPECT_EQ(compress(seq("aba")), "a, b, a");
}

TEST(LayerCompression, Cycles) {
  // Gemma 2: alternating.
  EXPECT_EQ(compress(seq(repeat("ab", 13))), "26 of [a, b]");
  // Gemma 3: five local, one global, stopping part-way through a period.
  EXPECT_EQ(compress(seq(repeat("aaaaab", 10) + "aa")), "62 of [5 x a, b]");
  // Llama 4 Maverick: dense and MoE alternate, every fourth layer is NoPE.
  EXPECT_EQ(compress(seq(repeat("abac", 12))), "48 of [a, b, a, c]");
  EXPECT_EQ(compress(seq("abab")), "4 of [a, b]");
}

TEST(LayerCompression, PrefixAndCycle) {
  // A dense prefix, then a cycle.
  EXPECT_EQ(compress(seq("ccc" + repeat("ab", 10))), "3 x c, 20 of [a, b]");
  // The cycle starts inside a run: the run is split.
  EXPECT_EQ(compress(seq("a" + repeat("ab", 6))), "a, 12 of [a, b]");
  // A cycle followed by a different tail.
  EXPECT_EQ(compress(seq(repeat("ab", 6) + "ccc")), "12 of [a, b], 3 x c");
}

TEST(LayerCompression, Empty) {
  StackPattern P = compressLayers({});
  std::vector<unsigned> Out;
  ASSERT_TRUE(P.expand(Out, 10));
  EXPECT_TRUE(Out.empty());
}

/// Names written by a pattern: its cost.
size_t names(const StackPattern &P) {
  switch (P.K) {
  case StackPattern::Kind::Layer:
    return 1;
  case StackPattern::Kind::Repeat:
    return names(P.Children.front());
  case StackPattern::Kind::Cycle:
  case StackPattern::Kind::Sequence: {
    size_t N = P.K == StackPattern::Kind::Cycle ? 1 : 0;
    for (const StackPattern &C : P.Children)
      N += names(C);
    return N;
  }
  }
  return 0;
}

size_t runs(const std::vector<unsigned> &L) {
  size_t N = 0;
  for (size_t I = 0; I < L.size(); ++I)
    N += I == 0 || L[I] != L[I - 1];
  return N;
}

TEST(LayerCompression, ExpandsBackExactly) {
  std::mt19937 Rng(42);
  for (int Trial = 0; Trial < 500; ++Trial) {
    size_t Len = 1 + Rng() % 80;
    unsigned Alphabet = 1 + Rng() % 4;
    std::vector<unsigned> L;
    // Mix periodic stretches and noise, as real stacks do.
    while (L.size() < Len) {
      if (Rng() % 2) {
        std::vector<unsigned> Period(1 + Rng() % 4);
        for (unsigned &K : Period)
          K = Rng() % Alphabet;
        size_t Count = Period.size() * (2 + Rng() % 5) + Rng() % Period.size();
        for (size_t I = 0; I < Count && L.size() < Len; ++I)
          L.push_back(Period[I % Period.size()]);
      } else {
        L.push_back(Rng() % Alphabet);
      }
    }
    StackPattern P = compressLayers(L);
    std::vector<unsigned> Out;
    ASSERT_TRUE(P.expand(Out, 1000));
    ASSERT_EQ(Out, L) << P.str(kinds(4));
    // Never worse than writing the runs out.
    EXPECT_LE(names(P), runs(L)) << P.str(kinds(4));
  }
}

TEST(LayerCompression, LongStacks) {
  // Past the exhaustive limit the search is greedy but still exact.
  std::vector<unsigned> L = seq("c" + repeat("aaab", 1000));
  StackPattern P = compressLayers(L);
  EXPECT_EQ(P.str(kinds(3)), "c, 4000 of [3 x a, b]");
  std::vector<unsigned> Out;
  ASSERT_TRUE(P.expand(Out, 10000));
  EXPECT_EQ(Out, L);
}

TEST(LayerCompression, PeriodsOfLongStacksAreBounded) {
  // The language's limit of 100000 layers: periods up to 256 are found (the
  // search is linear in the stack); a longer one is written out in runs,
  // still exactly.
  std::vector<unsigned> L = seq(repeat("aaaaab", 16000));
  EXPECT_EQ(compressLayers(L).str(kinds(2)), "96000 of [5 x a, b]");
  std::string Long = repeat("a", 299) + "b";
  L = seq(repeat(Long, 5));
  StackPattern P = compressLayers(L);
  EXPECT_EQ(P.str(kinds(2)), "299 x a, b, 299 x a, b, 299 x a, b, 299 x a, b, 299 x a, b");
  L = seq(repeat(Long, 4)); // 1200 layers: still past the exhaustive limit
  std::vector<unsigned> Out;
  ASSERT_TRUE(compressLayers(L).expand(Out, 100000));
  EXPECT_EQ(Out, L);
  L = seq(repeat("a", 299) + "b" + repeat("a", 299) + "b"); // 600: exhaustive
  EXPECT_EQ(compressLayers(L).str(kinds(2)), "600 of [299 x a, b]");
}

} // namespace

//===- SweepTest.cpp - Value lists, shards and selection of sweeps ---------===//

#include "ssc/Sweep/ModelVariant.h"
#include "ssc/Sweep/Runner.h"
#include "ssc/Sweep/Select.h"
#include "ssc/Sweep/Values.h"

#include <gtest/gtest.h>

using namespace ssc;
using namespace ssc::sweep;

namespace {

std::vector<int64_t> ints(llvm::StringRef Text, llvm::ArrayRef<Keyword> Words = {}) {
  std::vector<int64_t> Out;
  ValueError Err;
  EXPECT_TRUE(parseIntList(Text, 1, 1 << 20, Words, Out, Err)) << Err.Message;
  return Out;
}

ValueError intError(llvm::StringRef Text) {
  std::vector<int64_t> Out;
  ValueError Err;
  EXPECT_FALSE(parseIntList(Text, 1, 1 << 20, {}, Out, Err)) << Text.str();
  return Err;
}

TEST(SweepValues, ListsAndRanges) {
  EXPECT_EQ(ints("8"), (std::vector<int64_t>{8}));
  EXPECT_EQ(ints("1,2,4"), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(ints("3..6"), (std::vector<int64_t>{3, 4, 5, 6}));
  EXPECT_EQ(ints("128..512:128"), (std::vector<int64_t>{128, 256, 384, 512}));
  // A step that overshoots the end stops before it.
  EXPECT_EQ(ints("1..10:4"), (std::vector<int64_t>{1, 5, 9}));
  EXPECT_EQ(ints("16..100*2"), (std::vector<int64_t>{16, 32, 64}));
  EXPECT_EQ(ints("1,2,4..16*2,96"), (std::vector<int64_t>{1, 2, 4, 8, 16, 96}));
  Keyword All{"all", 0};
  EXPECT_EQ(ints("all,8", All), (std::vector<int64_t>{0, 8}));
}

TEST(SweepValues, ErrorsPointAtTheCharacter) {
  EXPECT_EQ(intError("1,2,x").Offset, 4u);
  EXPECT_EQ(intError("8..2").Offset, 3u);
  EXPECT_EQ(intError("1,,2").Offset, 2u);
  EXPECT_EQ(intError("4,2,4").Offset, 4u); // listed twice
  EXPECT_EQ(intError("1..8*1").Offset, 5u);
  EXPECT_EQ(intError("0").Offset, 0u);     // below the minimum
  EXPECT_FALSE(intError("1..2000000").Message.empty());
  EXPECT_FALSE(intError("99999999999999999999").Message.empty());
}

TEST(SweepValues, KvLengths) {
  std::vector<KvLenValue> Out;
  ValueError Err;
  ASSERT_TRUE(parseKvLenList("default,isl,isl-1,isl+64,4096", Out, Err)) << Err.Message;
  ASSERT_EQ(Out.size(), 5u);
  EXPECT_EQ(Out[0].resolve(1000, 200), 1100);
  EXPECT_EQ(Out[1].resolve(1000, 200), 1000);
  EXPECT_EQ(Out[2].resolve(1000, 200), 999);
  EXPECT_EQ(Out[3].resolve(1000, 200), 1064);
  EXPECT_EQ(Out[4].resolve(1000, 200), 4096);
  EXPECT_FALSE(parseKvLenList("isl*2", Out, Err));
}

/// Shards cover every point once, in order, and differ in size by at most one.
TEST(SweepShards, ConcatenateToTheWhole) {
  for (uint64_t N : {0ull, 1ull, 7ull, 1000ull, 622080ull})
    for (uint64_t Shards : {1ull, 2ull, 3ull, 8ull, 13ull}) {
      uint64_t Next = 0, Min = UINT64_MAX, Max = 0;
      for (uint64_t S = 1; S <= Shards; ++S) {
        auto [Lo, Hi] = shardRange(N, S, Shards);
        EXPECT_EQ(Lo, Next);
        Min = std::min(Min, Hi - Lo);
        Max = std::max(Max, Hi - Lo);
        Next = Hi;
      }
      EXPECT_EQ(Next, N);
      EXPECT_LE(Max - Min, 1u);
    }
  // No overflow near 2^64.
  auto [Lo, Hi] = shardRange(UINT64_MAX, 2, 2);
  EXPECT_EQ(Hi, UINT64_MAX);
  EXPECT_EQ(Lo, UINT64_MAX / 2);
}

TEST(SweepSla, ParsesUnitsAndBounds) {
  std::vector<SlaBound> B;
  ValueError Err;
  ASSERT_TRUE(parseSla("tpot<=50ms, ttft<2s,tps_user>=20", B, Err)) << Err.Message;
  ASSERT_EQ(B.size(), 3u);
  EXPECT_EQ(B[0].Value, 50);
  EXPECT_EQ(B[1].Value, 2000);
  EXPECT_TRUE(B[1].Strict);
  EXPECT_FALSE(B[2].Below);
  Metrics M;
  M.TpotMs = 50;
  M.TtftMs = 1999;
  M.TokensPerSecPerUser = 20;
  EXPECT_EQ(missedBound(B, M), nullptr);
  M.TtftMs = 2000; // strict
  EXPECT_EQ(missedBound(B, M), &B[1]);
  EXPECT_FALSE(parseSla("tpot<=50", B, Err)); // a time needs a unit
  EXPECT_FALSE(parseSla("tpot=50ms", B, Err));
}

/// The frontier keeps exactly the points no other point beats, the first of
/// equal ones, whatever the order they come in.
TEST(SweepPareto, KeepsTheUnbeatenPoints) {
  ParetoFrontier F;
  auto Add = [&](double X, double Y, uint64_t I) {
    return F.add(Candidate{X, Y, I, std::to_string(I), ""});
  };
  EXPECT_TRUE(Add(10, 1, 0));
  EXPECT_TRUE(Add(1, 10, 1));
  EXPECT_TRUE(Add(5, 5, 2));
  EXPECT_FALSE(Add(4, 4, 3));  // beaten by (5, 5)
  EXPECT_FALSE(Add(5, 5, 4));  // equal to an earlier point
  EXPECT_TRUE(Add(6, 6, 5));   // beats (5, 5)
  EXPECT_FALSE(F.wouldJoin(6, 6));
  EXPECT_TRUE(F.wouldJoin(6, 6.5));
  EXPECT_TRUE(Add(10, 2, 6));  // beats (10, 1) at the same throughput
  std::vector<Candidate> C = F.take();
  ASSERT_EQ(C.size(), 3u);
  EXPECT_EQ(C[0].Index, 1u);
  EXPECT_EQ(C[1].Index, 5u);
  EXPECT_EQ(C[2].Index, 6u);
}

TEST(SweepBest, OnePerTargetInOrder) {
  BestPerTarget B;
  B.add(Candidate{5, 0, 0, "a", "h100x8"});
  B.add(Candidate{3, 0, 1, "b", "h200x8"});
  B.add(Candidate{5, 0, 2, "c", "h100x8"}); // a tie keeps the first
  B.add(Candidate{7, 0, 3, "d", "h200x8"});
  EXPECT_FALSE(B.wouldWin("h100x8", 5));
  EXPECT_TRUE(B.wouldWin("h100x16", 1));
  std::vector<Candidate> C = B.take();
  ASSERT_EQ(C.size(), 2u);
  EXPECT_EQ(C[0].Row, "a");
  EXPECT_EQ(C[1].Row, "d");
}

} // namespace

TEST(SweepHyperparameters, ParseAndPrint) {
  ssc::sweep::Hyperparameters H;
  size_t Offset = 99;
  EXPECT_EQ(ssc::sweep::parseHyperparameter("kv_heads = 4", H, Offset), "");
  EXPECT_EQ(ssc::sweep::parseHyperparameter(" layers=16", H, Offset), "");
  EXPECT_EQ(H.Layers, 16);
  EXPECT_EQ(H.KvHeads, 4);
  EXPECT_TRUE(H.any());
  // In key order, whatever the order given; the form --set takes back.
  EXPECT_EQ(H.str(), "layers=16,kv_heads=4");
  ssc::sweep::Hyperparameters Back;
  llvm::SmallVector<llvm::StringRef, 4> Items;
  std::string Text = H.str();
  llvm::StringRef(Text).split(Items, ',');
  for (llvm::StringRef Item : Items)
    EXPECT_EQ(ssc::sweep::parseHyperparameter(Item, Back, Offset), "");
  EXPECT_EQ(Back.str(), H.str());

  EXPECT_NE(ssc::sweep::parseHyperparameter("layers=8", H, Offset), "");
  EXPECT_EQ(Offset, 0u); // set twice: at the key
  EXPECT_NE(ssc::sweep::parseHyperparameter("top_k=0", H, Offset), "");
  EXPECT_EQ(Offset, 6u); // at the value
  EXPECT_NE(ssc::sweep::parseHyperparameter("top_k=1048577", H, Offset), "");
  EXPECT_NE(ssc::sweep::parseHyperparameter("  heads=2", H, Offset), "");
  EXPECT_EQ(Offset, 2u);
  EXPECT_EQ(H.TopK, 0);
  EXPECT_FALSE(ssc::sweep::Hyperparameters().any());
  EXPECT_EQ(ssc::sweep::Hyperparameters().str(), "");
}

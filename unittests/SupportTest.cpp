//===- SupportTest.cpp - Support library -----------------------------------===//

#include "ssc/Spec/Gpu.h"
#include "ssc/Support/DType.h"
#include "ssc/Support/Diagnostics.h"
#include "ssc/Support/Format.h"
#include "ssc/Support/JSONLocator.h"

#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

using namespace ssc;

namespace {

TEST(DType, FourBitFormats) {
  // nvfp4 runs on fp4 units with its activations quantized too; mxfp4 and
  // int4 are weight-only (dequantized, math in bf16).
  EXPECT_EQ(parseDType("nvfp4"), DType::FP4);
  EXPECT_EQ(parseDType("fp4"), DType::FP4);
  EXPECT_EQ(parseDType("MXFP4"), DType::MXFP4);
  EXPECT_EQ(dtypeName(DType::MXFP4), "mxfp4");
  EXPECT_FALSE(isWeightOnly(DType::FP4));
  EXPECT_TRUE(isWeightOnly(DType::MXFP4));
  EXPECT_TRUE(isWeightOnly(DType::INT4));
  // One 8-bit scale per 16 elements (nvfp4) or per 32 (mxfp4).
  EXPECT_DOUBLE_EQ(bytesPerElement(DType::FP4), 0.5625);
  EXPECT_DOUBLE_EQ(bytesPerElement(DType::MXFP4), 0.53125);
}

TEST(Format, Shortest) {
  EXPECT_EQ(formatShortest(0.1), "0.1");
  EXPECT_EQ(formatShortest(500000), "500000");
  EXPECT_EQ(formatFixedShortest(1.5), "1.5");
  EXPECT_EQ(formatFixedShortest(1e20), "100000000000000000000");
}

TEST(Format, Counts) {
  EXPECT_EQ(formatCount(8.03e9), "8.03B");
  EXPECT_EQ(formatCount(70.55e9), "70.5B");
  EXPECT_EQ(formatCount(671e9), "671B");
  EXPECT_EQ(formatCount(12), "12");
  EXPECT_EQ(formatBytes(16.06e9), "16.1 GB");
  EXPECT_EQ(formatMillis(0.5), "500 us");
  EXPECT_EQ(formatMillis(41.234), "41.23 ms");
}

TEST(Format, SequencesThatFit) {
  EXPECT_EQ(describeSequencesThatFit(324.7), "at most 324 sequences fit");
  EXPECT_EQ(describeSequencesThatFit(1.9), "at most 1 sequence fits");
  EXPECT_EQ(describeSequencesThatFit(0.4), "not one sequence fits beside the weights");
  EXPECT_EQ(describeSequencesThatFit(-3), "not one sequence fits beside the weights");
}

TEST(Format, CsvField) {
  EXPECT_EQ(csvField("h100x8"), "h100x8");
  EXPECT_EQ(csvField("measured: 64, 128"), "\"measured: 64, 128\"");
  EXPECT_EQ(csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csvField(""), "");
}

TEST(Diagnostics, DidYouMean) {
  llvm::StringRef C[] = {"window", "heads", "head_dim"};
  EXPECT_EQ(closestMatch("windw", C), "window");
  EXPECT_EQ(closestMatch("zzzzzz", C), "");
  EXPECT_EQ(joinAlternatives(C), "'window', 'heads' or 'head_dim'");
}

TEST(Diagnostics, ErrorLimit) {
  llvm::SourceMgr SM;
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  DiagnosticEngine D(SM, OS);
  D.setErrorLimit(2);
  for (int I = 0; I < 5; ++I)
    D.error("e" + std::to_string(I));
  OS.flush();
  EXPECT_EQ(D.getNumErrors(), 5u);
  EXPECT_NE(Out.find("ssc: error: e1"), std::string::npos);
  EXPECT_EQ(Out.find("ssc: error: e2"), std::string::npos);
  EXPECT_NE(Out.find("too many errors"), std::string::npos);
}

TEST(Diagnostics, RepeatedWarningShownOnce) {
  llvm::SourceMgr SM;
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  DiagnosticEngine D(SM, OS);
  // A check that runs twice (the driver's and the pipeline's) warns once,
  // with its note; a different warning still shows.
  for (int I = 0; I < 2; ++I) {
    D.warning("w");
    D.note("n");
  }
  D.warning("other");
  OS.flush();
  EXPECT_EQ(D.getNumWarnings(), 2u);
  EXPECT_EQ(Out, "ssc: warning: w\nssc: note: n\nssc: warning: other\n");
}

TEST(JSONLocator, FindsNestedKeys) {
  llvm::StringRef Text = "{\n  \"tp\": 8,\n  \"decode\": {\"ep\": [1, 2]}\n}";
  JSONLocator L(Text);
  EXPECT_EQ(L.valueLoc("tp").getPointer() - Text.data(), 10);
  EXPECT_EQ(L.keyLoc("tp").getPointer() - Text.data(), 4);
  EXPECT_EQ(*L.valueLoc("decode.ep[1]").getPointer(), '2');
  // Unknown paths fall back to the nearest parent.
  EXPECT_EQ(L.valueLoc("decode.nope").getPointer(), L.valueLoc("decode").getPointer());
}

TEST(JSONLocator, SyntaxErrorsPointAtTheCharacter) {
  auto ErrorAt = [](llvm::StringRef Text) {
    llvm::SourceMgr SM;
    std::string Out;
    llvm::raw_string_ostream OS(Out);
    DiagnosticEngine D(SM, OS);
    unsigned ID = SM.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(Text, "p.json"), llvm::SMLoc());
    EXPECT_FALSE(parseJSONBuffer(ID, D));
    OS.flush();
    return Out.substr(0, Out.find(": error:"));
  };
  // The parser stops one character after a missing comma or a bad key, but
  // at text after the document.
  EXPECT_EQ(ErrorAt("{\"tp\": 8 \"ep\": 8}"), "p.json:1:10");
  EXPECT_EQ(ErrorAt("{tp: 8}"), "p.json:1:2");
  EXPECT_EQ(ErrorAt("{\"tp\": 8} x"), "p.json:1:11");
  EXPECT_EQ(ErrorAt("{\"tp\": 8,\n"), "p.json:1:10");
}

TEST(Target, SplitsNames) {
  std::string G;
  int64_t N;
  ASSERT_TRUE(splitTargetName("h100x16", G, N));
  EXPECT_EQ(G, "h100");
  EXPECT_EQ(N, 16);
  ASSERT_TRUE(splitTargetName("gb200-nvl72x48", G, N));
  EXPECT_EQ(G, "gb200-nvl72");
  EXPECT_EQ(N, 48);
  ASSERT_TRUE(splitTargetName("mi300x", G, N));
  EXPECT_EQ(G, "mi300x");
  EXPECT_EQ(N, 1);
  EXPECT_FALSE(splitTargetName("h100x0", G, N));
  EXPECT_FALSE(splitTargetName("h100x99999999999999999999", G, N));
}

} // namespace

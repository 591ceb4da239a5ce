//===- SupportTest.cpp - Support library -----------------------------------===//

#include "ssc/Spec/Gpu.h"
#include "ssc/Support/CommandLine.h"
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

TEST(Format, StringLiteral) {
  EXPECT_EQ(stringLiteral("h100"), "\"h100\"");
  EXPECT_EQ(stringLiteral("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
  EXPECT_EQ(stringLiteral("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
}

TEST(Format, ShellWord) {
  EXPECT_EQ(shellWord("--plan"), "--plan");
  EXPECT_EQ(shellWord("models/moe/deepseek-v3.arch"), "models/moe/deepseek-v3.arch");
  EXPECT_EQ(shellWord("tp=8 ep=8"), "'tp=8 ep=8'");
  EXPECT_EQ(shellWord("stages=[30,31]"), "'stages=[30,31]'");
  EXPECT_EQ(shellWord("it's"), "'it'\\''s'");
  EXPECT_EQ(shellWord("$HOME"), "'$HOME'");
  EXPECT_EQ(shellCommand({"ssc", "m.arch", "--plan", "tp=8 ep=8"}),
            "ssc m.arch --plan 'tp=8 ep=8'");
  EXPECT_EQ(shellCommand({}), "");
  EXPECT_EQ(shellWord(""), "''");
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

// llvm::cl's error text (LLVM 16's words) as ssc's diagnostics.
TEST(CommandLine, TranslatesParserErrors) {
  auto T = [](llvm::StringRef Text) { return translateCommandLineErrors(Text, "ssc"); };

  auto D = T("ssc: Unknown command line argument '--frobnicate'.  Try: '/x/ssc --help'\n"
             "ssc: Did you mean '-h'?\n");
  ASSERT_EQ(D.size(), 1u);
  EXPECT_FALSE(D[0].IsNote);
  // A far suggestion is dropped, a close one kept, its value included.
  EXPECT_EQ(D[0].Message, "unknown option '--frobnicate'");
  D = T("ssc: Unknown command line argument '--vews=kernels'.  Try: 'ssc --help'\n"
        "ssc: Did you mean '--views=kernels'?\n");
  ASSERT_EQ(D.size(), 1u);
  EXPECT_EQ(D[0].Message, "unknown option '--vews=kernels'; did you mean '--views=kernels'?");

  D = T("ssc: Too many positional arguments specified!\n"
        "Can specify at most 1 positional arguments: See: ssc --help\n");
  ASSERT_EQ(D.size(), 1u);
  EXPECT_EQ(D[0].Message, "too many input files; at most 1 allowed");

  D = T("ssc: for the --emit option: Cannot find option named 'x'!\n"
        "ssc: for the --mode option: requires a value!\n"
        "ssc: for the --batch option: may only occur zero or one times!\n"
        "ssc: for the --mtp option: does not allow a value! 'yes' specified.\n"
        "ssc: for the --batch option: 'abc' value invalid for long argument!\n"
        "ssc: for the --jobs option: must be specified at least once!\n"
        "ssc: Not enough positional command line arguments specified!\n");
  ASSERT_EQ(D.size(), 7u);
  EXPECT_EQ(D[0].Message, "unknown value 'x' for --emit");
  EXPECT_EQ(D[1].Message, "--mode requires a value");
  EXPECT_EQ(D[2].Message, "--batch given more than once");
  EXPECT_EQ(D[3].Message, "--mtp takes no value; 'yes' given");
  EXPECT_EQ(D[4].Message, "invalid value 'abc' for --batch");
  EXPECT_EQ(D[5].Message, "--jobs: must be specified at least once");
  EXPECT_EQ(D[6].Message, "not enough positional command line arguments specified");

  // Text from another program name is kept, as a note.
  D = T("other: something\n");
  ASSERT_EQ(D.size(), 1u);
  EXPECT_TRUE(D[0].IsNote);
  EXPECT_TRUE(T("").empty());
}

// ssc's value parsers word their errors themselves; they accept what
// llvm::cl's parsers accept.
TEST(CommandLine, ValueParsers) {
  llvm::cl::OptionCategory Cat("test");
  llvm::cl::opt<int64_t, false, NumberParser<int64_t>> N("test-n", llvm::cl::cat(Cat));
  llvm::cl::opt<unsigned, false, NumberParser<unsigned>> U("test-u", llvm::cl::cat(Cat));
  llvm::cl::opt<double, false, NumberParser<double>> F("test-f", llvm::cl::cat(Cat));
  enum class E { A, B };
  llvm::cl::opt<E, false, EnumParser<E>> En(
      "test-e", llvm::cl::values(clEnumValN(E::A, "alpha", ""), clEnumValN(E::B, "beta", "")),
      llvm::cl::cat(Cat));

  int64_t I = 0;
  EXPECT_FALSE(N.getParser().parse(N, "test-n", "-12", I));
  EXPECT_EQ(I, -12);
  EXPECT_FALSE(N.getParser().parse(N, "test-n", "0x10", I));
  EXPECT_EQ(I, 16);
  unsigned V = 0;
  EXPECT_FALSE(U.getParser().parse(U, "test-u", "7", V));
  EXPECT_EQ(V, 7u);
  double X = 0;
  EXPECT_FALSE(F.getParser().parse(F, "test-f", "2.5", X));
  EXPECT_DOUBLE_EQ(X, 2.5);
  E Chosen = E::A;
  EXPECT_FALSE(En.getParser().parse(En, "test-e", "beta", Chosen));
  EXPECT_EQ(Chosen, E::B);

  // Rejections print to llvm::errs(); the result says "error".
  testing::internal::CaptureStderr();
  EXPECT_TRUE(N.getParser().parse(N, "test-n", "1.5", I));
  EXPECT_TRUE(N.getParser().parse(N, "test-n", "99999999999999999999", I));
  EXPECT_TRUE(U.getParser().parse(U, "test-u", "-1", V));
  EXPECT_TRUE(F.getParser().parse(F, "test-f", "abc", X));
  EXPECT_TRUE(En.getParser().parse(En, "test-e", "alpa", Chosen));
  llvm::errs().flush();
  std::string Err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(Err, "ssc: error: invalid value '1.5' for --test-n; expected a whole number\n"
                 "ssc: error: invalid value '99999999999999999999' for --test-n; expected a "
                 "whole number\n"
                 "ssc: error: invalid value '-1' for --test-u; expected a whole number, 0 or "
                 "more\n"
                 "ssc: error: invalid value 'abc' for --test-f; expected a number\n"
                 "ssc: error: unknown value 'alpa' for --test-e; expected 'alpha' or 'beta'; "
                 "did you mean 'alpha'?\n");
  EXPECT_EQ(I, 16);
  EXPECT_EQ(Chosen, E::B);

  BoolOpt B("test-b", llvm::cl::cat(Cat));
  for (llvm::StringRef Yes : {"", "true", "TRUE", "True", "1"}) {
    bool Out = false;
    EXPECT_FALSE(B.getParser().parse(B, "test-b", Yes, Out));
    EXPECT_TRUE(Out) << Yes.str();
  }
  for (llvm::StringRef No : {"false", "FALSE", "False", "0"}) {
    bool Out = true;
    EXPECT_FALSE(B.getParser().parse(B, "test-b", No, Out));
    EXPECT_FALSE(Out) << No.str();
  }
  testing::internal::CaptureStderr();
  bool Out = false;
  EXPECT_TRUE(B.getParser().parse(B, "test-b", "yes", Out));
  llvm::errs().flush();
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "ssc: error: invalid value 'yes' for --test-b; expected true or false\n");
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

//===- FrontendTest.cpp - Parser and AST printer --------------------------===//

#include "ssc/AST/ASTPrinter.h"
#include "ssc/Frontend/Parser.h"

#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

using namespace ssc;
using namespace ssc::ast;

namespace {

struct Parsed {
  llvm::SourceMgr SM;
  std::string Errors;
  llvm::raw_string_ostream ES{Errors};
  DiagnosticEngine Diags{SM, ES};
  std::unique_ptr<File> F;

  explicit Parsed(llvm::StringRef Text, ParserLimits Limits = {}) {
    unsigned ID = SM.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(Text, "t.arch"), llvm::SMLoc());
    F = parseBuffer(ID, Diags, Limits);
    ES.flush();
  }
  std::string printed() const {
    std::string S;
    llvm::raw_string_ostream OS(S);
    print(*F, OS);
    return OS.str();
  }
};

const Block &firstBlock(const File &F) {
  for (const NodePtr &N : F.getDecls())
    if (const auto *B = llvm::dyn_cast<Block>(N.get()))
      return *B;
  ADD_FAILURE() << "no block";
  static Block Empty(BlockKind::Model, {}, "", {}, "", {}, {}, {});
  return Empty;
}

TEST(Parser, BuildsTypedNodes) {
  Parsed P("model m {\n"
           "  hidden = 4_096;\n"
           "  layer l { attn gqa(kv=8) window=4096 rope yarn(4x); moe(8, top2); }\n"
           "  layers = 3 x l, 2 of [l];\n"
           "}\n");
  ASSERT_TRUE(P.F) << P.Errors;
  const Block &M = firstBlock(*P.F);
  EXPECT_EQ(M.getBlockKind(), BlockKind::Model);
  EXPECT_EQ(M.getName(), "m");
  ASSERT_EQ(M.getBody().size(), 3u);

  const auto *Hidden = llvm::dyn_cast<PropertyStmt>(M.getBody()[0].get());
  ASSERT_TRUE(Hidden);
  const auto *I = llvm::dyn_cast<IntValue>(&Hidden->getValue());
  ASSERT_TRUE(I);
  EXPECT_EQ(I->getValue(), 4096);

  const auto *L = llvm::dyn_cast<Block>(M.getBody()[1].get());
  ASSERT_TRUE(L);
  const auto *Attn = llvm::dyn_cast<ClauseStmt>(L->getBody()[0].get());
  ASSERT_TRUE(Attn);
  EXPECT_EQ(Attn->getHead(), "attn");
  ASSERT_EQ(Attn->getTerms().size(), 4u);
  EXPECT_EQ(Attn->getTerms()[0].Name, "gqa");
  EXPECT_EQ(Attn->getTerms()[0].Args[0].Name, "kv");
  EXPECT_TRUE(Attn->getTerms()[1].isAssignment());
  const auto *Yarn = llvm::dyn_cast<FactorValue>(Attn->getTerms()[3].Args[0].Val.get());
  ASSERT_TRUE(Yarn);
  EXPECT_DOUBLE_EQ(Yarn->getValue(), 4.0);
  const auto *Moe = llvm::dyn_cast<ClauseStmt>(L->getBody()[1].get());
  ASSERT_TRUE(Moe && Moe->hasArgs());
  EXPECT_EQ(Moe->getArgs().size(), 2u);

  const auto *Layers = llvm::dyn_cast<PropertyStmt>(M.getBody()[2].get());
  const auto *List = llvm::dyn_cast<ListValue>(&Layers->getValue());
  ASSERT_TRUE(List);
  EXPECT_FALSE(List->isBracketed());
  ASSERT_EQ(List->getElements().size(), 2u);
  EXPECT_TRUE(llvm::isa<RepeatValue>(List->getElements()[0].get()));
  const auto *Cycle = llvm::dyn_cast<CycleValue>(List->getElements()[1].get());
  ASSERT_TRUE(Cycle);
  EXPECT_EQ(Cycle->getCount(), 2);
}

TEST(Parser, LocationsPointAtTokens) {
  Parsed P("model m {\n  hidden = 4096;\n}\n");
  ASSERT_TRUE(P.F);
  const Block &M = firstBlock(*P.F);
  const auto *Hidden = llvm::cast<PropertyStmt>(M.getBody()[0].get());
  auto [Line, Col] = P.SM.getLineAndColumn(Hidden->getValue().getLoc());
  EXPECT_EQ(Line, 2u);
  EXPECT_EQ(Col, 12u);
}

TEST(Parser, PrintIsAFixedPoint) {
  Parsed P("import \"x.arch\";\n"
           "model m { hidden=1e6; s=\"a\\\"b\\\\c\"; f=[1.5, -2, 0.1, true];\n"
           "  layers = 2 x 3x a, 62 of [5 x b, c]; }\n"
           "plan p { tp = 8; decode { ep = 4; } }\n");
  ASSERT_TRUE(P.F) << P.Errors;
  std::string Once = P.printed();
  Parsed Again(Once);
  ASSERT_TRUE(Again.F) << Again.Errors;
  EXPECT_EQ(Again.printed(), Once);
  EXPECT_NE(Once.find("hidden = 1000000.0;"), std::string::npos) << Once;
  EXPECT_NE(Once.find("layers = 2 x 3 x a, 62 of [5 x b, c];"), std::string::npos);
}

TEST(Parser, FloatsStayFloats) {
  Parsed P("model m { a = 2.0; }\n");
  ASSERT_TRUE(P.F);
  EXPECT_NE(P.printed().find("a = 2.0;"), std::string::npos);
}

TEST(Parser, ReportsFirstSyntaxErrorOnly) {
  Parsed P("model m {\n  hidden = 4096\n  vocab = 1\n}\n");
  EXPECT_FALSE(P.F);
  EXPECT_EQ(P.Diags.getNumErrors(), 1u);
  EXPECT_NE(P.Errors.find("t.arch:2:16: error: expected ';'"), std::string::npos)
      << P.Errors;
}

TEST(Parser, RejectsBadEncoding) {
  std::string WithNul = "model m { }";
  WithNul[6] = '\0';
  EXPECT_FALSE(Parsed(WithNul).F);
  EXPECT_FALSE(Parsed("model \xC3\x28 {}").F);
}

TEST(Parser, LimitsNesting) {
  ParserLimits L;
  L.MaxNesting = 4;
  Parsed Ok("model m { x = [[[1]]]; }", L);
  EXPECT_TRUE(Ok.F) << Ok.Errors;
  Parsed Deep("model m { x = [[[[1]]]]; }", L);
  EXPECT_FALSE(Deep.F);
  EXPECT_NE(Deep.Errors.find("nested more than 4 levels"), std::string::npos);
}

TEST(Parser, LimitsTokens) {
  ParserLimits L;
  L.MaxTokens = 10;
  Parsed P("model m { a = 1; b = 2; c = 3; }", L);
  EXPECT_FALSE(P.F);
  EXPECT_NE(P.Errors.find("more than 10 tokens"), std::string::npos);
}

TEST(Parser, LimitsBytes) {
  ParserLimits L;
  L.MaxBytes = 8;
  Parsed P("model m { }", L);
  EXPECT_FALSE(P.F);
  EXPECT_NE(P.Errors.find("t.arch:1:1: error: file is too large (11 bytes; the "
                          "limit is 8)"),
            std::string::npos)
      << P.Errors;
  Parsed Fits("model m {}", ParserLimits{256, 100, 10});
  EXPECT_TRUE(Fits.F) << Fits.Errors;
}

TEST(Parser, ColumnsCountBytes) {
  // U+00E9 is two bytes: the bad character after it is at byte column 21.
  Parsed P("model m { s = \"\xC3\xA9\"; \xE2\x89\x88 }");
  EXPECT_FALSE(P.F);
  EXPECT_NE(P.Errors.find("t.arch:1:21: error: unexpected character U+2248"),
            std::string::npos)
      << P.Errors;
}

TEST(Parser, OverflowIsAnError) {
  Parsed P("model m { a = 9223372036854775808; }");
  EXPECT_FALSE(P.F);
  EXPECT_NE(P.Errors.find("too large"), std::string::npos);
  Parsed Max("model m { a = 9223372036854775807; }");
  EXPECT_TRUE(Max.F) << Max.Errors;
}

} // namespace

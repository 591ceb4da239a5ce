//===- Parser.cpp - Source text to AST ------------------------------------===//
//
// Drives the ANTLR-generated lexer and parser and converts the parse tree to
// ssc's AST. ANTLR never prints anything itself: lexer and parser errors go to
// listeners installed here, which turn them into located diagnostics.
//
//===----------------------------------------------------------------------===//

#include "ssc/Frontend/Parser.h"

#include "SSCLexer.h"
#include "SSCParser.h"
#include "antlr4-runtime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/MemoryBuffer.h"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

using namespace ssc;
using namespace ssc::ast;
using sscgen::SSCLexer;
using sscgen::SSCParser;
using llvm::SMLoc;
using llvm::SMRange;
using llvm::StringRef;

namespace {

//===----------------------------------------------------------------------===//
// Positions
//===----------------------------------------------------------------------===//

/// ANTLR counts code points; SourceMgr wants pointers into the UTF-8 buffer.
class OffsetMap {
public:
  explicit OffsetMap(StringRef Text) : Text(Text) {
    for (unsigned char C : Text)
      if (C >= 0x80) {
        Ascii = false;
        break;
      }
    if (Ascii)
      return;
    Offsets.reserve(Text.size() + 1);
    for (size_t I = 0; I < Text.size();) {
      Offsets.push_back(static_cast<uint32_t>(I));
      unsigned char C = Text[I];
      I += C < 0x80 ? 1 : C < 0xE0 ? 2 : C < 0xF0 ? 3 : 4;
    }
    Offsets.push_back(static_cast<uint32_t>(Text.size()));
  }

  SMLoc loc(size_t CodePoint) const {
    size_t Byte = Ascii ? CodePoint
                        : (CodePoint < Offsets.size() ? Offsets[CodePoint]
                                                      : Text.size());
    return SMLoc::getFromPointer(Text.data() + std::min(Byte, Text.size()));
  }

private:
  StringRef Text;
  bool Ascii = true;
  std::vector<uint32_t> Offsets;
};

std::string describeChar(StringRef Text, const char *P) {
  unsigned char C = *P;
  if (C >= 0x20 && C < 0x7F)
    return fmt::format("'{}'", static_cast<char>(C));
  if (C < 0x80)
    return fmt::format("character 0x{:02X}", C);
  // A valid multi-byte sequence (the input was checked): print its code point.
  llvm::UTF32 CP = 0;
  const llvm::UTF8 *Src = reinterpret_cast<const llvm::UTF8 *>(P);
  llvm::UTF32 *Dst = &CP;
  llvm::ConvertUTF8toUTF32(&Src,
                           reinterpret_cast<const llvm::UTF8 *>(Text.end()),
                           &Dst, Dst + 1, llvm::lenientConversion);
  return fmt::format("character U+{:04X}", static_cast<unsigned>(CP));
}

//===----------------------------------------------------------------------===//
// Error listeners and strategy
//===----------------------------------------------------------------------===//

class LexerErrorListener : public antlr4::BaseErrorListener {
public:
  bool Failed = false;
  size_t StartIndex = 0;

  void syntaxError(antlr4::Recognizer *R, antlr4::Token *, size_t, size_t,
                   const std::string &, std::exception_ptr) override {
    if (Failed)
      return;
    Failed = true;
    StartIndex = static_cast<antlr4::Lexer *>(R)->tokenStartCharIndex;
  }
};

/// Stops at the first syntax error: report it, then unwind.
class FirstErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  void recover(antlr4::Parser *, std::exception_ptr) override {
    throw antlr4::ParseCancellationException();
  }
  antlr4::Token *recoverInline(antlr4::Parser *P) override {
    antlr4::InputMismatchException E(P);
    reportError(P, E);
    throw antlr4::ParseCancellationException();
  }
  /// At the start of a block or loop, an unexpected token is reported with
  /// the full set of what could come there (ANTLR's own sync would try to
  /// delete or insert tokens instead).
  void sync(antlr4::Parser *P) override {
    if (inErrorRecoveryMode(P))
      return;
    const antlr4::atn::ATN &ATN = P->getATN();
    antlr4::atn::ATNState *S = ATN.states[P->getState()];
    size_t LA = P->getTokenStream()->LA(1);
    antlr4::misc::IntervalSet Next = ATN.nextTokens(S);
    if (Next.contains(antlr4::Token::EPSILON) || Next.contains(LA))
      return;
    switch (S->getStateType()) {
    case antlr4::atn::ATNState::BLOCK_START:
    case antlr4::atn::ATNState::STAR_BLOCK_START:
    case antlr4::atn::ATNState::PLUS_BLOCK_START:
    case antlr4::atn::ATNState::STAR_LOOP_ENTRY:
    case antlr4::atn::ATNState::PLUS_LOOP_BACK:
    case antlr4::atn::ATNState::STAR_LOOP_BACK: {
      antlr4::InputMismatchException E(P);
      reportError(P, E);
      throw antlr4::ParseCancellationException();
    }
    default:
      return;
    }
  }
};

class ParserErrorListener : public antlr4::BaseErrorListener {
public:
  ParserErrorListener(DiagnosticEngine &Diags, const OffsetMap &Map,
                      antlr4::TokenStream &Tokens)
      : Diags(Diags), Map(Map), Tokens(Tokens) {}

  void syntaxError(antlr4::Recognizer *R, antlr4::Token *Off, size_t, size_t,
                   const std::string &, std::exception_ptr) override {
    if (Reported)
      return;
    Reported = true;
    auto *P = static_cast<antlr4::Parser *>(R);
    antlr4::misc::IntervalSet Expected;
    try {
      Expected = P->getExpectedTokens();
    } catch (...) {
    }
    std::vector<std::string> Names =
        describeExpected(Expected, R->getVocabulary());
    std::string ExpectedText;
    if (!Names.empty() && Names.size() <= 8) {
      ExpectedText = "expected ";
      for (size_t I = 0; I < Names.size(); ++I) {
        if (I)
          ExpectedText += (I + 1 == Names.size()) ? " or " : ", ";
        ExpectedText += Names[I];
      }
    }

    // A missing ';' at the end of a line reads best pointed at the end of
    // the statement rather than at the start of the next line.
    if (Off && Expected.contains(static_cast<size_t>(SSCParser::SEMI)) && Off->getTokenIndex() > 0) {
      antlr4::Token *Prev = Tokens.get(Off->getTokenIndex() - 1);
      if (Prev->getLine() < Off->getLine() ||
          Off->getType() == antlr4::Token::EOF) {
        Diags.error(Map.loc(Prev->getStopIndex() + 1),
                    ExpectedText.empty() ? "expected ';'" : ExpectedText);
        return;
      }
    }

    std::string Msg = "unexpected " + describeToken(Off);
    if (!ExpectedText.empty())
      Msg += "; " + ExpectedText;
    SMLoc Loc = Off ? Map.loc(Off->getStartIndex()) : SMLoc();
    if (Off && Off->getType() != antlr4::Token::EOF &&
        Off->getStopIndex() >= Off->getStartIndex())
      Diags.error(Loc, Msg, SMRange(Loc, Map.loc(Off->getStopIndex() + 1)));
    else
      Diags.error(Loc, Msg);
  }

  bool Reported = false;

private:
  DiagnosticEngine &Diags;
  const OffsetMap &Map;
  antlr4::TokenStream &Tokens;

  static std::string describeToken(antlr4::Token *T) {
    if (!T || T->getType() == antlr4::Token::EOF)
      return "end of file";
    std::string Text = T->getText();
    if (Text.size() > 40)
      Text = Text.substr(0, 37) + "...";
    return "'" + Text + "'";
  }

  static std::vector<std::string>
  describeExpected(const antlr4::misc::IntervalSet &Set,
                   const antlr4::dfa::Vocabulary &Vocab) {
    static const size_t ValueStarts[] = {
        SSCParser::INT,    SSCParser::FLOAT,  SSCParser::FACTOR,
        SSCParser::STRING, SSCParser::TRUE_,  SSCParser::FALSE_,
        SSCParser::LBRACK, SSCParser::MINUS,  SSCParser::ID};
    std::vector<std::string> Out;
    bool AllValues = true;
    for (size_t T : ValueStarts)
      AllValues &= Set.contains(static_cast<size_t>(T));
    if (AllValues)
      Out.push_back("a value");
    bool HasName = AllValues || Set.contains(static_cast<size_t>(SSCParser::ID));
    for (ssize_t T : Set.toList()) {
      // 'x' and 'of' are names too; "a name" already covers them.
      if (HasName && (T == SSCParser::X || T == SSCParser::OF))
        continue;
      if (AllValues && std::find(std::begin(ValueStarts), std::end(ValueStarts),
                                 static_cast<size_t>(T)) != std::end(ValueStarts))
        continue;
      Out.push_back(tokenName(T, Vocab));
    }
    return Out;
  }

  static std::string tokenName(ssize_t T, const antlr4::dfa::Vocabulary &V) {
    switch (T) {
    case -1: return "end of file";
    case SSCParser::ID: return "a name";
    case SSCParser::INT: return "an integer";
    case SSCParser::FLOAT: return "a number";
    case SSCParser::FACTOR: return "a factor (like 4x)";
    case SSCParser::STRING: return "a string";
    default:
      break;
    }
    std::string Name = V.getLiteralName(T);
    return Name.empty() ? V.getDisplayName(T) : Name;
  }
};

//===----------------------------------------------------------------------===//
// Parse tree to AST
//===----------------------------------------------------------------------===//

class ASTBuilder {
public:
  ASTBuilder(DiagnosticEngine &Diags, const OffsetMap &Map, unsigned MaxNesting)
      : Diags(Diags), Map(Map), MaxNesting(MaxNesting) {}

  bool failed() const { return Failed; }

  std::vector<NodePtr> buildFile(SSCParser::FileContext *C) {
    std::vector<NodePtr> Decls;
    for (auto *D : C->decl()) {
      if (auto *I = D->importDecl())
        Decls.push_back(buildImport(I));
      else if (auto *M = D->modelDecl())
        Decls.push_back(buildModel(M));
      else if (auto *G = D->gpuDecl())
        Decls.push_back(buildBlock(BlockKind::Gpu, G->getStart(), G->name(0),
                                   G->base, G->stmt(), G->RBRACE()));
      else if (auto *P = D->planDecl())
        Decls.push_back(buildPlan(P));
    }
    return Decls;
  }

private:
  DiagnosticEngine &Diags;
  const OffsetMap &Map;
  unsigned MaxNesting;
  bool Failed = false;

  SMLoc loc(antlr4::Token *T) const { return Map.loc(T->getStartIndex()); }
  SMLoc loc(antlr4::tree::TerminalNode *N) const { return loc(N->getSymbol()); }
  SMLoc endLoc(antlr4::Token *T) const { return Map.loc(T->getStopIndex() + 1); }
  SMRange range(antlr4::ParserRuleContext *C) const {
    antlr4::Token *Start = C->getStart(), *Stop = C->getStop();
    if (!Stop || Stop->getTokenIndex() < Start->getTokenIndex())
      return SMRange(loc(Start), loc(Start));
    return SMRange(loc(Start), endLoc(Stop));
  }

  void error(SMLoc Loc, const llvm::Twine &Msg, SMRange R = SMRange()) {
    Failed = true;
    Diags.error(Loc, Msg, R.isValid() ? llvm::ArrayRef<SMRange>(R)
                                      : llvm::ArrayRef<SMRange>());
  }

  NodePtr buildImport(SSCParser::ImportDeclContext *C) {
    antlr4::Token *S = C->STRING()->getSymbol();
    return std::make_unique<ImportDecl>(loc(C->getStart()), unquote(S),
                                        SMRange(loc(S), endLoc(S)));
  }

  NodePtr buildModel(SSCParser::ModelDeclContext *C) {
    std::vector<NodePtr> Body;
    for (auto *I : C->modelItem()) {
      if (auto *L = I->layerDecl())
        Body.push_back(buildBlock(BlockKind::Layer, L->getStart(), L->name(0),
                                  L->base, L->stmt(), L->RBRACE()));
      else
        Body.push_back(buildStmt(I->stmt()));
    }
    return makeBlock(BlockKind::Model, C->getStart(), C->name(), nullptr,
                     std::move(Body), C->RBRACE());
  }

  NodePtr buildPlan(SSCParser::PlanDeclContext *C) {
    std::vector<NodePtr> Body;
    auto Layer = [&](SSCParser::LayerDeclContext *L) {
      return buildBlock(BlockKind::Layer, L->getStart(), L->name(0), L->base,
                        L->stmt(), L->RBRACE());
    };
    for (auto *I : C->planItem()) {
      if (auto *Ph = I->phaseDecl()) {
        BlockKind K = Ph->PREFILL() ? BlockKind::Prefill : BlockKind::Decode;
        std::vector<NodePtr> Items;
        for (auto *PI : Ph->phaseItem())
          Items.push_back(PI->layerDecl() ? Layer(PI->layerDecl())
                                          : buildStmt(PI->stmt()));
        Body.push_back(makeBlock(K, Ph->getStart(), nullptr, nullptr,
                                 std::move(Items), Ph->RBRACE()));
      } else if (auto *L = I->layerDecl()) {
        Body.push_back(Layer(L));
      } else {
        Body.push_back(buildStmt(I->stmt()));
      }
    }
    return makeBlock(BlockKind::Plan, C->getStart(), C->name(), nullptr,
                     std::move(Body), C->RBRACE());
  }

  NodePtr buildBlock(BlockKind K, antlr4::Token *Start,
                     SSCParser::NameContext *Name, SSCParser::NameContext *Base,
                     const std::vector<SSCParser::StmtContext *> &Stmts,
                     antlr4::tree::TerminalNode *End) {
    std::vector<NodePtr> Body;
    for (auto *S : Stmts)
      Body.push_back(buildStmt(S));
    return makeBlock(K, Start, Name, Base, std::move(Body), End);
  }

  NodePtr makeBlock(BlockKind K, antlr4::Token *Start, SSCParser::NameContext *Name,
                    SSCParser::NameContext *Base, std::vector<NodePtr> Body,
                    antlr4::tree::TerminalNode *End) {
    return std::make_unique<Block>(
        K, loc(Start), Name ? Name->getText() : std::string(),
        Name ? loc(Name->getStart()) : SMLoc(),
        Base ? Base->getText() : std::string(),
        Base ? loc(Base->getStart()) : SMLoc(), std::move(Body), loc(End));
  }

  NodePtr buildStmt(SSCParser::StmtContext *C) {
    if (auto *P = dynamic_cast<SSCParser::PropertyStmtContext *>(C))
      return std::make_unique<PropertyStmt>(loc(P->getStart()),
                                            P->name()->getText(),
                                            buildValue(P->value(), false));
    auto *Cl = static_cast<SSCParser::ClauseStmtContext *>(C);
    std::vector<Term> Terms;
    for (auto *T : Cl->term())
      Terms.push_back(buildTerm(T));
    std::vector<Arg> Args;
    if (Cl->args())
      Args = buildArgs(Cl->args());
    return std::make_unique<ClauseStmt>(loc(Cl->getStart()), Cl->name()->getText(),
                                        Cl->args() != nullptr, std::move(Args),
                                        std::move(Terms), loc(Cl->SEMI()));
  }

  Term buildTerm(SSCParser::TermContext *C) {
    Term T;
    if (auto *A = dynamic_cast<SSCParser::AssignTermContext *>(C)) {
      T.Name = A->name()->getText();
      T.Loc = loc(A->getStart());
      T.Assigned = buildItem(A->item());
      return T;
    }
    auto *W = static_cast<SSCParser::WordTermContext *>(C);
    T.Name = W->name()->getText();
    T.Loc = loc(W->getStart());
    if (W->args()) {
      T.HasArgs = true;
      T.Args = buildArgs(W->args());
    }
    return T;
  }

  std::vector<Arg> buildArgs(SSCParser::ArgsContext *C) {
    std::vector<Arg> Args;
    for (auto *A : C->arg()) {
      Arg Out;
      if (auto *N = dynamic_cast<SSCParser::NamedArgContext *>(A)) {
        Out.Name = N->name()->getText();
        Out.NameLoc = loc(N->getStart());
        Out.Val = buildItem(N->item());
      } else {
        auto *P = static_cast<SSCParser::PositionalArgContext *>(A);
        Out.NameLoc = loc(P->getStart());
        Out.Val = buildItem(P->item());
      }
      Args.push_back(std::move(Out));
    }
    return Args;
  }

  ValuePtr buildValue(SSCParser::ValueContext *C, bool Bracketed) {
    auto Elems = C->element();
    if (Elems.size() == 1 && !Bracketed)
      return buildElement(Elems[0]);
    std::vector<ValuePtr> Out;
    for (auto *E : Elems)
      Out.push_back(buildElement(E));
    return std::make_unique<ListValue>(range(C), std::move(Out), Bracketed);
  }

  ValuePtr buildElement(SSCParser::ElementContext *C) {
    ValuePtr V;
    SSCParser::ElementBaseContext *B = C->elementBase();
    if (auto *Cy = dynamic_cast<SSCParser::CycleElementContext *>(B)) {
      std::vector<ValuePtr> Elems;
      for (auto *E : Cy->value()->element())
        Elems.push_back(buildElement(E));
      V = std::make_unique<CycleValue>(range(Cy), parseCount(Cy->INT()),
                                       loc(Cy->INT()), std::move(Elems));
    } else {
      V = buildItem(static_cast<SSCParser::ItemElementContext *>(B)->item());
    }
    // Fold `2 x 3 x dense` from the inside out.
    auto Prefixes = C->repeatPrefix();
    if (Prefixes.size() > MaxNesting) {
      error(loc(Prefixes[MaxNesting]->getStart()),
            fmt::format("repetitions nested more than {} levels deep", MaxNesting));
      return V;
    }
    for (auto It = Prefixes.rbegin(); It != Prefixes.rend(); ++It) {
      SSCParser::RepeatPrefixContext *P = *It;
      int64_t Count;
      SMLoc CountLoc;
      if (P->INT()) {
        Count = parseCount(P->INT());
        CountLoc = loc(P->INT());
      } else {
        antlr4::Token *F = P->FACTOR()->getSymbol();
        std::string Text = F->getText();
        Text.pop_back(); // the 'x'
        CountLoc = loc(F);
        Count = parseCountText(Text, CountLoc);
      }
      SMRange R(loc(P->getStart()), V->getRange().End);
      V = std::make_unique<RepeatValue>(R, Count, CountLoc, std::move(V));
    }
    return V;
  }

  ValuePtr buildItem(SSCParser::ItemContext *C) {
    SMRange R = range(C);
    if (auto *L = dynamic_cast<SSCParser::ListItemContext *>(C)) {
      if (!L->value())
        return std::make_unique<ListValue>(R, std::vector<ValuePtr>(), true);
      return buildValue(L->value(), true);
    }
    if (auto *N = dynamic_cast<SSCParser::NumberItemContext *>(C)) {
      bool Neg = N->MINUS() != nullptr;
      if (N->INT()) {
        std::string Text = N->INT()->getText();
        std::optional<int64_t> V = parseInt(Text, loc(N->INT()));
        return std::make_unique<IntValue>(R, V ? (Neg ? -*V : *V) : 0);
      }
      double V = parseFloat(N->FLOAT()->getText(), loc(N->FLOAT()));
      return std::make_unique<FloatValue>(R, Neg ? -V : V);
    }
    if (auto *F = dynamic_cast<SSCParser::FactorItemContext *>(C)) {
      std::string Text = F->FACTOR()->getText();
      Text.pop_back();
      return std::make_unique<FactorValue>(R, parseFloat(Text, loc(F->FACTOR())));
    }
    if (auto *S = dynamic_cast<SSCParser::StringItemContext *>(C))
      return std::make_unique<StringValue>(R, unquote(S->STRING()->getSymbol()));
    if (auto *B = dynamic_cast<SSCParser::BoolItemContext *>(C))
      return std::make_unique<BoolValue>(R, B->TRUE_() != nullptr);
    auto *Ref = static_cast<SSCParser::RefItemContext *>(C);
    std::vector<Arg> Args;
    if (Ref->args())
      Args = buildArgs(Ref->args());
    return std::make_unique<RefValue>(R, Ref->name()->getText(),
                                      Ref->args() != nullptr, std::move(Args));
  }

  static std::string stripSeparators(StringRef Text) {
    std::string S;
    S.reserve(Text.size());
    for (char C : Text)
      if (C != '_')
        S.push_back(C);
    return S;
  }

  std::optional<int64_t> parseInt(StringRef Text, SMLoc Loc) {
    std::string Digits = stripSeparators(Text);
    int64_t V = 0;
    auto Res = std::from_chars(Digits.data(), Digits.data() + Digits.size(), V);
    if (Res.ec == std::errc::result_out_of_range) {
      error(Loc, "integer literal is too large (the largest is 9223372036854775807)",
            SMRange(Loc, SMLoc::getFromPointer(Loc.getPointer() + Text.size())));
      return std::nullopt;
    }
    if (Res.ec != std::errc() || Res.ptr != Digits.data() + Digits.size()) {
      error(Loc, "malformed integer literal");
      return std::nullopt;
    }
    return V;
  }

  int64_t parseCount(antlr4::tree::TerminalNode *N) {
    return parseCountText(N->getText(), loc(N));
  }

  int64_t parseCountText(const std::string &Text, SMLoc Loc) {
    if (Text.find('.') != std::string::npos) {
      error(Loc, "a repeat count must be a whole number");
      return 0;
    }
    return parseInt(Text, Loc).value_or(0);
  }

  double parseFloat(StringRef Text, SMLoc Loc) {
    std::string S = stripSeparators(Text);
    double V = 0;
    auto Res = std::from_chars(S.data(), S.data() + S.size(), V);
    if (Res.ec == std::errc::result_out_of_range || !std::isfinite(V)) {
      // from_chars also reports underflow as out of range; only overflow is
      // an error, a denormal or zero is a fine value.
      if (S.find_first_of("eE") != std::string::npos &&
          S.find("e-") != std::string::npos)
        return 0.0;
      error(Loc, "number is too large to represent");
      return 0;
    }
    if (Res.ec != std::errc()) {
      error(Loc, "malformed number");
      return 0;
    }
    return V;
  }

  std::string unquote(antlr4::Token *T) {
    std::string Text = T->getText();
    std::string Out;
    SMLoc Start = loc(T);
    // Text is "...": skip the quotes.
    for (size_t I = 1; I + 1 < Text.size(); ++I) {
      char C = Text[I];
      if (C != '\\') {
        Out.push_back(C);
        continue;
      }
      char N = Text[++I];
      switch (N) {
      case '"': Out.push_back('"'); break;
      case '\\': Out.push_back('\\'); break;
      case 'n': Out.push_back('\n'); break;
      case 't': Out.push_back('\t'); break;
      case 'r': Out.push_back('\r'); break;
      default: {
        // Byte offsets inside a token are only valid for ASCII text before
        // this point; the error still lands on the right token.
        SMLoc EscLoc = SMLoc::getFromPointer(
            Start.getPointer() +
            std::min<size_t>(I - 1, static_cast<size_t>(T->getStopIndex() -
                                                       T->getStartIndex())));
        error(EscLoc, "unknown escape sequence in string; use \\\", \\\\, \\n, \\t or \\r");
        break;
      }
      }
    }
    return Out;
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// Rejects what ANTLR must never see: NUL bytes, invalid UTF-8, huge files.
static bool checkEncoding(StringRef Text, DiagnosticEngine &Diags,
                          const ParserLimits &Limits) {
  if (Text.size() > Limits.MaxBytes) {
    Diags.error(SMLoc::getFromPointer(Text.data()),
                fmt::format("file is too large ({} bytes; the limit is {})",
                            Text.size(), Limits.MaxBytes));
    return false;
  }
  if (const void *Nul = std::memchr(Text.data(), 0, Text.size())) {
    Diags.error(SMLoc::getFromPointer(static_cast<const char *>(Nul)),
                "file contains a NUL byte");
    return false;
  }
  const llvm::UTF8 *P = reinterpret_cast<const llvm::UTF8 *>(Text.begin());
  const llvm::UTF8 *E = reinterpret_cast<const llvm::UTF8 *>(Text.end());
  if (!llvm::isLegalUTF8String(&P, E)) {
    Diags.error(SMLoc::getFromPointer(reinterpret_cast<const char *>(P)),
                fmt::format("invalid UTF-8 byte 0x{:02X}; ssc files must be UTF-8",
                            static_cast<unsigned>(*P)));
    return false;
  }
  return true;
}

std::unique_ptr<ast::File> ssc::parseBuffer(unsigned BufferID,
                                            DiagnosticEngine &Diags,
                                            const ParserLimits &Limits) {
  const llvm::MemoryBuffer *Buf = Diags.getSourceMgr().getMemoryBuffer(BufferID);
  StringRef Text = Buf->getBuffer();
  if (!checkEncoding(Text, Diags, Limits))
    return nullptr;

  OffsetMap Map(Text);
  antlr4::ANTLRInputStream Input(Text.data(), Text.size());
  SSCLexer Lexer(&Input);
  Lexer.removeErrorListeners();
  LexerErrorListener LexErrors;
  Lexer.addErrorListener(&LexErrors);

  // Lex everything first, checking for lexical errors, runaway nesting (which
  // would exhaust the stack of a recursive-descent parser) and token floods.
  std::vector<std::unique_ptr<antlr4::Token>> Tokens;
  unsigned Depth = 0;
  while (true) {
    std::unique_ptr<antlr4::Token> T = Lexer.nextToken();
    if (LexErrors.Failed) {
      SMLoc Loc = Map.loc(LexErrors.StartIndex);
      const char *P = Loc.getPointer();
      StringRef Rest(P, Text.end() - P);
      if (Rest.startswith("\""))
        Diags.error(Loc, "unterminated string literal");
      else if (Rest.startswith("/*"))
        Diags.error(Loc, "unterminated block comment");
      else
        Diags.error(Loc, "unexpected " + describeChar(Text, P));
      return nullptr;
    }
    size_t Type = T->getType();
    if (Type == SSCLexer::LPAREN || Type == SSCLexer::LBRACK ||
        Type == SSCLexer::LBRACE) {
      if (++Depth > Limits.MaxNesting) {
        Diags.error(Map.loc(T->getStartIndex()),
                    fmt::format("brackets nested more than {} levels deep",
                                Limits.MaxNesting));
        return nullptr;
      }
    } else if (Type == SSCLexer::RPAREN || Type == SSCLexer::RBRACK ||
               Type == SSCLexer::RBRACE) {
      if (Depth)
        --Depth;
    }
    bool AtEnd = Type == antlr4::Token::EOF;
    Tokens.push_back(std::move(T));
    if (AtEnd)
      break;
    if (Tokens.size() > Limits.MaxTokens) {
      Diags.error(Map.loc(Tokens.back()->getStartIndex()),
                  fmt::format("file has more than {} tokens", Limits.MaxTokens));
      return nullptr;
    }
  }

  antlr4::ListTokenSource Source(std::move(Tokens));
  antlr4::CommonTokenStream Stream(&Source);

  SSCParser Parser(&Stream);
  Parser.removeErrorListeners();
  ParserErrorListener ParseErrors(Diags, Map, Stream);
  Parser.addErrorListener(&ParseErrors);
  Parser.setErrorHandler(std::make_shared<FirstErrorStrategy>());

  SSCParser::FileContext *Tree = nullptr;
  bool Cancelled = false;
  try {
    Tree = Parser.file();
  } catch (antlr4::ParseCancellationException &) {
    Cancelled = true;
  }
  if (Cancelled || ParseErrors.Reported) {
    if (!ParseErrors.Reported)
      Diags.error(SMLoc::getFromPointer(Text.data()), "syntax error");
    return nullptr;
  }

  ASTBuilder Builder(Diags, Map, Limits.MaxNesting);
  std::vector<NodePtr> Decls = Builder.buildFile(Tree);
  if (Builder.failed())
    return nullptr;
  return std::make_unique<ast::File>(Buf->getBufferIdentifier().str(), BufferID,
                                     std::move(Decls));
}

std::unique_ptr<ast::File> ssc::parseFile(StringRef Path, DiagnosticEngine &Diags,
                                          SMLoc IncludeLoc,
                                          const ParserLimits &Limits) {
  unsigned ID = loadFileBuffer(Path, Diags, IncludeLoc);
  if (ID == 0)
    return nullptr;
  return parseBuffer(ID, Diags, Limits);
}

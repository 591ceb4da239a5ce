//===- Reader.cpp - Typed access to AST values ----------------------------===//

#include "Reader.h"

#include "ssc/AST/ASTPrinter.h"
#include "ssc/Support/Format.h"

#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace ssc;
using namespace ssc::sema;
using namespace ssc::ast;

void Reader::error(llvm::SMLoc Loc, const llvm::Twine &Msg, llvm::SMRange Range) {
  Failed = true;
  ++NumErrors;
  LastWasRepeat = !Reported.emplace(Loc.getPointer(), Msg.str()).second;
  if (LastWasRepeat)
    return;
  if (Range.isValid())
    Diags.error(Loc, Msg, Range);
  else
    Diags.error(Loc, Msg);
}

std::string ssc::sema::describeKind(const Value &V) {
  llvm::StringRef K = V.getKindName();
  return (llvm::StringRef("aeiou").contains(K.front()) ? "an " : "a ") + K.str();
}

static std::string spelled(const Value &V) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  print(V, OS);
  OS.flush();
  if (S.size() > 40)
    S = S.substr(0, 37) + "...";
  return S;
}

std::optional<int64_t> Reader::getInt(const Value &V, llvm::StringRef What,
                                      int64_t Min, int64_t Max) {
  const auto *I = llvm::dyn_cast<IntValue>(&V);
  if (!I) {
    if (const auto *F = llvm::dyn_cast<FloatValue>(&V);
        F && std::floor(F->getValue()) == F->getValue() &&
        std::fabs(F->getValue()) < 9.0e18) {
      // 1e6 spelled as a float is still a whole number.
      int64_t X = static_cast<int64_t>(F->getValue());
      if (X >= Min && X <= Max)
        return X;
    }
    error(V, "'" + What + "' must be an integer, not " +
                 (V.isNumber() ? "'" + spelled(V) + "'" : describeKind(V)));
    return std::nullopt;
  }
  int64_t X = I->getValue();
  if (X < Min) {
    if (Min == 1)
      error(V, "'" + What + "' must be positive, not " + std::to_string(X));
    else
      error(V, "'" + What + "' must be at least " + std::to_string(Min) +
                   ", not " + std::to_string(X));
    return std::nullopt;
  }
  if (X > Max) {
    error(V, "'" + What + "' is too large: " + std::to_string(X) +
                 " (the limit is " + std::to_string(Max) + ")");
    return std::nullopt;
  }
  return X;
}

std::optional<double> Reader::getNumber(const Value &V, llvm::StringRef What,
                                        double Min, double Max) {
  double X;
  if (const auto *I = llvm::dyn_cast<IntValue>(&V))
    X = static_cast<double>(I->getValue());
  else if (const auto *F = llvm::dyn_cast<FloatValue>(&V))
    X = F->getValue();
  else {
    error(V, "'" + What + "' must be a number, not " + describeKind(V));
    return std::nullopt;
  }
  if (X < Min || X > Max) {
    error(V, "'" + What + "' must be between " + formatShortest(Min) + " and " +
                 formatShortest(Max) + ", not " + spelled(V));
    return std::nullopt;
  }
  return X;
}

std::optional<double> Reader::getFactor(const Value &V, llvm::StringRef What) {
  double X;
  if (const auto *F = llvm::dyn_cast<FactorValue>(&V))
    X = F->getValue();
  else if (V.isNumber())
    return getNumber(V, What, 1e-6, 1e6);
  else {
    error(V, "'" + What + "' must be a factor like 4x, not " + describeKind(V));
    return std::nullopt;
  }
  if (!(X > 0) || X > 1e6) {
    error(V, "'" + What + "' must be a positive factor, not " + spelled(V));
    return std::nullopt;
  }
  return X;
}

std::optional<bool> Reader::getBool(const Value &V, llvm::StringRef What) {
  if (const auto *B = llvm::dyn_cast<BoolValue>(&V))
    return B->getValue();
  error(V, "'" + What + "' must be true or false, not " +
               (llvm::isa<RefValue>(V) ? "'" + spelled(V) + "'" : describeKind(V)));
  return std::nullopt;
}

std::optional<std::string> Reader::getString(const Value &V, llvm::StringRef What) {
  if (const auto *S = llvm::dyn_cast<StringValue>(&V))
    return S->getValue().str();
  error(V, "'" + What + "' must be a string in double quotes, not " +
               describeKind(V));
  return std::nullopt;
}

std::optional<std::string> Reader::getWord(const Value &V, llvm::StringRef What,
                                           llvm::ArrayRef<llvm::StringRef> Choices) {
  const auto *R = llvm::dyn_cast<RefValue>(&V);
  if (!R || R->hasArgs()) {
    error(V, "'" + What + "' must be one of " + joinAlternatives(Choices) +
                 ", not " + (R ? "'" + spelled(V) + "'" : describeKind(V)));
    return std::nullopt;
  }
  for (llvm::StringRef C : Choices)
    if (C == R->getName())
      return C.str();
  unknown(V.getLoc(), What, R->getName(), Choices);
  return std::nullopt;
}

std::optional<int64_t> Reader::getTopK(const Value &V, llvm::StringRef What) {
  if (const auto *R = llvm::dyn_cast<RefValue>(&V); R && !R->hasArgs()) {
    llvm::StringRef N = R->getName();
    int64_t K;
    if (N.consume_front("top") && !N.empty() && !N.getAsInteger(10, K)) {
      if (K < 1 || K > MaxCount) {
        error(V, "'" + What + "' must be between 1 and " +
                     std::to_string(MaxCount) + ", not " + std::to_string(K));
        return std::nullopt;
      }
      return K;
    }
    error(V, "'" + What + "' must be written topN (like top2) or as a number");
    return std::nullopt;
  }
  return getInt(V, What, 1, MaxCount);
}

bool Reader::bindArgs(const std::vector<Arg> &Args,
                      llvm::ArrayRef<llvm::StringRef> Params, llvm::SMLoc CallLoc,
                      llvm::StringRef Callee,
                      llvm::SmallVectorImpl<const Value *> &Out) {
  Out.assign(Params.size(), nullptr);
  bool Ok = true, SawNamed = false;
  size_t Next = 0;
  for (const Arg &A : Args) {
    if (!A.isNamed()) {
      if (SawNamed) {
        error(A.Val->getLoc(), "positional argument after a named one in '" +
                                   Callee + "'");
        Ok = false;
        continue;
      }
      if (Next >= Params.size()) {
        if (Params.empty())
          error(A.Val->getLoc(), "'" + Callee + "' takes no arguments");
        else
          error(A.Val->getLoc(), "too many arguments to '" + Callee +
                                     "' (it takes " + joinAlternatives(Params) + ")");
        Ok = false;
        continue;
      }
      Out[Next++] = A.Val.get();
      continue;
    }
    SawNamed = true;
    auto It = llvm::find(Params, A.Name);
    if (It == Params.end()) {
      if (Params.empty())
        error(A.NameLoc, "'" + Callee + "' takes no arguments");
      else
        error(A.NameLoc, "'" + Callee + "' has no argument '" + A.Name +
                             "'; it takes " + joinAlternatives(Params) +
                             didYouMean(A.Name, Params));
      Ok = false;
      continue;
    }
    size_t Idx = It - Params.begin();
    if (Out[Idx]) {
      error(A.NameLoc, "argument '" + A.Name + "' of '" + Callee +
                           "' is given twice");
      Ok = false;
      continue;
    }
    Out[Idx] = A.Val.get();
  }
  return Ok;
}

void Reader::missingArg(llvm::SMLoc CallLoc, llvm::StringRef Callee,
                        llvm::StringRef Param) {
  error(CallLoc, "'" + Callee + "' needs its '" + Param + "' argument");
}

void Reader::unknown(llvm::SMLoc Loc, llvm::StringRef What, llvm::StringRef Word,
                     llvm::ArrayRef<llvm::StringRef> Known) {
  std::string Msg = "unknown " + What.str() + " '" + Word.str() + "'";
  std::string Hint = didYouMean(Word, Known);
  if (!Hint.empty())
    Msg += Hint;
  else if (Known.size() <= 12)
    Msg += "; expected " + joinAlternatives(Known);
  error(Loc, Msg);
}

//===- Values.cpp - Value lists of sweep axes -----------------------------===//

#include "ssc/Sweep/Values.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <cmath>
#include <set>

using namespace llvm;
using namespace ssc::sweep;

namespace {

/// The comma-separated items of a list, trimmed, with their offsets.
std::vector<std::pair<StringRef, size_t>> items(StringRef Text) {
  std::vector<std::pair<StringRef, size_t>> Out;
  size_t Start = 0;
  while (true) {
    size_t Comma = Text.find(',', Start);
    StringRef Item = Text.slice(Start, Comma == StringRef::npos ? Text.size() : Comma);
    size_t Lead = Item.size() - Item.ltrim().size();
    Out.push_back({Item.trim(), Start + Lead});
    if (Comma == StringRef::npos)
      break;
    Start = Comma + 1;
  }
  return Out;
}

bool fail(ValueError &Err, size_t Offset, const Twine &Msg) {
  Err.Offset = Offset;
  Err.Message = Msg.str();
  return false;
}

/// Reads an unsigned decimal integer at the front of \p S.
bool readInt(StringRef &S, size_t &Pos, size_t Base, int64_t &V, ValueError &Err) {
  size_t N = 0;
  while (N < S.size() && isDigit(S[N]))
    ++N;
  if (N == 0)
    return fail(Err, Base + Pos,
                S.empty() ? Twine("expected a number at the end")
                          : "expected a number, not '" + S.take_front(1) + "'");
  if (S.take_front(N).getAsInteger(10, V))
    return fail(Err, Base + Pos, "'" + S.take_front(N) + "' is too large");
  S = S.drop_front(N);
  Pos += N;
  return true;
}

bool inRange(int64_t V, int64_t Min, int64_t Max, size_t At, ValueError &Err) {
  if (V < Min)
    return fail(Err, At, std::to_string(V) + " is less than the minimum of " +
                             std::to_string(Min));
  if (V > Max)
    return fail(Err, At, std::to_string(V) + " is more than the maximum of " +
                             std::to_string(Max));
  return true;
}

/// One item: a number or a range, appended to \p Out.
bool parseIntItem(StringRef Item, size_t Base, int64_t Min, int64_t Max,
                  std::vector<int64_t> &Out, ValueError &Err) {
  StringRef S = Item;
  size_t Pos = 0;
  int64_t From = 0;
  if (!readInt(S, Pos, Base, From, Err) || !inRange(From, Min, Max, Base, Err))
    return false;
  if (S.empty()) {
    Out.push_back(From);
    return true;
  }
  if (!S.consume_front(".."))
    return fail(Err, Base + Pos, "expected ',' or '..' after a number, not '" +
                                     S.take_front(1) + "'");
  Pos += 2;
  size_t ToAt = Base + Pos;
  int64_t To = 0;
  if (!readInt(S, Pos, Base, To, Err) || !inRange(To, Min, Max, ToAt, Err))
    return false;
  if (To < From)
    return fail(Err, ToAt, "the range " + Item.take_front(Pos) +
                               " is empty: its end is less than its start");
  char Op = S.empty() ? 0 : S[0];
  int64_t By = 1;
  if (Op == ':' || Op == '*') {
    S = S.drop_front();
    ++Pos;
    size_t ByAt = Base + Pos;
    if (!readInt(S, Pos, Base, By, Err))
      return false;
    if (Op == ':' && By < 1)
      return fail(Err, ByAt, "the step of a range must be at least 1");
    if (Op == '*' && By < 2)
      return fail(Err, ByAt, "the factor of a range must be at least 2");
    if (Op == '*' && From < 1)
      return fail(Err, Base, "a range with a factor must start at 1 or more");
  } else if (Op) {
    return fail(Err, Base + Pos, "expected ':STEP', '*FACTOR' or ',' after a range, not '" +
                                     S.take_front(1) + "'");
  }
  if (!S.empty())
    return fail(Err, Base + Pos, "unexpected '" + S.take_front(1) + "' after the range");
  for (int64_t V = From; V <= To;) {
    if (Out.size() >= MaxAxisValues)
      return fail(Err, Base, "more than " + std::to_string(MaxAxisValues) +
                                 " values in one list");
    Out.push_back(V);
    // Stop before overflowing.
    if (Op == '*' ? V > To / By : V > To - By)
      break;
    V = Op == '*' ? V * By : V + By;
  }
  return true;
}

template <typename T>
bool noRepeats(const std::vector<T> &Values, const std::vector<size_t> &At,
               ValueError &Err) {
  std::set<T> Seen;
  for (size_t I = 0; I < Values.size(); ++I)
    if (!Seen.insert(Values[I]).second)
      return fail(Err, At[I], "value " + std::to_string(Values[I]) + " is listed twice");
  return true;
}

} // namespace

bool ssc::sweep::parseIntList(StringRef Text, int64_t Min, int64_t Max,
                              ArrayRef<Keyword> Words, std::vector<int64_t> &Out,
                              ValueError &Err) {
  std::vector<size_t> At;
  for (auto [Item, Base] : items(Text)) {
    if (Item.empty())
      return fail(Err, Base, "expected a value");
    bool Word = false;
    for (const Keyword &K : Words)
      if (Item == K.Word) {
        Out.push_back(K.Value);
        At.push_back(Base);
        Word = true;
      }
    if (Word)
      continue;
    if (!isDigit(Item[0]) && !Words.empty()) {
      std::string Msg = "expected a number";
      for (size_t K = 0; K < Words.size(); ++K) {
        Msg += K + 1 < Words.size() ? ", '" : " or '";
        Msg += Words[K].Word;
        Msg += "'";
      }
      Msg += ", not '";
      Msg += Item;
      Msg += "'";
      return fail(Err, Base, Msg);
    }
    if (!parseIntItem(Item, Base, Min, Max, Out, Err))
      return false;
    At.resize(Out.size(), Base);
  }
  if (Out.size() > MaxAxisValues)
    return fail(Err, 0, "more than " + std::to_string(MaxAxisValues) + " values in one list");
  return noRepeats(Out, At, Err);
}

bool ssc::sweep::parseNumberList(StringRef Text, std::vector<double> &Out,
                                 ValueError &Err) {
  std::vector<size_t> At;
  for (auto [Item, Base] : items(Text)) {
    if (Item.empty())
      return fail(Err, Base, "expected a number");
    auto [Lo, Rest] = Item.split("..");
    double From;
    if (Lo.trim().getAsDouble(From) || !std::isfinite(From))
      return fail(Err, Base, "expected a number, not '" + Lo + "'");
    if (Rest.empty() && !Item.contains("..")) {
      Out.push_back(From);
      At.push_back(Base);
      continue;
    }
    size_t ToAt = Base + Lo.size() + 2;
    auto [Hi, Step] = Rest.split(':');
    double To, By;
    if (Hi.trim().getAsDouble(To) || !std::isfinite(To))
      return fail(Err, ToAt, "expected a number, not '" + Hi + "'");
    if (!Rest.contains(':'))
      return fail(Err, ToAt + Hi.size(), "a range of numbers needs a step, as in 0.5..1:0.1");
    size_t StepAt = ToAt + Hi.size() + 1;
    if (Step.trim().getAsDouble(By) || !(By > 0))
      return fail(Err, StepAt, "the step must be a number above 0, not '" + Step + "'");
    if (To < From)
      return fail(Err, ToAt, "the range " + Item + " is empty: its end is less than its start");
    double Count = std::floor((To - From) / By + 1e-9) + 1;
    if (Count > static_cast<double>(MaxAxisValues))
      return fail(Err, Base, "more than " + std::to_string(MaxAxisValues) +
                                 " values in one list");
    for (int64_t I = 0; I < static_cast<int64_t>(Count); ++I) {
      Out.push_back(From + static_cast<double>(I) * By);
      At.push_back(Base);
    }
  }
  return noRepeats(Out, At, Err);
}

bool ssc::sweep::parseWordList(StringRef Text,
                               std::vector<std::pair<std::string, size_t>> &Out,
                               ValueError &Err) {
  std::set<std::string> Seen;
  for (auto [Item, Base] : items(Text)) {
    if (Item.empty())
      return fail(Err, Base, "expected a name");
    if (!Seen.insert(Item.str()).second)
      return fail(Err, Base, "'" + Item + "' is listed twice");
    Out.push_back({Item.str(), Base});
  }
  return true;
}

std::string KvLenValue::str() const {
  switch (K) {
  case Kind::Default: return "default";
  case Kind::Tokens: return std::to_string(Value);
  case Kind::FromIsl:
    return Value == 0 ? "isl" : Value > 0 ? "isl+" + std::to_string(Value)
                                          : "isl" + std::to_string(Value);
  }
  return "";
}

bool ssc::sweep::parseKvLenList(StringRef Text, std::vector<KvLenValue> &Out,
                                ValueError &Err) {
  constexpr int64_t Max = int64_t(1) << 34;
  std::vector<size_t> At;
  for (auto [Item, Base] : items(Text)) {
    if (Item.empty())
      return fail(Err, Base, "expected a value");
    if (Item == "default") {
      Out.push_back({KvLenValue::Kind::Default, 0});
      At.push_back(Base);
      continue;
    }
    if (Item.consume_front("isl")) {
      int64_t Off = 0;
      if (!Item.empty()) {
        char Sign = Item[0];
        if (Sign != '+' && Sign != '-')
          return fail(Err, Base + 3, "expected 'isl', 'isl+N' or 'isl-N'");
        StringRef Num = Item.drop_front();
        size_t Pos = 0;
        if (!readInt(Num, Pos, Base + 4, Off, Err))
          return false;
        if (!Num.empty())
          return fail(Err, Base + 4 + Pos, "unexpected '" + Num.take_front(1) + "'");
        if (Off > Max)
          return fail(Err, Base + 4, std::to_string(Off) + " is more than the maximum of " +
                                         std::to_string(Max));
        if (Sign == '-')
          Off = -Off;
      }
      Out.push_back({KvLenValue::Kind::FromIsl, Off});
      At.push_back(Base);
      continue;
    }
    std::vector<int64_t> Tokens;
    if (!parseIntItem(Item, Base, 0, Max, Tokens, Err))
      return false;
    for (int64_t T : Tokens) {
      Out.push_back({KvLenValue::Kind::Tokens, T});
      At.push_back(Base);
    }
    if (Out.size() > MaxAxisValues)
      return fail(Err, Base, "more than " + std::to_string(MaxAxisValues) +
                                 " values in one list");
  }
  std::set<std::pair<KvLenValue::Kind, int64_t>> Seen;
  for (size_t I = 0; I < Out.size(); ++I)
    if (!Seen.insert({Out[I].K, Out[I].Value}).second)
      return fail(Err, At[I], "value '" + Out[I].str() + "' is listed twice");
  return true;
}

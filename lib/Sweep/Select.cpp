//===- Select.cpp - Which points a sweep keeps ----------------------------===//

#include "ssc/Sweep/Select.h"

#include "llvm/ADT/SmallVector.h"

using namespace llvm;
using namespace ssc;
using namespace ssc::sweep;

namespace {

struct MetricName {
  StringRef Name;
  SlaBound::Metric M;
  bool Time;
};

const MetricName MetricNames[] = {
    {"ttft", SlaBound::Metric::Ttft, true},
    {"ttft_ms", SlaBound::Metric::Ttft, true},
    {"tpot", SlaBound::Metric::Tpot, true},
    {"tpot_ms", SlaBound::Metric::Tpot, true},
    {"tps_user", SlaBound::Metric::TokensPerUser, false},
    {"tokens_per_s_per_user", SlaBound::Metric::TokensPerUser, false},
    {"tps_gpu", SlaBound::Metric::DecodeTokensPerGpu, false},
    {"decode_tokens_per_s_per_gpu", SlaBound::Metric::DecodeTokensPerGpu, false},
    {"prefill_tps_gpu", SlaBound::Metric::PrefillTokensPerGpu, false},
    {"prefill_tokens_per_s_per_gpu", SlaBound::Metric::PrefillTokensPerGpu, false},
};

double metricValue(SlaBound::Metric M, const Metrics &X) {
  switch (M) {
  case SlaBound::Metric::Ttft: return X.TtftMs;
  case SlaBound::Metric::Tpot: return X.TpotMs;
  case SlaBound::Metric::TokensPerUser: return X.TokensPerSecPerUser;
  case SlaBound::Metric::DecodeTokensPerGpu: return X.DecodeTokensPerSecPerGpu;
  case SlaBound::Metric::PrefillTokensPerGpu: return X.PrefillTokensPerSecPerGpu;
  }
  return 0;
}

} // namespace

bool ssc::sweep::parseSla(StringRef Text, std::vector<SlaBound> &Out, ValueError &Err) {
  size_t Start = 0;
  while (Start <= Text.size()) {
    size_t Comma = Text.find(',', Start);
    size_t End = Comma == StringRef::npos ? Text.size() : Comma;
    StringRef Item = Text.slice(Start, End);
    size_t Base = Start + (Item.size() - Item.ltrim().size());
    Item = Item.trim();
    Start = End + 1;
    size_t OpAt = Item.find_first_of("<>");
    if (Item.empty() || OpAt == StringRef::npos) {
      Err = {Base, "expected a bound such as 'tpot<=50ms' or 'tps_user>=20'"};
      return false;
    }
    SlaBound B;
    B.Text = Item.str();
    StringRef Name = Item.take_front(OpAt).trim();
    const MetricName *Found = nullptr;
    for (const MetricName &N : MetricNames)
      if (N.Name == Name)
        Found = &N;
    if (!Found) {
      SmallVector<StringRef, 12> Names;
      for (const MetricName &N : MetricNames)
        Names.push_back(N.Name);
      std::string Hint = didYouMean(Name, Names);
      Err = {Base, "unknown SLA metric '" + Name.str() + "'" +
                       (Hint.empty() ? "; expected ttft, tpot, tps_user, tps_gpu or "
                                       "prefill_tps_gpu"
                                     : Hint)};
      return false;
    }
    B.M = Found->M;
    StringRef Rest = Item.drop_front(OpAt);
    B.Below = Rest[0] == '<';
    Rest = Rest.drop_front();
    B.Strict = !Rest.consume_front("=");
    size_t ValueAt = Base + (Item.size() - Rest.size());
    Rest = Rest.trim();
    double Scale = 1;
    if (Found->Time) {
      // A unit is required: "ttft<=2" could mean seconds as well as ms.
      if (Rest.consume_back("ms"))
        Scale = 1;
      else if (Rest.consume_back("us"))
        Scale = 1e-3;
      else if (Rest.consume_back("s"))
        Scale = 1e3;
      else
        Scale = 0;
    }
    double V;
    if (Rest.trim().getAsDouble(V) || Scale == 0) {
      Err = {ValueAt, Found->Time ? "expected a time such as 50ms, 2s or 800us"
                                  : "expected a number"};
      return false;
    }
    B.Value = V * Scale;
    Out.push_back(std::move(B));
    if (Comma == StringRef::npos)
      break;
  }
  return true;
}

bool ssc::sweep::slaNeedsPrefill(const SlaBound &B) {
  return B.M == SlaBound::Metric::Ttft || B.M == SlaBound::Metric::PrefillTokensPerGpu;
}

const SlaBound *ssc::sweep::missedBound(const std::vector<SlaBound> &Bounds,
                                        const Metrics &M) {
  for (const SlaBound &B : Bounds) {
    double V = metricValue(B.M, M);
    bool Ok = B.Below ? (B.Strict ? V < B.Value : V <= B.Value)
                      : (B.Strict ? V > B.Value : V >= B.Value);
    if (!Ok)
      return &B;
  }
  return nullptr;
}

double ssc::sweep::throughputPerGpu(const Metrics &M, bool HasDecode) {
  return HasDecode ? M.DecodeTokensPerSecPerGpu : M.PrefillTokensPerSecPerGpu;
}

double ssc::sweep::speedPerUser(const Metrics &M, bool HasDecode) {
  if (HasDecode)
    return M.TokensPerSecPerUser;
  return M.TtftMs > 0 ? 1000.0 / M.TtftMs : 0;
}

bool ParetoFrontier::wouldJoin(double X, double Y) const {
  auto It = ByX.lower_bound(X);
  return It == ByX.end() || It->second.Y < Y;
}

bool ParetoFrontier::add(Candidate C) {
  // The entry of least X at or above C.X has the highest Y among them.
  auto It = ByX.lower_bound(C.X);
  if (It != ByX.end() && It->second.Y >= C.Y)
    return false;
  if (It != ByX.end() && It->first == C.X)
    It = ByX.erase(It);
  // Entries of lower X have higher Y; those not above C.Y are beaten.
  while (It != ByX.begin()) {
    auto Prev = std::prev(It);
    if (Prev->second.Y > C.Y)
      break;
    ByX.erase(Prev);
  }
  double X = C.X;
  ByX.emplace_hint(It, X, std::move(C));
  return true;
}

std::vector<Candidate> ParetoFrontier::take() {
  std::vector<Candidate> Out;
  for (auto &KV : ByX)
    Out.push_back(std::move(KV.second));
  ByX.clear();
  return Out;
}

bool BestPerTarget::wouldWin(const std::string &Target, double X) const {
  auto It = Best.find(Target);
  return It == Best.end() || X > It->second.X;
}

void BestPerTarget::add(Candidate C) {
  auto It = Best.find(C.Target);
  if (It == Best.end()) {
    Order.push_back(C.Target);
    std::string Key = C.Target;
    Best.emplace(Key, std::move(C));
    return;
  }
  if (C.X > It->second.X)
    It->second = std::move(C);
}

std::vector<Candidate> BestPerTarget::take() {
  std::vector<Candidate> Out;
  for (const std::string &T : Order)
    Out.push_back(std::move(Best[T]));
  Order.clear();
  Best.clear();
  return Out;
}

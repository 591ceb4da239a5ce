//===- SweepSpec.cpp - What a design-space sweep covers -------------------===//

#include "ssc/Sweep/SweepSpec.h"
#include "ssc/Sweep/ModelVariant.h"

#include "ssc/Support/DType.h"
#include "ssc/Support/Format.h"
#include "ssc/Support/JSONLocator.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

using namespace llvm;
using namespace ssc;
using namespace ssc::sweep;

namespace {

// Constant-initialized (plain pointers): the command line's options are
// built from these names during static initialization.
struct AxisInfo {
  const char *Flag, *Key;
};

constexpr AxisInfo Infos[NumAxes] = {
    {"layers", "layers"},
    {"experts", "experts"},
    {"top-k", "top_k"},
    {"kv-heads", "kv_heads"},
    {"gpu", "gpu"},
    {"gpus", "gpus"},
    {"tp", "tp"},
    {"pp", "pp"},
    {"dp", "dp"},
    {"ep", "ep"},
    {"sp", "sp"},
    {"etp", "etp"},
    {"micro-batches", "micro_batches"},
    {"overlap", "overlap"},
    {"redundant-experts", "redundant_experts"},
    {"expert-imbalance", "expert_imbalance"},
    {"weight-dtype", "weight_dtype"},
    {"kv-dtype", "kv_dtype"},
    {"dispatch-dtype", "dispatch_dtype"},
    {"combine-dtype", "combine_dtype"},
    {"attn-dtype", "attn_dtype"},
    {"isl", "isl"},
    {"osl", "osl"},
    {"kv-len", "kv_len"},
    {"prefix", "prefix"},
    {"batch", "batch"},
    {"max-batch", "max_batch"},
    {"requests", "requests"},
};

constexpr int64_t MaxDegree = int64_t(1) << 20;
constexpr int64_t MaxTokens = int64_t(1) << 34;


} // namespace

StringRef ssc::sweep::axisFlag(Axis A) { return Infos[static_cast<unsigned>(A)].Flag; }
StringRef ssc::sweep::axisKey(Axis A) { return Infos[static_cast<unsigned>(A)].Key; }

std::optional<Axis> ssc::sweep::axisFromKey(StringRef Key) {
  for (unsigned I = 0; I < NumAxes; ++I)
    if (Infos[I].Key == Key)
      return static_cast<Axis>(I);
  return std::nullopt;
}

std::optional<Axis> ssc::sweep::axisFromFlag(StringRef Flag) {
  for (unsigned I = 0; I < NumAxes; ++I)
    if (Infos[I].Flag == Flag)
      return static_cast<Axis>(I);
  return std::nullopt;
}

bool ssc::sweep::parseAxisValues(Axis A, StringRef Text, AxisValues &Out,
                                 ValueError &Err) {
  Out = AxisValues();
  Out.Given = true;
  auto Ints = [&](int64_t Min, int64_t Max, ArrayRef<Keyword> Words = {}) {
    return parseIntList(Text, Min, Max, Words, Out.Ints, Err);
  };
  switch (A) {
  case Axis::Layers:
  case Axis::Experts:
  case Axis::TopK:
  case Axis::KvHeads:
    return Ints(1, MaxHyperparameter);
  case Axis::Gpu: {
    std::vector<std::pair<std::string, size_t>> Words;
    if (!parseWordList(Text, Words, Err))
      return false;
    for (auto &[W, Offset] : Words) {
      Out.Names.push_back(W);
      Out.NameLocs.push_back(SMLoc()); // the caller places them
      (void)Offset;
    }
    return true;
  }
  case Axis::Gpus:
  case Axis::TP:
  case Axis::PP:
  case Axis::DP:
  case Axis::SP:
  case Axis::ETP:
  case Axis::MicroBatches:
    return Ints(1, MaxDegree);
  case Axis::EP: {
    Keyword All{"all", EpAll};
    return Ints(1, MaxDegree, All);
  }
  case Axis::RedundantExperts: {
    Keyword Fill{"fill", RedundantFill};
    return Ints(0, MaxDegree, Fill);
  }
  case Axis::ExpertImbalance: {
    if (!parseNumberList(Text, Out.Numbers, Err))
      return false;
    for (double D : Out.Numbers)
      if (!(D >= 1 && D <= MaxExpertImbalance)) {
        Err = {0, "an expert imbalance is a number from 1 to " +
                      formatShortest(MaxExpertImbalance) +
                      " (the busiest GPU's routed tokens over the mean), not " +
                      formatShortest(D)};
        return false;
      }
    return true;
  }
  case Axis::Overlap:
  case Axis::WeightDType:
  case Axis::KvDType:
  case Axis::DispatchDType:
  case Axis::CombineDType:
  case Axis::AttnDType: {
    std::vector<std::pair<std::string, size_t>> Words;
    if (!parseWordList(Text, Words, Err))
      return false;
    for (auto &[W, Offset] : Words) {
      if (A == Axis::Overlap) {
        std::optional<OverlapMode> M = parseOverlap(W);
        if (!M) {
          Err = {Offset,
                 "unknown overlap '" + W + "'; expected " + joinAlternatives(overlapSpellings())};
          return false;
        }
        Out.Ints.push_back(static_cast<int64_t>(*M));
        continue;
      }
      std::optional<DType> D = parseDType(W);
      if (!D) {
        Err = {Offset, "unknown dtype '" + W + "'; expected " +
                           joinAlternatives(dtypeSpellings())};
        return false;
      }
      Out.Ints.push_back(static_cast<int64_t>(*D));
    }
    return true;
  }
  case Axis::Isl:
  case Axis::Osl:
  case Axis::Batch:
  case Axis::MaxBatch:
  case Axis::Requests:
    return Ints(1, MaxTokens);
  case Axis::Prefix:
    return Ints(0, MaxTokens);
  case Axis::KvLen:
    return parseKvLenList(Text, Out.KvLens, Err);
  }
  return true;
}

bool ssc::sweep::parseParamAxis(StringRef Text, ParamAxis &Out, ValueError &Err) {
  auto [Name, Values] = Text.split('=');
  if (Name.trim().empty() || !Text.contains('=')) {
    Err = {0, "expected NAME=VALUES, as in attention_tp=1,4,8"};
    return false;
  }
  Out.Name = Name.trim().str();
  size_t Base = Name.size() + 1;
  if (!parseNumberList(Values, Out.Values, Err)) {
    Err.Offset += Base;
    return false;
  }
  return true;
}

std::optional<uint64_t> Grid::numPoints() const {
  uint64_t N = 1;
  auto Mul = [&](uint64_t K) {
    if (K && N > UINT64_MAX / K)
      return false;
    N *= K;
    return true;
  };
  for (const AxisValues &A : Axes)
    if (!Mul(A.size()))
      return std::nullopt;
  for (const ParamAxis &P : Params)
    if (!Mul(P.Values.size()))
      return std::nullopt;
  return N;
}

void Grid::override(const Grid &Over) {
  for (unsigned I = 0; I < NumAxes; ++I)
    if (Over.Axes[I].Given)
      Axes[I] = Over.Axes[I];
  for (const ParamAxis &P : Over.Params) {
    bool Replaced = false;
    for (ParamAxis &Q : Params)
      if (Q.Name == P.Name) {
        Q = P;
        Replaced = true;
      }
    if (!Replaced)
      Params.push_back(P);
  }
}

bool SweepSpec::anyGiven(Axis A) const {
  for (const Grid &G : Grids)
    if (G.given(A))
      return true;
  return false;
}

SMLoc SweepSpec::givenLoc(Axis A) const {
  for (const Grid &G : Grids)
    if (G.given(A))
      return G[A].Loc;
  return SMLoc();
}

std::vector<std::string> SweepSpec::paramNames() const {
  std::vector<std::string> Names;
  for (const Grid &G : Grids)
    for (const ParamAxis &P : G.Params)
      if (!is_contained(Names, P.Name))
        Names.push_back(P.Name);
  return Names;
}

std::optional<uint64_t> SweepSpec::numPoints() const {
  uint64_t N = 0;
  for (const Grid &G : Grids) {
    std::optional<uint64_t> K = G.numPoints();
    if (!K || N > UINT64_MAX - *K)
      return std::nullopt;
    N += *K;
  }
  return N;
}

//===----------------------------------------------------------------------===//
// Sweep files
//===----------------------------------------------------------------------===//

namespace {

class FileReader {
public:
  FileReader(DiagnosticEngine &Diags, const JSONLocator &Loc, StringRef Dir)
      : Diags(Diags), Loc(Loc), Dir(Dir) {}

  bool Ok = true;

  void error(SMLoc At, const Twine &Msg) {
    Diags.error(At, Msg);
    Ok = false;
  }

  /// The location of offset \p Offset inside the JSON string at \p Path
  /// (its opening quote, when escapes make the offset unreliable).
  SMLoc insideString(const std::string &Path, size_t Offset) {
    SMLoc At = Loc.valueLoc(Path);
    const char *P = At.getPointer();
    if (!P || *P != '"')
      return At;
    for (size_t I = 1; I <= Offset; ++I)
      if (P[I] == '\\' || P[I] == '"' || P[I] == 0)
        return At;
    return SMLoc::getFromPointer(P + 1 + Offset);
  }

  /// An axis value: a number, a string in the list syntax, or an array of
  /// those. Arrays are joined with commas, remembering where each element
  /// starts, so that errors point into the element at fault.
  bool readValues(const json::Value &V, const std::string &Path, bool Numbers,
                  std::string &Text, std::vector<std::pair<size_t, std::string>> &Parts) {
    auto One = [&](const json::Value &E, const std::string &EPath) {
      if (!Text.empty())
        Text += ",";
      Parts.push_back({Text.size(), EPath});
      if (auto S = E.getAsString()) {
        Text += S->str();
        return true;
      }
      if (auto I = E.getAsInteger()) {
        Text += std::to_string(*I);
        return true;
      }
      if (auto D = E.getAsNumber(); D && Numbers) {
        Text += formatv("{0}", *D).str();
        return true;
      }
      error(Loc.valueLoc(EPath), E.getAsNumber()
                                     ? Twine("expected an integer")
                                     : Twine("expected a number, a string such as "
                                             "\"1..8\", or a list of them"));
      return false;
    };
    if (const json::Array *A = V.getAsArray()) {
      if (A->empty()) {
        error(Loc.valueLoc(Path), "the list is empty");
        return false;
      }
      for (size_t I = 0; I < A->size(); ++I)
        if (!One((*A)[I], Path + "[" + std::to_string(I) + "]"))
          return false;
      return true;
    }
    return One(V, Path);
  }

  /// Where offset \p Offset of the joined text lies in the file.
  SMLoc at(const std::vector<std::pair<size_t, std::string>> &Parts, size_t Offset) {
    size_t K = 0;
    while (K + 1 < Parts.size() && Parts[K + 1].first <= Offset)
      ++K;
    return insideString(Parts[K].second, Offset - Parts[K].first);
  }

  void readAxis(Axis A, const json::Value &V, const std::string &Path, Grid &G) {
    std::string Text;
    std::vector<std::pair<size_t, std::string>> Parts;
    if (!readValues(V, Path, A == Axis::ExpertImbalance, Text, Parts))
      return;
    AxisValues Out;
    ValueError Err;
    if (!parseAxisValues(A, Text, Out, Err)) {
      error(at(Parts, Err.Offset), Err.Message);
      return;
    }
    Out.Loc = Loc.valueLoc(Path);
    if (A == Axis::Gpu) {
      // Each name's own location, for unknown-GPU errors.
      size_t Offset = 0;
      for (size_t I = 0; I < Out.Names.size(); ++I) {
        Offset = Text.find(Out.Names[I], Offset);
        Out.NameLocs[I] = at(Parts, Offset);
        Offset += Out.Names[I].size();
      }
    }
    G[A] = std::move(Out);
  }

  void readParams(const json::Value &V, const std::string &Path, Grid &G) {
    const json::Object *O = V.getAsObject();
    if (!O) {
      error(Loc.valueLoc(Path), "'params' maps profile parameters to values, as in "
                                "{\"attention_tp\": [1, 4, 8]}");
      return;
    }
    for (const std::string &Name : sortedKeys(*O)) {
      std::string PPath = Path + "." + Name;
      std::string Text;
      std::vector<std::pair<size_t, std::string>> Parts;
      if (!readValues(*O->get(Name), PPath, true, Text, Parts))
        continue;
      ParamAxis P;
      P.Name = Name;
      P.Loc = Loc.keyLoc(PPath);
      ValueError Err;
        if (!parseNumberList(Text, P.Values, Err)) {
        error(at(Parts, Err.Offset), Err.Message);
        continue;
      }
      G.Params.push_back(std::move(P));
    }
  }

  static std::vector<std::string> sortedKeys(const json::Object &O) {
    std::vector<std::string> Keys;
    for (const auto &KV : O)
      Keys.push_back(KV.first.str());
    std::sort(Keys.begin(), Keys.end());
    return Keys;
  }

  /// Reads the axis keys of \p O (and, at the top, the settings).
  void readGrid(const json::Object &O, const std::string &Prefix, Grid &G,
                SweepSpec *Top, const json::Array **Grids) {
    for (const std::string &K : sortedKeys(O)) {
      const json::Value &V = *O.get(K);
      std::string Path = Prefix.empty() ? K : Prefix + "." + K;
      if (std::optional<Axis> A = axisFromKey(K)) {
        readAxis(*A, V, Path, G);
        continue;
      }
      if (K == "params") {
        readParams(V, Path, G);
        continue;
      }
      if (Top && (K == "profile" || K == "plan" || K == "phase")) {
        std::optional<StringRef> S = V.getAsString();
        if (!S) {
          error(Loc.valueLoc(Path), "'" + K + "' must be a string");
          continue;
        }
        if (K == "profile")
          Top->Profile = S->str();
        if (K == "plan") {
          // Plan files resolve against the sweep file's directory.
          SmallString<256> P(*S);
          if ((S->ends_with(".json") || S->ends_with(".arch")) &&
              !sys::path::is_absolute(P) && !Dir.empty()) {
            P = Dir;
            sys::path::append(P, *S);
          }
          Top->Plan = std::string(P);
        }
        if (K == "phase") {
          Top->PhasesLoc = Loc.valueLoc(Path);
          if (*S == "prefill")
            Top->Phases = PhaseChoice::Prefill;
          else if (*S == "decode")
            Top->Phases = PhaseChoice::Decode;
          else if (*S == "both")
            Top->Phases = PhaseChoice::Both;
          else
            error(Loc.valueLoc(Path), "'phase' is 'prefill', 'decode' or 'both', not '" +
                                          *S + "'");
        }
        continue;
      }
      if (Top && K == "mode") {
        std::optional<StringRef> S = V.getAsString();
        if (S && (*S == "phases" || *S == "offline")) {
          Top->Offline = *S == "offline";
          Top->ModeLoc = Loc.valueLoc(Path);
        } else
          error(Loc.valueLoc(Path), "'mode' is 'phases' or 'offline'");
        continue;
      }
      if (Top && K == "grids") {
        const json::Array *A = V.getAsArray();
        if (!A || A->empty()) {
          error(Loc.valueLoc(Path), "'grids' is a non-empty list of objects of axes");
          continue;
        }
        *Grids = A;
        continue;
      }
      SmallVector<StringRef, 40> Known;
      for (const AxisInfo &I : Infos)
        Known.push_back(StringRef(I.Key));
      Known.push_back("params");
      if (Top) {
        Known.push_back("grids");
        Known.push_back("mode");
        Known.push_back("requests");
        Known.push_back("phase");
        Known.push_back("plan");
        Known.push_back("profile");
      }
      std::string Hint = didYouMean(K, Known);
      error(Loc.keyLoc(Path), "unknown sweep key '" + K + "'" +
                                  (Hint.empty() ? Twine("; see docs/sweep.md for the keys")
                                                : Twine(Hint)));
    }
  }

private:
  DiagnosticEngine &Diags;
  const JSONLocator &Loc;
  std::string Dir;
};

} // namespace

std::optional<SweepSpec> ssc::sweep::loadSweepFile(StringRef Path, DiagnosticEngine &Diags) {
  unsigned Buf = loadFileBuffer(Path, Diags);
  if (!Buf)
    return std::nullopt;
  std::optional<JSONObjectDocument> Doc =
      parseJSONObject(Buf, Diags,
                      "a sweep file holds one JSON object of axes, as in "
                      "{\"gpu\": [\"h100\", \"h200\"], \"batch\": \"1..64*2\"}");
  if (!Doc)
    return std::nullopt;
  const JSONLocator &Loc = Doc->Loc;
  FileReader R(Diags, Loc, sys::path::parent_path(Path));
  const json::Object *O = &Doc->object();
  SweepSpec Spec;
  Grid Top;
  const json::Array *Grids = nullptr;
  R.readGrid(*O, "", Top, &Spec, &Grids);
  if (Grids) {
    for (size_t I = 0; I < Grids->size(); ++I) {
      std::string GPath = "grids[" + std::to_string(I) + "]";
      const json::Object *GO = (*Grids)[I].getAsObject();
      if (!GO) {
        R.error(Loc.valueLoc(GPath), "each grid is an object of axes");
        continue;
      }
      Grid G = Top;
      Grid Own;
      R.readGrid(*GO, GPath, Own, nullptr, nullptr);
      G.override(Own);
      Spec.Grids.push_back(std::move(G));
    }
  } else {
    Spec.Grids.push_back(std::move(Top));
  }
  if (!R.Ok)
    return std::nullopt;
  return Spec;
}

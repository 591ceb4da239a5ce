//===- ModelSummary.cpp - Parameters, KV cache and FLOPs of a model -------===//
//
// Every count comes from one walk over the weight matrices of a layer (a
// Tally): a matrix adds its weights (and bias) to a parameter group and, for
// the copies one token multiplies, its multiply-accumulates to the token's
// FLOPs. Parameters and FLOPs therefore cannot disagree about what a layer
// holds. docs/summary.md states the conventions.
//
//===----------------------------------------------------------------------===//

#include "ssc/Analysis/ModelSummary.h"

#include <algorithm>
#include <numeric>

using namespace ssc;

llvm::StringRef ssc::paramGroupName(ParamGroup G) {
  switch (G) {
  case ParamGroup::Embedding: return "embedding";
  case ParamGroup::Attention: return "attention";
  case ParamGroup::Mlp: return "mlp";
  case ParamGroup::Experts: return "experts";
  case ParamGroup::SharedExperts: return "shared_experts";
  case ParamGroup::Router: return "router";
  case ParamGroup::Norms: return "norms";
  case ParamGroup::LmHead: return "lm_head";
  case ParamGroup::Mtp: return "mtp";
  }
  return "?";
}

ParamBreakdown &ParamBreakdown::operator+=(const ParamBreakdown &O) {
  for (unsigned I = 0; I < NumParamGroups; ++I)
    Groups[I] += O.Groups[I];
  return *this;
}

ParamCount ParamBreakdown::total() const {
  ParamCount T;
  for (const ParamCount &C : Groups)
    T += C;
  return T;
}

llvm::ArrayRef<DType> ssc::summaryKvTypes() {
  static const DType Types[] = {DType::BF16, DType::FP8, DType::FP4};
  return Types;
}

namespace {

/// Counts that Sema accepts can exceed 64 bits (a million experts of
/// 2^24 x 2^24); every sum and product goes through these and sets the
/// overflow flag instead of wrapping.
struct Checked {
  bool Overflow = false;

  int64_t mul(int64_t A, int64_t B) {
    int64_t R;
    if (__builtin_mul_overflow(A, B, &R)) {
      Overflow = true;
      return 0;
    }
    return R;
  }
  void add(int64_t &Acc, int64_t V) {
    if (__builtin_add_overflow(Acc, V, &Acc))
      Overflow = true;
  }
  void add(ParamBreakdown &Acc, const ParamBreakdown &V) {
    for (unsigned I = 0; I < NumParamGroups; ++I) {
      add(Acc.Groups[I].Total, V.Groups[I].Total);
      add(Acc.Groups[I].Active, V.Groups[I].Active);
    }
  }
};

/// The weights of a layer (or module) and the multiply-accumulates one token
/// performs with them.
struct Tally {
  ParamBreakdown Params;
  int64_t ActiveMacs = 0;
  Checked C;

  /// \p Count copies of an In x Out matrix (with a bias of Out when \p Bias),
  /// \p Used of which one token multiplies (-1: all).
  void linear(ParamGroup G, int64_t In, int64_t Out, bool Bias, int64_t Count = 1,
              int64_t Used = -1) {
    if (Used < 0)
      Used = Count;
    int64_t Weights = C.mul(In, Out);
    int64_t P = Weights;
    C.add(P, Bias ? Out : 0);
    C.add(Params[G].Total, C.mul(Count, P));
    C.add(Params[G].Active, C.mul(Used, P));
    C.add(ActiveMacs, C.mul(Used, Weights));
  }
  /// Weights that are not multiplied as a matrix (norm scales, sinks).
  void vector(ParamGroup G, int64_t N) {
    C.add(Params[G].Total, N);
    C.add(Params[G].Active, N);
  }
};

int64_t normParams(NormKind K, int64_t Dim) {
  return K == NormKind::LayerNorm ? 2 * Dim : Dim;
}

int64_t normsPerLayer(NormPlacement P) {
  switch (P) {
  case NormPlacement::Pre:
  case NormPlacement::Post:
    return 2;
  case NormPlacement::Sandwich:
    return 4;
  case NormPlacement::Parallel:
    return 1;
  }
  return 2;
}

void tallyAttention(Tally &T, const AttentionSpec &A, int64_t H, NormKind NK) {
  const ParamGroup G = ParamGroup::Attention;
  bool QkvBias = A.Bias != AttentionBias::None;
  bool OutBias = A.Bias == AttentionBias::All;
  int64_t QDim = A.Heads * A.qkHeadDim();
  if (A.isMLA()) {
    if (A.QLoraRank > 0) {
      T.linear(G, H, A.QLoraRank, false);            // q_a
      T.vector(G, normParams(NK, A.QLoraRank));     // q_a norm
      T.linear(G, A.QLoraRank, QDim, QkvBias);       // q_b
    } else {
      T.linear(G, H, QDim, QkvBias);                 // q
    }
    T.linear(G, H, A.KvLoraRank + A.QkRopeDim, QkvBias); // kv_a (+ shared rope key)
    T.vector(G, normParams(NK, A.KvLoraRank));           // kv_a norm
    T.linear(G, A.KvLoraRank, A.Heads * (A.QkNopeDim + A.VHeadDim), QkvBias); // kv_b
    T.linear(G, A.Heads * A.VHeadDim, H, OutBias);        // o
  } else {
    T.linear(G, H, QDim, QkvBias);                           // q
    T.linear(G, H, A.KvHeads * A.HeadDim, QkvBias, 2);       // k, v
    T.linear(G, A.Heads * A.vHeadDim(), H, OutBias);         // o
  }
  if (A.QkNorm) {
    if (A.QkNormFull)
      T.vector(G, normParams(NK, QDim) + normParams(NK, A.KvHeads * A.qkHeadDim()));
    else
      T.vector(G, 2 * normParams(NK, A.qkHeadDim()));
  }
  if (A.LearnedSinks)
    T.vector(G, A.Heads);
}

/// \p Count MLPs of kind \p M, \p Used of which one token runs.
void tallyMlp(Tally &T, ParamGroup G, const MlpSpec &M, int64_t H, int64_t Count,
              int64_t Used) {
  int64_t UpMatrices = M.numMatrices() - 1; // gate and up, or up alone
  T.linear(G, H, M.Intermediate, M.Bias, Count * UpMatrices, Used * UpMatrices);
  T.linear(G, M.Intermediate, H, M.Bias, Count, Used);
}

Tally tallyLayer(const LayerSpec &L, int64_t H) {
  Tally T;
  tallyAttention(T, L.Attn, H, L.Norm.Kind);
  if (L.Mlp) {
    tallyMlp(T, ParamGroup::Mlp, *L.Mlp, H, 1, 1);
  } else if (L.Moe) {
    const MoeSpec &E = *L.Moe;
    tallyMlp(T, ParamGroup::Experts, E.Expert, H, E.Experts, E.TopK);
    if (E.SharedExperts > 0) {
      MlpSpec Shared = E.Expert;
      Shared.Intermediate = E.SharedIntermediate;
      tallyMlp(T, ParamGroup::SharedExperts, Shared, H, E.SharedExperts,
               E.SharedExperts);
      if (E.SharedGate) // one sigmoid gate (hidden -> 1) per shared expert
        T.linear(ParamGroup::SharedExperts, H, 1, false, E.SharedExperts);
    }
    T.linear(ParamGroup::Router, H, E.Experts, E.RouterBias);
  }
  T.vector(ParamGroup::Norms, T.C.mul(normsPerLayer(L.Norm.Placement), L.Norm.params(H)));
  return T;
}

/// FLOPs of the score and value products per attended key.
double attentionFlopsPerKey(const AttentionSpec &A, bool Decode) {
  double Heads = static_cast<double>(A.Heads);
  if (A.isMLA() && Decode) // absorbed form: scores and values on the latent
    return 2 * Heads * static_cast<double>(2 * A.KvLoraRank + A.QkRopeDim);
  return 2 * Heads * static_cast<double>(A.qkHeadDim() + A.vHeadDim());
}

int64_t smallestPeriod(const std::vector<bool> &V) {
  for (size_t P = 1; P < V.size(); ++P) {
    bool Ok = true;
    for (size_t I = P; I < V.size() && Ok; ++I)
      Ok = V[I] == V[I % P];
    if (Ok)
      return static_cast<int64_t>(P);
  }
  return static_cast<int64_t>(V.size());
}

} // namespace

ParamCount ssc::attentionParams(const AttentionSpec &A, int64_t Hidden, NormKind Norm) {
  Tally T;
  tallyAttention(T, A, Hidden, Norm);
  return T.Params[ParamGroup::Attention];
}

ParamBreakdown ssc::layerParams(const LayerSpec &L, int64_t Hidden) {
  return tallyLayer(L, Hidden).Params;
}

double ssc::averagePrefillAttended(const AttentionSpec &A, int64_t PromptLen) {
  if (PromptLen <= 0)
    return 0;
  double P = static_cast<double>(PromptLen);
  if (A.Chunk > 0) {
    // Each chunk restarts the causal triangle.
    double C = static_cast<double>(A.Chunk);
    double Full = static_cast<double>(PromptLen / A.Chunk);
    double Rest = static_cast<double>(PromptLen % A.Chunk);
    return (Full * C * (C + 1) / 2 + Rest * (Rest + 1) / 2) / P;
  }
  if (A.Window > 0) {
    double Cap = static_cast<double>(A.Window + A.SinkTokens);
    if (P > Cap)
      return (Cap * (Cap + 1) / 2 + (P - Cap) * Cap) / P;
  }
  return (P + 1) / 2;
}

std::string ssc::attentionCombination(const ModelSpec &M) {
  std::vector<std::string> Kinds;
  for (unsigned K : M.Layers) {
    std::string N = attentionKindName(M.LayerKinds[K].Attn.Kind).str();
    if (!llvm::is_contained(Kinds, N))
      Kinds.push_back(N);
  }
  std::string S;
  for (const std::string &K : Kinds)
    S += (S.empty() ? "" : "/") + K;

  struct Feature {
    const char *Name;
    bool (*Has)(const AttentionSpec &);
  };
  static const Feature Features[] = {
      {"swa", [](const AttentionSpec &A) { return A.Window > 0; }},
      {"chunk", [](const AttentionSpec &A) { return A.Chunk > 0; }},
      {"nope", [](const AttentionSpec &A) { return !A.Rope.Enabled; }},
      {"sinks",
       [](const AttentionSpec &A) { return A.LearnedSinks || A.SinkTokens > 0; }},
      {"share_kv", [](const AttentionSpec &A) { return A.SharesKv; }},
      {"h2o", [](const AttentionSpec &A) { return A.Selection == KvSelection::H2O; }},
      {"quest",
       [](const AttentionSpec &A) { return A.Selection == KvSelection::Quest; }},
  };
  for (const Feature &F : Features) {
    std::vector<bool> Has;
    for (unsigned K : M.Layers)
      Has.push_back(F.Has(M.LayerKinds[K].Attn));
    int64_t N = std::count(Has.begin(), Has.end(), true);
    if (N == 0)
      continue;
    S += "+";
    S += F.Name;
    if (static_cast<size_t>(N) == Has.size())
      continue;
    int64_t Period = smallestPeriod(Has);
    int64_t With = std::count(Has.begin(), Has.begin() + Period, true);
    int64_t Without = Period - With;
    int64_t G = std::gcd(With, Without);
    S += " " + std::to_string(With / G) + ":" + std::to_string(Without / G);
  }
  return S;
}

llvm::Expected<ModelSummary> ssc::summarize(const ModelSpec &M,
                                            const SummaryOptions &Opts) {
  int64_t Ctx = Opts.Context;
  if (Ctx == 0)
    Ctx = M.MaxContext > 0 ? std::min(DefaultSummaryContext, M.MaxContext)
                           : DefaultSummaryContext;
  if (Ctx < 1)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the context length must be at least 1 token");
  if (M.MaxContext > 0 && Ctx > M.MaxContext)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "a context of %lld tokens is longer than model '%s' supports (%lld)",
        static_cast<long long>(Ctx), M.Name.c_str(),
        static_cast<long long>(M.MaxContext));

  ModelSummary S;
  Checked C;
  S.Model = M.Name;
  S.Context = Ctx;
  S.IncludesMtp = Opts.IncludeMtp && !M.MtpLayers.empty();
  const int64_t H = M.Hidden, V = M.Vocab;

  S.Params[ParamGroup::Embedding] = {V * H, V * H};
  int64_t Head = (M.TieEmbeddings ? 0 : V * H) + (M.LmHeadBias ? V : 0);
  S.Params[ParamGroup::LmHead] = {Head, Head};
  int64_t FinalNorm = normParams(M.finalNormKind(), H);
  S.Params[ParamGroup::Norms] = {FinalNorm, FinalNorm};
  // Logits: every decoded token needs them, a prompt only for its last token.
  const double LogitFlops = 2.0 * static_cast<double>(V * H);

  auto AddLayer = [&](unsigned Kind, bool IsMtp) {
    const LayerSpec &L = M.LayerKinds[Kind];
    Tally T = tallyLayer(L, H);
    if (IsMtp) {
      // DeepSeek-V3's MTP module: norms of the hidden state (hnorm) and of
      // the next token's embedding (enorm), their concatenation projected
      // back to hidden (eh_proj), the layer, then a final norm before the
      // shared output head. Embedding and head are the main model's.
      T.linear(ParamGroup::Mtp, 2 * H, H, false);
      T.vector(ParamGroup::Mtp, 3 * L.Norm.params(H));
    }
    LayerSummary LS;
    LS.Index = static_cast<unsigned>(S.Layers.size());
    LS.Kind = Kind;
    LS.IsMtp = IsMtp;
    LS.Params = T.Params;
    LS.KvElementsPerToken = L.Attn.kvCacheElementsPerToken();
    LS.CachedTokens = L.Attn.SharesKv ? 0 : L.Attn.cachedTokens(Ctx);
    LS.PrefillAttended = averagePrefillAttended(L.Attn, Ctx);
    LS.DecodeAttended = L.Attn.attendedTokens(Ctx);
    double Linear = 2.0 * static_cast<double>(T.ActiveMacs);
    double PrefillAttn = attentionFlopsPerKey(L.Attn, false) * LS.PrefillAttended;
    double DecodeAttn = attentionFlopsPerKey(L.Attn, true) *
                        static_cast<double>(LS.DecodeAttended);
    LS.PrefillFlops = Linear + PrefillAttn;
    LS.DecodeFlops = Linear + DecodeAttn;
    S.PrefillAttentionFlopsPerSequence += PrefillAttn * static_cast<double>(Ctx);
    S.DecodeAttentionFlopsPerToken += DecodeAttn;

    C.Overflow |= T.C.Overflow;
    if (IsMtp) {
      ParamBreakdown Module;
      for (const ParamCount &G : T.Params.Groups) {
        C.add(Module[ParamGroup::Mtp].Total, G.Total);
        C.add(Module[ParamGroup::Mtp].Active, G.Active);
      }
      C.add(S.Params, Module);
    } else {
      C.add(S.Params, T.Params);
    }
    C.add(S.KvElementsPerToken, LS.KvElementsPerToken);
    C.add(S.KvElementsPerSequence, C.mul(LS.KvElementsPerToken, LS.CachedTokens));
    S.PrefillFlopsPerSequence += LS.PrefillFlops * static_cast<double>(Ctx);
    S.DecodeFlopsPerToken += LS.DecodeFlops;
    if (IsMtp) { // the draft token's logits
      S.PrefillFlopsPerSequence += LogitFlops;
      S.DecodeFlopsPerToken += LogitFlops;
    }
    S.Layers.push_back(std::move(LS));
  };

  for (unsigned K : M.Layers)
    AddLayer(K, false);
  if (S.IncludesMtp)
    for (unsigned K : M.MtpLayers)
      AddLayer(K, true);
  S.PrefillFlopsPerSequence += LogitFlops;
  S.DecodeFlopsPerToken += LogitFlops;
  // The grand totals must fit too.
  ParamCount Sum;
  for (const ParamCount &G : S.Params.Groups) {
    C.add(Sum.Total, G.Total);
    C.add(Sum.Active, G.Active);
  }
  if (C.Overflow)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "model '%s' has more parameters or KV-cache elements than 64-bit "
        "counts can hold",
        M.Name.c_str());
  return S;
}

WeightFootprint ssc::weightFootprint(const ModelSpec &M, DType Weights,
                                     DType ExpertWeights) {
  WeightFootprint W;
  llvm::Expected<ModelSummary> S = summarize(M);
  if (!S) {
    llvm::consumeError(S.takeError());
    return W;
  }
  double Experts = static_cast<double>(S->Params[ParamGroup::Experts].Total);
  W.ExpertBytes = Experts * bytesPerElement(ExpertWeights);
  W.OtherBytes =
      (static_cast<double>(S->paramsTotal()) - Experts) * bytesPerElement(Weights);
  return W;
}

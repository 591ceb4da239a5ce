//===- Model.cpp - Checked description of a model architecture ------------===//

#include "ssc/Spec/Model.h"

#include <algorithm>

using namespace ssc;

llvm::StringRef ssc::attentionKindName(AttentionKind K) {
  switch (K) {
  case AttentionKind::MHA: return "mha";
  case AttentionKind::GQA: return "gqa";
  case AttentionKind::MQA: return "mqa";
  case AttentionKind::MLA: return "mla";
  }
  return "?";
}

llvm::StringRef ssc::ropeScalingName(RopeScaling S) {
  switch (S) {
  case RopeScaling::None: return "none";
  case RopeScaling::Linear: return "linear";
  case RopeScaling::Dynamic: return "dynamic";
  case RopeScaling::Yarn: return "yarn";
  case RopeScaling::Llama3: return "llama3";
  case RopeScaling::LongRope: return "longrope";
  }
  return "?";
}

llvm::StringRef ssc::normKindName(NormKind K) {
  return K == NormKind::RMSNorm ? "rmsnorm" : "layernorm";
}

llvm::StringRef ssc::normPlacementName(NormPlacement P) {
  switch (P) {
  case NormPlacement::Pre: return "pre";
  case NormPlacement::Post: return "post";
  case NormPlacement::Sandwich: return "sandwich";
  case NormPlacement::Parallel: return "parallel";
  }
  return "?";
}

llvm::StringRef ssc::mlpKindName(MlpKind K) {
  switch (K) {
  case MlpKind::SwiGLU: return "swiglu";
  case MlpKind::GeGLU: return "geglu";
  case MlpKind::GELU: return "gelu";
  case MlpKind::ReLU: return "relu";
  }
  return "?";
}

int64_t AttentionSpec::cachedTokens(int64_t Ctx) const {
  if (SharesKv)
    return 0;
  int64_t N = Ctx;
  if (Window > 0)
    N = std::min(N, Window + SinkTokens);
  if (Chunk > 0)
    N = std::min(N, Chunk);
  if (Selection == KvSelection::H2O)
    N = std::min(N, KvBudget);
  return N;
}

int64_t AttentionSpec::attendedTokens(int64_t Ctx) const {
  if (Ctx <= 0)
    return 0;
  int64_t N = Ctx;
  if (Window > 0)
    N = std::min(N, Window + SinkTokens);
  if (Chunk > 0)
    N = std::min(N, (Ctx - 1) % Chunk + 1);
  if (Selection != KvSelection::None)
    N = std::min(N, KvBudget);
  return N;
}

bool StackPattern::expand(std::vector<unsigned> &Out, size_t Limit) const {
  switch (K) {
  case Kind::Layer:
    if (Out.size() >= Limit)
      return false;
    Out.push_back(LayerIndex);
    return true;
  case Kind::Sequence:
    for (const StackPattern &C : Children)
      if (!C.expand(Out, Limit))
        return false;
    return true;
  case Kind::Repeat:
    for (int64_t I = 0; I < Count; ++I)
      for (const StackPattern &C : Children)
        if (!C.expand(Out, Limit))
          return false;
    return true;
  case Kind::Cycle: {
    std::vector<unsigned> Period;
    for (const StackPattern &C : Children)
      if (!C.expand(Period, Limit))
        return false;
    if (Period.empty())
      return true;
    for (int64_t I = 0; I < Count; ++I) {
      if (Out.size() >= Limit)
        return false;
      Out.push_back(Period[static_cast<size_t>(I) % Period.size()]);
    }
    return true;
  }
  }
  return true;
}

std::string StackPattern::str(const std::vector<LayerSpec> &Kinds) const {
  auto Join = [&](llvm::StringRef Sep) {
    std::string S;
    for (size_t I = 0; I < Children.size(); ++I) {
      if (I)
        S += Sep;
      S += Children[I].str(Kinds);
    }
    return S;
  };
  switch (K) {
  case Kind::Layer:
    return Kinds[LayerIndex].Name;
  case Kind::Sequence:
    return Join(", ");
  case Kind::Repeat:
    if (Children.size() == 1 && Children[0].K != Kind::Sequence)
      return std::to_string(Count) + " x " + Children[0].str(Kinds);
    return std::to_string(Count) + " x [" + Join(", ") + "]";
  case Kind::Cycle:
    return std::to_string(Count) + " of [" + Join(", ") + "]";
  }
  return "";
}

bool ModelSpec::hasMoe() const {
  return std::any_of(Layers.begin(), Layers.end(),
                     [&](unsigned K) { return LayerKinds[K].isMoe(); });
}

NormKind ModelSpec::finalNormKind() const {
  return LayerKinds.empty() ? NormKind::RMSNorm : LayerKinds[Layers.empty() ? 0 : Layers[0]].Norm.Kind;
}

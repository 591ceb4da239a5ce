//===- ModelVariant.cpp - A model with swept hyperparameters --------------===//

#include "ssc/Sweep/ModelVariant.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>

using namespace llvm;
using namespace ssc;
using namespace ssc::sweep;

/// The same limit as Sema's.
static constexpr size_t MaxLayers = 100000;

/// The stack's last repetition (`58 x moe`, `62 of [...]`), which a change
/// of layer count resizes.
static StackPattern *lastRepetition(StackPattern &S) {
  StackPattern *P = &S;
  if (P->K == StackPattern::Kind::Sequence && !P->Children.empty())
    P = &P->Children.back();
  if (P->K == StackPattern::Kind::Repeat || P->K == StackPattern::Kind::Cycle)
    return P;
  return nullptr;
}

ArrayRef<StringRef> Hyperparameters::keys() {
  static const StringRef Keys[] = {"layers", "experts", "top_k", "kv_heads"};
  return Keys;
}

int64_t *Hyperparameters::field(StringRef Key) {
  return StringSwitch<int64_t *>(Key)
      .Case("layers", &Layers)
      .Case("experts", &Experts)
      .Case("top_k", &TopK)
      .Case("kv_heads", &KvHeads)
      .Default(nullptr);
}

std::string Hyperparameters::str() const {
  std::string Out;
  for (StringRef K : keys())
    if (int64_t V = *field(K)) {
      if (!Out.empty())
        Out += ',';
      Out += (K + "=" + Twine(V)).str();
    }
  return Out;
}

std::string ssc::sweep::parseHyperparameter(StringRef Text, Hyperparameters &H, size_t &Offset) {
  auto [Key, Value] = Text.split('=');
  StringRef K = Key.trim();
  Offset = Key.size() - Key.ltrim().size();
  int64_t *F = H.field(K);
  if (!F) {
    std::string Under = K.str();
    std::replace(Under.begin(), Under.end(), '-', '_');
    if (H.field(Under))
      return "unknown hyperparameter '" + K.str() + "'; did you mean '" + Under + "'?";
    return "unknown hyperparameter '" + K.str() +
           "'; --set takes layers, experts, top_k or kv_heads";
  }
  if (Text.size() == Key.size())
    return "expected '" + K.str() + "=N'";
  Offset = Key.size() + 1;
  StringRef V = Value.trim();
  Offset += Value.size() - Value.ltrim().size();
  int64_t N = 0;
  if (V.getAsInteger(10, N) || N < 1 || N > MaxHyperparameter)
    return "'" + K.str() + "' must be an integer from 1 to 2^20";
  if (*F) {
    Offset = Key.size() - Key.ltrim().size();
    return "'" + K.str() + "' is set twice";
  }
  *F = N;
  return "";
}

std::string ssc::sweep::inapplicable(const ModelSpec &M, llvm::StringRef Which) {
  if (Which == "experts" || Which == "top_k") {
    if (!M.hasMoe())
      return "model '" + M.Name + "' has no MoE layers";
    return "";
  }
  if (Which == "kv_heads") {
    for (unsigned K : M.Layers)
      if (!M.LayerKinds[K].Attn.isMLA())
        return "";
    return "model '" + M.Name + "' has only MLA attention, whose KV cache is a latent";
  }
  if (Which == "layers") {
    ModelSpec Copy = M;
    if (!lastRepetition(Copy.Stack))
      return "the layer stack of model '" + M.Name + "' (" + M.Stack.str(M.LayerKinds) +
             ") does not end in a repetition to resize";
    return "";
  }
  return "";
}

static std::string setLayers(ModelSpec &M, int64_t N) {
  StackPattern *Last = lastRepetition(M.Stack);
  if (!Last)
    return "the layer stack cannot be resized";
  int64_t Total = static_cast<int64_t>(M.Layers.size());
  std::string Name = Last->str(M.LayerKinds);
  int64_t Per = 1;
  if (Last->K == StackPattern::Kind::Repeat) {
    std::vector<unsigned> Once;
    for (const StackPattern &C : Last->Children)
      C.expand(Once, MaxLayers);
    Per = std::max<int64_t>(1, static_cast<int64_t>(Once.size()));
  }
  int64_t Rest = Total - Last->Count * Per;
  if (N <= Rest)
    return "layers=" + std::to_string(N) + " leaves no layer for '" + Name +
           "' after the stack's other " + std::to_string(Rest) + " layers";
  if ((N - Rest) % Per != 0)
    return "layers=" + std::to_string(N) + ": '" + Name + "' adds " +
           std::to_string(Per) + " layers at a time after " + std::to_string(Rest) +
           " others";
  Last->Count = (N - Rest) / Per;
  M.Layers.clear();
  if (!M.Stack.expand(M.Layers, MaxLayers))
    return "the layer stack expands to more than " + std::to_string(MaxLayers) + " layers";
  return "";
}

static std::string checkMoe(const LayerSpec &L) {
  const MoeSpec &S = *L.Moe;
  std::string In = " in layer '" + L.Name + "'";
  if (S.TopK > S.Experts)
    return "top-" + std::to_string(S.TopK) + " routing needs at least " +
           std::to_string(S.TopK) + " experts, but there are " + std::to_string(S.Experts) +
           In;
  if (S.Groups > 1) {
    if (S.Experts % S.Groups != 0)
      return std::to_string(S.Groups) + " expert groups do not divide " +
             std::to_string(S.Experts) + " experts" + In;
    if (S.TopK > S.GroupTopK * (S.Experts / S.Groups))
      return "top-" + std::to_string(S.TopK) + " routing cannot fit in " +
             std::to_string(S.GroupTopK) + " groups of " +
             std::to_string(S.Experts / S.Groups) + " experts" + In;
  }
  return "";
}

std::string ssc::sweep::applyHyperparameters(ModelSpec &M, const Hyperparameters &H) {
  if (H.Layers) {
    std::string E = setLayers(M, H.Layers);
    if (!E.empty())
      return E;
  }
  for (LayerSpec &L : M.LayerKinds) {
    if (L.Moe && (H.Experts || H.TopK)) {
      if (H.Experts)
        L.Moe->Experts = H.Experts;
      if (H.TopK)
        L.Moe->TopK = H.TopK;
      std::string E = checkMoe(L);
      if (!E.empty())
        return E;
    }
    AttentionSpec &A = L.Attn;
    if (H.KvHeads && !A.isMLA()) {
      if (H.KvHeads > A.Heads)
        return "kv=" + std::to_string(H.KvHeads) + " is more than the " +
               std::to_string(A.Heads) + " query heads of layer '" + L.Name + "'";
      if (A.Heads % H.KvHeads != 0)
        return "kv=" + std::to_string(H.KvHeads) + " does not divide the " +
               std::to_string(A.Heads) + " query heads of layer '" + L.Name + "'";
      A.KvHeads = H.KvHeads;
      A.Kind = A.KvHeads == A.Heads ? AttentionKind::MHA
               : A.KvHeads == 1     ? AttentionKind::MQA
                                    : AttentionKind::GQA;
    }
  }
  return "";
}

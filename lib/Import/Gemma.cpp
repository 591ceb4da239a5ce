//===- Gemma.cpp - Gemma, Gemma 2 and Gemma 3 ------------------------------===//
//
// Gemma: GeGLU MLPs, tied embeddings, explicit head_dim. Gemma 2 alternates
// sliding-window and global layers (even layers slide), caps attention logits
// and puts norms before and after each sub-block. Gemma 3 slides five layers
// of every six, with their own rope base (rope_local_base_freq; rope scaling
// applies to the global layers only) and adds QK-norm.
//
// Gemma 3's released configs (gemma-3-27b-it's text_config) leave out the
// members whose defaults Gemma3TextConfig supplies; those defaults are used
// here too (docs/import-hf.md lists them).
//
//===----------------------------------------------------------------------===//

#include "ImportInternal.h"

using namespace ssc;
using namespace ssc::hf;
using llvm::StringRef;

void hf::importGemma(ImportContext &X) {
  const ConfigReader &C = X.C;
  StringRef Type = C.modelType();
  const bool Gemma2 = Type == "gemma2", Gemma3 = Type == "gemma3_text";

  BasicDefaults D;
  D.TieEmbeddings = true;
  if (Gemma3) {
    D.Vocab = 262208;
    D.Context = 131072;
  }
  readBasics(X, D);

  AttentionSpec Attn = readAttention(X, /*KvDefaultsToHeads=*/false);
  if (!C.has("head_dim"))
    C.missing("head_dim");
  Attn.Rope = readRope(X, Gemma3 ? 1000000.0 : 10000.0);
  if (C.boolOr("attention_bias", false).value_or(false))
    Attn.Bias = AttentionBias::All;
  Attn.QkNorm = Gemma3;
  if (Gemma2 || Gemma3)
    Attn.Softcap = C.numberOr("attn_logit_softcapping", 0, 0, 1e9).value_or(0);

  // Gemma 1 configs name the activation hidden_act (and some also
  // hidden_activation, which wins in transformers).
  StringRef ActKey = C.has("hidden_activation") ? "hidden_activation" : "hidden_act";
  MlpSpec Mlp;
  Mlp.Kind = readGatedActivation(X, ActKey, "gelu_pytorch_tanh").value_or(MlpKind::GeGLU);
  Mlp.Intermediate = C.requireInt("intermediate_size").value_or(0);

  NormSpec Norm;
  Norm.Placement = Gemma2 || Gemma3 ? NormPlacement::Sandwich : NormPlacement::Pre;

  size_t N = static_cast<size_t>(X.NumLayers);
  std::vector<bool> Sliding(N, false);
  if (Gemma2 || Gemma3) {
    static const StringRef Types[] = {"full_attention", "sliding_attention"};
    if (auto LT = readLayerTypes(X, Types)) {
      for (size_t I = 0; I < N; ++I)
        Sliding[I] = (*LT)[I] == "sliding_attention";
    } else if (Gemma2) {
      for (size_t I = 0; I < N; ++I)
        Sliding[I] = I % 2 == 0;
    } else {
      int64_t Pattern = C.intOr("sliding_window_pattern", 6, 1, MaxLayers).value_or(6);
      for (size_t I = 0; I < N; ++I)
        Sliding[I] = (I + 1) % static_cast<size_t>(Pattern) != 0;
    }
  }
  int64_t Window = 0;
  if (llvm::is_contained(Sliding, true))
    Window = readWindow(X, "sliding_window", 4096);

  AttentionSpec Local = Attn;
  Local.Window = Window;
  if (Gemma3) {
    // Local layers rotate with their own base and no scaling.
    Local.Rope = RopeSpec();
    Local.Rope.Theta =
        C.numberOr("rope_local_base_freq", 10000.0, 1e-3, 1e15).value_or(10000.0);
  }

  for (size_t I = 0; I < N; ++I) {
    LayerSpec L;
    L.Attn = Sliding[I] ? Local : Attn;
    L.Mlp = Mlp;
    L.Norm = Norm;
    X.Layers.push_back(std::move(L));
  }
}

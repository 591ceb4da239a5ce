//===- Common.cpp - Config fields every family reads the same way ---------===//

#include "ImportInternal.h"

#include "ssc/Support/DType.h"

#include "llvm/ADT/StringSwitch.h"

using namespace ssc;
using namespace ssc::hf;
using llvm::StringRef;

void hf::readBasics(ImportContext &X, const BasicDefaults &D) {
  const ConfigReader &C = X.C;
  X.M.Hidden = C.requireInt("hidden_size").value_or(0);
  X.M.Vocab = (D.Vocab ? C.intOr("vocab_size", *D.Vocab) : C.requireInt("vocab_size"))
                  .value_or(0);
  X.M.MaxContextLoc = C.valueLoc("max_position_embeddings");
  X.M.MaxContext = (D.Context ? C.intOr("max_position_embeddings", *D.Context, 1, MaxContext)
                              : C.requireInt("max_position_embeddings", 1, MaxContext))
                       .value_or(0);
  X.NumLayers = C.requireInt("num_hidden_layers", 1, MaxLayers).value_or(0);
  X.M.TieEmbeddings = D.TieEmbeddings;
  if (const ConfigReader *T = C.withKey("tie_word_embeddings"))
    X.M.TieEmbeddings =
        T->boolOr("tie_word_embeddings", D.TieEmbeddings).value_or(D.TieEmbeddings);
}

AttentionSpec hf::readAttention(ImportContext &X, bool KvDefaultsToHeads) {
  const ConfigReader &C = X.C;
  AttentionSpec A;
  A.Loc = A.HeadsLoc = C.valueLoc("num_attention_heads");
  A.Heads = C.requireInt("num_attention_heads", 1, MaxCount).value_or(0);
  A.KvHeadsLoc = C.valueLoc("num_key_value_heads");
  std::optional<int64_t> Kv =
      KvDefaultsToHeads
          ? C.intOr("num_key_value_heads", std::max<int64_t>(A.Heads, 1), 1, MaxCount)
          : C.requireInt("num_key_value_heads", 1, MaxCount);
  if (Kv && A.Heads > 0) {
    if (*Kv > A.Heads) {
      C.error(A.KvHeadsLoc, "'num_key_value_heads' (" + std::to_string(*Kv) +
                                ") is more than the " + std::to_string(A.Heads) +
                                " attention heads");
    } else if (A.Heads % *Kv != 0) {
      C.error(A.KvHeadsLoc, "'num_key_value_heads' (" + std::to_string(*Kv) +
                                ") does not divide the " + std::to_string(A.Heads) +
                                " attention heads");
    }
  }
  A.KvHeads = Kv.value_or(A.Heads);
  A.Kind = A.KvHeads == A.Heads ? AttentionKind::MHA
           : A.KvHeads == 1     ? AttentionKind::MQA
                                : AttentionKind::GQA;

  if (C.has("head_dim")) {
    A.HeadDim = C.requireInt("head_dim").value_or(0);
  } else if (A.Heads > 0 && X.M.Hidden > 0) {
    if (X.M.Hidden % A.Heads != 0)
      C.error(A.HeadsLoc, "'hidden_size' " + std::to_string(X.M.Hidden) +
                              " is not a multiple of the " + std::to_string(A.Heads) +
                              " attention heads, and 'head_dim' is not given");
    else
      A.HeadDim = X.M.Hidden / A.Heads;
  }
  return A;
}

RopeSpec hf::readRope(ImportContext &X, double DefaultTheta) {
  const ConfigReader &C = X.C;
  RopeSpec R;
  R.Theta = DefaultTheta;
  // transformers 5 moves rope_theta and rope_scaling into rope_parameters.
  if (C.has("rope_theta")) {
    R.Theta = C.numberOr("rope_theta", DefaultTheta, 1e-3, 1e15).value_or(DefaultTheta);
  } else if (const llvm::json::Object *P = C.object("rope_parameters")) {
    R.Theta = C.nested("rope_parameters", *P)
                  .numberOr("rope_theta", DefaultTheta, 1e-3, 1e15)
                  .value_or(DefaultTheta);
  }
  readRopeScaling(X, R);
  return R;
}

void hf::readRopeScaling(ImportContext &X, RopeSpec &R) {
  const ConfigReader &C = X.C;
  StringRef Key = "rope_scaling";
  const llvm::json::Object *O = C.object(Key);
  if (!O && !C.has(Key)) {
    Key = "rope_parameters";
    O = C.object(Key);
  }
  if (!O)
    return;
  ConfigReader P = C.nested(Key, *O);
  StringRef TypeKey = P.has("rope_type") ? "rope_type" : "type";
  if (!P.has(TypeKey)) {
    if (Key == "rope_scaling")
      P.missing("rope_type");
    return; // rope_parameters without a type: plain rope
  }
  std::optional<std::string> Type = P.requireString(TypeKey);
  if (!Type)
    return;
  static const StringRef Known[] = {"default", "linear", "dynamic", "yarn",
                                    "llama3",  "longrope", "su"};
  if (!llvm::is_contained(Known, *Type)) {
    P.error(P.valueLoc(TypeKey), "unsupported rope scaling type '" + *Type +
                                     "'; ssc knows " + joinAlternatives(Known));
    return;
  }
  if (*Type == "default")
    return;
  R.Scaling = llvm::StringSwitch<RopeScaling>(*Type)
                  .Case("linear", RopeScaling::Linear)
                  .Case("dynamic", RopeScaling::Dynamic)
                  .Case("yarn", RopeScaling::Yarn)
                  .Case("llama3", RopeScaling::Llama3)
                  .Default(RopeScaling::LongRope);

  // The original context may sit in the scaling object or beside it.
  const ConfigReader *Orig = P.has("original_max_position_embeddings") ? &P
                             : C.has("original_max_position_embeddings") ? &C
                                                                         : nullptr;
  if (R.Scaling == RopeScaling::Llama3 && !Orig)
    P.missing("original_max_position_embeddings");
  if (Orig)
    R.OriginalContext =
        Orig->requireInt("original_max_position_embeddings", 1, MaxContext).value_or(0);

  if (R.Scaling == RopeScaling::LongRope && !P.has("factor")) {
    // LongRoPE (Phi-3) gives per-frequency factor lists; the overall factor
    // is how far the context was stretched.
    if (!Orig) {
      P.missing("original_max_position_embeddings");
      return;
    }
    if (R.OriginalContext > 0 && X.M.MaxContext > 0)
      R.Factor = static_cast<double>(X.M.MaxContext) / R.OriginalContext;
  } else {
    R.Factor = P.requireNumber("factor", 1e-6, 1e6).value_or(1.0);
  }
  if (R.Scaling == RopeScaling::Llama3) {
    R.LowFreqFactor = P.requireNumber("low_freq_factor", 1e-6, 1e6).value_or(1.0);
    R.HighFreqFactor = P.requireNumber("high_freq_factor", 1e-6, 1e6).value_or(4.0);
  }
}

std::optional<MlpKind> hf::readGatedActivation(ImportContext &X, StringRef Key,
                                               StringRef Default) {
  const ConfigReader &C = X.C;
  std::optional<std::string> Act =
      Default.empty() ? C.requireString(Key) : C.stringOr(Key, Default);
  if (!Act)
    return std::nullopt;
  static const StringRef Gelus[] = {"gelu",         "gelu_new",      "gelu_pytorch_tanh",
                                    "gelu_fast",    "gelu_python",   "gelu_accurate",
                                    "gelu_10"};
  if (*Act == "silu" || *Act == "swish")
    return MlpKind::SwiGLU;
  if (llvm::is_contained(Gelus, *Act))
    return MlpKind::GeGLU;
  C.error(C.valueLoc(Key), C.quoted(Key) + " '" + *Act +
                               "' is not supported for a gated MLP; ssc knows 'silu' "
                               "(swiglu) and the gelu variants (geglu)");
  return std::nullopt;
}

std::optional<std::vector<std::string>>
hf::readLayerTypes(ImportContext &X, llvm::ArrayRef<StringRef> Allowed) {
  const ConfigReader &C = X.C;
  const llvm::json::Array *A = C.array("layer_types");
  if (!A)
    return std::nullopt;
  if (static_cast<int64_t>(A->size()) != X.NumLayers) {
    C.error(C.valueLoc("layer_types"),
            C.quoted("layer_types") + " has " + std::to_string(A->size()) +
                " entries, but 'num_hidden_layers' is " + std::to_string(X.NumLayers));
    return std::nullopt;
  }
  std::vector<std::string> Out;
  bool Ok = true;
  for (size_t I = 0; I < A->size(); ++I) {
    auto S = (*A)[I].getAsString();
    if (!S || !llvm::is_contained(Allowed, *S)) {
      C.error(C.elementLoc("layer_types", I),
              "layer type " + (S ? "'" + S->str() + "'" : std::string("that is not a string")) +
                  " is not supported for model_type '" + C.modelType() +
                  "'; expected " + joinAlternatives(Allowed));
      Ok = false;
      continue;
    }
    Out.push_back(S->str());
  }
  if (!Ok)
    return std::nullopt;
  return Out;
}

std::optional<std::vector<bool>> hf::readLayerSet(ImportContext &X, StringRef Key) {
  const ConfigReader &C = X.C;
  const llvm::json::Array *A = C.array(Key);
  if (!A)
    return std::nullopt;
  std::vector<bool> Out(static_cast<size_t>(X.NumLayers), false);
  for (size_t I = 0; I < A->size(); ++I) {
    std::string What = "'" + Key.str() + "[" + std::to_string(I) + "]'";
    if (auto L = C.asInt((*A)[I], C.elementLoc(Key, I), What, 0,
                         std::max<int64_t>(X.NumLayers - 1, 0)))
      Out[static_cast<size_t>(*L)] = true;
  }
  return Out;
}

int64_t hf::readWindow(ImportContext &X, StringRef Key, int64_t Default) {
  int64_t W = X.C.intOr(Key, Default, 0, MaxContext).value_or(0);
  // A window as long as the context changes nothing (Qwen2 and Phi-3.5
  // configs carry such windows).
  if (X.M.MaxContext > 0 && W >= X.M.MaxContext)
    return 0;
  return W;
}

std::optional<Routing> hf::readRouting(ImportContext &X, StringRef ExpertsKey,
                                       StringRef TopKKey) {
  const ConfigReader &C = X.C;
  auto E = C.requireInt(ExpertsKey, 1, MaxCount);
  auto K = C.requireInt(TopKKey, 1, MaxCount);
  if (!E || !K)
    return std::nullopt;
  if (*K > *E) {
    C.error(C.valueLoc(TopKKey), C.quoted(TopKKey) + " (" + std::to_string(*K) +
                                     ") is more than the " + std::to_string(*E) +
                                     " experts");
    return std::nullopt;
  }
  return Routing{*E, *K};
}

void hf::readWeightTypes(ImportContext &X) {
  const ConfigReader &C = X.C;
  ModelSpec &M = X.M;
  // transformers 4.56 renamed torch_dtype to dtype.
  StringRef Key = C.withKey("torch_dtype") ? "torch_dtype" : "dtype";
  if (const ConfigReader *R = C.withKey(Key)) {
    if (auto S = R->requireString(Key)) {
      std::optional<DType> T = llvm::StringSwitch<std::optional<DType>>(*S)
                                   .Case("bfloat16", DType::BF16)
                                   .Case("float16", DType::FP16)
                                   .Case("float32", DType::FP32)
                                   .Case("auto", DType::BF16)
                                   .Default(parseDType(*S));
      if (T)
        M.WeightType = *T;
      else
        R->error(R->valueLoc(Key), R->quoted(Key) + " '" + *S +
                                       "' is not a weight type ssc knows; expected "
                                       "'bfloat16', 'float16' or 'float32'");
    }
  }
  M.ExpertWeightType = M.WeightType;

  const ConfigReader *R = C.withKey("quantization_config");
  if (!R)
    return;
  const llvm::json::Object *O = R->object("quantization_config");
  if (!O)
    return;
  ConfigReader Q = R->nested("quantization_config", *O);
  std::optional<std::string> Method = Q.requireString("quant_method");
  if (!Method)
    return;
  bool HasMoe = std::any_of(X.Layers.begin(), X.Layers.end(),
                            [](const LayerSpec &L) { return L.isMoe(); });
  if (*Method == "fp8" || *Method == "fbgemm_fp8") {
    M.WeightType = M.ExpertWeightType = DType::FP8;
    // Block-scaled fp8 (DeepSeek-V3, Kimi-K2, Qwen3's FP8 releases):
    // weight_block_size [N, K]; with dynamic activation scales the
    // activations are quantized per token in groups of K along the inner
    // dimension before each GEMM.
    if (const llvm::json::Array *B = Q.array("weight_block_size")) {
      std::optional<std::string> Scheme = Q.stringOr("activation_scheme", "dynamic");
      if (B->size() != 2) {
        Q.error(Q.valueLoc("weight_block_size"),
                Q.quoted("weight_block_size") + " must hold two sizes, [rows, columns]");
      } else {
        auto Size = [&](size_t I) {
          return Q.asInt((*B)[I], Q.elementLoc("weight_block_size", I),
                         Q.quoted("weight_block_size") + "[" + std::to_string(I) + "]",
                         1, MaxDim);
        };
        auto N = Size(0), K = Size(1);
        if (Scheme && *Scheme != "dynamic" && *Scheme != "static")
          Q.warning(Q.valueLoc("activation_scheme"),
                    "activation_scheme '" + *Scheme + "' is not modelled; the "
                    "activations are taken as scaled per tensor");
        if (N && K && Scheme && *Scheme == "dynamic")
          M.Fp8Block = *K;
      }
    }
  } else if (*Method == "mxfp4") {
    // transformers' MXFP4 checkpoints (gpt-oss) quantize the routed experts
    // only; attention, router and embeddings stay in torch_dtype.
    M.ExpertWeightType = DType::MXFP4;
    if (!HasMoe)
      M.WeightType = DType::MXFP4;
  } else if (*Method == "awq" || *Method == "gptq") {
    std::optional<int64_t> Bits = Q.intOr("bits", 4, 1, 64);
    if (Bits == 4)
      M.WeightType = M.ExpertWeightType = DType::INT4;
    else if (Bits == 8)
      M.WeightType = M.ExpertWeightType = DType::INT8;
    else if (Bits)
      Q.error(Q.valueLoc("bits"), "'" + *Method + "' with " + std::to_string(*Bits) +
                                      " bits is not supported; ssc knows 4 and 8");
  } else if (*Method == "bitsandbytes") {
    if (Q.boolOr("load_in_4bit", false).value_or(false))
      M.WeightType = M.ExpertWeightType = DType::INT4;
    else if (Q.boolOr("load_in_8bit", false).value_or(false))
      M.WeightType = M.ExpertWeightType = DType::INT8;
  } else {
    Q.warning(Q.valueLoc("quant_method"),
              "quantization method '" + *Method + "' is not modelled; weights are "
              "taken as " + dtypeName(M.WeightType).str());
  }
}

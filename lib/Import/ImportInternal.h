//===- ImportInternal.h - Shared pieces of the HF importer ------*- C++ -*-===//
//
// Internal to lib/Import. ConfigReader reads typed, located fields out of one
// JSON object of a config.json; ImportContext carries what a family builder
// fills in: the model's sizes and one LayerSpec per layer. HFConfig.cpp then
// groups the layers into kinds and compresses the stack.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_LIB_IMPORT_IMPORTINTERNAL_H
#define SSC_LIB_IMPORT_IMPORTINTERNAL_H

#include "ssc/Spec/Model.h"
#include "ssc/Support/Diagnostics.h"
#include "ssc/Support/JSONLocator.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <vector>

namespace ssc::hf {

/// The same limits Sema applies to the language's values.
constexpr int64_t MaxDim = int64_t(1) << 24;
constexpr int64_t MaxCount = int64_t(1) << 20;
constexpr int64_t MaxContext = int64_t(1) << 34;
/// Layer stacks longer than this are surely not a real model.
constexpr int64_t MaxLayers = 100000;

/// Typed, located access to the members of one JSON object. A member whose
/// value is null counts as absent (transformers writes null for "not set").
class ConfigReader {
public:
  /// \p Path is the object's dotted path from the top ("" or "text_config");
  /// \p Outer, when given, is the enclosing config, consulted by the
  /// `inherited` lookups (dtype, quantization, tied embeddings).
  ConfigReader(const llvm::json::Object &Obj, std::string Path,
               const JSONLocator &Locs, DiagnosticEngine &Diags,
               std::string ModelType, const ConfigReader *Outer = nullptr)
      : Obj(Obj), Path(std::move(Path)), Locs(Locs), Diags(Diags),
        ModelType(std::move(ModelType)), Outer(Outer) {}

  /// A reader for the object held in member \p Key (which must be one).
  ConfigReader nested(llvm::StringRef Key, const llvm::json::Object &O) const {
    return ConfigReader(O, childPath(Key), Locs, Diags, ModelType, Outer);
  }

  const llvm::json::Value *get(llvm::StringRef Key) const;
  bool has(llvm::StringRef Key) const { return get(Key) != nullptr; }
  /// The member here or, failing that, in the outer config.
  const ConfigReader *withKey(llvm::StringRef Key) const;

  llvm::SMLoc objectLoc() const { return Locs.valueLoc(Path); }
  llvm::SMLoc valueLoc(llvm::StringRef Key) const {
    return Locs.valueLoc(childPath(Key));
  }
  llvm::SMLoc elementLoc(llvm::StringRef Key, size_t Index) const {
    return Locs.valueLoc(childPath(Key) + "[" + std::to_string(Index) + "]");
  }
  /// `'key'` or `'text_config.key'`, for messages.
  std::string quoted(llvm::StringRef Key) const { return "'" + childPath(Key) + "'"; }
  llvm::StringRef modelType() const { return ModelType; }

  void error(llvm::SMLoc Loc, const llvm::Twine &Msg) const { Diags.error(Loc, Msg); }
  void warning(llvm::SMLoc Loc, const llvm::Twine &Msg) const {
    Diags.warning(Loc, Msg);
  }
  /// "'key' is missing (model_type 'llama')", at the object.
  void missing(llvm::StringRef Key) const;

  // Required members: report an error (missing, wrong type, out of range) and
  // return nullopt.
  std::optional<int64_t> requireInt(llvm::StringRef Key, int64_t Min = 1,
                                    int64_t Max = MaxDim) const;
  std::optional<double> requireNumber(llvm::StringRef Key, double Min,
                                      double Max) const;
  std::optional<std::string> requireString(llvm::StringRef Key) const;

  // Optional members: \p Default when absent, nullopt after an error.
  std::optional<int64_t> intOr(llvm::StringRef Key, int64_t Default,
                               int64_t Min = 1, int64_t Max = MaxDim) const;
  std::optional<double> numberOr(llvm::StringRef Key, double Default, double Min,
                                 double Max) const;
  std::optional<bool> boolOr(llvm::StringRef Key, bool Default) const;
  std::optional<std::string> stringOr(llvm::StringRef Key,
                                      llvm::StringRef Default) const;
  /// The object or array in \p Key; null when absent or (after an error) of
  /// another type.
  const llvm::json::Object *object(llvm::StringRef Key) const;
  const llvm::json::Array *array(llvm::StringRef Key) const;

  /// Reads an integer or number out of a value that is not a member (array
  /// elements); \p What names it in messages.
  std::optional<int64_t> asInt(const llvm::json::Value &V, llvm::SMLoc Loc,
                               const std::string &What, int64_t Min,
                               int64_t Max) const;
  std::optional<double> asNumber(const llvm::json::Value &V, llvm::SMLoc Loc,
                                 const std::string &What, double Min,
                                 double Max) const;

private:
  const llvm::json::Object &Obj;
  std::string Path;
  const JSONLocator &Locs;
  DiagnosticEngine &Diags;
  std::string ModelType;
  const ConfigReader *Outer;

  std::string childPath(llvm::StringRef Key) const {
    return Path.empty() ? Key.str() : Path + "." + Key.str();
  }
};

/// What a family builder fills in.
struct ImportContext {
  DiagnosticEngine &Diags;
  const ConfigReader &C; // the text model's config (the top level or text_config)
  ModelSpec M;
  int64_t NumLayers = 0;
  std::vector<LayerSpec> Layers; // one per layer, in order
  std::vector<LayerSpec> Mtp;    // multi-token-prediction layers

  ImportContext(DiagnosticEngine &Diags, const ConfigReader &C) : Diags(Diags), C(C) {}
  unsigned errors() const { return Diags.getNumErrors(); }
};

//===----------------------------------------------------------------------===//
// Shared field readers (Common.cpp)
//===----------------------------------------------------------------------===//

/// Defaults a family's config class applies to members its released configs
/// leave out; unset: the member is required.
struct BasicDefaults {
  bool TieEmbeddings = false;
  std::optional<int64_t> Vocab;
  std::optional<int64_t> Context;
};

/// hidden_size, vocab_size, max_position_embeddings, num_hidden_layers,
/// tie_word_embeddings.
void readBasics(ImportContext &X, const BasicDefaults &D);

/// num_attention_heads, num_key_value_heads (absent: \p KvDefaultsToHeads
/// makes it num_attention_heads, else it is required), head_dim (absent or
/// null: hidden_size / heads); the kind follows from the head counts.
AttentionSpec readAttention(ImportContext &X, bool KvDefaultsToHeads);

/// rope_theta (or rope_parameters.rope_theta) and rope_scaling (or
/// rope_parameters) with every scaling type transformers writes.
RopeSpec readRope(ImportContext &X, double DefaultTheta);
/// Only the scaling part of rope_scaling, into \p R.
void readRopeScaling(ImportContext &X, RopeSpec &R);

/// The gated MLP's kind from \p Key (hidden_act, hidden_activation): silu is
/// SwiGLU, the gelu variants GeGLU.
std::optional<MlpKind> readGatedActivation(ImportContext &X, llvm::StringRef Key,
                                           llvm::StringRef Default = "");

/// `layer_types` when given: one entry per layer, each in \p Allowed.
std::optional<std::vector<std::string>>
readLayerTypes(ImportContext &X, llvm::ArrayRef<llvm::StringRef> Allowed);

/// A list of layer indices (mlp_only_layers, moe_layers) as flags per layer.
std::optional<std::vector<bool>> readLayerSet(ImportContext &X, llvm::StringRef Key);

/// A sliding window from \p Key (null or absent: none); a window that covers
/// the whole context has no effect and is dropped.
int64_t readWindow(ImportContext &X, llvm::StringRef Key, int64_t Default = 0);

/// Expert count and top-k, checked against each other.
struct Routing {
  int64_t Experts = 0;
  int64_t TopK = 0;
};
std::optional<Routing> readRouting(ImportContext &X, llvm::StringRef ExpertsKey,
                                   llvm::StringRef TopKKey);

/// torch_dtype (or dtype) and quantization_config, applied to M's weight and
/// expert types; call after the layers are built.
void readWeightTypes(ImportContext &X);

//===----------------------------------------------------------------------===//
// Families. Each reads the config in X.C and fills X; it reports errors
// through X.Diags and may leave X incomplete after one.
//===----------------------------------------------------------------------===//

void importLlamaLike(ImportContext &X);  // LlamaLike.cpp: llama, mistral, mixtral,
                                         // qwen2(_moe), qwen3(_moe), olmo2,
                                         // smollm3, phi3
void importGemma(ImportContext &X);      // Gemma.cpp: gemma, gemma2, gemma3_text
void importPhi(ImportContext &X);        // Phi.cpp: phi
void importDeepSeek(ImportContext &X);   // DeepSeek.cpp: deepseek_v3, kimi_k2
void importGptOss(ImportContext &X);     // GptOss.cpp: gpt_oss
void importLlama4(ImportContext &X);     // Llama4.cpp: llama4_text

} // namespace ssc::hf

#endif // SSC_LIB_IMPORT_IMPORTINTERNAL_H

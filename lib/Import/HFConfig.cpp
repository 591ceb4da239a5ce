//===- HFConfig.cpp - Hugging Face config.json to a model -----------------===//
//
// Finds the text model's config (the top level, or text_config inside a
// multimodal wrapper), hands it to its family's builder, then turns the
// per-layer specs into a model: identical layers become one kind, kinds get
// names from what tells them apart, and the stack is compressed into a short
// pattern. The result is printed and checked by Sema before it is returned.
//
//===----------------------------------------------------------------------===//

#include "ssc/Import/HFConfig.h"

#include "ImportInternal.h"

#include "ssc/Sema/Sema.h"
#include "ssc/Spec/LayerCompression.h"
#include "ssc/Spec/SpecPrinter.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace ssc;
using namespace ssc::hf;
using llvm::StringRef;

namespace {

struct Family {
  StringRef Type;
  void (*Import)(ImportContext &);
};

const Family Families[] = {
    {"llama", importLlamaLike},     {"mistral", importLlamaLike},
    {"mixtral", importLlamaLike},   {"qwen2", importLlamaLike},
    {"qwen2_moe", importLlamaLike}, {"qwen3", importLlamaLike},
    {"qwen3_moe", importLlamaLike}, {"gemma", importGemma},
    {"gemma2", importGemma},        {"gemma3_text", importGemma},
    {"phi", importPhi},             {"phi3", importLlamaLike},
    {"olmo2", importLlamaLike},     {"deepseek_v3", importDeepSeek},
    {"kimi_k2", importDeepSeek},    {"gpt_oss", importGptOss},
    {"llama4_text", importLlama4},  {"smollm3", importLlamaLike},
};

/// Multimodal configs whose language model sits in text_config.
struct Wrapper {
  StringRef Type;
  StringRef TextType; // when text_config gives no model_type
};
const Wrapper Wrappers[] = {
    {"gemma3", "gemma3_text"}, {"llama4", "llama4_text"}, {"mistral3", "mistral"}};

const Family *findFamily(StringRef Type) {
  for (const Family &F : Families)
    if (F.Type == Type)
      return &F;
  return nullptr;
}

const Wrapper *findWrapper(StringRef Type) {
  for (const Wrapper &W : Wrappers)
    if (W.Type == Type)
      return &W;
  return nullptr;
}

void unknownType(DiagnosticEngine &Diags, llvm::SMLoc Loc, StringRef What,
                 StringRef Type) {
  llvm::SmallVector<StringRef, 3> WrapperTypes;
  for (const Wrapper &W : Wrappers)
    WrapperTypes.push_back(W.Type);
  Diags.error(Loc, "unknown " + What + " '" + Type + "'; ssc imports " +
                       joinAlternatives(supportedHFModelTypes()) + ", and " +
                       joinAlternatives(WrapperTypes) + " through their text_config");
}

bool isKeyword(StringRef S) {
  static const StringRef Keywords[] = {"import", "model",   "layer",   "gpu",
                                       "plan",   "prefill", "decode",  "extends",
                                       "true",   "false"};
  return llvm::is_contained(Keywords, S);
}

/// Whether \p S is a name the language accepts (grammar/SSC.g4, ID).
bool isValidName(StringRef S) {
  if (S.empty() || isKeyword(S) || !(llvm::isAlpha(S[0]) || S[0] == '_'))
    return false;
  char Prev = 0;
  for (char C : S) {
    bool Word = llvm::isAlnum(C) || C == '_';
    bool Sep = C == '-' || C == '.';
    if (!Word && !Sep)
      return false;
    if (Sep && (Prev == '-' || Prev == '.'))
      return false;
    Prev = C;
  }
  return Prev != '-' && Prev != '.';
}

/// A hub id: "org/repo", not a local path.
bool isHubId(StringRef S) {
  if (S.empty() || S.starts_with("/") || S.starts_with(".") || S.contains('\\') ||
      S.count('/') != 1)
    return false;
  auto [Org, Repo] = S.split('/');
  return !Org.empty() && !Repo.empty();
}

/// Names for the layer kinds after what tells them apart: dense/moe,
/// local/global, nope. A dimension that splits the kinds the same way as an
/// earlier one adds nothing and is left out.
void nameKinds(std::vector<LayerSpec> &Kinds, const std::vector<bool> &InMain) {
  size_t K = Kinds.size();
  auto Feature = [&](auto Pred) {
    std::vector<bool> F(K);
    for (size_t I = 0; I < K; ++I)
      F[I] = Pred(Kinds[I]);
    return F;
  };
  std::vector<std::vector<bool>> Dims = {
      Feature([](const LayerSpec &L) { return L.isMoe(); }),
      Feature([](const LayerSpec &L) { return L.Attn.Window > 0 || L.Attn.Chunk > 0; }),
      Feature([](const LayerSpec &L) { return !L.Attn.Rope.Enabled; }),
  };
  const StringRef Words[][2] = {{"dense", "moe"}, {"global", "local"}, {"", "nope"}};

  std::vector<bool> Used(Dims.size(), false);
  for (size_t D = 0; D < Dims.size(); ++D) {
    bool Varies = false, Redundant = false;
    std::optional<bool> First;
    for (size_t I = 0; I < K; ++I) {
      if (!InMain[I])
        continue;
      if (!First)
        First = Dims[D][I];
      else if (Dims[D][I] != *First)
        Varies = true;
    }
    for (size_t E = 0; E < D && Varies; ++E) {
      if (!Used[E])
        continue;
      bool Same = true, Opposite = true;
      for (size_t I = 0; I < K; ++I) {
        if (!InMain[I])
          continue;
        Same &= Dims[D][I] == Dims[E][I];
        Opposite &= Dims[D][I] != Dims[E][I];
      }
      Redundant |= Same || Opposite;
    }
    Used[D] = Varies && !Redundant;
  }

  llvm::StringMap<unsigned> Seen;
  for (size_t I = 0; I < K; ++I) {
    std::string Name;
    if (!InMain[I]) {
      Name = "mtp";
    } else {
      for (size_t D = 0; D < Dims.size(); ++D) {
        StringRef W = Words[D][Dims[D][I]];
        if (!Used[D] || W.empty())
          continue;
        Name += (Name.empty() ? "" : "_") + W.str();
      }
      if (Name.empty())
        Name = Kinds[I].isMoe() ? "moe" : "decoder";
    }
    unsigned N = ++Seen[Name];
    Kinds[I].Name = N == 1 ? Name : Name + "_" + std::to_string(N);
  }
}

/// Groups identical layers into kinds, names them and compresses the stacks.
void buildStack(ImportContext &X) {
  ModelSpec &M = X.M;
  std::vector<std::string> Keys;
  std::vector<bool> InMain;
  auto KindOf = [&](const LayerSpec &L, bool Main) -> unsigned {
    // Two layers are the same kind when they print the same.
    std::string Key;
    llvm::raw_string_ostream OS(Key);
    printLayerClauses(L, OS, 0);
    OS.flush();
    for (size_t I = 0; I < Keys.size(); ++I)
      if (Keys[I] == Key) {
        InMain[I] = InMain[I] || Main;
        return static_cast<unsigned>(I);
      }
    Keys.push_back(Key);
    InMain.push_back(Main);
    M.LayerKinds.push_back(L);
    return static_cast<unsigned>(Keys.size() - 1);
  };
  for (const LayerSpec &L : X.Layers)
    M.Layers.push_back(KindOf(L, true));
  for (const LayerSpec &L : X.Mtp)
    M.MtpLayers.push_back(KindOf(L, false));
  nameKinds(M.LayerKinds, InMain);
  M.Stack = compressLayers(M.Layers);
  if (!M.MtpLayers.empty())
    M.MtpStack = compressLayers(M.MtpLayers);
}

/// Prints \p M, checks the text with Sema and prints the result again: the
/// importer must produce what the language accepts, and say it the same way.
bool verify(const ModelSpec &M, DiagnosticEngine &Diags, llvm::SMLoc Loc) {
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  printModel(M, OS);
  OS.flush();

  llvm::SourceMgr SM;
  std::string Errors;
  llvm::raw_string_ostream ES(Errors);
  DiagnosticEngine Check(SM, ES);
  Check.setWarningsAsErrors(true);
  std::unique_ptr<Program> P =
      analyzeBuffer(llvm::MemoryBuffer::getMemBufferCopy(Text, "<imported>"), Check);
  ES.flush();
  if (!P || P->InputModels.size() != 1) {
    Diags.error(Loc, "internal error: the imported model does not pass ssc's "
                     "checks:\n" + Errors + Text);
    return false;
  }
  std::string Again;
  llvm::raw_string_ostream AOS(Again);
  printModel(*P->InputModels.front(), AOS);
  AOS.flush();
  if (Again != Text) {
    Diags.error(Loc, "internal error: the imported model reads back differently:\n" +
                         Text + "---\n" + Again);
    return false;
  }
  return true;
}

} // namespace

llvm::ArrayRef<StringRef> ssc::supportedHFModelTypes() {
  static const std::vector<StringRef> Types = [] {
    std::vector<StringRef> T;
    for (const Family &F : Families)
      T.push_back(F.Type);
    return T;
  }();
  return Types;
}

std::string ssc::hfModelName(StringRef S) {
  S = S.rtrim("/\\");
  size_t Slash = S.find_last_of("/\\");
  if (Slash != StringRef::npos)
    S = S.substr(Slash + 1);
  std::string Out;
  char Sep = 0;
  for (char C : S) {
    char L = llvm::toLower(C);
    if (llvm::isAlnum(L) || L == '_') {
      if (Sep && !Out.empty())
        Out += Sep;
      Sep = 0;
      Out += L;
    } else if (!Sep || Sep == '.') {
      Sep = L == '.' ? '.' : '-';
    }
  }
  if (!Out.empty() && llvm::isDigit(Out[0]))
    Out = "m-" + Out;
  if (isKeyword(Out))
    Out = "hf-" + Out;
  return Out;
}

std::optional<ModelSpec> ssc::importHFConfig(unsigned BufferID, DiagnosticEngine &Diags,
                                             const HFImportOptions &Opts) {
  unsigned ErrorsBefore = Diags.getNumErrors();
  std::optional<JSONObjectDocument> Doc =
      parseJSONObject(BufferID, Diags, "a config.json holds one JSON object");
  if (!Doc)
    return std::nullopt;
  const llvm::MemoryBuffer *Buf = Diags.getSourceMgr().getMemoryBuffer(BufferID);
  const JSONLocator &Locs = Doc->Loc;
  const llvm::json::Object *Top = &Doc->object();

  // model_type, possibly inside text_config.
  ConfigReader Untyped(*Top, "", Locs, Diags, "");
  const llvm::json::Value *TypeV = Untyped.get("model_type");
  if (!TypeV) {
    Diags.error(Untyped.objectLoc(), "'model_type' is missing; ssc needs it to know "
                                     "the architecture");
    return std::nullopt;
  }
  std::optional<StringRef> TopType = TypeV->getAsString();
  if (!TopType) {
    Diags.error(Untyped.valueLoc("model_type"), "'model_type' must be a string");
    return std::nullopt;
  }
  ConfigReader TopR(*Top, "", Locs, Diags, TopType->str());
  std::optional<ConfigReader> TextR;
  StringRef Type = *TopType;
  llvm::SMLoc TypeLoc = TopR.valueLoc("model_type");
  if (const Wrapper *W = findWrapper(Type)) {
    const llvm::json::Object *Text = TopR.object("text_config");
    if (!Text) {
      if (!TopR.has("text_config"))
        TopR.missing("text_config");
      return std::nullopt;
    }
    ConfigReader Probe(*Text, "text_config", Locs, Diags, W->TextType.str());
    std::optional<std::string> Inner = Probe.stringOr("model_type", W->TextType);
    if (!Inner)
      return std::nullopt;
    TextR.emplace(*Text, "text_config", Locs, Diags, *Inner, &TopR);
    Type = TextR->modelType();
    if (Probe.has("model_type"))
      TypeLoc = Probe.valueLoc("model_type");
  }
  const Family *F = findFamily(Type);
  if (!F) {
    unknownType(Diags, TypeLoc, "model_type", Type);
    return std::nullopt;
  }

  const ConfigReader &C = TextR ? *TextR : TopR;
  ImportContext X(Diags, C);
  X.M.Loc = C.objectLoc();
  F->Import(X);
  if (Diags.getNumErrors() != ErrorsBefore)
    return std::nullopt;
  readWeightTypes(X);

  // Name and provenance.
  std::string NameOrPath = TopR.stringOr("_name_or_path", "").value_or("");
  if (!Opts.Name.empty()) {
    if (!isValidName(Opts.Name))
      Diags.error("'" + Opts.Name + "' is not a valid model name: use letters, "
                  "digits and '_', with '-' or '.' between them");
    X.M.Name = Opts.Name;
  } else {
    X.M.Name = hfModelName(NameOrPath);
    if (X.M.Name.empty()) {
      StringRef File = Buf->getBufferIdentifier();
      StringRef Stem = llvm::sys::path::stem(File);
      if (Stem == "config")
        Stem = llvm::sys::path::filename(llvm::sys::path::parent_path(File));
      X.M.Name = hfModelName(Stem);
    }
    if (X.M.Name.empty())
      X.M.Name = "imported";
  }
  X.M.Source = isHubId(NameOrPath)
                   ? "https://huggingface.co/" + NameOrPath + "/blob/main/config.json"
                   : Buf->getBufferIdentifier().str();
  if (Diags.getNumErrors() != ErrorsBefore)
    return std::nullopt;

  buildStack(X);
  if (!verify(X.M, Diags, X.M.Loc))
    return std::nullopt;
  return std::move(X.M);
}

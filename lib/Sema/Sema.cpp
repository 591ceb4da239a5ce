//===- Sema.cpp - Loading, imports and name resolution --------------------===//

#include "ssc/Sema/Sema.h"

#include "SemaInternal.h"

#include "ssc/Frontend/Parser.h"
#include "ssc/Support/DataPaths.h"
#include "ssc/Support/JSONLocator.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace ssc;
using namespace ssc::sema;
using namespace ssc::ast;
using llvm::SMLoc;
using llvm::StringRef;

const ModelSpec *Program::findModel(StringRef Name) const {
  for (const ModelSpec &M : Models)
    if (M.Name == Name)
      return &M;
  return nullptr;
}

const GpuSpec *Program::findGpu(StringRef Name) const {
  for (const auto &G : Gpus)
    if (G->Name == Name)
      return G.get();
  for (const auto &G : Gpus)
    for (const std::string &A : G->Aliases)
      if (A == Name)
        return G.get();
  // Then any spelling of a name or an alias: "GB200x72", "gb200x72".
  for (const auto &G : Gpus) {
    if (Name.equals_insensitive(G->Name))
      return G.get();
    for (const std::string &A : G->Aliases)
      if (Name.equals_insensitive(A))
        return G.get();
  }
  return nullptr;
}

const PlanSpec *Program::findPlan(StringRef Name) const {
  for (const PlanSpec &P : Plans)
    if (P.Name == Name)
      return &P;
  return nullptr;
}

namespace {

class Loader {
public:
  Loader(DiagnosticEngine &Diags, const SemaOptions &Opts, Program &P)
      : Diags(Diags), Opts(Opts), P(P) {}

  /// Loads \p Path and its imports; returns the file's index or -1.
  long load(StringRef Path, SMLoc IncludeLoc, unsigned Depth);
  /// Parses a buffer already in the SourceMgr, then its imports.
  long loadBuffer(unsigned BufferID, StringRef Path, unsigned Depth);

private:
  DiagnosticEngine &Diags;
  const SemaOptions &Opts;
  Program &P;
  llvm::StringMap<long> Loaded;

  std::string resolveImport(StringRef Importer, StringRef Name);
};

} // namespace

std::string Loader::resolveImport(StringRef Importer, StringRef Name) {
  if (llvm::sys::path::is_absolute(Name))
    return llvm::sys::fs::exists(Name) ? Name.str() : std::string();
  llvm::SmallVector<std::string, 4> Dirs;
  Dirs.push_back(llvm::sys::path::parent_path(Importer).str());
  for (const std::string &D : Opts.ImportDirs)
    Dirs.push_back(D);
  Dirs.push_back(getDataDir());
  for (const std::string &D : Dirs) {
    llvm::SmallString<256> Candidate(D);
    llvm::sys::path::append(Candidate, Name);
    if (llvm::sys::fs::exists(Candidate) && !llvm::sys::fs::is_directory(Candidate))
      return std::string(Candidate);
  }
  return std::string();
}

long Loader::load(StringRef Path, SMLoc IncludeLoc, unsigned Depth) {
  llvm::SmallString<256> Real;
  std::string Key = Path.str();
  if (Path != "-" && !llvm::sys::fs::real_path(Path, Real))
    Key = std::string(Real);
  if (auto It = Loaded.find(Key); It != Loaded.end())
    return It->second;
  if (Path != "-" && llvm::sys::fs::is_directory(Path)) {
    Diags.error(IncludeLoc, "'" + Path + "' is a directory, not a file");
    return -1;
  }

  Loaded[Key] = -1; // an import cycle back to this file sees it as loaded
  unsigned Buf = loadFileBuffer(Path, Diags, IncludeLoc);
  if (!Buf)
    return -1;
  long Index = loadBuffer(Buf, Path, Depth);
  Loaded[Key] = Index;
  return Index;
}

long Loader::loadBuffer(unsigned BufferID, StringRef Path, unsigned Depth) {
  std::unique_ptr<File> F = parseBuffer(BufferID, Diags);
  if (!F)
    return -1;
  long Index = static_cast<long>(P.Files.size());
  P.Files.push_back(std::move(F));

  // Imports: copy the list first, P.Files may grow while loading them.
  std::vector<std::pair<std::string, SMRange>> Imports;
  for (const NodePtr &N : P.Files[Index]->getDecls())
    if (const auto *I = llvm::dyn_cast<ImportDecl>(N.get()))
      Imports.emplace_back(I->getPath().str(), I->getPathRange());
  for (auto &[Name, Range] : Imports) {
    if (Depth >= 64) {
      Diags.error(Range.Start, "imports are nested more than 64 deep", Range);
      continue;
    }
    std::string Resolved = resolveImport(Path, Name);
    if (Resolved.empty()) {
      Diags.error(Range.Start, "cannot find imported file '" + Name +
                                   "' (searched next to the importing file, the "
                                   "-I directories and " + getDataDir() + ")",
                  Range);
      continue;
    }
    // Devices, FIFOs and the like could block or never end.
    if (!llvm::sys::fs::is_regular_file(Resolved)) {
      Diags.error(Range.Start, "cannot import '" + Resolved +
                                   "': not a regular file", Range);
      continue;
    }
    load(Resolved, Range.Start, Depth + 1);
  }
  return Index;
}

static std::unique_ptr<Program>
analyzeImpl(DiagnosticEngine &Diags, const SemaOptions &Opts,
            llvm::function_ref<void(Loader &, Program &)> LoadInputs);

std::unique_ptr<Program> ssc::analyze(llvm::ArrayRef<std::string> Paths,
                                      DiagnosticEngine &Diags,
                                      const SemaOptions &Opts) {
  return analyzeImpl(Diags, Opts, [&](Loader &L, Program &P) {
    for (const std::string &Path : Paths) {
      // A file loaded already (the GPU catalog named on the command line, a
      // file an earlier input imports) is still an input.
      long I = L.load(Path, SMLoc(), 0);
      if (I >= 0 && !llvm::is_contained(P.InputFiles, static_cast<size_t>(I)))
        P.InputFiles.push_back(static_cast<size_t>(I));
    }
  });
}

std::unique_ptr<Program> ssc::analyzeBuffer(std::unique_ptr<llvm::MemoryBuffer> Buf,
                                            DiagnosticEngine &Diags,
                                            const SemaOptions &Opts) {
  std::string Name = Buf->getBufferIdentifier().str();
  return analyzeImpl(Diags, Opts, [&](Loader &L, Program &P) {
    unsigned ID = Diags.getSourceMgr().AddNewSourceBuffer(std::move(Buf), SMLoc());
    long I = L.loadBuffer(ID, Name, 0);
    if (I >= 0)
      P.InputFiles.push_back(static_cast<size_t>(I));
  });
}

static std::unique_ptr<Program>
analyzeImpl(DiagnosticEngine &Diags, const SemaOptions &Opts,
            llvm::function_ref<void(Loader &, Program &)> LoadInputs) {
  unsigned ErrorsBefore = Diags.getNumErrors();
  auto P = std::make_unique<Program>();
  Loader L(Diags, Opts, *P);

  if (!Opts.CatalogPath.empty() && L.load(Opts.CatalogPath, SMLoc(), 0) < 0)
    return nullptr;
  P->CatalogPath = Opts.CatalogPath;
  LoadInputs(L, *P);
  if (Diags.getNumErrors() != ErrorsBefore)
    return nullptr;

  // Collect declarations by kind; names are global across files.
  struct Decl {
    const Block *B;
    size_t File;
  };
  llvm::StringMap<Decl> Models, Gpus, Plans;
  std::vector<Decl> ModelOrder, GpuOrder, PlanOrder;
  for (size_t FI = 0; FI < P->Files.size(); ++FI) {
    for (const NodePtr &N : P->Files[FI]->getDecls()) {
      const auto *B = llvm::dyn_cast<Block>(N.get());
      if (!B)
        continue;
      llvm::StringMap<Decl> *Table = nullptr;
      std::vector<Decl> *Order = nullptr;
      switch (B->getBlockKind()) {
      case BlockKind::Model:
        Table = &Models, Order = &ModelOrder;
        break;
      case BlockKind::Gpu:
        Table = &Gpus, Order = &GpuOrder;
        break;
      case BlockKind::Plan:
        Table = &Plans, Order = &PlanOrder;
        break;
      default:
        continue;
      }
      auto [It, New] = Table->try_emplace(B->getName(), Decl{B, FI});
      if (!New) {
        Diags.error(B->getNameLoc(), "redefinition of " +
                                         blockKeyword(B->getBlockKind()) + " '" +
                                         B->getName() + "'");
        Diags.note(It->second.B->getNameLoc(), "previous definition is here");
        continue;
      }
      Order->push_back(Decl{B, FI});
    }
  }

  Reader R(Diags);
  auto IsInput = [&](size_t FI) {
    return llvm::is_contained(P->InputFiles, FI);
  };

  // GPUs: a GPU that extends another starts from a copy of it.
  llvm::StringMap<GpuSpec *> Built;
  llvm::StringMap<bool> InProgress;
  std::function<GpuSpec *(const Block &)> BuildGpu = [&](const Block &B) -> GpuSpec * {
    if (auto It = Built.find(B.getName()); It != Built.end())
      return It->second;
    if (InProgress[B.getName()]) {
      R.error(B.getBaseLoc(), "gpu '" + B.getName() + "' extends itself");
      return nullptr;
    }
    InProgress[B.getName()] = true;
    auto G = std::make_unique<GpuSpec>();
    if (!B.getBase().empty()) {
      auto BaseIt = Gpus.find(B.getBase());
      const GpuSpec *Base = nullptr;
      if (BaseIt == Gpus.end()) {
        llvm::SmallVector<StringRef, 16> Names;
        for (const Decl &D : GpuOrder)
          Names.push_back(D.B->getName());
        R.error(B.getBaseLoc(), "unknown gpu '" + B.getBase() + "'" +
                                    didYouMean(B.getBase(), Names));
      } else {
        Base = BuildGpu(*BaseIt->second.B);
      }
      if (!Base) {
        InProgress[B.getName()] = false;
        return nullptr;
      }
      *G = *Base;
      G->Aliases.clear();
    }
    bool Ok = buildGpu(R, B, *G) && checkGpuComplete(R, *G);
    InProgress[B.getName()] = false;
    if (!Ok)
      return nullptr;
    GpuSpec *Raw = G.get();
    P->Gpus.push_back(std::move(G));
    Built[B.getName()] = Raw;
    return Raw;
  };
  for (const Decl &D : GpuOrder)
    BuildGpu(*D.B);

  // Aliases must not collide with names.
  llvm::StringMap<const GpuSpec *> Spellings;
  for (const auto &G : P->Gpus) {
    Spellings[G->Name] = G.get();
  }
  for (const auto &G : P->Gpus)
    for (const std::string &A : G->Aliases) {
      auto [It, New] = Spellings.try_emplace(A, G.get());
      if (!New && It->second != G.get()) {
        R.error(G->Loc, "alias '" + A + "' of gpu '" + G->Name +
                            "' already names gpu '" + It->second->Name + "'");
      }
    }

  P->Models.reserve(ModelOrder.size());
  std::vector<size_t> ModelFiles;
  for (const Decl &D : ModelOrder)
    if (auto M = buildModel(R, *D.B)) {
      P->Models.push_back(std::move(*M));
      ModelFiles.push_back(D.File);
    }
  P->Plans.reserve(PlanOrder.size());
  std::vector<size_t> PlanFiles;
  for (const Decl &D : PlanOrder)
    if (auto Plan = buildPlan(R, *D.B)) {
      P->Plans.push_back(std::move(*Plan));
      PlanFiles.push_back(D.File);
    }
  for (size_t I = 0; I < P->Models.size(); ++I)
    if (IsInput(ModelFiles[I]))
      P->InputModels.push_back(&P->Models[I]);
  for (size_t I = 0; I < P->Plans.size(); ++I)
    if (IsInput(PlanFiles[I]))
      P->InputPlans.push_back(&P->Plans[I]);

  if (Diags.getNumErrors() != ErrorsBefore)
    return nullptr;
  return P;
}

/// Where the program's GPUs come from when that is not the catalog (a cost
/// profile's own table, or none with --catalog none), as " (...)"; empty
/// for the catalog.
static std::string gpuTableNote(const Program &P) {
  std::string DataDir = getDataDir() + "/";
  if (P.CatalogPath.empty())
    return " (no GPU catalog is loaded)";
  if (P.CatalogPath == dataPath("targets/gpus.arch"))
    return "";
  return " (the GPUs are those of " +
         (StringRef(P.CatalogPath).starts_with(DataDir) ? P.CatalogPath.substr(DataDir.size())
                                                         : P.CatalogPath) +
         " and the input)";
}

std::string ssc::unknownGpuMessage(const Program &P, StringRef Gpu, StringRef Where) {
  llvm::SmallVector<StringRef, 32> Names;
  for (const auto &X : P.Gpus)
    Names.push_back(X->Name);
  std::string Msg = "unknown GPU '" + Gpu.str() + "'" + Where.str() + gpuTableNote(P);
  std::string Hint = didYouMean(Gpu, Names);
  if (!Hint.empty())
    Msg += Hint;
  else if (!Names.empty())
    Msg += "; known GPUs: " + joinAlternatives(Names);
  return Msg;
}

bool ssc::resolveTarget(const Program &P, StringRef Name, Target &Out,
                        DiagnosticEngine &Diags, SMLoc Loc) {
  std::string Gpu;
  int64_t Count = 0;
  if (!splitTargetName(Name, Gpu, Count)) {
    Diags.error(Loc, "malformed target '" + Name +
                         "'; write a GPU name and a count, as in h100x16");
    return false;
  }
  if (Count > MaxCount) {
    Diags.error(Loc, "target '" + Name + "' has too many GPUs (the limit is " +
                         std::to_string(MaxCount) + ")");
    return false;
  }
  const GpuSpec *G = P.findGpu(Gpu);
  if (!G) {
    // "mi300x" style names end in 'x' without a count; try the whole name.
    G = P.findGpu(Name);
    if (G)
      Count = 1;
  }
  if (!G && !Gpu.empty()) {
    // ... and "mi300x8" is eight of them, as "mi300xx8" is: the 'x' read as
    // the separator belongs to the name when only the name with it exists.
    G = P.findGpu(Gpu + "x");
  }
  if (!G) {
    Diags.error(Loc, unknownGpuMessage(P, Gpu, " in target '" + Name.str() + "'"));
    return false;
  }
  Out.Gpu = G;
  Out.Count = Count;
  return true;
}

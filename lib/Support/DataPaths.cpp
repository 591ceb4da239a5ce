//===- DataPaths.cpp - Where ssc finds its data files ---------------------===//

#include "ssc/Support/DataPaths.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

#ifndef SSC_DEFAULT_DATA_DIR
#error "SSC_DEFAULT_DATA_DIR must be defined by the build"
#endif

std::string ssc::getDataDir() {
  if (const char *Env = std::getenv("SSC_DATA_DIR"); Env && *Env)
    return Env;
  return SSC_DEFAULT_DATA_DIR;
}

std::string ssc::dataPath(llvm::StringRef Rel) {
  llvm::SmallString<256> P(getDataDir());
  llvm::sys::path::append(P, Rel);
  return std::string(P);
}

std::vector<std::string> ssc::dataFileStems(llvm::StringRef RelDir, llvm::StringRef Ext) {
  std::vector<std::string> Out;
  std::error_code EC;
  for (llvm::sys::fs::directory_iterator It(dataPath(RelDir), EC), End; It != End && !EC;
       It.increment(EC))
    if (llvm::sys::path::extension(It->path()) == Ext)
      Out.push_back(llvm::sys::path::stem(It->path()).str());
  llvm::sort(Out);
  return Out;
}

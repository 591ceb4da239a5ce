//===- DataPaths.h - Where ssc finds its data files -------------*- C++ -*-===//
//
// GPUs (targets/), cost profiles (profiles/) and the model zoo (models/) are
// data files loaded at run time. They are looked up under the data directory:
// $SSC_DATA_DIR when set, else the source tree the binary was built from.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SUPPORT_DATAPATHS_H
#define SSC_SUPPORT_DATAPATHS_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace ssc {

/// The data directory (no trailing slash).
std::string getDataDir();

/// \p Rel resolved under the data directory.
std::string dataPath(llvm::StringRef Rel);

/// The names, without \p Ext, of the files ending in \p Ext in the data
/// directory's \p RelDir (e.g. the profiles, or one group of the zoo),
/// sorted; none when the directory cannot be read.
std::vector<std::string> dataFileStems(llvm::StringRef RelDir, llvm::StringRef Ext);

} // namespace ssc

#endif // SSC_SUPPORT_DATAPATHS_H

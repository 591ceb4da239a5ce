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

namespace ssc {

/// The data directory (no trailing slash).
std::string getDataDir();

/// \p Rel resolved under the data directory.
std::string dataPath(llvm::StringRef Rel);

} // namespace ssc

#endif // SSC_SUPPORT_DATAPATHS_H

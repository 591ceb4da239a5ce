//===- JSONLocator.h - Source locations inside JSON text --------*- C++ -*-===//
//
// llvm::json parses values but forgets where they were. Plans and imported
// configs come as JSON, and a bad value there deserves a file:line:col error
// like any other. JSONLocator scans the same text once and remembers where
// each member key and value starts, addressed by a dotted path
// ("decode.tp", "stages[2]").
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SUPPORT_JSONLOCATOR_H
#define SSC_SUPPORT_JSONLOCATOR_H

#include "ssc/Support/Diagnostics.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SMLoc.h"

#include <optional>

namespace ssc {

class JSONLocator {
public:
  /// \p Text must stay alive (it is normally a SourceMgr buffer).
  explicit JSONLocator(llvm::StringRef Text);

  /// Location of the value at \p Path, else of its nearest located parent,
  /// else the start of the text.
  llvm::SMLoc valueLoc(llvm::StringRef Path) const;
  /// Location of the key that names \p Path (the value's when absent).
  llvm::SMLoc keyLoc(llvm::StringRef Path) const;

private:
  llvm::StringRef Text;
  llvm::StringMap<const char *> Values;
  llvm::StringMap<const char *> Keys;
  void scan();
};

/// Parses buffer \p BufferID as JSON, reporting a syntax error at its
/// file:line:col.
std::optional<llvm::json::Value> parseJSONBuffer(unsigned BufferID,
                                                 DiagnosticEngine &Diags);

/// A JSON document that holds one object, with the locations of its values.
struct JSONObjectDocument {
  llvm::json::Value Root;
  JSONLocator Loc;
  const llvm::json::Object &object() const { return *Root.getAsObject(); }
};

/// Parses buffer \p BufferID (parseJSONBuffer) as a document that holds one
/// object; reports \p NotObject at its start when it holds another value.
std::optional<JSONObjectDocument> parseJSONObject(unsigned BufferID, DiagnosticEngine &Diags,
                                                  llvm::StringRef NotObject);

} // namespace ssc

#endif // SSC_SUPPORT_JSONLOCATOR_H

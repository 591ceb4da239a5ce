//===- ModelVariant.h - A model with swept hyperparameters ------*- C++ -*-===//
//
// Co-design sweeps change a model's hyperparameters the way the seed's
// notebooks do: the number of layers, routed experts, active experts and KV
// heads. A variant is a copy of the checked ModelSpec with those changed and
// the same checks Sema applies to them; a point whose variant breaks them is
// reported as an invalid model, not costed.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SWEEP_MODELVARIANT_H
#define SSC_SWEEP_MODELVARIANT_H

#include "ssc/Spec/Model.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace ssc::sweep {

/// Hyperparameters to change; 0 keeps the model's.
struct Hyperparameters {
  int64_t Layers = 0;  // main-stack layers: resizes the stack's last repetition
  int64_t Experts = 0; // routed experts of every MoE layer kind
  int64_t TopK = 0;    // experts each token is routed to
  int64_t KvHeads = 0; // KV heads of every non-MLA attention

  /// The keys, in this order: layers, experts, top_k, kv_heads (the sweep's
  /// column names and sweep-file keys; `ssc --set` takes them).
  static llvm::ArrayRef<llvm::StringRef> keys();
  /// The field \p Key names, or null.
  int64_t *field(llvm::StringRef Key);
  const int64_t *field(llvm::StringRef Key) const {
    return const_cast<Hyperparameters *>(this)->field(Key);
  }
  bool any() const { return Layers || Experts || TopK || KvHeads; }
  /// The changed ones as `ssc --set` takes them: "layers=16,experts=64".
  std::string str() const;
};

/// The largest value a hyperparameter takes (as a sweep axis).
inline constexpr int64_t MaxHyperparameter = int64_t(1) << 20;

/// Parses one "KEY=N" of `ssc --set` into \p H. Returns empty on success,
/// else the error, with \p Offset at the offending character of \p Text.
std::string parseHyperparameter(llvm::StringRef Text, Hyperparameters &H, size_t &Offset);

/// Why \p M cannot take the hyperparameter at all (no MoE layers for
/// experts, only MLA for kv-heads, a stack without a final repetition for
/// layers), or empty when it can. \p Which is "layers", "experts", "top_k"
/// or "kv_heads".
std::string inapplicable(const ModelSpec &M, llvm::StringRef Which);

/// Applies \p H to \p M. Returns empty on success, else why the variant is
/// not a valid model (in Sema's words).
std::string applyHyperparameters(ModelSpec &M, const Hyperparameters &H);

} // namespace ssc::sweep

#endif // SSC_SWEEP_MODELVARIANT_H

//===- LayerCompression.h - A layer sequence as a short pattern -*- C++ -*-===//
//
// Tools that produce a layer stack one layer at a time (the Hugging Face
// importer) hand the explicit sequence of layer kinds to compressLayers(),
// which writes it the way a person would: `32 x decoder`,
// `3 x dense, 58 x moe`, `62 of [5 x local, global]`.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_SPEC_LAYERCOMPRESSION_H
#define SSC_SPEC_LAYERCOMPRESSION_H

#include "ssc/Spec/Model.h"

#include "llvm/ADT/ArrayRef.h"

namespace ssc {

/// The shortest pattern (fewest layer names written) that expands to exactly
/// \p Layers: runs (`3 x dense`) and cycles (`N of [...]`, which may stop
/// part-way through their period) in sequence. Among patterns of equal length
/// the one with fewer pieces wins, then the one whose cycles end on whole
/// periods. Stacks of up to 1024 layers get the optimum; longer ones end
/// runs and cycles only where they stop matching, and their cycles have
/// periods of at most 256 layers. Source locations are left invalid.
StackPattern compressLayers(llvm::ArrayRef<unsigned> Layers);

} // namespace ssc

#endif // SSC_SPEC_LAYERCOMPRESSION_H

//===- PlanDefaults.h - A sensible plan when none is given ------*- C++ -*-===//

#ifndef SSC_SPEC_PLANDEFAULTS_H
#define SSC_SPEC_PLANDEFAULTS_H

#include "ssc/Spec/Gpu.h"
#include "ssc/Spec/Model.h"
#include "ssc/Spec/Plan.h"

namespace ssc {

/// The model's weights in bytes, split by how a plan spreads them.
struct WeightFootprint {
  double ExpertBytes = 0; // routed experts: spread by ep
  double OtherBytes = 0;  // everything else: spread by tp (and pp)
};

/// The plan ssc uses when the user gives none, for both phases:
///  - tensor parallelism as wide as the scale-up domain allows (dividing the
///    GPU count, the heads and the MLP widths);
///  - MoE models put their experts over the widest group of whole TP
///    groups inside one scale-up domain that divides the GPUs and the
///    experts (attention data-parallel replicas sharing one expert set, as
///    DeepSeek and SGLang deploy), else on the TP ranks (ep = tp); over every
///    GPU, across scale-up domains, only when one replica's weights would
///    not fit otherwise (its dispatch and combine then cross the scale-out
///    links), so that adding whole domains of GPUs adds replicas;
///  - the remaining GPUs become data-parallel replicas, or pipeline stages
///    where the weights of one replica would not fit in 85% of a GPU's
///    memory (as given by \p W; zero bytes disables the check).
/// The plan is named "default".
PlanSpec defaultPlan(const ModelSpec &M, const Target &T,
                     const WeightFootprint &W = {});

} // namespace ssc

#endif // SSC_SPEC_PLANDEFAULTS_H

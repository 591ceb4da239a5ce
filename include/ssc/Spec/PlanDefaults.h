//===- PlanDefaults.h - A sensible plan when none is given ------*- C++ -*-===//

#ifndef SSC_SPEC_PLANDEFAULTS_H
#define SSC_SPEC_PLANDEFAULTS_H

#include "ssc/Spec/Gpu.h"
#include "ssc/Spec/Model.h"
#include "ssc/Spec/Plan.h"

namespace ssc {

/// The plan ssc uses when the user gives none, for both phases: tensor
/// parallelism as wide as the scale-up domain allows (dividing the GPU count,
/// the heads and the MLP widths), data parallelism over the rest; MoE models
/// put experts on the TP ranks (ep = tp) when the experts divide. The plan is
/// named "default".
PlanSpec defaultPlan(const ModelSpec &M, const Target &T);

} // namespace ssc

#endif // SSC_SPEC_PLANDEFAULTS_H

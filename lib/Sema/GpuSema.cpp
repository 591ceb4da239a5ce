//===- GpuSema.cpp - gpu blocks to GpuSpec --------------------------------===//
//
//   gpu h100 {
//     vendor = "NVIDIA";
//     tflops bf16=989 fp8=1979 source="...";
//     memory gb=80 gbps=3350 source="...";
//     compute sms=132 comm_sms=20;
//     scale_up gpus=8 gbps=450 latency_us=2;
//     scale_out gbps=50 latency_us=5;
//   }
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "llvm/ADT/StringSet.h"

using namespace ssc;
using namespace ssc::sema;
using namespace ssc::ast;
using llvm::StringRef;

namespace {
struct FieldDesc {
  StringRef Name;
  double GpuSpec::*Double = nullptr;
  int64_t GpuSpec::*Int = nullptr;
  double Min = 0, Max = 1e9;
};
} // namespace

static void setSource(GpuSpec &G, StringRef Clause, std::string Text) {
  for (auto &S : G.Sources)
    if (S.first == Clause) {
      S.second = std::move(Text);
      return;
    }
  G.Sources.emplace_back(Clause.str(), std::move(Text));
}

bool ssc::sema::buildGpu(Reader &R, const Block &B, GpuSpec &G) {
  unsigned ErrorsBefore = R.diags().getNumErrors();
  G.Name = B.getName().str();
  G.Loc = B.getNameLoc();

  static const StringRef Props[] = {"vendor", "description", "aliases"};
  static const StringRef Clauses[] = {"tflops", "memory", "compute", "scale_up",
                                      "scale_out"};
  llvm::StringSet<> SeenProps, SeenClauses;
  for (const NodePtr &N : B.getBody()) {
    if (const auto *P = llvm::dyn_cast<PropertyStmt>(N.get())) {
      if (!SeenProps.insert(P->getName()).second) {
        R.error(P->getLoc(), "'" + P->getName() + "' is given twice");
        continue;
      }
      if (P->getName() == "vendor") {
        G.Vendor = R.getString(P->getValue(), "vendor").value_or("");
      } else if (P->getName() == "description") {
        G.Description = R.getString(P->getValue(), "description").value_or("");
      } else if (P->getName() == "aliases") {
        G.Aliases.clear();
        const Value &V = P->getValue();
        if (const auto *L = llvm::dyn_cast<ListValue>(&V)) {
          for (const ValuePtr &E : L->getElements())
            if (auto S = R.getString(*E, "aliases"))
              G.Aliases.push_back(*S);
        } else if (auto S = R.getString(V, "aliases")) {
          G.Aliases.push_back(*S);
        }
      } else {
        R.unknown(P->getLoc(), "gpu property", P->getName(), Props);
      }
      continue;
    }
    const auto *C = llvm::dyn_cast<ClauseStmt>(N.get());
    if (!C)
      continue;
    StringRef H = C->getHead();
    if (!llvm::is_contained(Clauses, H)) {
      R.unknown(C->getLoc(), "gpu clause", H, Clauses);
      continue;
    }
    if (!SeenClauses.insert(H).second) {
      R.error(C->getLoc(), "'" + H + "' is given twice");
      continue;
    }
    if (C->hasArgs()) {
      StringRef Example = H == "tflops"     ? "tflops bf16=989"
                          : H == "memory"   ? "memory gb=80 gbps=3350"
                          : H == "compute"  ? "compute sms=132"
                          : H == "scale_up" ? "scale_up gpus=8 gbps=450"
                                            : "scale_out gbps=50";
      R.error(C->getLoc(), "'" + H + "' takes no arguments; write its numbers "
                                     "as terms, as in '" + Example + "'");
      continue;
    }

    llvm::SmallVector<FieldDesc, 8> Fields;
    if (H == "tflops") {
      // Per-dtype peaks are handled below.
    } else if (H == "memory") {
      Fields = {{"gb", &GpuSpec::MemoryGB, nullptr, 1e-3, 1e7},
                {"gbps", &GpuSpec::HbmGBps, nullptr, 1e-3, 1e8}};
    } else if (H == "compute") {
      Fields = {{"sms", nullptr, &GpuSpec::Sms, 1, 1e6},
                {"comm_sms", nullptr, &GpuSpec::CommSms, 0, 1e6}};
    } else if (H == "scale_up") {
      Fields = {{"gpus", nullptr, &GpuSpec::ScaleUpGpus, 1, 1e6},
                {"gbps", &GpuSpec::ScaleUpGBps, nullptr, 0, 1e8},
                {"latency_us", &GpuSpec::ScaleUpLatencyUs, nullptr, 0, 1e9}};
    } else {
      Fields = {{"gbps", &GpuSpec::ScaleOutGBps, nullptr, 0, 1e8},
                {"latency_us", &GpuSpec::ScaleOutLatencyUs, nullptr, 0, 1e9}};
    }

    llvm::StringSet<> Seen;
    for (const Term &T : C->getTerms()) {
      if (!Seen.insert(T.Name).second) {
        R.error(T.Loc, "'" + T.Name + "' is given twice in this clause");
        continue;
      }
      if (T.Name == "source") {
        if (const Value *V = termValue(R, T, "source=\"datasheet\""))
          if (auto S = R.getString(*V, "source"))
            setSource(G, H, *S);
        continue;
      }
      if (H == "tflops") {
        std::optional<DType> D = parseDType(T.Name);
        if (!D || T.Name != dtypeName(*D)) {
          static const StringRef Names[] = {"fp32", "tf32", "bf16", "fp16",
                                            "fp8",  "fp4",  "int8", "int4",
                                            "source"};
          R.unknown(T.Loc, "tflops term", T.Name, Names);
          continue;
        }
        if (const Value *V = termValue(R, T, T.Name + "=989"))
          if (auto X = R.getNumber(*V, T.Name, 0, 1e7))
            G.Tflops[static_cast<unsigned>(*D)] = *X;
        continue;
      }
      const FieldDesc *F = nullptr;
      for (const FieldDesc &D : Fields)
        if (D.Name == T.Name)
          F = &D;
      if (!F) {
        llvm::SmallVector<StringRef, 4> Names;
        for (const FieldDesc &D : Fields)
          Names.push_back(D.Name);
        Names.push_back("source");
        R.unknown(T.Loc, "'" + H.str() + "' term", T.Name, Names);
        continue;
      }
      const Value *V = termValue(R, T, T.Name + "=1");
      if (!V)
        continue;
      if (F->Int) {
        if (auto X = R.getInt(*V, T.Name, static_cast<int64_t>(F->Min),
                              static_cast<int64_t>(F->Max)))
          G.*(F->Int) = *X;
      } else if (auto X = R.getNumber(*V, T.Name, F->Min, F->Max)) {
        G.*(F->Double) = *X;
      }
    }
  }
  if (G.CommSms > 0 && G.Sms > 0 && G.CommSms >= G.Sms)
    R.error(G.Loc, "gpu '" + G.Name + "' reserves all its SMs for communication");
  return R.diags().getNumErrors() == ErrorsBefore;
}

bool ssc::sema::checkGpuComplete(Reader &R, const GpuSpec &G) {
  bool Ok = true;
  auto Need = [&](bool Have, StringRef What) {
    if (!Have) {
      R.error(G.Loc, "gpu '" + G.Name + "' needs " + What);
      Ok = false;
    }
  };
  Need(G.MemoryGB > 0 && G.HbmGBps > 0, "'memory gb=... gbps=...'");
  bool AnyTflops = false;
  for (double T : G.Tflops)
    AnyTflops |= T > 0;
  Need(AnyTflops, "a peak rate, as in 'tflops bf16=989'");
  return Ok;
}

//===- Profile.h - Cost profiles ---------------------------------*- C++ -*-===//
//
// A cost profile is data (profiles/<name>.json, docs/cost-model.md): how
// kernels and collectives turn into time on a GPU, how phases overlap work
// and how memory is accounted. Rules match ops by kernel kind, layer block,
// role, phase, layer kind and GPU; later rules refine earlier ones. The
// `default` profile is ssc's own model, calibrated on measured kernels; the
// `shallowsim` profile states the seed tool's assumptions so that its tables
// come out of the same pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_COST_PROFILE_H
#define SSC_COST_PROFILE_H

#include "ssc/IR/IR.h"
#include "ssc/Support/Diagnostics.h"

#include "llvm/ADT/StringMap.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ssc::cost {

/// The part of a layer (or of the model) an op belongs to.
enum class Block : uint8_t {
  Embed,
  Attention,
  Mlp,
  Router,
  Experts,
  SharedExperts,
  Head,
  Other
};
constexpr unsigned NumBlocks = 8;
llvm::StringRef blockName(Block B);
std::optional<Block> parseBlock(llvm::StringRef S);
/// Which block \p O belongs to.
Block blockOf(const ir::Op &O);

/// y = f(x) from points: linear interpolation (clamped at the ends), or a
/// step table looked up at the next power of two strictly above int(x)
/// (shallowsim's grouped-GEMM table).
struct Curve {
  enum class Lookup { Interpolate, NextPow2Above, LogInterpolate };
  Lookup Mode = Lookup::Interpolate;
  std::vector<std::pair<double, double>> Points;
  double eval(double X) const;
  /// eval(X) for an efficiency over a quantity the work grows in proportion
  /// to (a GEMM's rows or inner dimension), held so that the time it implies,
  /// X / efficiency, never falls as X grows: at most X divided by the largest
  /// time any point at or below X implies. Between two calibration points an
  /// efficiency that grows about as fast as X (a tile the rows fill, where
  /// the time stays flat) interpolates to a dip in the time otherwise: a
  /// kernel given more rows would finish sooner than with fewer, which no
  /// kernel does (it could pad them). Step tables (NextPow2Above) are read
  /// as they are: they reproduce a published table, steps included.
  double evalNonDecreasingTime(double X) const;
  bool empty() const { return Points.empty(); }
};

/// The rate a kernel's FLOPs run at.
enum class RateSource : uint8_t {
  Operands, // the weights' dtype for GEMMs, the attention dtype for
            // attention, activations otherwise; falls back to a wider
            // supported format
  FP16,
  BF16,
  FP8,
  FP4,
  Fastest, // the fastest of fp4 and fp8 the GPU has (shallowsim's "GEMM rate")
};

/// What a kernel's memory time counts.
enum class Traffic : uint8_t { All, Weights, KvCache, None };

/// Shape quantity an efficiency curve is indexed by.
enum class EffKey : uint8_t {
  M,              // rows of a GEMM (tokens); tokens per group for grouped GEMMs
  K,              // inner dimension
  LayerMPerGroup, // the layer's routed tokens per expert (shallowsim shares
                  // it between routed and shared experts)
  Keys,           // keys attended per sequence (attention)
  Queries,        // new tokens per sequence (attention)
};

struct Match {
  std::vector<ir::OpKind> Kinds;
  std::vector<Block> Blocks;
  std::vector<ir::Role> Roles;
  std::vector<ir::Group> Groups;
  std::optional<Phase> P;
  std::optional<bool> MoeLayer;   // the op's layer has a MoE
  std::optional<bool> GpuHasFp4;
  /// The module's MoE layers send tokens to other GPUs' experts (an
  /// all-to-all dispatch over more than one GPU: DeepEP under wide expert
  /// parallelism), rather than keeping them (no EP, or EP inside the TP
  /// group).
  std::optional<bool> EpDispatch;
  std::optional<ir::Link> L;
  std::vector<std::string> Gpus;  // GPU names or aliases
  std::vector<int64_t> ScaleUpGpus; // size of the GPU's scale-up domain
  /// The dtype of the op's operands: the weights' for (grouped) GEMMs and
  /// gathers, the activations' (attention: the attention dtype) otherwise.
  std::vector<DType> DTypes;
};

/// Changes to how a kernel is costed. Unset fields keep what earlier rules
/// (or the defaults) said.
struct KernelRule {
  Match When;
  std::optional<RateSource> Rate;
  std::optional<double> Efficiency;
  std::optional<Curve> EfficiencyCurve;
  std::optional<EffKey> Key;
  std::optional<double> MemoryEfficiency;
  std::optional<Traffic> Memory;
  std::optional<double> WeightScale; // scales weight bytes read
  std::optional<double> FlopsScale;
  std::optional<bool> SumTimes; // compute + memory instead of max
  std::optional<double> OverheadUs;
  std::optional<bool> Free;
  /// Work replicated over devices (norms under TP) costs 1/redundancy.
  std::optional<bool> DivideReplicated;
  /// Attention counts every query-key pair, ignoring the causal mask.
  std::optional<bool> FullPairs;
  /// A grouped GEMM reads the weights of every group, also those no row was
  /// routed to (shallowsim's equation); by default it reads the groups that
  /// get rows (ir::activeGroupShare).
  std::optional<bool> ReadIdleGroups;
  /// Under two-batch overlap whose collectives take SMs (DeepEP's normal
  /// kernels), the kernel runs on the SMs they leave for all of its time:
  /// the framework sizes its grid so (SGLang sets DeepGEMM's num_sms to the
  /// GPU's SMs less DeepEP's in two-batch prefill).
  std::optional<bool> LeavesCommSms;
  /// Time divided by the profile parameter of this name (what-if scaling).
  std::optional<std::string> DivideByParam;
  /// When the named parameter exceeds 1, add an all-reduce of the op's output
  /// over that many GPUs (costed by the all_reduce comm rules).
  std::optional<std::string> AllReduceParam;
};

struct CommRule {
  Match When;
  /// Traffic factor of the algorithm: `ring` ((n-1)/n, 2(n-1)/n for
  /// all-reduce), `direct` (1).
  std::optional<bool> Ring;
  std::optional<double> BandwidthEfficiency;
  /// The efficiency as a curve over the collective's message: the bytes each
  /// GPU contributes (nccl-tests' "size"). Setting one form clears the other.
  std::optional<Curve> BandwidthEfficiencyCurve;
  std::optional<double> LatencyUs; // per operation
  std::optional<double> BytesScale;
  std::optional<bool> Free;
  /// All-to-all payload that actually moves:
  ///   all             every (token, expert) pair (default)
  ///   peers           the share bound for other GPUs, (n-1)/n
  ///   domain_experts  pairs whose expert is off this GPU when experts fill
  ///                   a scale-up domain: 1 - ceil(E / domain) / E
  ///   group_dedup     group-limited routing sends each token once to each
  ///                   remote group: (group_top - 1) / top_k of the pairs
  ///   domain_dedup    hierarchical all-to-all (DeepEP normal): each token
  ///                   crosses once to each remote scale-up domain its
  ///                   experts touch (remoteDomainsPerToken)
  ///   gpu_dedup       DeepEP's normal kernels inside a domain: each token
  ///                   once to each other GPU holding one of its experts
  ///                   (remoteDomainsPerToken with one GPU per domain)
  enum class Remote { All, Peers, DomainExperts, GroupDedup, DomainDedup, GpuDedup };
  std::optional<Remote> Payload;
  /// Force the link a collective is costed on.
  std::optional<ir::Link> ForceLink;
  /// The collective's kernels occupy the GPU's `comm_sms` (catalog) while
  /// they run (DeepEP's normal kernels, NCCL): compute that two-batch
  /// overlap runs beside it gets the other SMs.
  std::optional<bool> TakesSms;
};

/// Two-micro-batch overlap (plan `overlap = tbo`): blocks run once per
/// micro-batch at half the tokens, and each hide group's communication
/// hides behind the named compute blocks of the other micro-batch.
struct TwoBatchSpec {
  std::vector<Block> SplitBlocks;
  struct Hide {
    std::vector<ir::Role> Comm;
    std::vector<Block> Behind;
    /// The part of each `Behind` block's time this group's collectives run
    /// beside: a schedule that pairs each collective with one stage of the
    /// other micro-batch (DeepSeek's prefill: dispatch beside one half of
    /// the compute, combine beside the other) gives each group a share of
    /// the blocks. The shares of one block sum to at most 1.
    double Share = 1.0;
  };
  std::vector<Hide> Hides;
};

struct MemorySpec {
  double UsableFraction = 0.9; // of HBM capacity
  double ReservedGB = 0;       // runtime, CUDA graphs, fragmentation
  double BytesPerGB = 1e9;     // the unit of the catalog's memory
  double WeightBytesScale = 1; // shallowsim counts 1e6 params as a MiB
  /// Activation workspace per token in flight, in units of hidden size
  /// (the default profile's estimate; 0 to ignore).
  double ActivationHiddenPerToken = 0;
  /// Tokens whose activations are live at once (0: the whole batch):
  /// frameworks run a long prefill in chunks of about this many tokens
  /// (SGLang's chunked_prefill_size, vLLM's max_num_batched_tokens).
  double MaxTokensInFlight = 0;
  /// Tokens the KV cache must hold per sequence: isl + osl (default) or the
  /// decode context only.
  bool KvForFullSequence = true;
  /// Whether a chunked-attention layer (Llama 4's local layers) keeps the KV
  /// of every token of the sequence (`chunked_kv: sequence`; TensorRT-LLM
  /// 1.0 applies the chunk as a mask in its attention kernel and its KV
  /// cache manager holds the whole sequence) or only its current chunk
  /// (`chunk`, the default; vLLM's and SGLang's hybrid KV caches free the
  /// chunks behind). The attention reads one chunk either way.
  bool ChunkedKvWholeSequence = false;
  /// Count only the weights of these blocks (empty: all); the rest is
  /// assumed to be part of ReservedGB.
  std::vector<Block> CountBlocks;
  /// What-if scalings by profile parameter (shallowsim's decode TP):
  /// attention weights divided by it, KV multiplied by it.
  std::string AttentionWeightsDivisorParam;
  std::string KvMultiplierParam;
};

/// The serving framework's scheduler, for the offline mode.
struct ServingSpec {
  /// Most sequences one replica keeps in flight (0: memory alone decides).
  double MaxBatch = 0;
  /// Most tokens (decoded plus prefilled) in one step (0: no limit).
  double MaxTokensPerStep = 0;
  /// The busiest GPU's routed load over the mean that expert load
  /// balancing (EPLB) leaves in a wide expert-parallel deployment (attention
  /// data parallel, experts over the same GPUs); 1: perfectly balanced.
  /// `ssc validate` applies it to such rows unless they state their own.
  double EplbExpertImbalance = 1;
};

/// How far predictions under this profile are trusted (Report/Uncertainty.h):
/// bands per regime from validation residuals, and what the kernel
/// calibration covers.
struct UncertaintySpec {
  std::map<std::string, double> Bands; // regime -> +- percent
  double DefaultPct = 0;               // regimes without validation rows
  /// A query outside the calibration (below) gets its class's band times
  /// this; scripts/calibrate/fit-uncertainty.py divides such rows' errors by
  /// the factor ssc validate reports for each row.
  double OutsideFactor = 2;
  std::vector<std::string> Gpus;       // GPUs with kernel measurements
  std::vector<DType> DTypes;           // GEMM dtypes measured
  std::vector<DType> AttnDTypes;       // attention dtypes measured
  int64_t MinK = 0, MaxK = 0;          // GEMM inner dimensions measured
  /// Grouped (expert) GEMMs' output and inner dimensions measured (0: no
  /// range stated).
  int64_t GroupedMinN = 0, GroupedMaxN = 0, GroupedMinK = 0, GroupedMaxK = 0;
  double MaxM = 0;                     // largest GEMM M measured
  std::vector<int64_t> HeadDims;       // attention head dims measured
};

struct Profile {
  std::string Name;
  std::string Description;
  std::string GpuTable; // GPUs to use instead of the catalog's (data path)
  double Discount = 1.0; // multiplies every GPU rate
  /// FLOP rates in serving as a fraction of the rates the kernel
  /// calibration measured: the tensor clock a GPU sustains under a serving
  /// load over the clock of the calibration's short bursts.
  double SustainedClock = 1.0;
  std::vector<Phase> CommSmPhases; // FLOP rates exclude comm SMs in these
  double LaunchUs = 0;             // added to every kernel
  double WeightBytesPerMs = 1e6;   // bytes per (GB/s x ms) for weights/acts
  double KvBytesPerMs = 1e6;       // the same for the KV cache
  double CommBytesPerMs = 1e6;     // the same for collectives
  double CommOverlap = 0;          // overlap = comm: fraction of comm hidden
  std::vector<KernelRule> Kernels;
  std::vector<CommRule> Comms;
  TwoBatchSpec TwoBatch[2]; // by Phase
  MemorySpec Memory;
  ServingSpec Serving;
  UncertaintySpec Uncertainty;
  llvm::StringMap<double> Params;
  std::vector<std::pair<std::string, std::string>> Sources;

  double param(llvm::StringRef Name, double Default) const {
    auto It = Params.find(Name);
    return It == Params.end() ? Default : It->second;
  }
  /// The names `params` declares, sorted: what rules, --profile-set and a
  /// sweep's params may name.
  std::vector<llvm::StringRef> paramNames() const;
  /// What an error about the undeclared parameter \p Name appends: a close
  /// name ("; did you mean 'x'?"), else the declared ones, else that there
  /// are none. --profile-set, a rule's *_param key and a sweep's params say
  /// the same.
  std::string undeclaredParamHint(llvm::StringRef Name) const;

  /// The range of a parameter's value. Rules use parameters as divisors,
  /// multipliers and participant counts (a TP degree, say), so zero, a
  /// negative value or one past any GPU count would turn into nonsense
  /// numbers rather than an error.
  static constexpr double MinParam = 1e-6, MaxParam = 1048576;
  /// "must be between ..., not V" when \p V is out of that range, else
  /// empty: `params`, --profile-set and a sweep's params say the same.
  static std::string paramRangeError(double V);
};

/// Loads `profiles/<Name>.json` from the data directory, or a path ending in
/// .json. Reports located errors.
std::optional<Profile> loadProfile(llvm::StringRef NameOrPath, DiagnosticEngine &Diags);

/// The profile names under profiles/.
std::vector<std::string> availableProfiles();

} // namespace ssc::cost

#endif // SSC_COST_PROFILE_H

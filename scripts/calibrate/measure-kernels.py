#!/usr/bin/env python3
"""Measures kernel times on the local GPU through PyTorch, for ssc's cost profiles.

Usage: measure-kernels.py OUT_DIR [--budget-s SECONDS]

Writes OUT_DIR/kernels.csv (one row per measurement) and OUT_DIR/env.json
(GPU, clocks, library versions). What is measured:

  peak        8192^3 GEMM in bf16 and fp8, and a large device-to-device copy:
              the two ceilings every other row is compared against.
  gemm        y[M,N] = x[M,K] @ W[K,N] for the projection shapes of zoo models
              (Llama-3 8B/70B, DeepSeek-V3), M from 1 to 16384, bf16
              (torch.matmul, cuBLAS) and fp8 e4m3 with per-tensor scales
              (torch._scaled_mm, cuBLASLt), bf16 output.
  grouped     G experts with the same token count m each: torch._grouped_mm
              where this PyTorch has it, torch.bmm otherwise (the row says
              which), bf16.
  prefill     causal attention forward, bf16, torch SDPA with the flash and
              the cuDNN backends, GQA and MHA, head_dim 64/128.
  mla_prefill DeepSeek-V3's prefill attention (MLA decompressed: 128 heads,
              192-wide query/key heads, 128-wide value heads), causal,
              bf16, torch SDPA with the cuDNN, memory-efficient and flash
              backends (a backend without unequal head sizes is an error
              row), 8192 and 16384 tokens per call.
  decode      one query token per sequence against a KV cache of length L
              (contiguous, not paged), bf16, GQA folded into the query length
              as decode kernels do.
  grouped fp8 the first grouped shapes again in fp8 e4m3 with row-wise scales
              (torch._scaled_grouped_mm).
  elementwise RMSNorm (F.rms_norm) and a residual add over T tokens.
  act_quant   per-token-group fp8 quantization of bf16 activations (groups
              of 128, one fp32 scale each: what precedes a block-scaled fp8
              GEMM), fused by torch.compile where it can, eager otherwise
              (the row says which).
  overlap     an fp8 GEMM (8192 tokens, compute-bound; 64 tokens, streaming
              its weights) alone and beside a 256 MiB copy on another stream
              (cudaMemcpyAsync, and an elementwise add on the SMs), each
              stream timed on its own events: how much a collective's memory
              traffic slows the compute two-batch overlap runs beside it.

--only SECTIONS (comma-separated names above) runs just those sections,
for a short device slot.

Timing: each kernel is captured in a CUDA graph of R calls that rotates over
enough weight/input copies to exceed the L2 cache, replayed after warm-up; the
median of several replays divided by R is the time per call. Inputs are
random (never zeros). Every measurement runs inside try/except: a failure is a
row with status=error and the message, never a silent gap.
"""

import argparse
import contextlib
import csv
import json
import math
import os
import platform
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

L2_ROTATE_BYTES = 512 << 20  # rotate over >= 512 MiB so the 50-60 MB L2 never holds a working set
START = time.time()

FIELDS = [
    "section", "kernel", "impl", "dtype", "model", "role",
    "m", "n", "k", "groups", "batch", "heads", "kv_heads", "head_dim",
    "q_len", "kv_len", "causal",
    "time_us", "flops", "bytes", "tflops", "gb_per_s", "status", "note",
]


class Writer:
    def __init__(self, path):
        self.f = open(path, "w", newline="")
        self.w = csv.DictWriter(self.f, fieldnames=FIELDS)
        self.w.writeheader()
        self.rows = 0

    def row(self, **kw):
        r = {k: "" for k in FIELDS}
        r.update(kw)
        t = kw.get("time_us")
        if isinstance(t, float) and t > 0:
            if kw.get("flops"):
                r["tflops"] = f"{kw['flops'] / t / 1e6:.2f}"
            if kw.get("bytes"):
                r["gb_per_s"] = f"{kw['bytes'] / t / 1e3:.1f}"
            r["time_us"] = f"{t:.3f}"
        self.w.writerow(r)
        self.f.flush()
        self.rows += 1
        brief = {k: r[k] for k in ("section", "kernel", "impl", "dtype", "m", "n", "k", "groups",
                                   "batch", "q_len", "kv_len", "time_us", "tflops", "gb_per_s",
                                   "status") if r[k] != ""}
        print(json.dumps(brief), flush=True)


def elapsed():
    return time.time() - START


def time_graph(fn_list, warmup_replays=1, replays=5):
    """Captures every callable in fn_list once, in order, in one CUDA graph and
    returns the median microseconds per callable over `replays` replays."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for fn in fn_list[:3]:  # warm up outside the graph (cuBLAS handles, autotuning)
            fn()
    torch.cuda.current_stream().wait_stream(s)
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for fn in fn_list:
            fn()
    for _ in range(warmup_replays):
        g.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(replays):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        g.replay()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b) * 1000.0 / len(fn_list))
    del g
    times.sort()
    return times[len(times) // 2]


def estimate_us(fn):
    """One rough eager timing, used only to choose how many calls to capture."""
    fn()
    torch.cuda.synchronize()
    a = torch.cuda.Event(enable_timing=True)
    b = torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(3):
        fn()
    b.record()
    b.synchronize()
    return max(a.elapsed_time(b) * 1000.0 / 3, 1.0)


def reps_for(est_us, lo=4, hi=200, target_us=10000.0):
    return int(min(hi, max(lo, target_us / est_us)))


def rnd(shape, dtype):
    t = torch.randn(shape, device="cuda", dtype=torch.bfloat16)
    return t.to(dtype) if dtype != torch.bfloat16 else t


# --------------------------------------------------------------------------
# GEMM shapes: (model, role, K, N). Weights K x N as ssc lists them.
GEMM_SHAPES = [
    ("llama-3-8b", "qkv", 4096, 6144),
    ("llama-3-8b", "o", 4096, 4096),
    ("llama-3-8b", "gate_up", 4096, 28672),
    ("llama-3-8b", "down", 14336, 4096),
    ("llama-3-70b", "qkv", 8192, 10240),
    ("llama-3-70b", "o", 8192, 8192),
    ("llama-3-70b", "gate_up", 8192, 57344),
    ("llama-3-70b", "down", 28672, 8192),
    ("deepseek-v3", "q_a+kv_a", 7168, 2112),
    ("deepseek-v3", "q_b", 1536, 24576),
    ("deepseek-v3", "kv_b", 512, 32768),
    ("deepseek-v3", "o", 16384, 7168),
    ("deepseek-v3", "dense_gate_up", 7168, 36864),
    ("deepseek-v3", "dense_down", 18432, 7168),
    ("deepseek-v3", "expert_gate_up", 7168, 4096),
    ("deepseek-v3", "expert_down", 2048, 7168),
]
GEMM_M = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]


def gemm_fn_factory(dtype_name, M, K, N, copies):
    """Returns a list of callables, one per weight copy, computing x @ W."""
    fns = []
    if dtype_name == "bf16":
        xs = [rnd((M, K), torch.bfloat16) for _ in range(min(copies, 4))]
        ws = [rnd((K, N), torch.bfloat16) for _ in range(copies)]
        outs = [torch.empty((M, N), device="cuda", dtype=torch.bfloat16) for _ in range(2)]
        for i, w in enumerate(ws):
            x = xs[i % len(xs)]
            o = outs[i % 2]
            fns.append(lambda x=x, w=w, o=o: torch.matmul(x, w, out=o))
        return fns, (xs, ws, outs)
    # fp8 e4m3: A row-major [M,K], B column-major [K,N] (stored as [N,K] and transposed).
    f8 = torch.float8_e4m3fn
    xs = [rnd((M, K), f8) for _ in range(min(copies, 4))]
    ws = [rnd((N, K), f8) for _ in range(copies)]
    one = torch.ones((), device="cuda", dtype=torch.float32)
    for i, w in enumerate(ws):
        x = xs[i % len(xs)]
        fns.append(lambda x=x, w=w: torch._scaled_mm(x, w.t(), scale_a=one, scale_b=one,
                                                      out_dtype=torch.bfloat16))
    return fns, (xs, ws, one)


def measure_gemm(out, dtype_name, model, role, M, K, N, section="gemm"):
    elt = 2 if dtype_name == "bf16" else 1
    wbytes = K * N * elt
    copies = max(1, min(64, math.ceil(L2_ROTATE_BYTES / max(wbytes, 1))))
    flops = 2.0 * M * N * K
    nbytes = (M * K + K * N) * elt + M * N * 2
    base = dict(section=section, kernel="gemm", dtype=dtype_name, model=model, role=role,
                m=M, n=N, k=K, flops=flops, bytes=nbytes)
    impl = "torch.matmul" if dtype_name == "bf16" else "torch._scaled_mm"
    try:
        fns, keep = gemm_fn_factory(dtype_name, M, K, N, copies)
        est = estimate_us(fns[0])
        reps = reps_for(est)
        seq = [fns[i % len(fns)] for i in range(max(reps, len(fns)))]
        t = time_graph(seq)
        out.row(**base, impl=impl, time_us=t, status="ok",
                note=f"{len(fns)} weight copies rotated")
        del keep, fns, seq
    except Exception as e:  # noqa: BLE001 - every failure becomes a row
        out.row(**base, impl=impl, status="error", note=str(e).splitlines()[0][:200])
        if dtype_name == "fp8" and M < 16 and section == "gemm":
            # cuBLASLt wants M % 16 == 0 for fp8 on some versions: frameworks pad.
            try:
                fns, keep = gemm_fn_factory(dtype_name, 16, K, N, copies)
                est = estimate_us(fns[0])
                t = time_graph([fns[i % len(fns)] for i in range(max(reps_for(est), len(fns)))])
                out.row(**base, impl=impl + " (M padded to 16)", time_us=t, status="ok",
                        note=f"{len(fns)} weight copies rotated")
                del keep, fns
            except Exception as e2:  # noqa: BLE001
                out.row(**base, impl=impl + " (M padded to 16)", status="error",
                        note=str(e2).splitlines()[0][:200])
    torch.cuda.empty_cache()


def measure_copy(out):
    n = 1 << 30  # 2 GiB of bf16
    a = rnd((n,), torch.bfloat16)
    b = torch.empty_like(a)
    t = time_graph([lambda: b.copy_(a)] * 5)
    out.row(section="peak", kernel="copy", impl="tensor.copy_", dtype="bf16", m=n,
            time_us=t, bytes=4.0 * n, status="ok", note="bytes = read + write")
    del a, b
    torch.cuda.empty_cache()


ELEMENTWISE_T = [1, 16, 128, 1024, 4096, 16384]


def measure_elementwise(out, D):
    """RMSNorm and a residual add over T tokens of width D: the memory-bound
    kernels between the GEMMs."""
    for T in ELEMENTWISE_T:
        for name in ("rms_norm", "add"):
            nbytes = (2.0 if name == "rms_norm" else 3.0) * T * D * 2
            base = dict(section="elementwise", kernel="norm" if name == "rms_norm" else "elementwise",
                        impl=f"torch.{name}", dtype="bf16", m=T, n=D, bytes=nbytes)
            try:
                copies = max(1, min(16, math.ceil(L2_ROTATE_BYTES / (T * D * 2))))
                xs = [rnd((T, D), torch.bfloat16) for _ in range(copies)]
                w = rnd((D,), torch.bfloat16)
                y = rnd((T, D), torch.bfloat16)
                if name == "rms_norm":
                    fns = [lambda x=x: F.rms_norm(x, (D,), w, 1e-6) for x in xs]
                else:
                    fns = [lambda x=x: torch.add(x, y) for x in xs]
                est = estimate_us(fns[0])
                t = time_graph([fns[i % len(fns)] for i in range(max(reps_for(est), len(fns)))])
                out.row(**base, time_us=t, status="ok", note=f"{copies} input copies rotated")
                del xs, fns
            except Exception as e:  # noqa: BLE001
                out.row(**base, status="error", note=str(e).splitlines()[0][:200])
            torch.cuda.empty_cache()


# --------------------------------------------------------------------------
GROUPED = [
    # model, role, groups, K, N
    ("deepseek-v3", "expert_gate_up", 8, 7168, 4096),
    ("deepseek-v3", "expert_down", 8, 2048, 7168),
    ("deepseek-v3", "expert_gate_up", 32, 7168, 4096),
    ("mixtral-8x7b", "expert_gate_up", 8, 4096, 28672),
    ("mixtral-8x7b", "expert_down", 8, 14336, 4096),
]
GROUPED_M = [1, 4, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]


def measure_grouped(out, model, role, G, K, N, m):
    flops = 2.0 * G * m * K * N
    nbytes = 2.0 * (G * m * K + G * K * N + G * m * N)
    base = dict(section="grouped", kernel="grouped_gemm", dtype="bf16", model=model, role=role,
                m=m, n=N, k=K, groups=G, flops=flops, bytes=nbytes)
    wbytes = G * K * N * 2
    copies = max(1, min(8, math.ceil(L2_ROTATE_BYTES / wbytes)))
    impl = None
    try:
        ws = [rnd((G, N, K), torch.bfloat16).transpose(-2, -1) for _ in range(copies)]
        x = rnd((G * m, K), torch.bfloat16)
        offs = torch.arange(1, G + 1, device="cuda", dtype=torch.int32) * m
        fns = []
        if hasattr(torch, "_grouped_mm"):
            try:
                torch._grouped_mm(x, ws[0], offs=offs)
                torch.cuda.synchronize()
                impl = "torch._grouped_mm"
                fns = [lambda w=w: torch._grouped_mm(x, w, offs=offs) for w in ws]
            except Exception as e:  # noqa: BLE001
                impl = None
                print(f"_grouped_mm unavailable: {str(e).splitlines()[0][:160]}", flush=True)
        if impl is None:
            xb = x.view(G, m, K)
            impl = "torch.bmm"
            fns = [lambda w=w: torch.bmm(xb, w) for w in ws]
        est = estimate_us(fns[0])
        reps = reps_for(est, lo=4, hi=100)
        t = time_graph([fns[i % len(fns)] for i in range(max(reps, len(fns)))])
        out.row(**base, impl=impl, time_us=t, status="ok",
                note=f"{m} tokens per expert; {copies} weight copies rotated")
        del ws, x, fns
    except Exception as e:  # noqa: BLE001
        out.row(**base, impl=impl or "", status="error", note=str(e).splitlines()[0][:200])
    torch.cuda.empty_cache()


def measure_grouped_fp8(out, model, role, G, K, N, m):
    """fp8 e4m3 grouped GEMM with row-wise scales (torch._scaled_grouped_mm)."""
    flops = 2.0 * G * m * K * N
    nbytes = 1.0 * (G * m * K + G * K * N) + 2.0 * G * m * N
    base = dict(section="grouped", kernel="grouped_gemm", dtype="fp8", model=model, role=role,
                m=m, n=N, k=K, groups=G, flops=flops, bytes=nbytes,
                impl="torch._scaled_grouped_mm")
    try:
        f8 = torch.float8_e4m3fn
        copies = max(1, min(8, math.ceil(L2_ROTATE_BYTES / (G * K * N))))
        ws = [rnd((G, N, K), f8).transpose(-2, -1) for _ in range(copies)]
        x = rnd((G * m, K), f8)
        sa = torch.ones((G * m,), device="cuda", dtype=torch.float32)
        sb = torch.ones((G, N), device="cuda", dtype=torch.float32)
        offs = torch.arange(1, G + 1, device="cuda", dtype=torch.int32) * m
        fns = [lambda w=w: torch._scaled_grouped_mm(x, w, sa, sb, offs=offs,
                                                    out_dtype=torch.bfloat16) for w in ws]
        est = estimate_us(fns[0])
        t = time_graph([fns[i % len(fns)] for i in range(max(reps_for(est, hi=100), len(fns)))])
        out.row(**base, time_us=t, status="ok",
                note=f"{m} tokens per expert; row-wise scales; {copies} weight copies rotated")
        del ws, x, fns
    except Exception as e:  # noqa: BLE001
        out.row(**base, status="error", note=str(e).splitlines()[0][:200])
    torch.cuda.empty_cache()


# --------------------------------------------------------------------------
def sdpa_backends():
    from torch.nn.attention import SDPBackend
    return [("flash", SDPBackend.FLASH_ATTENTION), ("cudnn", SDPBackend.CUDNN_ATTENTION)]


PREFILL = [
    # heads, kv_heads, head_dim, seq, batch
    (32, 8, 128, 512, 32),
    (32, 8, 128, 1024, 16),
    (32, 8, 128, 2048, 8),
    (32, 8, 128, 4096, 4),
    (32, 8, 128, 8192, 2),
    (32, 8, 128, 16384, 1),
    (32, 8, 128, 32768, 1),
    (32, 32, 128, 4096, 4),
    (32, 32, 64, 4096, 4),
    (64, 8, 128, 8192, 1),
]


def measure_prefill(out, H, KVH, D, S, B):
    from torch.nn.attention import sdpa_kernel
    flops = 4.0 * B * H * S * S * D / 2.0  # causal: half of the S x S pairs
    nbytes = 2.0 * B * S * D * (2 * H + 2 * KVH)
    for name, backend in sdpa_backends():
        base = dict(section="prefill", kernel="flash_attention", dtype="bf16", batch=B,
                    heads=H, kv_heads=KVH, head_dim=D, q_len=S, kv_len=S, causal=1,
                    flops=flops, bytes=nbytes, impl=f"sdpa:{name}")
        try:
            q = rnd((B, H, S, D), torch.bfloat16)
            k = rnd((B, KVH, S, D), torch.bfloat16)
            v = rnd((B, KVH, S, D), torch.bfloat16)
            note = "causal FLOPs = 2*B*H*S*S*D"
            gqa = {}
            if KVH != H:
                gqa = {"enable_gqa": True}
            with sdpa_kernel([backend]):
                try:
                    F.scaled_dot_product_attention(q, k, v, is_causal=True, **gqa)
                    torch.cuda.synchronize()
                except Exception:  # noqa: BLE001 - backend without GQA: expand KV heads
                    if not gqa:
                        raise
                    rep = H // KVH
                    k = k.repeat_interleave(rep, dim=1)
                    v = v.repeat_interleave(rep, dim=1)
                    gqa = {}
                    note += "; KV heads expanded (backend has no GQA)"
                fn = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True, **gqa)
                est = estimate_us(fn)
                t = time_graph([fn] * reps_for(est, lo=3, hi=50))
            out.row(**base, time_us=t, status="ok", note=note)
            del q, k, v
        except Exception as e:  # noqa: BLE001
            out.row(**base, status="error", note=str(e).splitlines()[0][:200])
        torch.cuda.empty_cache()


MLA_PREFILL = [
    # seq, batch: 8192 tokens per call at 1K, 2K and 4K, and 16384 at 4K
    (1024, 8), (2048, 4), (4096, 2), (4096, 4),
]


def timed_row(out, base, setup, note, lo=4, hi=200, context=contextlib.nullcontext):
    """Times the callable setup() returns (built inside the try, so a failed
    allocation is an error row too) under context(), and writes one row."""
    try:
        fn = setup()
        with context():
            est = estimate_us(fn)
            t = time_graph([fn] * reps_for(est, lo=lo, hi=hi))
        out.row(**base, time_us=t, status="ok", note=note)
    except Exception as e:  # noqa: BLE001
        out.row(**base, status="error", note=str(e).splitlines()[0][:200])
    torch.cuda.empty_cache()


def measure_mla_prefill(out, S, B, H=128, DQK=192, DV=128):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    flops = 2.0 * B * H * S * S / 2.0 * (DQK + DV)  # causal: half of the S x S pairs
    nbytes = 2.0 * B * S * H * (2 * DQK + 2 * DV)    # q, k, v and the output
    backends = [("cudnn", SDPBackend.CUDNN_ATTENTION),
                ("efficient", SDPBackend.EFFICIENT_ATTENTION),
                ("flash", SDPBackend.FLASH_ATTENTION)]

    def setup():
        q = rnd((B, H, S, DQK), torch.bfloat16)
        k = rnd((B, H, S, DQK), torch.bfloat16)
        v = rnd((B, H, S, DV), torch.bfloat16)
        return lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True)

    for name, backend in backends:
        base = dict(section="mla_prefill", kernel="flash_attention", dtype="bf16",
                    model="deepseek-v3", role="attn", batch=B, heads=H, kv_heads=H,
                    head_dim=DQK, q_len=S, kv_len=S, causal=1, flops=flops, bytes=nbytes,
                    impl=f"sdpa:{name}")
        timed_row(out, base, setup, f"value head_dim {DV}; causal FLOPs = B*H*S*S*(qk+v)",
                  lo=3, hi=50, context=lambda b=backend: sdpa_kernel([b]))


def measure_act_quant(out, T, D, group=128):
    fp8 = torch.float8_e4m3fn
    fmax = torch.finfo(fp8).max

    def quant(x):
        g = x.view(T, D // group, group).float()
        scale = g.abs().amax(dim=-1, keepdim=True).clamp(min=1e-10) / fmax
        return (g / scale).to(fp8).view(T, D), scale.view(T, D // group)

    nbytes = 2.0 * T * D + 1.0 * T * D + 4.0 * T * (D // group)
    note = f"bf16 in; fp8 and one fp32 scale per {group} out"
    x = rnd((T, D), torch.bfloat16)

    def compiled():
        fn = torch.compile(quant, dynamic=False)
        fn(x)  # compile outside the timing
        torch.cuda.synchronize()
        return lambda: fn(x)

    for name, setup in (("torch.compile", compiled), ("eager", lambda: lambda: quant(x))):
        base = dict(section="act_quant", kernel="elementwise", dtype="fp8", role="group_quant",
                    m=T, n=D, k=group, bytes=nbytes, impl=name)
        timed_row(out, base, setup, note)
    del x
    torch.cuda.empty_cache()


def beside(fn_a, calls_a, fn_b, calls_b, rounds=6):
    """Starts calls_a calls of fn_a on one stream and calls_b of fn_b on
    another, launched interleaved so that both streams start together, and
    returns each stream's microseconds per call (median over the rounds after
    the first). With calls_b chosen so that the b stream outlasts the a
    stream, a's time is what it takes while b runs beside it."""
    sa, sb = torch.cuda.Stream(), torch.cuda.Stream()
    ta, tb = [], []
    for _ in range(rounds):
        torch.cuda.synchronize()
        go = torch.cuda.Event()
        go.record()
        ev = [torch.cuda.Event(enable_timing=True) for _ in range(4)]
        sa.wait_event(go)
        sb.wait_event(go)
        ev[0].record(sa)
        ev[2].record(sb)
        for i in range(max(calls_a, calls_b)):
            if i < calls_a:
                with torch.cuda.stream(sa):
                    fn_a()
            if i < calls_b:
                with torch.cuda.stream(sb):
                    fn_b()
        ev[1].record(sa)
        ev[3].record(sb)
        torch.cuda.synchronize()
        ta.append(ev[0].elapsed_time(ev[1]) * 1000.0 / calls_a)
        tb.append(ev[2].elapsed_time(ev[3]) * 1000.0 / calls_b)
    ta, tb = sorted(ta[1:]), sorted(tb[1:])
    return ta[len(ta) // 2], tb[len(tb) // 2]


# (role, M, K, N) of the fp8 GEMMs timed beside a copy: a compute-bound one
# (a two-batch-overlap prefill micro-batch of 8192 tokens through DeepSeek's
# shared-expert up projection) and a weight-streaming one (64 tokens).
OVERLAP_GEMMS = [("compute", 8192, 7168, 4096), ("stream", 64, 7168, 16384)]


def measure_overlap(out):
    """Kernels beside a memory-bound kernel on another stream: how much the
    HBM traffic of a collective slows the compute it overlaps, which ssc's
    two-batch overlap does not cost (it takes the collectives' SMs from the
    compute, not their memory traffic). The copy runs as tensor.copy_
    (cudaMemcpyAsync; a copy engine where the driver uses one) and as an
    elementwise add on the SMs."""
    n = 1 << 27  # 256 MiB of bf16 per copy
    src = rnd((n,), torch.bfloat16)
    dst = torch.empty_like(src)
    copies = {
        "memcpy": lambda: dst.copy_(src),
        "sm_add": lambda: torch.add(src, 1.0, out=dst),
    }
    copy_bytes = 4.0 * n
    copy_alone = {}
    for cname, cfn in copies.items():
        try:
            copy_alone[cname] = time_graph([cfn] * 5)
            out.row(section="overlap", kernel="copy", impl=cname + " alone", dtype="bf16", m=n,
                    time_us=copy_alone[cname], bytes=copy_bytes, status="ok",
                    note="bytes = read + write")
        except Exception as e:  # noqa: BLE001
            out.row(section="overlap", kernel="copy", impl=cname + " alone", dtype="bf16",
                    m=n, status="error", note=str(e).splitlines()[0][:200])
    for role, M, K, N in OVERLAP_GEMMS:
        base = dict(section="overlap", kernel="gemm", dtype="fp8", model="deepseek-v3",
                    role=role, m=M, n=N, k=K, flops=2.0 * M * N * K,
                    bytes=float(M * K + K * N + 2 * M * N))
        try:
            wcopies = max(1, min(64, math.ceil(L2_ROTATE_BYTES / (K * N))))
            fns, keep = gemm_fn_factory("fp8", M, K, N, wcopies)
            state = {"i": 0}

            def gemm():
                state["i"] += 1
                return fns[state["i"] % len(fns)]()
            alone = time_graph([fns[i % len(fns)] for i in range(max(40, len(fns)))])
            out.row(**base, impl="torch._scaled_mm alone", time_us=alone, status="ok",
                    note=f"{len(fns)} weight copies rotated")
            calls = 40
            # The same launches on one stream with nothing beside them: what
            # the ratios below compare with (eager, as the runs beside are).
            solo = []
            for _ in range(4):
                a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                torch.cuda.synchronize()
                a.record()
                for _ in range(calls):
                    gemm()
                b.record()
                b.synchronize()
                solo.append(a.elapsed_time(b) * 1000.0 / calls)
            eager = sorted(solo[1:])[1]
            out.row(**base, impl="torch._scaled_mm alone, eager", time_us=eager, status="ok",
                    note=f"{len(fns)} weight copies rotated; eager launches")
            for cname, cfn in copies.items():
                if cname not in copy_alone:
                    continue
                # Enough copies to outlast the GEMMs by a fifth, so that every
                # GEMM runs beside one; each stream is timed on its own events.
                ncopy = max(1, math.ceil(1.2 * calls * alone / copy_alone[cname]))
                tg, tc = beside(gemm, calls, cfn, ncopy)
                out.row(**base, impl=f"torch._scaled_mm beside {cname}", time_us=tg,
                        status="ok", note=f"{tg / eager:.3f} x alone (eager); eager launches")
                out.row(section="overlap", kernel="copy", impl=f"{cname} beside {role} gemm",
                        dtype="bf16", m=n, time_us=tc, bytes=copy_bytes, status="ok",
                        note=f"bytes = read + write; {ncopy} copies, the last fifth of "
                             "them after the GEMMs; eager launches")
            del keep, fns
        except Exception as e:  # noqa: BLE001 - every failure becomes a row
            out.row(**base, impl="torch._scaled_mm", status="error",
                    note=str(e).splitlines()[0][:200])
    del src, dst
    torch.cuda.empty_cache()


DECODE_B = [1, 8, 32, 128]
DECODE_L = [1024, 4096, 16384, 65536]
DECODE_EXTRA = [
    # heads, kv_heads, head_dim, batch, kv_len: MHA (no grouping), 64 heads on 8 KV heads
    (32, 32, 128, 8, 4096), (32, 32, 128, 32, 4096),
    (64, 8, 128, 8, 4096), (64, 8, 128, 32, 4096),
    (32, 8, 64, 32, 4096),
]


def measure_decode(out, H, KVH, D, B, L):
    from torch.nn.attention import sdpa_kernel
    G = H // KVH
    kv_bytes = 2.0 * B * L * KVH * D * 2
    if kv_bytes > 24e9:
        return
    flops = 4.0 * B * H * L * D
    nbytes = kv_bytes + 2.0 * 2 * B * H * D
    copies = max(1, min(8, math.ceil(L2_ROTATE_BYTES / kv_bytes)))
    for name, backend in sdpa_backends():
        base = dict(section="decode", kernel="paged_attention", dtype="bf16", batch=B, heads=H,
                    kv_heads=KVH, head_dim=D, q_len=1, kv_len=L, causal=0, flops=flops,
                    bytes=nbytes, impl=f"sdpa:{name}")
        try:
            # GQA decode folded: the G query heads of one KV head form a query of length G.
            q = rnd((B, KVH, G, D), torch.bfloat16)
            kvs = [(rnd((B, KVH, L, D), torch.bfloat16), rnd((B, KVH, L, D), torch.bfloat16))
                   for _ in range(copies)]
            with sdpa_kernel([backend]):
                fns = [lambda k=k, v=v: F.scaled_dot_product_attention(q, k, v) for k, v in kvs]
                est = estimate_us(fns[0])
                reps = reps_for(est, lo=4, hi=100)
                t = time_graph([fns[i % len(fns)] for i in range(max(reps, len(fns)))])
            out.row(**base, time_us=t, status="ok",
                    note=f"contiguous KV, GQA folded into q_len={G}; {copies} KV copies rotated")
            del q, kvs, fns
        except Exception as e:  # noqa: BLE001
            out.row(**base, status="error", note=str(e).splitlines()[0][:200])
        torch.cuda.empty_cache()


# --------------------------------------------------------------------------
def environment():
    env = {
        "gpu": torch.cuda.get_device_name(0),
        "sm_count": torch.cuda.get_device_properties(0).multi_processor_count,
        "memory_bytes": torch.cuda.get_device_properties(0).total_memory,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "python": platform.python_version(),
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        env["nvidia_smi"] = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem,power.limit",
             "--format=csv"], capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception as e:  # noqa: BLE001
        env["nvidia_smi"] = f"unavailable: {e}"
    return env


SECTIONS = ["peak", "gemm", "grouped", "prefill", "mla_prefill", "decode", "grouped_fp8",
            "elementwise", "act_quant", "overlap"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--budget-s", type=float, default=300.0,
                    help="stop starting new sections after this many seconds")
    ap.add_argument("--only", default="",
                    help="comma-separated sections to run (default: all): " + ", ".join(SECTIONS))
    args = ap.parse_args()
    only = [x for x in args.only.split(",") if x]
    unknown = [x for x in only if x not in SECTIONS]
    if unknown:
        ap.error(f"unknown section(s) {', '.join(unknown)}; sections: {', '.join(SECTIONS)}")

    def run(section):
        return not only or section in only
    os.makedirs(args.out_dir, exist_ok=True)
    torch.manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = False
    env = environment()
    with open(os.path.join(args.out_dir, "env.json"), "w") as f:
        json.dump(env, f, indent=2, default=str)
    print(json.dumps(env, default=str), flush=True)
    out = Writer(os.path.join(args.out_dir, "kernels.csv"))

    def over(frac):
        return elapsed() > args.budget_s * frac

    if run("peak"):
        measure_copy(out)
        for dt in ("bf16", "fp8"):
            measure_gemm(out, dt, "peak", "square", 8192, 8192, 8192, section="peak")
    for model, role, K, N in GEMM_SHAPES if run("gemm") else []:
        if over(0.55):
            print("budget: stopping GEMM section", flush=True)
            break
        for dt in ("bf16", "fp8"):
            for M in GEMM_M:
                measure_gemm(out, dt, model, role, M, K, N)
    for model, role, G, K, N in GROUPED if run("grouped") else []:
        if over(0.70):
            print("budget: stopping grouped section", flush=True)
            break
        for m in GROUPED_M:
            measure_grouped(out, model, role, G, K, N, m)
    for H, KVH, D, S, B in PREFILL if run("prefill") else []:
        if over(0.85):
            print("budget: stopping prefill section", flush=True)
            break
        measure_prefill(out, H, KVH, D, S, B)
    for S, B in MLA_PREFILL if run("mla_prefill") else []:
        if over(0.88):
            print("budget: stopping mla_prefill section", flush=True)
            break
        measure_mla_prefill(out, S, B)
    for B in DECODE_B if run("decode") else []:
        for L in DECODE_L:
            if over(0.9):
                break
            measure_decode(out, 32, 8, 128, B, L)
    for H, KVH, D, B, L in DECODE_EXTRA if run("decode") else []:
        if over(0.92):
            break
        measure_decode(out, H, KVH, D, B, L)
    for model, role, G, K, N in GROUPED[:3] if run("grouped_fp8") else []:
        if over(0.96):
            print("budget: stopping fp8 grouped section", flush=True)
            break
        for m in GROUPED_M:
            measure_grouped_fp8(out, model, role, G, K, N, m)
    for D in (4096, 7168) if run("elementwise") else []:
        if over(1.0):
            break
        measure_elementwise(out, D)
    for T in (4096, 8192, 16384) if run("act_quant") else []:
        if over(1.0):
            break
        for D in (7168, 2048):
            measure_act_quant(out, T, D)
    if run("overlap") and not over(1.0):
        measure_overlap(out)
    print(f"done: {out.rows} rows in {elapsed():.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())

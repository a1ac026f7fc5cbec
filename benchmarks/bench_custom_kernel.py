"""Would a custom fused kernel of the mechanistic layer make training 30x faster? Measured.

``bench_minn_batched.py`` puts the trainer at ~1.5x its floor and the gap in the unrolled
layer's elementwise passes, which only a kernel that fuses them into the sparse products could
remove. This script writes that kernel (``benchmarks/fused_layer.c``: float32, the forward and
backward of the 8 momentum steps, two sparse passes per step and nothing else), compiles it with
the machine's C compiler (``cc -O3 -march=native``) and times, in one process, interleaved, best
of ``--repeats`` rounds, CPU time, 1 thread, on the FVA-reduced iAF1260 with ``--cols`` flux
columns (25 = one 5-run chunk x batch 5):

1. **one CSR product** ``S @ X``: PyTorch's (``torch.addmm`` into a buffer; MKL on this build),
   scipy's, and the hand-written loop of the C kernel;
2. **the layer, forward + backward**: :class:`helpers.minn._engine.descent.DescentWorkspace` (the
   trainer's) and the fused C kernel, with their largest relative difference;
3. what replacing the layer would change per run-step of the trainer (the chunk's 5 runs share
   one layer call);
4. the other way to fuse: ``torch.compile`` (inductor's generated C++) of one step's elementwise
   passes (momentum, clamp, mask, update), its compile time and CPU time per call beside the
   same passes in eager PyTorch, in place (``--no-compile`` skips it).

    .venv/bin/python benchmarks/bench_custom_kernel.py

Without a C compiler the script says so and stops.
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.data.ishii import load_ishii  # noqa: E402
from helpers.evaluation.minn_loo import ishii_problem  # noqa: E402
from helpers.minn._engine.descent import DescentWorkspace  # noqa: E402

SOURCE = Path(__file__).with_name("fused_layer.c")
LR, DECAY, STEPS = 0.01, 0.9, 8


def compile_kernel(workdir: Path) -> ctypes.CDLL | None:
    """The C kernel as a shared library (None if no C compiler is found)."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return None
    lib = workdir / "fused_layer.so"
    subprocess.run([cc, "-O3", "-march=native", "-shared", "-fPIC", str(SOURCE), "-o", str(lib)],
                   check=True)
    return ctypes.CDLL(str(lib))


def _ptr(a: np.ndarray) -> ctypes.c_void_p:
    return a.ctypes.data_as(ctypes.c_void_p)


class CKernel:
    """ctypes wrappers of ``fused_layer.c`` over one problem and one column count."""

    def __init__(self, lib: ctypes.CDLL, tp, cols: int) -> None:
        self.lib, self.tp, self.cols = lib, tp, cols
        self.S = [a.numpy() for a in (tp.S.crow_indices(), tp.S.col_indices(), tp.S.values())]
        self.St = [a.numpy() for a in (tp.St.crow_indices(), tp.St.col_indices(),
                                       tp.St.values())]
        self.diff = np.zeros((tp.n, cols), np.float32)
        self.SV = np.zeros((tp.m, cols), np.float32)
        self.acc = np.zeros(cols, np.float32)
        self.neg = np.zeros((STEPS, tp.n, cols), np.uint8)
        f = ctypes.c_float
        self.coef = (f(-LR * 2.0 / tp.m), f(-LR * 2.0 / tp.n), f(DECAY))
        self.sizes = [ctypes.c_int64(v) for v in (tp.m, tp.n, cols, STEPS)]

    def product(self, X: np.ndarray, out: np.ndarray) -> None:
        self.lib.csr_product(ctypes.c_int64(self.tp.m), ctypes.c_int64(self.cols),
                             *map(_ptr, self.S), _ptr(X), _ptr(out))

    def layer(self, V: np.ndarray, grad: np.ndarray) -> None:
        """Forward in place on ``V`` (= V_0 -> V_K), then backward in place on ``grad``."""
        common = (*self.sizes, *map(_ptr, self.S), *map(_ptr, self.St))
        self.lib.fused_forward(*common, _ptr(V), _ptr(self.diff), _ptr(self.SV), _ptr(self.acc),
                               _ptr(self.neg), *self.coef)
        self.lib.fused_backward(*common, _ptr(grad), _ptr(self.diff), _ptr(self.SV),
                                _ptr(self.acc), _ptr(self.neg), *self.coef)


def best_cpu_us(fns: dict, calls: int, repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` CPU microseconds per call of each function, rounds interleaved."""
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.process_time()
            for _ in range(calls):
                fn()
            best[name] = min(best[name], 1e6 * (time.process_time() - start) / calls)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cols", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-compile", action="store_true", help="skip figure 4")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        lib = compile_kernel(Path(tmp))
        if lib is None:
            print("No C compiler found (cc, gcc or clang): nothing to measure.")
            return
        data = load_ishii()
        problem = ishii_problem(list(data.reference.columns))
        tp = problem.to_torch(torch.float32, "cpu")
        if tp.n_in:
            raise SystemExit("fused_layer.c covers n_in = 0 (the Ishii problem) only.")
        run(lib, problem, tp, args.cols, args.repeats)
    if not args.no_compile:
        compiled_elementwise(tp.n, args.cols, args.repeats)


def run(lib: ctypes.CDLL, problem, tp, cols: int, repeats: int) -> None:
    rng = np.random.default_rng(0)
    kernel = CKernel(lib, tp, cols)
    X = rng.standard_normal((tp.n, cols)).astype(np.float32)
    out_c, out_t = np.zeros((tp.m, cols), np.float32), torch.zeros(tp.m, cols)
    Xt, S_scipy = torch.from_numpy(X), problem.S.astype(np.float32)
    kernel.product(X, out_c)
    torch.addmm(out_t, tp.S, Xt, beta=0, out=out_t)
    print(f"FVA-reduced iAF1260: m = {tp.m}, n = {tp.n}, {tp.S._nnz()} non-zeros; {cols} columns; "
          f"float32, 1 thread, CPU time, best of {repeats} interleaved rounds")
    print(f"\n1. one CSR product S @ X (agree to {_rel(out_c, out_t.numpy()):.1e} relative)")
    us = best_cpu_us({"torch.addmm (MKL)": lambda: torch.addmm(out_t, tp.S, Xt, beta=0, out=out_t),
                      "scipy csr @ dense": lambda: S_scipy @ X,
                      "hand-written C (-O3 -march=native)": lambda: kernel.product(X, out_c)},
                     calls=2000, repeats=repeats)
    base = us["torch.addmm (MKL)"]
    for name, t in us.items():
        print(f"   {name:36s} {t:8.1f} CPU-us   {t / base:5.2f}x torch's")

    V0 = rng.standard_normal((tp.n, cols)).astype(np.float32)
    G0 = rng.standard_normal((tp.n, cols)).astype(np.float32)
    ws = DescentWorkspace(tp, cols, STEPS, torch.float32)

    def torch_layer():
        ws.V.copy_(torch.from_numpy(V0))
        ws.forward_(tp.v_in.reshape(-1, 1), LR, DECAY)
        return ws.backward_(torch.from_numpy(G0.copy()), LR, DECAY)

    V_c, G_c = V0.copy(), G0.copy()

    def c_layer():
        V_c[:], G_c[:] = V0, G0
        kernel.layer(V_c, G_c)

    g_t = torch_layer().numpy().copy()
    c_layer()
    print(f"\n2. the unrolled layer, {STEPS} steps forward + backward "
          f"(V_K agree to {_rel(V_c, ws.V.numpy()):.1e}, dL/dV_0 to {_rel(G_c, g_t):.1e} relative)")
    us = best_cpu_us({"DescentWorkspace (torch kernels)": torch_layer, "fused C kernel": c_layer},
                     calls=100, repeats=repeats)
    t_torch, t_c = us["DescentWorkspace (torch kernels)"], us["fused C kernel"]
    for name, t in us.items():
        print(f"   {name:36s} {t / 1e3:8.2f} CPU-ms   {t / t_torch:5.2f}x torch's")
    runs = cols // 5
    print(f"\n3. per run-step of the trainer ({runs} runs x batch 5 share one layer call): the fused "
          f"kernel would change the trainer by {(t_c - t_torch) / 1e3 / runs:+.2f} CPU-ms per run-step"
          f" ({'faster' if t_c < t_torch else 'slower'}).")


def _step_elementwise(V, diff, gram, decay: float, a_s: float, a_n: float):
    """One forward step's elementwise passes, out of place (what ``torch.compile`` fuses)."""
    diff = decay * diff + a_s * gram + a_n * torch.clamp_max(V, 0)
    return V + diff, diff, V < 0


def compiled_elementwise(n: int, cols: int, repeats: int) -> None:
    """Figure 4: ``torch.compile`` of one step's elementwise passes against eager in place."""
    gen = torch.Generator().manual_seed(0)
    V, diff, gram = (torch.randn(n, cols, generator=gen) for _ in range(3))
    clamp, neg = torch.empty(n, cols), torch.empty(n, cols)
    coef = (DECAY, -LR * 2.0 / 1668, -LR * 2.0 / n)
    start = time.perf_counter()
    compiled = torch.compile(_step_elementwise, dynamic=False)
    compiled(V, diff, gram, *coef)
    seconds = time.perf_counter() - start

    def eager():  # the trainer's passes (DescentWorkspace.forward_)
        diff.mul_(coef[0]).add_(gram, alpha=coef[1])
        diff.add_(torch.clamp_max(V, 0, out=clamp), alpha=coef[2])
        torch.lt(V, 0, out=neg)
        V.add_(diff)

    us = best_cpu_us({"eager, in place (the trainer's)": eager,
                      "torch.compile (inductor C++)": lambda: compiled(V, diff, gram, *coef)},
                     calls=500, repeats=repeats)
    print(f"\n4. one step's elementwise passes on ({n}, {cols}); torch.compile took {seconds:.1f} s")
    base = us["eager, in place (the trainer's)"]
    for name, t in us.items():
        print(f"   {name:36s} {t:8.1f} CPU-us   {t / base:5.2f}x eager's")


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


if __name__ == "__main__":
    main()

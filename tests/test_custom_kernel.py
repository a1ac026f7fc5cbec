"""The fused C kernel that ``benchmarks/bench_custom_kernel.py`` measures computes the layer.

The benchmark's figure (the fused kernel is slower than the trainer's PyTorch kernels on this
machine) only means something if the kernel does the same work: its forward and backward must
agree with :class:`helpers.minn._engine.descent.DescentWorkspace` to float32 rounding.
"""

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from helpers.minn._engine.descent import DescentWorkspace
from helpers.minn.problem import MechanisticProblem

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_custom_kernel as bench  # noqa: E402

pytestmark = pytest.mark.skipif(
    not any(shutil.which(cc) for cc in ("cc", "gcc", "clang")), reason="needs a C compiler")


def _problem(m=40, n=60, seed=3) -> MechanisticProblem:
    rng = np.random.default_rng(seed)
    S = sp.random(m, n, density=0.08, random_state=seed, format="csr",
                  data_rvs=lambda k: rng.choice([-1.0, 1.0, -2.0], k))
    return MechanisticProblem.from_matrices(S, [f"r{j}" for j in range(n)], list(range(5)))


@pytest.mark.parametrize("cols", [1, 7, 25])
def test_fused_c_layer_matches_the_torch_layer(tmp_path, cols):
    tp = _problem().to_torch(torch.float32, "cpu")
    assert tp.n_in == 0
    kernel = bench.CKernel(bench.compile_kernel(tmp_path), tp, cols)
    rng = np.random.default_rng(0)
    V0 = rng.standard_normal((tp.n, cols)).astype(np.float32)  # about half negative: masks matter
    G0 = rng.standard_normal((tp.n, cols)).astype(np.float32)

    ws = DescentWorkspace(tp, cols, bench.STEPS, torch.float32)
    ws.V.copy_(torch.from_numpy(V0))
    V_t = ws.forward_(tp.v_in.reshape(-1, 1), bench.LR, bench.DECAY).numpy().copy()
    G_t = ws.backward_(torch.from_numpy(G0.copy()), bench.LR, bench.DECAY).numpy()

    V_c, G_c = V0.copy(), G0.copy()
    kernel.layer(V_c, G_c)
    assert np.abs(V_c - V0).max() > 1e-3  # the layer moved the fluxes
    np.testing.assert_allclose(V_c, V_t, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(G_c, G_t, rtol=1e-5, atol=1e-5)

    X, out = V0.copy(), np.zeros((tp.m, cols), np.float32)
    kernel.product(X, out)
    np.testing.assert_allclose(out, (tp.S @ torch.from_numpy(X)).numpy(), rtol=1e-5, atol=1e-5)

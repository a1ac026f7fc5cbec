"""Scale-out: the harness's joblib loops give the same numbers on a Dask cluster.

Chapter 03 says one line switches the backend; this checks it, on a tiny problem and a
``dask.distributed.LocalCluster`` of two worker processes (what a real scheduler address would
replace).
"""

from __future__ import annotations

import numpy as np
import pytest
from joblib import parallel_config

from helpers.evaluation.minn_loo import evaluate_minn_loo
from helpers.minn.toy import make_toy_data


def test_dask_backend_gives_identical_results():
    distributed = pytest.importorskip("dask.distributed")
    toy = make_toy_data(n_samples=6, seed=2)
    kwargs = {"fixed": {"epochs": 2, "hidden": 8}, "n_trials": 2, "inner_folds": 2, "seed": 5,
              "n_jobs": 2}
    local = evaluate_minn_loo(toy.problem, toy.X, toy.Y, "c-balanced", **kwargs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster), parallel_config(backend="dask"):
        remote = evaluate_minn_loo(toy.problem, toy.X, toy.Y, "c-balanced", **kwargs)
    np.testing.assert_array_equal(remote.predictions.to_numpy(), local.predictions.to_numpy())
    assert [c for c in remote.chosen] == [c for c in local.chosen]

"""The throughput benchmark's building blocks (the timings themselves are not asserted)."""

import numpy as np

from helpers.minn import Member
from helpers.minn.benchmark import main, random_problem, time_training


def test_random_problem_has_gem_like_size_and_density():
    p = random_problem(m=60, n=80, per_column=3.0, n_ref=5, seed=1)
    assert (p.m, p.n, p.n_ref, p.n_in) == (60, 80, 5, 2)
    assert 150 < p.S.nnz <= 240 and set(np.unique(p.S.data)) <= {-2.0, -1.0, 1.0}


def test_time_training_and_command_line_run(capsys):
    p = random_problem(m=20, n=30, n_ref=4)
    rng = np.random.default_rng(0)
    wall, cpu = time_training(p, [Member(hidden=4, epochs=1)], rng.random((6, 3)), rng.random((6, 4)))
    assert wall > 0 and cpu > 0
    assert main(["--members", "1", "--epochs", "1"]) == 0
    assert "E=   1 batched" in capsys.readouterr().out

"""Descriptive views of the Ishii data (helpers.data.explore, chapters 01 and 06)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.data import explore
from helpers.data.ishii import UPTAKES


def test_standardised_omics_and_first_split(ishii):
    z = explore.standardised_omics(ishii)
    assert z.shape == (29, ishii.transcripts.shape[1] + ishii.proteins.shape[1])
    assert np.allclose(z.mean(), 0) and np.allclose(z.std(ddof=0)[z.std(ddof=0) > 0], 1)
    apart = explore.first_split(z)
    assert 0 < len(apart) < len(z) / 2 and set(apart) <= set(z.index)
    two_groups = pd.DataFrame({"x": [0.0, 0.1, 0.2, 10.0, 10.1]}, index=list("abcde"))
    assert explore.first_split(two_groups) == ["d", "e"]


def test_omics_pca_is_deterministic(ishii):
    first, explained = explore.omics_pca(ishii)
    second, _ = explore.omics_pca(ishii)
    pd.testing.assert_frame_equal(first, second)
    assert explained[0] >= explained[1] > 0


def test_bootstrap_median_depends_on_the_seed_only_through_its_bounds():
    values = pd.Series(np.random.default_rng(3).normal(size=41))
    lo, hi = explore.bootstrap_median(values, seed=0)
    assert lo < values.median() < hi
    assert explore.bootstrap_median(values, seed=0) == (lo, hi)
    assert explore.bootstrap_median(values, seed=7) != (lo, hi)
    with pytest.raises(ValueError, match="at least one non-missing value"):
        explore.bootstrap_median(pd.Series([np.nan]), seed=0)


def test_shared_knockouts_names_the_knockouts_with_the_same_reactions():
    table = pd.DataFrame({"R_PFK": [0, 0, 1, 1], "R_PGI": [1, 1, 0, 1]},
                         index=["pfkA", "pfkB", "pgi", "REF"])
    shared = explore.shared_knockouts(table)
    assert list(shared.index) == ["pfkA", "pfkB", "pgi"]
    assert shared.loc["pfkA", "same reactions as"] == "pfkB"
    assert shared.loc["pgi", "reactions knocked out"] == "R_PGI"
    assert shared.loc["pgi", "same reactions as"] == ""


def test_uptake_changes_compares_two_tables(ishii):
    changes = explore.uptake_changes(ishii, ishii)
    assert np.allclose(changes["glucose_ratio"], 1) and np.allclose(changes["o2_ratio"], 1)
    assert changes["glucose_measured"].equals(ishii.fluxes[UPTAKES[0]])

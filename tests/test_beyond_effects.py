"""Chapter 10's test family mapped back to its per-pair tables (helpers.book.beyond_effects)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.book import beyond_effects, forest


def _tables():
    rng = np.random.default_rng(1)
    samples = [f"s{i}" for i in range(6)]

    def frame(by, names, **extra):
        return pd.DataFrame([{by: n, "sample": s, "split": 0, "NE": rng.uniform(0.2, 0.4),
                              "MAE": rng.uniform(0.4, 0.6), **extra}
                             for n in names for s in samples])

    omics = pd.concat([frame("omics", ["both", "proteins"], model=m) for m in ("RF", "MINN")])
    draws = pd.DataFrame([{"model": m, "k": k, "draw": d, "NE": rng.uniform(0.2, 0.4)}
                          for m in ("RF", "MINN") for k in (7, 14) for d in range(6)])
    ood = frame("model", ["RF", "MINN"])
    return dict(headline=frame("model", ["RF", "MINN"]), omics=omics,
                fusion=frame("fusion", ["early", "late"], model="RF"), ood=ood,
                ood_increase=ood.rename(columns={"NE": "NE increase"}), draws=draws)


def test_every_question_finds_the_pairs_its_test_used():
    tables = _tables()
    family = pd.DataFrame([
        {"question": "exact layer", "a": "MINN", "b": "RF", "metric": "MAE"},
        {"question": "which omics", "model": "MINN", "a": "both", "b": "proteins", "metric": "NE"},
        {"question": "integration", "model": "RF", "a": "late", "b": "early", "metric": "NE"},
        {"question": "out of distribution", "a": "MINN", "b": "RF", "metric": "NE",
         "setting": "group out"},
        {"question": "out of distribution", "a": "MINN", "b": "RF", "metric": "NE increase",
         "setting": "NE increase"},
        {"question": "label scarcity", "a": "MINN", "b": "RF", "metric": "NE", "k": 14},
    ])
    effects = forest.family_intervals(family, beyond_effects.family_source(**tables))
    assert effects["n_pairs"].tolist() == [6, 6, 6, 6, 6, 6]
    within = tables["omics"][tables["omics"].model == "MINN"]
    expected = forest.paired_interval(within, "both", "proteins", "NE", keys=("split", "sample"),
                                      by="omics")["estimate"]
    assert effects.loc[1, "estimate"] == pytest.approx(expected)
    labels = beyond_effects.effect_labels(effects)
    assert labels[0] == "MINN − RF (MAE)" and labels[1] == "MINN: both − proteins (NE)"
    assert labels[4] == "MINN − RF, NE increase" and labels[5] == "MINN − RF, k=14 (NE)"
    with pytest.raises(ValueError, match="unknown question 'other'"):
        beyond_effects.family_source(**tables)(pd.Series({"question": "other"}))

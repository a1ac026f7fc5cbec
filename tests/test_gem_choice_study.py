"""Chapter 05's steps (helpers.book.gem_choice_study): sizes, runs, findings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.book import gem_choice_study as study
from helpers.evaluation.gem_choice import GemChoice, layer_stability, steady_state_freedom
from helpers.minn import MechanisticProblem, TrainingDivergedError
from helpers.minn.toy import REFERENCE, build_toy_model, split_reversible


@pytest.fixture(scope="module")
def toy_problem():
    return MechanisticProblem.from_cobra(split_reversible(build_toy_model()),
                                         reference=REFERENCE, bounded=["EX_A"], v_in=10.0)


def test_gem_sizes_one_row_per_problem(toy_problem):
    choices = [GemChoice("toy", "Toy coli", "none", "toy"),
               GemChoice("toy again", "Toy lactis", "FVA", "toy")]
    sizes = study.gem_sizes({"toy again": toy_problem, "toy": toy_problem}, lr=0.01, decay=0.9,
                            choices=choices)
    assert list(sizes.index) == ["toy again", "toy"]
    assert list(sizes["organism"]) == ["Toy lactis", "Toy coli"]
    freedom = steady_state_freedom(toy_problem.S)
    stability = layer_stability(toy_problem.S, lr=0.01, decay=0.9)
    row = sizes.loc["toy"]
    assert row["dof"] == freedom["dof"] and row["ratio"] == pytest.approx(stability["ratio"])
    assert row["dof_share"] == pytest.approx(freedom["dof"] / freedom["n"])
    assert set(study.SIZE_COLUMNS) <= set(sizes.columns)
    with pytest.raises(KeyError, match="'other'"):
        study.gem_sizes({"other": toy_problem}, lr=0.01, decay=0.9, choices=choices)


def test_evaluate_gems_keeps_diverged_runs_apart(monkeypatch, toy_problem):
    calls = []

    def fake(problem, X, Y, variant, *, name, mech_lr, **loo):
        calls.append((name, variant, mech_lr, loo))
        if mech_lr > 0.05:
            raise TrainingDivergedError(f"loss is NaN at epoch 3 ({name})")
        return f"result of {name}"

    monkeypatch.setattr(study, "evaluate_minn_loo", fake)
    runs = {"slow": ("toy", 0.01), "fast": ("toy", 0.1)}
    results, diverged = study.evaluate_gems({"toy": toy_problem}, runs, None, None, seed=3)
    assert results == {"slow": "result of slow"}
    assert diverged == {"fast": "loss is NaN at epoch 3 (fast)"}
    assert calls[0] == ("slow", "c-balanced", 0.01, {"seed": 3})


def test_evaluate_gems_names_an_unknown_gem_before_training(monkeypatch, toy_problem):
    monkeypatch.setattr(study, "evaluate_minn_loo", lambda *a, **k: pytest.fail("trained"))
    runs = {"ok": ("toy", 0.01), "typo": ("toyy", 0.01)}
    with pytest.raises(ValueError, match=r"run\(s\) \{'typo': 'toyy'\} name a GEM .*\['toy'\]"):
        study.evaluate_gems({"toy": toy_problem}, runs, None, None)


def _findings_inputs():
    tests = pd.DataFrame({"direction": ["higher", "lower"], "wins": [10, 20],
                          "p_value": [0.01, 0.2], "significant": [True, False]},
                         index=["core", "lactis"])
    table = pd.DataFrame({"NE_mean": [0.30, 0.33, 0.29, 9.0], "NE_sd": [0.10, 0.12, 0.08, 1.0],
                          "SV2_mean": [1.0, 4.0, 0.5, 1e6], "layer_ratio": [0.1, 0.5, 0.2, 3.0]},
                         index=["fva", "core", "lactis", "core unstable"])
    return tests, table


def test_gem_findings_numbers_and_booleans_no_words():
    tests, table = _findings_inputs()
    out = study.gem_findings(tests, table, {"core": "core", "lactis": "lactis", "fva": "fva"},
                             reference="fva")
    assert out["core_lower"] is False and out["core_wins"] == 10
    assert out["core_p"] == 0.01 and out["core_significant"] is True
    assert out["lactis_significant"] is False and out["lactis_lower"] is True
    assert out["core_sv2_lower"] is False and out["lactis_sv2_lower"] is True
    assert "fva_lower" not in out and "fva_sv2_lower" not in out
    # the unstable run (layer_ratio 3) is left out of the spreads
    assert out["ne_lo"] == 0.29 and out["ne_hi"] == 0.33
    assert out["ne_gap"] == pytest.approx(0.04) and out["ne_sd_lo"] == 0.08
    assert out["ne_gap_sd"] == pytest.approx(0.5)
    assert out["sv2_factor"] == pytest.approx(8.0) and out["ne_factor"] == pytest.approx(0.33 / 0.29)
    assert out["sv2_varies_more"] is True
    # data, not English: the chapter writes its verdicts by hand
    assert not [k for k, v in out.items() if isinstance(v, str)]


def test_total_seconds_from_the_store_or_the_harness():
    from helpers.evaluation.protocol import LooResult

    def result(**extra):
        return LooResult("m", pd.DataFrame(), [], extra)

    assert study.total_seconds(result(seconds=12.0, search_seconds=np.nan,
                                      refit_seconds=np.nan)) == 12.0
    assert study.total_seconds(result(search_seconds=3.0, refit_seconds=4.0)) == 7.0


def test_adjust_against_reads_significance_from_the_holm_adjusted_p():
    tests = pd.DataFrame({"direction": ["lower", "higher", "lower"], "wins": [20, 10, 15],
                          "p_value": [0.03, 0.4, 0.6], "significant": [True, False, False]},
                         index=["core", "lactis", "fba"])
    adjusted = study.adjust_against(tests)
    # raw p = 0.03 was significant; in a family of three tests Holm gives 0.09
    assert adjusted.loc["core", "p_holm"] == pytest.approx(0.09)
    assert not adjusted["significant"].any()
    assert adjusted["p_value"].tolist() == [0.03, 0.4, 0.6]  # the raw p kept beside
    assert adjusted["mean_better"].tolist() == [True, False, True]
    _, table = _findings_inputs()
    out = study.gem_findings(tests, table.rename(index={"fva": "ref"}), {"core": "core"},
                             reference="ref")
    assert out["core_p"] == 0.03 and out["core_p_holm"] == pytest.approx(0.09)
    assert out["core_significant"] is False


def test_gem_findings_mechanistic_measures_of_each_gem():
    tests, table = _findings_inputs()
    table["L2_mean"] = [1.0, 0.5, 2.0, 1e3]  # L2 = SV2 / m can order GEMs unlike SV2
    sv2_tests = pd.DataFrame({"direction": ["higher", "lower"], "wins": [3, 25],
                              "p_value": [0.001, 0.04], "significant": [True, True]},
                             index=["core", "lactis"])
    out = study.gem_findings(tests, table, {"core": "core", "lactis": "lactis", "fva": "fva"},
                             reference="fva", sv2_tests=sv2_tests)
    assert out["core_sv2_lower"] is False and out["core_l2_lower"] is True
    assert out["lactis_sv2_lower"] is True and out["lactis_l2_lower"] is False
    assert out["core_sv2_wins"] == 3 and out["core_sv2_p"] == 0.001
    assert out["lactis_sv2_wins"] == 25 and out["lactis_sv2_significant"] is True
    assert "fva_l2_lower" not in out and "fva_sv2_wins" not in out
    # without sv2_tests or L2_mean, no such keys
    plain = study.gem_findings(*_findings_inputs(), {"core": "core"}, reference="fva")
    assert not any(k.endswith(("_l2_lower", "_sv2_p")) for k in plain)


def test_gem_findings_needs_two_stable_runs():
    tests, table = _findings_inputs()
    table["layer_ratio"] = [0.5, 2.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="stable layer"):
        study.gem_findings(tests, table, {}, reference="fva")
    with pytest.raises(ValueError, match=r"'reference' .*\['fva', 'core', 'lactis', "
                                         r"'core unstable'\]\)\. Got 'iAF' instead"):
        study.gem_findings(*_findings_inputs(), {"core": "core"}, reference="iAF")


def test_gem_effects_ratio_to_the_reference_with_the_tests_verdicts():
    samples = [f"s{i}" for i in range(8)]
    ref = np.linspace(0.2, 0.4, 8)
    per_sample = pd.DataFrame({"model": ["fva"] * 8 + ["core"] * 8, "sample": samples * 2,
                               "NE": np.r_[ref, 2 * ref]})
    tests = study.adjust_against(pd.DataFrame({"direction": ["higher"], "wins": [0],
                                               "p_value": [0.01], "significant": [True]},
                                              index=pd.Index(["core"], name="model")))
    effects = study.gem_effects(tests, per_sample, "NE", reference="fva")
    row = effects.iloc[0]
    assert row["model"] == "core" and row["estimate"] == pytest.approx(2.0)
    assert row["lo"] == pytest.approx(2.0) and row["significant"]  # a constant ratio: no spread
    assert row["panel"] == "NE against fva" and row["n_pairs"] == 8
    with pytest.raises(ValueError,
                       match=r"gem_effects: the table lacks the column\(s\) \['p_holm'\]"):
        study.gem_effects(tests.drop(columns="p_holm"), per_sample, "NE", reference="fva")

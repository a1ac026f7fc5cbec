"""The paper-protocol results store: unit files, validation, resume bookkeeping, tables, CI check."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers.book import paper as ps
from helpers.book.captions import store_caption
from helpers.book.paper import inputs, runner, units


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(ps.STORE_ENV, str(tmp_path / "paper"))
    return tmp_path / "paper"


def _fake_unit(study, sample, ishii, *, offset=0.1, hash_=None):
    """A unit file as compute_unit writes it, with predictions = measured + offset (no training)."""
    prediction = (ishii.reference.loc[sample] + offset).to_dict()
    content = {
        "unit": {"chapter": study.chapter, "study": study.key, "label": study.label,
                 "sample": sample, "fold": 0},
        "protocol_hash": hash_ or ps.protocol_hash(study),
        "prediction": prediction, "metrics": {"L2": 1e-3}, "chosen": {"c": 30.0},
        "inner_cv": [], "seconds": 12.0, "provenance": {"git_commit": "abcdef0123"},
    }
    content["checksum"] = units.checksum(content)
    return ps.write_unit(content, ps.unit_path(study, sample))


def test_unit_file_round_trip_and_atomic_write(store, ishii):
    study, sample = ps.get_study("c-balanced"), ps.samples()[1]
    path = _fake_unit(study, sample, ishii)
    assert path == store / "03_minn_vs_ml" / "c-balanced" / f"{sample}.json"
    assert ps.read_unit(path)["unit"]["sample"] == sample
    assert [p.name for p in path.parent.iterdir()] == [f"{sample}.json"]  # no temporary left


def test_tampered_truncated_or_incomplete_units_are_rejected_by_name(store, ishii):
    sample = ps.samples()[1]
    path = _fake_unit(ps.get_study("c-balanced"), sample, ishii)
    content = json.loads(path.read_text())
    content["prediction"]["R_PGI_fwd"] = 99.0
    path.write_text(json.dumps(content))
    with pytest.raises(ps.StoreError, match=rf"{sample}.json was modified after it was written"):
        ps.read_unit(path)
    del content["checksum"]
    path.write_text(json.dumps(content))
    with pytest.raises(ps.StoreError, match=r"incomplete: missing \['checksum'\]"):
        ps.read_unit(path)
    path.write_text(path.read_text()[:40])
    with pytest.raises(ps.StoreError, match=rf"{sample}.json is unreadable"):
        ps.read_unit(path)


def test_status_and_pending_count_done_stale_and_missing(store, ishii):
    study = ps.get_study("MSE-base")
    samples = ps.samples()
    _fake_unit(study, samples[0], ishii)
    _fake_unit(study, samples[1], ishii, hash_="0" * 64)  # computed under another protocol
    row = ps.status(studies=["MSE-base"]).iloc[0]
    assert (row["done"], row["stale"], row["missing"]) == (1, 1, len(samples) - 2)
    todo = ps.pending(studies=["MSE-base"])
    assert len(todo) == len(samples) - 1 and (study, samples[0]) not in todo
    with pytest.raises(ValueError, match="Unknown study 'nope'"):
        ps.status(studies=["nope"])


def test_protocol_hash_changes_with_numerics_version(monkeypatch):
    import helpers.minn

    study = ps.get_study("c-balanced")
    before = ps.protocol_hash(study)
    monkeypatch.setattr(helpers.minn, "NUMERICS_VERSION", helpers.minn.NUMERICS_VERSION + 1)
    assert ps.protocol_hash(study) != before
    assert ps.protocol_hash(ps.get_study("MSE-base")) != before


def test_partial_store_is_shown_as_partial_with_fold_counts(store, ishii):
    study = ps.get_study("c-balanced")
    for sample in ps.samples()[:3]:
        _fake_unit(study, sample, ishii, offset=0.0)
    _fake_unit(ps.get_study("MSE-base"), ps.samples()[0], ishii, hash_="1" * 64)
    table, status = ps.paper_table("03_minn_vs_ml")
    row = table.set_index("model")
    assert row.loc["MINN-c-balanced", "n_folds"] == 3
    assert row.loc["MINN-c-balanced", "MAE_mean"] == pytest.approx(0.0)
    assert row.loc["MINN-c-balanced", "paper_MAE_mean"] == pytest.approx(0.473)
    assert row.loc["MINN-MSE-base", "n_folds"] == 0 and row.loc["MINN-MSE-base", "stale"] == 1
    assert (status.state, status.unit, status.stale) == ("partial", "folds", 1)
    assert (status.done["MINN-c-balanced"], status.planned["MINN-c-balanced"]) == (3, 29)
    assert "abcdef0" in status.commits and status.missing == 29 * len(status.planned) - 3
    caption = store_caption("Table 2", status)
    assert caption.startswith("Table 2. Results store (partial) — MINN-c-balanced: 3 of 29 folds")
    assert "1 stale unit(s) not used" in caption
    assert caption.endswith("`python -m helpers.book paper run --chapter 03_minn_vs_ml`")


def test_stored_unit_still_matches_the_code():
    """CI spot check: recompute the cheapest stored unit from scratch; predictions within 1e-4.

    Fails (it does not skip) when the store holds no current unit: the book's paper tables
    would then show nothing, and ``make paper`` must be run.
    """
    candidates = []
    for study in ps.STUDIES:
        current = ps.protocol_hash(study)
        for path in sorted((ps.store_dir() / study.chapter / study.key).glob("*.json")):
            content = ps.read_unit(path)
            if content["protocol_hash"] == current and "diverged" not in content:
                candidates.append((content["seconds"], study, content))
    assert candidates, "the results store holds no current unit: run `make paper`"
    _, study, stored = min(candidates, key=lambda c: c[0])
    fresh = ps.compute_unit(study, stored["unit"]["sample"])
    assert fresh["protocol_hash"] == stored["protocol_hash"]
    assert fresh["chosen"] == pytest.approx(stored["chosen"], rel=1e-4)
    ours = np.array([fresh["prediction"][k] for k in stored["prediction"]])
    kept = np.array(list(stored["prediction"].values()))
    np.testing.assert_allclose(ours, kept, rtol=1e-4, atol=1e-4 * np.abs(kept).max())


def test_gem_choice_studies_leave_older_protocols_unchanged():
    """Fields added to Study for chapter 05 stay out of the older studies' protocol (no stale
    units), and enter the GEM-choice studies' protocol with their data files."""
    old = ps.protocol(ps.get_study("c-balanced"))
    assert set(old["study"]) == {"chapter", "key", "label", "variant", "targets"}
    assert "fba_samples" not in old
    core = ps.protocol(ps.get_study("gem-core-matched"))
    assert core["study"]["gem"] == "e_coli_core" and core["study"]["layer_step"] == "matched"
    assert "gems/e_coli_core.xml" in core["data_sha256"]
    assert ps.protocol(ps.get_study("gem-iaf1260-fba"))["fba_samples"] == 2000
    hashes = {ps.protocol_hash(s) for s in ps.STUDIES}
    assert len(hashes) == len(ps.STUDIES)  # every study its own protocol


def test_gem_choice_study_trains_on_shared_fluxes_with_its_layer_step():
    study = ps.get_study("gem-core-matched")
    targets, measured = ps.study_targets(study)
    assert list(targets.columns) == list(measured.columns)
    assert len(targets.columns) == len(inputs.shared_ids()) < 45
    assert ps.study_problem(study).n_ref == len(targets.columns)
    m_core, m_fva = ps.study_problem(study).m, inputs.gem_problem("iAF1260 FVA-reduced").m
    assert ps.study_layer_lr(study) == pytest.approx(0.01 * m_core / m_fva)
    assert ps.study_layer_lr(ps.get_study("gem-core-release")) == 0.01
    with pytest.raises(ValueError, match="unknown layer_step 'odd'"):
        ps.study_layer_lr(ps.Study("05_gem_choice", "x", "x", "c-balanced", gem="e_coli_core",
                                   layer_step="odd"))


def test_gem_choice_paper_table_has_paper_values_only_for_the_main_gem(store, ishii):
    measured = ishii.reference[list(inputs.shared_ids().index)]
    study = ps.get_study("gem-inf517")
    for sample in ps.samples()[:2]:
        content = {
            "unit": {"chapter": study.chapter, "study": study.key, "label": study.label,
                     "sample": sample, "fold": 0},
            "protocol_hash": ps.protocol_hash(study),
            "prediction": measured.loc[sample].to_dict(), "metrics": {"L2": 1e-3},
            "chosen": {}, "inner_cv": [], "seconds": 1.0, "provenance": {"git_commit": "f00"},
        }
        content["checksum"] = units.checksum(content)
        ps.write_unit(content, ps.unit_path(study, sample))
    table, status = ps.paper_table("05_gem_choice")
    row = table.set_index("model")
    assert row.loc["iNF517 FVA-reduced", "n_folds"] == 2
    assert row.loc["iNF517 FVA-reduced", "NE_mean"] == pytest.approx(0.0)
    assert np.isnan(row.loc["iNF517 FVA-reduced", "paper_NE_mean"])
    assert row.loc["iAF1260 FVA-reduced", "paper_NE_mean"] == pytest.approx(0.272)
    assert status.state == "partial" and status.done["iNF517 FVA-reduced"] == 2


def test_loo_result_reads_a_complete_study_and_names_missing_folds(store, ishii):
    study = ps.get_study("unbalanced")
    names = ps.samples()
    for sample in names[:-1]:
        _fake_unit(study, sample, ishii, offset=0.0)
    with pytest.raises(ps.StoreError, match=rf"lacks 1 of 29 current units \({names[-1]}\)"):
        ps.loo_result("unbalanced")
    _fake_unit(study, names[-1], ishii, offset=0.0)
    result = ps.loo_result("unbalanced")
    assert result.model == "MINN-unbalanced" and list(result.predictions.index) == names
    per_sample = result.per_sample(ishii.reference)
    assert per_sample["MAE"].max() == pytest.approx(0.0)
    assert per_sample["L2"].tolist() == [1e-3] * len(names)
    assert result.extra["seconds"] == pytest.approx(12.0 * len(names))


def test_a_diverged_refit_is_stored_counted_and_named(store, ishii, monkeypatch):
    """A unit whose refit diverges is written (no prediction), counted apart by the table, and
    loo_result names it; the run does not abort."""
    import helpers.evaluation.minn_loo as minn_loo
    from helpers.minn import TrainingDivergedError

    def diverges(*args, **kwargs):
        raise TrainingDivergedError("epoch 3, step 1: the mechanistic loss is inf (member 0)")

    monkeypatch.setattr(minn_loo, "evaluate_minn_fold", diverges)
    study, names = ps.get_study("gem-core-release"), ps.samples()
    path = ps.run_unit(study, names[0])
    unit = ps.read_unit(path)
    assert unit["diverged"].startswith("epoch 3") and unit["prediction"] == {}
    assert ps.status(studies=["gem-core-release"]).iloc[0]["done"] == 1
    table, status = ps.paper_table("05_gem_choice")
    row = table.set_index("model").loc["e_coli_core (release layer step)"]
    assert (row["n_folds"], row["diverged"]) == (0, 1)
    assert status.diverged["e_coli_core (release layer step)"] == 1
    assert ("e_coli_core (release layer step): 0 of 29 folds (1 more diverged)"
            in store_caption("GEM choice", status))
    monkeypatch.setattr(inputs, "samples", lambda: names[:2])  # one fold of two diverged
    _fake_unit(study, names[1], ishii)
    partial = ps.loo_result("gem-core-release")
    assert list(partial.predictions.index) == [names[1]]
    assert partial.extra["diverged"]["samples"] == [names[0]]
    assert "diverged in 1 of 2 outer folds" in partial.extra["diverged"]["message"]
    assert "shown with the other 1 folds" in partial.extra["diverged"]["message"]
    monkeypatch.setattr(inputs, "samples", lambda: names[:1])  # every fold diverged: no result
    with pytest.raises(TrainingDivergedError, match=rf"diverged in 1 of 1 outer folds \({names[0]}\)"):
        ps.loo_result("gem-core-release")
    with pytest.raises(ps.StoreError, match="lacks 1 of 1 current units"):
        ps.loo_results("05_gem_choice")  # the other GEMs have no unit
    for key in ps.TABLES["05_gem_choice"][1][:2]:  # two complete one-fold studies
        other = ps.get_study(key)
        content = {
            "unit": {"chapter": other.chapter, "study": key, "label": other.label,
                     "sample": names[0], "fold": 0},
            "protocol_hash": ps.protocol_hash(other),
            "prediction": ishii.reference[list(inputs.shared_ids().index)].loc[names[0]].to_dict(),
            "metrics": {"L2": 1e-3}, "chosen": {}, "inner_cv": [], "seconds": 1.0,
            "provenance": {"git_commit": "f00"},
        }
        content["checksum"] = units.checksum(content)
        ps.write_unit(content, ps.unit_path(other, names[0]))
    monkeypatch.setitem(ps.TABLES, "05_gem_choice",
                        ("table2", ps.TABLES["05_gem_choice"][1][:2] + ["gem-core-release"]))
    results, diverged = ps.loo_results("05_gem_choice")
    assert sorted(results) == ["e_coli_core (matched layer step)", "iAF1260 FVA-reduced"]
    assert list(diverged) == ["e_coli_core (release layer step)"]


def test_paired_tests_over_common_folds_or_too_few(store, ishii):
    names = ps.samples()
    for k, sample in enumerate(names[:8]):
        _fake_unit(ps.get_study("c-balanced"), sample, ishii, offset=0.05)
        _fake_unit(ps.get_study("MSE-base"), sample, ishii, offset=0.2 + 0.01 * k)
    _fake_unit(ps.get_study("unbalanced"), names[0], ishii)
    tests = ps.paired_tests("03_minn_vs_ml", [("MINN-c-balanced", "MINN-MSE-base"),
                                               ("MINN-c-balanced", "MINN-unbalanced")])
    first, second = tests.iloc[0], tests.iloc[1]
    assert first["n_pairs"] == 8 and first["wins_a"] == 8 and first["verdict"] == "helps"
    assert first["p_value"] == pytest.approx(2 / 2**8)  # exact two-sided, all 8 one way
    assert second["n_pairs"] == 1 and second["verdict"] == "too few folds"
    # one call is one family: Holm over the tested rows only, the means' direction beside
    assert first["p_holm"] == pytest.approx(first["p_value"]) and first["mean_better_a"]
    assert np.isnan(second["p_holm"])
    both = ps.paired_tests("03_minn_vs_ml", [("MINN-c-balanced", "MINN-MSE-base")],
                           metric=["NE", "MAE"])
    assert list(both["metric"]) == ["NE", "MAE"]
    assert both["p_holm"].tolist() == pytest.approx([2 * 2 / 2**8] * 2)
    assert (both["verdict"] == "helps").all()  # 0.016 < 0.05 after adjustment too


def _notebook_variants(chapter: str) -> dict[str, str]:
    """The ``variants = {label: variant}`` dict a chapter's source defines."""
    import ast

    import nbformat

    notebook = nbformat.read(ps.ROOT / "notebooks" / f"{chapter}.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                    and [getattr(t, "id", None) for t in node.targets] == ["variants"]):
                return ast.literal_eval(node.value)
    raise AssertionError(f"{chapter} defines no `variants = {{...}}` dict")


def test_chapter_04_reads_every_table3_row_from_the_store_by_its_label(store, ishii, monkeypatch):
    """At the paper profile chapter 04 takes Table 3's rows from ``loo_results`` by the labels
    of its ``variants`` dict: the store's studies must carry the same labels, in the same order,
    with the same variants, and the FBA-fit row must be the study trained on FBA-fit targets.
    A missing unit is a StoreError naming it; each fold's choice is ready for the refit of the
    training-curve figure."""
    from helpers.evaluation.minn_loo import fold_params

    variants = _notebook_variants("04_conflicting_losses")
    studies = [ps.get_study(key) for key in ps.TABLES["04_conflicting_losses"][1]]
    assert [s.label for s in studies] == list(variants)
    assert {s.label: s.variant for s in studies} == variants
    assert [s.label for s in studies if s.targets == "fba_fit"] == ["MINN-c-balanced FBA fit"]
    names = ps.samples()[:2]
    monkeypatch.setattr(inputs, "samples", lambda: names)
    monkeypatch.setattr(inputs, "targets", lambda kind: ishii.reference)  # no FBA-fit QP here
    for study in studies:
        _fake_unit(study, names[0], ishii)
        if study.key != "loss-balancing":
            _fake_unit(study, names[1], ishii)
    with pytest.raises(ps.StoreError, match=rf"'loss-balancing' lacks 1 of 2 current units "
                                            rf"\({names[1]}\)"):
        ps.loo_results("04_conflicting_losses")
    _fake_unit(studies[-1], names[1], ishii)
    results, diverged = ps.loo_results("04_conflicting_losses")
    assert list(results) == list(variants) and not diverged
    fit = results["MINN-c-balanced FBA fit"]
    assert list(fit.predictions.columns) == list(ishii.reference.columns)
    assert fit.extra["seconds"] == pytest.approx(24.0)
    assert fold_params(results["MINN-bound"].chosen[0]) == {"c": 30.0}


def test_every_stored_units_choice_can_be_refitted():
    """The training-curve refit of chapter 04 passes a stored unit's ``chosen`` on as
    hyper-parameters: every unit in the repository's store holds only known ones."""
    from helpers.evaluation.minn_loo import fold_params

    paths = sorted((ps.ROOT / "results" / "paper").glob("*/*/*.json"))
    assert paths, "the repository's results store is empty"
    for path in paths:
        content = ps.read_unit(path)
        if content["unit"].get("method") == "MOME":
            continue  # a MOME unit has no hyper-parameters (tests/test_paper_store_mome.py)
        if "diverged" not in content:
            params = fold_params(content["chosen"])
            assert {"hidden", "dropout", "lr", "weight_decay"} <= set(params), path


def test_an_unreadable_unit_is_counted_stale_not_a_crash(store, ishii):
    """per_sample / paper_table count a corrupt unit file as not used ("stale"), status as
    invalid: the same scan state."""
    study, names = ps.get_study("c-balanced"), ps.samples()
    for sample in names[:2]:
        _fake_unit(study, sample, ishii, offset=0.0)
    broken = _fake_unit(study, names[2], ishii)
    broken.write_text(broken.read_text()[:40])  # truncated: read_unit raises StoreError
    frame, info = ps.per_sample("03_minn_vs_ml")
    assert info["MINN-c-balanced"]["n_folds"] == 2 and info["MINN-c-balanced"]["stale"] == 1
    assert sorted(frame.loc[frame["model"] == "MINN-c-balanced", "sample"]) == sorted(names[:2])
    table, status = ps.paper_table("03_minn_vs_ml")
    assert table.set_index("model").loc["MINN-c-balanced", "stale"] == 1
    assert status.stale == 1
    row = ps.status(studies=["c-balanced"]).iloc[0]  # status tells invalid from stale
    assert (row["stale"], row["invalid"]) == (0, 1)


def test_a_one_fold_row_has_no_sd(store, ishii):
    """One fold has no spread: its sd is missing (shown as the mean alone), never 0."""
    names = ps.samples()
    _fake_unit(ps.get_study("c-balanced"), names[0], ishii, offset=0.1)
    for sample in names[:2]:
        _fake_unit(ps.get_study("MSE-base"), sample, ishii, offset=0.1)
    row = ps.paper_table("03_minn_vs_ml")[0].set_index("model")
    one, two = row.loc["MINN-c-balanced"], row.loc["MINN-MSE-base"]
    assert one["n_folds"] == 1 and one["NE_mean"] > 0
    assert all(np.isnan(one[f"{m}_sd"]) for m in ["R2", "MAE", "RMSE", "NE", "L2"])
    assert two["n_folds"] == 2 and not np.isnan(two["NE_sd"])


# ----- reliability: misplaced units, claims, orphans, temporary files, arguments ---------------

def test_a_misplaced_unit_is_refused_by_name_and_counted_invalid(store, ishii):
    """A valid unit copied under another sample's name (REF over pgi) is refused by read_unit
    with its file named; status counts it invalid, the tables do not use it, loo_result names
    it instead of returning REF twice."""
    study, names = ps.get_study("c-balanced"), ps.samples()
    for sample in names:
        _fake_unit(study, sample, ishii, offset=0.0)
    ref, other = ps.unit_path(study, names[0]), ps.unit_path(study, names[1])
    other.write_bytes(ref.read_bytes())
    with pytest.raises(ps.StoreError, match=rf"{names[1]}.json holds the unit "
                                            rf"03_minn_vs_ml/c-balanced/{names[0]}"):
        ps.read_unit(other)
    row = ps.status(studies=["c-balanced"]).iloc[0]
    assert (row["done"], row["stale"], row["invalid"], row["missing"]) == (28, 0, 1, 0)
    assert ps.pending(studies=["c-balanced"]) == [(study, names[1])]
    table, status = ps.paper_table("03_minn_vs_ml")
    assert table.set_index("model").loc["MINN-c-balanced", "n_folds"] == 28
    assert status.stale == 1
    with pytest.raises(ps.StoreError, match=rf"lacks 1 of 29 current units \({names[1]}\); "
                                            r"1 invalid, first: Unit file .*misplaced"):
        ps.loo_result("c-balanced")


def test_loo_result_fills_search_and_refit_seconds_only_from_the_units(store, ishii, monkeypatch):
    """Units that time the whole fold only give NaN search/refit seconds (never the total);
    units that time them apart give their sums."""
    study, names = ps.get_study("unbalanced"), ps.samples()[:2]
    monkeypatch.setattr(inputs, "samples", lambda: names)
    for sample in names:
        _fake_unit(study, sample, ishii)
    extra = ps.loo_result("unbalanced").extra
    assert extra["seconds"] == pytest.approx(24.0) and extra["timing"] == "total only"
    assert np.isnan(extra["search_seconds"]) and np.isnan(extra["refit_seconds"])
    for sample in names:
        content = ps.read_unit(ps.unit_path(study, sample))
        content.update(search_seconds=10.0, refit_seconds=2.0)
        del content["checksum"]
        content["checksum"] = units.checksum(content)
        ps.write_unit(content, ps.unit_path(study, sample))
    extra = ps.loo_result("unbalanced").extra
    assert (extra["search_seconds"], extra["refit_seconds"]) == (20.0, 4.0)
    assert extra["timing"] == "search and refit"


def _fake_run_unit(study, sample, seed, device):
    """A stand-in unit function: records the call, writes nothing."""
    calls = units.store_dir() / "calls"
    calls.mkdir(parents=True, exist_ok=True)
    (calls / f"{study.key}-{sample}").write_text(str(seed))
    return ps.unit_path(study, sample)


def test_a_unit_claimed_by_a_live_process_is_not_computed_twice(store, ishii, monkeypatch):
    import subprocess
    import sys

    study, names = ps.get_study("MSE-base"), ps.samples()[:3]
    monkeypatch.setattr(inputs, "samples", lambda: names)
    held = runner.claim(study, names[0])
    assert held is not None and held.name == f".{names[0]}.claim"
    assert runner.claim(study, names[0]) is None  # this process holds it: no second claim
    runner.release(held)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = runner.claim_path(study, names[0])
        live.write_text(f"{sleeper.pid} {__import__('socket').gethostname()}\n")
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout.strip()
        runner.claim_path(study, names[1]).write_text(f"{dead} "
                                                      f"{__import__('socket').gethostname()}\n")
        n = ps.run(studies=["MSE-base"], n_jobs=1, unit_fn=_fake_run_unit, verbose=False)
        computed = sorted(p.name for p in (store / "calls").iterdir())
        assert n == 2 and computed == [f"MSE-base-{names[1]}", f"MSE-base-{names[2]}"]
        assert live.exists()  # the live claim is left alone
        assert not runner.claim_path(study, names[1]).exists()  # the dead one taken over, released
    finally:
        sleeper.kill()
        sleeper.wait()


def test_temporary_files_are_removed_and_ignored_and_units_are_0644(store, ishii):
    import os
    import stat
    import subprocess
    import time

    study, sample = ps.get_study("c-balanced"), ps.samples()[0]
    path = _fake_unit(study, sample, ishii)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    left = path.with_name(f".{sample}.k2j4x9_a.tmp")
    writing = path.with_name(f".{ps.samples()[1]}.b7c1m0qz.tmp")  # a write in progress
    for tmp in (left, writing):
        tmp.write_text("{")
    os.utime(left, (time.time() - 3600,) * 2)  # a killed write of an hour ago
    assert ps.run(studies=["c-balanced"], limit=0, verbose=False) == 0
    assert not left.exists() and writing.exists() and path.exists()
    for name in ["results/paper/03_minn_vs_ml/c-balanced/.REF.abc12345.tmp",
                 "results/paper/03_minn_vs_ml/c-balanced/.REF.claim"]:
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ps.ROOT)
        assert ignored.returncode == 0, name


@pytest.mark.parametrize("argv, message", [
    (["--limit", "-1"], "error: The limit must be a number of units >= 0; got -1."),
    (["--device", "junk"], "error: Unknown device 'junk'"),
])
def test_paper_run_refuses_bad_arguments_with_one_error_line(store, argv, message, capsys):
    from helpers.book.__main__ import main

    assert main(["paper", "run", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and "Traceback" not in err


_ORPHAN_SCRIPT = """
import os, sys, time
from pathlib import Path
from helpers.book import paper

def slow(study, sample, seed, device):
    Path(sys.argv[1], str(os.getpid())).write_text("")
    time.sleep(120)

paper.run(studies=["c-balanced"], n_jobs=2, limit=2, unit_fn=slow, verbose=False)
"""


def _alive(pid: int) -> bool:
    from pathlib import Path

    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def test_workers_stop_when_the_runner_is_killed(store, tmp_path):
    """SIGKILL of the runner of ``paper run``: its workers exit within seconds, not on their
    own time (no orphan computes and writes units after its parent died)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    marks = tmp_path / "marks"
    marks.mkdir()
    parent = subprocess.Popen([sys.executable, "-c", _ORPHAN_SCRIPT, str(marks)],
                              cwd=ps.ROOT, env=os.environ.copy())
    try:
        deadline = time.time() + 120
        while len(list(marks.iterdir())) < 2 and time.time() < deadline:
            assert parent.poll() is None, "the runner ended early"
            time.sleep(0.5)
        workers = [int(p.name) for p in marks.iterdir()]
        assert len(workers) == 2 and parent.pid not in workers
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.time() + 15
    while any(_alive(pid) for pid in workers) and time.time() < deadline:
        time.sleep(0.5)
    alive = [pid for pid in workers if _alive(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"orphan workers {alive} still ran after their runner was killed"

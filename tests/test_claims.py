"""The claims ledger (helpers.book.claims, appendix 11_claims_ledger): verdicts from the tables."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from helpers.book import claim_checks as cc
from helpers.book import execution_cache as ec
from helpers.book.claims import CLAIMS, Claim, ledger, run_claim, verdict_counts
from helpers.book.notebooks import SOURCES, chapters_in_toc

RESERVOIR, PFBA = "MINN-reservoir + pFBA", "pFBA (FBA-reduced GEM)"


@pytest.fixture
def tables(tmp_path, monkeypatch):
    """An empty tables folder (``$MINNBOOK_TABLES``) and a writer of small CSVs into it."""
    monkeypatch.setenv("MINNBOOK_TABLES", str(tmp_path))

    def write(name: str, rows: list[dict]) -> None:
        pd.DataFrame(rows).assign(profile="quick", seed=0).to_csv(tmp_path / f"{name}.csv",
                                                                  index=False)
    return write


def _claim(claim_id: str) -> Claim:
    return next(c for c in CLAIMS if c.id == claim_id)


def _test_row(a, b, mean_a, mean_b, p_holm, metric="NE"):
    return {"a": a, "b": b, "metric": metric, "n_folds": 29, "mean_a": mean_a, "mean_b": mean_b,
            "p_value": p_holm / 4, "p_holm": p_holm, "verdict": "x"}


@pytest.mark.parametrize(("mean_a", "p_holm", "verdict"), [
    (0.25, 0.01, cc.CONFIRMED),         # reservoir lower NE, adjusted p < 0.05
    (0.35, 0.01, cc.CONTRADICTED),      # reservoir higher NE, adjusted p < 0.05
    (0.25, 0.20, cc.NOT_SIGNIFICANT),   # raw p 0.05, adjusted 0.2: the adjusted p decides
])
def test_paired_claim_verdict_uses_the_adjusted_p(tables, mean_a, p_holm, verdict):
    tables("table4_reservoir_tests", [_test_row(RESERVOIR, PFBA, mean_a, 0.30, p_holm)])
    got, evidence = run_claim(_claim("minn-t4-reservoir"))
    assert got == verdict
    assert "Holm-adjusted p" in evidence and "table4_reservoir_tests" in evidence


def test_pair_listed_the_other_way_round_and_raw_p_is_said(tables):
    row = _test_row(PFBA, RESERVOIR, 0.30, 0.25, 0.01)
    del row["p_holm"]
    tables("table4_reservoir_tests", [row])
    verdict, evidence = run_claim(_claim("minn-t4-reservoir"))
    assert verdict == cc.CONFIRMED  # raw p 0.0025, reservoir (b here) lower
    assert "raw p" in evidence


def test_omics_controls_one_better_control_contradicts(tables):
    tables("table4_reservoir_tests", [
        _test_row("pFBA + CO₂ cap 0", RESERVOIR, 0.9, 0.25, 1e-6),      # reservoir better
        _test_row("pFBA + acetate cap 0", RESERVOIR, 0.253, 0.25, 0.9),  # no difference
    ])
    assert run_claim(_claim("minn-t4-omics"))[0] == cc.NOT_SIGNIFICANT
    tables("table4_reservoir_tests", [
        _test_row("pFBA + CO₂ cap 0", RESERVOIR, 0.9, 0.25, 1e-6),
        _test_row("pFBA + acetate cap 0", RESERVOIR, 0.20, 0.25, 0.01),  # control better
    ])
    assert run_claim(_claim("minn-t4-omics"))[0] == cc.CONTRADICTED


@pytest.mark.parametrize(("holds", "p", "verdict"), [
    (True, 0.01, cc.CONFIRMED), (False, 0.01, cc.CONTRADICTED), (True, 0.6, cc.NOT_SIGNIFICANT)])
def test_findings_of_chapter_04(tables, holds, p, verdict):
    tables("table3_findings", [{"key": "scheduler_l2", "finding": "f", "measured": "scheduler 1",
                                "against": "bound 2", "means_agree": holds, "p_value": p}])
    assert run_claim(_claim("minn-t3-scheduler"))[0] == verdict


def test_findings_as_data_columns(tables):
    """chapter 04's findings table gives models and values in their own columns."""
    tables("table3_findings", [{"key": "scheduler_l2", "finding": "f", "model": "scheduler",
                                "value": 0.0452, "against": "bound", "against_value": 0.056,
                                "means_agree": True, "p_value": 0.01}])
    verdict, evidence = run_claim(_claim("minn-t3-scheduler"))
    assert verdict == cc.CONFIRMED and evidence.startswith("scheduler 0.0452 vs bound 0.056")


def test_paper_protocol_findings_are_read_before_the_quick_ones(tables):
    row = {"key": "rmse", "finding": "f", "measured": "a", "against": "b", "p_value": 0.01}
    tables("table3_findings", [{**row, "holds": True}])
    tables("table3_findings_paper", [{**row, "holds": False}])
    verdict, evidence = run_claim(_claim("minn-t3-rmse"))
    assert verdict == cc.CONTRADICTED and "table3_findings_paper" in evidence


def test_means_only_ranking_says_so(tables):
    rows = [{"model": m, "R2_mean": r2, "MAE_mean": e, "RMSE_mean": e, "NE_mean": e}
            for m, r2, e in [("MINN-c-balanced", 0.95, 0.4), ("pFBA", 0.8, 0.7)]]
    tables("table2_minn_vs_ml", rows)
    verdict, evidence = run_claim(_claim("minn-t2-pfba"))
    assert verdict == cc.CONFIRMED and "means only" in evidence


def test_review_family_from_the_verdict_table(tables):
    base = {"b": "early", "metric": "NE", "mean_a": 0.2, "mean_b": 0.3, "p_value": 0.01,
            "p_holm": 0.03}
    tables("table_beyond_verdicts", [
        {**base, "question": "integration", "a": "intermediate", "verdict": "helps"},
        {**base, "question": "integration", "a": "intermediate", "verdict": "inconclusive"},
        {**base, "question": "integration", "a": "late", "verdict": "does not help"},
    ])
    verdict, evidence = run_claim(_claim("review-intermediate"))
    assert verdict == cc.CONFIRMED and "2 paired tests" in evidence


def test_review_family_without_holm_column_is_adjusted_here(tables):
    rows = [{"question": "integration", "a": "intermediate", "b": "early", "metric": "NE",
             "mean_a": 0.2, "mean_b": 0.3, "median_difference": -0.1, "p_value": p,
             "verdict": "helps"} for p in (0.02, 0.03, 0.04)]  # raw p < 0.05, Holm: 0.06 each
    tables("table_beyond_verdicts", rows)
    verdict, evidence = run_claim(_claim("review-intermediate"))
    assert verdict == cc.NOT_SIGNIFICANT and "adjusted here over the table's 3 tests" in evidence


def test_missing_table_is_not_run(tables):
    verdict, evidence = run_claim(_claim("minn-t4-reservoir"))
    assert verdict == cc.NOT_RUN and "06_reservoir_pfba" in evidence


def test_empty_tables_folder_gives_not_run_or_a_reasoned_not_testable(tables):
    frame = ledger()
    assert set(frame["verdict"]) <= {cc.NOT_RUN, cc.NOT_TESTABLE}
    assert (frame.loc[frame["verdict"] == cc.NOT_TESTABLE, "evidence"].str.len() > 20).all()
    counts = verdict_counts(frame)
    assert list(counts) == list(cc.VERDICTS) and sum(counts.values()) == len(CLAIMS)


def test_a_table_without_the_row_is_a_clear_error(tables):
    tables("table4_reservoir_tests", [_test_row("other", PFBA, 0.2, 0.3, 0.01)])
    with pytest.raises(cc.ClaimTableError, match="minn-t4-reservoir.*table4_reservoir_tests"):
        run_claim(_claim("minn-t4-reservoir"))


def test_claim_ids_unique_papers_cited_chapters_in_toc_and_sections_exist():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    assert 15 <= len(CLAIMS) <= 40
    toc = set(chapters_in_toc())
    assert "11_claims_ledger" in toc and chapters_in_toc()[-1] == "11_claims_ledger"
    bib = (SOURCES.parent / "book" / "references.bib").read_text()
    for claim in CLAIMS:
        assert claim.chapter in toc, claim.id
        assert f"{{{claim.paper}," in bib, claim.id
        notebook = nbformat.read(SOURCES / f"{claim.chapter}.ipynb", as_version=4)
        headings = {m.group(1).strip() for cell in notebook.cells if cell.cell_type == "markdown"
                    for m in re.finditer(r"^#+ (.*)$", cell.source, re.M)}
        assert claim.section in headings, (claim.id, claim.section)


def test_ledger_page_runs_again_when_a_chapter_table_changes(tables, tmp_path):
    page = nbformat.read(SOURCES / "11_claims_ledger.ipynb", as_version=4)
    other = nbformat.read(SOURCES / "01_dataset.ipynb", as_version=4)
    assert ec.tables_read_hash(other) is None
    tables("table2_minn_vs_ml", [{"model": "x"}])
    before = ec.tables_read_hash(page)
    tables("claims_ledger", [{"id": "x"}])  # its own table: no new run
    assert ec.tables_read_hash(page) == before
    tables("table2_minn_vs_ml", [{"model": "y"}])
    assert ec.tables_read_hash(page) != before

"""Chapter 08's claims, tables and glued numbers (helpers.book.mome_study), on small made-up inputs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.book import mome_study as study


def _summary(distances: dict[str, float], axis_only: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows like :func:`study.search_organism`'s: model, utopia distance, only axis points."""
    return pd.DataFrame({"model": list(distances), "utopia_distance": list(distances.values()),
                         "only_axis_points": [m in axis_only for m in distances]})


PAPER_LIKE = {"yeast_7.6": 0.1, "iJO1366": 0.3, "iCA1273": 0.35, "iSB619": 0.4,
              "iRC1080": 0.9, "STM_v1_0": 0.8, "iMM904": 0.5}


def test_claims_hold_on_fronts_shaped_like_the_papers():
    summary = _summary(PAPER_LIKE, axis_only=("iCA1273",))
    claims = study.fig3_claims(summary)
    assert claims.columns.tolist() == ["claim", "ours", "verdict"]
    assert claims.verdict.tolist() == ["holds"] * 3
    assert claims.ours[0] == "closest: yeast_7.6 (distance 0.100)"
    assert claims.ours[1] == "iRC1080: rank 7 of 7, STM_v1_0: rank 6 of 7"
    assert claims.ours[2] == "only axis points"
    assert study.closest_to_utopia(summary) == "yeast_7.6"


def test_claims_fail_where_the_fronts_disagree():
    distances = {**PAPER_LIKE, "yeast_7.6": 0.6, "STM_v1_0": 0.2}  # S. enterica now 2nd of 7
    claims = study.fig3_claims(_summary(distances))
    assert claims.verdict.tolist() == ["does not hold"] * 3
    assert claims.ours[0].startswith("closest: STM_v1_0 ")
    assert claims.ours[1] == "iRC1080: rank 7 of 7, STM_v1_0: rank 1 of 7"
    assert claims.ours[2] == "has trade-off points"
    # the second claim needs both models among the `last` farthest fronts
    assert study.fig3_claims(_summary(PAPER_LIKE)).verdict[1] == "holds"
    assert study.fig3_claims(_summary(PAPER_LIKE), last=1).verdict[1] == "does not hold"


def test_claims_with_models_missing_do_not_hold_and_rank_only_what_ran():
    summary = _summary({"iMM904": 0.2, "iJO1366": 0.5, "iRC1080": 0.9})
    claims = study.fig3_claims(summary)
    assert claims.verdict.tolist() == ["holds", "does not hold", "does not hold"]  # iMM904: yeast
    assert claims.ours[1] == "iRC1080: rank 3 of 3"
    assert study.closest_to_utopia(summary) == "iMM904"


def _run(organism: str, medium: str, table: pd.DataFrame | None = None, **counts):
    """What the helpers read of a :class:`helpers.book.mome_designs.ConstrainedRun`."""
    return SimpleNamespace(organism=organism, medium=medium, medium_text=f"{medium} (words)",
                           table=table, counts=counts)


def test_constrained_setups_table_one_row_per_run_counts_as_columns():
    runs = [_run("iJO1366", "LB", wt_biomass=0.5, essential=300),
            _run("yeast_7.6", "SD", wt_biomass=0.1, essential=1000)]
    table = study.constrained_setups_table(runs)
    assert table.columns.tolist() == ["model", "medium", "medium_definition", "wt_biomass",
                                      "essential"]
    assert table.model.tolist() == ["iJO1366", "yeast_7.6"]
    assert table.medium_definition[1] == "SD (words)" and table.essential[1] == 1000
    assert set(study.CONSTRAINED_SETUP_COLUMNS) >= {"model", "medium", "essential"}


def test_setup_prefix_drops_dots_for_glue_names():
    assert study.setup_prefix("yeast_7.6", "SD") == "yeast_76_SD_"
    assert study.setup_prefix("iJO1366", "anaerobic") == "iJO1366_anaerobic_"


def _case():
    table = pd.DataFrame({"knockouts": [1, 2, 3], "product_guaranteed": [0.0, 29.87, 31.0],
                          "genes": ["", "adhE, mhpF", "adhE, mhpF, ldhA"],
                          "biomass_pct_of_wt": [100.0, 99.0, 92.5]})
    runs = [_run("iJO1366", "anaerobic", table.iloc[:1], isozyme_cuts=1,
                 wt_product_guaranteed=8.0),
            _run("iJO1366", "LB", table, isozyme_cuts=12, wt_product_guaranteed=0.0)]
    vs_exact = pd.DataFrame({
        "model": ["iJO1366"] * 4, "medium": ["anaerobic", "anaerobic", "LB", "LB"],
        "max_knockouts": [1, 2, 1, 2], "search_product": [8.0, 9.0, 0.0, 29.87],
        "exact_product": [8.0, 9.5, 0.0, 29.87], "exact_strains": [700, 9000, 1000, 21000],
        "exact_s": [3.0, 200.0, 4.0, 300.0]})
    return runs, vs_exact


def test_search_vs_exact_case_reads_the_named_set_up():
    runs, vs_exact = _case()
    case = study.search_vs_exact_case(runs, vs_exact, "iJO1366", "LB")
    assert case == {"exact_1": 0.0, "exact_strains": 1000, "exact_s": 4.0, "cuts": 12,
                    "search_best": 31.0, "search_genes": "adhE, mhpF, ldhA",
                    "search_2": 29.87, "search_2_genes": "adhE, mhpF", "search_pct": 92.5,
                    "wt_ethanol": 0.0}
    one = study.search_vs_exact_case(runs, vs_exact, "iJO1366", "LB", cheap=1)
    assert one["search_2"] == 0.0 and one["search_2_genes"] == "the wild type"
    other = study.search_vs_exact_case(runs, vs_exact, "iJO1366", "anaerobic")
    assert other["exact_strains"] == 700 and other["search_genes"] == "the wild type"
    with pytest.raises(ValueError, match="No constrained run for organism 'iZ_1308' in medium 'LB'"):
        study.search_vs_exact_case(runs, vs_exact, "iZ_1308", "LB")
    no_exact = vs_exact[~((vs_exact.model == "iJO1366") & (vs_exact.medium == "LB"))]
    with pytest.raises(ValueError, match="no row for 'iJO1366' in 'LB' at one knock-out"):
        study.search_vs_exact_case(runs, no_exact, "iJO1366", "LB")


def test_best_known_constrained_takes_the_enumeration_where_it_beats_the_search():
    comparison = pd.DataFrame({
        "model": ["iJO1366", "iJO1366"], "medium": ["anaerobic", "LB"],
        "wt_biomass": [0.25, 5.0], "wt_product_guaranteed": [8.0, 0.0],
        "best_ethanol": [8.32, 30.2], "best_knockouts": [2, 5],
        "best_biomass_pct_of_wt": [99.5, 100.0]})
    vs_exact = pd.DataFrame({
        "model": ["iJO1366"] * 4, "medium": ["anaerobic", "anaerobic", "LB", "LB"],
        "max_knockouts": [1, 2, 1, 2], "exact_product": [9.33, 9.33, 0.0, 29.87],
        "exact_biomass": [0.235, 0.235, 5.0, 5.0], "exact_genes": ["pntB", "pntB, sthA", "", "adhE, mhpF"]})
    known = study.best_known_constrained(comparison, vs_exact).set_index("medium")
    assert known.best_known_source["anaerobic"] == "enumeration"
    assert known.best_known_ethanol["anaerobic"] == 9.33
    assert known.best_known_knockouts["anaerobic"] == 1  # the cheapest budget on a tie (not 2 genes)
    assert known.best_known_biomass_pct_of_wt["anaerobic"] == pytest.approx(94.0)
    assert known.change_vs_wt_guaranteed_pct["anaerobic"] == pytest.approx(16.625)
    assert known.best_known_source["LB"] == "search"
    assert known.best_known_ethanol["LB"] == 30.2 and known.best_known_knockouts["LB"] == 5
    assert np.isnan(known.change_vs_wt_guaranteed_pct["LB"])


def test_claims_by_seed_judge_only_complete_seeds():
    def rows(seed, distances, axis_only=()):
        return _summary(distances, axis_only).rename(columns={"model": "setup"}).assign(
            seed=seed)

    other = {**PAPER_LIKE, "yeast_7.6": 0.6, "STM_v1_0": 0.2}
    partial = {"iMM904": 0.1, "iJO1366": 0.5}
    summaries = pd.concat([rows(0, PAPER_LIKE, ("iCA1273",)), rows(1, other),
                           rows(2, partial)])
    claims = study.fig3_claims_by_seed(summaries, list(PAPER_LIKE))
    assert claims.columns.tolist() == ["claim", "verdict_seed_0", "verdict_seed_1", "holds",
                                       "seeds"]
    assert claims.verdict_seed_0.tolist() == ["holds"] * 3
    assert claims.verdict_seed_1.tolist() == ["does not hold"] * 3
    assert claims.holds.tolist() == [1, 1, 1] and (claims.seeds == 2).all()
    none = study.fig3_claims_by_seed(rows(2, partial), list(PAPER_LIKE))
    assert none.columns.tolist() == ["claim", "holds", "seeds"]
    assert (none.holds == 0).all() and (none.seeds == 0).all() and len(none) == 3
    empty = study.fig3_claims_by_seed(pd.DataFrame(columns=["setup", "seed"]), list(PAPER_LIKE))
    assert (empty.seeds == 0).all()


def test_constrained_store_table_summarises_seeds_beside_wild_type_and_paper():
    summaries = pd.DataFrame({
        "setup": ["A (constrained)"] * 2 + ["B (constrained)"], "seed": [0, 1, 0],
        "strains": [9000, 9200, 9100], "best_constrained": [9.5, 9.7, 3.3],
        "best_change_pct": [18.0, 20.0, np.nan], "best_knockouts": [8, 10, 5],
        "best_biomass_pct_of_wt": [90.2, 90.6, 96.0]})
    setups = {"A (constrained)": ("iJO1366", "anaerobic"), "B (constrained)": ("iJO1366", "LB")}
    comparison = pd.DataFrame({
        "model": ["iJO1366", "iJO1366"], "medium": ["anaerobic", "LB"],
        "wt_product_guaranteed": [8.0, 0.0], "paper_change_pct": [195.2, 228.0],
        "paper_best_ethanol": [6.2, 82.3]})
    table = study.constrained_store_table(summaries, setups, comparison).set_index("setup")
    a, b = table.loc["A (constrained)"], table.loc["B (constrained)"]
    assert (a.seeds, a.strains, a.best_constrained, a.best_change_pct) == (2, 9100, 9.6, 19.0)
    assert (a.knockouts_min, a.knockouts_max, a.biomass_pct_min, a.biomass_pct_max) == (
        8, 10, 90.2, 90.6)
    assert a.wt_ferments and not b.wt_ferments and b.paper_best_ethanol == 82.3
    assert np.isnan(b.best_change_pct) and a.paper_change_pct == 195.2
    with pytest.raises(ValueError, match=r"set-ups \['B \(constrained\)'\] have no"):
        study.constrained_store_table(summaries, {"A (constrained)": setups["A (constrained)"]},
                                      comparison)
    with pytest.raises(ValueError, match=r"constrained_store_table: the table lacks the "
                                         r"column\(s\) \['strains'\]"):
        study.constrained_store_table(summaries.drop(columns="strains"), setups, comparison)

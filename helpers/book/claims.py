"""The claims ledger (appendix ``11_claims_ledger``): every checkable claim of the papers, judged.

Each :class:`Claim` names the paper (its bibliography key), the claim in a short quote or
paraphrase with where the paper makes it, the chapter and section where the book tests it, and a
check that reads the chapters' CSV tables (:mod:`helpers.book.claim_checks`) and returns the
verdict and its evidence. :func:`ledger` runs every check: a claim whose table was never written
gets "not run"; "not testable" is only given with its reason. Nothing is computed here that the
chapters did not already write, so the ledger changes when the chapters' results change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from helpers.book import claim_checks as cc

Check = Callable[[], tuple[str, str]]
MINN, MOME, REVIEW = "tazza2025minn", "patane2019mome", "wu2025review"
T3 = ("table3_findings_paper", "table3_findings")  # paper-protocol findings first, then quick
#: Relative distance within which a paper's number counts as reproduced.
CLOSE = 0.10


@dataclass(frozen=True)
class Claim:
    """One claim of a paper and where and how the book checks it."""

    id: str
    paper: str
    claim: str
    source: str
    chapter: str
    section: str
    check: Check


def not_testable(reason: str) -> Check:
    """A check that always answers 'not testable', with ``reason`` as its evidence."""
    return lambda: (cc.NOT_TESTABLE, reason)


def _close(ours: float, paper: float) -> bool:
    return abs(ours - paper) <= CLOSE * abs(paper)


def _lp(holds: bool, evidence: str, name: str) -> tuple[str, str]:
    """A claim about model values or one seeded search (no folds to test over)."""
    return ((cc.CONFIRMED if holds else cc.CONTRADICTED),
            f"{evidence} (computed values, no statistical test) [{name}]")


def _table2_pair(other: str) -> Check:
    def check() -> tuple[str, str]:
        try:
            return cc.paired("table2_paper_tests", "MINN-c-balanced", other, "NE")
        except cc.MissingTable:
            return cc.ranking("table2_minn_vs_ml", "MINN-c-balanced", [other], ["NE"])
    return check


def _gem_size(prefix: str, paper: int) -> Check:
    def check() -> tuple[str, str]:
        name = "table1_gems"
        frame = cc.table(name)
        rows = frame[frame["gem"].astype(str).str.startswith(prefix)]
        if rows.empty:
            raise cc.ClaimTableError(f"Table {name!r} has no GEM starting with {prefix!r}.")
        found = rows.iloc[0]
        ours = int(found["reactions"])
        return _lp(ours == paper, f"{found['gem']}: {ours} reactions, paper {paper}", name)
    return check


def _gem_mean(model: str, reference: str, metric: str, *, larger: bool) -> Check:
    """Claim: ``model``'s mean ``metric`` is larger (``larger``) / smaller than ``reference``'s."""
    def check() -> tuple[str, str]:
        name = "table_gem_choice"
        frame = cc.table(name)
        ours = cc.value(frame, name, f"{metric}_mean", model=model)
        ref = cc.value(frame, name, f"{metric}_mean", model=reference)
        holds = ours > ref if larger else ours < ref
        return cc.means_verdict(holds, f"{metric}: {model} {cc.fmt(ours)} vs {reference} "
                                f"{cc.fmt(ref)}", name)
    return check


def _omics_controls() -> tuple[str, str]:
    """Table 4: the reservoir row against every omics-free control (the controls are ``a``)."""
    name = "table4_reservoir_tests"
    frame = cc.table(name)
    rows = frame[(frame["b"] == "MINN-reservoir + pFBA") & (frame["metric"] == "NE")]
    if rows.empty:
        raise cc.ClaimTableError(f"Table {name!r} has no control rows against the reservoir.")
    verdicts, parts = [], []
    for _, test in rows.iterrows():
        p, label = cc.adjusted_p(test)
        reservoir_better = float(test["mean_b"]) < float(test["mean_a"])
        verdicts.append(cc.better_verdict(reservoir_better, p))
        parts.append(f"{test['a']} {cc.fmt(float(test['mean_a']))} (p {cc.fmt(p)})")
    verdict = (cc.CONTRADICTED if cc.CONTRADICTED in verdicts
               else cc.CONFIRMED if set(verdicts) == {cc.CONFIRMED} else cc.NOT_SIGNIFICANT)
    reservoir = cc.fmt(float(rows["mean_b"].iloc[0]))
    return verdict, (f"NE: reservoir {reservoir} vs omics-free controls " + "; ".join(parts)
                     + f"; paired Wilcoxon, {label} [{name}]")


def _mome_best(paper: float) -> tuple[str, str]:
    name = "mome_best_strains"
    frame = cc.table(name)
    best = frame.loc[frame["product_guaranteed"].astype(float).idxmax()]
    ours = float(best["product_guaranteed"])
    return _lp(_close(ours, paper), f"best guaranteed ethanol {cc.fmt(ours)} mmol/gDW/h "
               f"({cc.fmt(float(best['product_change_pct']))} % vs wild type) at biomass "
               f"{cc.fmt(float(best['biomass']))}; paper {paper} (+832.88 %)", name)


def _mome_overproduction() -> tuple[str, str]:
    name = "mome_best_strains"
    frame = cc.table(name)
    growing = frame[(frame["biomass"].astype(float) > 0)
                    & (frame["product_change_pct"].astype(float) > 0)]
    return _lp(not growing.empty, f"{len(growing)} of {len(frame)} listed strains grow and make "
               "more guaranteed ethanol than the wild type", name)


def _mome_paper_strain(strain: str, paper: float) -> Check:
    def check() -> tuple[str, str]:
        name = "mome_paper_comparison"
        frame = cc.table(name)
        ours = cc.value(frame, name, "product_guaranteed", strain=strain, medium="anaerobic")
        return _lp(_close(ours, paper), f"{strain} (anaerobic): guaranteed ethanol "
                   f"{cc.fmt(ours)}, paper {paper}", name)
    return check


def _mome_costs() -> tuple[str, str]:
    name = "mome_exact_costs"
    frame = cc.table(name)
    over = frame[frame["exact_cost"].astype(float) < frame["paper_recursion"].astype(float)]
    return _lp(over.empty, f"{len(over)} of the {len(frame)} gene sets listed cost more by the "
               "recursion than the fewest genes that block them", name)


def _mome_organisms(words: str) -> Check:
    def check() -> tuple[str, str]:
        name = "mome_organisms_claims"
        frame = cc.table(name)
        rows = frame[frame["claim"].astype(str).str.contains(words, regex=False)]
        if rows.empty:
            raise cc.ClaimTableError(f"Table {name!r} has no claim containing {words!r}.")
        found = rows.iloc[0]
        holds = str(found["verdict"]).strip() == "holds"
        return _lp(holds, f"{found['ours']}; chapter's verdict: {found['verdict']}", name)
    return check


def _mome_constrained(column: str, paper_text: str, test: Callable[[float], bool]) -> Check:
    def check() -> tuple[str, str]:
        name = "mome_constrained_vs_paper"
        frame = cc.table(name)
        ours = cc.value(frame, name, column, model="iJO1366", medium="anaerobic")
        return _lp(test(ours), f"iJO1366 anaerobic {column.replace('_', ' ')} "
                   f"{cc.fmt(ours)}; paper {paper_text}", name)
    return check


def _beyond(question: str, a_contains: str, fallback: str | None) -> Check:
    return lambda: cc.family("table_beyond_verdicts", question, a_contains, fallback)


_M3, _M4, _M5, _M6 = "03_minn_vs_ml", "04_conflicting_losses", "05_gem_choice", "06_reservoir_pfba"
_O7, _O8, _O9, _B10 = ("07_mome_ethanol", "08_mome_organisms_and_constraints",
                       "09_mome_redirector", "10_beyond")
_FINDINGS = "Do the paper's findings hold?"

#: The catalogue, in the order the ledger lists it.
CLAIMS: tuple[Claim, ...] = (
    Claim("minn-gem-fva", MINN, "The FVA-reduced iAF1260 has 1873 (split) reactions",
          "Table 1", "02_gem_preparation", "Table 1", _gem_size("iAF1260 FVA-reduced", 1873)),
    Claim("minn-gem-fba", MINN, "The FBA-reduced iAF1260 has 587 (split) reactions",
          "Table 1", "02_gem_preparation", "Table 1",
          _gem_size("iAF1260 FBA-reduced (", 587)),
    Claim("minn-t2-best", MINN, "MINN-c-balanced has the lowest MAE and RMSE of Table 2 (RF, NN, "
          "pFBA and the other MINN variants)", "Table 2, Section 3.1", _M3, "Table 2",
          lambda: cc.ranking("table2_minn_vs_ml", "MINN-c-balanced",
                             ["RF", "NN", "pFBA", "MINN-MSE-base", "MINN-unbalanced"],
                             ["MAE", "RMSE"])),
    Claim("minn-t2-pfba", MINN, "MINN outperforms pFBA on every metric",
          "Table 2, Section 3.1", _M3, "Table 2",
          lambda: cc.ranking("table2_minn_vs_ml", "MINN-c-balanced", ["pFBA"],
                             ["R2", "MAE", "RMSE", "NE"])),
    Claim("minn-t2-mse", MINN, "The NE loss with a tuned weight c (c-balanced) beats the MSE "
          "loss (MINN-MSE-base)", "Table 2, Section 3.1", _M3,
          "Table 2 under the paper's protocol", _table2_pair("MINN-MSE-base")),
    Claim("minn-t2-unbalanced", MINN, "Balancing the data loss with c beats c = 1 "
          "(MINN-unbalanced)", "Table 2, Section 3.1", _M3,
          "Table 2 under the paper's protocol", _table2_pair("MINN-unbalanced")),
    Claim("minn-t3-rmse", MINN, "c-balanced gives the lowest RMSE of the four strategies",
          "Table 3, Section 3.2", _M4, _FINDINGS, lambda: cc.finding(T3, "rmse")),
    Claim("minn-t3-scheduler", MINN, "The scheduler gives the lowest L2 (best steady state) of "
          "the four strategies", "Table 3, Section 3.2", _M4, _FINDINGS,
          lambda: cc.finding(T3, "scheduler_l2")),
    Claim("minn-t3-divided-l2", MINN, "Dividing the loss raises L2 by orders of magnitude",
          "Table 3, Section 3.2", _M4, _FINDINGS, lambda: cc.finding(T3, "divided")),
    Claim("minn-t3-divided-rmse", MINN, "c-balanced fits the data better than the divided loss "
          "(its gain is marginal)", "Table 3, Section 3.2", _M4, _FINDINGS,
          lambda: cc.finding(T3, "divided_rmse")),
    Claim("minn-t3-fbafit-l2", MINN, "Training on FBA-fit data lowers L2",
          "Table 3, Section 3.2", _M4, _FINDINGS, lambda: cc.finding(T3, "fba_fit")),
    Claim("minn-t3-fbafit-acc", MINN, "FBA-fit data keep the accuracy of c-balanced",
          "Table 3, Section 3.2", _M4, _FINDINGS, lambda: cc.finding(T3, "fba_fit_rmse")),
    Claim("minn-gem-smaller", MINN, "\"Using a smaller GEM [...] would possibly [...] enhance the "
          "prediction accuracy\" (FBA-reduced against FVA-reduced iAF1260, NE)",
          "Section 2.2", _M5, "The comparison",
          _gem_mean("iAF1260 FBA-reduced", "iAF1260 FVA-reduced", "NE", larger=False)),
    Claim("minn-gem-lactis", MINN, "iNF517 (L. lactis) gives \"a decrease in the quality of the "
          "predicted flux distribution\" (mechanistic imbalance ‖SV‖²)", "Section 3", _M5,
          "Does a wrong organism's GEM hurt?",
          _gem_mean("iNF517 FVA-reduced", "iAF1260 FVA-reduced", "SV2", larger=True)),
    Claim("minn-t4-reservoir", MINN, "MINN-reservoir + pFBA beats pFBA (NE 0.253 against 0.306)",
          "Table 4, Section 3.3", _M6, "Does reservoir + pFBA beat pFBA here?",
          lambda: cc.paired("table4_reservoir_tests", "MINN-reservoir + pFBA",
                            "pFBA (FBA-reduced GEM)", "NE")),
    Claim("minn-t4-omics", MINN, "The gain of Table 4 comes from the omics (implied: the omics "
          "predict the bounds); the reservoir row against omics-free controls", "Section 3.3",
          _M6, "Which part of the gain needs the omics?", _omics_controls),
    Claim("minn-other-data", MINN, "MINN can integrate multi-omics of other organisms and "
          "conditions", "Section 4 (Conclusion)", _M5, "What the paper says",
          not_testable("only the Ishii E. coli set pairs omics with measured fluxes here; the "
                       "book varies the GEM, not the data")),
    Claim("mome-overproduction", MOME, "Knock-outs give E. coli strains that over-produce "
          "ethanol while still growing", "Section 4, Fig. 2", _O7,
          "The ten best trade-offs", _mome_overproduction),
    Claim("mome-best", MOME, "Best strain: 19.74 mmol/gDW/h ethanol (+832.88 %) at biomass "
          "0.02 h⁻¹", "Section 4, Table 1", _O7, "The ten best trade-offs",
          lambda: _mome_best(19.74)),
    Claim("mome-nuo", MOME, "A single nuo knock-out gives 16.49 mmol/gDW/h ethanol",
          "Section 4, Table 1", _O7, "Comparison with the paper's strains",
          _mome_paper_strain("nuo single knock-out", 16.49)),
    Claim("mome-paper-strain", MOME, "The paper's best strain's genes give 19.74 mmol/gDW/h",
          "Table 1", _O7, "Comparison with the paper's strains",
          _mome_paper_strain("paper's best strain", 19.74)),
    Claim("mome-cost", MOME, "The knock-out cost recursion (and → min, or → sum) counts the "
          "genes a knock-out needs", "Section 2", _O7, "What a knock-out costs",
          _mome_costs),
    Claim("mome-yeast-utopia", MOME, "Yeast is closest to the utopia point", "Section 4, Fig. 3",
          _O8, "The paper's claims about Fig. 3", _mome_organisms("utopia")),
    Claim("mome-poor-tradeoffs", MOME, "C. reinhardtii and S. enterica are poor trade-offs",
          "Section 4, Fig. 3", _O8, "The paper's claims about Fig. 3",
          _mome_organisms("poor trade-offs")),
    Claim("mome-ica1273-axes", MOME, "iCA1273 shows only points on the axes (no trade-off)",
          "Section 4, Fig. 3", _O8, "The paper's claims about Fig. 3",
          _mome_organisms("iCA1273")),
    Claim("mome-biomass-loss", MOME, "Constrained E. coli designs lose about 10 % of the wild "
          "type's biomass", "Section 4, Table 4", _O8, "Biomass: the paper's 10 % and ours",
          _mome_constrained("best_biomass_pct_of_wt", "about 90 % of the wild type",
                            lambda pct: 85 <= pct <= 95)),
    Claim("mome-constrained-gain", MOME, "Constrained anaerobic E. coli designs raise ethanol "
          "by 195 %", "Section 4, Table 4", _O8,
          "Best strain per number of knock-outs (Table 4 analogue)",
          _mome_constrained("change_vs_wt_guaranteed_pct", "+195.24 %",
                            lambda pct: _close(pct, 195.24))),
    Claim("mome-redirector", MOME, "On iMM904, regulation spans the biomass range more evenly "
          "than knock-outs", "Section 4, Fig. 4b, Table 2", _O9,
          "Does regulation span the biomass range more evenly?",
          not_testable("the chapter tests it (biomass-interval coverage, glued in its text) but "
                       "writes no table of the coverage for the ledger to read")),
    Claim("review-omics", REVIEW, "Combining omics layers carries more signal than one layer",
          "Sections 1, 3", _B10, "Which omics carry the signal?",
          _beyond("which omics", "both", "table_beyond_omics_tests")),
    Claim("review-intermediate", REVIEW, "Intermediate integration (learned per-omics "
          "representations) beats early concatenation", "Section 3", _B10,
          "Integration strategies",
          _beyond("integration", "intermediate", "table_beyond_integration_tests")),
    Claim("review-ood", REVIEW, "Biologically informed models generalise out of distribution "
          "better than plain learners", "Sections 4.3, 5", _B10,
          "Out of distribution: leave a whole group out",
          _beyond("out of distribution", "MINN", "table_beyond_ood_tests")),
    Claim("review-scarcity", REVIEW, "Prior knowledge eases the scarcity of labelled data",
          "Sections 4.2, 5", _B10, "Label scarcity: learning curves",
          _beyond("label scarcity", "MINN", None)),
    Claim("review-interpretability", REVIEW, "Cross-level, biology-informed models enhance "
          "interpretability", "Section 4.1", _B10, "Where MINN sits in the review's taxonomy",
          not_testable("no measure of interpretability is defined, so no table can judge it")),
)


def run_claim(claim: Claim) -> tuple[str, str]:
    """``(verdict, evidence)`` of ``claim``; "not run" when a table it reads was never written."""
    try:
        return claim.check()
    except cc.MissingTable as missing:
        return cc.NOT_RUN, f"table {missing.name!r} not written: run chapter {claim.chapter}"
    except cc.ClaimTableError as exc:
        raise cc.ClaimTableError(f"Claim {claim.id!r}: {exc}") from exc


def ledger(claims: tuple[Claim, ...] = CLAIMS) -> pd.DataFrame:
    """One row per claim: id, paper, claim, source, verdict, evidence, chapter, section."""
    rows = []
    for claim in claims:
        verdict, evidence = run_claim(claim)
        rows.append({"id": claim.id, "paper": claim.paper, "claim": claim.claim,
                     "source": claim.source, "verdict": verdict, "evidence": evidence,
                     "chapter": claim.chapter, "section": claim.section})
    return pd.DataFrame(rows)


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many claims of ``table`` (a :func:`ledger`) got each verdict, every verdict listed."""
    counts = table["verdict"].value_counts()
    return {verdict: int(counts.get(verdict, 0)) for verdict in cc.VERDICTS}

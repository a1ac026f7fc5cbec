"""Sizes and comparisons of GEM variants (Table 1 of {cite}`tazza2025minn` and its explanations).

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import cobra
import pandas as pd

from helpers.gem.ids import base_id, strip_prefix

__all__ = [
    "PAPER_TABLE1", "gem_size", "split_count", "removed_by_subsystem", "compare_reactions",
    "table_row", "flux_coverage",
]

_RULES = ("bounds", "lower_bound")


def gem_size(model: cobra.Model) -> dict[str, int]:
    """Reactions, metabolites (all, and those in at least one reaction) and genes of a model."""
    return {
        "reactions": len(model.reactions),
        "metabolites": len(model.metabolites),
        "active_metabolites": sum(1 for m in model.metabolites if m.reactions),
        "genes": sum(1 for g in model.genes if g.reactions),
    }


def split_count(model: cobra.Model, *, rule: str = "bounds", exclude_boundary: bool = False) -> int:
    """How many reactions ``model`` would have once split, without building the split model.

    Parameters
    ----------
    rule
        ``"bounds"``: a reaction with ``lb < 0 < ub`` counts twice (this book's
        :func:`helpers.gem.split_reversible`); ``"lower_bound"``: every reaction with ``lb < 0``
        counts twice, as when the SBML ``reversible`` flag is set for backward-only reactions and
        CBMPy splits on that flag.
    exclude_boundary
        Leave out exchange / demand / sink reactions (``model.boundary``).
    """
    if rule not in _RULES:
        raise ValueError(f"The 'rule' parameter must be one of {list(_RULES)}. Got {rule!r} instead.")
    boundary = {r.id for r in model.boundary} if exclude_boundary else set()
    total = 0
    for reaction in model.reactions:
        if reaction.id in boundary:
            continue
        lb, ub = reaction.bounds
        two = lb < 0 < ub if rule == "bounds" else lb < 0
        total += 2 if two else 1
    return total


def removed_by_subsystem(model: cobra.Model, removed: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """Per subsystem of ``model``: its reaction count and how many each reduction removed.

    Parameters
    ----------
    model
        The unsplit full model (its ``subsystem`` annotations are used; empty -> "(none)").
    removed
        Reduction name -> removed (unsplit) reaction ids, e.g. ``{"FVA": fva.removed}``.

    Returns
    -------
    pandas.DataFrame
        Index subsystem; columns ``reactions`` then one per reduction, largest subsystems first.
    """
    subsystem = pd.Series({r.id: r.subsystem or "(none)" for r in model.reactions})
    frame = subsystem.value_counts().rename("reactions").to_frame()
    for name, ids in removed.items():
        frame[name] = subsystem.loc[list(ids)].value_counts()
    return frame.fillna(0).astype(int).sort_values("reactions", ascending=False)


def compare_reactions(ours: Iterable[str], theirs: Iterable[str]) -> dict[str, list[str]]:
    """Compare two reaction sets by unsplit id (``R_`` prefix and ``_fwd`` / ``_rev`` ignored).

    Returns ``{"common": [...], "only_ours": [...], "only_theirs": [...]}``, each sorted.
    """

    def bases(ids):
        return {base_id(strip_prefix(i))[0] for i in ids}

    a, b = bases(ours), bases(theirs)
    return {"common": sorted(a & b), "only_ours": sorted(a - b), "only_theirs": sorted(b - a)}


#: Table 1 of {cite}`tazza2025minn`: GEM -> (original split reactions, reduced split reactions or None).
PAPER_TABLE1: dict[str, tuple[int, int | None]] = {
    "iAF1260": (2957, None),
    "iAF1260 FVA-reduced": (2957, 1873),
    "iAF1260 FBA-reduced": (2957, 587),
    "e_coli_core": (115, None),
    "iNF517 FVA-reduced": (1022, 704),
}


def table_row(
    gem: str,
    model: cobra.Model | None,
    paper_reactions: int | None,
    note: str,
    *,
    reactions: int | None = None,
    **extra,
) -> dict:
    """One row of the regenerated Table 1: our counts beside the paper's, and why they differ.

    ``reactions`` overrides the model's reaction count (for a count without a built model).
    """
    size = gem_size(model) if model is not None else {}
    n = reactions if reactions is not None else size.get("reactions")
    growth = model.slim_optimize(error_value=float("nan")) if model is not None else float("nan")
    return {
        "gem": gem,
        "reactions": n,
        "metabolites": size.get("metabolites"),
        "active_metabolites": size.get("active_metabolites"),
        "max_growth": round(growth, 4),
        "paper_reactions": paper_reactions,
        "difference": None if paper_reactions is None or n is None else n - paper_reactions,
        **extra,
        "note": note,
    }


def flux_coverage(model: cobra.Model, flux_ids: Iterable[str]) -> dict:
    """How many of ``flux_ids`` (e.g. the 45 Ishii reference fluxes) are reactions of ``model``.

    Returns ``{"present": int, "total": int, "missing": [ids]}`` (ids matched with or without
    the ``R_`` prefix, as :func:`helpers.gem.map_flux_ids` does).
    """
    known = {r.id for r in model.reactions}
    ids = list(flux_ids)
    missing = [f for f in ids if f not in known and strip_prefix(f) not in known]
    return {"present": len(ids) - len(missing), "total": len(ids), "missing": missing}

"""The MINN authors' own FBA-reduced, split iAF1260 (587 reactions), rebuilt from BiGG iAF1260.

The authors' reservoir block (chapter ``06_reservoir_pfba``) predicts the 587 fluxes of *their*
FBA-reduced iAF1260, in the order their data notebook prints in cell 54
(``minn_release/ishii_data.ipynb``, cells counted from 0). The notebook also says how that model
was made (cells 40-55): split every reversible reaction of iAF1260 (CBMPy), open O2
(``EX_o2_e_rev`` unbounded; glucose stays at iAF1260's 8 mmol/gDW/h), keep the reactions that
carried flux in their random FBA simulations plus the measured fluxes, and delete the metabolites
no reaction touches. Their model has 587 reactions, 493 metabolites, 2539 non-zeros in ``S`` and a
maximal growth of 0.7367009388648841 h⁻¹.

:func:`authors_fba_reduced` repeats those steps on ``gems/iAF1260.json`` with the ids read *at run
time* from the mirrored notebook (never a hand-copied list). One id, ``ACACT9``, is not a reaction
of BiGG's iAF1260 (nor of its split): :data:`ID_SUBSTITUTES` maps it onto ``ACACT6r_rev``
(3-oxotetradecanoyl-CoA + CoA -> acetyl-CoA + dodecanoyl-CoA), the one iAF1260 reaction that
(i) joins the two metabolites the other 586 reactions leave as dead ends in the fatty-acid chain
(``3otdcoa_c``, made by ``HACD6i``, and ``ddcacoa_c``), (ii) adds the 4 missing non-zeros and no
new metabolite, and (iii) belongs to the same acetyl-CoA C-acyltransferase family; with it the
counts and the growth rate match the notebook (:func:`gem_checks`).
:func:`substitute_candidates` finds the candidates from these counts alone (chapter 06 shows them).

Introduced in chapter ``06_reservoir_pfba``.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Sequence

import cobra

from helpers.data.registry import fetch
from helpers.gem.ids import strip_prefix, to_flux_id
from helpers.gem.loading import MAX_BOUND, load_gem
from helpers.gem.split import split_reversible

__all__ = [
    "AUTHORS_COUNTS",
    "ID_SUBSTITUTES",
    "NOTEBOOK_KEY",
    "NOTEBOOK_CELL",
    "authors_reaction_ids",
    "split_iaf1260_o2_open",
    "unmatched_ids",
    "substitute_candidates",
    "authors_fba_reduced",
    "gem_checks",
    "dead_end_metabolites",
]

NOTEBOOK_KEY = "minn_release/ishii_data.ipynb"
#: The cell (counted from 0) of the authors' notebook that prints the ordered 587 reaction ids.
NOTEBOOK_CELL = 54

#: What the authors' notebook reports for their model (cells 52 and 55).
AUTHORS_COUNTS = {"reactions": 587, "metabolites": 493, "nonzeros": 2539,
                  "max_growth": 0.7367009388648841}

#: Notebook id (without ``R_``) -> split-iAF1260 id used instead (see the module docstring).
ID_SUBSTITUTES: dict[str, str] = {"ACACT9": "ACACT6r_rev"}


def authors_reaction_ids(cell: int = NOTEBOOK_CELL) -> list[str]:
    """The reaction ids printed by ``cell`` of the authors' notebook, in order (``R_`` prefix kept).

    Raises ``ValueError`` if the cell holds no printed list of ids.
    """
    notebook = json.loads(fetch(NOTEBOOK_KEY).read_text())
    source = notebook["cells"][cell]
    texts = ["".join(out.get("data", {}).get("text/plain", "")) for out in source.get("outputs", [])]
    for text in texts:
        if text.strip().startswith("["):
            ids = ast.literal_eval(text)
            if ids and all(isinstance(i, str) for i in ids):
                return list(ids)
    raise ValueError(f"Cell {cell} of {NOTEBOOK_KEY!r} prints no list of reaction ids.")


def split_iaf1260_o2_open() -> cobra.Model:
    """iAF1260 with O2 uptake opened (as in the authors' notebook), split."""
    model = load_gem("iAF1260")
    model.reactions.get_by_id("EX_o2_e").lower_bound = -MAX_BOUND
    return split_reversible(model, model_id="iAF1260_split")


def unmatched_ids(ids: Sequence[str], model: cobra.Model) -> list[str]:
    """The ids of ``ids`` (with or without ``R_``) that are not reactions of ``model``."""
    known = {r.id for r in model.reactions}
    return [i for i in ids if strip_prefix(i) not in known]


def substitute_candidates(ids: Sequence[str], model: cobra.Model,
                          counts: dict = AUTHORS_COUNTS, dead_ends_only: bool = True) -> list[dict]:
    """Reactions of ``model`` that could stand for the one unmatched id of ``ids``.

    A candidate adds exactly the non-zeros still missing from ``counts["nonzeros"]`` and exactly
    the missing metabolites; each row also says which dead-end metabolites of the other reactions
    it joins (the chemistry that decides between candidates); with ``dead_ends_only`` (default)
    candidates joining none are left out.
    """
    known = [strip_prefix(i) for i in ids if strip_prefix(i) in model.reactions]
    uses: Counter = Counter()
    nonzeros = 0
    for rid in known:
        reaction = model.reactions.get_by_id(rid)
        nonzeros += len(reaction.metabolites)
        uses.update(m.id for m in reaction.metabolites)
    need_nnz, need_mets = counts["nonzeros"] - nonzeros, counts["metabolites"] - len(uses)
    dead = {m for m, k in uses.items() if k == 1}
    rows = []
    for reaction in model.reactions:
        if reaction.id in known:
            continue
        mets = {m.id for m in reaction.metabolites}
        if len(mets) == need_nnz and len(mets - set(uses)) == need_mets:
            if dead_ends_only and not mets & dead:
                continue
            rows.append({"reaction": reaction.id, "equation": reaction.build_reaction_string(),
                         "joins_dead_ends": sorted(mets & dead)})
    return sorted(rows, key=lambda r: -len(r["joins_dead_ends"]))


def authors_fba_reduced(ids: Sequence[str] | None = None,
                        substitutes: dict[str, str] | None = None) -> cobra.Model:
    """Rebuild the authors' FBA-reduced split iAF1260, reactions in the notebook's order.

    Parameters
    ----------
    ids
        Reaction ids (default: :func:`authors_reaction_ids`, read from the mirrored notebook).
    substitutes
        Notebook id -> our id for ids with no counterpart (default :data:`ID_SUBSTITUTES`).

    Returns
    -------
    cobra.Model
        Id ``iAF1260_authors_fba_reduced``: the reactions in the order of ``ids`` (so column ``j``
        of ``S`` is output ``j`` of the authors' block), non-reacting metabolites deleted, bounds
        of iAF1260 (glucose uptake <= 8, O2 open, +-1000 for "unbounded"), biomass objective.

    Raises
    ------
    ValueError
        Naming every id that maps onto no reaction even after ``substitutes``.
    """
    ids = list(ids) if ids is not None else authors_reaction_ids()
    substitutes = ID_SUBSTITUTES if substitutes is None else substitutes
    split = split_iaf1260_o2_open()
    wanted = [substitutes.get(strip_prefix(i), strip_prefix(i)) for i in ids]
    missing = [i for i, w in zip(ids, wanted, strict=True) if w not in split.reactions]
    if missing:
        raise ValueError(
            f"{len(missing)} reaction id(s) of the authors' list have no counterpart in split "
            f"iAF1260: {missing}. Add them to 'substitutes' (see substitute_candidates)."
        )
    model = cobra.Model("iAF1260_authors_fba_reduced", name="iAF1260 FBA-reduced (MINN authors)")
    model.compartments = dict(split.compartments)
    reactions = [split.reactions.get_by_id(w) for w in wanted]
    used = {m.id for r in reactions for m in r.metabolites}
    model.add_metabolites([m.copy() for m in split.metabolites if m.id in used])
    copies = []
    for reaction in reactions:
        new = cobra.Reaction(reaction.id, name=reaction.name, subsystem=reaction.subsystem)
        new.add_metabolites({model.metabolites.get_by_id(m.id): c
                             for m, c in reaction.metabolites.items()})
        new.bounds = reaction.bounds
        new.gene_reaction_rule = reaction.gene_reaction_rule
        copies.append(new)
    model.add_reactions(copies)
    objective = [r.id for r in split.reactions if r.objective_coefficient and r.id in model.reactions]
    model.objective = {model.reactions.get_by_id(r): 1.0 for r in objective}
    return model


def dead_end_metabolites(model: cobra.Model) -> list[str]:
    """Metabolites touched by exactly one reaction (any flux through it is then forced to 0)."""
    return sorted(m.id for m in model.metabolites if len(m.reactions) == 1)


def gem_checks(model: cobra.Model) -> dict:
    """Reactions, metabolites, non-zeros of ``S`` and maximal growth (``model`` unchanged)."""
    return {
        "reactions": len(model.reactions),
        "metabolites": len(model.metabolites),
        "nonzeros": sum(len(r.metabolites) for r in model.reactions),
        "max_growth": float(model.slim_optimize()),
        "reaction_ids": [to_flux_id(r.id) for r in model.reactions],
    }

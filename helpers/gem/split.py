"""Splitting reversible reactions so that every flux is non-negative.

MINN's mechanistic loss penalises negative fluxes (``||relu(-V)||²``), so the GEM is rewritten
with ``V >= 0``: a reaction with ``lb < 0 < ub`` becomes ``<id>_fwd`` (bounds ``[0, ub]``) and
``<id>_rev`` (the reverse stoichiometry, bounds ``[0, -lb]``), as CBMPy's
``splitReversibleReactions`` does for the MINN release. A reaction that can only run backwards
(``ub <= 0 < -lb``, e.g. iAF1260's ``ACACT2r``) becomes a single ``<id>_rev``. Which reactions
are reversible depends on the bounds, hence on the medium: split *after* applying it.

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

from collections.abc import Iterable

import cobra
import pandas as pd
from cobra.util.solver import linear_reaction_coefficients

from helpers.gem.ids import base_id

__all__ = ["split_reversible", "unsplit_model", "merge_split_fluxes", "split_pairs"]


def _half(reaction: cobra.Reaction, rid: str, sign: float, bounds, metabolites) -> cobra.Reaction:
    half = cobra.Reaction(rid, name=reaction.name, subsystem=reaction.subsystem)
    half.add_metabolites({metabolites[m.id]: sign * c for m, c in reaction.metabolites.items()})
    half.bounds = bounds
    half.gene_reaction_rule = reaction.gene_reaction_rule
    half.notes = {"split_from": reaction.id}
    return half


def split_reversible(
    model: cobra.Model,
    model_id: str | None = None,
    reactions: Iterable[str] | None = None,
) -> cobra.Model:
    """Return a new model in which every flux is >= 0 (``model`` is not changed).

    Parameters
    ----------
    model
        Any cobra model, with the medium / bounds that decide reversibility already applied.
    model_id
        Id of the new model (default ``<model.id>_split``).
    reactions
        Keep only these reaction ids (the others are dropped; all metabolites are kept, as
        CBMPy does, so ``m`` is the same for every reduction of a model).

    Returns
    -------
    cobra.Model
        Reactions ``<id>_fwd`` / ``<id>_rev`` for reversible ones, ``<id>_rev`` for backward-only
        ones, unchanged ids otherwise; same metabolites, GPR rules, subsystems and an equivalent
        objective (``c_fwd = c``, ``c_rev = -c``).
    """
    new = cobra.Model(model_id or f"{model.id}_split", name=model.name)
    new.compartments = dict(model.compartments)
    new.add_metabolites([m.copy() for m in model.metabolites])
    mets = {m.id: m for m in new.metabolites}
    coefficients = {r.id: c for r, c in linear_reaction_coefficients(model).items()}
    keep = None if reactions is None else set(reactions)
    new_reactions, objective = [], {}
    for reaction in model.reactions:
        if keep is not None and reaction.id not in keep:
            continue
        lb, ub = reaction.bounds
        coef = coefficients.get(reaction.id, 0.0)
        if lb < 0 < ub:
            halves = [
                (_half(reaction, f"{reaction.id}_fwd", 1.0, (0.0, ub), mets), coef),
                (_half(reaction, f"{reaction.id}_rev", -1.0, (0.0, -lb), mets), -coef),
            ]
        elif lb < 0:  # backward only
            bounds = (max(0.0, -ub), -lb)  # max() also turns -0.0 into 0.0
            halves = [(_half(reaction, f"{reaction.id}_rev", -1.0, bounds, mets), -coef)]
        else:
            halves = [(_half(reaction, reaction.id, 1.0, (lb, ub), mets), coef)]
            halves[0][0].notes = dict(reaction.notes)
        for half, c in halves:
            new_reactions.append(half)
            if c:
                objective[half.id] = c
    new.add_reactions(new_reactions)
    for gene in model.genes:
        if gene.id in new.genes:
            new.genes.get_by_id(gene.id).name = gene.name
    new.objective = {new.reactions.get_by_id(rid): c for rid, c in objective.items()}
    new.objective_direction = model.objective_direction
    return new


def split_pairs(reaction_ids) -> dict[str, tuple[str | None, str | None]]:
    """Base id -> (forward id or None, reverse id or None) over the ids of a split model.

    Ids keep whatever prefix they have: ``["R_PGI_fwd", "R_PGI_rev"]`` -> ``{"R_PGI": (...)}``.
    """
    pairs: dict[str, list] = {}
    for rid in reaction_ids:
        base, direction = base_id(rid)
        slot = pairs.setdefault(base, [None, None])
        if direction == "rev":
            slot[1] = rid
        else:
            slot[0] = rid
    return {base: (fwd, rev) for base, (fwd, rev) in pairs.items()}


def unsplit_model(split_model: cobra.Model, model_id: str | None = None) -> cobra.Model:
    """Inverse of :func:`split_reversible`: merge ``_fwd`` / ``_rev`` pairs back into one reaction."""
    new = cobra.Model(model_id or split_model.id.removesuffix("_split"), name=split_model.name)
    new.compartments = dict(split_model.compartments)
    new.add_metabolites([m.copy() for m in split_model.metabolites])
    mets = {m.id: m for m in new.metabolites}
    coefficients = {r.id: c for r, c in linear_reaction_coefficients(split_model).items()}
    reactions, objective = [], {}
    for base, (fwd_id, rev_id) in split_pairs(r.id for r in split_model.reactions).items():
        fwd = split_model.reactions.get_by_id(fwd_id) if fwd_id else None
        rev = split_model.reactions.get_by_id(rev_id) if rev_id else None
        template, sign = (fwd, 1.0) if fwd is not None else (rev, -1.0)
        merged = cobra.Reaction(base, name=template.name, subsystem=template.subsystem)
        merged.add_metabolites({mets[m.id]: sign * c for m, c in template.metabolites.items()})
        lb = -rev.upper_bound if rev is not None else fwd.lower_bound
        ub = fwd.upper_bound if fwd is not None else -rev.lower_bound
        merged.bounds = (lb, ub)
        merged.gene_reaction_rule = template.gene_reaction_rule
        reactions.append(merged)
        c = coefficients.get(fwd_id, 0.0) if fwd is not None else -coefficients.get(rev_id, 0.0)
        if c:
            objective[base] = c
    new.add_reactions(reactions)
    new.objective = {new.reactions.get_by_id(rid): c for rid, c in objective.items()}
    new.objective_direction = split_model.objective_direction
    return new


def merge_split_fluxes(fluxes: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Net fluxes ``v = v_fwd - v_rev`` from split fluxes (a Series, or a DataFrame of rows).

    Index (Series) or columns (DataFrame) are split reaction ids, with or without the ``R_``
    prefix; the result is indexed by the base ids, in first-seen order.
    """
    frame = fluxes.to_frame().T if isinstance(fluxes, pd.Series) else fluxes
    out = {}
    for base, (fwd, rev) in split_pairs(frame.columns).items():
        value = frame[fwd] if fwd is not None else 0.0
        out[base] = value - frame[rev] if rev is not None else value
    merged = pd.DataFrame(out, index=frame.index)
    return merged.iloc[0] if isinstance(fluxes, pd.Series) else merged



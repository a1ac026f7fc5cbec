"""A toy metabolic network and synthetic "omics" to see MINN work in seconds.

The network (6 metabolites, 10 reactions, one reversible) is built with cobra::

    EX_A:  -> A          (uptake, bounded by 10)
    R1:    A -> B
    R2:    B -> C        R3: B -> D          (two branches)
    R4:    C <=> D       (the reversible one)
    R5:    C -> E        R6: D -> F
    EX_E:  E ->          EX_F: F ->
    BIOMASS: 0.5 C + 0.5 D ->               (objective)

Each synthetic sample has its own (fixed) uptake, growth capacity and "enzyme levels" (upper
bounds of R2, R3, R5, R6); what cannot become biomass leaves as E or F. Its fluxes are the
parsimonious FBA solution of that condition, measured with multiplicative noise. The "omics" are a noisy nonlinear function of the enzyme levels
(transcripts) and of the fluxes (proteins), plus the measured uptake, like the Ishii inputs.
Used by chapter ``00_toy_example`` and the MINN tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .problem import MechanisticProblem

if TYPE_CHECKING:
    import cobra

ENZYMES = ("R2", "R3", "R5", "R6")
REFERENCE = ("R1", "R2", "R3", "EX_E", "EX_F", "BIOMASS")


def build_toy_model() -> cobra.Model:
    """The toy ``cobra.Model`` (6 metabolites, 10 reactions, ``R4`` reversible)."""
    import cobra

    model = cobra.Model("toy")
    mets = {m: cobra.Metabolite(m, compartment="c") for m in "ABCDEF"}
    spec = [
        ("EX_A", {"A": 1}, 0, 10),
        ("R1", {"A": -1, "B": 1}, 0, 1000),
        ("R2", {"B": -1, "C": 1}, 0, 1000),
        ("R3", {"B": -1, "D": 1}, 0, 1000),
        ("R4", {"C": -1, "D": 1}, -1000, 1000),
        ("R5", {"C": -1, "E": 1}, 0, 1000),
        ("R6", {"D": -1, "F": 1}, 0, 1000),
        ("EX_E", {"E": -1}, 0, 1000),
        ("EX_F", {"F": -1}, 0, 1000),
        ("BIOMASS", {"C": -0.5, "D": -0.5}, 0, 1000),
    ]
    for rid, stoich, lb, ub in spec:
        reaction = cobra.Reaction(rid, lower_bound=lb, upper_bound=ub)
        reaction.add_metabolites({mets[k]: v for k, v in stoich.items()})
        model.add_reactions([reaction])
    model.objective = "BIOMASS"
    return model


def split_reversible(model: cobra.Model) -> cobra.Model:
    """:func:`helpers.gem.split_reversible` of ``model``, in the toy's reaction order.

    Every flux of the result is >= 0 (the MINN convention): a reversible ``R`` becomes ``R_fwd``
    and ``R_rev``, a backward-only reaction a single ``R_rev``. The input model is not modified.
    The GEM helper puts ``R_rev`` right after ``R_fwd``; here the reverse halves of reversible
    reactions are moved to the end, in order, the layout chapter ``00_toy_example`` has always
    used (the network's outputs follow the reaction order, so its numbers depend on it).
    """
    from helpers.gem.split import split_reversible as split_gem

    split = split_gem(model, model_id=model.id)
    pairs = {r.id[:-4] for r in split.reactions if r.id.endswith("_fwd")}
    tail = [r for r in split.reactions if r.id.endswith("_rev") and r.id[:-4] in pairs]
    if tail:
        objective = {r.id: r.objective_coefficient for r in split.reactions
                     if r.objective_coefficient}
        split.remove_reactions(tail)
        split.add_reactions(tail)
        split.objective = {split.reactions.get_by_id(rid): c for rid, c in objective.items()}
    return split


def split_fluxes(fluxes: pd.Series, split_model: cobra.Model) -> pd.Series:
    """Map fluxes of the unsplit model onto the split model's (non-negative) reactions."""
    out = {}
    for rid in (r.id for r in split_model.reactions):
        if rid.endswith("_fwd"):
            out[rid] = max(fluxes[rid[:-4]], 0.0)
        elif rid.endswith("_rev"):
            out[rid] = max(-fluxes[rid[:-4]], 0.0)
        else:
            out[rid] = fluxes[rid]
    return pd.Series(out)


@dataclass
class ToyData:
    """Synthetic toy data set.

    Attributes
    ----------
    model, split_model : cobra.Model
    problem : MechanisticProblem
        Built from the split model; reference = :data:`REFERENCE`, bounded = ``EX_A`` (V_in = 10).
    X : DataFrame (N, 9)
        4 transcripts, 4 proteins, measured uptake ``EX_A``.
    fluxes : DataFrame (N, 11)
        Noise-free pFBA fluxes of the split model.
    Y : DataFrame (N, 6)
        Measured (noisy) reference fluxes.
    enzymes : DataFrame (N, 4)
        The hidden enzyme levels that made each sample.
    """

    model: cobra.Model
    split_model: cobra.Model
    problem: MechanisticProblem
    X: pd.DataFrame
    fluxes: pd.DataFrame
    Y: pd.DataFrame
    enzymes: pd.DataFrame


def make_toy_data(n_samples: int = 60, noise: float = 0.05, seed: int = 0) -> ToyData:
    """Draw ``n_samples`` toy conditions, solve each with pFBA, and make noisy omics and fluxes.

    Parameters
    ----------
    n_samples : int
    noise : float
        Relative sd of the measurement noise on fluxes and omics.
    seed : int
        Same seed -> same data.
    """
    from cobra.flux_analysis import pfba

    if n_samples < 2:
        raise ValueError(f"The 'n_samples' parameter must be >= 2. Got {n_samples!r} instead.")
    rng = np.random.default_rng(seed)
    model = build_toy_model()
    split = split_reversible(model)
    rows, enzyme_rows, flux_rows = [], [], []
    for i in range(n_samples):
        uptake = rng.uniform(3.0, 10.0)
        growth = uptake * rng.uniform(0.4, 0.8)
        caps = dict(zip(ENZYMES, uptake * rng.uniform([0.2, 0.2, 0.1, 0.1], [1.0, 1.0, 0.6, 0.6]),
                        strict=True))
        entry = caps["R2"] + caps["R3"]
        if entry < uptake + 0.1:
            caps["R2"] *= (uptake + 0.1) / entry
            caps["R3"] *= (uptake + 0.1) / entry
        caps["R6"] = max(caps["R6"], uptake - growth - caps["R5"] + 0.1)
        levels = np.array([caps[r] for r in ENZYMES])
        with model:
            model.reactions.EX_A.bounds = (uptake, uptake)
            model.reactions.BIOMASS.upper_bound = growth
            for rid, level in caps.items():
                model.reactions.get_by_id(rid).upper_bound = level
            solution = pfba(model)
        if solution.status != "optimal":
            raise RuntimeError(f"Toy sample {i}: pFBA status {solution.status!r}.")
        v = split_fluxes(solution.fluxes, split)
        flux_rows.append(v)
        enzyme_rows.append(dict(zip(ENZYMES, levels, strict=True)))
        transcripts = np.log1p(levels) * (1 + noise * rng.standard_normal(len(ENZYMES)))
        proteins = np.sqrt(np.array([v[r] for r in ENZYMES]) + 0.1) * (
            1 + noise * rng.standard_normal(len(ENZYMES)))
        measured_uptake = v["EX_A"] * (1 + noise * rng.standard_normal())
        rows.append([*transcripts, *proteins, measured_uptake])
    index = pd.Index([f"S{i:02d}" for i in range(n_samples)], name="sample")
    columns = [f"t_{r}" for r in ENZYMES] + [f"p_{r}" for r in ENZYMES] + ["EX_A_measured"]
    X = pd.DataFrame(rows, index=index, columns=columns)
    fluxes = pd.DataFrame(flux_rows, index=index)
    Y = fluxes[list(REFERENCE)] * (1 + noise * rng.standard_normal((n_samples, len(REFERENCE))))
    enzymes = pd.DataFrame(enzyme_rows, index=index)
    problem = MechanisticProblem.from_cobra(split, REFERENCE, bounded=["EX_A"], v_in=10.0)
    return ToyData(model, split, problem, X, fluxes, Y, enzymes)

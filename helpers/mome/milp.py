"""Exact strain design by a bilevel MILP: the best *guaranteed* product per knock-out budget.

MOME scores a strain by the product it must make at its maximal growth (``product_min``: the
minimum of the product over the optimal face of the growth LP). Maximizing that over gene
deletions of at most ``K`` genes is the max-min bilevel problem of RobustKnock
{cite}`tepper2010robustknock`: the inner problems (maximal growth, then minimal product at it)
are linear, so they are replaced by their optimality conditions (strong duality) and the whole
design becomes one mixed-integer linear program. We let the StrainDesign package
{cite}`schneider2022straindesign` build and solve it (``ROBUSTKNOCK`` module, gene-level
knock-outs through its GPR extension of the network, network compression, the SCIP solver), so
the MILP's answer is a set of genes, evaluated here with the same
:class:`~helpers.mome.strains.StrainEvaluator` as every search strain.

Two limits make the MILP's answer exact only within its set-up, and both are returned with it:
the knock-out candidates (:func:`candidate_genes`, by default the genes of central carbon and
energy metabolism that are not lethal alone, as OptKnock-type studies do to keep the MILP small)
and the solver's time limit (``status`` says ``"optimal"`` or ``"time_limit"``).

Introduced in chapter ``07_mome_ethanol`` (the search against an exact MILP, per product).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import cobra

from helpers.mome.strains import StrainEvaluator

__all__ = ["CENTRAL_SUBSYSTEMS", "MilpDesign", "candidate_genes", "candidates_hash",
           "robust_knockout", "solver_versions"]

#: Subsystems (iJO1366/iML1515 annotation) whose genes are the default knock-out candidates.
CENTRAL_SUBSYSTEMS = ("Glycolysis/Gluconeogenesis", "Citric Acid Cycle",
                      "Pentose Phosphate Pathway", "Pyruvate Metabolism", "Anaplerotic Reactions",
                      "Oxidative Phosphorylation", "Glyoxylate Metabolism",
                      "Methylglyoxal Metabolism")


@dataclass
class MilpDesign:
    """One MILP answer: the best strain of at most ``max_cost`` deleted genes.

    ``genes`` is empty when the MILP found no design (``status`` ``"infeasible"`` or
    ``"time_limit"`` without a solution). ``biomass``, ``product_lp`` and ``product_min`` are the
    :class:`~helpers.mome.strains.StrainEvaluator` phenotype of the deletion (not the MILP's own
    numbers); ``wall_s`` is the solve's wall time.
    """

    product: str
    max_cost: int
    status: str
    genes: tuple[str, ...]
    biomass: float
    product_lp: float
    product_min: float
    wall_s: float

    def as_row(self) -> dict:
        """The design as a flat dictionary (``genes`` joined by spaces), for a results file."""
        row = asdict(self)
        row["genes"] = " ".join(self.genes)
        return row


def candidate_genes(model: cobra.Model, evaluator: StrainEvaluator,
                    subsystems: Sequence[str] = CENTRAL_SUBSYSTEMS) -> list[str]:
    """Genes of the reactions in ``subsystems`` whose deletion alone still grows, sorted.

    ``ValueError`` naming the parameter when no reaction of ``model`` is in any of them.
    """
    wanted = set(subsystems)
    genes = sorted({g.id for r in model.reactions if r.subsystem in wanted for g in r.genes})
    if not genes:
        known = sorted({r.subsystem for r in model.reactions if r.subsystem})
        raise ValueError(f"The 'subsystems' parameter names no subsystem of model {model.id!r} "
                         f"with genes. Got {list(subsystems)!r}; the model has e.g. {known[:8]}.")
    return [g for g in genes if evaluator.gene_phenotype([g])[0][0] > 0]


def candidates_hash(genes: Iterable[str]) -> str:
    """A short hash of a candidate gene list (order-free), for a results file's provenance."""
    return hashlib.sha256(" ".join(sorted(genes)).encode()).hexdigest()[:16]


def solver_versions() -> dict[str, str]:
    """Versions of StrainDesign and of the SCIP solver it calls (provenance)."""
    from importlib.metadata import version

    import pyscipopt

    return {"straindesign": version("straindesign"), "pyscipopt": version("pyscipopt"),
            "scip": str(pyscipopt.Model().version())}


def robust_knockout(model: cobra.Model, evaluator: StrainEvaluator, *, max_cost: int,
                    min_growth: float, candidates: Sequence[str],
                    time_limit_s: float = 600.0) -> MilpDesign:
    """The gene deletion of at most ``max_cost`` ``candidates`` with the most guaranteed product.

    Solves StrainDesign's RobustKnock MILP on ``model`` (already in its medium; the
    evaluator's biomass and product reactions): maximize the minimal product at maximal growth,
    subject to maximal growth ``>= min_growth``. The answer is evaluated with ``evaluator``.

    Parameters
    ----------
    model, evaluator
        The (reduced) model in its medium, and its strain evaluator.
    max_cost
        Most genes deleted (each candidate costs 1).
    min_growth
        Growth (1/h) the design must keep at its optimum.
    candidates
        Genes the MILP may delete (:func:`candidate_genes`).
    time_limit_s
        Solver time limit; when reached the design is reported with ``status="time_limit"``
        and no genes (StrainDesign keeps no unproven incumbent).
    """
    import straindesign as sd

    if isinstance(max_cost, bool) or int(max_cost) != max_cost or max_cost < 1:
        raise ValueError(f"The 'max_cost' parameter must be an integer >= 1. Got {max_cost!r}.")
    unknown = sorted(set(candidates) - {g.id for g in model.genes})
    if unknown:
        raise ValueError(f"The 'candidates' list has genes not in model {model.id!r}: "
                         f"{unknown[:5]}.")
    biomass, product = evaluator.biomass, evaluator.product
    module = sd.SDModule(model, sd.names.ROBUSTKNOCK, outer_objective=product,
                         inner_objective=biomass, constraints=[f"{biomass} >= {float(min_growth)!r}"])
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # StrainDesign logs its progress and GPR-name trimming there
    start = time.perf_counter()
    try:
        solution = sd.compute_strain_designs(
            model, sd_modules=[module], max_cost=int(max_cost), max_solutions=1,
            solution_approach=sd.names.BEST, solver="scip",
            gko_cost={g: 1 for g in candidates}, ko_cost={}, time_limit=float(time_limit_s))
    finally:
        root.setLevel(level)
    wall = time.perf_counter() - start
    designs = sorted(tuple(sorted(g for g, v in d.items() if v < 0))
                     for d in solution.get_gene_sd())
    status = {"optimal": "optimal", "time_limit_w_sols": "time_limit",
              "time_limit": "time_limit"}.get(str(solution.status), str(solution.status))
    if not designs:
        return MilpDesign(product, int(max_cost), status, (), float("nan"), float("nan"),
                          float("nan"), wall)
    genes = designs[0]
    phen = evaluator.gene_phenotype(genes)[0]
    return MilpDesign(product, int(max_cost), status, genes, float(phen[0]), float(phen[1]), float(phen[2]), wall)

"""A synthetic dataset with a known truth, written in the book's dataset format.

:func:`write_synthetic_dataset` samples conditions of a GEM (by default cobra's ``textbook``
e_coli_core) and writes a folder that :func:`helpers.data.dataset.load_dataset` reads:

1. each sample gets a glucose uptake (fixed) and an oxygen cap, drawn at random;
2. its true fluxes are a *weighted* parsimonious FBA: growth at least ``growth_fraction`` of the
   optimum, then the weighted total flux minimised, the weights ``exp(A z)`` set by two hidden
   regulatory factors ``z`` per sample — so samples with the same uptakes route their flux
   differently, and plain pFBA (equal weights) does not recover them;
3. omics-like features are noisy nonlinear functions of those fluxes: a gene's "transcript" is
   ``log2(1 + sum of |v| over its reactions)`` plus noise, a "protein" the square root of that sum
   times a multiplicative noise; a few features are pure noise.

The flux file holds the true net fluxes (no measurement noise): a model that predicts them from
the omics recovers a known truth. Same arguments -> same files.

Command line: ``python -m helpers.data.synthetic OUT [--samples N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cobra
import numpy as np
import pandas as pd

__all__ = ["UPTAKES", "write_synthetic_dataset", "synthetic_fluxes"]

#: The two uptake exchanges of the synthetic dataset (inputs, like Ishii's glucose and O2).
UPTAKES = ("EX_glc__D_e", "EX_o2_e")
SAMPLE_COLUMN = "sample"


def synthetic_fluxes(model: cobra.Model, n_samples: int, rng: np.random.Generator, *,
                     growth_fraction: float = 0.7, factors: int = 2,
                     spread: float = 1.0) -> pd.DataFrame:
    """True net fluxes (samples x reactions) of ``n_samples`` random conditions (module text).

    Glucose uptake is fixed to a draw in [4, 10] and oxygen capped by a draw in [0, 18]
    mmol/gDW/h; ``spread`` scales how much the hidden factors change the weights.
    """
    reactions = list(model.reactions)
    loadings = rng.normal(0.0, spread, size=(len(reactions), factors))
    rows = {}
    with model:
        for k in range(n_samples):
            glucose, oxygen = rng.uniform(4.0, 10.0), rng.uniform(0.0, 18.0)
            weights = np.exp(loadings @ rng.normal(size=factors))
            rows[f"S{k + 1:02d}"] = _weighted_pfba(model, glucose, oxygen, weights,
                                                   growth_fraction)
    return pd.DataFrame.from_dict(rows, orient="index", columns=[r.id for r in reactions])


def _weighted_pfba(model: cobra.Model, glucose: float, oxygen: float, weights: np.ndarray,
                   growth_fraction: float) -> list[float]:
    """Net fluxes: growth >= ``growth_fraction`` of its optimum, then min sum(w |v|)."""
    with model:
        model.reactions.get_by_id(UPTAKES[0]).bounds = (-glucose, -glucose)
        model.reactions.get_by_id(UPTAKES[1]).bounds = (-oxygen, 0.0)
        growth = model.slim_optimize(error_value=float("nan"))
        if not np.isfinite(growth):
            raise RuntimeError(f"synthetic condition infeasible (glucose {glucose:.2f}, "
                               f"oxygen {oxygen:.2f})")
        objective = next(iter(cobra.util.linear_reaction_coefficients(model)))
        objective.lower_bound = growth_fraction * growth
        terms = {}
        for reaction, weight in zip(model.reactions, weights, strict=True):
            terms[reaction.forward_variable] = float(weight)
            terms[reaction.reverse_variable] = float(weight)
        model.objective = model.problem.Objective(0, direction="min")
        model.objective.set_linear_coefficients(terms)
        solution = model.optimize()
        if solution.status != "optimal":
            raise RuntimeError(f"weighted pFBA: status {solution.status}")
        return [float(v) for v in solution.fluxes.to_numpy()]


def _omics(model: cobra.Model, fluxes: pd.DataFrame, rng: np.random.Generator, *,
           noise: float, n_noise: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Transcript- and protein-like features of each gene (module text), plus pure noise."""
    genes = sorted(g.id for g in model.genes if g.id != "s0001")
    load = pd.DataFrame({g: fluxes[[r.id for r in model.genes.get_by_id(g).reactions]].abs().sum(
        axis=1) for g in genes})
    transcripts = np.log2(1.0 + load) + rng.normal(0.0, noise, size=load.shape)
    proteins = np.sqrt(load) * np.exp(rng.normal(0.0, noise, size=load.shape))
    for k in range(n_noise):
        transcripts[f"noise_{k + 1}"] = rng.normal(5.0, 1.0, size=len(load))
    chosen = rng.choice(genes, size=len(genes) // 2, replace=False)
    return transcripts.round(5), proteins[sorted(chosen)].round(5)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.rename_axis(SAMPLE_COLUMN).to_csv(path, float_format="%.6g")


def write_synthetic_dataset(folder: str | Path, *, n_samples: int = 24, seed: int = 0,
                            noise: float = 0.1, n_noise: int = 5,
                            growth_fraction: float = 0.7) -> Path:
    """Write a synthetic dataset (module text) into ``folder`` and return the folder.

    Files: ``dataset.toml``, ``transcripts.csv``, ``proteins.csv``, ``fluxes.csv`` (true net
    fluxes of the reactions that carry flux in some sample), ``e_coli_core.json`` (the GEM).
    """
    if not isinstance(n_samples, int) or n_samples < 3:
        raise ValueError(f"The 'n_samples' parameter must be an int >= 3. Got {n_samples!r}.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    model = cobra.io.load_model("textbook")
    model.id = "e_coli_core"
    fluxes = synthetic_fluxes(model, n_samples, rng, growth_fraction=growth_fraction)
    transcripts, proteins = _omics(model, fluxes, rng, noise=noise, n_noise=n_noise)
    active = [c for c in fluxes.columns if (fluxes[c].abs() > 1e-6).any() or c in UPTAKES]
    _write_csv(transcripts, folder / "transcripts.csv")
    _write_csv(proteins, folder / "proteins.csv")
    _write_csv(fluxes[active].round(6), folder / "fluxes.csv")
    cobra.io.save_json_model(model, str(folder / "e_coli_core.json"))
    (folder / "dataset.toml").write_text(_manifest_text(n_samples, seed, noise))
    return folder


def _manifest_text(n_samples: int, seed: int, noise: float) -> str:
    uptakes = json.dumps(list(UPTAKES))
    return f'''# A synthetic dataset with a known truth (helpers.data.synthetic; book/dataset_format.md)
name = "synthetic_e_coli_core"
description = "{n_samples} samples of e_coli_core, weighted pFBA truth, omics noise {noise}, seed {seed}"
sample_column = "{SAMPLE_COLUMN}"
flux_units = "mmol/gDW/h"

[gem]
file = "e_coli_core.json"

[[omics]]
file = "transcripts.csv"
name = "transcripts"
units = "log2(1 + flux load), a.u."

[[omics]]
file = "proteins.csv"
name = "proteins"
units = "sqrt(flux load), a.u."

[fluxes]
file = "fluxes.csv"
uptakes = {uptakes}
'''


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.data.synthetic OUT [--samples N] [--seed S] [--noise X]``."""
    parser = argparse.ArgumentParser(prog="python -m helpers.data.synthetic",
                                     description="write a synthetic dataset with a known truth")
    parser.add_argument("folder")
    parser.add_argument("--samples", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise", type=float, default=0.1)
    args = parser.parse_args(argv)
    path = write_synthetic_dataset(args.folder, n_samples=args.samples, seed=args.seed,
                                   noise=args.noise)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

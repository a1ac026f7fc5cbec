"""MINN on a dataset in the book's format: the split problem and the split target fluxes.

:func:`minn_inputs` turns a :class:`helpers.data.dataset.Dataset` (net fluxes of the GEM's
reactions) into what every MINN helper takes, with the roles of chapter ``03_minn_vs_ml``'s
``X``, ``Y`` and ``problem`` on the Ishii data:

- ``problem``: the dataset's GEM split so that every flux is non-negative
  (:func:`helpers.gem.split_reversible`; a reversible reaction ``PGI`` becomes ``R_PGI_fwd`` and
  ``R_PGI_rev``), its targets as the reference fluxes;
- ``Y``: the target fluxes on those split ids (``R_PGI_fwd = max(v, 0)``,
  ``R_PGI_rev = max(-v, 0)``; an irreversible reaction keeps its id, with the ``R_`` prefix);
- ``X``: the dataset's inputs, unchanged (omics, then uptakes);
- ``mech_lr``: the mechanistic layer's step, the release's 0.01 unless the GEM is so small that
  0.01 would make the unrolled descent diverge (:func:`stable_layer_lr`: e_coli_core, with 72
  metabolites, needs a step about ten times smaller).

The GEM is used as given (no reduction): a genome-scale model trains more slowly than the
FVA-reduced iAF1260 of the Ishii chapters; reduce it first with :func:`helpers.gem.fva_reduce` to
match them. A net flux against an irreversible reaction's direction is an error naming the
file, sample and reaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data.dataset import Dataset, DatasetFormatError, load_dataset
from helpers.gem import minn_matrices, split_reversible, to_flux_id

from .problem import MechanisticProblem

__all__ = ["MinnInputs", "as_dataset", "minn_inputs", "split_fluxes", "stable_layer_lr"]

#: The release's step of the mechanistic layer (:class:`helpers.minn.MINNRegressor`'s default).
RELEASE_LR = 0.01
#: A net flux this far against an irreversible reaction is rounding, not an error.
TOLERANCE = 1e-6


@dataclass(frozen=True)
class MinnInputs:
    """``X`` (inputs), ``Y`` (split target fluxes) and the ``problem`` of a dataset."""

    X: pd.DataFrame
    Y: pd.DataFrame
    problem: MechanisticProblem
    mech_lr: float


def as_dataset(dataset: Dataset | str | Path) -> Dataset:
    """``dataset`` itself, or the dataset folder it names loaded (:func:`load_dataset`)."""
    return dataset if isinstance(dataset, Dataset) else load_dataset(dataset)


def split_fluxes(net: pd.DataFrame, split_ids: list[str], *, label: str = "fluxes"
                 ) -> pd.DataFrame:
    """Net fluxes (columns = reaction ids) on the split ids of a split model.

    ``split_ids`` are reaction ids of the split model without prefix (``PGI_fwd``, ``PGI_rev``,
    ``PFK``); every reaction of ``net`` must have one or two of them. Returns the columns
    ``R_<split id>`` in the order of ``net``'s reactions, forward before reverse.
    """
    known = set(split_ids)
    columns = {}
    for reaction in net.columns:
        v = net[reaction].to_numpy(dtype=float)
        forward, reverse = f"{reaction}_fwd", f"{reaction}_rev"
        if forward in known and reverse in known:
            columns[to_flux_id(forward)] = np.maximum(v, 0.0)
            columns[to_flux_id(reverse)] = np.maximum(-v, 0.0)
        elif reverse in known:  # backward-only reaction
            _check_direction(net, reaction, -v, label, "backward-only")
            columns[to_flux_id(reverse)] = np.maximum(-v, 0.0)
        elif reaction in known:
            _check_direction(net, reaction, v, label, "irreversible (forward)")
            columns[to_flux_id(reaction)] = np.maximum(v, 0.0)
        else:
            raise DatasetFormatError(f"{label}: reaction {reaction!r} is not in the split GEM")
    return pd.DataFrame(columns, index=net.index)


def _check_direction(net: pd.DataFrame, reaction: str, signed: np.ndarray, label: str,
                     kind: str) -> None:
    bad = np.flatnonzero(signed < -TOLERANCE)
    if bad.size:
        i = int(bad[0])
        raise DatasetFormatError(
            f"{label}: sample {net.index[i]!r}, column {reaction!r}: net flux "
            f"{float(net[reaction].iloc[i])!r} runs against the reaction, which the GEM makes {kind} "
            f"({bad.size} sample(s) in all); check the sign convention (an uptake is negative)")


def minn_inputs(dataset: Dataset | str | Path) -> MinnInputs:
    """``X``, split ``Y`` and the mechanistic ``problem`` of a dataset (folder or loaded)."""
    data = as_dataset(dataset)
    split = split_reversible(data.model())
    label = data.flux_file.name
    Y = split_fluxes(data.reference, [r.id for r in split.reactions], label=label)
    problem = MechanisticProblem.from_gem(minn_matrices(split, list(Y.columns)))
    return MinnInputs(X=data.X, Y=Y, problem=problem, mech_lr=stable_layer_lr(problem))


def stable_layer_lr(problem: MechanisticProblem, *, release: float = RELEASE_LR,
                    step: float = 0.5) -> float:
    """The layer's step: ``release``, or smaller so that ``lr * L <= step``.

    ``L = 2 sigma_max(S)^2 / m`` bounds the curvature of ``||S V||^2 / m``; the unrolled descent
    (momentum 0.9) diverges once ``lr * L`` passes about 3.8. On the FVA-reduced iAF1260
    (``m`` = 1668) the release's 0.01 is far below that; on a GEM with few metabolites it is not.
    """
    from scipy.sparse.linalg import svds

    S = problem.S.astype(float)
    sigma = float(svds(S, k=1, return_singular_vectors=False, random_state=0)[0]) \
        if min(S.shape) > 1 else float(abs(S).max())
    curvature = 2.0 * sigma**2 / problem.m
    return float(min(release, step / curvature)) if curvature > 0 else release

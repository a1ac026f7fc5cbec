"""What MINN needs from a GEM: sparse ``S``, bounds, and projections onto flux lists.

``S`` is an m x n :class:`scipy.sparse.csr_matrix` (metabolites x reactions), never dense in the
hot path. ``P_ref`` (n_ref x n) picks the measured reference fluxes out of ``V``; ``P_in``
(n_in x n) the bounded input fluxes, whose upper bounds are ``V_in``. The mechanistic residual
``||S V||² / m`` is the "L2" column of Table 3 of {cite}`tazza2025minn`.

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import cobra
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from cobra.util.array import create_stoichiometric_matrix

from helpers.gem.ids import map_flux_ids, to_flux_id

__all__ = ["MinnMatrices", "minn_matrices", "stoichiometric_matrix", "mechanistic_residual"]

#: Flux vector(s) accepted by the residual: an array-like of shape (n,) or (batch, n) (numpy, a
#: torch tensor), or a DataFrame / Series labelled by flux ids.
Fluxes = npt.ArrayLike | pd.DataFrame | pd.Series


def stoichiometric_matrix(model: cobra.Model) -> sp.csr_matrix:
    """Sparse m x n stoichiometric matrix, rows in ``model.metabolites`` order, columns in
    ``model.reactions`` order: cobra's ``create_stoichiometric_matrix(model, "lil")`` as CSR
    (float64, sorted int32 indices; a coefficient of exactly 0 is not stored)."""
    return create_stoichiometric_matrix(model, array_type="lil").tocsr()


def _as_rows(V: Fluxes, n: int,
             reaction_ids: Sequence[str] | None = None) -> tuple[np.ndarray, bool]:
    """``V`` as a (batch, n) float array (columns put in ``reaction_ids`` order when labelled)
    and whether it was a single vector."""
    if isinstance(V, pd.DataFrame | pd.Series) and reaction_ids is not None:
        labels = V.columns if isinstance(V, pd.DataFrame) else V.index
        order = map_flux_ids(list(labels), reaction_ids)  # one error listing every missing id
        V = V[list(order.values())] if isinstance(V, pd.DataFrame) else V[list(order.values())]
    if hasattr(V, "detach"):  # a torch tensor
        V = V.detach().cpu().numpy()
    array = np.asarray(V, dtype=float)
    single = array.ndim == 1
    rows = array[None, :] if single else array
    if rows.ndim != 2 or rows.shape[1] != n:
        raise ValueError(
            f"V must have {n} fluxes per row (shape ({n},) or (batch, {n})). Got shape {array.shape}."
        )
    return rows, single


def mechanistic_residual(S: sp.spmatrix, V: Fluxes) -> float | np.ndarray:
    """``||S V||² / m`` for one flux vector (-> float) or a batch of rows (-> one value per row).

    Parameters
    ----------
    S
        m x n stoichiometric matrix (sparse).
    V
        Array of shape ``(n,)`` or ``(batch, n)`` (numpy, or a torch tensor).
    """
    rows, single = _as_rows(V, S.shape[1])
    residual = np.asarray(S @ rows.T)  # m x batch
    values = (residual**2).sum(axis=0) / S.shape[0]
    return float(values[0]) if single else values


@dataclass(frozen=True)
class MinnMatrices:
    """Arrays of one (split) GEM for MINN.

    Attributes
    ----------
    S
        m x n stoichiometric matrix (CSR).
    reaction_ids
        n flux ids in column order, with the ``R_`` prefix of the flux tables (``R_PGI_fwd``).
    metabolite_ids
        m metabolite ids in row order.
    lower, upper
        Bound vectors (length n).
    objective
        Objective coefficients (length n; biomass = 1).
    ref_ids, in_ids
        The flux lists given for ``P_ref`` / ``P_in`` (empty if none).
    ref_idx, in_idx
        Their column indices in ``V``.
    """

    S: sp.csr_matrix
    reaction_ids: tuple[str, ...]
    metabolite_ids: tuple[str, ...]
    lower: np.ndarray
    upper: np.ndarray
    objective: np.ndarray
    ref_ids: tuple[str, ...] = ()
    in_ids: tuple[str, ...] = ()
    ref_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    in_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int))

    @property
    def m(self) -> int:
        """Number of metabolites (rows of S)."""
        return self.S.shape[0]

    @property
    def n(self) -> int:
        """Number of (split) reactions (columns of S)."""
        return self.S.shape[1]

    def index(self, flux_ids: Sequence[str]) -> np.ndarray:
        """Column indices of ``flux_ids`` (with or without ``R_``); one error lists all misses."""
        position = {rid: j for j, rid in enumerate(self.reaction_ids)}
        mapping = map_flux_ids(self.reaction_ids, [to_flux_id(f) for f in flux_ids])
        return np.array([position[mapping[to_flux_id(f)]] for f in flux_ids], dtype=int)

    def projection(self, flux_ids: Sequence[str]) -> sp.csr_matrix:
        """Sparse k x n 0/1 matrix ``P`` with ``(P @ V)[i] = V[flux_ids[i]]``."""
        cols = self.index(flux_ids)
        k = len(cols)
        return sp.csr_matrix((np.ones(k), (np.arange(k), cols)), shape=(k, self.n))

    @property
    def P_ref(self) -> sp.csr_matrix:  # noqa: N802 - the paper's notation
        """Projection onto the reference fluxes ``ref_ids``."""
        return self.projection(self.ref_ids)

    @property
    def P_in(self) -> sp.csr_matrix:  # noqa: N802 - the paper's notation
        """Projection onto the bounded input fluxes ``in_ids``."""
        return self.projection(self.in_ids)

    @property
    def V_in(self) -> np.ndarray:  # noqa: N802 - the paper's notation
        """Upper bounds of the input fluxes (the model's bounds; samples override them)."""
        return self.upper[self.in_idx]

    def mechanistic_residual(self, V: Fluxes) -> float | np.ndarray:
        """``||S V||² / m``; ``V`` may also be a DataFrame / Series labelled by flux ids."""
        rows, single = _as_rows(V, self.n, self.reaction_ids)
        return mechanistic_residual(self.S, rows[0] if single else rows)

    def with_fluxes(self, ref_ids: Sequence[str] = (), in_ids: Sequence[str] = ()) -> MinnMatrices:
        """A copy with ``P_ref`` / ``P_in`` set up for these flux lists (one error lists all misses)."""
        return replace(
            self, ref_ids=tuple(ref_ids), in_ids=tuple(in_ids),
            ref_idx=self.index(ref_ids), in_idx=self.index(in_ids),
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain numpy arrays (for ``np.savez``); :meth:`from_arrays` is the inverse."""
        S = self.S.tocsr()
        return {
            "S_data": S.data, "S_indices": S.indices, "S_indptr": S.indptr,
            "S_shape": np.array(S.shape), "lower": self.lower, "upper": self.upper,
            "objective": self.objective, "reaction_ids": np.array(self.reaction_ids, dtype=str),
            "metabolite_ids": np.array(self.metabolite_ids, dtype=str),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> MinnMatrices:
        """Rebuild from :meth:`to_arrays` output (no cobra model needed)."""
        S = sp.csr_matrix(
            (arrays["S_data"], arrays["S_indices"], arrays["S_indptr"]),
            shape=tuple(int(x) for x in arrays["S_shape"]),
        )
        return cls(
            S=S,
            reaction_ids=tuple(str(x) for x in arrays["reaction_ids"]),
            metabolite_ids=tuple(str(x) for x in arrays["metabolite_ids"]),
            lower=np.asarray(arrays["lower"], float),
            upper=np.asarray(arrays["upper"], float),
            objective=np.asarray(arrays["objective"], float),
        )


def minn_matrices(
    model: cobra.Model,
    ref_ids: Sequence[str] = (),
    in_ids: Sequence[str] = (),
) -> MinnMatrices:
    """Build :class:`MinnMatrices` from a split model (every flux >= 0).

    Parameters
    ----------
    model
        A split model (:func:`helpers.gem.split_reversible` / the reduced models).
    ref_ids
        Reference (measured) flux ids, e.g. ``IshiiData.reference.columns``.
    in_ids
        Bounded input flux ids, e.g. ``["R_EX_glc__D_e_rev", "R_EX_o2_e_rev"]``.

    Raises
    ------
    ValueError
        If a reaction has a negative lower bound (the model is not split).
    FluxIdError
        Listing every id of ``ref_ids`` / ``in_ids`` that is not a reaction of the model.
    """
    negative = [r.id for r in model.reactions if r.lower_bound < 0]
    if negative:
        raise ValueError(
            f"Model {model.id!r} is not split: {len(negative)} reaction(s) have a negative lower "
            f"bound, e.g. {negative[:5]}. Use helpers.gem.split_reversible first."
        )
    coefficients = {r.id: c for r, c in cobra.util.linear_reaction_coefficients(model).items()}
    base = MinnMatrices(
        S=stoichiometric_matrix(model),
        reaction_ids=tuple(to_flux_id(r.id) for r in model.reactions),
        metabolite_ids=tuple(m.id for m in model.metabolites),
        lower=np.array([r.lower_bound for r in model.reactions], float),
        upper=np.array([r.upper_bound for r in model.reactions], float),
        objective=np.array([coefficients.get(r.id, 0.0) for r in model.reactions], float),
    )
    return base.with_fluxes(ref_ids, in_ids)

"""The mechanistic problem a MINN is built on: sparse ``S``, reference and bounded fluxes.

:class:`MechanisticProblem` is the one object every MINN helper takes. It holds the split
stoichiometric matrix ``S`` (m x n, scipy CSR), the reaction ids, the indices of the reference
(measured) fluxes (``P_ref``) and of the bounded fluxes (``P_in``) with their upper bounds
``V_in``. The GEM-preparation helpers produce exactly these pieces; :meth:`MechanisticProblem.from_matrices`
and :meth:`MechanisticProblem.from_cobra` build the object, and :meth:`MechanisticProblem.to_torch`
converts it once to torch sparse tensors for the hot path.

Introduced in chapter ``00_toy_example``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch


@dataclass(frozen=True)
class TorchProblem:
    """Torch view of a :class:`MechanisticProblem` (built by :meth:`MechanisticProblem.to_torch`).

    Attributes
    ----------
    S, St : torch.Tensor
        ``S`` (m x n) and ``S.T`` (n x m) as sparse CSR tensors.
    ref_idx, in_idx : torch.Tensor
        Long indices of the reference and of the bounded fluxes (``P_ref``, ``P_in``).
    v_in : torch.Tensor
        Default upper bounds of the bounded fluxes, shape (n_in,); ``inf`` = unbounded.
    m, n, n_in, n_ref : int
        Sizes.
    """

    S: torch.Tensor
    St: torch.Tensor
    ref_idx: torch.Tensor
    in_idx: torch.Tensor
    v_in: torch.Tensor
    m: int
    n: int
    n_in: int
    n_ref: int


def _csr_to_torch(matrix: sp.csr_matrix, dtype: torch.dtype, device: str | torch.device) -> torch.Tensor:
    matrix = sp.csr_matrix(matrix)
    matrix.sort_indices()
    # int32 indices on the CPU: torch's CSR product converts int64 indices on every call
    # (measured 50 -> 39 us per product on the FVA-reduced iAF1260 with 5 columns).
    index = np.int32 if torch.device(device).type == "cpu" else np.int64
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return torch.sparse_csr_tensor(
            torch.from_numpy(matrix.indptr.astype(index)),
            torch.from_numpy(matrix.indices.astype(index)),
            torch.from_numpy(np.asarray(matrix.data, dtype=np.float64)).to(dtype),
            size=matrix.shape,
            device=device,
            check_invariants=True,
        )


def _indices(ids_or_idx: Sequence[Any] | np.ndarray, reaction_ids: Sequence[str], what: str) -> np.ndarray:
    """Turn reaction ids or integer positions into an int64 index array (clear error on unknown ids)."""
    values = list(ids_or_idx)
    if not values:
        return np.zeros(0, dtype=np.int64)
    if all(isinstance(v, (int, np.integer)) for v in values):
        idx = np.asarray(values, dtype=np.int64)
        bad = idx[(idx < 0) | (idx >= len(reaction_ids))]
        if bad.size:
            raise ValueError(
                f"The {what!r} indices must lie in [0, {len(reaction_ids)}); got {bad.tolist()[:5]}."
            )
        return idx
    position = {rid: i for i, rid in enumerate(reaction_ids)}
    unknown = [v for v in values if v not in position]
    if unknown:
        raise ValueError(
            f"Unknown reaction id(s) in {what!r}: {unknown[:5]} (the problem has "
            f"{len(reaction_ids)} reactions, e.g. {list(reaction_ids)[:3]})."
        )
    return np.asarray([position[v] for v in values], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class MechanisticProblem:
    """Everything the mechanistic layer needs: ``S``, ``P_ref``, ``P_in`` and ``V_in``.

    Parameters
    ----------
    S : scipy.sparse matrix, shape (m, n)
        Stoichiometric matrix of the *split* GEM (every flux >= 0). Stored as CSR.
    reaction_ids : tuple of str
        The n reaction ids (columns of ``S``).
    reference_idx : numpy.ndarray of int
        Positions of the reference (measured) fluxes: ``P_ref V = V[reference_idx]``.
    bounded_idx : numpy.ndarray of int
        Positions of the bounded fluxes: ``P_in V = V[bounded_idx]``.
    v_in : numpy.ndarray of float
        Upper bounds of the bounded fluxes (``inf`` = unbounded, the term is then inert).
    metabolite_ids : tuple of str
        The m metabolite ids (rows of ``S``), for display.

    Notes
    -----
    Use :meth:`from_matrices` or :meth:`from_cobra` rather than the raw constructor: they
    validate shapes and accept ids or positions.
    """

    S: sp.csr_matrix
    reaction_ids: tuple[str, ...]
    reference_idx: np.ndarray
    bounded_idx: np.ndarray
    v_in: np.ndarray
    metabolite_ids: tuple[str, ...] = ()
    _torch: dict = field(default_factory=dict, repr=False, compare=False)

    # ----- construction -------------------------------------------------------------------
    @classmethod
    def from_matrices(
        cls,
        S: Any,
        reaction_ids: Sequence[str],
        reference: Sequence[Any],
        bounded: Sequence[Any] = (),
        v_in: Sequence[float] | float | None = None,
        metabolite_ids: Sequence[str] = (),
    ) -> MechanisticProblem:
        """Build a problem from a (sparse or dense) ``S`` and ids or positions.

        Parameters
        ----------
        S : array-like or scipy.sparse matrix, shape (m, n)
        reaction_ids : sequence of str, length n
        reference : sequence of reaction ids or int positions
            The measured fluxes, in the column order of the targets ``Y``.
        bounded : sequence of reaction ids or int positions
            The fluxes with an upper bound ``V_in`` (may be empty).
        v_in : float, sequence of float or None
            Their upper bounds (default ``inf``: the term is inert, as in the paper's main runs).
        metabolite_ids : sequence of str
        """
        S = sp.csr_matrix(S, dtype=np.float64)
        reaction_ids = tuple(str(r) for r in reaction_ids)
        if S.shape[1] != len(reaction_ids):
            raise ValueError(
                f"S has {S.shape[1]} columns but {len(reaction_ids)} reaction ids were given."
            )
        if metabolite_ids and len(metabolite_ids) != S.shape[0]:
            raise ValueError(
                f"S has {S.shape[0]} rows but {len(metabolite_ids)} metabolite ids were given."
            )
        ref = _indices(reference, reaction_ids, "reference")
        if ref.size == 0:
            raise ValueError("The 'reference' fluxes must not be empty.")
        bnd = _indices(bounded, reaction_ids, "bounded")
        if v_in is None:
            vin = np.full(bnd.size, np.inf)
        else:
            vin = np.broadcast_to(np.asarray(v_in, dtype=np.float64), (bnd.size,)).copy()
        return cls(S, reaction_ids, ref, bnd, vin, tuple(str(m) for m in metabolite_ids))

    @classmethod
    def from_cobra(
        cls,
        model: Any,
        reference: Sequence[Any],
        bounded: Sequence[Any] = (),
        v_in: Sequence[float] | float | None = None,
    ) -> MechanisticProblem:
        """Build a problem from a (split, irreversible) ``cobra.Model`` without modifying it."""
        from cobra.util.array import create_stoichiometric_matrix

        S = create_stoichiometric_matrix(model, array_type="lil")
        return cls.from_matrices(
            S,
            [r.id for r in model.reactions],
            reference,
            bounded,
            v_in,
            [m.id for m in model.metabolites],
        )

    @classmethod
    def from_gem(cls, matrices: Any, v_in: Sequence[float] | float | str | None = None
                 ) -> MechanisticProblem:
        """Build a problem from the GEM helpers' matrices (``helpers.gem.minn_matrices``).

        Duck-typed: ``matrices`` needs ``S``, ``reaction_ids``, ``ref_idx``, ``in_idx`` and
        optionally ``metabolite_ids`` and ``V_in``.

        Parameters
        ----------
        v_in : None, 'model', float or sequence of float
            None (default): ``inf``, the upper-bound term is inert, as in the paper's main runs;
            'model': the model's upper bounds of the bounded fluxes (``matrices.V_in``); numbers:
            explicit bounds. Per-sample bounds (knock-outs) are passed to ``fit`` / training.
        """
        if isinstance(v_in, str):
            if v_in != "model":
                raise ValueError(f"The 'v_in' parameter must be None, 'model' or numbers. "
                                 f"Got {v_in!r} instead.")
            v_in = np.asarray(matrices.V_in, dtype=np.float64)
        return cls.from_matrices(
            matrices.S,
            matrices.reaction_ids,
            [int(i) for i in matrices.ref_idx],
            [int(i) for i in matrices.in_idx],
            v_in,
            getattr(matrices, "metabolite_ids", ()),
        )

    # ----- sizes and ids ------------------------------------------------------------------
    @property
    def m(self) -> int:
        """Number of metabolites (rows of ``S``)."""
        return int(self.S.shape[0])

    @property
    def n(self) -> int:
        """Number of (split) reactions (columns of ``S``)."""
        return int(self.S.shape[1])

    @property
    def n_ref(self) -> int:
        """Number of reference fluxes."""
        return int(self.reference_idx.size)

    @property
    def n_in(self) -> int:
        """Number of bounded fluxes."""
        return int(self.bounded_idx.size)

    @property
    def reference_ids(self) -> list[str]:
        """Ids of the reference fluxes, in target order."""
        return [self.reaction_ids[i] for i in self.reference_idx]

    @property
    def bounded_ids(self) -> list[str]:
        """Ids of the bounded fluxes."""
        return [self.reaction_ids[i] for i in self.bounded_idx]

    def __repr__(self) -> str:
        return (
            f"MechanisticProblem(m={self.m}, n={self.n}, nnz={self.S.nnz}, "
            f"n_ref={self.n_ref}, n_in={self.n_in})"
        )

    # ----- torch --------------------------------------------------------------------------
    def to_torch(
        self, dtype: torch.dtype = torch.float32, device: str | torch.device = "cpu"
    ) -> TorchProblem:
        """Torch sparse (CSR) version, converted once per (dtype, device) and cached."""
        key = (dtype, str(device))
        if key not in self._torch:
            self._torch[key] = TorchProblem(
                S=_csr_to_torch(self.S, dtype, device),
                St=_csr_to_torch(self.S.T.tocsr(), dtype, device),
                ref_idx=torch.as_tensor(self.reference_idx, dtype=torch.long, device=device),
                in_idx=torch.as_tensor(self.bounded_idx, dtype=torch.long, device=device),
                v_in=torch.as_tensor(self.v_in, dtype=dtype, device=device),
                m=self.m,
                n=self.n,
                n_in=self.n_in,
                n_ref=self.n_ref,
            )
        return self._torch[key]

    def cached(self, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` computed once per ``key`` and kept with the problem's torch views (a
        derived array such as the null-space basis; dropped on pickling, rebuilt on demand)."""
        if key not in self._torch:
            self._torch[key] = build()
        return self._torch[key]

    def __deepcopy__(self, memo: dict) -> MechanisticProblem:
        # Immutable by convention: sharing it is safe, and sklearn's clone stays cheap.
        return self

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_torch"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)

"""Reaction ids of split models and their mapping onto flux tables.

The Ishii flux tables of the MINN release name fluxes like SBML ids of the split iAF1260:
``R_PGI_fwd``, ``R_EX_glc__D_e_rev`` (``R_`` prefix; ``_fwd`` / ``_rev`` for the two halves of a
reversible reaction; no suffix for irreversible reactions). cobra drops the ``R_`` prefix, so
the model's ids are ``PGI_fwd``, ``EX_glc__D_e_rev``, ``PFK``.

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

from collections.abc import Iterable

import cobra

__all__ = ["PREFIX", "FluxIdError", "base_id", "strip_prefix", "to_flux_id", "map_flux_ids"]

PREFIX = "R_"
SUFFIXES = ("_fwd", "_rev")


class FluxIdError(ValueError):
    """Flux ids that do not map onto a model's reactions; ``.unmapped`` lists them all."""

    def __init__(self, message: str, unmapped: list[str]):
        super().__init__(message)
        self.unmapped = unmapped


def base_id(reaction_id: str) -> tuple[str, str | None]:
    """Split ``"PGI_fwd"`` into ``("PGI", "fwd")``; ``("PFK", None)`` when there is no suffix."""
    for suffix in SUFFIXES:
        if reaction_id.endswith(suffix):
            return reaction_id[: -len(suffix)], suffix[1:]
    return reaction_id, None


def strip_prefix(flux_id: str) -> str:
    """``"R_PGI_fwd"`` -> ``"PGI_fwd"`` (ids without the prefix are returned unchanged)."""
    return flux_id[len(PREFIX):] if flux_id.startswith(PREFIX) else flux_id


def to_flux_id(reaction_id: str) -> str:
    """cobra reaction id -> flux-table id: ``"PGI_fwd"`` -> ``"R_PGI_fwd"``."""
    return reaction_id if reaction_id.startswith(PREFIX) else PREFIX + reaction_id


def map_flux_ids(
    model: cobra.Model | Iterable[str],
    flux_ids: Iterable[str],
    *,
    allow_base: bool = False,
) -> dict[str, str]:
    """Map flux-table ids onto the reaction ids of ``model``.

    Each id is tried as is, then without its ``R_`` prefix; with ``allow_base=True`` a directional
    id (``R_PGI_rev``) also maps onto an unsplit reaction (``PGI``).

    Parameters
    ----------
    model
        A cobra model or an iterable of its reaction ids.
    flux_ids
        Ids to map, e.g. the columns of ``fluxomics_iAF1260_reduced_split.csv``.

    Returns
    -------
    dict
        flux id -> model reaction id, in the order given.

    Raises
    ------
    FluxIdError
        Once, listing every id that does not map (not just the first one).
    """
    if isinstance(model, cobra.Model):
        known = {r.id for r in model.reactions}
        name = model.id
    else:
        known = set(model)
        name = "<reaction list>"
    mapping: dict[str, str] = {}
    unmapped: list[str] = []
    for flux_id in flux_ids:
        plain = strip_prefix(flux_id)
        candidates = [flux_id, plain]
        if allow_base:
            candidates.append(base_id(plain)[0])
        hit = next((c for c in candidates if c in known), None)
        if hit is None:
            unmapped.append(flux_id)
        else:
            mapping[flux_id] = hit
    if unmapped:
        raise FluxIdError(
            f"{len(unmapped)} flux id(s) do not map onto model {name!r} ({len(known)} reactions): "
            f"{unmapped}. Ids are matched as given and without the {PREFIX!r} prefix; a split "
            f"model names the halves of a reversible reaction '<id>_fwd' / '<id>_rev'.",
            unmapped,
        )
    return mapping

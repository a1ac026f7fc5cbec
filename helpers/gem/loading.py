"""Loading the book's genome-scale metabolic models (GEMs) and fingerprinting them.

A GEM is a :class:`cobra.Model`: a stoichiometric matrix ``S`` (metabolites x reactions),
flux bounds ``lb <= v <= ub`` and gene-protein-reaction (GPR) rules. Four models are used:
iAF1260 and iNF517 from the data registry (:func:`helpers.data.registry.fetch`), e_coli_core and
iJO1366 bundled with cobra. Every call returns a fresh model, so callers may change it freely.

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cobra
from cobra.util.solver import linear_reaction_coefficients

from helpers.data.files import FileFormatError
from helpers.data.registry import fetch

__all__ = ["GEM_NAMES", "MAX_BOUND", "GemFileError", "load_gem", "read_model_file",
           "normalize_bounds", "model_hash"]


class GemFileError(FileFormatError):
    """A GEM file is not a readable cobra JSON or SBML model; the message names the file."""


def read_model_file(path: str | Path, *, label: str | None = None) -> cobra.Model:
    """Read a cobra JSON (``.json``) or SBML (other suffixes) model; errors name the file.

    An empty, non-UTF-8, non-JSON / non-XML file, or one cobra cannot turn into a model, is a
    :class:`GemFileError` saying which file, what it should be, and cobra's reason.
    """
    path = Path(path)
    label = label or path.name
    kind = "cobra JSON" if path.suffix == ".json" else "SBML"
    try:
        if kind == "cobra JSON":
            return cobra.io.load_json_model(str(path))
        return cobra.io.read_sbml_model(str(path))
    except OSError:
        raise
    except Exception as exc:  # JSONDecodeError, CobraSBMLError, KeyError, UnicodeDecodeError, ...
        conflicts = _bound_conflicts(path, kind)
        if conflicts:
            listed = ", ".join(f"{rid!r} ({lb!r} > {ub!r})" for rid, lb, ub in conflicts[:5])
            raise GemFileError(f"{label}: reaction(s) with lower bound > upper bound: {listed}"
                               f"{' ...' if len(conflicts) > 5 else ''} ({path})") from exc
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        raise GemFileError(f"{label}: not a readable {kind} model ({path}): {reason}") from exc


def _bound_conflicts(path: Path, kind: str) -> list[tuple[str, float, float]]:
    """``(reaction id, lb, ub)`` for each reaction of the file with ``lb > ub`` (read on failure).

    cobra refuses such a reaction without naming it; this second look finds it. Any file that
    cannot be scanned gives ``[]`` (the caller then reports cobra's own reason).
    """
    try:
        if kind == "cobra JSON":
            reactions = json.loads(path.read_text(encoding="utf-8"))["reactions"]
            bounds = [(r["id"], float(r.get("lower_bound", 0.0)), float(r.get("upper_bound", 0.0)))
                      for r in reactions]
        else:
            bounds = _sbml_bounds(path)
    except Exception:  # not JSON / SBML at all: nothing to say about bounds
        return []
    return [(rid, lb, ub) for rid, lb, ub in bounds if lb > ub]


def _sbml_bounds(path: Path) -> list[tuple[str, float, float]]:
    """``(reaction id, lb, ub)`` of an SBML file's reactions, from their FBC flux-bound parameters."""
    import libsbml

    model = libsbml.readSBMLFromFile(str(path)).getModel()
    values = {p.getId(): p.getValue() for p in model.getListOfParameters()}
    rows = []
    for reaction in model.getListOfReactions():
        fbc = reaction.getPlugin("fbc")
        if fbc is not None and fbc.isSetLowerFluxBound() and fbc.isSetUpperFluxBound():
            rows.append((reaction.getId(), values[fbc.getLowerFluxBound()],
                         values[fbc.getUpperFluxBound()]))
    return rows


#: Magnitude used for "unbounded" fluxes once normalised (iAF1260.json uses 999999).
MAX_BOUND = 1000.0

#: name -> (source, key): "registry" files come from helpers.data.registry, "cobra" from cobra.io.load_model.
_SOURCES: dict[str, tuple[str, str]] = {
    "iAF1260": ("registry", "gems/iAF1260.json"),
    "iNF517": ("registry", "gems/iNF517.json"),
    "iNF517_minn_reduced_split": ("registry", "gems/iNF517_reducedFVA_splitted.xml"),
    "e_coli_core": ("cobra", "textbook"),
    "e_coli_core_minn": ("registry", "gems/e_coli_core.xml"),
    "iJO1366": ("cobra", "iJO1366"),
}
GEM_NAMES: tuple[str, ...] = tuple(_SOURCES)


def normalize_bounds(model: cobra.Model, max_bound: float = MAX_BOUND) -> cobra.Model:
    """Clip every bound to ``[-max_bound, max_bound]`` in place and return ``model``.

    iAF1260.json writes "unbounded" as +-999999; FVA ranges and the MINN input bounds are only
    comparable across models once every model uses the same +-1000 convention.
    """
    for reaction in model.reactions:
        lb = max(reaction.lower_bound, -max_bound)
        ub = min(reaction.upper_bound, max_bound)
        if (lb, ub) != reaction.bounds:
            reaction.bounds = (lb, ub)
    return model


def load_gem(name: str) -> cobra.Model:
    """Return a fresh copy of the GEM ``name`` with bounds normalised to +-1000.

    Parameters
    ----------
    name
        One of :data:`GEM_NAMES`: ``"iAF1260"``, ``"iNF517"``, ``"e_coli_core"`` (cobra's
        ``textbook``: an older e_coli_core with ``FORt2`` / ``FORti``), ``"e_coli_core_minn"``
        (BiGG e_coli_core as released with MINN: ``FORt`` with bounds [-1000, 0]), ``"iJO1366"``
        or ``"iNF517_minn_reduced_split"`` (the MINN authors' own reduced, split iNF517).

    Returns
    -------
    cobra.Model
        A new model (never a shared object) with ``model.id`` set to ``name``.
    """
    if name not in _SOURCES:
        raise ValueError(
            f"The 'name' parameter of load_gem must be one of {list(GEM_NAMES)}. Got {name!r} instead."
        )
    source, key = _SOURCES[name]
    if source == "cobra":
        model = cobra.io.load_model(key)
    else:
        model = read_model_file(fetch(key), label=key)
    model.id = name
    return normalize_bounds(model)


def model_hash(model: cobra.Model) -> str:
    """A sha256 fingerprint of a model's content: stoichiometry, bounds, GPRs and objective.

    Two models with the same reactions, coefficients, bounds, GPR rules and objective get the
    same hash whatever their ids or order of construction; any change to these gives a new one.
    Used as part of the on-disk cache key (:mod:`helpers.data.cache`).
    """
    objective = {r.id: c for r, c in linear_reaction_coefficients(model).items()}
    rows = []
    for reaction in sorted(model.reactions, key=lambda r: r.id):
        stoich = sorted((m.id, round(c, 12)) for m, c in reaction.metabolites.items())
        rows.append(
            [
                reaction.id,
                stoich,
                round(reaction.lower_bound, 12),
                round(reaction.upper_bound, 12),
                reaction.gene_reaction_rule,
                round(objective.get(reaction.id, 0.0), 12),
            ]
        )
    payload = json.dumps(
        {"reactions": rows, "direction": model.objective_direction}, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode()).hexdigest()

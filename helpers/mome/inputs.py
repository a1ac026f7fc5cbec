"""A MOME run's inputs from a reader's parameters: model, product, medium, oxygen and budgets.

Chapter ``07_mome_ethanol`` (and the "ask your own question" runs) take plain values — a model id
or file, a product exchange id, a medium name or CSV file, an oxygen uptake, a growth floor and
search budgets — and this module turns them into a configured :class:`cobra.Model` and checked
numbers. Every wrong value raises :class:`ParameterError` (a ``ValueError``) that names the
parameter and, where the value is an unknown name, offers the closest known ones
(:func:`difflib.get_close_matches`).

* :func:`load_model` — a registry id (:data:`helpers.gem.organisms.ORGANISMS`,
  :data:`helpers.gem.loading.GEM_NAMES`, or a ``gems/<id>.*`` file of the data registry) or the
  path of an SBML / JSON / ``.mat`` file; returns the model and its biomass reaction.
* :func:`resolve_product` — the product's exchange reaction id, checked against the model.
* :func:`product_name` — the product's name for columns and axis labels, from the model's
  metabolite of the exchange (``EX_succ_e`` -> ``"succinate"``).
* :func:`apply_medium` — ``"model"`` (the file's own exchange bounds), a named medium of
  :data:`helpers.gem.media.MEDIA`, or a CSV of exchange bounds (``reaction,lower_bound[,
  upper_bound]``), then the oxygen uptake bound.
* :func:`check_budget` — ``min_growth`` in (0, 1], positive ``max_cost``, ``ukc``, ``pop_size``
  and ``n_gen``; ``None`` keeps the profile's value.
* :func:`search_settings` — a profile's search settings with a run's overrides; ``max_cost``
  caps the reported designs, never the search's own ``ukc``.

Introduced in chapter ``07_mome_ethanol``.
"""

from __future__ import annotations

import csv
import difflib
import logging
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import cobra

from helpers.data.registry import fetch
from helpers.gem.loading import GEM_NAMES, load_gem, normalize_bounds, read_model_file
from helpers.gem.media import MEDIA, set_medium
from helpers.gem.organisms import ORGANISMS, load_organism

__all__ = ["ParameterError", "MODEL_MEDIUM", "MODEL_SUFFIXES", "close_matches", "model_ids",
           "load_model", "exchange_ids", "resolve_product", "product_name", "oxygen_exchange",
           "apply_medium", "read_bounds_csv", "check_budget", "budget",
           "search_settings"]

#: ``medium`` value that keeps the model file's own exchange bounds (only oxygen is set).
MODEL_MEDIUM = "model"
#: File endings read as a model file (SBML, cobra JSON, COBRA-toolbox ``.mat``).
MODEL_SUFFIXES = (".xml", ".sbml", ".json", ".mat", ".xml.gz", ".sbml.gz", ".json.gz")
#: The data registry's GEM files (``gems/<id>.<ending>``) that :func:`load_model` can read.
_REGISTRY_GEMS = {"iML1515": "gems/iML1515.json", "iAF1260": "gems/iAF1260.json",
                  "iNF517": "gems/iNF517.json"}


class ParameterError(ValueError):
    """A parameter of a MOME run is wrong; the message names the parameter."""


def close_matches(word: str, choices: Iterable[str], n: int = 5) -> list[str]:
    """Up to ``n`` of ``choices`` closest to ``word`` (case-insensitive :mod:`difflib`)."""
    choices = list(dict.fromkeys(choices))
    lower = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(str(word).lower(), list(lower), n=n, cutoff=0.4)
    return [lower[f] for f in found]


def _unknown(parameter: str, value: object, choices: Iterable[str], what: str) -> ParameterError:
    choices = list(choices)
    near = close_matches(str(value), choices)
    hint = f" Closest: {near}." if near else ""
    listing = f" Known: {sorted(choices)}." if len(choices) <= 30 else ""
    return ParameterError(f"The '{parameter}' parameter {value!r} is not {what}.{hint}{listing}")


def model_ids() -> list[str]:
    """Every model id :func:`load_model` accepts (the registry ids), sorted."""
    return sorted(set(ORGANISMS) | set(GEM_NAMES) | set(_REGISTRY_GEMS))


def _objective_reaction(model: cobra.Model, label: str) -> str:
    ids = [r.id for r in model.reactions if r.objective_coefficient != 0]
    if len(ids) != 1:
        raise ParameterError(
            f"The 'model' parameter: {label} has {len(ids)} objective reactions {ids[:5]}; the "
            "biomass reaction must be the model's only objective.")
    return ids[0]


def load_model(model: str | Path) -> tuple[cobra.Model, str]:
    """The model named by ``model`` and its biomass reaction id.

    ``model`` is a registry id (:func:`model_ids`: an organism of
    :mod:`helpers.gem.organisms`, a GEM of :func:`helpers.gem.loading.load_gem` or a registered
    GEM file) or the path of a model file (:data:`MODEL_SUFFIXES`). The biomass reaction is the
    organism's (registry) or the file's only objective reaction. iJO1366 is cobra's bundled
    copy, as read by :func:`cobra.io.load_model`. Raises :class:`ParameterError` naming
    ``model`` (unknown id with the closest ids; missing file; no single objective).
    """
    text = str(model)
    if text == "iJO1366":  # cobra's own copy, exactly as chapter 07 has always read it
        loaded = cobra.io.load_model("iJO1366")
        return loaded, ORGANISMS["iJO1366"].biomass
    if text in ORGANISMS:
        return load_organism(text), ORGANISMS[text].biomass
    if text in GEM_NAMES or text in _REGISTRY_GEMS:
        if text in GEM_NAMES:
            loaded = load_gem(text)
        else:
            loaded = normalize_bounds(read_model_file(fetch(_REGISTRY_GEMS[text]),
                                                      label=_REGISTRY_GEMS[text]))
            loaded.id = text
        return loaded, _objective_reaction(loaded, text)
    if text.lower().endswith(MODEL_SUFFIXES):
        path = Path(text)
        if not path.is_file():
            raise ParameterError(f"The 'model' parameter names the file {text!r}, which does not "
                                 "exist.")
        loaded = normalize_bounds(read_model_file(path, label=text))
        return loaded, _objective_reaction(loaded, text)
    raise _unknown("model", text, model_ids(),
                   f"a registry model id or a model file ({', '.join(MODEL_SUFFIXES)})")


def exchange_ids(model: cobra.Model) -> list[str]:
    """Ids of the model's exchange reactions (cobra's ``model.exchanges``).

    cobra guesses the external compartment when the model does not name it (several organisms
    of chapter 08) and logs a warning saying so; the guess is right for every registry model,
    so the warning is kept out of the chapters' output.
    """
    boundary_log = logging.getLogger("cobra.medium.boundary_types")
    level = boundary_log.level
    boundary_log.setLevel(logging.ERROR)
    try:
        return [r.id for r in model.exchanges]
    finally:
        boundary_log.setLevel(level)


def resolve_product(model: cobra.Model, product: str) -> str:
    """``product`` checked: an exchange reaction of ``model`` (its id is returned).

    Raises :class:`ParameterError` naming ``product`` with the model's nearest exchange ids
    (by id and by metabolite name) when it is not one.
    """
    exchanges = exchange_ids(model)
    if product in exchanges:
        return product
    by_name = {}
    for rid in exchanges:
        for met in model.reactions.get_by_id(rid).metabolites:
            by_name[str(met.name or met.id)] = rid
    near = close_matches(product, exchanges) + [by_name[n] for n in close_matches(product, by_name)]
    near = list(dict.fromkeys(near))[:8]
    what = "a reaction" if product not in model.reactions else "an exchange reaction"
    raise ParameterError(
        f"The 'product' parameter {product!r} is not an exchange reaction of model {model.id!r} "
        f"(it is not {what} of it). Nearest exchange ids: {near}.")


def product_name(model: cobra.Model, exchange: str) -> str:
    """The name of the metabolite ``exchange`` exchanges, as a word in a sentence
    (``"Succinate"`` -> ``"succinate"``, ``"D-Lactate"`` -> ``"D-lactate"``; acronyms and
    one-letter prefixes keep their case), or the exchange id if it has none."""
    mets = list(model.reactions.get_by_id(exchange).metabolites)
    name = (mets[0].name or mets[0].id) if len(mets) == 1 else exchange
    name = str(name).strip() or exchange
    parts = [p[0].lower() + p[1:] if len(p) > 1 and p[0].isupper() and p[1].islower() else p
             for p in name.split("-")]
    return "-".join(parts)


def oxygen_exchange(model: cobra.Model) -> str | None:
    """The O2 exchange of ``model``: its organism's (:mod:`helpers.gem.organisms`), else
    ``EX_o2_e`` if present, else ``None``."""
    org = ORGANISMS.get(model.id)
    if org is not None and org.oxygen in model.reactions:
        return org.oxygen
    return "EX_o2_e" if "EX_o2_e" in model.reactions else None


def _number(text: str, *, where: str, column: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ParameterError(f"The 'medium' parameter: {where}, column {column!r}: {text!r} is "
                             "not a number.") from None
    if math.isnan(value):
        raise ParameterError(f"The 'medium' parameter: {where}, column {column!r} is NaN.")
    return value


def read_bounds_csv(path: str | Path, model: cobra.Model) -> dict[str, tuple[float, float | None]]:
    """``{reaction: (lower_bound, upper_bound or None)}`` of a CSV of exchange bounds.

    Columns ``reaction`` and ``lower_bound`` (``upper_bound`` optional; an empty cell keeps the
    model's). Every error names the file, the row (1 = the header) and the column: a missing
    column, a number that is not one, a reaction not in ``model`` (with the nearest exchange
    ids), a reaction listed twice, ``lower_bound > upper_bound``.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"The 'medium' parameter names the file {str(path)!r}, which does "
                             f"not exist; named media: {sorted([MODEL_MEDIUM, *MEDIA])}.")
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in ("reaction", "lower_bound") if c not in header]
        if missing:
            raise ParameterError(f"The 'medium' parameter: file {str(path)!r} lacks column(s) "
                                 f"{missing}; its header is {header}.")
        bounds: dict[str, tuple[float, float | None]] = {}
        for row_number, raw in enumerate(reader, start=2):
            row = {str(k).strip(): (v or "").strip() for k, v in raw.items() if k is not None}
            where = f"file {str(path)!r}, row {row_number}"
            rid = row["reaction"]
            if rid not in model.reactions:
                raise ParameterError(
                    f"The 'medium' parameter: {where}, column 'reaction': {rid!r} is not a "
                    f"reaction of model {model.id!r}; nearest exchange ids: "
                    f"{close_matches(rid, exchange_ids(model))}.")
            if rid in bounds:
                raise ParameterError(f"The 'medium' parameter: {where}, column 'reaction': "
                                     f"{rid!r} is listed twice.")
            lower = _number(row["lower_bound"], where=where, column="lower_bound")
            upper = (_number(row["upper_bound"], where=where, column="upper_bound")
                     if row.get("upper_bound") else None)
            if upper is not None and lower > upper:
                raise ParameterError(f"The 'medium' parameter: {where}: lower_bound {lower:g} > "
                                     f"upper_bound {upper:g}.")
            bounds[rid] = (lower, upper)
    return bounds


def apply_medium(model: cobra.Model, medium: str | Path = MODEL_MEDIUM,
                 oxygen: float | None = None) -> cobra.Model:
    """A copy of ``model`` in ``medium`` with at most ``oxygen`` mmol/gDW/h of O2 uptake.

    ``medium``: ``"model"`` keeps the file's own exchange bounds; a name of
    :data:`helpers.gem.media.MEDIA` applies that medium (every other exchange may only secrete);
    a path to a ``.csv`` sets the bounds it lists (:func:`read_bounds_csv`), the others kept.
    ``oxygen``: maximal O2 uptake (0 = anaerobic; ``None`` keeps the medium's). ``model`` itself
    is not changed. Raises :class:`ParameterError` naming ``medium`` or ``oxygen``.
    """
    text = str(medium)
    if oxygen is not None and (not isinstance(oxygen, (int, float)) or isinstance(oxygen, bool)
                               or not math.isfinite(oxygen) or oxygen < 0):
        raise ParameterError(f"The 'oxygen' parameter must be a number >= 0 (maximal O2 uptake, "
                             f"mmol/gDW/h; 0 = anaerobic) or None. Got {oxygen!r} instead.")
    configured = model.copy()
    if text.lower().endswith(".csv"):
        for rid, (lower, upper) in read_bounds_csv(text, model).items():
            reaction = configured.reactions.get_by_id(rid)
            reaction.bounds = (lower, reaction.upper_bound if upper is None else upper)
    elif text in MEDIA:
        try:
            set_medium(configured, text)
        except ValueError as exc:
            raise ParameterError(f"The 'medium' parameter {text!r}: {exc}") from None
    elif text != MODEL_MEDIUM:
        raise _unknown("medium", text, [MODEL_MEDIUM, *MEDIA],
                       "a named medium or a .csv file of exchange bounds")
    if oxygen is not None:
        o2 = oxygen_exchange(configured)
        if o2 is None:
            if oxygen > 0:
                raise ParameterError(f"The 'oxygen' parameter: model {model.id!r} has no O2 "
                                     "exchange (EX_o2_e); pass oxygen=None.")
        else:
            configured.reactions.get_by_id(o2).lower_bound = -float(oxygen) if oxygen else 0.0
    return configured


def _positive_int(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"The '{name}' parameter must be a positive integer or None (the "
                             f"profile's value). Got {value!r} instead.")


def check_budget(*, min_growth: float | None = None, max_cost: int | None = None,
                 ukc: int | None = None, pop_size: int | None = None, n_gen: int | None = None
                 ) -> None:
    """Check a run's constraints and search budget; ``None`` means "the profile's value".

    ``min_growth`` is a fraction of the wild type's growth in (0, 1]; ``max_cost``, ``ukc``,
    ``pop_size`` and ``n_gen`` are positive integers (``pop_size`` at least 4, NSGA-II's
    binary tournaments need pairs). Raises :class:`ParameterError` naming the parameter.
    """
    if min_growth is not None and (isinstance(min_growth, bool)
                                   or not isinstance(min_growth, (int, float))
                                   or not 0.0 < float(min_growth) <= 1.0):
        raise ParameterError("The 'min_growth' parameter (a fraction of the wild type's growth) "
                             f"must be in (0, 1] or None. Got {min_growth!r} instead.")
    for name, value in (("max_cost", max_cost), ("ukc", ukc), ("pop_size", pop_size),
                        ("n_gen", n_gen)):
        _positive_int(name, value)
    if pop_size is not None and pop_size < 4:
        raise ParameterError(f"The 'pop_size' parameter must be at least 4. Got {pop_size!r}.")


def budget(settings: Mapping[str, object], **values: object) -> dict[str, object]:
    """``settings`` (a profile's) with every value of ``values`` that is not ``None``."""
    return {**settings, **{k: v for k, v in values.items() if v is not None}}


def search_settings(settings: Mapping[str, object], *, max_cost: int | None = None,
                    ukc: int | None = None, pop_size: int | None = None,
                    n_gen: int | None = None) -> dict[str, object]:
    """A MOME profile's settings (chapter ``07_mome_ethanol``) with a run's overrides, checked.

    ``max_cost`` caps what is *reported*: the best-per-cost table's budgets
    (``best_cost_table``) and the per-cost elite (``elite_cost``, at most ``max_cost``). It never
    lowers the search's own cap ``ukc``: a search confined to the reported budget explores too
    little when the wild type makes none of the product (almost every strain then ties at zero
    and selection has nothing to climb); a wider search finds coupled strains with extra
    knock-outs, and the post-processing (superfluous knock-outs restored) brings them down to
    their real cost. ``ukc``, ``pop_size``, ``n_gen``: the search's own sizes (``None`` keeps
    the profile's). Raises :class:`ParameterError` as :func:`check_budget`.
    """
    check_budget(max_cost=max_cost, ukc=ukc, pop_size=pop_size, n_gen=n_gen)
    out = budget(settings, ukc=ukc, pop_size=pop_size, n_gen=n_gen, best_cost_table=max_cost)
    if max_cost is not None:
        out["elite_cost"] = min(int(out["elite_cost"]), int(max_cost))
    return out

"""MOME units of the store: one unit = one search set-up x one seed, at the paper profile.

A :class:`MomeStudy` is one search set-up of chapters ``07_mome_ethanol`` (iJO1366, anaerobic
glucose, ethanol), ``08_mome_organisms_and_constraints`` (each organism of the profile's list,
and each constrained set-up of :data:`helpers.book.mome_designs.CONSTRAINED_SETUPS`) and
``09_mome_redirector`` (the knock-out and the regulation search on iMM904). Its samples are its
seeds (``seed-0``, ``seed-1``, ...); :func:`compute_mome_unit` runs the chapter's own set-up and
search (the functions the chapter calls) and returns the unit's file content: the observed front
(column by column, one row per distinct phenotype), an archive summary (best guaranteed product per knock-out cost), the per-generation history, the
evaluation counts, wall times, a summary row, a **prefix** record (the strains of the first
:data:`PREFIX_GENERATIONS` generations, which the CI check recomputes) and provenance.

**The protocol** (:func:`mome_protocol`) is what a unit's result depends on, by *value*: the
search settings of the paper profile that reach the search (a whitelist, so a new option whose
default changes nothing leaves the hash alone), the seed, the organism's exchange and biomass
reaction ids, the medium's bounds or the constants that define it, the sha256 of every data file
the set-up reads (the GEM first), and :data:`SEARCH_VERSION`. Labels, keys of dictionaries and
function names are not in it, so a pure rename leaves stored units current. The code commit is
provenance, not protocol: a change of the search's numerics is caught by the CI prefix check
(and is then declared by raising :data:`SEARCH_VERSION`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.book.profiles import get_profile

#: Raise when a change of the MOME search or the strain evaluation changes results on purpose:
#: every stored MOME unit then becomes stale.
SEARCH_VERSION = 1
FORMAT = 1
#: Generations whose strains a unit records apart (``prefix``) for the CI check.
PREFIX_GENERATIONS = 2
#: Seeds of every set-up at the paper profile.
SEEDS = (0, 1, 2)

#: Chapter 07's set-up: its parameters' defaults (the model file's own bounds, no oxygen).
ETHANOL_SETUP = {"model": "iJO1366", "product": "EX_etoh_e", "medium": "model", "oxygen": 0.0}


@dataclass(frozen=True)
class MomeStudy:
    """One MOME search set-up of the store; its samples are its seeds.

    ``kind`` is 'ethanol' (chapter 07), 'organism' (chapter 08's search on one organism),
    'constrained' (chapter 08's constrained design of ``organism`` in ``medium``),
    'redirector-knockouts' or 'redirector-regulation' (chapter 09, iMM904).
    """

    chapter: str
    key: str
    label: str
    kind: str
    organism: str
    medium: str = ""
    seeds: tuple[int, ...] = SEEDS

    @property
    def samples(self) -> list[str]:
        """The unit names: ``seed-<n>`` per seed."""
        return [f"seed-{s}" for s in self.seeds]


def _organisms() -> list[str]:
    return list(get_profile("paper", "mome_organisms")["organisms"])


@functools.lru_cache(maxsize=1)
def mome_studies() -> tuple[MomeStudy, ...]:
    """Every MOME study, in the order ``paper run`` computes them: chapter 07's set-up, chapter
    08's organisms (the paper profile's list) and constrained set-ups, chapter 09's two
    searches."""
    from helpers.book.mome_designs import CONSTRAINED_SETUPS

    studies = [MomeStudy("07_mome_ethanol", "ijo1366-anaerobic",
                         "iJO1366, anaerobic glucose", "ethanol", "iJO1366", "anaerobic")]
    studies += [MomeStudy("08_mome_organisms_and_constraints", f"organism-{name}", name,
                          "organism", name) for name in _organisms()]
    studies += [MomeStudy("08_mome_organisms_and_constraints",
                          f"constrained-{organism}-{medium}", f"{organism} {medium} (constrained)",
                          "constrained", organism, medium)
                for organism, medium in CONSTRAINED_SETUPS]
    studies += [MomeStudy("09_mome_redirector", f"redirector-{design}", label,
                          f"redirector-{design}", "iMM904")
                for design, label in (("knockouts", "knock-outs"), ("regulation", "regulation"))]
    return tuple(studies)


def sample_seed(sample: str) -> int:
    """The seed of unit ``seed-<n>`` (a ``ValueError`` naming a malformed name)."""
    head, _, tail = str(sample).partition("-")
    if head != "seed" or not tail.isdigit():
        raise ValueError(f"A MOME unit is named 'seed-<n>'; got {sample!r}.")
    return int(tail)


# ----- the protocol ---------------------------------------------------------------------------
#: Settings of each kind's profile section that reach the search (by profile section).
_SEARCH_KEYS = {
    "ethanol": ("mome", ("model", "pop_size", "n_gen", "dup", "ukc", "max_initial_mutations",
                         "skip_lethal_units", "prefer_support", "envelope_points",
                         "elite_cost")),
    "organism": ("mome_organisms", ("pop_size", "n_gen", "dup", "ukc", "elite_cost",
                                    "envelope_points")),
    "constrained": ("mome_organisms", ("pop_size", "n_gen", "dup", "ukc", "elite_cost",
                                       "table_max_cost", "pair_screen_first_genes",
                                       "isozyme_cut_prob")),
    "redirector-knockouts": ("mome_redirector", ("pop_size", "n_gen", "dup", "ukc",
                                                 "elite_cost", "bins")),
    "redirector-regulation": ("mome_redirector", ("pop_size", "n_gen", "dup", "ukc",
                                                  "elite_cost", "levels", "bins")),
}


def search_settings(study: MomeStudy) -> dict:
    """The paper profile's settings of ``study``'s search (the whitelist of :data:`_SEARCH_KEYS`)."""
    if study.kind not in _SEARCH_KEYS:
        raise ValueError(f"Unknown MOME study kind {study.kind!r}; known: {sorted(_SEARCH_KEYS)}.")
    section, keys = _SEARCH_KEYS[study.kind]
    settings = get_profile("paper", section)
    if study.kind == "constrained":
        settings = settings["constrained"]
    return {k: settings[k] for k in keys if k in settings}


@functools.lru_cache(maxsize=32)
def _file_sha256(key: str) -> str:
    """sha256 of a registry file, or of the file cobra bundles for ``cobra:<name>``."""
    if key.startswith("cobra:"):
        import cobra

        folder = os.path.join(os.path.dirname(cobra.__file__), "data")
        name = key.removeprefix("cobra:")
        files = sorted(f for f in os.listdir(folder) if f.split(".")[0] == name)
        if not files:
            raise ValueError(f"cobra bundles no model {name!r} (looked in {folder}).")
        with open(os.path.join(folder, files[0]), "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    from helpers.data.registry import REGISTRY

    return REGISTRY[key].sha256


def _organism_values(name: str) -> dict:
    """The organism's set-up by value: model file hash, biomass, product, glucose, oxygen."""
    from helpers.gem.organisms import ORGANISMS

    org = ORGANISMS[name]
    product = getattr(org, "product", None) or getattr(org, "ethanol", None)
    return {"model_sha256": _file_sha256(org.key), "biomass": org.biomass, "product": product,
            "glucose": org.glucose, "oxygen": org.oxygen,
            "max_bound": float(getattr(org, "max_bound", 1000.0))}


def _medium_values(study: MomeStudy) -> dict:
    """What defines the medium of ``study``, by value (bounds, or the constants and data)."""
    if study.kind == "ethanol":
        return {"medium": ETHANOL_SETUP["medium"], "oxygen": ETHANOL_SETUP["oxygen"]}
    if study.kind in ("organism", "redirector-knockouts", "redirector-regulation"):
        from helpers.book import mome_study

        return {"glucose_uptake": mome_study.GLUCOSE_UPTAKE,
                "oxygen_limited": mome_study.OXYGEN_LIMITED}
    from helpers.book import mome_designs as designs

    if study.medium == "anaerobic":
        return {"bounds": "glucose 10, oxygen 0"}
    if study.medium == "LB":
        from helpers.gem.media import lb_uptakes

        rates = lb_uptakes(designs.carveme_compounds("LB"))
        return {"uptakes": {c: float(rates[c]) for c in sorted(rates)},
                "carveme_sha256": _file_sha256(designs.CARVEME_MEDIA_KEY)}
    if study.medium == "SD":
        return {"salts": sorted(designs.YEAST_SD_SALTS),
                "vitamins": sorted(designs.YEAST_SD_VITAMINS),
                "uptakes": [designs.SD_GLUCOSE, designs.SD_OXYGEN, designs.SD_VITAMIN_UPTAKE]}
    raise ValueError(f"Study {study.key!r}: unknown medium {study.medium!r}.")


def _constraint_data(study: MomeStudy) -> dict:
    """sha256 of the essential-gene and lethal-pair lists a constrained set-up reads."""
    from helpers.gem.organisms import ORGANISMS
    from helpers.mome import constraints

    if ORGANISMS[study.organism].eukaryote:
        keys = (constraints.YEAST_ESSENTIAL_KEY, constraints.YEAST_LETHAL_PAIRS_KEY)
    else:
        keys = ("essentiality/gess-ecol_iML1515paper_M9glc.csv", "gems/iAF1260.json",
                "gems/iML1515.json")
    return {"files": {k: _file_sha256(k) for k in keys},
            "pair_screen_version": getattr(constraints, "_PAIR_SCREEN_VERSION", None),
            "growth_floor": 0.9, "essential_fraction": 0.01}


def mome_protocol(study: MomeStudy, sample: str) -> dict:
    """Everything a MOME unit's result depends on, by value (hashed by :func:`mome_protocol_hash`)."""
    content = {
        "kind": study.kind, "seed": sample_seed(sample), "settings": search_settings(study),
        "objective": "product_min", "organism": _organism_values(study.organism),
        "medium": _medium_values(study), "search_version": SEARCH_VERSION, "format": FORMAT,
    }
    if study.kind == "constrained":
        content["constraints"] = _constraint_data(study)
    return content


def mome_protocol_hash(study: MomeStudy, sample: str) -> str:
    """sha256 of :func:`mome_protocol` (canonical JSON)."""
    text = json.dumps(mome_protocol(study, sample), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# ----- computing a unit -----------------------------------------------------------------------
def _float(value) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def clean(obj):
    """``obj`` as plain JSON: numpy scalars to Python, non-finite floats to None (recursively)."""
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _float(obj)
    return obj


def strain_records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict]:
    """Rows of an archive / front as JSON records (genotype as a list of unit indices)."""
    return [{"genotype": [int(u) for u in row.genotype],
             **{c: (_float(getattr(row, c)) if c != "cost" else int(row.cost)) for c in columns}}
            for row in frame.itertuples()]


def prefix_record(archive: pd.DataFrame, history: pd.DataFrame,
                  generations: int = PREFIX_GENERATIONS) -> dict:
    """The strains first seen in generations ``1 .. generations`` (a search run that long sees
    exactly these): their count, a sha256 of their sorted genotypes, the sums of their biomass
    and guaranteed product, and the hypervolume after each of those generations."""
    early = archive[archive.generation <= generations]
    genotypes = sorted(tuple(int(u) for u in g) for g in early.genotype)
    return {"generations": generations, "n_strains": len(early),
            "genotypes_sha256": hashlib.sha256(json.dumps(genotypes).encode()).hexdigest(),
            "biomass_sum": float(early.biomass.sum()),
            "product_min_sum": float(early.product_min.sum()),
            "hv": [float(h) for h in history.hv.iloc[:generations]]}


def archive_summary(archive: pd.DataFrame) -> dict:
    """Size of the archive and, per knock-out cost, the best guaranteed product with its
    biomass (``per_cost``: rows ``[cost, product_min, biomass]``)."""
    growing = archive[archive.biomass > 0]
    best = (growing.sort_values(["product_min", "biomass"], ascending=False)
            .drop_duplicates("cost").sort_values("cost"))
    return {"n_strains": len(archive), "n_growing": len(growing),
            "max_cost": int(archive.cost.max()) if len(archive) else 0,
            "per_cost": [[int(r.cost), float(r.product_min), float(r.biomass)]
                         for r in best.itertuples()]}


def result_summary(result, wt: tuple[float, float, float] | None = None) -> dict:
    """The scalar numbers every MOME unit and the chapter's own run share: ``best_product``
    (the front's most guaranteed product), ``biomass_at_best``, ``front``, ``strains``,
    ``hv_relative`` (last generation, NaN without an envelope), ``strains_per_s``,
    ``search_s``; with ``wt`` (wild type's biomass, product_lp, product_min) also
    ``best_change_pct`` over the wild type's guaranteed product."""
    front = result.front
    best = front.loc[front.product_min.idxmax()] if len(front) else None
    out = {"best_product": float(best.product_min) if best is not None else float("nan"),
           "biomass_at_best": float(best.biomass) if best is not None else float("nan"),
           "front": len(front), "strains": len(result.archive),
           "hv_relative": float(result.history.hv_relative.iloc[-1]),
           "strains_per_s": float(result.evaluations_per_s), "search_s": float(result.wall_s)}
    if wt is not None and wt[2] > 1e-9:
        out["best_change_pct"] = 100.0 * (out["best_product"] / float(wt[2]) - 1.0)
    return out


def run_search(study: MomeStudy, seed: int, n_gen: int | None = None) -> tuple:
    """Set up ``study`` as its chapter does and run its search with ``seed`` (``n_gen``: stop
    after that many generations instead of the profile's, for the CI prefix check).

    Returns ``(result, wild type phenotype, extra summary numbers)``.
    """
    from helpers.book.paper import mome_runs

    settings = dict(search_settings(study))
    if n_gen is not None:
        settings["n_gen"] = int(n_gen)
    return mome_runs.RUNNERS[study.kind](study, settings, seed)

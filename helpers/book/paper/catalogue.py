"""The studies of the paper-protocol store and the protocol each unit is computed under.

A :class:`Study` is one row of a paper table; :func:`protocol` is everything a unit's result
depends on and :func:`protocol_hash` its sha256, which a unit file carries: a unit is current
when its hash is the one the code computes now.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass

from helpers.book.profiles import get_profile

REFERENCE_FILE = "ishii/fluxomics_iAF1260_reduced_split.csv"
DATA_KEYS = ("ishii/transcriptomics.csv", "ishii/proteomics.csv", REFERENCE_FILE,
             "gems/iAF1260.json")
FORMAT = 1


@dataclass(frozen=True)
class Study:
    """One row of a paper table computed under the paper protocol.

    ``key`` names the folder; ``label`` is the table's model name; ``variant`` a name of
    :data:`helpers.minn.VARIANTS`; ``targets`` is 'measured' (the 45 reference fluxes) or
    'fba_fit' (the FBA-fit fluxes of chapter 04, :func:`helpers.minn.fba_fit.fit_targets`).
    ``gem`` (chapter ``05_gem_choice``) is a label of
    :data:`helpers.evaluation.gem_choice.GEM_CHOICES`: the MINN then uses that GEM's mechanistic
    problem and is trained and scored on the fluxes every GEM shares; None is the FVA-reduced
    iAF1260 on all 45 reference fluxes (chapters 03 and 04). ``layer_step`` is 'release' (the
    release's layer learning rate, 0.01) or 'matched' (scaled by m(GEM) / m(FVA-reduced
    iAF1260), chapter 05's stable step for e_coli_core).
    """

    chapter: str
    key: str
    label: str
    variant: str
    targets: str = "measured"
    gem: str | None = None
    layer_step: str = "release"


#: Every MINN study, in the order ``run`` computes them (Table 2's MINNs, Table 3's, chapter 05's
#: GEMs, chapter 10's headline).
STUDIES: tuple[Study, ...] = (
    Study("03_minn_vs_ml", "c-balanced", "MINN-c-balanced", "c-balanced"),
    Study("03_minn_vs_ml", "MSE-base", "MINN-MSE-base", "MSE-base"),
    Study("03_minn_vs_ml", "unbalanced", "MINN-unbalanced", "unbalanced"),
    Study("04_conflicting_losses", "c-balanced-fba-fit", "MINN-c-balanced FBA fit", "c-balanced",
          "fba_fit"),
    Study("04_conflicting_losses", "bound", "MINN-bound", "bound"),
    Study("04_conflicting_losses", "scheduler", "MINN-scheduler", "scheduler"),
    Study("04_conflicting_losses", "scheduler-bound", "MINN-scheduler-bound", "scheduler-bound"),
    Study("04_conflicting_losses", "divided-loss", "MINN-divided loss", "divided-loss"),
    Study("04_conflicting_losses", "loss-balancing", "MINN-loss balancing", "loss-balancing"),
    Study("05_gem_choice", "gem-iaf1260-fva", "iAF1260 FVA-reduced", "c-balanced",
          gem="iAF1260 FVA-reduced"),
    Study("05_gem_choice", "gem-core-matched", "e_coli_core (matched layer step)", "c-balanced",
          gem="e_coli_core", layer_step="matched"),
    Study("05_gem_choice", "gem-core-release", "e_coli_core (release layer step)", "c-balanced",
          gem="e_coli_core"),
    Study("05_gem_choice", "gem-iaf1260-fba", "iAF1260 FBA-reduced", "c-balanced",
          gem="iAF1260 FBA-reduced"),
    Study("05_gem_choice", "gem-inf517", "iNF517 FVA-reduced", "c-balanced",
          gem="iNF517 FVA-reduced"),
    Study("10_beyond", "exact-layer", "MINN-c-balanced-exact", "c-balanced-exact"),
    Study("10_beyond", "network-only", "network-only", "network-only"),
)

#: Fields added to :class:`Study` after units were stored: left out of the protocol while they
#: hold their default, so the hash of an older study (and its stored units) does not change.
_LATER_STUDY_FIELDS = {"gem": None, "layer_step": "release"}

#: The studies each chapter's paper table shows (Table 3 reuses chapter 03's c-balanced units).
TABLES = {
    "03_minn_vs_ml": ("table2", ["c-balanced", "MSE-base", "unbalanced"]),
    "04_conflicting_losses": ("table3", ["c-balanced", "c-balanced-fba-fit", "bound", "scheduler",
                                         "scheduler-bound", "divided-loss", "loss-balancing"]),
    "05_gem_choice": ("table2", ["gem-iaf1260-fva", "gem-core-matched", "gem-core-release",
                                 "gem-iaf1260-fba", "gem-inf517"]),
    # chapter 10's headline: chapter 03's c-balanced units, the exact layer, the network alone
    # (no published table: the papers have no such row)
    "10_beyond": (None, ["c-balanced", "exact-layer", "network-only"]),
}

#: Rows of a chapter's table whose paper values come from another row of the published table
#: (the article prints no GEM-choice numbers; only its main model, on 45 fluxes, is in Table 2).
PUBLISHED_ROWS = {"05_gem_choice": {"iAF1260 FVA-reduced": "MINN-c-balanced"}}

#: Extra data files a GEM-choice study depends on (the release's flux tables that align the
#: shared fluxes, and the GEM files).
GEM_DATA_KEYS = {
    "e_coli_core": ("gems/e_coli_core.xml",),
    "iNF517 FVA-reduced": ("gems/iNF517_reducedFVA_splitted.xml",),
}
GEM_CHOICE_TABLES = ("ishii/fluxomics_ecore_correct.csv",
                     "ishii/fluxomics_iAF1260_reduced_split_filtered_iNF517.csv",
                     "ishii/fluxomics_iNF517_reduced_split.csv")


def all_studies() -> tuple:
    """The MINN :data:`STUDIES`, then the MOME studies
    (:func:`helpers.book.paper.mome.mome_studies`)."""
    from helpers.book.paper.mome import mome_studies

    return STUDIES + mome_studies()


def get_study(key: str):
    """The study (MINN or MOME) with folder name ``key`` (a clear error naming the known ones)."""
    studies = all_studies()
    for study in studies:
        if study.key == key:
            return study
    raise ValueError(f"Unknown study {key!r}; known: {[s.key for s in studies]}.")


def select(chapters: list[str] | tuple[str, ...] | None = None,
           studies: list[str] | tuple[str, ...] | None = None) -> list[Study]:
    """The studies of ``chapters`` (with the studies their tables reuse) and/or of the keys
    ``studies``, in :func:`all_studies` order (MINN, then MOME); unknown names are a
    :class:`ValueError`."""
    chosen = list(all_studies())
    if chapters:
        chapters = list(chapters)
        unknown = sorted(set(chapters) - {s.chapter for s in chosen})
        if unknown:
            raise ValueError(f"Unknown chapter(s) {unknown}; the store holds "
                             f"{sorted({s.chapter for s in chosen})}.")
        needed = {k for c in chapters for k in TABLES.get(c, ("", []))[1]}
        chosen = [s for s in chosen if s.chapter in chapters or s.key in needed]
    if studies:
        keys = list(studies)
        for key in keys:
            get_study(key)
        chosen = [s for s in chosen if s.key in keys]
    return chosen


@functools.lru_cache(maxsize=8)
def _data_hashes(gem: str | None = None) -> dict[str, str]:
    from helpers.data.registry import REGISTRY

    keys = DATA_KEYS if gem is None else (DATA_KEYS + GEM_CHOICE_TABLES
                                          + GEM_DATA_KEYS.get(gem, ()))
    return {key: REGISTRY[key].sha256 for key in keys}


def _study_fingerprint(study: Study) -> dict:
    fields = dataclasses.asdict(study)
    for name, default in _LATER_STUDY_FIELDS.items():
        if fields[name] == default:
            del fields[name]
    return fields


def protocol(study: Study, seed: int = 0) -> dict:
    """Everything a unit's result depends on (hashed into :func:`protocol_hash`)."""
    from helpers.evaluation.minn_loo import protocol_for
    from helpers.minn import NUMERICS_VERSION, get_variant

    settings = get_profile("paper", "evaluation")
    fixed, n_trials = protocol_for(study.variant, settings)
    content = {
        "study": _study_fingerprint(study),
        "variant": get_variant(study.variant).fingerprint(),
        "fixed": fixed,
        "n_trials": n_trials,
        "inner_folds": settings["inner_folds"],
        "selection": "NE",
        "seed": seed,
        "data_sha256": _data_hashes(study.gem),
        "numerics_version": NUMERICS_VERSION,
        "format": FORMAT,
    }
    if study.gem == "iAF1260 FBA-reduced":  # the reduction's random knock-outs (seed 0)
        content["fba_samples"] = get_profile("paper", "gem")["fba_samples"]
    return content


def protocol_hash(study: Study, seed: int = 0) -> str:
    """sha256 of :func:`protocol` (canonical JSON): a unit is current when its file has it."""
    text = json.dumps(protocol(study, seed), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()

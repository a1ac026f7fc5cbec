"""The data a unit trains and is scored on: the Ishii dataset, each study's mechanistic problem,
training targets and layer step; loaded once per process (workers inherit the warm caches)."""

from __future__ import annotations

import functools

import pandas as pd

from helpers.book.paper.catalogue import REFERENCE_FILE, Study
from helpers.book.profiles import get_profile


@functools.lru_cache(maxsize=1)
def ishii():
    """The Ishii dataset with the FVA-reduced, split iAF1260's reference fluxes."""
    from helpers.data.ishii import load_ishii

    return load_ishii(REFERENCE_FILE)


@functools.lru_cache(maxsize=1)
def problem():
    """The mechanistic problem of chapters 03 and 04 (FVA-reduced iAF1260, 45 fluxes)."""
    from helpers.evaluation.minn_loo import ishii_problem

    return ishii_problem(list(ishii().reference.columns))


@functools.lru_cache(maxsize=1)
def shared_ids() -> pd.DataFrame:
    """Chapter 05's shared fluxes (rows) in each GEM's namespace, without the two uptakes."""
    from helpers.data.ishii import UPTAKES
    from helpers.evaluation.gem_choice import shared_flux_ids

    return shared_flux_ids().drop(index=UPTAKES)


@functools.lru_cache(maxsize=4)
def gem_problem(label: str, seed: int = 0):
    """The mechanistic problem of one GEM of chapter 05 (the paper profile's FBA-reduction, its
    random knock-outs drawn with ``seed``)."""
    from helpers.evaluation.gem_choice import GEM_CHOICES
    from helpers.evaluation.gem_choice import gem_problem as build

    choice = next((c for c in GEM_CHOICES if c.label == label), None)
    if choice is None:
        raise ValueError(f"Unknown GEM {label!r}; known: {[c.label for c in GEM_CHOICES]}.")
    fba_samples = get_profile("paper", "gem")["fba_samples"]
    return build(choice, shared_ids()[choice.namespace], ishii(),
                 fba_samples=fba_samples, seed=seed)


def study_problem(study: Study, seed: int = 0):
    """The mechanistic problem a study's MINN trains with."""
    return problem() if study.gem is None else gem_problem(study.gem, seed)


def study_targets(study: Study) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(training targets, measured fluxes it is scored on)``, columns in the same order."""
    if study.gem is None:
        return targets(study.targets), ishii().reference
    if study.targets != "measured":
        raise ValueError(f"Study {study.key!r}: a GEM-choice study trains on measured fluxes.")
    measured = ishii().reference[list(shared_ids().index)]
    return measured, measured


def study_reference(study: Study) -> pd.DataFrame:
    """The measured fluxes a study is scored on (without computing its training targets)."""
    return ishii().reference if study.gem is None else ishii().reference[list(shared_ids().index)]


def study_layer_lr(study: Study, seed: int = 0) -> float:
    """The mechanistic layer's learning rate of a study (:attr:`Study.layer_step`)."""
    from helpers.evaluation.gem_choice import RELEASE_LAYER

    lr = float(RELEASE_LAYER["lr"])
    if study.layer_step == "release":
        return lr
    if study.layer_step == "matched":
        return lr * study_problem(study, seed).m / gem_problem("iAF1260 FVA-reduced", seed).m
    raise ValueError(f"Study {study.key!r}: unknown layer_step {study.layer_step!r}; "
                     "use 'release' or 'matched'.")


@functools.lru_cache(maxsize=2)
def targets(kind: str) -> pd.DataFrame:
    """The training targets ``kind``: 'measured' or 'fba_fit' (chapter 04's FBA-fit fluxes)."""
    data = ishii()
    if kind == "measured":
        return data.reference
    if kind == "fba_fit":
        from helpers.gem import fva_reduce, load_gem
        from helpers.minn.fba_fit import fit_targets

        return fit_targets(fva_reduce(load_gem("iAF1260")).model, data)[data.reference.columns]
    raise ValueError(f"Unknown targets {kind!r}; use 'measured' or 'fba_fit'.")


def samples() -> list[str]:
    """The 29 outer folds, by held-out sample, in the dataset's order."""
    return list(ishii().X.index)


def warm(studies: list[Study], seed: int = 0) -> None:
    """Load every input the ``studies`` need, so forked workers start with warm caches."""
    problem(), targets("measured")
    if any(study.targets == "fba_fit" for study in studies):
        targets("fba_fit")
    for gem in sorted({study.gem for study in studies if study.gem is not None}):
        gem_problem(gem, seed)

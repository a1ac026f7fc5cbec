"""The held-out flux distributions of a stored MINN study (chapter ``10_beyond``'s box checks).

A unit computed since units keep them holds its held-out sample's whole flux distribution
(``fluxes``). An older unit holds only the reference fluxes; its flux distribution is then
retrained: the unit's refit alone (:func:`helpers.evaluation.minn_loo.refit_fold`, the same run
with the hyper-parameters the unit chose, seconds per fold), checked against the stored
prediction before it is used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.book.paper import inputs
from helpers.book.paper.catalogue import get_study
from helpers.book.paper.units import StoreError, scan

#: Relative tolerance between a retrained refit's reference fluxes and the stored prediction.
REFIT_RTOL = 1e-4


def _refitted(study, content: dict, seed: int, device: str) -> pd.Series:
    """The unit's held-out flux distribution, retrained from its chosen hyper-parameters."""
    from helpers.evaluation.minn_loo import refit_fold
    from helpers.minn import minmax_scale_members

    problem = inputs.study_problem(study, seed)
    X, (Y, _) = inputs.ishii().X, inputs.study_targets(study)
    fold = list(X.index).index(content["unit"]["sample"])
    layer = {} if study.layer_step == "release" else {"mech_lr": inputs.study_layer_lr(study,
                                                                                       seed)}
    fit = refit_fold(problem, X, Y, study.variant, content["chosen"], fold, seed=seed,
                     device=device, **layer)
    rows = tuple(i for i in range(len(X)) if i != fold)
    Xs = minmax_scale_members(X.to_numpy(dtype=float), [rows])
    fluxes = pd.Series(fit.predict_fluxes(Xs)[0, fold], index=list(problem.reaction_ids))
    stored = np.array([content["prediction"][k] for k in Y.columns])
    ours = fluxes.iloc[problem.reference_idx].to_numpy()
    if not np.allclose(ours, stored, rtol=REFIT_RTOL, atol=REFIT_RTOL * np.abs(stored).max()):
        raise StoreError(f"Retraining the refit of unit {study.chapter}/{study.key}/"
                         f"{content['unit']['sample']} does not give its stored prediction "
                         f"(largest difference {np.abs(ours - stored).max():.2e}): the code has "
                         "changed since the unit was computed; recompute the study.")
    return fluxes


def held_out_fluxes(key: str, seed: int = 0, *, device: str = "cpu") -> pd.DataFrame:
    """One row per trained outer fold of study ``key`` (index: the held-out sample): its whole
    held-out flux distribution, from the unit or retrained (see the module docstring). Folds
    whose refit diverged have none; a study that is not complete is a
    :class:`~helpers.book.paper.units.StoreError`."""
    study = get_study(key)
    units = scan(study, seed)
    absent = [u.sample for u in units if u.state != "done"]
    if absent:
        raise StoreError(f"Study {key!r} lacks {len(absent)} current unit(s) "
                         f"({', '.join(absent[:5])}); run `python -m helpers.book paper run "
                         f"--study {key}`.")
    rows = {}
    for unit in units:
        content = unit.content
        if "diverged" in content:
            continue
        stored = content.get("fluxes")
        rows[unit.sample] = (pd.Series(stored) if stored
                             else _refitted(study, content, seed, device))
    return pd.DataFrame(rows).T

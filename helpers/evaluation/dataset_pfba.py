"""The pFBA control for a dataset in the book's format (:mod:`helpers.data.dataset`).

For each sample, the dataset's GEM gets the sample's measured uptakes fixed (lower = upper
bound = the net flux in the flux file), maximises its objective, then minimises the total flux at
that optimum (pFBA, :cite:`lewis2010pfba`). The net fluxes are mapped onto the split target ids
of :func:`helpers.minn.dataset.minn_inputs`. It uses exactly what MINN is given about the
uptakes and nothing from the omics: the mechanistic baseline of chapter ``03_minn_vs_ml`` for
any dataset. An infeasible sample gets a NaN row and its status, never dropped silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from cobra.exceptions import OptimizationError
from cobra.flux_analysis import pfba

from helpers.data.dataset import Dataset
from helpers.gem import split_reversible, stoichiometric_matrix
from helpers.minn.dataset import split_fluxes

__all__ = ["dataset_pfba"]


def dataset_pfba(data: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """pFBA predictions of ``data``'s split target fluxes, one row per sample.

    Returns
    -------
    predictions : DataFrame (samples x split target ids), NaN rows for infeasible samples
    status : DataFrame with per sample the solver status, the objective flux (``growth``) and
        the mechanistic residual ``||S v||² / m`` of the whole net pFBA flux vector (``L2``)
    """
    model = data.model()
    split_ids = [r.id for r in split_reversible(model).reactions]
    S = stoichiometric_matrix(model)
    objective = [r.id for r in model.reactions if r.objective_coefficient != 0]
    nets, report = {}, []
    for sample in data.samples:
        with model:
            for rid in data.uptake_ids:
                value = float(data.fluxes.loc[sample, rid])
                model.reactions.get_by_id(rid).bounds = (value, value)
            try:
                solution = pfba(model)
                status = solution.status
            except OptimizationError as exc:
                solution, status = None, f"infeasible ({exc.__class__.__name__})"
        if solution is not None and status == "optimal":
            nets[sample] = solution.fluxes[data.target_ids]
            growth = float(solution.fluxes[objective].sum()) if objective else np.nan
            residual = float(np.sum((S @ solution.fluxes.to_numpy()) ** 2) / S.shape[0])
        else:
            nets[sample] = pd.Series(0.0, index=data.target_ids)
            growth = residual = np.nan
        report.append({"sample": sample, "status": status, "growth": growth, "L2": residual})
    status = pd.DataFrame(report).set_index("sample")
    net = pd.DataFrame(nets).T.loc[data.samples, data.target_ids].clip(
        lower=_lower(model, data.target_ids), upper=_upper(model, data.target_ids), axis=1)
    predictions = split_fluxes(net, split_ids, label=f"pFBA of {data.name}")
    predictions.loc[status["status"] != "optimal"] = np.nan
    return predictions, status


def _lower(model, ids: list[str]) -> pd.Series:
    """Lower bounds of the reactions (solver round-off below them is clipped away)."""
    return pd.Series({rid: model.reactions.get_by_id(rid).lower_bound for rid in ids})


def _upper(model, ids: list[str]) -> pd.Series:
    return pd.Series({rid: model.reactions.get_by_id(rid).upper_bound for rid in ids})

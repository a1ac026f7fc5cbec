"""The mechanistic baseline of chapter ``03_minn_vs_ml``: parsimonious FBA per sample.

For each Ishii sample, iAF1260 on glucose minimal medium gets the sample's measured glucose and O2
uptakes (fixed) and its knock-out (the reactions that ``KOs_Vin.csv`` sets to 0), maximises growth,
then minimises the total flux at that optimum (pFBA, :cite:`lewis2010pfba`, via cobra). The net fluxes
are mapped onto the split reference ids (``R_PGI_fwd`` = max(v, 0), ``R_PGI_rev`` = max(-v, 0)).
Infeasible samples are reported with cobra's status, never dropped silently.
"""

from __future__ import annotations

import cobra
import numpy as np
import pandas as pd
from cobra.exceptions import OptimizationError
from cobra.flux_analysis import pfba

from helpers.data.ishii import UPTAKES, IshiiData
from helpers.gem import base_id, knockouts_from_row, strip_prefix, use_medium, use_sample_bounds

__all__ = ["net_to_split", "pfba_predictions"]


def net_to_split(fluxes: pd.Series, flux_ids: list[str]) -> pd.Series:
    """Map net fluxes of an unsplit model onto split flux ids (every value >= 0 but irreversible)."""
    values = {}
    for flux_id in flux_ids:
        base, direction = base_id(strip_prefix(flux_id))
        if base not in fluxes.index:
            raise KeyError(f"flux id {flux_id!r}: reaction {base!r} is not in the model")
        v = float(fluxes[base])
        values[flux_id] = max(v, 0.0) if direction == "fwd" else max(-v, 0.0) if direction == "rev" else v
    return pd.Series(values)


def pfba_predictions(model: cobra.Model, data: IshiiData, *,
                     medium: str = "glucose_minimal_aerobic", fix_uptakes: bool = True,
                     knockout: str = "gene") -> tuple[pd.DataFrame, pd.DataFrame]:
    """pFBA reference-flux predictions for every sample of ``data``; ``model`` is left unchanged.

    Parameters
    ----------
    model
        The unsplit GEM (e.g. iAF1260); its single objective reaction is the growth reported.
    data
        The Ishii data (:func:`helpers.data.ishii.load_ishii`): uptakes, knock-outs, reference.
    medium
        A medium of :data:`helpers.gem.MEDIA` applied around all samples.
    fix_uptakes
        Fix the measured glucose and O2 uptakes (lower = upper bound) rather than cap them.
    knockout
        ``'gene'`` (knock the sample's gene out through the GPR rules) or ``'reactions'`` (the
        release's ``KOs_Vin`` table).

    A sample whose LP fails (cobra raises :class:`cobra.exceptions.OptimizationError`, e.g.
    ``Infeasible``) gets a NaN row and its status; any other exception propagates.

    Returns
    -------
    predictions : DataFrame (samples x reference fluxes), NaN rows for infeasible samples
    status : DataFrame with per sample the solver status, growth, the mechanistic residual
        ``||S v||² / m`` of the whole pFBA flux vector (0 up to solver tolerance), and what was
        knocked out
    """
    from helpers.gem import stoichiometric_matrix

    reference = list(data.reference.columns)
    S = stoichiometric_matrix(model)
    rows, report = {}, []
    with use_medium(model, medium):
        for sample in data.reference.index:
            uptakes = data.fluxes.loc[sample, UPTAKES].to_dict()
            gene = data.samples.loc[sample, "b_number"]
            if knockout == "gene":  # through the GPR rules: isozymes keep a reaction alive
                knockouts, genes = [], [gene] if gene and gene in model.genes else []
            elif knockout == "reactions":  # the release's KOs_Vin table
                knockouts, genes = knockouts_from_row(data.knockouts.loc[sample]), []
            else:
                raise ValueError(f"The 'knockout' parameter must be 'gene' or 'reactions'. "
                                 f"Got {knockout!r} instead.")
            with use_sample_bounds(model, uptakes, knockouts, genes, fix_uptakes=fix_uptakes):
                try:
                    solution = pfba(model)
                    status = solution.status
                except OptimizationError as exc:  # cobra raises on infeasible pFBA
                    solution, status = None, f"infeasible ({exc.__class__.__name__})"
            if solution is not None and status == "optimal":
                rows[sample] = net_to_split(solution.fluxes, reference)
                growth = float(solution.fluxes[_objective_id(model)])
                residual = float(np.sum((S @ solution.fluxes.to_numpy()) ** 2) / S.shape[0])
            else:
                rows[sample] = pd.Series(np.nan, index=reference)
                growth = residual = np.nan
            report.append({"sample": sample, "status": status, "growth": growth, "L2": residual,
                           "knocked_out": ", ".join(knockouts + genes)})
    predictions = pd.DataFrame(rows).T.loc[data.reference.index, reference]
    return predictions, pd.DataFrame(report).set_index("sample")


def _objective_id(model: cobra.Model) -> str:
    """Id of the model's one objective reaction (a ``ValueError`` names what was found)."""
    found = [r.id for r in model.reactions if r.objective_coefficient != 0]
    if len(found) != 1:
        raise ValueError(f"Model {model.id!r} must have exactly one objective reaction (the "
                         f"growth reported per sample); found {len(found)}: {found[:5]}.")
    return found[0]

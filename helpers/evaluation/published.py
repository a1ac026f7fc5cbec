"""Published predictions of Gonçalves et al. (2023) and the MINN release, scored by our metrics.

The baseline files are fluxes x samples with unprefixed MFA reaction names (``PGI``) and signed
values; knock-outs are named by b-number in the pFBA file and not at all in the RF / NN files,
whose 29 columns and 45 rows follow the pFBA file's order. Gonçalves et al. scored them against the
signed MFA fluxes (``ishii/fluxomics.csv``).
"""

from __future__ import annotations

import pandas as pd

from helpers.data.files import read_csv
from helpers.data.ishii import SAMPLE_ORDER, read_sample_table
from helpers.data.registry import fetch
from helpers.evaluation.metrics import per_sample_table, summarize

__all__ = ["PUBLISHED_FILES", "signed_reference", "load_published", "published_summary",
           "published_rows", "load_released_minn"]

PUBLISHED_FILES = {
    "pFBA (Gonçalves)": "ishii/pFBA_ishii.csv",
    "RF (Gonçalves)": "ishii/best_rf_ishii.csv",
    "NN (Gonçalves)": "ishii/ishii_NN.csv",
}
#: Rows of goncalves2023/overall_results.csv that Table 2 of the MINN paper quotes.
SUMMARY_ROWS = {
    "pFBA (Gonçalves)": ("pFBA", "N/A", "1", "N/A"),
    "RF (Gonçalves)": ("RF", "T+P", "1", "0"),
    "NN (Gonçalves)": ("NN", "T+P", "1", "0"),
}


def _flux_names() -> list[str]:
    frame = read_csv(fetch(PUBLISHED_FILES["pFBA (Gonçalves)"]), index_col=0)
    return [f"R_{name}" for name in frame.index]


def signed_reference() -> pd.DataFrame:
    """The 45 measured fluxes, signed, with MFA names (29 samples x 45), as Gonçalves scored."""
    flux = read_sample_table(fetch("ishii/fluxomics.csv"), name="ishii/fluxomics.csv")
    return flux.loc[SAMPLE_ORDER, _flux_names()]


def load_published(model: str) -> pd.DataFrame:
    """Predictions of a published baseline as samples x fluxes, in our sample order and names."""
    key = PUBLISHED_FILES[model]
    path = fetch(key)
    frame = read_csv(path, index_col=0) if model.startswith("pFBA") else read_csv(path)
    if frame.shape != (45, 29):
        raise ValueError(f"{key}: expected 45 fluxes x 29 samples, found {frame.shape}")
    predictions = frame.T.copy()
    predictions.index = SAMPLE_ORDER  # same order as ours (checked for pFBA's names below)
    predictions.columns = _flux_names()
    if model.startswith("pFBA"):
        wild = list(frame.columns[:5])
        if wild != SAMPLE_ORDER[:5]:
            raise ValueError(f"{key}: unexpected sample columns {wild}")
    return predictions


def published_rows() -> pd.DataFrame:
    """The published summary rows (overall_results.csv) that Table 2 quotes."""
    table = read_csv(fetch("goncalves2023/overall_results.csv"), dtype=str,
                     keep_default_na=False)
    rows = []
    for model, (name, omics, uptakes, deviations) in SUMMARY_ROWS.items():
        hit = table[(table.Model == name) & (table.Omics == omics) & (table.Uptakes == uptakes)
                    & (table.Deviations == deviations)]
        if len(hit) != 1:
            raise ValueError(f"overall_results.csv: expected one row for {model}, found {len(hit)}")
        row = hit.iloc[0]
        record = {"model": model}
        for metric in ("R2", "MAE", "RMSE", "NE"):
            record[f"published_{metric}_mean"] = float(row[metric])
            record[f"published_{metric}_sd"] = float(row[f"{metric}_SD"])
        rows.append(record)
    return pd.DataFrame(rows)


def published_summary() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every published prediction file; return (per-sample metrics, summary beside published)."""
    reference = signed_reference()
    per_sample = pd.concat([per_sample_table(reference, load_published(m), model=m)
                            for m in PUBLISHED_FILES], ignore_index=True)
    summary = summarize(per_sample, ["R2", "MAE", "RMSE", "NE"]).merge(published_rows(), on="model")
    return per_sample, summary


def load_released_minn() -> pd.DataFrame:
    """MINN-c-balanced LOO predictions released by the MINN authors (split ids, our sample order)."""
    key = "ishii/minn_pred_c_balanced.csv"
    frame = read_csv(fetch(key))
    if len(frame) != len(SAMPLE_ORDER):
        raise ValueError(f"{key}: expected {len(SAMPLE_ORDER)} rows, found {len(frame)}")
    frame.index = SAMPLE_ORDER
    return frame

"""The Ishii et al. (2007) E. coli dataset: 29 chemostat samples, transcripts, proteins, fluxes.

One call, :func:`load_ishii`, returns every table the book uses, in one fixed sample order, after
checking each CSV (an ``experiment`` column, numeric cells, no NaN, no duplicated sample) and that
all tables hold the same samples. Flux IDs follow the split-GEM naming of the MINN release
(``R_PGI_fwd``, ``R_EX_glc__D_e_rev``, ...).

Introduced in chapter ``01_dataset``.

References
----------
Ishii N. et al. (2007) Multiple high-throughput analyses monitor the response of E. coli to
perturbations. Science 316:593-597.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data.registry import fetch

__all__ = [
    "IshiiData",
    "DatasetError",
    "UPTAKES",
    "SAMPLE_ORDER",
    "read_sample_table",
    "load_ishii",
    "sample_metadata",
]

INDEX = "experiment"
UPTAKES = ["R_EX_glc__D_e_rev", "R_EX_o2_e_rev"]
BIOMASS = "R_BIOMASS_Ec_iAF1260_core_59p81M"

#: Knocked-out genes in the order of the release, with their b-numbers (EcoCyc).
KNOCKOUT_GENES: dict[str, str] = {
    "galM": "b0756", "glk": "b2388", "pgm": "b0688", "pgi": "b4025", "pfkA": "b3916",
    "pfkB": "b1723", "fbp": "b4232", "fbaB": "b2097", "gapC": "b1417", "gpmA": "b0755",
    "gpmB": "b4395", "pykA": "b1854", "pykF": "b1676", "ppsA": "b1702", "zwf": "b1852",
    "pgl": "b0767", "gnd": "b2029", "rpe": "b3386", "rpiA": "b2914", "rpiB": "b4090",
    "tktA": "b2935", "tktB": "b2465", "talA": "b2464", "talB": "b0008",
}
WILD_TYPES = ["REF", "WT_0.1h-1", "WT_0.4h-1", "WT_0.5h-1", "WT_0.7h-1"]
SAMPLE_ORDER: list[str] = WILD_TYPES + list(KNOCKOUT_GENES)


class DatasetError(ValueError):
    """A data table is malformed or inconsistent with the others."""


@dataclass(frozen=True)
class IshiiData:
    """The Ishii dataset as returned by :func:`load_ishii` (all frames indexed by sample)."""

    transcripts: pd.DataFrame
    proteins: pd.DataFrame
    fluxes: pd.DataFrame
    knockouts: pd.DataFrame
    samples: pd.DataFrame

    @property
    def uptakes(self) -> pd.DataFrame:
        """Measured glucose and O2 uptakes (mmol/gDW/h), the two flux inputs of MINN."""
        return self.fluxes[UPTAKES]

    @property
    def X(self) -> pd.DataFrame:  # noqa: N802 - the book's vocabulary
        """Model inputs: transcripts || proteins || measured uptakes (29 x 141)."""
        return pd.concat([self.transcripts, self.proteins, self.uptakes], axis=1)

    @property
    def reference(self) -> pd.DataFrame:
        """The reference (target) fluxes: every measured flux except the two input uptakes."""
        return self.fluxes.drop(columns=UPTAKES)


def read_sample_table(path: str | Path, *, name: str | None = None) -> pd.DataFrame:
    """Read a samples x features CSV indexed by ``experiment`` and validate it.

    Raises :class:`DatasetError` naming the file, row and column of the first problem: a missing
    ``experiment`` column, a duplicated sample, a non-numeric cell or a missing value.
    """
    path = Path(path)
    label = name or path.name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise DatasetError(f"{label}: not a well-formed CSV ({exc})") from exc
    if INDEX not in frame.columns:
        raise DatasetError(
            f"{label}: no {INDEX!r} column (sample index); columns found: {list(frame.columns)[:5]}..."
        )
    duplicated = frame[INDEX][frame[INDEX].duplicated()].tolist()
    if duplicated:
        raise DatasetError(f"{label}: duplicated sample(s) {duplicated} in column {INDEX!r}")
    frame = frame.set_index(INDEX)
    values = np.empty(frame.shape, dtype=float)
    for j, column in enumerate(frame.columns):
        for i, (sample, cell) in enumerate(frame[column].items()):
            text = cell.strip()
            if text == "" or text.lower() in {"nan", "na", "null"}:
                raise DatasetError(
                    f"{label}: missing value (NaN) at row {i + 2} (sample {sample!r}), column {column!r}"
                )
            try:
                values[i, j] = float(text)
            except ValueError:
                raise DatasetError(
                    f"{label}: non-numeric cell {cell!r} at row {i + 2} (sample {sample!r}), "
                    f"column {column!r}"
                ) from None
            if not np.isfinite(values[i, j]):
                raise DatasetError(
                    f"{label}: non-finite value {cell!r} at row {i + 2} (sample {sample!r}), "
                    f"column {column!r}"
                )
    return pd.DataFrame(values, index=frame.index.rename(INDEX), columns=frame.columns)


def _check_same_samples(tables: dict[str, pd.DataFrame], order: list[str]) -> None:
    expected = set(order)
    for label, frame in tables.items():
        found = set(frame.index)
        if found != expected:
            missing = sorted(expected - found)
            extra = sorted(found - expected)
            raise DatasetError(
                f"{label}: samples differ from the expected {len(order)}: "
                f"missing {missing}, unexpected {extra}"
            )


def sample_metadata(samples: list[str] | None = None) -> pd.DataFrame:
    """Experimental design: kind (wild type / knock-out), dilution rate D (1/h), gene, b-number."""
    rows = []
    for sample in samples or SAMPLE_ORDER:
        if sample == "REF":
            rows.append((sample, "wild type", 0.2, "", ""))
        elif sample.startswith("WT_"):
            rate = float(re.match(r"WT_([0-9.]+)h-1", sample).group(1))
            rows.append((sample, "wild type", rate, "", ""))
        else:
            rows.append((sample, "knock-out", 0.2, sample, KNOCKOUT_GENES.get(sample, "")))
    frame = pd.DataFrame(rows, columns=["sample", "kind", "dilution_rate", "gene", "b_number"])
    return frame.set_index("sample")


def load_ishii(flux_file: str = "ishii/fluxomics_iAF1260_reduced_split.csv") -> IshiiData:
    """Load the 29 Ishii samples in :data:`SAMPLE_ORDER` with inputs, fluxes and knock-outs.

    Parameters
    ----------
    flux_file
        Registry key of the flux table (split-GEM IDs); the default holds the 45 reference
        fluxes of iAF1260 plus the two measured uptakes.
    """
    files = {
        "transcripts": "ishii/transcriptomics.csv",
        "proteins": "ishii/proteomics.csv",
        "fluxes": flux_file,
        "knockouts": "ishii/KOs_Vin.csv",
    }
    tables = {key: read_sample_table(fetch(name), name=name) for key, name in files.items()}
    _check_same_samples({files[k]: v for k, v in tables.items()}, SAMPLE_ORDER)
    missing_uptakes = [u for u in UPTAKES if u not in tables["fluxes"].columns]
    if missing_uptakes:
        raise DatasetError(f"{flux_file}: missing uptake column(s) {missing_uptakes}")
    ordered = {key: frame.loc[SAMPLE_ORDER] for key, frame in tables.items()}
    return IshiiData(samples=sample_metadata(SAMPLE_ORDER), **ordered)

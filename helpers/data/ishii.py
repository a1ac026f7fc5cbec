"""The E. coli dataset of {cite}`ishii2007`: 29 chemostat samples, transcripts, proteins, fluxes.

One call, :func:`load_ishii`, returns every table the book uses, in one fixed sample order, after
checking each CSV (UTF-8 text, an ``experiment`` column, the expected columns once each, numeric
cells, no NaN, no duplicated sample, knock-out values 0 or 1) and that all tables hold the same
samples. Messages name the file, its line number, the sample and the column. Flux IDs follow
the split-GEM naming of the MINN release (``R_PGI_fwd``, ``R_EX_glc__D_e_rev``, ...).

Introduced in chapter ``01_dataset``.

References
----------
{cite}`ishii2007` (the measurements); {cite}`tazza2025minn` (the MINN release of these files).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data.files import FileFormatError, read_text_records
from helpers.data.ishii_columns import COLUMNS
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
#: Values of the knock-out table: 0 = knocked out, 1 = free.
KNOCKOUT_VALUES = (0.0, 1.0)
WILD_TYPES = ["REF", "WT_0.1h-1", "WT_0.4h-1", "WT_0.5h-1", "WT_0.7h-1"]
SAMPLE_ORDER: list[str] = WILD_TYPES + list(KNOCKOUT_GENES)


class DatasetError(FileFormatError):
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


def read_sample_table(path: str | Path, *, name: str | None = None,
                      columns: Sequence[str] | None = None,
                      allowed: Sequence[float] | None = None) -> pd.DataFrame:
    """Read a samples x features CSV indexed by ``experiment`` and validate it.

    Raises :class:`DatasetError` naming the file, line and column of the first problem: an empty
    or non-UTF-8 file, a missing ``experiment`` column, a duplicated column, a duplicated sample,
    a non-numeric cell or a missing value. With ``columns``, the feature columns must be exactly
    those (any order; returned in that order); with ``allowed``, every value must be one of them
    (e.g. 0 or 1 for knock-out constraints).
    """
    path = Path(path)
    label = name or path.name
    try:
        header, records = read_text_records(path, label=label)
    except FileFormatError as exc:
        raise DatasetError(str(exc)) from None
    _check_header(header, label, columns)
    position = header.index(INDEX)
    features = [c for k, c in enumerate(header) if k != position]
    samples, lines, values = [], [], np.empty((len(records), len(features)))
    for i, (line, fields) in enumerate(records):
        sample = fields[position].strip()
        if sample in samples:
            raise DatasetError(f"{label}: duplicated sample {sample!r} in column {INDEX!r} at line "
                               f"{line} (first at line {lines[samples.index(sample)]})")
        samples.append(sample)
        lines.append(line)
        cells = [f for k, f in enumerate(fields) if k != position]
        for j, (column, cell) in enumerate(zip(features, cells, strict=True)):
            where = f"{label}: {{what}} at line {line} (sample {sample!r}), column {column!r}"
            values[i, j] = _number(cell, where)
            if allowed is not None and values[i, j] not in allowed:
                raise DatasetError(where.format(what=f"value {cell!r} (allowed: {list(allowed)})"))
    frame = pd.DataFrame(values, index=pd.Index(samples, name=INDEX), columns=features)
    return frame[list(columns)] if columns is not None else frame


def _check_header(header: list[str], label: str, columns: Sequence[str] | None) -> None:
    """An ``experiment`` column, no duplicated name, and exactly ``columns`` when given."""
    if INDEX not in header:
        raise DatasetError(
            f"{label}: no {INDEX!r} column (sample index); columns found: {header[:5]}..."
        )
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise DatasetError(f"{label}: duplicated column(s) {duplicated} in the header (line 1)")
    if columns is None:
        return
    found = [c for c in header if c != INDEX]
    missing = [c for c in columns if c not in found]
    unexpected = [c for c in found if c not in set(columns)]
    if missing or unexpected:
        raise DatasetError(f"{label}: expected {len(columns)} feature columns; missing {missing}, "
                           f"unexpected {unexpected}")


def _number(cell: str, where: str) -> float:
    """The float in ``cell``; ``where`` (with a ``{what}`` slot) locates the error."""
    text = cell.strip()
    if text == "" or text.lower() in {"nan", "na", "null"}:
        raise DatasetError(where.format(what="missing value (NaN)"))
    try:
        value = float(text)
    except ValueError:
        raise DatasetError(where.format(what=f"non-numeric cell {cell!r}")) from None
    if not np.isfinite(value):
        raise DatasetError(where.format(what=f"non-finite value {cell!r}"))
    if not _DECIMAL.fullmatch(text):  # float() also reads '2_93' as 293 and non-ASCII digits
        what = f"non-numeric cell {cell!r} (not a plain decimal number)"
        raise DatasetError(where.format(what=what))
    return value


#: A plain decimal number as a CSV writes it: sign, ASCII digits, one point, an exponent.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


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
    tables = {key: read_sample_table(fetch(name), name=name, columns=COLUMNS.get(name),
                                     allowed=KNOCKOUT_VALUES if key == "knockouts" else None)
              for key, name in files.items()}
    _check_same_samples({files[k]: v for k, v in tables.items()}, SAMPLE_ORDER)
    missing_uptakes = [u for u in UPTAKES if u not in tables["fluxes"].columns]
    if missing_uptakes:
        raise DatasetError(f"{flux_file}: missing uptake column(s) {missing_uptakes}")
    ordered = {key: frame.loc[SAMPLE_ORDER] for key, frame in tables.items()}
    return IshiiData(samples=sample_metadata(SAMPLE_ORDER), **ordered)

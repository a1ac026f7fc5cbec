"""Your own data for MINN: a folder in the book's dataset format, loaded and checked.

A dataset is a folder holding a manifest ``dataset.toml``, one or more omics CSV files, one
measured-flux CSV and a GEM file (cobra JSON or SBML); ``book/dataset_format.md`` documents it::

    name = "my_strains"
    sample_column = "sample"        # the column that labels the samples in every CSV
    flux_units = "mmol/gDW/h"

    [gem]
    file = "model.json"             # cobra JSON (.json) or SBML (.xml, .sbml)

    [[omics]]                       # one block per omics file; every column is an input
    file = "transcripts.csv"
    units = "log2 expression"

    [fluxes]
    file = "fluxes.csv"             # net fluxes, one column per GEM reaction id
    uptakes = ["EX_glc__D_e", "EX_o2_e"]   # flux columns that are inputs
    targets = []                    # optional: the fluxes to predict (default: all others)

:func:`load_dataset` reads it into a :class:`Dataset` whose ``X`` (omics, then uptakes) and
``reference`` (target fluxes) have the roles of :class:`helpers.data.ishii.IshiiData`'s. Samples
are aligned by label across files (in the flux file's order). Every problem is a
:class:`DatasetFormatError` naming the file and, where there is one, its line, sample and column:
an unknown manifest key, a missing file, a malformed CSV, a non-numeric or missing (NaN) cell, a
duplicated sample or column, samples missing from one file, a flux column that is not a reaction
of the GEM (with its closest ids).

Flux columns are *net* fluxes of the GEM's reactions in its own sign convention (an uptake is
negative); :mod:`helpers.minn.dataset` turns them into the split, non-negative fluxes MINN
predicts. :mod:`helpers.data.synthetic` writes a dataset in this format with a known truth.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cobra
import numpy as np
import pandas as pd
import tomllib

from helpers.data.files import FileFormatError, read_text_records
from helpers.data.ishii import DatasetError

__all__ = ["MANIFEST", "Dataset", "DatasetFormatError", "load_dataset", "read_labelled_table",
           "read_gem_file"]

#: The manifest's file name inside a dataset folder.
MANIFEST = "dataset.toml"
#: Keys the manifest may hold, per table (None: the top level); a key outside these is an error.
KEYS: dict[str | None, set[str]] = {
    None: {"name", "description", "sample_column", "flux_units", "gem", "omics", "fluxes"},
    "gem": {"file"},
    "omics": {"file", "name", "units"},
    "fluxes": {"file", "uptakes", "targets"},
}
_MISSING = {"", "nan", "na", "null", "none"}


class DatasetFormatError(DatasetError):
    """A dataset folder does not follow the format; the message names the file (line, column)."""


@dataclass(frozen=True)
class Dataset:
    """A dataset loaded by :func:`load_dataset` (every frame indexed by sample, same order)."""

    name: str
    folder: Path
    sample_column: str
    flux_units: str
    omics: dict[str, pd.DataFrame]
    fluxes: pd.DataFrame
    uptake_ids: list[str]
    target_ids: list[str]
    gem_file: Path
    flux_file: Path
    units: dict[str, str] = field(default_factory=dict)
    gem: cobra.Model | None = field(default=None, repr=False, compare=False)

    @property
    def samples(self) -> list[str]:
        """Sample labels, in the flux file's order."""
        return list(self.fluxes.index)

    @property
    def uptakes(self) -> pd.DataFrame:
        """The flux columns that are inputs (net fluxes, e.g. negative uptakes)."""
        return self.fluxes[self.uptake_ids]

    @property
    def X(self) -> pd.DataFrame:  # noqa: N802 - the book's vocabulary
        """Model inputs: every omics block, then the uptakes (a column name two blocks share is
        written ``<block>:<name>``)."""
        blocks = [*self.omics.items(), ("fluxes", self.uptakes)]
        counts = pd.Series([c for _, frame in blocks for c in frame.columns]).value_counts()
        shared = set(counts[counts > 1].index)
        renamed = [frame.rename(columns={c: f"{block}:{c}" for c in frame.columns if c in shared})
                   for block, frame in blocks]
        return pd.concat(renamed, axis=1)

    @property
    def reference(self) -> pd.DataFrame:
        """The target (reference) fluxes, net, one column per GEM reaction id."""
        return self.fluxes[self.target_ids]

    def model(self) -> cobra.Model:
        """A fresh copy of the dataset's GEM."""
        return (self.gem if self.gem is not None else read_gem_file(self.gem_file)).copy()


def read_gem_file(path: str | Path) -> cobra.Model:
    """A cobra JSON (``.json``) or SBML model; a :class:`DatasetFormatError` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise DatasetFormatError(f"{path.name}: GEM file not found at {path}")
    try:
        if path.suffix.lower() == ".json":
            return cobra.io.load_json_model(str(path))
        return cobra.io.read_sbml_model(str(path))
    except Exception as exc:  # cobra raises many kinds; the message must name the file
        raise DatasetFormatError(f"{path.name}: not a readable cobra JSON or SBML model "
                                 f"({type(exc).__name__}: {exc})") from None


def read_labelled_table(path: Path, sample_column: str) -> pd.DataFrame:
    """A samples x features CSV labelled by ``sample_column``, every other cell a finite number.

    Raises :class:`DatasetFormatError` naming the file, line, sample and column of the first
    problem (empty / non-UTF-8 / ragged file, no sample column, duplicated column or sample,
    missing or non-numeric cell).
    """
    label = path.name
    if not path.is_file():
        raise DatasetFormatError(f"{label}: file not found at {path}")
    try:
        header, records = read_text_records(path, label=label)
    except FileFormatError as exc:
        raise DatasetFormatError(str(exc)) from None
    header = [h.strip() for h in header]
    if sample_column not in header:
        raise DatasetFormatError(f"{label}: no sample column {sample_column!r} (the manifest's "
                                 f"sample_column); columns found: {header[:5]}")
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise DatasetFormatError(f"{label}: duplicated column(s) {duplicated} in the header (line 1)")
    position = header.index(sample_column)
    features = [c for k, c in enumerate(header) if k != position]
    samples: dict[str, int] = {}
    values = np.empty((len(records), len(features)))
    for i, (line, fields) in enumerate(records):
        sample = fields[position].strip()
        if not sample:
            raise DatasetFormatError(f"{label}: empty sample label at line {line}")
        if sample in samples:
            raise DatasetFormatError(f"{label}: duplicated sample {sample!r} at line {line} "
                                     f"(first at line {samples[sample]})")
        samples[sample] = line
        cells = [f for k, f in enumerate(fields) if k != position]
        for j, (column, cell) in enumerate(zip(features, cells, strict=True)):
            values[i, j] = _number(cell, f"{label}: {{}} at line {line} (sample {sample!r}), "
                                         f"column {column!r}")
    return pd.DataFrame(values, index=pd.Index(list(samples), name=sample_column), columns=features)


def _number(cell: str, where: str) -> float:
    """The finite float in ``cell``; ``where`` (one ``{}`` slot) locates the error."""
    text = cell.strip()
    if text.lower() in _MISSING:
        raise DatasetFormatError(where.format("missing value (NaN)"))
    try:
        value = float(text)
    except ValueError:
        raise DatasetFormatError(where.format(f"non-numeric cell {cell!r}")) from None
    if not np.isfinite(value):
        raise DatasetFormatError(where.format(f"non-finite value {cell!r}"))
    return value


def _manifest(folder: Path) -> dict[str, Any]:
    """The parsed ``dataset.toml`` of ``folder``, its keys checked."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise DatasetFormatError(f"{folder}: not a dataset folder (no such directory)")
    if not path.is_file():
        raise DatasetFormatError(f"{MANIFEST}: no manifest in {folder} (see book/dataset_format.md)")
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DatasetFormatError(f"{MANIFEST}: not valid TOML ({exc})") from None
    _check_keys(manifest, None)
    for table in ("gem", "fluxes"):
        if not isinstance(manifest.get(table), dict):
            raise DatasetFormatError(f"{MANIFEST}: a [{table}] table is required")
        _check_keys(manifest[table], table)
    omics = manifest.get("omics", [])
    if not isinstance(omics, list) or not omics:
        raise DatasetFormatError(f"{MANIFEST}: at least one [[omics]] block is required")
    for block in omics:
        _check_keys(block, "omics")
    for where, table in [("[gem]", manifest["gem"]), ("[fluxes]", manifest["fluxes"]),
                         *[(f"[[omics]] #{k + 1}", b) for k, b in enumerate(omics)]]:
        if not isinstance(table.get("file"), str):
            raise DatasetFormatError(f"{MANIFEST}: {where} needs a 'file' (a path in the folder)")
    for key in ("sample_column", "flux_units"):
        if not isinstance(manifest.get(key), str) or not manifest[key].strip():
            raise DatasetFormatError(f"{MANIFEST}: '{key}' (text) is required")
    return manifest


def _check_keys(table: Any, name: str | None) -> None:
    where = "the top level" if name is None else f"[{name}]"
    if not isinstance(table, dict):
        raise DatasetFormatError(f"{MANIFEST}: {where} must be a table")
    unknown = sorted(set(table) - KEYS[name])
    if unknown:
        raise DatasetFormatError(f"{MANIFEST}: unknown key(s) {unknown} in {where}; "
                                 f"allowed: {sorted(KEYS[name])}")


def _id_list(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DatasetFormatError(f"{MANIFEST}: {what} must be a list of reaction ids")
    return list(value)


def _align(tables: dict[str, pd.DataFrame], order: list[str], reference: str) -> None:
    """Every table holds exactly the samples of ``reference`` (labels named otherwise)."""
    for label, frame in tables.items():
        missing = [s for s in order if s not in frame.index]
        extra = [s for s in frame.index if s not in set(order)]
        if missing or extra:
            raise DatasetFormatError(
                f"{label}: samples differ from those of {reference} (aligned by label): "
                f"missing {missing}, not in {reference} {extra}")


def _check_reactions(ids: list[str], model: cobra.Model, label: str) -> None:
    """Every flux column a reaction id of the GEM (closest ids suggested)."""
    known = [r.id for r in model.reactions]
    for rid in ids:
        if rid not in model.reactions:
            close = difflib.get_close_matches(rid, known, n=3, cutoff=0.5)
            raise DatasetFormatError(f"{label}: column {rid!r} is not a reaction id of the GEM "
                                     f"{model.id!r}; closest ids: {close}")


def load_dataset(path: str | Path) -> Dataset:
    """Load and check the dataset folder ``path`` (:mod:`helpers.data.dataset` gives the format).

    Raises
    ------
    DatasetFormatError
        Naming the file (and line, sample, column or reaction id) of the first problem.
    """
    folder = Path(path).expanduser().resolve()
    manifest = _manifest(folder)
    sample_column = manifest["sample_column"].strip()
    flux_spec = manifest["fluxes"]
    fluxes = read_labelled_table(folder / flux_spec["file"], sample_column)
    flux_label = Path(flux_spec["file"]).name
    order = list(fluxes.index)
    omics, units = {}, {"fluxes": manifest["flux_units"]}
    for block in manifest["omics"]:
        name = block.get("name") or Path(block["file"]).stem
        if name in omics or name == "fluxes":
            raise DatasetFormatError(f"{MANIFEST}: two inputs are named {name!r}; give each "
                                     "[[omics]] block its own 'name'")
        omics[name] = read_labelled_table(folder / block["file"], sample_column)
        units[name] = str(block.get("units", ""))
    _align({Path(b["file"]).name: omics[b.get("name") or Path(b["file"]).stem]
            for b in manifest["omics"]}, order, flux_label)
    omics = {name: frame.loc[order] for name, frame in omics.items()}
    uptakes = _id_list(flux_spec.get("uptakes", []), "[fluxes] uptakes")
    targets = _id_list(flux_spec.get("targets", []), "[fluxes] targets")
    for rid in uptakes + targets:
        if rid not in fluxes.columns:
            raise DatasetFormatError(f"{MANIFEST}: {rid!r} (in [fluxes]) is not a column of "
                                     f"{flux_label}; its columns: {list(fluxes.columns)[:8]}...")
    targets = targets or [c for c in fluxes.columns if c not in uptakes]
    both = sorted(set(uptakes) & set(targets))
    if both:
        raise DatasetFormatError(f"{MANIFEST}: {both} listed as both uptakes and targets")
    if len(order) < 3 or not targets:
        raise DatasetFormatError(f"{flux_label}: needs at least 3 samples and one target flux "
                                 f"(found {len(order)} samples, {len(targets)} targets)")
    gem_file = folder / manifest["gem"]["file"]
    gem = read_gem_file(gem_file)
    _check_reactions(list(fluxes.columns), gem, flux_label)
    return Dataset(name=str(manifest.get("name", folder.name)), folder=folder,
                   sample_column=sample_column, flux_units=manifest["flux_units"], omics=omics,
                   fluxes=fluxes, uptake_ids=uptakes, target_ids=targets, gem_file=gem_file,
                   flux_file=folder / flux_spec["file"], units=units, gem=gem)

"""Reading data files with errors that name the file: empty, undecodable or malformed.

:func:`read_csv` wraps :func:`pandas.read_csv`; :func:`read_text_records` reads a CSV with the
standard :mod:`csv` module and keeps each record's file line number, for loaders whose messages
must point at a line. Both raise :class:`FileFormatError` (a ``ValueError``) naming the file.

Introduced in chapter ``01_dataset``, where the Ishii tables are loaded through it
(:mod:`helpers.data.ishii`); the GEM loader, the published predictions and every chapter's
:func:`helpers.book.tables.read_table` read their CSV files with it too.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

__all__ = ["FileFormatError", "read_csv", "read_text_records"]


class FileFormatError(ValueError):
    """A file cannot be read as what it should be; the message names the file."""


def _undecodable(label: str, path: Path, exc: UnicodeDecodeError) -> FileFormatError:
    return FileFormatError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start}) in {path}; "
                           "is it the right file (not a spreadsheet or a compressed file)?")


def read_csv(path: str | Path, *, label: str | None = None, **kwargs) -> pd.DataFrame:
    """:func:`pandas.read_csv` with empty, undecodable and malformed files named in the error."""
    path = Path(path)
    label = label or path.name
    try:
        return pd.read_csv(path, **kwargs)
    except pd.errors.EmptyDataError:
        raise FileFormatError(f"{label}: empty file (no header row) at {path}") from None
    except UnicodeDecodeError as exc:
        raise _undecodable(label, path, exc) from None
    except pd.errors.ParserError as exc:
        raise FileFormatError(f"{label}: not a well-formed CSV at {path} ({exc})") from None


def read_text_records(path: str | Path, *, label: str | None = None
                      ) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and ``(line number, fields)`` of every non-blank record of a UTF-8 CSV.

    Line numbers are the file's (1 = header), blank lines are skipped, and a record whose field
    count differs from the header's is an error naming its line.
    """
    path = Path(path)
    label = label or path.name
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for fields in reader:
                if not any(f.strip() for f in fields):
                    continue
                if header is None:
                    header = fields
                elif len(fields) != len(header):
                    raise FileFormatError(f"{label}: line {reader.line_num} has {len(fields)} "
                                          f"fields, the header has {len(header)} ({path})")
                else:
                    records.append((reader.line_num, fields))
    except UnicodeDecodeError as exc:
        raise _undecodable(label, path, exc) from None
    except csv.Error as exc:
        raise FileFormatError(f"{label}: not a well-formed CSV at {path} ({exc})") from None
    if header is None:
        raise FileFormatError(f"{label}: empty file (no header row) at {path}")
    return header, records

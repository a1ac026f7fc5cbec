"""How every chapter shows a table: readable on a page, numbered, the full CSV one link away.

:func:`show_table` turns a frame (usually the one just written by
:func:`helpers.book.tables.write_table`) into a compact HTML table:

- every cell through the book's one formatter, :mod:`helpers.book.table_format` (one number
  format per column, round-off as 0, booleans ✓ / –, lists joined, ids verbatim); the CSV keeps
  the raw values;
- metric pairs ``<m>_mean`` / ``<m>_sd`` become one column ``<m>`` reading "mean ± sd", with the
  paper's value (``paper_<m>_mean`` / ``paper_<m>_sd``) on a second line of the same cell, so ours
  and the paper's sit side by side per metric;
- key columns first: the index, the columns named in ``key``, each ``paper_<c>`` column right after
  its ``<c>``; ``profile`` / ``seed`` last;
- headers keep their names (underscores and all) and, like long ids, may wrap at an underscore;
  a long id keeps its full text on hover;
- no index column; long text (notes, GPR rules) goes to a numbered list under the table, the cell
  keeping only its note number;
- the table scrolls sideways inside its own box when it is wider than the page (the book's script
  adds a visible cue); a ``caption`` makes it a numbered table of the book ("Table 3.2", label
  ``tbl-<name>`` for ``{numref}``: ``book/_ext/minnbook_site.py`` numbers it);
- a line under the table names the CSV under ``_build/tables`` with every column.

Introduced in chapter ``00_toy_example``; used by every chapter.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Mapping

import pandas as pd

from helpers.book.table_format import format_column, format_pairs

#: Metrics shown in scientific notation whatever their size (the mechanistic residuals).
SCI_METRICS = ("L2", "SV2", "L2_active")
#: Text longer than this (characters) goes to the notes list under the table.
LONG_TEXT = 60
#: Text longer than this may wrap at its underscores; an id (no spaces) shows its text on hover.
ID_WRAP = 16
#: Columns a table shows last (the bookkeeping :func:`helpers.book.tables.write_table` adds).
LAST_COLUMNS = ("profile", "seed")
#: Where the "(open)" link under a table points, relative to a chapter's page
#: (``book/executed/<chapter>.html``): the book's build ships every CSV under ``_static/tables/``.
CSV_LINK = "../../_static/tables/{name}.csv"
#: The caption paragraph opening a captioned table's HTML (the book's build numbers it).
CAPTION_CLASS = "minnbook-caption"
_PAIR = re.compile(r"^(?P<metric>.+)_mean$")
_STYLE = (
    "<style>.minnbook-table-scroll{overflow-x:auto;max-width:100%;}"
    ".minnbook-table{border-collapse:collapse;font-size:0.75em;margin:0.5em 0;}"
    ".minnbook-table th,.minnbook-table td{padding:0.2em 0.3em;text-align:right;"
    "vertical-align:top;border-bottom:1px solid #ddd;}"
    ".minnbook-table td{white-space:nowrap;}.minnbook-table th{white-space:normal;}"
    ".minnbook-table td.text,.minnbook-table th.text{text-align:left;white-space:normal;"
    "overflow-wrap:break-word;min-width:6em;max-width:16em;}"
    ".minnbook-table .paper{color:#666;font-size:0.9em;display:block;white-space:normal;}"
    ".minnbook-caption{font-style:italic;}"
    ".minnbook-notes{font-size:0.85em;}.minnbook-source{font-size:0.8em;color:#555;}</style>"
)


def format_number(value, sig: int = 3, *, sci: bool = False) -> str:
    """``value`` with ``sig`` significant figures, for prose; "–" when missing.

    Whole numbers (ints, or floats such as 141.0 that are whole and not forced to ``sci``) print
    without decimals; values below 1e-3 or at least 1e5 in magnitude, or any value when ``sci``,
    print as ``8.75e-05``. Anything that is not a number is returned as text. (Table cells go
    through :mod:`helpers.book.table_format` instead: one format per column.)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return str(value)
    if not isinstance(value, numbers.Number):
        return str(value)
    value = float(value) if not isinstance(value, numbers.Integral) else int(value)
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if isinstance(value, int) or (value.is_integer() and not sci and abs(value) < 1e5):
        return f"{int(value):d}"
    if sci or (value != 0 and not 1e-3 <= abs(value) < 1e5):
        return f"{value:.{sig - 1}e}"
    if abs(value) >= 1:
        digits = int(math.floor(math.log10(abs(value)))) + 1
        return f"{value:.{max(sig - digits, 0)}f}"
    return f"{value:.{sig}g}"


def mean_sd(mean, sd, sig: int = 3, *, sci: bool = False) -> str:
    """"mean ± sd" for prose (just the mean when the sd is missing; "–" when the mean is)."""
    text = format_number(mean, sig, sci=sci)
    if text == "–" or sd is None or sd is pd.NA or (isinstance(sd, float) and math.isnan(sd)):
        return text
    return f"{text} ± {format_number(sd, 2 if sig > 2 else sig, sci=sci)}"


def _metrics(columns: list[str]) -> list[str]:
    """Metrics ``m`` with an ``m_mean`` column that is not itself a paper column."""
    found = []
    for column in columns:
        match = _PAIR.match(column)
        if match and not column.startswith("paper_"):
            found.append(match["metric"])
    return found


def _paper_partner(column: str, columns: list[str]) -> str | None:
    """The column a ``paper_<c>`` column belongs beside: ``<c>`` itself, else the first column
    whose ``_``-separated words include all of ``c``'s."""
    base = column[len("paper_"):]
    ours = [c for c in columns if not c.startswith("paper_")]
    if base in ours:
        return base
    words = set(base.split("_"))
    return next((c for c in ours if words <= set(c.split("_"))), None)


def key_order(columns: list[str], key: tuple[str, ...] = (), *, leading: int = 0) -> list[str]:
    """``columns`` with the key ones first: the ``leading`` (index) columns, then those in
    ``key``, the others in order with each ``paper_<c>`` right after its ``<c>``, and
    :data:`LAST_COLUMNS` last. A ``key`` column that is not there is an error."""
    missing = [k for k in key if k not in columns]
    if missing:
        raise KeyError(f"show_table: key column(s) {missing} not in the table's columns "
                       f"{columns}.")
    first = list(dict.fromkeys([*columns[:leading], *key]))
    rest = [c for c in columns if c not in first and c not in LAST_COLUMNS]
    shown = first + rest
    partners = {c: _paper_partner(c, shown) for c in shown
                if c.startswith("paper_") and not c.endswith(("_mean", "_sd"))}
    order: list[str] = []
    for column in shown:
        if partners.get(column) is not None:
            continue  # placed beside its partner
        order.append(column)
        order += [p for p, ours in partners.items() if ours == column]
    return order + [c for c in columns if c in LAST_COLUMNS and c not in order]


def _breakable(text: str) -> str:
    """Escaped ``text`` that may wrap after its underscores (same text, copied or read)."""
    return html.escape(text).replace("_", "_<wbr>")


def _text_cell(text: str) -> str:
    """A text cell's HTML: a long id wraps at its underscores and shows its full text on hover."""
    if len(text) <= ID_WRAP:
        return html.escape(text)
    if " " in text.strip():
        return _breakable(text)
    return f'<span title="{html.escape(text, quote=True)}">{_breakable(text)}</span>'


def _flat(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``frame`` with a meaningful index as first column(s) and flat string column names; how
    many columns came from the index."""
    index = frame.index
    leading = 0
    if any(n is not None for n in index.names) or not pd.api.types.is_integer_dtype(index.dtype):
        leading = index.nlevels
        frame = frame.reset_index()
        if "index" in frame.columns and index.names == [None]:
            frame = frame.rename(columns={"index": ""})
    columns = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in frame.columns]
    return frame.set_axis(columns, axis=1), leading


def _metric_cells(frame: pd.DataFrame, metric: str, sig: int, is_sci: bool,
                  paper_label: str) -> list[str]:
    """The cells of one metric: "mean ± sd", the paper's under ours."""
    sd = frame.get(f"{metric}_sd")
    paper = frame.get(f"paper_{metric}_mean")
    extra = list(paper) if paper is not None else []
    ours = format_pairs(frame[f"{metric}_mean"], sd, sig, sci=is_sci, extra=extra)
    if paper is None:
        return [html.escape(o) for o in ours]
    theirs = format_pairs(paper, frame.get(f"paper_{metric}_sd"), sig, sci=is_sci,
                          extra=list(frame[f"{metric}_mean"]))
    return [html.escape(o) + ("" if not t else
                              f'<span class="paper">{paper_label} {html.escape(t)}</span>')
            for o, t in zip(ours, theirs, strict=True)]


def table_cells(frame: pd.DataFrame, *, sig: int = 3, sci: tuple[str, ...] = SCI_METRICS,
                paper_label: str = "paper", wrap: tuple[str, ...] = (),
                key: tuple[str, ...] = ()) -> tuple[pd.DataFrame, list[str]]:
    """The HTML of each shown cell, and the notes moved out of long-text cells.

    Returns ``(cells, notes)``: ``cells`` is a frame of HTML strings without the index (a
    meaningful index becomes the first column(s)), key columns first (:func:`key_order`), one
    column per metric pair; ``notes`` the long texts in order, each cell keeping its ``[k]``
    (columns in ``wrap`` keep their text, wrapped). ``cells.attrs["text_columns"]`` lists the
    columns of text (left-aligned, wrapping).
    """
    frame, leading = _flat(frame)
    frame = frame[key_order(list(frame.columns), tuple(key), leading=leading)]
    columns = list(frame.columns)
    metrics = _metrics(columns)
    beside: dict[str, list[str]] = {}  # a column and its paper column share one number format
    for column in columns:
        partner = _paper_partner(column, columns) if column.startswith("paper_") else None
        if partner:
            beside.setdefault(column, []).append(partner)
            beside.setdefault(partner, []).append(column)
    out: dict[str, list[str]] = {}
    notes: list[str] = []
    text_columns: list[str] = []
    for column in columns:
        match = _PAIR.match(column)
        metric = match["metric"] if match else None
        if metric in metrics:
            out[metric] = _metric_cells(frame, metric, sig, metric in sci, paper_label)
            continue
        if column.endswith(("_mean", "_sd")):
            base = column.removeprefix("paper_").rsplit("_", 1)[0]
            if base in metrics:
                continue
        values = []
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and \
            not pd.api.types.is_bool_dtype(frame[column])
        shown = format_column(frame[column], sig, sci=column in sci,
                              extra=[v for c in beside.get(column, ()) for v in frame[c]])
        for raw, text in zip(frame[column], shown, strict=True):
            if not numeric and len(text) > LONG_TEXT and column not in wrap and \
                    not isinstance(raw, numbers.Number):
                notes.append(text)
                text = f"[{len(notes)}]"
            values.append(_text_cell(text) if not numeric else html.escape(text))
        out[column] = values
        if not numeric:
            text_columns.append(column)
    cells = pd.DataFrame(out, columns=list(out))
    cells.attrs["text_columns"] = text_columns
    return cells, notes


def _transposed(cells: pd.DataFrame) -> pd.DataFrame:
    """Rows become columns: the first column's values are the new header."""
    first = cells.columns[0]
    out = cells.set_index(first).T.reset_index(names="")
    out.columns = [html.unescape(re.sub(r"<[^>]+>", "", str(c))) for c in out.columns]
    out[""] = [html.escape(str(c)) for c in out[""]]
    out.attrs["text_columns"] = [""]
    return out


def table_label(name: str | None) -> str | None:
    """The ``{numref}`` label of a captioned table written as ``name``: ``tbl-<name>``."""
    return f"tbl-{name}" if name else None


def table_html(frame: pd.DataFrame, name: str | None = None, *, sig: int = 3,
               sci: tuple[str, ...] = SCI_METRICS, caption: str | None = None,
               paper_label: str = "paper", transpose: bool = False,
               wrap: tuple[str, ...] = (), key: tuple[str, ...] = (),
               settings: bool = False) -> str:
    """The HTML :func:`show_table` displays (caption, a ``<table>`` in its scroll box, notes list
    and CSV line); ``settings`` marks a table of settings (:func:`show_settings`), which the
    book does not number unless it has a caption."""
    cells, notes = table_cells(frame, sig=sig, sci=sci, paper_label=paper_label, wrap=wrap,
                               key=key)
    if transpose:
        cells = _transposed(cells)
    text_columns = set(cells.attrs.get("text_columns", ()))
    parts = []
    if caption:
        label = table_label(name)
        data = f' data-label="{html.escape(label, quote=True)}"' if label else ""
        parts.append(f'<p class="{CAPTION_CLASS}"{data}>{html.escape(caption)}</p>')
    parts.append(_STYLE)
    region = html.escape(caption or name or "table", quote=True)
    klass = " minnbook-settings-table" if settings else ""
    parts.append(f'<div class="minnbook-table-scroll" tabindex="0" role="region" '
                 f'aria-label="{region}"><table class="minnbook-table{klass}"><thead><tr>')
    for column in cells.columns:
        klass = ' class="text"' if column in text_columns else ""
        parts.append(f"<th{klass}>{_breakable(column)}</th>")
    parts.append("</tr></thead><tbody>")
    for row in cells.itertuples(index=False):
        parts.append("<tr>")
        for column, value in zip(cells.columns, row, strict=True):
            klass = ' class="text"' if column in text_columns else ""
            parts.append(f"<td{klass}>{value}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    if notes:
        parts.append('<ol class="minnbook-notes">')
        parts += [f"<li>{html.escape(note)}</li>" for note in notes]
        parts.append("</ol>")
    if name:
        parts.append(f'<p class="minnbook-source">All columns: <code>_build/tables/{name}.csv'
                     f'</code> (<a href="{CSV_LINK.format(name=name)}">open</a>).</p>')
    return "".join(parts)


class TableView:
    """A table for the page: renders as HTML in notebooks and the book, as text elsewhere."""

    def __init__(self, frame: pd.DataFrame, name: str | None = None, **options) -> None:
        self.frame = frame
        self.name = name
        self.options = options

    def _repr_html_(self) -> str:
        return table_html(self.frame, self.name, **self.options)

    def __repr__(self) -> str:
        options = {k: v for k, v in self.options.items()
                   if k in ("sig", "sci", "paper_label", "wrap", "key")}
        cells, notes = table_cells(self.frame, **options)
        if self.options.get("transpose"):
            cells = _transposed(cells)
        cells = cells.map(lambda v: html.unescape(re.sub(r"<[^>]+>", "", v.replace(
            '<span class="paper">', " | "))))
        text = cells.to_string(index=False)
        lines = [text] + [f"[{k}] {note}" for k, note in enumerate(notes, 1)]
        if self.options.get("caption"):
            lines.insert(0, f"Table: {self.options['caption']}")
        if self.name:
            lines.append(f"All columns: _build/tables/{self.name}.csv")
        return "\n".join(lines)


def show_table(frame: pd.DataFrame | pd.Series, name: str | None = None, *, sig: int = 3,
               sci: tuple[str, ...] = SCI_METRICS, caption: str | None = None,
               paper_label: str = "paper", transpose: bool = False,
               wrap: tuple[str, ...] = (), key: tuple[str, ...] = ()) -> TableView:
    """The readable view of ``frame``; make it a cell's last expression to display it.

    Parameters
    ----------
    frame : DataFrame or Series
        The table (a Series becomes one column). Pairs ``<m>_mean`` / ``<m>_sd`` show as one
        "mean ± sd" column, with ``paper_<m>_mean`` / ``paper_<m>_sd`` under ours in the same cell.
    name : str, optional
        The table's name in ``_build/tables`` (as given to ``write_table``); adds the CSV line
        and, with a caption, the label ``tbl-<name>`` (:func:`table_label`).
    sig : int
        Significant figures of each column's smaller values (one format per column).
    sci : tuple of str
        Columns and metrics always shown in scientific notation.
    caption : str, optional
        The table's caption: the book numbers a captioned table ("Table 3.2").
    paper_label : str
        The word before the paper's value in a metric cell.
    transpose : bool
        One column per row of ``frame`` (headed by its first column), for few, wide rows.
    wrap : tuple of str
        Text columns kept in the table (wrapped) however long their text.
    key : tuple of str
        Columns shown first, after the index (the ones a reader compares).
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    return TableView(frame, name, sig=sig, sci=tuple(sci), caption=caption,
                     paper_label=paper_label, transpose=transpose, wrap=tuple(wrap),
                     key=tuple(key))


def plain(value):
    """``value`` as a plain Python number or string (numpy scalars unwrapped).

    ``{glue:text}`name:.3f``` formats the glued ``text/plain`` repr; a numpy 2 scalar's repr is
    ``np.float64(0.5)``, which no format specification can read.
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return plain(value.item())
    return value


class GluedValues(dict):
    """The ``{name: value}`` that :func:`glue_values` glued; shows nothing as a cell's result.

    The values are for the prose (``{glue:text}``), not for the page: a glue cell that ends with
    :func:`glue_values` would otherwise print a raw dict under the cell.
    """

    def _ipython_display_(self) -> None:
        """Display nothing (IPython calls this instead of printing the repr)."""


def glue_values(values: dict | None = None, /, *, prefix: str = "", **named) -> GluedValues:
    """Glue every value (numbers, short texts) for ``{glue:text}`` in the chapter's prose.

    One call replaces a run of ``glue(name, value, display=False)`` lines: ``values`` and the
    keyword arguments map names to values; each is glued under ``prefix + name`` as a plain Python
    value (:func:`plain`), so that the prose can format it (``{glue:text}`toy_sv0:.3f```).
    Nothing is displayed, not even as the cell's last expression. Returns the glued
    ``{name: value}`` (a :class:`GluedValues`, a dict).
    """
    from myst_nb import glue

    glued = GluedValues((f"{prefix}{key}", plain(value))
                        for key, value in {**(values or {}), **named}.items())
    for key, value in glued.items():
        glue(key, value, display=False)
    return glued


def setting_text(value) -> str:
    """A setting as a reader should see it: numbers as typed (``0.0005``, ``30``, ``1e-05``),
    ``None`` "none", booleans "yes" / "no", sequences "a, b, c", mappings "k: v, ...", paths
    their file name."""
    from pathlib import PurePath

    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Number):
        value = plain(value)
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, PurePath):
        return value.name
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {setting_text(v)}" for k, v in value.items()) or "none"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return ", ".join(setting_text(v) for v in items)
    return str(value)


def settings_frame(values: Mapping, *, key: str = "setting") -> pd.DataFrame:
    """One row per setting: nested mappings flattened to ``outer: inner`` keys, each value made
    readable by :func:`setting_text` (no dict, tuple or ``PosixPath`` repr)."""
    rows: list[tuple[str, object]] = []

    def walk(mapping: Mapping, path: str) -> None:
        for name, value in mapping.items():
            label = f"{path}{name}"
            if isinstance(value, Mapping) and value:
                walk(value, f"{label}: ")
            else:
                rows.append((label, setting_text(value)))

    walk(values, "")
    return pd.DataFrame(rows, columns=[key, "value"])


class FoldedTableView(TableView):
    """A :class:`TableView` folded under a summary line (an HTML ``<details>`` box)."""

    def __init__(self, frame: pd.DataFrame, summary: str, **options) -> None:
        super().__init__(frame, None, **options)
        self.summary = summary

    def _repr_html_(self) -> str:
        return (f'<details class="minnbook-settings"><summary>{html.escape(self.summary)}'
                f"</summary>{super()._repr_html_()}</details>")


def show_settings(values: Mapping, *, key: str = "setting", caption: str | None = None,
                  fold: str | None = None) -> TableView:
    """The readable view of a settings mapping (a profile section, a model's sizes).

    Introduced in chapter ``03_minn_vs_ml`` (the evaluation profile); chapters 05 and 06 use it
    for their settings and model sizes. Nested dicts become ``outer: inner`` rows. With ``fold``
    (e.g. ``"Run settings"``) the table is folded under that summary line, closed until the reader
    opens it: the chapters' run settings, which would otherwise open the chapter before any text.
    """
    view = show_table(settings_frame(values, key=key), caption=caption)
    view.options["settings"] = True
    return FoldedTableView(view.frame, fold, **view.options) if fold else view


def problem_sizes(problem) -> dict[str, int]:
    """A :class:`helpers.minn.MechanisticProblem`'s sizes with words for names, for
    :func:`show_settings` (chapters ``03_minn_vs_ml`` and ``06_reservoir_pfba``)."""
    return {"reactions (n)": int(problem.n), "metabolites (m)": int(problem.m),
            "non-zeros of S": int(problem.S.nnz), "reference fluxes": int(problem.n_ref),
            "bounded uptakes": int(problem.n_in)}

"""The book's site as readers meet it: a local Sphinx extension loaded from ``_config.yml``.

- **Phone navigation.** pydata-sphinx-theme 0.17 adds a header bar (``navbar_persistent``: the
  search field) unless the option is set; sphinx-book-theme hides that bar's ☰ and "on this page"
  buttons, but both themes' scripts bind to the *first* ``.primary-toggle`` /
  ``.secondary-toggle`` of the page, which is that hidden copy: the visible buttons did nothing.
  Setting ``navbar_persistent`` to ``[]`` drops the hidden bar (search stays in the sidebar and the
  article header), so the visible buttons are the ones bound.
- **Chapters numbered from 0**, like their files and commands (``00_toy_example`` … ``10_beyond``):
  after Sphinx numbers the chapters 1, 2, … every chapter, section, figure, table and exercise
  number is shifted down by one.
- **The CSV of every table ships with the site**, under ``_static/tables/`` (the "(open)" link of
  :func:`helpers.book.display.show_table` points there).
- **Lighter pages**: MathJax only on pages with math (myst-nb asks Sphinx to add it to every
  page), and the icons from the theme's webfont instead of its 1.4 MB Font Awesome script.
- **Numbered tables**: a table that :func:`helpers.book.display.show_table` gave a caption opens
  with a ``<p class="minnbook-caption">`` paragraph; :class:`NumberTables` turns that output into
  a numbered table of the book ("Table 3.2", Sphinx's own table counter) with the label
  ``tbl-<name>`` for ``{numref}``.
- **Run and reading time of the whole book** for the landing page: ``{{ quick_run_minutes }}`` is
  the sum of the "Run time at the ``quick`` profile" lines of the chapters' *Before you start*
  boxes (the one place the times are kept); ``{{ reading_hours }}`` counts the chapters' prose.
"""

from __future__ import annotations

import html
import json
import math
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

ROOT = Path(__file__).resolve().parents[2]
#: "Run time at the `quick` profile: about 15 s" / "about 1 min" (the first figure of the line).
_RUN_TIME = re.compile(r"Run time at the `quick` profile: about (\d+(?:\.\d+)?) (s|min)\b")
_WORD = re.compile(r"\w+")
#: pydata-sphinx-theme's Font Awesome script (every icon as SVG, 1.4 MB a page): the theme's CSS
#: already draws the book's icons (all solid ones) from the 150 kB webfont, so the built site
#: keeps a stub of it in its place.
ICON_SCRIPT = Path("_static") / "scripts" / "fontawesome.js"
#: Reading speed assumed for technical prose (words a minute).
READING_WPM = 150
#: What MathJax typesets in a page body besides Sphinx's math nodes (notebook outputs).
_MATH_IN_BODY = re.compile(r"\\\(|\\\[|\$\$|\\begin\{")
#: The caption paragraph opening a captioned table's HTML (``helpers.book.display.table_html``).
_CAPTION = re.compile(r'^\s*<p class="minnbook-caption"(?: data-label="(?P<label>[^"]*)")?>'
                      r'(?P<text>.*?)</p>', re.S)


class minnbook_table(nodes.General, nodes.Element):  # noqa: N801 (docutils node names)
    """A numbered table of the book: its caption, then the table's HTML (a raw node)."""


def _visit_table(self, node: minnbook_table) -> None:
    self.body.append(self.starttag(node, "div", CLASS="minnbook-table-figure"))


def _depart_table(self, node: minnbook_table) -> None:
    self.body.append("</div>\n")


class NumberTables(SphinxTransform):
    """Make each captioned ``show_table`` output a numbered, labelled table (before Sphinx
    collects labels, priority 850, and numbers figures and tables)."""

    default_priority = 840

    def apply(self, **kwargs) -> None:
        labels = self.env.get_domain("std").labels
        for raw in list(self.document.findall(nodes.raw)):
            match = _CAPTION.match(raw.astext()) if raw.get("format") == "html" else None
            if not match:
                continue
            caption = nodes.caption("", html.unescape(match["text"]), classes=["caption"])
            body = nodes.raw("", raw.astext()[match.end():], format="html",
                             classes=raw.get("classes", []))
            table = minnbook_table("", caption, body)
            label = match["label"] and html.unescape(match["label"])
            name = nodes.fully_normalize_name(label) if label else ""
            if name and name not in self.document.nameids and (
                    labels.get(name, (self.env.docname,))[0] == self.env.docname):
                table["names"].append(name)
                self.document.note_explicit_target(table, table)
            else:
                self.document.set_id(table)
            raw.replace_self(table)


def chapter_run_seconds(notebooks: Path = ROOT / "notebooks") -> dict[str, float]:
    """Seconds each chapter takes at the quick profile, read from its *Before you start* box."""
    found = {}
    for path in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        match = _RUN_TIME.search(text)
        if match:
            value = float(match[1])
            found[path.stem] = value * (60 if match[2] == "min" else 1)
    return found


def chapter_words(notebooks: Path = ROOT / "notebooks") -> dict[str, int]:
    """Words of prose (Markdown cells) in each chapter."""
    return {path.stem: sum(len(_WORD.findall("".join(c["source"])))
                           for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                           if c["cell_type"] == "markdown")
            for path in sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))}


def book_numbers(notebooks: Path = ROOT / "notebooks") -> dict[str, str]:
    """The ``{{ ... }}`` substitutions of the book's Markdown pages.

    ``quick_run_minutes``: the chapters' quick-profile run times summed, rounded up to 5 min;
    ``reading_hours``: their prose at :data:`READING_WPM` words a minute, to the half hour;
    ``chapter_count``: how many chapters.
    """
    seconds = chapter_run_seconds(notebooks)
    words = sum(chapter_words(notebooks).values())
    return {"quick_run_minutes": str(int(5 * math.ceil(sum(seconds.values()) / 300))),
            "reading_hours": f"{math.ceil(words / READING_WPM / 30) / 2:g}",
            "chapter_count": str(len(seconds))}


def _configure(app: Sphinx, config) -> None:
    """Theme fix and the ``{{ ... }}`` values the Markdown pages read."""
    config.html_theme_options.setdefault("navbar_persistent", [])
    config.myst_substitutions = {**config.myst_substitutions, **book_numbers()}


def _shift(number):
    """A section number with its chapter one lower (``None`` and empty numbers unchanged)."""
    return (number[0] - 1, *number[1:]) if number else number


def _number_from_zero(app: Sphinx, env) -> list[str]:
    """Shift chapter numbers (and everything numbered within chapters) down by one."""
    for docname, secnums in env.toc_secnumbers.items():
        shifted = {anchor: _shift(number) for anchor, number in secnums.items()}
        env.toc_secnumbers[docname] = shifted
        for reference in env.tocs[docname].findall(nodes.reference):
            anchor = reference.get("anchorname")
            if anchor in shifted and reference.get("secnumber"):
                reference["secnumber"] = list(shifted[anchor])
        title = env.titles.get(docname)
        if title is not None and shifted.get(""):
            title["secnumber"] = list(shifted[""])
    for figtypes in env.toc_fignumbers.values():
        for numbers in figtypes.values():
            for key, number in numbers.items():
                if len(number) > 1:
                    numbers[key] = _shift(number)
    return []


def _math_only_where_used(app: Sphinx, pagename: str, templatename: str, context: dict,
                          doctree) -> None:
    """Drop MathJax (and its config script) from a page without math."""
    domain = app.env.get_domain("math")
    if domain.has_equations(pagename) or _MATH_IN_BODY.search(context.get("body", "")):
        return
    mathjax = app.config.mathjax_path
    kept = [js for js in context.get("script_files", [])
            if js.filename != mathjax and "window.MathJax" not in js.attributes.get("body", "")]
    context["script_files"] = kept


def _ship_tables(app: Sphinx, exception) -> None:
    """Copy every table's CSV into ``_static/tables/`` of the built site, and drop the theme's
    Font Awesome script (see :data:`ICON_SCRIPT`)."""
    if exception is not None or app.builder.format != "html":
        return
    from helpers.book.tables import tables_dir

    target = Path(app.outdir) / "_static" / "tables"
    target.mkdir(parents=True, exist_ok=True)
    for csv in sorted(tables_dir().glob("*.csv")):
        shutil.copy2(csv, target / csv.name)
    script = Path(app.outdir) / ICON_SCRIPT
    if script.is_file():
        script.write_text("/* Icons come from the theme's Font Awesome webfont (its CSS); the\n"
                          "   1.4 MB SVG script that redrew them is not shipped. */\n")


def setup(app: Sphinx) -> dict:
    """Register the handlers (see the module docstring)."""
    app.add_enumerable_node(minnbook_table, "table", html=(_visit_table, _depart_table))
    app.add_transform(NumberTables)
    app.connect("config-inited", _configure)
    app.connect("env-get-updated", _number_from_zero, priority=900)
    app.connect("html-page-context", _math_only_where_used, priority=900)
    app.connect("build-finished", _ship_tables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

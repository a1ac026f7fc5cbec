"""Figures as readers see them (issue #18): numbered, captioned, legible, legends off the data.

Three layers, cheapest first:

- the helpers of :mod:`helpers.book.plots` and :func:`helpers.book.display.glue_values`;
- the chapter sources (00-09): every figure goes through ``glue_figure`` into a ``{glue:figure}``
  directive with a name (numbered), alt text and a caption; no bare ``glue()`` bookkeeping; code
  lines wrap at 88 characters; no code cell (any chapter) is over 25 lines;
- the executed chapters and the built HTML (marked ``book``: ``make test`` executes the chapters
  and builds the book first, in ``tests/test_book.py``): no stderr, no visible injected-parameters
  cell, every glued figure is a PNG, every figure on a page has a number, a caption and alt text.
"""

from __future__ import annotations

import re
import statistics
import warnings
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers.book import plots  # noqa: E402
from helpers.book.display import glue_values  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ["00_toy_example", "01_dataset", "02_gem_preparation", "03_minn_vs_ml",
            "04_conflicting_losses", "05_gem_choice", "06_reservoir_pfba", "07_mome_ethanol",
            "08_mome_organisms_and_constraints", "09_mome_redirector"]
FIGURE = re.compile(r"^```\{glue:figure\} (?P<key>[\w-]+)\n(?P<options>(?::\w+:.*\n)*)\n"
                    r"(?P<caption>(?:.+\n?)+?)```", re.M)
GLUED = re.compile(r"glue_figure\(\s*\"(?P<key>[\w-]+)\"")
LINE = 88
#: Most lines of a chapter's code cell.
CELL_LINES = 25
#: The most non-blank lines of a chapter's median visible code cell (helpers.book.cell_sizes).
MEDIAN_LINES = 12


@pytest.fixture()
def glued(monkeypatch):
    """What ``myst_nb.glue`` received: name -> (value, display)."""
    import myst_nb

    calls = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: calls.__setitem__(
        name, (value, display)))
    return calls


# --- helpers ---------------------------------------------------------------------------------

def test_render_png_refuses_a_figure_too_wide_to_read():
    fig, _ = plt.subplots(1, 3, figsize=(13, 4))
    with pytest.raises(ValueError, match="wide"):
        plots.render_png(fig)
    plt.close(fig)


def test_render_png_counts_a_legend_outside_the_axes():
    fig, ax = plt.subplots(figsize=(8.5, 3))
    ax.plot([0, 1], label="a rather long legend entry that sticks out to the right of the axes")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    with pytest.raises(ValueError):
        plots.render_png(fig)
    plt.close(fig)


def test_glue_figure_glues_a_png_and_closes_the_figure(glued):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([1, 2, 3])
    plots.glue_figure("fig-test", fig)
    image, display = glued["fig-test"]
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n" and display
    assert not plt.fignum_exists(fig.number)


def test_glue_values_gives_plain_python_values(glued):
    out = glue_values({"a": np.float64(0.25), "n": np.int64(3)}, prefix="x_", label="text")
    assert out == {"x_a": 0.25, "x_n": 3, "x_label": "text"}
    assert type(glued["x_a"][0]) is float and type(glued["x_n"][0]) is int
    assert all(display is False for _, display in glued.values())
    assert f"{glued['x_a'][0]!r}" == "0.25"  # {glue:text}`x_a:.2f` can read it


def _table():
    models = ["MINN-c-balanced", "MINN-bound", "MINN-scheduler", "MINN-divided loss"]
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "model": models, "L2_mean": rng.uniform(0.1, 0.2, 4), "L2_sd": 0.05,
        "RMSE_mean": rng.uniform(0.8, 0.9, 4), "RMSE_sd": 0.2,
        "paper_L2_mean": [8.75e-5, 5e-5, 1.6e-5, 0.3], "paper_L2_sd": 1e-5,
        "paper_RMSE_mean": [0.8, 0.82, 0.9, 0.79], "paper_RMSE_sd": 0.1})


def test_tradeoff_plot_legend_is_off_the_data_and_models_are_told_apart():
    fig = plots.tradeoff_plot(_table())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["ours", "paper"]
    assert len(fig.legends) == 1
    legend = fig.legends[0].get_window_extent(renderer)
    for ax in axes:
        assert not legend.overlaps(ax.get_window_extent(renderer)), "legend covers the data"
    markers = {line.get_marker() for line in axes[0].lines} & set(plots._MARKERS)
    assert len(markers) == 4, "one marker per model"
    assert "mmol/gDW/h" in axes[0].get_ylabel()
    plots.render_png(fig)  # legible width
    plt.close(fig)


def test_metric_heatmap_labels_every_sample():
    samples = [f"sample_{i}" for i in range(29)]
    per_sample = pd.DataFrame([(s, m, float(i)) for i, s in enumerate(samples)
                               for m in ("A", "B")], columns=["sample", "model", "NE"])
    fig, ax = plt.subplots(figsize=(6, 8))
    plots.metric_heatmap(per_sample, "NE", ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == samples
    plt.close(fig)


def test_parity_plot_axes_have_units():
    measured = pd.DataFrame(np.abs(np.random.default_rng(1).normal(size=(5, 3))) + 0.1)
    fig, ax = plt.subplots()
    plots.parity_plot(ax, measured, measured * 1.1, title="x")
    assert "mmol/gDW/h" in ax.get_xlabel() and "mmol/gDW/h" in ax.get_ylabel()
    plt.close(fig)


def _legends_clear_of_axes(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer)), "legend covers the data"


def test_strategy_weights_plot_draws_every_variant_and_penalty():
    from helpers.minn.loss_conflict import penalty_curve, strategy_weights

    weights = strategy_weights({"c-balanced": "c-balanced", "scheduler": "scheduler"}, c=30.0)
    l_mech = np.linspace(0, 4e-3, 50)
    penalties = {v: penalty_curve(v, l_mech) for v in ["c-balanced", "bound"]}
    fig = plots.strategy_weights_plot(weights, l_mech, penalties)
    data, mech, penalty = fig.axes
    assert [line.get_label() for line in data.lines] == ["c-balanced", "scheduler"]
    assert data.get_yscale() == "log" and mech.get_yscale() == "linear"
    assert [line.get_linestyle() for line in penalty.lines] == [":", "--"]
    np.testing.assert_allclose(penalty.lines[1].get_ydata(), penalties["bound"])
    assert len(fig.legends) == 2
    _legends_clear_of_axes(fig)
    plots.render_png(fig)
    plt.close(fig)


def test_training_curves_plot_averages_runs_and_shows_the_balancing_weights():
    history = {"data": np.array([[1.0, 0.5], [3.0, np.nan]]),
               "mechanistic": np.array([[0.1, 0.01], [0.3, 0.03]]),
               "weight_data": np.ones((2, 2)), "weight_mech": np.full((2, 2), 2.0)}
    np.testing.assert_allclose(plots.mean_history(history, "data"), [2.0, 0.5])
    fig = plots.training_curves_plot({"c-balanced": history, "loss balancing": history},
                                     balancing="loss balancing")
    data, mech, weights = fig.axes
    assert [line.get_label() for line in data.lines] == ["c-balanced", "loss balancing"]
    np.testing.assert_allclose(mech.lines[0].get_ydata(), [0.2, 0.02])
    assert [line.get_label() for line in weights.lines] == ["weight: data", "weight: mech"]
    _legends_clear_of_axes(fig)
    plots.render_png(fig)
    plt.close(fig)


def test_gem_metrics_plot_one_row_per_metric_and_the_paper_star():
    rng = np.random.default_rng(0)
    per_sample = pd.DataFrame({"model": np.repeat(["core", "iAF1260"], 10),
                               "NE": rng.uniform(0.2, 0.4, 20), "L2": rng.uniform(1e-3, 1, 20)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.gem_metrics_plot(per_sample, ["iAF1260", "core"],
                                     [("NE", "NE per sample"), ("L2", "L2 (log scale)")],
                                     star=("iAF1260", "paper", 8.75e-5))
    assert not [str(w.message) for w in caught], "seaborn's boxplot warned (vert= deprecated?)"
    assert [ax.get_xlabel() for ax in fig.axes] == ["NE per sample", "L2 (log scale)"]
    assert all(ax.get_xscale() == "log" for ax in fig.axes)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["iAF1260", "core"]
    star = fig.axes[1].collections[-1]
    assert star.get_label() == "paper" and star.get_offsets()[0][0] == pytest.approx(8.75e-5)
    plots.render_png(fig)
    plt.close(fig)


def test_bxp_orientation_passes_vert_as_orientation_and_restores_the_method():
    fig, ax = plt.subplots()
    stats = [{"med": 2.0, "q1": 1.0, "q3": 3.0, "whislo": 0.0, "whishi": 4.0,
              "fliers": []}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # vert= would be a MatplotlibDeprecationWarning
        with plots._bxp_orientation(ax):
            artists = ax.bxp(stats, vert=False)
    median = artists["medians"][0].get_xdata()
    assert list(median) == [2.0, 2.0], "horizontal: the median is a vertical line at x = 2"
    assert "bxp" not in vars(ax)  # the class's method again
    plt.close(fig)


# --- chapter sources -------------------------------------------------------------------------

def _notebook(chapter: str):
    return nbformat.read(ROOT / "notebooks" / f"{chapter}.ipynb", as_version=4)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_is_numbered_captioned_and_has_alt_text(chapter):
    cells = _notebook(chapter).cells
    code = [c for c in cells if c.cell_type == "code"]
    markdown = "\n\n".join(c.source + "\n" for c in cells if c.cell_type == "markdown")
    glued_keys = [m["key"] for c in code for m in GLUED.finditer(c.source)]
    assert glued_keys, f"{chapter}: no figure"
    assert not any("plt.show()" in c.source for c in code), \
        f"{chapter}: a figure shown with plt.show() has no number or caption (use glue_figure)"
    figures = {m["key"]: m for m in FIGURE.finditer(markdown)}
    for key in glued_keys:
        assert key in figures, f"{chapter}: figure {key!r} is glued but no {{glue:figure}} shows it"
        options = dict(re.findall(r"^:(\w+): (.*)$", figures[key]["options"], re.M))
        assert options.get("name") == key, f"{chapter}: {key} needs ':name: {key}' (numbered)"
        alt = options.get("alt", "")
        assert len(alt) >= 20 and not re.search(r"\.(png|svg|jpg)\b|/", alt), \
            f"{chapter}: {key} needs a describing alt text, not {alt!r}"
        assert len(figures[key]["caption"].split()) >= 8, f"{chapter}: {key} needs a caption"
    for cell in code:
        if GLUED.search(cell.source):
            assert "remove-output" in cell.metadata.get("tags", []), \
                f"{chapter}: a glue_figure cell must be tagged remove-output (shown once)"
    unused = sorted(set(figures) - set(glued_keys))
    assert not unused, f"{chapter}: {{glue:figure}} of figures no cell glues: {unused}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_glue_bookkeeping_is_in_helpers_and_code_wraps(chapter):
    cells = _notebook(chapter).cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            assert not re.search(r"(?<![\w.])glue\(", cell.source), \
                f"{chapter} cell {i}: glue() by hand; use helpers.book.display.glue_values"
            lines = cell.source.splitlines()
        else:
            lines = [line for block in re.findall(r"```(?:python|bash)\n(.*?)```", cell.source,
                                                  re.S) for line in block.splitlines()]
        long = [line for line in lines if len(line) > LINE]
        assert not long, f"{chapter} cell {i}: code lines over {LINE} characters: {long}"


@pytest.mark.parametrize("chapter", sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_code_cells_are_short(chapter):
    """The book's rule: no code cell over :data:`CELL_LINES` lines; longer logic lives in
    ``helpers/`` (docstring, type hints, a test) and the cell calls it."""
    long = {i: len(cell.source.splitlines()) for i, cell in enumerate(_notebook(chapter).cells)
            if cell.cell_type == "code" and len(cell.source.splitlines()) > CELL_LINES}
    assert not long, f"{chapter}: code cells over {CELL_LINES} lines (index: lines): {long}"


@pytest.mark.parametrize("chapter", sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_visible_code_cells_are_a_few_lines(chapter):
    """A reader sees short steps: the median visible code cell (``python -m helpers.book cells``)
    is at most :data:`MEDIAN_LINES` non-blank lines."""
    from helpers.book.cell_sizes import visible_code_sizes

    sizes = visible_code_sizes(ROOT / "notebooks" / f"{chapter}.ipynb")
    assert sizes and statistics.median(sizes) <= MEDIAN_LINES, (
        f"{chapter}: median visible code cell {statistics.median(sizes)} lines (sizes {sizes}); "
        "move bookkeeping into hidden cells or helpers/")


@pytest.mark.parametrize("chapter", sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_no_function_or_class_is_defined_in_a_chapter(chapter):
    """The book's rule: a function or class belongs in ``helpers/`` (docstring, type hints, a
    test), never in a chapter, hidden cells included. The one exception is an exercise's
    solution (between ``{solution-start}`` and ``{solution-end}``), where the reader writes a
    piece of the method and compares it with the helper."""
    import ast

    defined, in_solution = {}, False
    for i, cell in enumerate(_notebook(chapter).cells):
        if cell.cell_type == "markdown":
            if "{solution-start}" in cell.source:
                in_solution = True
            if "{solution-end}" in cell.source:
                in_solution = False
        if cell.cell_type != "code" or in_solution:
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        names = [node.name for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
        if names:
            defined[i] = names
    assert not defined, f"{chapter}: defined in cells (index: names): {defined}"


# --- executed chapters and the built book ----------------------------------------------------

def _executed(chapter: str):
    path = ROOT / "book" / "executed" / f"{chapter}.ipynb"
    if not path.is_file():
        pytest.skip(f"{path} not executed (tests/test_book.py executes it in make test)")
    return nbformat.read(path, as_version=4)


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_executed_chapter_has_no_stderr_and_hides_injected_parameters(chapter):
    cells = _executed(chapter).cells
    stderr = [(i, o.text[:120]) for i, c in enumerate(cells) if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"{chapter}: stderr output in cells {stderr}"
    for cell in cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            assert "remove-cell" in tags, f"{chapter}: the injected-parameters cell is shown"


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_executed_tables_go_through_the_display_helper(chapter):
    """Issue #18: every table a chapter shows is a ``show_table`` view (no index, few
    significant figures, long text listed apart), never pandas' raw HTML."""
    raw = [i for i, cell in enumerate(_executed(chapter).cells) if cell.cell_type == "code"
           for output in cell.get("outputs", [])
           if 'class="dataframe"' in "".join(output.get("data", {}).get("text/html", ""))]
    assert not raw, f"{chapter}: cells {raw} show a raw DataFrame; wrap it in show_table"


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_executed_figures_are_png(chapter):
    pngs = set()
    for cell in _executed(chapter).cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if key and "image/png" in data:
                pngs.add(key)
    source = "\n".join(c.source for c in _notebook(chapter).cells if c.cell_type == "code")
    missing = sorted({m["key"] for m in GLUED.finditer(source)} - pngs)
    assert not missing, f"{chapter}: figures glued without a PNG: {missing}"


class _Figures(HTMLParser):
    """Collects, per ``<figure>``: the text of its ``<figcaption>`` and the alt of its image."""

    def __init__(self):
        super().__init__()
        self.figures, self._in_figure, self._in_caption = [], False, False

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            self._in_figure = True
            self.figures.append({"caption": "", "alt": None})
        elif self._in_figure and tag == "img":
            self.figures[-1]["alt"] = dict(attrs).get("alt", "")
        elif self._in_figure and tag == "figcaption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag == "figure":
            self._in_figure = False
        elif tag == "figcaption":
            self._in_caption = False

    def handle_data(self, data):
        if self._in_caption:
            self.figures[-1]["caption"] += data


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_built_pages_number_and_caption_every_figure(chapter):
    page = ROOT / "_build" / "html" / "book" / "executed" / f"{chapter}.html"
    if not page.is_file():
        pytest.skip(f"{page} not built (tests/test_book.py builds the book in make test)")
    parser = _Figures()
    parser.feed(page.read_text())
    assert parser.figures, f"{chapter}: no figure on the page"
    for figure in parser.figures:
        caption = " ".join(figure["caption"].split())
        assert re.match(r"Fig\. \d+(\.\d+)* ", caption), f"{chapter}: figure not numbered: {figure}"
        assert len(caption.split()) >= 10, f"{chapter}: figure without a caption: {figure}"
        assert figure["alt"] and not figure["alt"].endswith(".png"), figure

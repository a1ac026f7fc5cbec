"""The built book in a real browser: tables show every column (scrolling sideways with a visible
cue where they are wider than the page, no cell over another) and are numbered and captioned, math
renders offline, solutions fold, and the site works as readers meet it, on a desktop (1366×900)
and on a phone (390×844).

Uses Debian's ``chromium`` and ``chromedriver`` through selenium, with every host name unresolvable
(no CDN can be reached: what renders comes with the book). Reads ``_build/html`` as the book build
left it (``tests/test_book.py`` builds it first in ``make test``); the tests of links, navigation and
page weight serve it with ``python -m http.server`` on 127.0.0.1, as a reader's web server would.
Skips, saying why, when selenium, chromium or chromedriver is missing (``.ci/run`` installs them
where apt-get is allowed) or when the book has not been built.

Screenshots of one chapter at both widths go to ``_build/screenshots/`` for a reader to look at;
the weight of every page (bytes fetched) is printed and written to
``_build/screenshots/page_weight.csv``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("MINNBOOK_HTML", ROOT / "_build" / "html"))  # a built book elsewhere
SHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = ["00_toy_example", "01_dataset", "02_gem_preparation", "03_minn_vs_ml",
            "04_conflicting_losses", "05_gem_choice", "06_reservoir_pfba"]
ALL_CHAPTERS = CHAPTERS + ["07_mome_ethanol", "08_mome_organisms_and_constraints",
                           "09_mome_redirector", "10_beyond"]
#: Chapters that open with their run settings (folded).
SETTINGS_CHAPTERS = ["03_minn_vs_ml", "05_gem_choice", "07_mome_ethanol",
                     "08_mome_organisms_and_constraints", "09_mome_redirector", "10_beyond"]
WIDTH = 1400
DESKTOP = (1366, 900)
PHONE = (390, 844)
#: Most bytes a page may fetch (uncompressed: HTML, CSS, scripts, fonts, figures). Measured on the
#: built book: 0.85-1.0 MB for a page without math, 2.1-2.25 MB with math (MathJax is 1.2 MB of
#: it), figures included at most 2.45 MB; 3.6-4.0 MB a page before MathJax was limited to pages
#: with math and the theme's 1.4 MB Font Awesome script was dropped.
PAGE_BUDGET = 3_000_000
#: Most bytes of everything but the page's own figures, with and without MathJax.
ASSET_BUDGET = 2_600_000
ASSET_BUDGET_NO_MATH = 1_300_000
SCREENSHOT_CHAPTER = "01_dataset"

pytestmark = pytest.mark.book


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium; .ci/run does)"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "no chromium on PATH (apt-get install chromium chromium-driver; .ci/run does)"
    if not shutil.which("chromedriver"):
        return "no chromedriver on PATH (apt-get install chromium-driver; .ci/run does)"
    if not (HTML / "index.html").is_file():
        return f"the book is not built at {HTML} (make html)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={WIDTH},1000", "--allow-file-access-from-files",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):  # offline but local
        options.add_argument(arg)
    try:
        driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    except Exception as exc:  # a browser that cannot start on this machine
        pytest.skip(f"chromium did not start: {str(exc).splitlines()[0]}")
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _wait_loaded(driver, timeout: float = 20) -> None:
    """Wait (bounded) until the page has loaded: ``driver.get`` of a ``file://`` page may return
    while the document is still loading."""
    deadline = time.time() + timeout
    while driver.execute_script("return document.readyState") != "complete":
        if time.time() > deadline:
            break
        time.sleep(0.1)


def _open(driver, chapter: str) -> None:
    page = HTML / "book" / "executed" / f"{chapter}.html"
    if not page.is_file():
        pytest.skip(f"{page} not built")
    driver.get(page.as_uri())
    _wait_loaded(driver)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_stderr_and_no_injected_parameters(browser, chapter):
    _open(browser, chapter)
    found = browser.execute_script(
        "return [document.querySelectorAll('.output.stderr').length,"
        " document.querySelectorAll('.tag_injected-parameters').length];")
    assert found == [0, 0], f"{chapter}: stderr outputs / injected-parameters cells: {found}"


def test_math_renders_offline(browser):
    _open(browser, "02_gem_preparation")
    deadline = time.time() + 30
    rendered = 0
    while time.time() < deadline and not rendered:
        rendered = browser.execute_script("return document.querySelectorAll('mjx-container').length;")
        time.sleep(0.5)
    assert rendered, "MathJax rendered no formula with the network off"
    raw = browser.execute_script("return document.querySelector('article').innerText.includes('\\\\(');")
    assert not raw, "raw \\( ... \\) left in the page text"


def test_solution_is_folded_and_opens_on_click(browser):
    _open(browser, "00_toy_example")
    hidden = browser.execute_script("""
        const s = document.querySelector('.solution.dropdown');
        const body = Array.from(s.children).filter(c => !c.classList.contains('admonition-title'));
        return body.every(c => c.offsetParent === null || c.getBoundingClientRect().height === 0);""")
    assert hidden, "the first solution is not folded"
    browser.execute_script("""
        const s = document.querySelector('.solution.dropdown');
        (s.querySelector('button.toggle-button') || s.querySelector('.admonition-title')).click();""")
    time.sleep(1)
    shown = browser.execute_script("""
        const s = document.querySelector('.solution.dropdown');
        const body = Array.from(s.children).filter(c => !c.classList.contains('admonition-title'));
        return body.some(c => c.offsetParent !== null && c.getBoundingClientRect().height > 0);""")
    assert shown, "the solution did not open on click"


# --- The site as readers meet it: served over HTTP, at desktop and phone widths ------------------

@pytest.fixture(scope="module")
def site(browser):
    """The built book served by ``python -m http.server`` on 127.0.0.1 (a free port); its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", str(HTML)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 20
    while True:
        try:
            urllib.request.urlopen(base, timeout=2).close()
            break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                pytest.skip("python -m http.server did not start on 127.0.0.1")
            time.sleep(0.2)
    yield base
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


@contextlib.contextmanager
def _viewport(driver, size: tuple[int, int]):
    """The page laid out at ``size`` (CSS pixels; a phone below 600 px wide, touch and all)."""
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _serve(driver, base: str, page: str) -> None:
    """Open ``page`` (a path under the site, e.g. ``book/executed/01_dataset.html``) and wait."""
    if not (HTML / page).is_file():
        pytest.skip(f"{HTML / page} not built")
    driver.get(base + page)
    _wait_loaded(driver)
    time.sleep(0.5)  # the theme's scripts run on load


def _chapter_page(chapter: str) -> str:
    return f"book/executed/{chapter}.html"


VISIBLE = """
return Array.from(document.querySelectorAll(arguments[0])).filter(e => {
  const r = e.getBoundingClientRect();
  return e.offsetParent !== null && r.width > 0 && r.height > 0
    && getComputedStyle(e).visibility !== 'hidden';
});"""


def _visible(driver, selector: str):
    return driver.execute_script(VISIBLE, selector)


def _dialog_open(driver, dialog_id: str) -> bool:
    return driver.execute_script(
        "const d = document.getElementById(arguments[0]); return !!(d && d.open);", dialog_id)


@pytest.mark.parametrize("toggle, dialog, inside", [
    (".primary-toggle", "pst-primary-sidebar-modal", "a.reference.internal"),
    (".secondary-toggle", "pst-secondary-sidebar-modal", "nav.page-toc a"),
])
def test_phone_buttons_open_the_drawers(browser, site, toggle, dialog, inside):
    """At 390×844 the visible ☰ opens the chapter list and the "on this page" button the page's
    contents, each as a drawer with visible links (a hidden copy of the buttons once took the
    clicks)."""
    with _viewport(browser, PHONE):
        _serve(browser, site, _chapter_page("01_dataset"))
        buttons = _visible(browser, toggle)
        assert len(buttons) == 1, f"{len(buttons)} visible {toggle} buttons at phone width"
        assert not _dialog_open(browser, dialog)
        buttons[0].click()
        time.sleep(0.6)
        assert _dialog_open(browser, dialog), f"{toggle} did not open #{dialog} at phone width"
        links = _visible(browser, f"#{dialog} {inside}")
        assert len(links) >= 3, f"the #{dialog} drawer shows {len(links)} links"
        if toggle == ".primary-toggle":
            texts = [link.text for link in links]
            assert any(t.startswith("1. The Ishii dataset") for t in texts), texts


def test_desktop_menu_button_collapses_the_sidebar(browser, site):
    """At 1366×900 the ☰ hides the chapter list and shows it again."""
    with _viewport(browser, DESKTOP):
        _serve(browser, site, _chapter_page("01_dataset"))
        shown = "return getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility;"
        assert browser.execute_script(shown) == "visible"
        buttons = _visible(browser, ".primary-toggle")
        assert len(buttons) == 1, f"{len(buttons)} visible ☰ buttons at desktop width"
        buttons[0].click()
        time.sleep(0.8)
        assert browser.execute_script(shown) == "hidden", "the ☰ did not collapse the sidebar"
        assert not _dialog_open(browser, "pst-primary-sidebar-modal")
        buttons[0].click()
        time.sleep(0.8)
        assert browser.execute_script(shown) == "visible", "the ☰ did not bring the sidebar back"


def test_every_csv_link_resolves_on_the_served_site(browser, site):
    """Each "(open)" link under a table reaches its CSV on the served site (inside the site)."""
    checked = {}
    for chapter in ALL_CHAPTERS:
        if not (HTML / _chapter_page(chapter)).is_file():
            continue
        _serve(browser, site, _chapter_page(chapter))
        hrefs = browser.execute_script(
            "return Array.from(document.querySelectorAll('a[href$=\".csv\"]')).map(a => a.href);")
        for href in hrefs:
            assert href.startswith(site), f"{chapter}: {href} points outside the site"
            if href not in checked:
                with urllib.request.urlopen(href, timeout=10) as response:
                    body = response.read()
                checked[href] = (response.status, body.split(b"\n", 1)[0])
            status, header = checked[href]
            assert status == 200 and b"," in header, f"{chapter}: {href} gave {status} {header!r}"
    assert checked, "no CSV link found in the built chapters"


NUMBERS = """
const h1 = document.querySelector('article h1 .section-number');
const caption = Array.from(document.querySelectorAll('article figcaption .caption-number'))
  .map(e => e.textContent.trim());
const exercises = Array.from(document.querySelectorAll('article .exercise .admonition-title'))
  .map(e => e.textContent.trim());
return [h1 ? h1.textContent.trim() : null, caption, exercises];
"""


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_chapter_numbers_match_the_files(browser, chapter):
    """Chapter ``NN_name`` is chapter NN, its figures NN.k and its exercises NN.k."""
    _open(browser, chapter)
    number = int(chapter[:2])
    title, figures, exercises = browser.execute_script(NUMBERS)
    assert title == f"{number}.", f"{chapter} is numbered {title!r}"
    for label in figures:
        assert re.match(rf"Fig\. {number}\.\d+", label), f"{chapter}: figure {label!r}"
    for label in exercises:
        assert re.match(rf"Exercise {number}\.\d+", label), f"{chapter}: {label!r}"
    sections = browser.execute_script(
        "return Array.from(document.querySelectorAll('article h2, article h3'))"
        ".map(h => h.textContent.trim());")
    doubled = [s for s in sections if re.match(r"^[\d.]+\s+\d+\.\s", s)]
    assert not doubled, f"{chapter}: headings numbered twice: {doubled}"


def test_landing_page_lists_the_chapters_with_their_numbers(browser):
    """The landing page numbers its chapter list from 0, like the files, and says what a full run
    and a reading take."""
    browser.get((HTML / "book" / "intro.html").as_uri())
    _wait_loaded(browser)
    items = browser.execute_script("""
        const ol = Array.from(document.querySelectorAll('article ol'))
          .find(o => o.querySelector('a[href*="00_toy_example"]'));
        return ol ? [ol.getAttribute('start'), Array.from(ol.children).map(li =>
          (li.querySelector('a') || {}).getAttribute ? li.querySelector('a').getAttribute('href') : '')]
          : null;""")
    assert items, "no numbered chapter list on the landing page"
    start, hrefs = items
    assert start == "0"
    assert [Path(h.split("#")[0]).stem for h in hrefs] == ALL_CHAPTERS
    text = browser.execute_script("return document.querySelector('article').innerText;")
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        from minnbook_site import book_numbers, chapter_run_seconds
    finally:
        sys.path.remove(str(ROOT / "book" / "_ext"))
    seconds = chapter_run_seconds()
    assert sorted(seconds) == ALL_CHAPTERS, "a chapter's Before-you-start box has no run time"
    numbers = book_numbers()
    assert 0 <= int(numbers["quick_run_minutes"]) * 60 - sum(seconds.values()) < 300
    assert re.search(rf"about\s+{numbers['quick_run_minutes']}\s+min on 2 CPU cores", text), \
        "the landing page does not give the chapters' summed run time"
    assert re.search(rf"about\s+{re.escape(numbers['reading_hours'])}\s+hours", text)
    assert "{{" not in text and "ten organisms" not in text


@pytest.mark.parametrize("chapter", SETTINGS_CHAPTERS)
def test_run_settings_are_folded(browser, chapter):
    """A chapter's run settings sit in a closed "Run settings" box, not open before its text."""
    _open(browser, chapter)
    boxes = browser.execute_script("""
        return Array.from(document.querySelectorAll('details.minnbook-settings')).map(d =>
          [d.querySelector('summary').textContent.trim(), d.open,
           d.querySelector('table').checkVisibility()]);""")
    assert boxes, f"{chapter}: no folded run-settings box"
    summary, is_open, table_shown = boxes[0]
    assert summary == "Run settings" and not is_open and not table_shown, boxes[0]
    browser.execute_script("document.querySelector('details.minnbook-settings summary').click();")
    assert browser.execute_script(
        "return document.querySelector('details.minnbook-settings table').checkVisibility();"), \
        f"{chapter}: the run settings do not open on a click"


def test_deliberate_error_message_is_folded(browser):
    """Chapter 06's demonstration of a refused block keeps its message under a fold."""
    _open(browser, "06_reservoir_pfba")
    shown = browser.execute_script("""
        return Array.from(document.querySelectorAll('article .cell_output')).filter(o =>
          o.textContent.includes('does not fit a block') && o.offsetParent !== null && o.getBoundingClientRect().height > 0
          && !o.closest('details:not([open])')).length;""")
    folded = browser.execute_script(
        "return Array.from(document.querySelectorAll('article details .cell_output'))"
        ".filter(o => o.textContent.includes('does not fit a block')).length;")
    assert shown == 0, "the refused-block message is printed open in the flow of chapter 06"
    assert folded == 1, "the refused-block message is not under a fold in chapter 06"


TABLES = """
const article = document.querySelector('article.bd-article') || document.querySelector('article');
const page = article.getBoundingClientRect();
const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
const shown = e => e.checkVisibility() && e.getBoundingClientRect().width > 0;
return Array.from(article.querySelectorAll('table')).filter(shown).map(table => {
  let box = table.parentElement;
  while (box && box !== article && !scrolls(box)) box = box.parentElement;
  if (box === article) box = null;
  const right = Math.min(page.right, window.innerWidth, box ? box.getBoundingClientRect().right : 1e9);
  const heads = Array.from(table.querySelectorAll('tr:first-child > *'));
  const hidden = heads.filter(h => h.getBoundingClientRect().right > right + 1)
    .map(h => h.textContent.trim().slice(0, 30));
  const cue = box && box.nextElementSibling;
  const cued = !!(box && box.scrollWidth > box.clientWidth + 1 && cue
    && cue.classList.contains('minnbook-scroll-cue') && shown(cue)
    && cue.getBoundingClientRect().left < window.innerWidth);
  const overlaps = [];
  for (const row of table.querySelectorAll('tr')) {
    const cells = Array.from(row.children);
    cells.forEach((cell, i) => {
      const r = cell.getBoundingClientRect();
      const next = cells[i + 1] && cells[i + 1].getBoundingClientRect();
      if (cell.scrollWidth > cell.clientWidth + 1 || (next && r.right > next.left + 1))
        overlaps.push(cell.textContent.trim().slice(0, 30));
    });
  }
  const figure = table.closest('.minnbook-table-figure');
  const number = figure && figure.querySelector(':scope > .caption .caption-number');
  return {head: heads.map(h => h.textContent.trim()).join('|').slice(0, 60), hidden, cued,
          overlaps: overlaps.slice(0, 3), shown_table: table.classList.contains('minnbook-table'),
          settings: !!table.closest('details.minnbook-settings')
            || table.classList.contains('minnbook-settings-table'),
          number: number ? number.textContent.trim() : null,
          caption: figure ? figure.querySelector(':scope > .caption').textContent.trim() : ''};
});"""


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_tables_show_every_column_and_are_numbered(browser, site, chapter, size):
    """At 1366×900 and 390×844 no table hides a column beyond the page without a visible scroll
    cue (it scrolls sideways in its own box), no cell overlaps or overprints another, and every
    table a chapter shows with ``show_table`` (tables of settings aside) is numbered like the
    chapter ("Table 3.2") and captioned."""
    with _viewport(browser, size):
        _serve(browser, site, _chapter_page(chapter))
        time.sleep(0.3)
        tables = browser.execute_script(TABLES)
    number = int(chapter[:2])
    problems = []
    for table in tables:
        where = f"{chapter} at {size[0]} px, table {table['number'] or table['head']!r}"
        if table["hidden"] and not table["cued"]:
            problems.append(f"{where}: columns {table['hidden']} off-page without a scroll cue")
        if table["overlaps"]:
            problems.append(f"{where}: cells overlapping or overprinted: {table['overlaps']}")
        if table["shown_table"] and not table["settings"]:
            label = table["number"] or ""
            if not re.fullmatch(rf"Table {number}\.\d+", label):
                problems.append(f"{where}: not numbered as a table of chapter {number}: {label!r}")
            elif len(table["caption"]) <= len(label) + 3:
                problems.append(f"{where}: no caption")
    assert not problems, "\n".join(problems)


FIGURES = """
return Array.from(document.querySelectorAll('article.bd-article figure img')).map(img => {
  const box = img.closest('.minnbook-figure-scroll');
  const cue = box && box.nextElementSibling && box.nextElementSibling.textContent;
  return [img.getAttribute('alt'), img.getBoundingClientRect().width / img.naturalWidth,
          !!box, cue || ''];
});"""


@pytest.mark.parametrize("chapter", ["01_dataset", "03_minn_vs_ml", "05_gem_choice"])
def test_wide_figures_stay_readable_on_a_phone(browser, site, chapter):
    """At 390 px no figure is drawn below 60 % of its size; a wider one scrolls, with a cue."""
    with _viewport(browser, PHONE):
        _serve(browser, site, _chapter_page(chapter))
        time.sleep(0.5)
        figures = browser.execute_script(FIGURES)
    assert figures, f"{chapter}: no figure"
    for alt, scale, scrolls, cue in figures:
        assert scale >= 0.59, f"{chapter}: {alt!r} drawn at {scale:.0%} of its size on a phone"
        if scrolls:
            assert "scroll" in cue, f"{chapter}: {alt!r} scrolls without a cue"


WEIGHT = """
const nav = performance.getEntriesByType('navigation')[0];
const rows = performance.getEntriesByType('resource').map(r =>
  [r.name, r.initiatorType, r.decodedBodySize || r.encodedBodySize || r.transferSize]);
return [nav.decodedBodySize || nav.transferSize, rows, Math.round(nav.loadEventEnd)];
"""


def _weight(driver, base: str, page: str) -> tuple[int, int, bool, int]:
    """Bytes a page fetches in all, bytes other than its figures, whether MathJax loaded, and
    milliseconds to the page's load event."""
    _serve(driver, base, page)
    time.sleep(1.0)  # MathJax's fonts and late scripts
    html_bytes, rows, load_ms = driver.execute_script(WEIGHT)
    total = html_bytes + sum(size for _, _, size in rows)
    figures = sum(size for name, _, size in rows if "/_images/" in name)
    mathjax = any("mathjax" in name.lower() for name, _, _ in rows)
    return total, total - figures, mathjax, load_ms


def test_page_weight_and_screenshots(browser, site):
    """Bytes fetched by every page (reported), within budget; MathJax only where there is math;
    screenshots of one chapter at both widths in ``_build/screenshots/``."""
    pages = ["book/intro.html", "book/using_this_book.html", "book/glossary.html",
             "book/references.html", "search.html"] + [_chapter_page(c) for c in ALL_CHAPTERS]
    pages = [p for p in pages if (HTML / p).is_file()]
    SHOTS.mkdir(parents=True, exist_ok=True)
    report = ["page,bytes,bytes_without_figures,mathjax,load_ms"]
    with _viewport(browser, DESKTOP):
        for page in pages:
            total, assets, mathjax, load_ms = _weight(browser, site, page)
            report.append(f"{page},{total},{assets},{int(mathjax)},{load_ms}")
            has_math = browser.execute_script(
                "return document.querySelectorAll('.math, mjx-container').length > 0 ||"
                " /\\\\\\(|\\$\\$/.test(document.querySelector('article')?.innerHTML || '');")
            assert mathjax == has_math, f"{page}: MathJax loaded={mathjax}, math on page={has_math}"
            budget = ASSET_BUDGET if mathjax else ASSET_BUDGET_NO_MATH
            assert total <= PAGE_BUDGET, f"{page} fetches {total:,} bytes (budget {PAGE_BUDGET:,})"
            assert assets <= budget, f"{page}: {assets:,} bytes besides its figures ({budget:,})"
        _serve(browser, site, _chapter_page(SCREENSHOT_CHAPTER))
        browser.save_screenshot(str(SHOTS / f"{SCREENSHOT_CHAPTER}_{DESKTOP[0]}.png"))
    with _viewport(browser, PHONE):
        _serve(browser, site, _chapter_page(SCREENSHOT_CHAPTER))
        browser.save_screenshot(str(SHOTS / f"{SCREENSHOT_CHAPTER}_{PHONE[0]}.png"))
        browser.execute_script("document.querySelector('article figure').scrollIntoView();")
        time.sleep(0.3)
        browser.save_screenshot(str(SHOTS / f"{SCREENSHOT_CHAPTER}_{PHONE[0]}_figure.png"))
        _visible(browser, ".primary-toggle")[0].click()
        time.sleep(0.6)
        browser.save_screenshot(str(SHOTS / f"{SCREENSHOT_CHAPTER}_{PHONE[0]}_menu.png"))
    (SHOTS / "page_weight.csv").write_text("\n".join(report) + "\n")
    print("\n" + "\n".join(report))
    assert (SHOTS / f"{SCREENSHOT_CHAPTER}_{PHONE[0]}.png").stat().st_size > 0


# ----- chapters that teach: few glued values per paragraph, the method's code shown --------------

GLUE_COUNTS = """
const blocks = Array.from(document.querySelectorAll('article p, article li'))
  .filter(b => !b.querySelector('p'));  // a list item's own paragraphs are counted once
return blocks.map(b => [b.querySelectorAll('.pasted-text, .pasted-inline').length,
                        b.innerText.slice(0, 80)]);"""

METHOD_CODE = """
return Array.from(document.querySelectorAll('article div.highlight pre')).filter(pre => {
  const r = pre.getBoundingClientRect();
  return pre.offsetParent !== null && r.width > 0 && r.height > 0
    && (/^\\s*(def|class) \\w+/m.test(pre.innerText) || pre.closest('.tag_method'));
}).length;"""

#: Most glued values one paragraph (or list item) may quote.
MAX_GLUED_PER_PARAGRAPH = 5


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_paragraphs_quote_few_glued_values_and_the_method_is_shown(browser, chapter):
    """No paragraph quotes more than five glued values, and every chapter shows at least one
    piece of the method's code, visible without unfolding: a function or class (a
    ``literalinclude`` of the readable core, or the reader's own in an exercise), or a code cell
    tagged ``method`` (a method written out in place, such as chapter 03's nested LOO)."""
    _open(browser, chapter)
    crowded = [(n, text) for n, text in browser.execute_script(GLUE_COUNTS)
               if n > MAX_GLUED_PER_PARAGRAPH]
    assert not crowded, f"{chapter}: paragraphs with more than 5 glued values: {crowded}"
    assert browser.execute_script(METHOD_CODE) >= 1, \
        f"{chapter}: no visible function or class of the method"


def test_appendix_pages_are_in_the_sidebar(browser):
    """The reader finds the paper-protocol appendix and Troubleshooting from any chapter."""
    _open(browser, "00_toy_example")
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('nav.bd-docs-nav a, .bd-sidebar-primary a'))"
        ".map(a => a.getAttribute('href'));")
    stems = {Path(h.split("#")[0]).stem for h in links if h}
    assert {"reproducing", "troubleshooting", "own_question"} <= stems, sorted(stems)

"""The built book in a real browser (issue #18): tables fit, math renders offline, solutions fold.

Uses Debian's ``chromium`` and ``chromedriver`` through selenium, with every host name unresolvable
(no CDN can be reached: what renders comes with the book). Reads ``_build/html`` as the book build
left it (``tests/test_book.py`` builds it first in ``make test``). Skips, saying why, when selenium,
chromium or chromedriver is missing (``.ci/run`` installs them where apt-get is allowed) or when the
book has not been built.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("MINNBOOK_HTML", ROOT / "_build" / "html"))  # a built book elsewhere
CHAPTERS = ["00_toy_example", "01_dataset", "02_gem_preparation", "03_minn_vs_ml",
            "04_conflicting_losses", "05_gem_choice", "06_reservoir_pfba"]
WIDTH = 1400

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
                "--host-resolver-rules=MAP * ~NOTFOUND"):  # offline: no host name resolves
        options.add_argument(arg)
    try:
        driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    except Exception as exc:  # a browser that cannot start on this machine
        pytest.skip(f"chromium did not start: {str(exc).splitlines()[0]}")
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(driver, chapter: str) -> None:
    page = HTML / "book" / "executed" / f"{chapter}.html"
    if not page.is_file():
        pytest.skip(f"{page} not built")
    driver.get(page.as_uri())


TOO_WIDE = """
const article = document.querySelector('article') || document.querySelector('main');
const limit = article.getBoundingClientRect().width;
return Array.from(article.querySelectorAll('table')).map(t => [t.getBoundingClientRect().width, limit,
    (t.querySelector('th') || t).textContent.trim().slice(0, 40)])
  .filter(([w, l]) => w > l + 1);
"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_tables_fit_the_text_column(browser, chapter):
    _open(browser, chapter)
    wide = browser.execute_script(TOO_WIDE)
    assert not wide, f"{chapter}: tables wider than the text column at {WIDTH} px: {wide}"


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

/* The book's own script (every page, through _config.yml's html_js_files).
 *
 * Wide figures on a phone: a figure the page would draw at less than MIN_SCALE of its size (a
 * multi-panel figure on a 390 px screen is drawn at about 35 %, its labels unreadable) keeps
 * MIN_SCALE of its size instead, inside a box that scrolls sideways, with a cue under it.
 *
 * Wide tables: every table of the article sits in a box that scrolls sideways (show_table's
 * .minnbook-table-scroll, the theme's .pst-scrollable-table-container, or one made here); a table
 * wider than its box gets a written cue under the box and shadows at the edges it scrolls to,
 * and, on a narrow screen, its first (key) column stays in view while it scrolls.
 */
(function () {
  "use strict";
  const MIN_SCALE = 0.6;
  const CUE = "\u2194 wide figure: scroll sideways";

  function unwrap(box) {
    const img = box.querySelector("img");
    const cue = box.nextElementSibling;
    if (cue && cue.classList.contains("minnbook-scroll-cue")) cue.remove();
    img.style.width = "";
    box.replaceWith(img);
  }

  function fitFigures() {
    document.querySelectorAll(".minnbook-figure-scroll").forEach(unwrap);
    document.querySelectorAll("article.bd-article img").forEach(function (img) {
      if (!img.naturalWidth || img.closest(".sidebar, aside, .navbar-brand")) return;
      const room = img.parentElement.getBoundingClientRect().width;
      const keep = Math.round(img.naturalWidth * MIN_SCALE);
      if (room >= keep) return;
      const box = document.createElement("div");
      box.className = "minnbook-figure-scroll";
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", img.getAttribute("alt") || "figure");
      img.replaceWith(box);
      box.appendChild(img);
      img.style.width = keep + "px";
      const cue = document.createElement("span");
      cue.className = "minnbook-scroll-cue";
      cue.textContent = CUE;
      box.after(cue);
    });
  }

  const TABLE_CUE = "\u2194 wide table: scroll sideways for more columns";
  const STICKY_BELOW = 600;  // px of screen width

  function scrollBox(table) {
    const box = table.parentElement;
    if (box.classList.contains("minnbook-table-scroll") ||
        box.classList.contains("pst-scrollable-table-container")) return box;
    const wrap = document.createElement("div");
    wrap.className = "minnbook-table-scroll";
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "table");
    table.replaceWith(wrap);
    wrap.appendChild(table);
    return wrap;
  }

  function fitTables() {
    document.querySelectorAll("article.bd-article table").forEach(function (table) {
      const box = scrollBox(table);
      if (!box.getBoundingClientRect().width) return;  // in a closed fold: when it opens
      box.style.overflowX = "auto";
      const wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("minnbook-scrolls", wide);
      let cue = box.nextElementSibling;
      const hasCue = cue && cue.classList.contains("minnbook-scroll-cue");
      if (wide && !hasCue) {
        cue = document.createElement("span");
        cue.className = "minnbook-scroll-cue";
        cue.textContent = TABLE_CUE;
        box.after(cue);
      } else if (!wide && hasCue) {
        cue.remove();
      }
      const first = table.querySelector("tr > :first-child");
      const narrow = window.innerWidth < STICKY_BELOW && first &&
        first.getBoundingClientRect().width < 0.4 * box.clientWidth;
      box.classList.toggle("minnbook-sticky-key", !!(wide && narrow));
    });
  }

  function fitAll() {
    fitFigures();
    fitTables();
  }

  let pending = null;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(fitAll, 150);
  }
  window.addEventListener("load", fitAll);
  document.addEventListener("toggle", later, true);  // a fold opened: its tables get measured
  window.addEventListener("resize", later);
})();

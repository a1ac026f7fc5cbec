/* The book's own script (every page, through _config.yml's html_js_files).
 *
 * Wide figures on a phone: a figure the page would draw at less than MIN_SCALE of its size (a
 * multi-panel figure on a 390 px screen is drawn at about 35 %, its labels unreadable) keeps
 * MIN_SCALE of its size instead, inside a box that scrolls sideways, with a cue under it.
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

  let pending = null;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(fitFigures, 150);
  }
  window.addEventListener("load", fitFigures);
  window.addEventListener("resize", later);
})();

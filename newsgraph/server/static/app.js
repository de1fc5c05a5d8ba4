// newsgraph pages: the reader's fact panel and fact anchors. No inline script (CSP);
// this file never builds markup from article data: the fact details are rendered (and
// escaped) by the server, and this only shows or hides them.
"use strict";
(function () {
  function init() {
    var text = document.getElementById("text");
    var panel = document.getElementById("panel");
    if (!text || !panel) { return; }
    var infos = panel.querySelectorAll(".fact-info");

    function segmentsOf(anchor) {
      return text.querySelectorAll('[data-facts~="' + anchor.replace(/["\\]/g, "") + '"]');
    }

    function show(ids, mark) {
      var shown = 0;
      infos.forEach(function (info) {
        var on = ids.indexOf(info.getAttribute("data-fact")) !== -1;
        info.hidden = !on;
        if (on) { shown += 1; }
      });
      panel.classList.toggle("has-fact", shown > 0);
      if (mark) {
        text.querySelectorAll(".current").forEach(function (el) { el.classList.remove("current"); });
        if (ids.length) { segmentsOf(ids[0]).forEach(function (el) { el.classList.add("current"); }); }
      }
    }

    function factsOf(el) {
      var seg = el && el.closest ? el.closest("[data-facts]") : null;
      return seg ? seg.getAttribute("data-facts").split(" ") : null;
    }

    text.addEventListener("mouseover", function (e) { var ids = factsOf(e.target); if (ids) { show(ids, false); } });
    var landing = false;
    text.addEventListener("focusin", function (e) {
      var ids = factsOf(e.target);
      if (ids && !landing) { show(ids, true); }
    });
    text.addEventListener("click", function (e) { var ids = factsOf(e.target); if (ids) { show(ids, true); } });
    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") {
        var ids = factsOf(e.target);
        if (ids) { e.preventDefault(); show(ids, true); }
      }
    });

    function land() {
      var id = decodeURIComponent(location.hash.slice(1));
      if (!id) { return; }
      var segs = segmentsOf(id);
      if (!segs.length) { return; }
      show([id], true);
      var first = segs[0];
      landing = true;
      if (first.hasAttribute("tabindex")) { first.focus({ preventScroll: true }); }
      landing = false;
      first.scrollIntoView({ block: "center" });
    }
    window.addEventListener("hashchange", land);
    land();
  }
  // The analyse form: an analysis takes seconds (the first one loads the models), so the
  // button says it is working and cannot be pressed twice.
  function initAnalyze() {
    var form = document.querySelector("form.analyze");
    if (!form) { return; }
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.textContent = "Analysing…"; }
      form.setAttribute("aria-busy", "true");
    });
  }
  function start() { init(); initAnalyze(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

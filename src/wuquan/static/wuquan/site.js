/* Wuquan — the little behaviour some pages need, in a static file (CSP: no inline script).
   Loaded only by the pages that ask for it ({% block scripts %}); the rest run without any.
   1. Every table not already in a .table-wrap gets one, so it scrolls instead of squeezing.
   2. [data-print] buttons print the page. */
(function () {
  "use strict";
  function wrapTables() {
    var tables = document.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) {
      var t = tables[i];
      if (t.parentElement && t.parentElement.classList.contains("table-wrap")) continue;
      var div = document.createElement("div");
      div.className = "table-wrap";
      t.parentNode.insertBefore(div, t);
      div.appendChild(t);
    }
  }
  function onClick(ev) {
    var el = ev.target.closest ? ev.target.closest("[data-print]") : null;
    if (!el) return;
    ev.preventDefault();
    window.print();
  }
  document.addEventListener("DOMContentLoaded", wrapTables);
  document.addEventListener("click", onClick);
})();

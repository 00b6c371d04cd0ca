/* Filters the volumes of the page shown as the reader types (a list of many pages is
   filtered page by page; search.html searches them all). The page works without it:
   the form stays hidden and every volume is listed. No network, no storage. */
(function () {
  "use strict";
  var form = document.getElementById("filter");
  var input = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var none = document.getElementById("no-match");
  if (!form || !input) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll("li[data-search]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.series"));

  /* Same folding as bookmaker.catalog.site.fold: NFKD, marks removed, lower case. */
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function apply() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (item) {
      var haystack = item.getAttribute("data-search");
      var match = words.every(function (word) { return haystack.indexOf(word) !== -1; });
      item.hidden = !match;
      if (match) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("li[data-search]:not([hidden])");
    });
    if (none) { none.hidden = shown !== 0; }
    var total = items.length;
    var where = form.getAttribute("data-scope") === "page" ? " on this page" : "";
    status.textContent = words.length === 0
      ? total + (total === 1 ? " volume" : " volumes") + where
      : shown + " of " + total + (total === 1 ? " volume" : " volumes") + where + " shown";
  }

  form.hidden = false;
  input.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { input.value = query; }
  apply();
})();

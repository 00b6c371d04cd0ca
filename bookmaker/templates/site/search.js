/* Searches every volume of the catalogue, from search-index.js (written with the site):
   each row is [folded text, page, title, subtitle, authors, facts]. At most 50 matches
   are shown. No network, no storage. */
(function () {
  "use strict";
  var LIMIT = 50;
  var form = document.getElementById("search");
  var input = document.getElementById("search-text");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var rows = window.CATALOGUE_INDEX;
  if (!form || !input || !rows) { return; }

  /* Same folding as bookmaker.catalog.site.fold: NFKD, marks removed, lower case. */
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function item(row) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = row[1];
    link.textContent = row[2];
    li.appendChild(link);
    [row[3], row[4], row[5]].forEach(function (text) {
      if (!text) { return; }
      var span = document.createElement("span");
      span.className = "search-fact";
      span.textContent = text;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(span);
    });
    return li;
  }

  function apply() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (words.length === 0) {
      status.textContent = rows.length + (rows.length === 1 ? " volume" : " volumes");
      return;
    }
    var found = 0;
    rows.forEach(function (row) {
      var match = words.every(function (word) { return row[0].indexOf(word) !== -1; });
      if (!match) { return; }
      found += 1;
      if (found <= LIMIT) { list.appendChild(item(row)); }
    });
    status.textContent = found === 0 ? "No volume matches."
      : found + (found === 1 ? " volume matches" : " volumes match")
        + (found > LIMIT ? "; the first " + LIMIT + " are shown." : ".");
  }

  form.hidden = false;
  input.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { input.value = query; }
  apply();
})();

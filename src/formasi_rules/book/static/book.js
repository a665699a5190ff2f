/* formasi book: the "as of" period selector and the search box. No library, no network:
   the search index is loaded by search-index.js (window.BOOK_INDEX). */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var params = new URLSearchParams(location.search);
  var KEY = "formasi-book-as-of";
  var KINDS = {rule: "aturan / rule", field: "nilai / field", table: "tabel / table", target: "syarat / requirements",
               vocabulary: "kosakata / vocabulary", source: "sumber / source", "case": "kasus uji / test case"};

  function store(day) {
    try { if (day) { localStorage.setItem(KEY, day); } else { localStorage.removeItem(KEY); } } catch (e) { /* file:// */ }
  }
  function stored() {
    try { return localStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }

  /* --- as of: hide what is not in force on the chosen day ------------------------------- */
  var asOf = document.getElementById("as-of");
  var note = document.getElementById("as-of-note");
  function inForce(el, day) {
    var from = el.getAttribute("data-from"), to = el.getAttribute("data-to");
    return (!from || from <= day) && (!to || day <= to);
  }
  function showDay(day) {
    var items = document.querySelectorAll(".dated"), hidden = 0;
    for (var i = 0; i < items.length; i++) {
      var out = !!day && !inForce(items[i], day);
      items[i].classList.toggle("out", out);
      if (out) { hidden++; }
    }
    document.body.setAttribute("data-as-of", day || "");
    note.hidden = !day;
    note.textContent = day ? "Berlaku pada " + day + ": " + hidden + " bagian di luar periode disembunyikan. " +
      "/ In force on " + day + ": " + hidden + " part(s) outside it hidden." : "";
    store(day);
  }
  asOf.value = params.get("as_of") || stored();
  asOf.addEventListener("change", function () { showDay(asOf.value); });
  document.getElementById("as-of-clear").addEventListener("click", function () { asOf.value = ""; showDay(""); });
  showDay(asOf.value);

  /* --- search: every word of the query in the entry's name, title or text --------------- */
  var index = window.BOOK_INDEX || [];
  function fold(s) { return String(s).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
  var hay = index.map(function (e) { return fold(e.n + " " + e.t + " " + e.x); });
  var box = document.getElementById("q"), list = document.getElementById("results");
  function search(query) {
    var words = fold(query).split(/\s+/).filter(Boolean), found = [];
    if (!words.length) { return found; }
    for (var i = 0; i < index.length; i++) {
      if (words.every(function (w) { return hay[i].indexOf(w) >= 0; })) {
        var e = index[i], t = fold(e.n + " " + e.t);
        found.push({e: e, score: (fold(e.n) === words.join(" ") ? 0 : 2) - (words.every(function (w) { return t.indexOf(w) >= 0; }) ? 1 : 0)});
      }
    }
    found.sort(function (a, b) { return a.score - b.score; });
    return found.slice(0, 30).map(function (f) { return f.e; });
  }
  function show(query) {
    var found = search(query);
    list.textContent = "";
    list.hidden = !query;
    if (query && !found.length) {
      var none = document.createElement("li");
      none.textContent = "tidak ditemukan / nothing found";
      list.appendChild(none);
    }
    found.forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
      a.href = root + e.u;
      a.textContent = e.t;
      a.setAttribute("data-kind", e.k);
      kind.className = "kind";
      kind.textContent = " " + (KINDS[e.k] || e.k) + " · " + e.n;
      li.appendChild(a);
      li.appendChild(kind);
      list.appendChild(li);
    });
  }
  box.addEventListener("input", function () { show(box.value); });
  box.addEventListener("keydown", function (ev) {
    var first = list.querySelector("a");
    if (ev.key === "Enter" && first) { location.href = first.href; }
    if (ev.key === "Escape") { box.value = ""; show(""); }
  });
  document.addEventListener("click", function (ev) {
    if (!list.contains(ev.target) && ev.target !== box) { list.hidden = true; }
  });
  box.addEventListener("focus", function () { if (box.value) { show(box.value); } });
  if (params.get("q")) { box.value = params.get("q"); show(box.value); }
}());

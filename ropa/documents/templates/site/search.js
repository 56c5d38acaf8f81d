// Offline search over the index embedded in the page: no server, no network.
(function () {
  var data = JSON.parse(document.getElementById("search-index").textContent);
  var text = {};
  data.forEach(function (d) { text[d.id] = d.text; });
  var input = document.getElementById("q");
  var count = document.getElementById("count");
  var items = Array.prototype.slice.call(document.querySelectorAll("li[data-id]"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section[data-org]"));
  function fold(s) { return s.toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); }
  function update() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (li) {
      var t = fold(text[li.getAttribute("data-id")] || "");
      var ok = words.every(function (w) { return t.indexOf(w) !== -1; });
      li.hidden = !ok;
      if (ok) { shown++; }
    });
    sections.forEach(function (sec) {  // an organisation with no match is hidden with its heading
      sec.hidden = words.length > 0 && !sec.querySelector("li[data-id]:not([hidden])");
    });
    var total = count.getAttribute("data-total");
    count.textContent = shown === 0 ? count.getAttribute("data-none")
      : count.getAttribute("data-template").replace("{n}", shown).replace("{total}", total);
  }
  input.addEventListener("input", update);
  update();
})();

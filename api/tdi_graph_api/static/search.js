// Autocomplete from /api/search (no other network access), for the search boxes of the home
// and search pages (#search-q: suggests names) and for the entity fields of the named-query
// forms (input[data-suggest="id"]: suggests ids, shown with their name; data-suggest-type
// narrows the search to one type).
(function () {
  "use strict";
  function attach(input, list, values) {
    let timer = null;
    let last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const q = input.value.trim();
        if (q.length < 2 || q === last) return;
        last = q;
        const type = input.dataset.suggestType;
        const url = "/api/search?limit=8&q=" + encodeURIComponent(q) +
          (type ? "&type=" + encodeURIComponent(type) : "");
        try {
          const answer = await fetch(url);
          if (!answer.ok) return;
          const data = await answer.json();
          list.replaceChildren(...data.results.map(function (hit) {
            const option = document.createElement("option");
            option.value = values === "id" ? hit.id : hit.label;
            option.label = values === "id" ? hit.label + " (" + hit.type + ")" : hit.type;
            return option;
          }));
        } catch (error) {
          // Suggestions are a convenience: the form still works without them.
        }
      }, 150);
    });
  }
  const box = document.getElementById("search-q");
  const boxList = document.getElementById("search-suggestions");
  if (box && boxList) attach(box, boxList, "label");
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    const list = document.getElementById(input.getAttribute("list"));
    if (list) attach(input, list, input.dataset.suggest);
  });
})();

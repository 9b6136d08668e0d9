// Autocomplete for the search boxes of the home and search pages: as the user types, the
// first matches of /api/search fill the <datalist> of the box (no other network access).
(function () {
  "use strict";
  const input = document.getElementById("search-q");
  const list = document.getElementById("search-suggestions");
  if (!input || !list) return;
  let timer = null;
  let last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const q = input.value.trim();
      if (q.length < 2 || q === last) return;
      last = q;
      try {
        const answer = await fetch("/api/search?limit=8&q=" + encodeURIComponent(q));
        if (!answer.ok) return;
        const data = await answer.json();
        list.replaceChildren(...data.results.map(function (hit) {
          const option = document.createElement("option");
          option.value = hit.label;
          option.label = hit.type;
          return option;
        }));
      } catch (error) {
        // Suggestions are a convenience: the form still works without them.
      }
    }, 150);
  });
})();

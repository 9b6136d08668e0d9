// Sortable, filterable tables: every table.sortable gets a filter box above it (rows whose
// text holds every word typed, accents and case ignored) and headers that sort on click
// (numbers as numbers, dates and text in French order). No library, no network.
(function () {
  "use strict";
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const number = (s) => {
    const t = s.replace(/[\s\u202f\u00a0€%]/g, "").replace(",", ".");
    return t !== "" && !isNaN(t) ? Number(t) : null;
  };
  function setUp(table) {
    const body = table.tBodies[0];
    if (!body) return;
    const rows = Array.from(body.rows).filter((r) => !r.querySelector("td[colspan]"));
    const bar = document.createElement("div");
    bar.className = "table-tools";
    const filter = document.createElement("input");
    filter.type = "search";
    filter.className = "table-filter";
    filter.placeholder = table.dataset.filter || "Filtrer";
    filter.setAttribute("aria-label", filter.placeholder);
    const count = document.createElement("span");
    count.className = "muted table-count";
    bar.append(filter, count);
    table.before(bar);
    const show = () => {
      const words = fold(filter.value).split(/\s+/).filter(Boolean);
      let shown = 0;
      rows.forEach((row) => {
        const text = fold(row.textContent);
        const keep = words.every((w) => text.includes(w));
        row.hidden = !keep;
        if (keep) shown += 1;
      });
      count.textContent = shown === rows.length ? rows.length + " lignes" : shown + " sur " + rows.length + " lignes";
    };
    filter.addEventListener("input", show);
    show();
    Array.from(table.tHead ? table.tHead.rows[0].cells : []).forEach((th, index) => {
      th.classList.add("sort");
      th.tabIndex = 0;
      th.title = "Trier";
      const sort = () => {
        const up = th.getAttribute("aria-sort") !== "ascending";
        Array.from(th.parentNode.cells).forEach((c) => c.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        const key = (row) => (row.cells[index] ? row.cells[index].textContent.trim() : "");
        const numeric = rows.every((r) => key(r) === "" || number(key(r)) !== null);
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          const order = numeric ? (number(x) ?? -Infinity) - (number(y) ?? -Infinity)
            : x.localeCompare(y, "fr", { numeric: true });
          return up ? order : -order;
        });
        body.append(...rows);
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (e) => { if (e.key === "Enter") sort(); });
    });
  }
  document.querySelectorAll("table.sortable").forEach(setUp);
})();

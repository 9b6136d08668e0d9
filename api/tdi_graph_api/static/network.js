/* The interactive actor network (/network): Cytoscape.js (vendored), data from /api/network. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("network-config").textContent);
  const $ = (id) => document.getElementById(id);
  const status = $("network-status");
  const card = $("entity-card");
  /* the page's strings in its language: locales/messages.json (netjs.*), via network.html */
  const MSG = config.messages || {};
  const msg = (key, values = {}) =>
    (MSG["netjs." + key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  const METRIC_LABELS = Object.fromEntries(["degree", "weighted_degree", "betweenness", "pagerank",
    "community"].map((k) => [k, msg("metric." + k)]));
  /* node types and relations with their labels: ontology/presentation.ttl, via /api/network */
  const state = { focus: config.focus || null, documents: {}, allNodes: new Map(), request: 0,
    nodeTypes: {}, relations: {} };

  const el = window.tdiDom.el;
  /* The page's language (fr by default, en through ?lang=en): labels in it, French else. */
  const EN = document.documentElement.lang === "en";
  const pick = (item, key) => (EN && item[key + "_en"]) || item[key];
  /* replaceChildren() would print a skipped (null) child as the text "null". */
  const fill = (node, ...children) => node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));

  const typeStyles = Object.entries(config.colours).map(([type, colour]) => ({
    selector: `node[type = "${type}"]`, style: { "background-color": colour },
  }));
  const cy = cytoscape({
    container: $("cy"),
    minZoom: 0.1,
    maxZoom: 4,
    style: [
      {
        selector: "node",
        style: {
          "background-color": "#888", width: "data(size)", height: "data(size)",
          label: "data(shortLabel)", "font-size": 11, color: "#1d2330",
          "text-valign": "bottom", "text-margin-y": 2, "text-wrap": "ellipsis",
          "text-max-width": 140, "text-background-color": "#fff", "text-background-opacity": 0.75,
          "text-background-padding": 1,
          "border-width": 1, "border-color": "#fff",
        },
      },
      ...typeStyles,
      {
        selector: "edge",
        style: {
          width: 1, "line-color": "#c3c9d4", "curve-style": "bezier",
          "target-arrow-shape": "triangle", "target-arrow-color": "#c3c9d4", "arrow-scale": 0.6,
          opacity: 0.8,
        },
      },
      { selector: 'edge[relation = "co-signed-with"], edge[relation = "co-participated-with"]',
        style: { "target-arrow-shape": "none", "line-style": "dashed", "line-color": "#e4572e" } },
      { selector: "node.focus", style: { "border-width": 4, "border-color": "#1d2330" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#f2a541" } },
      { selector: "edge:selected", style: { width: 3, "line-color": "#f2a541" } },
      { selector: ".faded", style: { opacity: 0.15 } },
      { selector: "node.label-hidden", style: { "text-opacity": 0 } },
      { selector: "node.label-hidden:selected, node.label-hidden.hover", style: { "text-opacity": 1, "z-index": 10 } },
    ],
  });
  window.tdiNetwork = { cy, state, reload: load };

  /* The view lives in the URL (shareable, restored on load). With no `type` in it the page
     opens on a readable default: actors, agreements and events, reference geography folded. */
  const DEFAULT_TYPES = ["person", "organisation", "agreement", "event"];
  const CONTROLS = { depth: "network-depth", projection: "network-projection", metric: "network-metric",
    since: "network-since", until: "network-until" };

  function setBoxes(id, values) {
    $(id).querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = values.includes(b.value); });
  }

  function restoreFromUrl() {
    const url = new URLSearchParams(window.location.search);
    for (const [name, id] of Object.entries(CONTROLS)) {
      const value = url.get(name);
      const control = $(id);
      if (!value) continue;
      if (control.tagName === "SELECT" && ![...control.options].some((o) => o.value === value)) continue;
      control.value = value;
    }
    if (url.get("focus") || config.focus) state.focus = url.get("focus") || config.focus;
    const types = url.get("type") ?? (state.focus ? "all" : null);
    if (types === "all") setBoxes("network-types", [...$("network-types").querySelectorAll("input")].map((b) => b.value));
    else setBoxes("network-types", types !== null ? types.split(",") : DEFAULT_TYPES);
    const relations = url.get("relation");
    if (relations !== null) setBoxes("network-relations", relations === "none" ? [] : relations.split(","));
  }

  function saveToUrl() {
    const p = new URLSearchParams();
    const lang = new URLSearchParams(window.location.search).get("lang");
    if (lang) p.set("lang", lang);  // the page's language stays with the view
    if (state.focus) p.set("focus", state.focus);
    for (const [name, id] of Object.entries(CONTROLS)) {
      const control = $(id);
      const initial = control.tagName === "SELECT"
        ? ([...control.options].find((o) => o.defaultSelected) || control.options[0]).value : "";
      if (control.value && control.value !== initial && (name !== "depth" || state.focus)) p.set(name, control.value);
    }
    const types = checked("network-types");
    const isDefault = !state.focus && types.values.length === DEFAULT_TYPES.length && DEFAULT_TYPES.every((t) => types.values.includes(t));
    if (!isDefault) p.set("type", types.all ? "all" : types.values.join(","));
    const relations = checked("network-relations");
    if (!relations.all) p.set("relation", relations.values.length ? relations.values.join(",") : "none");
    const query = p.toString();
    const url = window.location.pathname + (query ? "?" + query : "");
    if (url !== window.location.pathname + window.location.search) window.history.replaceState(null, "", url);
  }

  function checked(id) {
    const boxes = [...$(id).querySelectorAll("input[type=checkbox]")];
    return { all: boxes.every((b) => b.checked), values: boxes.filter((b) => b.checked).map((b) => b.value) };
  }

  function params(format) {
    const p = new URLSearchParams({ format });
    const projection = $("network-projection").value;
    if (projection !== "full") p.set("projection", projection);
    const types = checked("network-types");
    if (!types.all) p.set("type", types.values.join(","));
    const relations = checked("network-relations");
    if (!relations.all) p.set("relation", relations.values.join(","));
    if ($("network-since").value) p.set("since", $("network-since").value);
    if ($("network-until").value) p.set("until", $("network-until").value);
    if (state.focus) {
      p.set("focus", state.focus);
      p.set("depth", $("network-depth").value);
    }
    if (format === "png" || format === "svg") p.set("metric", $("network-metric").value);
    return p;
  }

  function updateExports() {
    for (const link of document.querySelectorAll(".exports a[data-format]")) {
      link.href = "/api/network?" + params(link.dataset.format).toString();
    }
  }

  function sizes(nodes) {
    const metric = $("network-metric").value;
    const values = nodes.map((n) => Number(n.data[metric]) || 0);
    const top = Math.max(...values, 0) || 1;
    nodes.forEach((n, i) => { n.data.size = 14 + 46 * Math.sqrt(values[i] / top); });
  }

  async function load() {
    const ticket = ++state.request;
    const typesChosen = checked("network-types").values.length;
    const relationsChosen = checked("network-relations").values.length;
    updateExports();
    saveToUrl();
    if (!typesChosen || !relationsChosen) {
      cy.elements().remove();
      status.textContent = msg("choose");
      return;
    }
    status.classList.remove("error");
    status.textContent = msg("loading");
    let answer;
    try {
      const response = await fetch("/api/network?" + params("json").toString());
      answer = await response.json();
      if (response.status === 404 && state.focus && ticket === state.request) {
        /* e.g. a territory no source speaks of: show the whole network instead */
        const missing = state.focus;
        state.focus = null;
        await load();
        status.textContent = msg("missing", { name: missing }) + status.textContent;
        return;
      }
      if (!response.ok) throw new Error(answer.error ? answer.error.message : response.statusText);
    } catch (err) {
      if (ticket !== state.request) return;
      status.classList.add("error");
      status.textContent = msg("unavailable") + err.message;
      cy.elements().remove();
      return;
    }
    if (ticket !== state.request) return;
    render(answer);
  }

  function render(answer) {
    state.documents = answer.documents || {};
    state.nodeTypes = answer.data.node_types || state.nodeTypes;
    state.relations = answer.data.relations || state.relations;
    relabelFilters();
    const nodes = answer.elements.nodes;
    const edges = answer.elements.edges;
    for (const n of nodes) {
      n.data.shortLabel = n.data.label.length > 32 ? n.data.label.slice(0, 30) + "…" : n.data.label;
      if (!state.focus) state.allNodes.set(n.data.id, n.data.label);
    }
    sizes(nodes);
    cy.batch(() => {
      cy.elements().remove();
      cy.add(nodes);
      cy.add(edges);
    });
    /* Nodes with no link in this view say nothing about the network: folded, and counted. */
    const isolated = cy.nodes().filter((n) => n.degree() === 0 && n.id() !== state.focus);
    isolated.remove();
    if (state.focus) cy.getElementById(state.focus).addClass("focus");
    const layout = cy.layout({
      name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true,
      idealEdgeLength: () => 70, nodeRepulsion: () => 20000, nodeOverlap: 20, gravity: 0.8,
      componentSpacing: 60, numIter: 2500, fit: true, padding: 30,
    });
    layout.run();
    fillFrame();
    cy.fit(cy.nodes(), 70);  // room at the edges for labels (they are sized after the zoom)
    legibleLabels();
    fillSearch();
    const what = state.focus ? msg("around", { name: labelOf(state.focus) }) : "";
    const folded = isolated.length ? msg("folded", { n: isolated.length }) : "";
    status.textContent = msg("counts", { nodes: cy.nodes().length, edges: edges.length, what, folded });
    $("network-clear-focus").hidden = !state.focus;
    $("network-focus").hidden = !state.focus;
    $("network-focus").textContent = state.focus ? msg("centred_on") + labelOf(state.focus) : "";
    document.body.dataset.networkReady = String(state.request);
    if (state.focus && cy.getElementById(state.focus).nonempty()) {
      showNode(cy.getElementById(state.focus));
    }
  }

  /* Label collision handling: the labels of the biggest nodes are drawn first; a label whose
     box would overlap one already drawn is hidden (it shows on hover and on selection). */
  /* The force layout comes out round or tall; the frame is wide: stretch it to the frame's
     proportions (at most 2.5 times), which also gives the labels room. */
  function fillFrame() {
    const box = cy.nodes().boundingBox({ includeLabels: false });
    if (!box.w || !box.h) return;
    const factor = Math.min(2.5, (cy.width() / cy.height()) / (box.w / box.h));
    if (factor <= 1.05) return;
    const cx = (box.x1 + box.x2) / 2;
    cy.nodes().positions((n) => ({ x: cx + (n.position("x") - cx) * factor, y: n.position("y") }));
  }

  /* Labels keep a legible size on screen whatever the zoom (Cytoscape sizes them in model
     units), and are decluttered again at each zoom. */
  const LABEL_PX = 12;
  function legibleLabels() {
    const size = LABEL_PX / cy.zoom();
    cy.batch(() => cy.nodes().style({ "font-size": size, "text-max-width": 150 / cy.zoom() }));
    declutter();
  }
  let zooming = null;
  cy.on("zoom", () => { clearTimeout(zooming); zooming = setTimeout(legibleLabels, 120); });

  function declutter() {
    cy.nodes().removeClass("label-hidden");
    const placed = [];
    const overlaps = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
    const nodes = cy.nodes().sort((a, b) => (b.data("size") - a.data("size")) || (b.degree() - a.degree()));
    nodes.forEach((node) => {
      if (node.hasClass("focus")) { placed.push(labelBox(node)); return; }
      const box = labelBox(node);
      if (placed.some((other) => overlaps(box, other))) node.addClass("label-hidden");
      else placed.push(box);
    });
  }

  function labelBox(node) {
    const b = node.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
    return { x1: b.x1, x2: b.x2, y1: b.y1, y2: b.y2 };
  }

  /* Names of relations and types in the filters, from the data (ontology/presentation.ttl). */
  function relabelFilters() {
    if (!EN) $("network-metric").querySelectorAll("option").forEach((o) => { o.textContent = METRIC_LABELS[o.value] || o.textContent; });
    $("network-relations").querySelectorAll("label").forEach((label) => {
      const box = label.querySelector("input");
      const relation = state.relations[box.value];
      if (!relation || !relation.label) return;
      [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).forEach((n) => n.remove());
      label.append(" " + pick(relation, "label"));
      if (relation.description) label.title = pick(relation, "description");
    });
    $("network-types").querySelectorAll("label").forEach((label) => {
      const type = state.nodeTypes[label.querySelector("input").value];
      if (!type || !type.label) return;
      [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()).forEach((n) => n.remove());
      label.append(pick(type, "label"));
    });
  }


  function relationLabel(name, inverse) {
    const relation = state.relations[name] || {};
    return (inverse ? pick(relation, "inverse_label") : pick(relation, "label")) || pick(relation, "label") || name;
  }

  function labelOf(id) {
    const node = cy.getElementById(id);
    return node.nonempty() ? node.data("label") : (state.allNodes.get(id) || id);
  }

  function fillSearch() {
    const list = $("network-node-list");
    list.replaceChildren(
      ...[...state.allNodes.entries()]
        .sort((a, b) => a[1].localeCompare(b[1], "fr"))
        .map(([id, label]) => el("option", { value: label, "data-id": id })),
    );
  }

  function fmt(value, metric) {
    if (typeof value !== "number") return String(value ?? "");
    if (metric === "degree" || metric === "community") return String(value);
    if (metric === "weighted_degree") return value.toLocaleString("fr-FR");
    return value.toFixed(4);
  }

  function sourceList(ids) {
    return el("ul", { class: "sources" }, ids.map((id) => {
      const doc = state.documents[id];
      if (!doc) return el("li", {}, el("code", {}, id));
      return el("li", {}, el("a", { href: `/id/${encodeURIComponent(id)}` }, doc.title || id),
        " ", el("span", { class: "muted" }, [doc.printed_date || doc.date || "", doc.publisher ? ` — ${doc.publisher}` : ""].join("")));
    }));
  }

  function closeButton() {
    return el("button", { type: "button", class: "close", "aria-label": msg("close"), onclick: () => { card.hidden = true; cy.elements().unselect(); } }, "×");
  }

  function showNode(node) {
    const d = node.data();
    const metrics = ["degree", "weighted_degree", "betweenness", "pagerank", "community"];
    const neighbours = {};
    node.connectedEdges().forEach((edge) => {
      const outgoing = edge.source().id() === d.id;
      const other = outgoing ? edge.target() : edge.source();
      const name = relationLabel(edge.data("relation"), !outgoing);
      (neighbours[name] ||= new Map()).set(other.id(), other.data("label"));
    });
    cy.elements().unselect();
    node.select();
    fill(card,
      closeButton(),
      el("h2", {}, d.label),
      el("p", {}, el("span", { class: "badge" }, pick(state.nodeTypes[d.type] || {}, "label") || d.type), " ",
        el("span", { class: "muted" }, pick(d, "class_label") || d.class || "")),
      el("p", {}, el("a", { href: d.href, class: "entity-link" }, msg("entity_page"))),
      el("table", { class: "metrics" }, metrics.map((m) =>
        el("tr", {}, el("th", {}, METRIC_LABELS[m]), el("td", {}, fmt(d[m], m))))),
      el("h3", {}, msg("links")),
      el("ul", {}, Object.entries(neighbours).map(([relation, others]) =>
        el("li", {}, el("strong", {}, relation), " : ",
          [...others.entries()].slice(0, 12).map(([id, label], i) => [i ? ", " : "",
            el("a", { href: "#", onclick: (e) => { e.preventDefault(); showNode(cy.getElementById(id)); } }, label)]),
          others.size > 12 ? ` … (+${others.size - 12})` : ""))),
      el("h3", {}, msg("sources")),
      sourceList(d.sources || []),
      el("p", {}, el("button", { type: "button", onclick: () => focusOn(d.id) }, msg("focus_here"))),
    );
    card.hidden = false;
    card.dataset.node = d.id;
    addExcerpts(d.id);
  }

  /* Excerpts from the entity API when it answers (served by the entity pages). */
  async function addExcerpts(id) {
    try {
      const response = await fetch(`/api/entities/${encodeURIComponent(id)}`);
      if (!response.ok || card.dataset.node !== id) return;
      const entity = await response.json();
      const quotes = (entity.sources || []).filter((s) => s.excerpt).slice(0, 4);
      if (!quotes.length || card.dataset.node !== id) return;
      card.append(el("h3", {}, msg("excerpts")), ...quotes.map((s) =>
        el("blockquote", { class: "excerpt" }, s.excerpt, " ", el("cite", { class: "muted" }, s.title || s.id))));
    } catch (err) {
      /* the card already shows the sources */
    }
  }

  /* An edge's sources: each document with its excerpt, or the reason a curated edge stands. */
  function edgeSources(sources) {
    return el("ul", { class: "sources edge-sources" }, sources.map((s) => el("li", {},
      s.excerpt || !s.reason
        ? el("a", { href: `/id/${encodeURIComponent(s.id)}` }, s.title || s.id)
        : el("strong", {}, s.title || s.id),
      s.date || s.publisher
        ? [" ", el("span", { class: "muted" }, [s.date || "", s.publisher ? ` — ${s.publisher}` : ""].join(""))]
        : null,
      s.excerpt ? el("blockquote", { class: "excerpt" }, s.excerpt) : null,
      !s.excerpt && s.reason ? el("p", { class: "reason" }, s.reason) : null)));
  }

  const EDGE_KEYS = ["id", "source", "target", "relation", "sources", "documents", "date",
    "excerpt", "curation_only", "reason", "derived", "evidence", "citations"];
  const EXTRA_LABELS = Object.fromEntries(["role", "title", "event", "amount", "weight", "count"]
    .map((k) => [k, msg("extra." + k)]));
  const present = (v) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.filter((x) => x !== null).length);

  function showEdge(edge) {
    const d = edge.data();
    const extra = Object.entries(d).filter(([k, v]) => !EDGE_KEYS.includes(k) && present(v)
      && (Array.isArray(v) || typeof v !== "object"));
    fill(card,
      closeButton(),
      el("h2", {}, relationLabel(d.relation)),
      el("p", {}, edge.source().data("label"), " ",
        el("em", { class: "relation-label" }, (state.relations[d.relation] || {}).label || d.relation),
        " ", edge.target().data("label")),
      d.date ? el("p", { class: "muted" }, msg("date") + d.date) : null,
      extra.length ? el("table", { class: "edge-facts" }, extra.map(([k, v]) => el("tr", {}, el("th", {}, EXTRA_LABELS[k] || k.replace(/_/g, " ")),
        el("td", {}, Array.isArray(v) ? v.filter((x) => x !== null).map((x) => labelOf(String(x))).join(", ") : String(v))))) : null,
      d.curation_only ? el("p", { class: "curation-only" }, msg("curation_only")) : null,
      el("h3", {}, msg("sources")),
      edgeSources(d.sources || []),
    );
    card.hidden = false;
    card.dataset.node = "";
  }

  function focusOn(id) {
    state.focus = id;
    load();
  }

  cy.on("tap", "node", (event) => showNode(event.target));
  cy.on("tap", "edge", (event) => showEdge(event.target));
  cy.on("mouseover", "node", (event) => {
    const hood = event.target.closedNeighborhood();
    cy.elements().not(hood).addClass("faded");
    event.target.addClass("hover");
  });
  cy.on("mouseout", "node", () => cy.elements().removeClass("faded hover"));

  $("network-search").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("network-search-input").value.trim().toLowerCase();
    if (!text) return;
    let found = null;
    for (const [id, label] of state.allNodes) {
      if (id === text || label.toLowerCase() === text) { found = id; break; }
    }
    if (!found) {
      for (const [id, label] of state.allNodes) {
        if (label.toLowerCase().includes(text)) { found = id; break; }
      }
    }
    if (!found) {
      status.textContent = msg("no_match", { text });
      return;
    }
    focusOn(found);
  });
  $("network-clear-focus").addEventListener("click", () => { state.focus = null; load(); });
  for (const id of ["network-depth", "network-projection", "network-since", "network-until"]) {
    $(id).addEventListener("change", load);
  }
  $("network-metric").addEventListener("change", () => {
    const nodes = cy.nodes().map((n) => ({ data: n.data() }));
    sizes(nodes);
    cy.nodes().forEach((n, i) => n.data("size", nodes[i].data.size));
    updateExports();
  });
  $("network-types").addEventListener("change", load);
  $("network-relations").addEventListener("change", load);
  const setAll = (value) => () => {
    $("network-relations").querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = value; });
    load();
  };
  $("network-relations-all").addEventListener("click", setAll(true));
  $("network-relations-none").addEventListener("click", setAll(false));

  (async function start() {
    restoreFromUrl();
    if (state.focus) {
      /* labels for the search box come from the whole network */
      try {
        const whole = await (await fetch("/api/network?format=json")).json();
        for (const n of whole.elements.nodes) state.allNodes.set(n.data.id, n.data.label);
      } catch (err) { /* search then knows only the nodes shown */ }
    }
    load();
  })();
})();

// Result views of the SPARQL page beyond the table, as YASR plugins on the vendored libraries:
// a map (Leaflet) when the results hold territories, communes (ids or INSEE codes) or
// coordinates, a timeline for dates, a bar chart for numbers by label, a graph (Cytoscape.js)
// for CONSTRUCT and DESCRIBE answers. No network but this server.
(function () {
  "use strict";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMBERS = ["integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger",
    "positiveInteger", "short"].map((t) => XSD + t);
  const DATES = [XSD + "date", XSD + "dateTime", XSD + "gYear", XSD + "gYearMonth"];
  const SVG = "http://www.w3.org/2000/svg";
  const EN = document.documentElement.lang === "en";
  const say = (fr, en) => (EN ? en : fr);
  const idBase = () => (window.tdiSparqlConfig || {}).idBase || "https://w3id.org/tdi-graph/id/";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function localName(iri) {
    const cut = Math.max(iri.lastIndexOf("#"), iri.lastIndexOf("/"));
    return cut >= 0 ? iri.slice(cut + 1) : iri;
  }

  /* The label of a row: its first plain literal that is neither a number nor a date, else the
     local name of its first IRI. */
  function rowLabel(row, vars, skip) {
    for (const v of vars) {
      const b = row[v];
      if (v !== skip && b && b.type !== "uri" && !NUMBERS.includes(b.datatype) && !DATES.includes(b.datatype)) return b.value;
    }
    for (const v of vars) if (row[v] && row[v].type === "uri") return localName(row[v].value);
    return "";
  }

  function bindings(yasr) {
    return yasr.results && yasr.results.getBindings ? yasr.results.getBindings() || [] : [];
  }

  function icon(text) {
    const div = document.createElement("div");
    div.className = "tdi-view-icon";
    div.textContent = text;
    return div;
  }

  class View {
    constructor(yasr) { this.yasr = yasr; this.hideFromSelection = false; }
    getIcon() { return icon(this.symbol); }
    vars() { return this.yasr.results.getVariables ? this.yasr.results.getVariables() : []; }
    solutions() {
      try { return this.yasr.results && this.yasr.results.getType() !== "ttl" && bindings(this.yasr).length > 0; } catch (e) { return false; }
    }
    container(cls) {
      const div = document.createElement("div");
      div.className = "tdi-view " + cls;
      this.yasr.resultsEl.appendChild(div);
      return div;
    }
  }

  // --- the map --------------------------------------------------------------------------------
  const TERRITORY = /\/id\/(ti[12]-[0-9A-Za-z]+)$/;
  const COMMUNE = /\/id\/commune-([0-9AB]{5})$/;
  const INSEE = /^(?:[0-9]{2}|2[AB])[0-9]{3}$/;
  const WKT = /^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s*\)\s*$/i;
  let geo = null;  // the GeoJSON of this server, fetched once

  function loadGeo() {
    geo ||= Promise.all(["/api/territories.geojson?phase=1", "/api/territories.geojson?phase=2",
      "/api/communes.geojson?phase=1"].map((u) => fetch(u).then((r) => (r.ok ? r.json() : { features: [] }))))
      .then(([t1, t2, communes]) => {
        const territories = new Map();
        for (const f of [...t1.features, ...t2.features]) territories.set(f.properties.id, f);
        const byCode = new Map();
        for (const f of communes.features) if (f.geometry) byCode.set(f.properties.code, f);
        return { territories, communes: byCode, base: t1 };
      });
    return geo;
  }

  function places(rows, vars) {
    const lat = vars.find((v) => /^(lat|latitude)$/i.test(v));
    const lon = vars.find((v) => /^(lon|long|lng|longitude)$/i.test(v));
    const found = { territories: new Map(), communes: new Map(), points: [] };
    for (const row of rows) {
      const label = rowLabel(row, vars);
      if (lat && lon && row[lat] && row[lon]) {
        const y = Number(row[lat].value), x = Number(row[lon].value);
        if (Number.isFinite(x) && Number.isFinite(y)) found.points.push({ x, y, label });
      }
      for (const v of vars) {
        const b = row[v];
        if (!b) continue;
        let m;
        if (b.type === "uri" && (m = TERRITORY.exec(b.value))) found.territories.set(m[1], label);
        else if (b.type === "uri" && (m = COMMUNE.exec(b.value))) found.communes.set(m[1], label);
        else if (b.type !== "uri" && /insee|code/i.test(v) && INSEE.test(b.value)) found.communes.set(b.value, label);
        else if (b.type !== "uri" && (m = WKT.exec(b.value))) found.points.push({ x: Number(m[1]), y: Number(m[2]), label });
      }
    }
    return found;
  }

  class MapView extends View {
    constructor(yasr) { super(yasr); this.priority = 4; this.label = say("Carte", "Map"); this.symbol = "⌖"; }
    canHandleResults() {
      if (!this.solutions()) return false;
      const found = places(bindings(this.yasr), this.vars());
      const yes = found.territories.size + found.communes.size + found.points.length > 0;
      if (yes) loadGeo();  // fetched while the reader looks at the table
      return yes;
    }
    async draw() {
      const div = this.container("tdi-view-map");
      const status = document.createElement("p");
      status.className = "muted tdi-view-status";
      div.before(status);
      const found = places(bindings(this.yasr), this.vars());
      const data = await loadGeo();
      const map = L.map(div, { attributionControl: false, zoomSnap: 0.25 });
      L.geoJSON(data.base, { style: { color: "#c3c9d4", weight: 0.6, fillColor: "#eef0f4", fillOpacity: 0.6 }, interactive: false }).addTo(map);
      const layer = L.featureGroup().addTo(map);
      let shown = 0;
      const link = (id, label) => `<a href="/id/${encodeURIComponent(id)}">${escapeHtml(label || id)}</a>`;
      for (const [id, label] of found.territories) {
        const f = data.territories.get(id);
        if (!f) continue;
        L.geoJSON(f, { style: { color: "#2a9d4b", weight: 1.2, fillOpacity: 0.35 } })
          .bindPopup(link(id, f.properties.label + (label && label !== f.properties.label ? " — " + label : ""))).addTo(layer);
        shown += 1;
      }
      for (const [code, label] of found.communes) {
        const f = data.communes.get(code);
        if (!f) continue;
        const [x, y] = f.geometry.coordinates;
        L.circleMarker([y, x], { radius: 6, color: "#1f5fbf", fillOpacity: 0.8 })
          .bindPopup(link(f.properties.id, f.properties.label)).addTo(layer);
        shown += 1;
      }
      for (const p of found.points) {
        L.circleMarker([p.y, p.x], { radius: 5, color: "#e4572e", fillOpacity: 0.8 }).bindPopup(escapeHtml(p.label)).addTo(layer);
        shown += 1;
      }
      div.dataset.shown = String(shown);
      const asked = found.territories.size + found.communes.size + found.points.length;
      status.textContent = say(`${shown} lieu(x) placé(s) sur ${asked}`, `${shown} of ${asked} places shown`)
        + (shown < asked ? say(" (les autres n'ont pas de position connue).", " (the others have no known position).") : ".");
      if (shown) map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 10 });
      else map.fitBounds(L.geoJSON(data.base).getBounds());
    }
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  // --- the timeline ---------------------------------------------------------------------------
  function dateVar(rows, vars) {
    return vars.find((v) => rows.some((r) => r[v] && DATES.includes(r[v].datatype)));
  }

  class TimelineView extends View {
    constructor(yasr) { super(yasr); this.priority = 3; this.label = say("Frise", "Timeline"); this.symbol = "⟷"; }
    canHandleResults() { return this.solutions() && !!dateVar(bindings(this.yasr), this.vars()); }
    draw() {
      const rows = bindings(this.yasr), vars = this.vars();
      const v = dateVar(rows, vars);
      const items = rows.filter((r) => r[v] && DATES.includes(r[v].datatype))
        .map((r) => ({ date: r[v].value.slice(0, 10), t: Date.parse(r[v].value.slice(0, 10).padEnd(10, "-01").replace(/-$/, "")), label: rowLabel(r, vars, v) }))
        .filter((i) => Number.isFinite(i.t)).sort((a, b) => a.t - b.t);
      const div = this.container("tdi-view-timeline");
      const width = Math.max(div.clientWidth || 900, 600), rowH = 22, left = 20, right = 20;
      const lo = items[0].t, hi = items[items.length - 1].t, span = hi - lo || 1;
      const x = (t) => left + (width - left - right) * (t - lo) / span;
      const lanes = [];  // greedy: each item on the first row where its label fits
      for (const item of items) {
        item.x = x(item.t);
        item.text = `${item.date} · ${item.label.slice(0, 60)}`;
        const w = 6.6 * item.text.length;
        item.left = item.x + 8 + w > width - right;  // near the end: the label reads leftwards
        const start = item.left ? item.x - 8 - w : item.x - 4;
        const end = item.left ? item.x + 4 : item.x + 8 + w;
        let lane = lanes.findIndex((free) => free < start);
        if (lane < 0) { lane = lanes.length; lanes.push(0); }
        lanes[lane] = end + 6;
        item.lane = lane;
      }
      const height = 40 + lanes.length * rowH;
      const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Frise chronologique" });
      chart.append(svg("line", { x1: left, x2: width - right, y1: height - 20, y2: height - 20, stroke: "#8d99ae" }));
      const years = new Set(items.map((i) => i.date.slice(0, 4)));
      for (const year of years) {
        const t = Date.parse(year + "-01-01");
        if (t < lo || t > hi) continue;
        chart.append(svg("text", { x: x(t), y: height - 4, "font-size": 11, fill: "#5b6475", "text-anchor": "middle" }, year));
      }
      for (const item of items) {
        const y = 14 + item.lane * rowH;
        const g = svg("g", { class: "item" });
        g.append(svg("line", { x1: item.x, x2: item.x, y1: y, y2: height - 20, stroke: "#dde1e8" }),
          svg("circle", { cx: item.x, cy: y, r: 4, fill: "#17a2b8" }),
          svg("text", { x: item.left ? item.x - 8 : item.x + 8, y: y + 4, "font-size": 12, fill: "#1d2330",
            "text-anchor": item.left ? "end" : "start" }, item.text));
        chart.append(g);
      }
      div.append(chart);
      div.dataset.items = String(items.length);
    }
  }

  // --- the bar chart --------------------------------------------------------------------------
  /* The numeric variable to chart: of those whose values are all numbers, the one with the
     most distinct values (a count rather than a phase number). */
  function numberVar(rows, vars) {
    const numeric = vars.filter((v) => rows.length && rows.every((r) => !r[v] || NUMBERS.includes(r[v].datatype)) && rows.some((r) => r[v]));
    const distinct = (v) => new Set(rows.map((r) => r[v] && r[v].value)).size;
    return numeric.sort((a, b) => distinct(b) - distinct(a))[0];
  }

  class ChartView extends View {
    constructor(yasr) { super(yasr); this.priority = 2; this.label = say("Graphique", "Chart"); this.symbol = "▮"; }
    canHandleResults() {
      const rows = bindings(this.yasr), vars = this.vars();
      const n = this.solutions() && numberVar(rows, vars);
      return !!n && rows.some((r) => rowLabel(r, vars, n));
    }
    draw() {
      const rows = bindings(this.yasr), vars = this.vars();
      const n = numberVar(rows, vars);
      const items = rows.filter((r) => r[n]).map((r) => ({ row: r, value: Number(r[n].value), label: rowLabel(r, vars, n) || "?" }));
      /* Rows with the same label (a region in two phases) are told apart by the first other
         variable whose value differs between them, named: "Grand Est · phase 2". */
      const seen = new Map();
      items.forEach((i) => seen.set(i.label, (seen.get(i.label) || []).concat([i])));
      for (const same of seen.values()) {
        if (same.length < 2) continue;
        const v = vars.find((name) => name !== n && new Set(same.map((i) => i.row[name] && i.row[name].value)).size > 1);
        if (v) same.forEach((i) => {
          if (!i.row[v]) return;
          const value = i.row[v].type === "uri" ? localName(i.row[v].value) : i.row[v].value;
          i.label += " · " + (value.toLowerCase().startsWith(v.toLowerCase()) ? value : `${v} ${value}`);
        });
      }
      items.sort((a, b) => b.value - a.value).splice(40);
      const div = this.container("tdi-view-chart");
      const width = Math.max(div.clientWidth || 900, 600), barH = 20, labelW = 280;
      const top = Math.max(...items.map((i) => i.value), 0) || 1;
      const height = 30 + items.length * (barH + 4);
      const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${n} par libellé` });
      chart.append(svg("text", { x: labelW, y: 14, "font-size": 12, fill: "#5b6475" }, n));
      items.forEach((item, i) => {
        const y = 24 + i * (barH + 4);
        const w = Math.max(1, (width - labelW - 80) * Math.max(item.value, 0) / top);
        chart.append(
          svg("text", { x: labelW - 8, y: y + barH - 6, "font-size": 12, "text-anchor": "end", fill: "#1d2330" }, item.label.length > 42 ? item.label.slice(0, 40) + "…" : item.label),
          svg("rect", { class: "bar", x: labelW, y, width: w, height: barH, fill: "#1f5fbf" }),
          svg("text", { x: labelW + w + 6, y: y + barH - 6, "font-size": 12, fill: "#1d2330" }, item.value.toLocaleString("fr-FR")));
      });
      div.append(chart);
    }
  }

  // --- the graph of a CONSTRUCT / DESCRIBE answer --------------------------------------------
  class GraphView extends View {
    constructor(yasr) { super(yasr); this.priority = 5; this.label = say("Graphe", "Graph"); this.symbol = "⬡"; }
    canHandleResults() {
      try { return this.yasr.results.getType() === "ttl" && this.yasr.results.getStatements().length > 0; } catch (e) { return false; }
    }
    draw() {
      const prefixes = (window.tdiSparqlConfig || {}).prefixes || {};
      const short = (iri) => {
        for (const [p, ns] of Object.entries(prefixes)) if (iri.startsWith(ns)) return p + ":" + iri.slice(ns.length);
        return iri;
      };
      const statements = this.yasr.results.getStatements().slice(0, 400);
      const nodes = new Map(), edges = [];
      const node = (term) => {
        const literal = term.termType === "Literal";
        const id = literal ? "lit:" + nodes.size : term.value;
        if (!nodes.has(id)) nodes.set(id, { data: { id, label: literal ? term.value.slice(0, 40) : short(term.value), literal, href: term.value.startsWith(idBase()) ? "/id/" + term.value.slice(idBase().length) : "" } });
        return id;
      };
      statements.forEach((q, i) => edges.push({ data: { id: "e" + i, source: node(q.subject), target: node(q.object), label: short(q.predicate.value) } }));
      const div = this.container("tdi-view-graph");
      const cy = cytoscape({
        container: div, elements: { nodes: [...nodes.values()], edges },
        style: [
          { selector: "node", style: { label: "data(label)", "font-size": 10, "background-color": "#1f5fbf", width: 14, height: 14, "text-valign": "bottom", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
          { selector: "node[?literal]", style: { shape: "round-rectangle", "background-color": "#f2a541", width: 10, height: 10 } },
          { selector: "edge", style: { label: "data(label)", "font-size": 8, color: "#5b6475", width: 1, "line-color": "#c3c9d4", "curve-style": "bezier", "target-arrow-shape": "triangle", "target-arrow-color": "#c3c9d4", "text-rotation": "autorotate" } },
        ],
        layout: { name: "cose", animate: false, nodeDimensionsIncludeLabels: true, nodeRepulsion: () => 12000 },
      });
      cy.on("tap", "node", (e) => { if (e.target.data("href")) window.location.href = e.target.data("href"); });
      div.dataset.nodes = String(nodes.size);
      this.cy = cy;
    }
    destroy() { if (this.cy) this.cy.destroy(); }
  }

  const Yasr = window.Yasgui.Yasr;
  Yasr.registerPlugin("tdiMap", MapView);
  Yasr.registerPlugin("tdiTimeline", TimelineView);
  Yasr.registerPlugin("tdiChart", ChartView);
  Yasr.registerPlugin("tdiGraph", GraphView);
  window.tdiSparqlViews = ["tdiMap", "tdiTimeline", "tdiChart", "tdiGraph"];
})();

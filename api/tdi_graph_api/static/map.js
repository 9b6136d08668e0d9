/* The map of the programme's territories (/map): Leaflet (vendored), no tile server. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const status = $("map-status");
  const card = $("territory-card");
  const STATUS = {
    signed: { colour: "#2a9d4b", label: "contrat signé" },
    contract: { colour: "#f2a541", label: "contrat connu, signature non datée" },
    none: { colour: "#cfd6e0", label: "pas de contrat dans les sources" },
  };
  const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#aec7e8", "#98df8a", "#c5b0d5", "#c49c94",
    "#dbdb8d", "#9edae5", "#f7b6d2", "#8c564b", "#17becf"];
  const VIEWS = {
    metro: [[41.3, -5.2], [51.1, 9.6]],
    guadeloupe: [[15.8, -61.9], [16.55, -61.0]],
    martinique: [[14.38, -61.25], [14.9, -60.8]],
    guyane: [[2.1, -54.6], [5.8, -51.6]],
    reunion: [[-21.4, 55.2], [-20.85, 55.85]],
    mayotte: [[-13.05, 44.95], [-12.6, 45.35]],
  };

  const el = window.tdiDom.el;

  const map = L.map("map", { zoomSnap: 0.25, preferCanvas: false, worldCopyJump: false });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Contours : ANCT · COG : INSEE");
  map.fitBounds(VIEWS.metro);
  const state = { territories: null, communes: null, features: new Map(), regions: new Map(),
    phase: Number($("map-phase").value), request: 0 };
  window.tdiMap = { map, state };

  function regionColour(region) {
    if (!state.regions.has(region)) state.regions.set(region, PALETTE[state.regions.size % PALETTE.length]);
    return state.regions.get(region);
  }

  function fill(feature) {
    const p = feature.properties;
    return $("map-colour").value === "region" ? regionColour(p.region) : (STATUS[p.status] || STATUS.none).colour;
  }

  function style(feature) {
    return { color: "#56606f", weight: 0.6, fillColor: fill(feature), fillOpacity: 0.75 };
  }

  function legend() {
    const items = $("map-colour").value === "region"
      ? [...state.regionLabels.entries()].sort((a, b) => a[1].localeCompare(b[1], "fr"))
        .map(([id, label]) => [regionColour(id), label])
      : Object.values(STATUS).map((s) => [s.colour, s.label]);
    $("map-legend").replaceChildren(
      el("ul", {}, items.map(([colour, label]) => el("li", {},
        el("span", { class: "swatch", style: `background:${colour}` }), label))),
      el("ul", {}, el("li", {}, el("span", { class: "swatch dot", style: "background:#1d2330" }),
        "commune citée par les sources")),
    );
  }

  function sourceList(sources) {
    if (!sources || !sources.length) return el("p", { class: "muted" }, "Aucun document des sources ne cite ce territoire.");
    return el("ul", { class: "sources" }, sources.map((s) => el("li", {},
      el("a", { href: `/id/${encodeURIComponent(s.id)}` }, s.title || s.id),
      s.date ? el("span", { class: "muted" }, ` (${s.date})`) : null)));
  }

  function closeButton() {
    return el("button", { type: "button", class: "close", "aria-label": "Fermer", onclick: () => { card.hidden = true; } }, "×");
  }

  function territorySection(p) {
    const contract = p.contract;
    let signed = "—";
    if (contract) {
      signed = contract.signed ? `signé le ${contract.signed}`
        : contract.signed_by ? `signé au plus tard le ${contract.signed_by}` : "signature non datée";
    }
    return [
      el("h2", {}, p.shown || p.label),
      el("table", {},
        el("tr", {}, el("th", {}, "Identifiant"), el("td", {}, `${p.id} (${p.code || "?"})`)),
        el("tr", {}, el("th", {}, "Phase"), el("td", {}, String(p.phase))),
        el("tr", {}, el("th", {}, "Région"), el("td", {}, p.region ? el("a", { href: `/id/${p.region}` }, p.region_label || p.region) : "—")),
        el("tr", {}, el("th", {}, "Communes"), el("td", {}, p.commune_count != null ? p.commune_count.toLocaleString("fr-FR") : "—")),
        el("tr", {}, el("th", {}, "Statut"), el("td", { class: `status-${p.status}` }, (STATUS[p.status] || STATUS.none).label)),
        el("tr", {}, el("th", {}, "Contrat"), el("td", {}, contract
          ? [el("a", { href: `/id/${encodeURIComponent(contract.id)}` }, contract.label || contract.id), el("br"), signed]
          : "—")),
      ),
      el("h3", {}, `Groupements (${(p.groupements || []).length})`),
      el("ul", { class: "groupements" }, (p.groupements || []).map((g) =>
        el("li", {}, el("a", { href: `/id/${encodeURIComponent(g.id)}` }, g.label)))),
      el("h3", {}, "Sources"),
      sourceList(p.sources),
      el("p", {}, el("a", { href: p.href || `/id/${p.id}` }, "Fiche du territoire →"), " · ",
        el("a", { href: `/network?focus=${encodeURIComponent(p.id)}` }, "dans le réseau")),
    ];
  }

  function showTerritory(id, before) {
    const feature = state.features.get(id);
    if (!feature) return;
    card.replaceChildren(closeButton(), ...(before || []), ...territorySection(feature.properties));
    card.hidden = false;
    card.dataset.territory = id;
  }

  function showCommune(feature) {
    const p = feature.properties;
    const head = [
      el("p", { class: "muted" }, "Commune citée par les sources"),
      el("h2", {}, el("a", { href: p.href }, p.label), " ", el("span", { class: "muted" }, p.code)),
      p.things.length ? el("ul", {}, p.things.map((t) => el("li", {}, el("a", { href: `/id/${encodeURIComponent(t.id)}` }, t.label)))) : null,
      el("h3", {}, "Sources"),
      sourceList(p.sources),
      el("hr"),
    ];
    if (p.territory && state.features.has(p.territory)) {
      showTerritory(p.territory, head);
    } else {
      card.replaceChildren(closeButton(), ...head,
        el("p", { class: "muted" }, p.territory ? `Territoire ${p.territory} (autre phase).` : "Hors des territoires du programme."));
      card.hidden = false;
    }
  }

  async function fetchJson(url) {
    const response = await fetch(url);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
    return body;
  }

  async function load() {
    const ticket = ++state.request;
    const phase = Number($("map-phase").value);
    status.classList.remove("error");
    status.textContent = "Chargement de la carte…";
    let territories, communes;
    try {
      [territories, communes] = await Promise.all([
        fetchJson(`/api/territories.geojson?phase=${phase}`),
        fetchJson(`/api/communes.geojson?phase=${phase}`),
      ]);
    } catch (err) {
      if (ticket !== state.request) return;
      status.classList.add("error");
      status.textContent = "Carte indisponible : " + err.message;
      return;
    }
    if (ticket !== state.request) return;
    if (state.territories) state.territories.remove();
    if (state.communes) state.communes.remove();
    state.features.clear();
    state.regionLabels = new Map();
    for (const f of territories.features) {
      state.features.set(f.properties.id, f);
      if (f.properties.region) state.regionLabels.set(f.properties.region, f.properties.region_label);
    }
    state.territories = L.geoJSON(territories, {
      style,
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 5 }),
      onEachFeature: (feature, layer) => {
        layer.options.className = `ti-shape ti-${feature.properties.id}`;
        layer.bindTooltip(feature.properties.label, { sticky: true });
        layer.on("click", () => showTerritory(feature.properties.id));
      },
    }).addTo(map);
    const placed = communes.features.filter((f) => f.geometry);
    state.communes = L.geoJSON({ type: "FeatureCollection", features: placed }, {
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
        radius: 6, color: "#fff", weight: 1.5, fillColor: "#1d2330", fillOpacity: 0.95,
        className: `commune-point commune-${feature.properties.id}`,
      }),
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(feature.properties.label);
        layer.on("click", (event) => { L.DomEvent.stopPropagation(event); showCommune(feature); });
      },
    }).addTo(map);
    const unplaced = communes.features.filter((f) => !f.geometry);
    $("map-unplaced").hidden = !unplaced.length;
    $("map-unplaced").replaceChildren(
      el("p", {}, "Communes citées hors des territoires du programme : "),
      el("ul", {}, unplaced.map((f) => el("li", {}, el("a", { href: f.properties.href }, f.properties.label),
        f.properties.things.length ? ` (${f.properties.things.map((t) => t.label).slice(0, 2).join(" ; ")})` : ""))),
    );
    legend();
    const signed = territories.features.filter((f) => f.properties.status === "signed").length;
    status.textContent = `Phase ${phase} : ${territories.features.length} territoires, ${signed} avec un contrat signé dans les sources, ${placed.length} communes placées.`;
    document.body.dataset.mapReady = String(ticket);
  }

  $("map-phase").addEventListener("change", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("phase", $("map-phase").value);
    window.history.replaceState(null, "", url);
    card.hidden = true;
    load();
  });
  $("map-colour").addEventListener("change", () => {
    if (state.territories) state.territories.setStyle(style);
    legend();
  });
  $("map-zoom").addEventListener("change", () => map.fitBounds(VIEWS[$("map-zoom").value]));
  load();
})();

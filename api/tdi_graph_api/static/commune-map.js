// The small map of a commune page: the Territoire(s) d'industrie that hold the commune (both
// phases), and the commune's point inside them, from this server's GeoJSON (no tiles, no
// network beyond 127.0.0.1).
(function () {
  "use strict";
  const node = document.getElementById("commune-map");
  if (!node || typeof L === "undefined") return;
  const wanted = new Set((node.dataset.territories || "").split(" ").filter(Boolean));
  const colours = { 1: "#1d3557", 2: "#e76f51" };
  const map = L.map(node, { zoomControl: true, attributionControl: false, scrollWheelZoom: false });
  map.setView([46.6, 2.4], 5);
  const get = (url) => fetch(url).then((r) => (r.ok ? r.json() : { features: [] }));
  Promise.all([
    get("/api/territories.geojson?phase=1"),
    get("/api/territories.geojson?phase=2"),
    get("/api/communes.geojson?phase=1"),
  ]).then(function ([one, two, communes]) {
    const layers = [];
    [[one, 1], [two, 2]].forEach(function ([collection, phase]) {
      const features = collection.features.filter((f) => wanted.has(String(f.id || f.properties.id)));
      if (!features.length) return;
      const layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
        style: { color: colours[phase], weight: 2, fillOpacity: 0.12, dashArray: phase === 2 ? "6 4" : null },
        onEachFeature: (f, l) => l.bindTooltip((f.properties.label || f.id) + " (phase " + phase + ")"),
      }).addTo(map);
      layers.push(layer);
    });
    const me = communes.features.find((f) => f.id === node.dataset.commune && f.geometry);
    if (me) {
      const [x, y] = me.geometry.coordinates;
      layers.push(L.circleMarker([y, x], { radius: 6, color: "#e63946", fillOpacity: 0.9 })
        .bindTooltip(me.properties.label).addTo(map));
    }
    const bounds = L.featureGroup(layers).getBounds();
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.2));
    node.dataset.drawn = String(layers.length);
  });
})();

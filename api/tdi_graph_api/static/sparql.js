// The SPARQL query page: YASGUI (vendored, no network but this server), the named queries as
// one-click examples, local links for the project's entities, downloads in every format.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("sparql-config").textContent);
  // The server gives its path, not a URL built from the Host header: resolve it here.
  cfg.endpoint = new URL(cfg.endpoint, window.location.href).href;
  const EXTENSIONS = {json: "json", xml: "xml", csv: "csv", tsv: "tsv", turtle: "ttl",
    ntriples: "nt", rdfxml: "rdf", jsonld: "jsonld", trig: "trig", nquads: "nq"};

  // Nothing may call out to prefix.cc or LOV: only local autocompletion.
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  Yasgui.defaults.yasqe.autocompleters = ["variables"];
  Yasgui.Yasr.defaults.pluginOrder = ["table", "response"];
  Yasgui.defaults.yasr.pluginOrder = ["table", "response"];
  Yasgui.Yasr.plugins.table.defaults.openIriInNewWindow = false;

  const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) =>
    ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
  function curie(iri) {
    for (const [prefix, ns] of Object.entries(cfg.prefixes)) {
      if (iri.startsWith(ns)) return prefix + ":" + iri.slice(ns.length);
    }
    return iri;
  }
  // Literals as values: the language or datatype on hover, not "…"@fr or ^^xsd:date.
  Yasgui.Yasr.plugins.table.prototype.formatLiteral = function (literal) {
    const lang = literal["xml:lang"];
    const title = lang ? "langue : " + lang : literal.datatype ? "type : " + curie(literal.datatype) : "";
    const attrs = title ? ` title="${escapeHtml(title)}" data-datatype="${escapeHtml(lang ? "@" + lang : curie(literal.datatype))}"` : "";
    return `<span class="literal"${attrs}>${escapeHtml(literal.value)}</span>`;
  };

  // The query is kept across reloads (YASGUI's persistence, in this browser's storage), and a
  // shared link (YASGUI's share button: #query=…, or this page's ?query=…) opens its query.
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    persistenceId: "tdi-graph-sparql",
    populateFromUrl: true,
    copyEndpointOnNewTab: true,
    requestConfig: {endpoint: cfg.endpoint, method: "POST"},
    endpointCatalogueOptions: {getData: () => [{endpoint: cfg.endpoint}]},
    yasqe: {value: cfg.query, prefixCcApi: null, resizeable: true, editorHeight: "320px"},
    yasr: {prefixes: cfg.prefixes, defaultPlugin: "table", persistenceId: null},
  });

  function currentTab() {
    return yasgui.getTab();
  }
  // A tab restored from storage keeps this server as its endpoint, whatever host saved it.
  if (currentTab().getEndpoint() !== cfg.endpoint) currentTab().setEndpoint(cfg.endpoint);

  // Entity IRIs (https://w3id.org/tdi-graph/id/...) open the local entity page.
  function localLinks(root) {
    root.querySelectorAll(`a[href^="${cfg.idBase}"]`).forEach((a) => {
      a.setAttribute("href", "/id/" + a.getAttribute("href").slice(cfg.idBase.length));
      a.removeAttribute("target");
    });
  }
  new MutationObserver(() => localLinks(document.getElementById("yasgui")))
    .observe(document.getElementById("yasgui"), {childList: true, subtree: true});

  // Named queries: load, then run.
  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => {
      const example = cfg.examples.find((e) => e.name === button.dataset.name);
      if (!example) return;
      document.querySelectorAll("button.example[aria-pressed]")
        .forEach((b) => b.removeAttribute("aria-pressed"));
      button.setAttribute("aria-pressed", "true");
      const tab = currentTab();
      tab.setQuery(example.query);
      refreshDownloads();
      tab.query();
    });
  });

  // Downloads: the editor's query, POSTed with the chosen format, saved as a file.
  const status = document.getElementById("download-status");

  function queryKind() {
    const type = (currentTab().getYasqe().getQueryType() || "").toUpperCase();
    return type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : "solutions";
  }

  function refreshDownloads() {
    const kind = queryKind();
    document.querySelectorAll("button.download").forEach((b) => {
      b.hidden = b.dataset.kind !== kind;
    });
  }

  async function download(button) {
    status.textContent = "…";
    const body = new URLSearchParams({query: currentTab().getQuery(), format: button.dataset.format});
    const response = await fetch(cfg.endpoint, {
      method: "POST", body, headers: {Accept: button.dataset.mediaType},
    });
    if (!response.ok) {
      const error = await response.json().catch(() => null);
      status.textContent = (error && error.error && error.error.message) || response.statusText;
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = "resultats." + (EXTENSIONS[button.dataset.format] || "txt");
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    status.textContent = "";
  }

  document.querySelectorAll("button.download").forEach((button) => {
    button.addEventListener("click", () => {
      download(button).catch((e) => { status.textContent = String(e); });
    });
  });
  yasgui.on("tabChange", refreshDownloads);
  yasgui.on("tabSelect", () => setTimeout(refreshDownloads, 0));
  yasgui.on("query", refreshDownloads);
  refreshDownloads();

  // Code snippets of the editor's current query.
  const py = (text) => JSON.stringify(text);  // a JSON string is a valid Python and R literal
  const SNIPPETS = {
    sparqlwrapper: (q, url) => `from SPARQLWrapper import JSON, SPARQLWrapper

sparql = SPARQLWrapper(${py(url)})
sparql.setMethod("POST")
sparql.setQuery(${py(q)})
sparql.setReturnFormat(JSON)
for row in sparql.queryAndConvert()["results"]["bindings"]:
    print({name: value["value"] for name, value in row.items()})
`,
    rdflib: (q, url) => `from rdflib.plugins.stores.sparqlstore import SPARQLStore

store = SPARQLStore(${py(url)}, method="POST_FORM")
for row in store.query(${py(q)}):
    print(row)
`,
    r: (q, url) => `library(httr)

answer <- POST(${py(url)}, body = list(query = ${py(q)}),
               encode = "form", accept("text/csv"))
results <- read.csv(text = content(answer, "text", encoding = "UTF-8"))
print(results)
`,
    curl: (q, url) => `curl -s ${shell(url)} \\
  -H 'Accept: text/csv' \\
  --data-urlencode query=${shell(q)}
`,
  };
  function shell(text) {
    return "'" + String(text).replace(/'/g, "'\\''") + "'";
  }
  let snippet = "sparqlwrapper";
  function refreshSnippet() {
    document.getElementById("snippet-code").textContent =
      SNIPPETS[snippet](currentTab().getQuery(), cfg.endpoint);
    document.querySelectorAll("[data-snippet]").forEach((b) => {
      b.setAttribute("aria-selected", String(b.dataset.snippet === snippet));
    });
  }
  document.querySelectorAll("[data-snippet]").forEach((button) => {
    button.addEventListener("click", () => { snippet = button.dataset.snippet; refreshSnippet(); });
  });
  document.getElementById("snippets").addEventListener("toggle", refreshSnippet);
  document.getElementById("snippet-copy").addEventListener("click", () => {
    navigator.clipboard.writeText(document.getElementById("snippet-code").textContent).catch(() => {});
  });
  let pending = null;
  const onChange = () => {
    clearTimeout(pending);
    pending = setTimeout(() => { if (document.getElementById("snippets").open) refreshSnippet(); }, 200);
  };
  currentTab().getYasqe().on("change", onChange);
  yasgui.on("tabSelect", () => setTimeout(() => { currentTab().getYasqe().on("change", onChange); refreshSnippet(); }, 0));
  refreshSnippet();
  window.tdiSparql = {yasgui, refreshDownloads, refreshSnippet};
})();

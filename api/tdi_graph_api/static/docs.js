// /docs: Swagger UI (vendored, no CDN) over the app's own OpenAPI description.
"use strict";
(function () {
  const node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.dataset.openapi,
    domNode: node,
    deepLinking: true,
    validatorUrl: null, // never ask an outside validator about the document
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();

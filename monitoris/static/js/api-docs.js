// Starts Swagger UI on /api/v1/docs (kept out of the page: no inline script).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    // Requests from the page run with the browser's login session; writes need the CSRF token,
    // so the page is best used to read, or with a bearer token entered under "Authorize".
    withCredentials: true,
  });
})();

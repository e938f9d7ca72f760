// Registers the AgentMatch service worker for the whole site (offline page, app notifications).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator)) return;
  var url = script.getAttribute("data-sw-url");
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function (error) {
      // Not fatal: the site works without it (no offline page, no app notifications).
      console.warn("AgentMatch service worker not registered:", error);
    });
  });
})();

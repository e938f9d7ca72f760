// The "Install app" button where the browser offers installing (Chrome on Android and
// computers: beforeinstallprompt), and "installed" once AgentMatch runs from the home screen.
(function () {
  "use strict";
  var box = document.querySelector("[data-install-box]");
  if (!box) return;
  var status = box.querySelector("[data-install-status]");
  var buttons = box.querySelectorAll("[data-install-action]");
  var offer = null;

  function installed() {
    status.textContent = box.getAttribute("data-msg-installed");
    buttons.forEach(function (b) { b.hidden = true; });
  }

  var standalone = window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
  if (standalone) {
    installed();
    return;
  }
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    offer = event;
    buttons.forEach(function (b) { b.hidden = false; });
  });
  window.addEventListener("appinstalled", installed);
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      if (!offer) return;
      offer.prompt();
      offer.userChoice.then(function (choice) {
        if (choice.outcome === "accepted") installed();
        offer = null;
      });
    });
  });
})();

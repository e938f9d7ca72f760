// The availability page: give the USWDS date picker's calendar button the page's language.
(function () {
  "use strict";
  function label() {
    var box = document.querySelector("[data-calendar-label]");
    if (!box) return;
    document.querySelectorAll(".usa-date-picker__button").forEach(function (button) {
      button.setAttribute("aria-label", box.getAttribute("data-calendar-label"));
    });
  }
  if (document.readyState === "complete") label();
  else window.addEventListener("load", label);
})();

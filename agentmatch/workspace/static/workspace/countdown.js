// Live countdown to each offer's deadline on Manage Referrals.
// The server's clock is the truth: each list carries the server's time when it was
// rendered (data-server-now), and the countdown corrects this device's clock by the
// difference. When time is up the offer says so; the next poll of the list removes it.
(function () {
  "use strict";

  function skewFor(el) {
    var list = el.closest("[data-server-now]");
    if (!list) return 0;
    if (!list.dataset.skew) {
      var server = Date.parse(list.dataset.serverNow);
      list.dataset.skew = isNaN(server) ? "0" : String(server - Date.now());
    }
    return Number(list.dataset.skew);
  }

  function format(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var timers = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      var deadline = Date.parse(el.dataset.deadline);
      if (isNaN(deadline)) continue;
      var left = Math.max(0, Math.floor((deadline - (Date.now() + skewFor(el))) / 1000));
      var text = left > 0 ? el.dataset.left.replace("{time}", format(left)) : el.dataset.over;
      if (el.textContent !== text) el.textContent = text;
      if (left <= 0) {
        el.classList.add("workspace-countdown--over");
        var card = el.closest(".usa-card");
        if (card) {
          var buttons = card.querySelectorAll("button");
          for (var j = 0; j < buttons.length; j++) buttons[j].disabled = true;
        }
      } else if (left <= 120) {
        el.classList.add("workspace-countdown--soon");
      }
    }
  }

  tick();
  setInterval(tick, 1000);
})();

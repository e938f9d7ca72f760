// The profile's "Turn on notifications on this device": subscribe this browser to Web Push
// with the server's VAPID key and hand the subscription to the server (session + CSRF).
(function () {
  "use strict";
  var box = document.querySelector("[data-push-box]");
  if (!box) return;
  var status = box.querySelector("[data-push-status]");
  var onButton = box.querySelector('[data-push-action="on"]');
  var offButton = box.querySelector('[data-push-action="off"]');
  var noJs = box.querySelector(".am-push-nojs");
  var csrf = box.querySelector("input[name=csrfmiddlewaretoken]").value;
  var key = box.getAttribute("data-vapid-key");
  if (noJs) noJs.hidden = true;

  function say(name) {
    status.textContent = box.getAttribute("data-msg-" + name) || "";
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  }

  function registration() {
    return navigator.serviceWorker
      .register(box.getAttribute("data-sw-url"), { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; });
  }

  function show(subscribed) {
    onButton.hidden = subscribed;
    offButton.hidden = !subscribed;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("unsupported");
    return;
  }
  if (!key) {
    say("unavailable");
    return;
  }
  show(false);
  // On Manage Referrals the box is a prompt for the app opened from the home screen (where
  // an iPhone can first subscribe): shown there only until this device is subscribed.
  var prompt = box.closest("[data-push-prompt]");
  var standalone = window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
  navigator.serviceWorker.getRegistration("/").then(function (reg) {
    return reg ? reg.pushManager.getSubscription() : null;
  }).then(function (subscription) {
    if (subscription) show(true);
    if (prompt && standalone && !subscription && Notification.permission !== "denied") prompt.hidden = false;
  }).catch(function () {});

  onButton.addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        say("denied");
        return null;
      }
      return registration().then(function (reg) {
        return reg.pushManager.getSubscription().then(function (existing) {
          return existing || reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(key),
          });
        });
      }).then(function (subscription) {
        return post(box.getAttribute("data-subscribe-url"), subscription.toJSON());
      }).then(function (response) {
        if (response.ok) {
          say("on");
          show(true);
        } else {
          say("error");
        }
      });
    }).catch(function () { say("error"); });
  });

  offButton.addEventListener("click", function () {
    registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return null;
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(box.getAttribute("data-unsubscribe-url"), { endpoint: endpoint });
      });
    }).then(function () {
      say("off");
      show(false);
    }).catch(function () { say("error"); });
  });
})();

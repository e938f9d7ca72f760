/* Passkeys: log in or add a passkey with the device's fingerprint, face or PIN (WebAuthn).
 *
 * Loaded from _passkey_login.html and _passkeys_profile.html; no inline script, so a strict
 * Content-Security-Policy can forbid them. Endpoints and the CSRF token come from data-
 * attributes and the form's hidden csrfmiddlewaretoken (the CSRF cookie is HttpOnly).
 * Each begin answers {ceremony, publicKey}: the options for the browser and an opaque handle
 * for the server's stored challenge, which the finish sends back with the answer.
 */
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = withBytes(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = withBytes(json.allowCredentials);
    return options;
  }

  function registrationJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        attestationObject: toBase64url(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
    };
  }

  function assertionJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
      },
    };
  }

  function post(url, csrfToken, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken,
      },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(
        function (data) {
          if (!response.ok) {
            throw new Error(data.message || "The request failed.");
          }
          return data;
        },
        function () {
          throw new Error("The server did not answer as expected. Reload the page and try again.");
        }
      );
    });
  }

  function explain(error, box) {
    // The browser's own errors: the person closed the prompt, or this device cannot do it.
    if (error && error.name === "NotAllowedError") {
      return box.dataset.msgCancelled || "The passkey prompt was closed or timed out.";
    }
    if (error && error.name === "InvalidStateError") {
      return box.dataset.msgExists || "This device already has a passkey for your account.";
    }
    return (error && error.message) || String(error);
  }

  function show(box, message) {
    var status = box.querySelector("[data-passkey-status]");
    if (status) {
      status.textContent = message;
    }
  }

  function csrf(box) {
    var input = box.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function logIn(box, button) {
    button.disabled = true;
    show(box, "");
    var next = new URLSearchParams(window.location.search).get("next") || "";
    var ceremony = "";
    post(box.dataset.beginUrl, csrf(box), {})
      .then(function (begun) {
        ceremony = begun.ceremony;
        return navigator.credentials.get({ publicKey: requestOptions(begun.publicKey) });
      })
      .then(function (credential) {
        return post(box.dataset.finishUrl, csrf(box), {
          ceremony: ceremony,
          credential: assertionJSON(credential),
          next: next,
        });
      })
      .then(function (data) {
        window.location.assign(data.redirect);
      })
      .catch(function (error) {
        show(box, explain(error, box));
        button.disabled = false;
      });
  }

  function addPasskey(box, button) {
    button.disabled = true;
    show(box, "");
    var nameInput = box.querySelector("input[name=passkey_name]");
    var ceremony = "";
    post(box.dataset.beginUrl, csrf(box), {})
      .then(function (begun) {
        ceremony = begun.ceremony;
        return navigator.credentials.create({ publicKey: creationOptions(begun.publicKey) });
      })
      .then(function (credential) {
        return post(box.dataset.finishUrl, csrf(box), {
          ceremony: ceremony,
          credential: registrationJSON(credential),
          name: nameInput ? nameInput.value : "",
        });
      })
      .then(function () {
        window.location.reload();
      })
      .catch(function (error) {
        show(box, explain(error, box));
        button.disabled = false;
      });
  }

  function setUp() {
    var supported = !!(window.PublicKeyCredential && navigator.credentials);
    document.querySelectorAll("[data-passkey-box]").forEach(function (box) {
      var button = box.querySelector("[data-passkey-action]");
      if (!button) {
        return;
      }
      if (!supported) {
        show(box, box.dataset.msgUnsupported || "This browser cannot use passkeys.");
        return;
      }
      button.hidden = false;
      var action = button.dataset.passkeyAction === "login" ? logIn : addPasskey;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        action(box, button);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();

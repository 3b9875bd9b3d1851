// The reminder page's "notifications on this device": registers the service worker, asks the
// browser for permission and hands the push subscription to the server. Only loaded when the
// server has VAPID keys; a browser without the Push API keeps its e-mail reminder.
(function () {
  "use strict";

  function keyBytes(base64url) {
    var padded = base64url + "===".slice((base64url.length + 3) % 4);
    var raw = window.atob(padded.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function post(section, url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": section.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { if (!response.ok) { throw new Error(data.detail || response.status); } return data; });
    });
  }

  function start(section) {
    var on = section.querySelector(".push-on"), off = section.querySelector(".push-off");
    var status = section.querySelector(".push-status");
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      section.querySelector(".push-unsupported").hidden = false;
      return;
    }
    navigator.serviceWorker.register(section.dataset.workerUrl).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (subscription) {
        on.hidden = !!subscription;
        off.hidden = !subscription;
        on.addEventListener("click", function () {
          Notification.requestPermission().then(function (permission) {
            if (permission !== "granted") { throw new Error(section.dataset.denied || permission); }
            return registration.pushManager.subscribe({
              userVisibleOnly: true, applicationServerKey: keyBytes(section.dataset.vapidKey)
            });
          }).then(function (fresh) {
            return post(section, section.dataset.subscribeUrl, fresh.toJSON());
          }).then(function (data) {
            status.textContent = data.detail; on.hidden = true; off.hidden = false;
          }).catch(function (error) { status.textContent = String(error.message || error); });
        });
        off.addEventListener("click", function () {
          registration.pushManager.getSubscription().then(function (current) {
            if (!current) { return null; }
            return post(section, section.dataset.unsubscribeUrl, { endpoint: current.endpoint })
              .then(function () { return current.unsubscribe(); });
          }).then(function () { on.hidden = false; off.hidden = true; status.textContent = ""; })
            .catch(function (error) { status.textContent = String(error.message || error); });
        });
      });
    }).catch(function () { section.querySelector(".push-unsupported").hidden = false; });
  }

  function init() {
    var section = document.getElementById("push-devices");
    if (section) { start(section); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();

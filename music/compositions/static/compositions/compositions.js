// Follows pieces being composed: polls their status and swaps in the player when they are ready.
(function () {
  "use strict";
  var INTERVAL_MS = 1500;
  var GIVE_UP_MS = 10 * 60 * 1000;

  function follow(item) {
    var url = item.getAttribute("data-status-url");
    var started = Date.now();
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          if (data.finished && data.html) {
            var holder = document.createElement("div");
            holder.innerHTML = data.html.trim();
            var replacement = holder.firstElementChild;
            item.replaceWith(replacement);
            var focusable = replacement.querySelector("audio, .field-errors");
            if (focusable && focusable.tagName === "AUDIO") { replacement.setAttribute("tabindex", "-1"); }
            return;
          }
          var bar = item.querySelector("[data-progress]");
          var text = item.querySelector("[data-progress-text]");
          var label = item.querySelector("[data-status-label]");
          if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
          if (text) { text.textContent = data.progress + "%"; }
          if (label) { label.textContent = data.status_label; }
          if (Date.now() - started < GIVE_UP_MS) { window.setTimeout(tick, INTERVAL_MS); }
        })
        .catch(function () {
          if (Date.now() - started < GIVE_UP_MS) { window.setTimeout(tick, INTERVAL_MS * 2); }
        });
    }
    window.setTimeout(tick, INTERVAL_MS);
  }

  document.querySelectorAll("[data-status-url]").forEach(follow);
})();

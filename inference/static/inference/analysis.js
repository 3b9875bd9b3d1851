// Keeps an entry's "queued" / "analysing…" section up to date: polls a small status endpoint and,
// when the status changes, swaps in the freshly rendered section and announces it.
(function () {
  "use strict";
  var FIRST_DELAY = 1000, MAX_DELAY = 10000;

  function announce(text) {
    var live = document.getElementById("analysis-live");
    if (live) { live.textContent = text; }
  }

  function swap(section) {
    return fetch(section.dataset.sectionUrl, { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector(".analysis");
        if (!fresh) { throw new Error("no section"); }
        section.replaceWith(fresh);
        return fresh;
      });
  }

  function fetchStatus(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); });
  }

  function watch(section, delay) {
    if (!section.dataset.pollUrl) { return; }
    window.setTimeout(function () {
      fetchStatus(section.dataset.pollUrl)
        .then(function (data) {
          if (data.status === section.dataset.status) {
            watch(section, Math.min(delay * 1.5, MAX_DELAY));
            return;
          }
          var pollUrl = section.dataset.pollUrl;
          return swap(section).then(function (fresh) {
            if (fresh.dataset.status === data.status) {
              announce(data.announcement || data.status_label);
            } else {
              // The reading moved on while the section was fetched: announce what the page now shows.
              fetchStatus(pollUrl).then(function (now) { announce(now.announcement || now.status_label); });
            }
            watch(fresh, FIRST_DELAY);
          });
        })
        .catch(function () { watch(section, MAX_DELAY); });
    }, delay);
  }

  function start() {
    document.querySelectorAll(".analysis[data-poll-url]").forEach(function (section) {
      watch(section, FIRST_DELAY);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* A calendar day (or Year in Pixels square) with several entries: list them in place.

   Each such day is a plain link to that day's page (/tracker/day/YYYY-MM-DD/), which works
   without scripts. With scripts, a click fetches the same page and shows its list of entries in
   the panel under the calendar, with a button to close it; focus moves to the list and back to
   the day when it closes. Modified clicks (new tab, new window) are left to the browser. */
(function () {
  "use strict";

  var panel = document.getElementById("day-panel");
  if (!panel || !window.fetch || !window.DOMParser) { return; }
  var closeText = panel.getAttribute("data-close-label") || "Close";
  var opener = null;

  function close() {
    panel.hidden = true;
    panel.textContent = "";
    if (opener) { opener.focus(); }
    opener = null;
  }

  function show(section, link) {
    panel.textContent = "";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary day-panel-close";
    button.textContent = closeText;
    button.addEventListener("click", close);
    panel.appendChild(section);
    panel.appendChild(button);
    panel.hidden = false;
    opener = link;
    var heading = section.querySelector("h2");
    if (heading) {
      heading.focus();
      panel.scrollIntoView({ block: "nearest" });
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-day-link]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 ||
        event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    document.querySelectorAll("a[data-day-link][aria-expanded]").forEach(function (other) {
      other.removeAttribute("aria-expanded");
    });
    fetch(link.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var section = page.querySelector("[data-day-entries]");
        if (!section) { throw new Error("no list of entries on " + link.href); }
        link.setAttribute("aria-controls", "day-panel");
        link.setAttribute("aria-expanded", "true");
        show(document.importNode(section, true), link);
      })
      .catch(function () { window.location.href = link.href; });  // the page itself still works
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { close(); }
  });
})();

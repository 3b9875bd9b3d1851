// Behaviour shared by every page. The Content-Security-Policy forbids inline scripts and on*
// attributes, so markup asks for behaviour with data- attributes and this file provides it.
(function () {
  "use strict";

  // <select data-submit-on-change>: choosing an option sends its form (the header's language
  // choice; the button is for no-JS).
  function submitOnChange() {
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { if (select.form) { select.form.submit(); } });
    });
  }

  // While a form is sending, its submit button is disabled and says so: older people press
  // "Save" again when nothing seems to happen, and a photo upload on a phone takes seconds.
  function busyButtons() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || event.defaultPrevented) { return; }
      if (form.dataset.sending === "true") { event.preventDefault(); return; }
      form.dataset.sending = "true";
      form.setAttribute("aria-busy", "true");
      var sending = form.dataset.sendingLabel || document.documentElement.dataset.sendingLabel || "Sending…";
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
        // Disabled only after this turn: a disabled button's name/value would not be sent.
        window.setTimeout(function () {
          button.disabled = true;
          if (button.tagName === "INPUT") { button.value = sending; } else {
            button.dataset.label = button.textContent;
            button.textContent = sending;
          }
        }, 0);
      });
      var status = form.querySelector(".sending-status");
      if (status) { status.textContent = sending; }
      // A form whose answer is a download leaves the page where it is: usable again after a while.
      window.setTimeout(function () { release(form); }, 30000);
    });
    // Coming back with the browser's Back button shows the page from its cache: make it usable.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) { return; }
      document.querySelectorAll("form[data-sending=true]").forEach(release);
    });
  }

  function release(form) {
    if (form.dataset.sending !== "true") { return; }
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
      button.disabled = false;
      if (button.dataset.label !== undefined) { button.textContent = button.dataset.label; }
    });
    var status = form.querySelector(".sending-status");
    if (status) { status.textContent = ""; }
  }

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { return ""; }
  }

  // Sign-up: the person's time zone is the one their device is set to.
  function fillBrowserZone() {
    var zone = browserZone();
    document.querySelectorAll("input[data-browser-zone]").forEach(function (input) {
      if (!input.value) { input.value = zone; }
    });
  }

  // Profile: offer the device's zone when it differs from the saved one.
  function offerBrowserZone() {
    var select = document.querySelector("select[data-zone-select]");
    var offer = document.getElementById("zone-offer");
    var zone = browserZone();
    if (!select || !offer || !zone || select.value === zone) { return; }
    var other = document.getElementById("id_other_time_zone");
    var known = Array.prototype.some.call(select.options, function (option) { return option.value === zone; });
    offer.querySelector("[data-zone-name]").textContent = known
      ? select.querySelector("option[value='" + zone + "']").textContent : zone.replace(/_/g, " ");
    offer.hidden = false;
    offer.querySelector("button").addEventListener("click", function () {
      if (known) { select.value = zone; if (other) { other.value = ""; } } else if (other) { other.value = zone; }
      offer.hidden = true;
      select.focus();
    });
  }

  function start() {
    submitOnChange();
    busyButtons();
    fillBrowserZone();
    offerBrowserZone();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

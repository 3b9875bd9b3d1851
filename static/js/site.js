// Behaviour shared by every page. The Content-Security-Policy forbids inline scripts and on*
// attributes, so markup asks for behaviour with data- attributes and this file provides it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // <select data-submit-on-change>: choosing an option sends its form (the language switcher).
  for (const field of document.querySelectorAll("[data-submit-on-change]")) {
    field.addEventListener("change", () => field.form && field.form.submit());
  }
});

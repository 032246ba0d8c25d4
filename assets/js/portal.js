// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // "Please wait…": stop double submits of long actions and say that work is under way.
  function onSubmit(event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-please-wait")) {
      return;
    }
    if (form.getAttribute("data-submitting") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "true");
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("aria-disabled", "true");
    }
    var status = form.querySelector(".qm-wait");
    if (status) {
      status.textContent = "Please wait…";
    }
  }

  document.addEventListener("DOMContentLoaded", focusErrorSummary);
  document.addEventListener("submit", onSubmit);
})();

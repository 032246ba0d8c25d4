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

// Idle sign-out warning (SPEC §11): a dialog before the server ends an idle session.
(function () {
  "use strict";

  function minutesText(seconds) {
    var minutes = Math.ceil(seconds / 60);
    return minutes <= 1 ? "less than a minute" : minutes + " minutes";
  }

  function start() {
    var body = document.body;
    var idle = parseInt(body.getAttribute("data-idle-seconds"), 10);
    var warning = parseInt(body.getAttribute("data-warning-seconds"), 10);
    var dialog = document.getElementById("idle-warning");
    if (!idle || !dialog || typeof dialog.showModal !== "function") {
      return;
    }
    var warnTimer = null;
    var endTimer = null;

    function schedule() {
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      warnTimer = window.setTimeout(function () {
        dialog.querySelector("[data-idle-countdown]").textContent = minutesText(warning);
        dialog.showModal();
      }, Math.max(idle - warning, 0) * 1000);
      endTimer = window.setTimeout(function () {
        window.location.assign(body.getAttribute("data-timed-out-url"));
      }, idle * 1000);
    }

    dialog.querySelector("[data-stay-signed-in]").addEventListener("click", function () {
      var token = JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"];
      fetch(body.getAttribute("data-keep-alive-url"), {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": token },
      }).then(function (response) {
        if (response.ok) {
          dialog.close();
          schedule();
        } else {
          window.location.assign(body.getAttribute("data-timed-out-url"));
        }
      });
    });
    schedule();
  }

  document.addEventListener("DOMContentLoaded", start);
})();

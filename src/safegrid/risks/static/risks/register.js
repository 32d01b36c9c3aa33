// Risk register forms: the assessment method switch, the live preview's error swap, and
// classify2 options narrowed to the chosen classify1. Loaded as a static file (CSP: no inline JS).
(function () {
  "use strict";

  // Assessment: show only the chosen method's inputs; disabled fields are neither posted nor previewed.
  function showMethod(form) {
    var select = form.querySelector("select[name=method]");
    if (!select) return;
    form.querySelectorAll("[data-method-group]").forEach(function (group) {
      var on = group.getAttribute("data-method-group") === select.value;
      group.hidden = !on;
      group.disabled = !on;
    });
  }

  // Classify2 lists only the entries under the chosen classify1 ("2-3" belongs to 2).
  function narrowClassify2(form) {
    var first = form.querySelector("select[data-classify1]");
    var second = form.querySelector("select[data-classify2]");
    if (!first || !second) return;
    var prefix = first.value ? first.value + "-" : null;
    Array.prototype.forEach.call(second.options, function (option) {
      var allowed = !option.value || prefix === null || option.value.indexOf(prefix) === 0;
      option.hidden = !allowed;
      option.disabled = !allowed;
    });
    var chosen = second.options[second.selectedIndex];
    if (chosen && chosen.disabled) second.value = "";
  }

  // Hazard factor: the step number belongs to JHA only; SCL items have none.
  function toggleJhaFields(form) {
    var method = form.querySelector("select[data-identification]");
    if (!method) return;
    form.querySelectorAll("[data-jha-only]").forEach(function (input) {
      var column = input.closest("[class*=col-]") || input.parentElement;
      column.hidden = method.value !== "JHA";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var assess = document.getElementById("assess-form");
    if (assess) {
      showMethod(assess);
      // The method select changes first, then htmx posts the (re-enabled) fields for the preview.
      assess.addEventListener("change", function (event) {
        if (event.target && event.target.name === "method") showMethod(assess);
      }, true);
    }
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("select[data-identification]")) {
        toggleJhaFields(form);
        form.addEventListener("change", function (event) {
          if (event.target && event.target.hasAttribute("data-identification")) toggleJhaFields(form);
        });
      }
      if (form.querySelector("select[data-classify1]")) {
        narrowClassify2(form);
        form.addEventListener("change", function (event) {
          if (event.target && event.target.hasAttribute("data-classify1")) narrowClassify2(form);
        });
      }
    });
  });

  // The preview answers 422 with the error partial: swap it in like a normal answer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 422 && target && target.id === "assess-preview") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

// Import upload page: stop a second upload of the same file while the first is on its way.
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("form[data-import-form]");
    if (!form) { return; }
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button) { return; }
      button.disabled = true;
      button.textContent = form.getAttribute("data-busy-text") || button.textContent;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

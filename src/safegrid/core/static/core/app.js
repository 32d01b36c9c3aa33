/* The shell's behaviour on every page, including content htmx swaps in.
   The CSP allows no inline style attributes, so widths computed on the server (a job's progress bar)
   come as data-sg-width="42" and are applied here through the CSSOM, which the CSP permits. */
(function () {
  "use strict";

  function applyWidths(root) {
    var nodes = root.querySelectorAll ? root.querySelectorAll("[data-sg-width]") : [];
    if (root.matches && root.matches("[data-sg-width]")) nodes = [root].concat(Array.prototype.slice.call(nodes));
    Array.prototype.forEach.call(nodes, function (node) {
      var value = parseFloat(node.getAttribute("data-sg-width"));
      if (!isNaN(value)) node.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(applyWidths);  // the page itself, then every swapped-in fragment
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyWidths(document.body); });
  } else {
    applyWidths(document.body);
  }
})();

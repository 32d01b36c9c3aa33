/* The shell's behaviour on every page, including content htmx swaps in: computed widths, the phone
   lists' cell labels, the scroll hints of wide tables.
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

  // Phone lists (app.css, table.sg-cards): each cell carries its column's header as data-label, shown
  // beside the value when the row is stacked into a card. Cells that set their own label keep it.
  function headerText(th) {
    return (th.textContent || "").replace(/[\u2191\u2193]/g, "").replace(/\s+/g, " ").trim();
  }

  function labelCells(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("table.sg-cards") : [];
    if (root.matches && root.matches("table.sg-cards")) tables = [root];
    Array.prototype.forEach.call(tables, function (table) {
      var heads = table.tHead ? table.tHead.rows[0] : null;
      if (!heads) return;
      var labels = Array.prototype.map.call(heads.cells, headerText);
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, i) {
            if (!cell.hasAttribute("data-label") && !cell.hasAttribute("colspan") && labels[i]) {
              cell.setAttribute("data-label", labels[i]);
            }
            // An empty cell would show a bare label in the card: leave it out there.
            var blank = !(cell.textContent || "").trim() && !cell.querySelector("img, svg, input, select, button");
            cell.classList.toggle("sg-cell-empty", blank);
          });
        });
      });
    });
  }

  // A wide table that stays a table (.sg-scroll-hint before its .table-responsive): the hint shows only
  // while the table is wider than the screen.
  function checkHints(root) {
    var hints = root.querySelectorAll ? root.querySelectorAll(".sg-scroll-hint") : [];
    Array.prototype.forEach.call(hints, function (hint) {
      var box = hint.nextElementSibling;
      if (box) hint.classList.toggle("sg-fits", box.scrollWidth <= box.clientWidth + 1);
    });
  }

  function prepare(root) {
    applyWidths(root);
    labelCells(root);
    checkHints(root);
  }

  if (window.htmx) {
    window.htmx.onLoad(prepare);  // the page itself, then every swapped-in fragment
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { prepare(document.body); });
  } else {
    prepare(document.body);
  }
  window.addEventListener("resize", function () { checkHints(document.body); });
})();

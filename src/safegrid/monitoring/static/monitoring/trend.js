/* A monitoring point's trend (/monitoring/points/<id>/trend/): the values for 1 h (raw readings), 24 h
   (1-minute averages with their min/max band) or 7 d (hourly), with the LL/L/H/HH limits as mark lines.
   The data come from the page's JSON endpoint (data-url); 1 h refreshes every 10 s. */
(function () {
  "use strict";

  var RED = "#d63939", ORANGE = "#f76707", BLUE = "#206bc4", GREY = "#adb5bd";

  function limitLines(limits, text) {
    var lines = [];
    [["hh", RED], ["h", ORANGE], ["l", ORANGE], ["ll", RED]].forEach(function (pair) {
      var value = limits[pair[0]];
      if (value === null || value === undefined) return;
      lines.push({
        yAxis: value,
        name: text[pair[0]],
        lineStyle: { color: pair[1], type: "dashed" },
        label: { formatter: text[pair[0]] + " " + value, color: pair[1], position: "insideEndTop" }
      });
    });
    return lines;
  }

  function bounds(data) {
    var values = [];
    ["ll", "l", "h", "hh"].forEach(function (k) {
      if (data.limits[k] !== null && data.limits[k] !== undefined) values.push(data.limits[k]);
    });
    data.values.forEach(function (p) { values.push(p[1]); });
    if (!values.length) return {};
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    var pad = (hi - lo) * 0.08 || 1;
    return { min: Math.floor((lo - pad) * 100) / 100, max: Math.ceil((hi + pad) * 100) / 100 };
  }

  function draw(chart, data, text, note) {
    var unit = data.point.unit ? " " + data.point.unit : "";
    var span = bounds(data);
    var series = [{
      name: text.value,
      type: "line",
      showSymbol: false,
      data: data.values,
      itemStyle: { color: BLUE },
      markLine: { symbol: "none", silent: true, data: limitLines(data.limits, text) }
    }];
    if (data.min.length) {
      series.push({ name: text.min, type: "line", showSymbol: false, data: data.min, itemStyle: { color: GREY }, lineStyle: { width: 1 } });
      series.push({ name: text.max, type: "line", showSymbol: false, data: data.max, itemStyle: { color: GREY }, lineStyle: { width: 1 } });
    }
    chart.setOption({
      // richText: ECharts' HTML tooltip uses style attributes the CSP refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 56, top: 32, bottom: 8, containLabel: true },
      xAxis: {
        type: "time", min: data.start, max: data.end,
        splitNumber: chart.getWidth() < 500 ? 3 : 6, axisLabel: { hideOverlap: true }
      },
      yAxis: { type: "value", name: unit.trim(), min: span.min, max: span.max, scale: true },
      series: series
    }, true);
    note.textContent = data.values.length ? "" : text.empty;
  }

  function start() {
    var el = document.getElementById("trend-chart");
    var textEl = document.getElementById("trend-text");
    if (!el || !textEl || !window.echarts) return;
    var text = JSON.parse(textEl.textContent);
    var note = document.getElementById("trend-note");
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var range = el.dataset.range;
    var timer = null;

    function load() {
      fetch(el.dataset.url + "?range=" + encodeURIComponent(range), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          draw(chart, data, text, note);
          el.dataset.loaded = data.range;
          el.dataset.count = String(data.values.length);
        });
    }

    function schedule() {
      if (timer) window.clearInterval(timer);
      timer = range === "1h" ? window.setInterval(load, 10000) : null;
    }

    var ranges = document.getElementById("trend-ranges");
    if (ranges) {
      Array.prototype.forEach.call(ranges.querySelectorAll("[data-range]"), function (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          range = link.dataset.range;
          Array.prototype.forEach.call(ranges.querySelectorAll("[data-range]"), function (other) {
            var on = other === link;
            other.classList.toggle("btn-primary", on);
            other.classList.toggle("active", on);
            other.classList.toggle("btn-outline-primary", !on);
          });
          if (window.history && window.history.replaceState) window.history.replaceState(null, "", "?range=" + range);
          load();
          schedule();
        });
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
    load();
    schedule();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

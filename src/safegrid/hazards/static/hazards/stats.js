/* Hidden-hazard statistics (/hazards/stats/): the open hazards of each group as stacked bars, and the
   year's monthly trend (reported / closed bars, rectification and on-time inspection rates as lines).
   The numbers come from the page (json_script); the table below the charts holds the same numbers. */
(function () {
  "use strict";

  var RED = "#d63939", BLUE = "#206bc4", ORANGE = "#f76707", GREEN = "#2fb344", GREY = "#adb5bd";

  function init(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    return window.echarts.init(el, null, { renderer: "svg" });
  }

  function groupsChart(data, text) {
    var chart = init("chart-groups");
    if (!chart) return null;
    chart.setOption({
      // richText: ECharts draws the tooltip itself; its HTML tooltip uses style attributes the CSP refuses.
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
      series: [
        { name: text.general, type: "bar", stack: "open", data: data.general, itemStyle: { color: BLUE }, barMaxWidth: 22 },
        { name: text.major, type: "bar", stack: "open", data: data.major, itemStyle: { color: RED }, barMaxWidth: 22 },
        { name: text.overdue, type: "bar", data: data.overdue, itemStyle: { color: ORANGE }, barMaxWidth: 10 }
      ]
    });
    return chart;
  }

  function monthsChart(data, text) {
    var chart = init("chart-months");
    if (!chart) return null;
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { bottom: 0 },  // below: the two axis names sit at the top
      grid: { left: 8, right: 8, top: 32, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: data.names },
      yAxis: [
        { type: "value", name: text.count, minInterval: 1 },
        { type: "value", name: text.percent, min: 0, max: 100, splitLine: { show: false } }
      ],
      series: [
        { name: text.reported, type: "bar", data: data.reported, itemStyle: { color: GREY }, barMaxWidth: 16 },
        { name: text.closed, type: "bar", data: data.closed, itemStyle: { color: BLUE }, barMaxWidth: 16 },
        { name: text.rectification, type: "line", yAxisIndex: 1, data: data.rectification, connectNulls: false, itemStyle: { color: GREEN } },
        { name: text.onTime, type: "line", yAxisIndex: 1, data: data.onTime, connectNulls: false, itemStyle: { color: ORANGE } }
      ]
    });
    return chart;
  }

  function autoSubmit() {
    var form = document.getElementById("stats-filters");
    if (!form) return;
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
      select.addEventListener("change", function () {
        if (select.name === "by") {
          var town = form.querySelector('select[name="town"]');
          if (town) town.value = "";
        }
        form.submit();
      });
    });
  }

  function start() {
    autoSubmit();
    var holder = document.getElementById("hazard-stats-data");
    if (!holder) return;
    var data = JSON.parse(holder.textContent);
    var charts = [groupsChart(data.groups, data.text), monthsChart(data.months, data.text)].filter(Boolean);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

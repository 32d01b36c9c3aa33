/* County home: two bar charts (enterprises by sector, by town). Each bar opens the filtered list. */
(function () {
  "use strict";

  function barChart(elementId, series, param, listUrl, horizontal) {
    var el = document.getElementById(elementId);
    if (!el || !window.echarts) return null;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var categoryAxis = {
      type: "category",
      data: series.names,
      axisLabel: { interval: 0, width: 90, overflow: "truncate" },
      inverse: horizontal
    };
    var valueAxis = { type: "value", minInterval: 1 };
    chart.setOption({
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      // richText: ECharts draws the tooltip itself; its HTML tooltip uses style attributes the CSP refuses.
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: [{
        type: "bar",
        data: series.counts,
        itemStyle: { color: "#206bc4" },
        label: { show: true, position: horizontal ? "right" : "top" },
        barMaxWidth: 28
      }]
    });
    chart.on("click", function (event) {
      var code = series.codes[event.dataIndex];
      if (code) window.location.href = listUrl + "?" + param + "=" + encodeURIComponent(code);
    });
    return chart;
  }

  function start() {
    var holder = document.getElementById("home-chart-data");
    if (!holder) return;
    var data = JSON.parse(holder.textContent);
    var charts = [
      barChart("chart-sector", data.sector, "sector", data.listUrl, true),
      barChart("chart-town", data.town, "division", data.listUrl, true)
    ].filter(Boolean);
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

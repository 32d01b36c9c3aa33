/* Alarm quality (/monitoring/quality/): the alarms of each day stacked by rule. The numbers come from the
   page (json_script); the table under the chart holds the same numbers. */
(function () {
  "use strict";

  var COLOURS = {
    high: "#d63939", low: "#f76707", rate: "#f5c400", offline: "#868e96",
    video_off: "#495057", overcrowd: "#ae3ec9", overstay: "#4263eb", motionless: "#e8590c"
  };

  function start() {
    var holder = document.getElementById("quality-data");
    var el = document.getElementById("chart-days");
    if (!holder || !el || !window.echarts) return;
    var data = JSON.parse(holder.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      // richText: ECharts draws the tooltip itself; its HTML tooltip uses style attributes the CSP refuses.
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value", name: data.text.alarms, minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "alarms", data: s.data, barMaxWidth: 28, itemStyle: { color: COLOURS[s.rule] || "#206bc4" } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    var form = document.getElementById("quality-filters");
    if (form) {
      form.querySelector("select").addEventListener("change", function () { form.submit(); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

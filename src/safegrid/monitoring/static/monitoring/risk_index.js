/* The dynamic risk index list (/monitoring/risk-index/): the enterprises drawn at their coordinates in their
   index colour, the bigger the higher; a click opens the enterprise's explanation. Data from json_script. */
(function () {
  "use strict";

  function start() {
    var holder = document.getElementById("risk-index-data");
    var el = document.getElementById("chart-risk-index");
    if (!holder || !el || !window.echarts) return;
    var data = JSON.parse(holder.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var points = data.points.map(function (p) {
      return { name: p.name, value: p.value, url: p.url, itemStyle: { color: data.hex[p.colour] || "#868e96" } };
    });
    chart.setOption({
      tooltip: {
        renderMode: "richText",
        formatter: function (item) { return item.name + "\n" + data.text.index + " " + item.value[2]; }
      },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      series: [{
        type: "scatter",
        data: points,
        symbolSize: function (value) { return 6 + value[2] / 8; }
      }]
    });
    chart.on("click", function (item) {
      if (item.data && item.data.url) window.location.href = item.data.url;
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* Enterprise detail: the enterprise as a point, inside its town's boundary when one is on file.
   No tile server: coordinates are drawn on plain lon/lat axes (a schematic, not a survey map). */
(function () {
  "use strict";

  function ringsOf(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Feature") return ringsOf(geometry.geometry);
    if (geometry.type === "FeatureCollection") {
      return geometry.features.reduce(function (all, f) { return all.concat(ringsOf(f)); }, []);
    }
    if (geometry.type === "Polygon") return geometry.coordinates;
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.reduce(function (all, p) { return all.concat(p); }, []);
    }
    return [];
  }

  function start() {
    var holder = document.getElementById("enterprise-map-data");
    var el = document.getElementById("enterprise-map");
    if (!holder || !el || !window.echarts) return;
    var data = JSON.parse(holder.textContent);
    var rings = ringsOf(data.boundary);
    var lons = [data.lon], lats = [data.lat];
    rings.forEach(function (ring) {
      ring.forEach(function (p) { lons.push(p[0]); lats.push(p[1]); });
    });
    var pad = 0.01;
    var series = rings.map(function (ring) {
      return { type: "line", data: ring, symbol: "none", lineStyle: { color: "#667382", width: 1 }, silent: true };
    });
    series.push({
      type: "scatter",
      data: [[data.lon, data.lat]],
      symbolSize: 16,
      itemStyle: { color: "#d63939" },
      label: { show: true, formatter: data.name, position: "top" }
    });
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: Math.min.apply(null, lons) - pad, max: Math.max.apply(null, lons) + pad,
               axisLabel: { formatter: function (v) { return v.toFixed(3) + "°E"; } }, splitLine: { show: false } },
      yAxis: { type: "value", min: Math.min.apply(null, lats) - pad, max: Math.max.apply(null, lats) + pad,
               axisLabel: { formatter: function (v) { return v.toFixed(3) + "°N"; } }, splitLine: { show: false } },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

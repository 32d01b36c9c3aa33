/* The four-colour risk map (风险四色图): county → town → village → enterprise → risk points.

   Divisions are drawn from the GeoJSON the server builds for the user's scope (no tile server),
   coloured by their regional risk level; enterprises are scatter points coloured by their highest
   risk level. Clicking drills down; the breadcrumb goes back up. An enterprise shows its risk
   points on its site plan (or by lat/lon when it has none) with the list beside. */
(function () {
  "use strict";

  // Filled from the page config (the one level table, risks/rules/levels.py) when the map starts.
  // Regions are painted lighter (areaHex) than the enterprise points so a red point stays visible on a red town.
  var COLOURS = {};
  var TEXT_COLOURS = {};
  var AREA_COLOURS = {};
  var LEVEL_KEYS = ["1", "2", "3", "4", "none"];
  var MAX_SIDE_ENTERPRISES = 300;
  var NOT_GRADED = 5;

  var cfg, text, chart, bar;
  var state = { division: null, enterprise: null, year: null, sector: "", level: "" };
  var lastEnterprises = null;
  var lastRegions = [];
  var loadToken = 0;

  function $(id) { return document.getElementById(id); }

  function levelLabel(level) {
    if (!level) return text.none;
    for (var i = 0; i < cfg.levels.length; i++) {
      if (cfg.levels[i].value === level) return cfg.levels[i].label;
    }
    return String(level);
  }

  function shortLabels() {
    return cfg.levels.map(function (l) { return l.short; }).concat([text.none]);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function readColours() {
    cfg.levels.forEach(function (l) {
      COLOURS[l.value] = l.hex;
      TEXT_COLOURS[l.value] = l.textHex;
      AREA_COLOURS[l.value] = l.areaHex;
    });
    COLOURS.none = cfg.notGraded.hex;
    TEXT_COLOURS.none = cfg.notGraded.textHex;
    AREA_COLOURS[NOT_GRADED] = cfg.notGraded.areaHex;
  }

  function paint(node, level) {
    node.style.backgroundColor = COLOURS[level || "none"];
    node.style.color = TEXT_COLOURS[level || "none"];
    return node;
  }

  function swatch(level) { return paint(el("span", { className: "sg-swatch" }), level); }

  function query(params) {
    return Object.keys(params)
      .filter(function (k) { return params[k] !== "" && params[k] !== null && params[k] !== undefined; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); })
      .join("&");
  }

  function getJSON(url, params) {
    return fetch(url + "?" + query(params), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
  }

  function status(message) { $("map-status").textContent = message || ""; }

  // ---- breadcrumb and side panels ------------------------------------------------------------------

  function breadcrumb(path, enterpriseName) {
    var ol = $("map-breadcrumb").querySelector("ol");
    ol.textContent = "";
    path.forEach(function (item, index) {
      var last = index === path.length - 1 && !enterpriseName;
      var li = el("li", { className: "breadcrumb-item" + (last ? " active" : "") });
      if (last) {
        li.setAttribute("aria-current", "page");
        li.textContent = item.name;
      } else {
        var a = el("a", { href: "#", text: item.name });
        a.addEventListener("click", function (event) { event.preventDefault(); showDivision(item.code, true); });
        li.appendChild(a);
      }
      ol.appendChild(li);
    });
    if (enterpriseName) {
      ol.appendChild(el("li", { className: "breadcrumb-item active", "aria-current": "page", text: enterpriseName }));
    }
  }

  function setCounts(counts, enterprisesToo) {
    Array.prototype.forEach.call(document.querySelectorAll('#counts-table [data-kind="enterprises"], #counts-ent-head'), function (cell) {
      cell.classList.toggle("d-none", !enterprisesToo);
    });
    var rows = document.querySelectorAll("#counts-table tbody tr");
    Array.prototype.forEach.call(rows, function (row) {
      var key = row.getAttribute("data-level");
      row.querySelector('[data-kind="enterprises"]').textContent =
        enterprisesToo ? String(counts.enterprises[key] || 0) : "–";
      row.querySelector('[data-kind="points"]').textContent = String((counts.points || {})[key] || 0);
    });
    if (!bar) return;
    var series = [];
    if (enterprisesToo) {
      series.push({
        name: text.enterprises, type: "bar", barMaxWidth: 18, itemStyle: { color: "#1d273b" },
        label: { show: true, position: "top", fontSize: 10 },
        data: LEVEL_KEYS.map(function (k) { return { value: counts.enterprises[k] || 0, itemStyle: { color: COLOURS[k] } }; })
      });
    }
    series.push({
      name: text.points, type: "bar", barMaxWidth: 18, itemStyle: { color: "#9aa0ac" },
      label: { show: true, position: "top", fontSize: 10 },
      data: LEVEL_KEYS.map(function (k) {
        return { value: (counts.points || {})[k] || 0, itemStyle: { color: COLOURS[k], opacity: enterprisesToo ? 0.55 : 1 } };
      })
    });
    bar.setOption({
      animation: false,
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: { left: 4, right: 4, top: 36, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      xAxis: { type: "category", data: shortLabels(), axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    }, true);
  }

  function listItem(children, onClick, href) {
    var item = el(href ? "a" : "button", {
      className: "list-group-item list-group-item-action d-flex align-items-center gap-2 py-2 text-start"
    }, children);
    if (href) item.setAttribute("href", href);
    else item.setAttribute("type", "button");
    if (onClick) item.addEventListener("click", onClick);
    return item;
  }

  function sideRegions(regions) {
    var list = $("side-list");
    list.textContent = "";
    $("side-list-title").textContent = text.regionalLevel;
    regions.forEach(function (r) {
      var badge = el("span", { className: "ms-auto small text-secondary", text: levelLabel(r.level) + (r.adjusted ? " · " + text.adjusted : "") });
      list.appendChild(listItem([swatch(r.level), el("span", { text: r.name }), badge], function () {
        showDivision(r.code, true);
      }));
    });
  }

  function sideEnterprises(rows) {
    var list = $("side-list");
    list.textContent = "";
    $("side-list-title").textContent = text.enterprises;
    var sorted = rows.slice().sort(function (a, b) { return (a[4] || 9) - (b[4] || 9) || (a[1] < b[1] ? -1 : 1); });
    sorted.slice(0, MAX_SIDE_ENTERPRISES).forEach(function (r) {
      list.appendChild(listItem([swatch(r[4]), el("span", { text: r[1] }), el("span", { className: "ms-auto small text-secondary", text: levelLabel(r[4]) })],
        function () { showEnterprise(r[0], true); }));
    });
  }

  function sidePoints(data) {
    var list = $("side-list");
    list.textContent = "";
    $("side-list-title").textContent = text.points;
    var points = data.points;
    if (!points.length) {
      list.appendChild(el("div", { className: "list-group-item text-secondary", text: text.noPoints }));
      return;
    }
    points.forEach(function (p, index) {
      var where = [];
      if (data.plan && p.x === null) where.push(text.notOnPlan);
      if (p.lat === null || p.lon === null) where.push(text.noLatLon);
      var body = el("a", { className: "d-flex align-items-center gap-2 flex-fill text-reset text-decoration-none", href: p.url || "#" }, [
        paint(el("span", { className: "badge", text: String(index + 1) }), p.level),
        el("span", { className: "flex-fill" }, [
          el("div", { text: p.code + " " + p.name }),
          el("div", { className: "small text-secondary", text: [levelLabel(p.level)].concat(p.location ? [p.location] : []).concat(where).join(" · ") })
        ])
      ]);
      body.addEventListener("mouseenter", function () { highlightPoint(p.id); });
      body.addEventListener("focus", function () { highlightPoint(p.id); });
      var item = el("div", { className: "list-group-item d-flex align-items-center gap-2 py-2", "data-point": p.id }, [body]);
      if (p.placeUrl) {
        var place = el("button", {
          type: "button", className: "btn btn-sm btn-outline-primary", "data-place": p.id,
          text: p.x === null ? text.place : text.move, "aria-label": (p.x === null ? text.place : text.move) + " " + p.code
        });
        place.addEventListener("click", function () { startPlacing(data, p); });
        item.appendChild(place);
      }
      list.appendChild(item);
    });
  }

  function highlightPoint(id) {
    Array.prototype.forEach.call(document.querySelectorAll(".sg-plan-dot, #side-list [data-point]"), function (node) {
      node.classList.toggle("active", String(node.getAttribute("data-point")) === String(id));
    });
  }

  function updateLinks(code) {
    var link = $("open-list");
    if (link) {
      link.href = cfg.urls.enterpriseList + "?" + query({ division: code, sector: state.sector });
      link.lastChild.textContent = text.openList;
    }
    var regional = $("open-regional");
    if (regional) regional.href = cfg.urls.regionalList + "?" + query({ year: state.year, division: code });
  }

  // ---- layers other apps add (risks/map_layers.py): markers over the enterprises, a list beside ----------

  function activeLayers() {
    var on = {};
    Array.prototype.forEach.call(document.querySelectorAll('#map-filters input[name="layer"]'), function (box) {
      on[box.value] = box.checked;
    });
    return (cfg.layers || []).filter(function (layer) { return on[layer.key]; });
  }

  function fetchLayers(code) {
    return Promise.all(activeLayers().map(function (layer) {
      return getJSON(layer.url, { division: code })
        .then(function (data) { return { layer: layer, data: data }; })
        .catch(function () { return { layer: layer, data: null }; });  // a layer failing leaves the map drawn
    }));
  }

  function layerSeries(layers, coordinateSystem) {
    return layers.filter(function (l) { return l.data; }).map(function (l) {
      return {
        id: "layer:" + l.layer.label,  // another app's layer (map_layers), drawn over everything
        name: l.layer.label,
        type: "scatter",
        coordinateSystem: coordinateSystem,
        symbol: l.layer.symbol,
        symbolSize: 22,
        symbolOffset: [0, "-50%"],
        z: 30,
        itemStyle: { color: l.layer.colour, borderColor: "#ffffff", borderWidth: 1.5 },
        data: l.data.markers.map(function (m) {
          var item = { name: m.name, value: [m.lon, m.lat], lines: m.lines, layerUrl: m.url };
          if (m.colour) { item.itemStyle = { color: m.colour, borderColor: "#ffffff", borderWidth: 1.5 }; }  // a marker's own colour (e.g. a grade)
          return item;
        })
      };
    });
  }

  function layerLists(layers) {
    var shown = {};
    layers.forEach(function (l) { shown[l.layer.key] = l; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-layer-card]"), function (card) {
      var entry = shown[card.getAttribute("data-layer-card")];
      card.classList.toggle("d-none", !entry || !entry.data);
      if (!entry || !entry.data) return;
      var list = card.querySelector("[data-layer-list]");
      list.textContent = "";
      card.querySelector("[data-layer-count]").textContent = String(entry.data.items.length);
      entry.data.items.forEach(function (item) {
        var link = el("a", { className: "list-group-item list-group-item-action py-2", href: item.url }, [
          el("div", { className: "fw-bold", text: item.text }),
          el("div", { className: "small text-secondary", text: item.note })
        ]);
        list.appendChild(link);
      });
      if (!entry.data.items.length) {
        list.appendChild(el("div", { className: "list-group-item small text-secondary", text: text.layerEmpty + entry.layer.label }));
      }
      if (entry.data.unplaced) {
        list.appendChild(el("div", { className: "list-group-item small text-secondary", text: entry.data.unplaced + " " + text.layerUnplaced }));
      }
    });
  }

  function hideLayerLists() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-layer-card]"), function (card) { card.classList.add("d-none"); });
  }

  // ---- the map -------------------------------------------------------------------------------------

  function scatterSeries(rows, coordinateSystem) {
    var large = rows.length > 2000;
    var byLevel = {};
    rows.forEach(function (r) {
      var key = r[4] ? String(r[4]) : "none";
      (byLevel[key] = byLevel[key] || []).push({ name: r[1], value: [r[3], r[2]], id: r[0], level: r[4] });
    });
    return LEVEL_KEYS.filter(function (k) { return byLevel[k]; }).map(function (k) {
      return {
        name: k === "none" ? text.none : levelLabel(Number(k)),
        type: "scatter",
        coordinateSystem: coordinateSystem,
        data: byLevel[k],
        symbolSize: large ? 4 : 9,
        large: large,
        z: 10 - (k === "none" ? 5 : Number(k)),
        itemStyle: large ? { color: COLOURS[k] } : {
          color: COLOURS[k], borderColor: "#ffffff", borderWidth: 1.5, shadowBlur: 3, shadowColor: "rgba(0,0,0,.55)"
        }
      };
    });
  }

  function extentOf(pairs, pad) {
    var xs = pairs.map(function (p) { return p[0]; }), ys = pairs.map(function (p) { return p[1]; });
    return {
      x: [Math.min.apply(null, xs) - pad, Math.max.apply(null, xs) + pad],
      y: [Math.min.apply(null, ys) - pad, Math.max.apply(null, ys) + pad]
    };
  }

  function cartesian(series, pairs) {
    var ext = extentOf(pairs.length ? pairs : [[0, 0]], 0.005);
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (p) { return p.data && p.data.lines ? p.data.lines.join("\n") : p.name + "\n" + p.seriesName; }
      },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: ext.x[0], max: ext.x[1], axisLabel: { formatter: function (v) { return v.toFixed(3) + "°E"; } }, splitLine: { show: false } },
      yAxis: { type: "value", min: ext.y[0], max: ext.y[1], axisLabel: { formatter: function (v) { return v.toFixed(3) + "°N"; } }, splitLine: { show: false } },
      series: series
    };
  }

  // Region names as their own layer, on top of the enterprise dots, on a light background so a name stays
  // readable over a cluster; overlapping names are hidden rather than stacked.
  function regionLabels(regions) {
    return {
      type: "scatter",
      coordinateSystem: "geo",
      silent: true,
      z: 20,
      symbolSize: 0,
      labelLayout: { hideOverlap: true },
      data: regions.map(function (r) { return { name: r.name, value: [r.lon, r.lat] }; }),
      label: {
        show: true, formatter: "{b}", fontSize: 10, color: "#1d273b", position: "inside",
        backgroundColor: "rgba(255,255,255,.82)", padding: [1, 3], borderRadius: 3
      },
      tooltip: { show: false }
    };
  }

  function renderDivision(div, ents, layers) {
    $("risk-map").classList.remove("d-none");
    $("plan-view").classList.add("d-none");
    $("plan-toggle").classList.add("d-none");
    chart.resize();
    var regionsByCode = {};
    div.regions.forEach(function (r) { regionsByCode[r.code] = r; });
    lastRegions = div.regions;
    var rows = ents.rows;
    var option;
    var labelled = div.regions.length <= 40 && div.regions.every(function (r) { return r.lat !== null && r.lon !== null; });
    if (div.geojson.features.length) {
      var mapName = "sg-" + div.node.code;
      window.echarts.registerMap(mapName, div.geojson);
      option = {
        animation: false,
        tooltip: {
          trigger: "item",
          // Drawn by ECharts, not as HTML: the CSP allows no style attributes, and names stay plain text.
          renderMode: "richText",
          formatter: function (p) {
            if (p.seriesType === "map") {
              var r = regionsByCode[p.name];
              if (!r) return p.name;
              var line = r.name + "\n" + text.regionalLevel + "：" + levelLabel(r.level);
              if (r.adjusted) line += "（" + text.adjusted + "，" + text.proposed + "：" + levelLabel(r.proposed) + "）";
              return line;
            }
            if (p.data && p.data.lines) return p.data.lines.join("\n");
            return p.name + "\n" + p.seriesName;
          }
        },
        visualMap: {
          type: "piecewise",
          seriesIndex: 0,
          orient: "horizontal",
          left: 4,
          bottom: 4,
          itemWidth: 14,
          itemHeight: 10,
          textStyle: { fontSize: 11 },
          // "Not graded" is value 5 so the legend reads 重大 较大 一般 低 未评定 (ECharts sorts by value).
          pieces: cfg.levels.map(function (l) { return { value: l.value, label: l.short, color: AREA_COLOURS[l.value] }; })
            .concat([{ value: NOT_GRADED, label: text.none, color: AREA_COLOURS[NOT_GRADED] }])
        },
        geo: {
          map: mapName,
          nameProperty: "code",
          roam: true,
          scaleLimit: { min: 0.8, max: 40 },
          top: 8, bottom: 36, left: 8, right: 8,
          // Region names are drawn by the label series below, above the enterprise dots (the geo's own
          // labels sit under them); the geo labels only stand in for regions without a centre.
          label: {
            show: div.regions.length <= 40 && !labelled,
            fontSize: 10,
            color: "#1d273b",
            formatter: function (p) { return (regionsByCode[p.name] || { name: "" }).name; }
          },
          itemStyle: { borderColor: "#ffffff", borderWidth: 1, areaColor: "#dee2e6" },
          emphasis: { label: { show: !labelled }, itemStyle: { borderColor: "#1d273b", borderWidth: 2 } }
        },
        series: [{
          type: "map",
          geoIndex: 0,
          data: div.regions.map(function (r) { return { name: r.code, value: r.level || NOT_GRADED }; })
        }].concat(scatterSeries(rows, "geo")).concat(labelled ? [regionLabels(div.regions)] : [])
          .concat(layerSeries(layers, "geo"))
      };
    } else {
      option = cartesian(
        scatterSeries(rows, "cartesian2d").concat(layerSeries(layers, "cartesian2d")),
        rows.map(function (r) { return [r[3], r[2]]; })
      );
    }
    chart.setOption(option, true);
    $("illustrative-note").classList.toggle("d-none", !div.illustrative);
    $("legend-title").textContent = text.legendMap;
    var notes = [];
    if (!div.geojson.features.length) notes.push(text.noBoundary);
    if (ents.unplaced) notes.push(ents.unplaced + " " + text.unplaced);
    status(notes.join(" "));
  }

  function showDivision(code, push) {
    var token = ++loadToken;
    state.division = code;
    state.enterprise = null;
    status(text.loading);
    Promise.all([
      getJSON(cfg.urls.divisions, { division: code, year: state.year }),
      getJSON(cfg.urls.enterprises, { division: code, sector: state.sector, level: state.level }),
      fetchLayers(code)
    ]).then(function (results) {
      if (token !== loadToken) return;
      var div = results[0], ents = results[1], layers = results[2];
      lastEnterprises = ents;
      breadcrumb(div.path);
      renderDivision(div, ents, layers);
      layerLists(layers);
      setCounts(ents.counts, true);
      $("counts-title").textContent = div.node.name;
      var childLevel = div.regions.length && div.regions[0].code !== div.node.code;
      if (childLevel) sideRegions(div.regions);
      else sideEnterprises(ents.rows);
      updateLinks(code);
      if (push) remember();
    }).catch(function () { if (token === loadToken) status(text.error); });
  }

  // ---- one enterprise: its site plan, or its points by lat/lon ------------------------------------------

  var lastPoints = null;
  var view = "plan";  // "plan" or "coords" for an enterprise with a site plan
  var placing = null;  // the point an editor is placing on the plan

  function planNotes(data) {
    var offPlan = data.points.filter(function (p) { return p.x === null; });
    var neither = offPlan.filter(function (p) { return p.lat === null || p.lon === null; });
    var notes = [];
    if (offPlan.length) {
      notes.push(offPlan.length + " " + text.offPlan + (data.canPlace ? text.placeHint : ""));
    }
    if (neither.length) notes.push(neither.length + " " + text.neither);
    return notes.join(" ");
  }

  function renderPlan(data) {
    $("risk-map").classList.add("d-none");
    $("plan-view").classList.remove("d-none");
    var img = $("plan-image");
    if (img.getAttribute("src") !== data.plan.url) img.src = data.plan.url;
    img.width = data.plan.width;
    img.height = data.plan.height;
    var layer = $("plan-points");
    layer.textContent = "";
    data.points.forEach(function (p, index) {
      if (p.x === null || p.y === null) return;
      var dot = el("button", {
        type: "button",
        className: "sg-plan-dot",
        title: p.code + " " + p.name + " · " + levelLabel(p.level),
        "aria-label": p.code + " " + p.name + " " + levelLabel(p.level),
        "data-point": p.id,
        text: String(index + 1)
      });
      paint(dot, p.level);
      dot.style.left = (p.x * 100) + "%";
      dot.style.top = (p.y * 100) + "%";
      dot.addEventListener("click", function () { if (!placing) highlightPoint(p.id); });
      layer.appendChild(dot);
    });
    if (!placing) status(data.points.length ? planNotes(data) : text.noPoints);
  }

  // The smallest box (with a margin) holding the points, stretched to the chart's shape so that a metre
  // is as long across as up and close points are not squeezed into one blob.
  function fittedExtent(pairs, lat) {
    var ext = extentOf(pairs, 0);
    var node = $("risk-map");
    var ratio = Math.max(node.clientWidth, 1) / Math.max(node.clientHeight, 1);
    var k = Math.max(Math.cos(lat * Math.PI / 180), 0.2);  // degrees of longitude per degree of latitude on the ground
    var latSpan = Math.max(ext.y[1] - ext.y[0], (ext.x[1] - ext.x[0]) * k / ratio, 0.0012) * 1.35;
    var lonSpan = latSpan * ratio / k;
    var cy = (ext.y[0] + ext.y[1]) / 2, cx = (ext.x[0] + ext.x[1]) / 2;
    return { x: [cx - lonSpan / 2, cx + lonSpan / 2], y: [cy - latSpan / 2, cy + latSpan / 2] };
  }

  function renderPointsByCoords(data) {
    $("risk-map").classList.remove("d-none");
    $("plan-view").classList.add("d-none");
    chart.resize();
    var e = data.enterprise;
    var located = [];
    data.points.forEach(function (p, index) {
      if (p.lat !== null && p.lon !== null) located.push({ p: p, n: index + 1 });
    });
    var byLevel = {};
    located.forEach(function (item) {
      var key = item.p.level ? String(item.p.level) : "none";
      (byLevel[key] = byLevel[key] || []).push({ name: item.p.code + " " + item.p.name, value: [item.p.lon, item.p.lat], id: item.p.id, n: item.n });
    });
    var series = LEVEL_KEYS.filter(function (k) { return byLevel[k]; }).map(function (k) {
      return {
        name: k === "none" ? text.none : levelLabel(Number(k)),
        type: "scatter",
        data: byLevel[k],
        symbolSize: 20,
        z: 10 - (k === "none" ? 5 : Number(k)),
        itemStyle: { color: COLOURS[k], borderColor: "#ffffff", borderWidth: 2, shadowBlur: 3, shadowColor: "rgba(0,0,0,.45)" },
        // the list number in the dot, as on the site plan; names are in the list and the tooltip
        label: { show: true, position: "inside", formatter: function (q) { return String(q.data.n); }, color: TEXT_COLOURS[k], fontSize: 10, fontWeight: "bold" },
        labelLayout: { moveOverlap: "shiftY" }
      };
    });
    var pairs = located.map(function (item) { return [item.p.lon, item.p.lat]; });
    if (e.lat !== null && e.lon !== null) {
      pairs.push([e.lon, e.lat]);
      // The enterprise's own position: a small dark diamond under the points, named in the tooltip only
      // (a name label drawn over the points hid them).
      series.push({
        name: e.name, type: "scatter", data: [{ name: e.name, value: [e.lon, e.lat] }], symbol: "diamond",
        symbolSize: 12, z: 1, itemStyle: { color: "#1d273b", opacity: 0.75 }
      });
    }
    var lat = pairs.length ? pairs[0][1] : 37;
    var ext = fittedExtent(pairs.length ? pairs : [[0, 0]], lat);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (q) { return q.name + "<br>" + q.seriesName; } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      // few ticks on a phone so the 4-decimal labels do not run into each other
      xAxis: { type: "value", min: ext.x[0], max: ext.x[1], splitNumber: $("risk-map").clientWidth < 560 ? 2 : 5, axisLabel: { hideOverlap: true, formatter: function (v) { return v.toFixed(4) + "°E"; } }, splitLine: { show: false } },
      yAxis: { type: "value", min: ext.y[0], max: ext.y[1], axisLabel: { hideOverlap: true, formatter: function (v) { return v.toFixed(4) + "°N"; } }, splitLine: { show: false } },
      series: series
    }, true);
    var notes = [];
    if (!data.plan) notes.push(text.noPlan);
    var missing = data.points.length - located.length;
    if (missing) notes.push(missing + " " + text.noCoords);
    status(data.points.length ? notes.join(" ") : text.noPoints);
  }

  function renderEnterprise(data) {
    var toggle = $("plan-toggle");
    var both = Boolean(data.plan) && data.points.some(function (p) { return p.lat !== null && p.lon !== null; });
    toggle.classList.toggle("d-none", !both);
    if (!data.plan) view = "coords";
    Array.prototype.forEach.call(toggle.querySelectorAll("[data-view]"), function (button) {
      var on = button.getAttribute("data-view") === view;
      button.classList.toggle("active", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    if (data.plan && view === "plan") renderPlan(data);
    else renderPointsByCoords(data);
  }

  // ---- placing a point on the plan: pick it in the list, click the plan, the server saves and audits ----

  function csrfToken() {
    var field = document.querySelector("#map-csrf [name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function stopPlacing(message) {
    placing = null;
    $("plan-view").classList.remove("sg-placing");
    Array.prototype.forEach.call(document.querySelectorAll("[data-place]"), function (b) { b.classList.remove("active"); });
    status(message !== undefined ? message : (lastPoints ? planNotes(lastPoints) : ""));
  }

  function startPlacing(data, point) {
    placing = point;
    view = "plan";
    renderEnterprise(data);
    $("plan-view").classList.add("sg-placing");
    Array.prototype.forEach.call(document.querySelectorAll("[data-place]"), function (b) {
      b.classList.toggle("active", String(b.getAttribute("data-place")) === String(point.id));
    });
    status(text.clickPlan.replace("%(point)s", point.code + " " + point.name));
    $("plan-view").scrollIntoView({ block: "nearest" });
  }

  function placeAt(event) {
    if (!placing) return;
    event.preventDefault();
    var rect = $("plan-image").getBoundingClientRect();
    var x = Math.min(Math.max((event.clientX - rect.left) / rect.width, 0), 1);
    var y = Math.min(Math.max((event.clientY - rect.top) / rect.height, 0), 1);
    var point = placing;
    var body = new URLSearchParams({ x: x.toFixed(4), y: y.toFixed(4) });
    fetch(point.placeUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (result) {
      if (!result.ok) {
        var errors = result.json.errors || {};
        var first = Object.keys(errors)[0];
        stopPlacing(first ? errors[first].join(" ") : text.error);
        return;
      }
      point.x = result.json.x;
      point.y = result.json.y;
      placing = null;
      renderPlan(lastPoints);
      sidePoints(lastPoints);
      stopPlacing(text.placed.replace("%(point)s", point.code + " " + point.name));
      highlightPoint(point.id);
    }).catch(function () { stopPlacing(text.error); });
  }

  function showEnterprise(id, push) {
    var token = ++loadToken;
    state.enterprise = id;
    placing = null;
    hideLayerLists();
    status(text.loading);
    getJSON(cfg.urls.points, { enterprise: id }).then(function (data) {
      if (token !== loadToken) return;
      lastPoints = data;
      view = data.plan ? "plan" : "coords";
      breadcrumb(data.path, data.enterprise.name);
      renderEnterprise(data);
      setCounts(data.counts, false);
      $("counts-title").textContent = data.enterprise.name;
      sidePoints(data);
      $("illustrative-note").classList.add("d-none");
      $("legend-title").textContent = text.legendPoints;
      var link = $("open-list");
      if (link) { link.href = data.enterprise.url; link.lastChild.textContent = text.openEnterprise; }
      if (push) remember();
      if (cfg.placePoint) {
        var wanted = data.points.filter(function (p) { return String(p.id) === String(cfg.placePoint); })[0];
        cfg.placePoint = null;
        if (wanted && wanted.placeUrl) startPlacing(data, wanted);
      }
    }).catch(function () { if (token === loadToken) status(text.error); });
  }

  // ---- history, filters, start -----------------------------------------------------------------------

  function remember() {
    var params = { year: state.year, sector: state.sector, level: state.level };
    if (state.enterprise) params.enterprise = state.enterprise;
    else params.division = state.division;
    history.pushState({ division: state.division, enterprise: state.enterprise }, "", "?" + query(params));
  }

  function reload() {
    if (state.enterprise) showEnterprise(state.enterprise, false);
    else if (state.division) showDivision(state.division, false);
  }

  function start() {
    var holder = $("risk-map-config");
    if (!holder || !window.echarts) return;
    cfg = JSON.parse(holder.textContent);
    readColours();
    text = cfg.text;
    state.year = cfg.year;
    chart = window.echarts.init($("risk-map"), null, { renderer: "canvas" });
    bar = window.echarts.init($("counts-chart"), null, { renderer: "svg" });
    chart.on("click", function (p) {
      if (p.data && p.data.layerUrl) {
        window.location.href = p.data.layerUrl;  // a layer's marker opens what it shows (e.g. the hazard)
      } else if (p.seriesType === "map" || p.componentType === "geo") {
        var code = p.name;
        var region = lastRegions.filter(function (r) { return r.code === code; })[0];
        if (region && region.code !== state.division) showDivision(region.code, true);
      } else if (p.seriesType === "scatter" && p.data && p.data.id) {
        if (state.enterprise) highlightPoint(p.data.id);
        else showEnterprise(p.data.id, true);
      }
    });
    var form = $("map-filters");
    var params = new URLSearchParams(window.location.search);
    ["sector", "level"].forEach(function (name) {
      var field = form.elements[name];
      if (field && params.get(name)) { field.value = params.get(name); state[name] = field.value; }
    });
    form.addEventListener("change", function () {
      if (form.elements.year) state.year = form.elements.year.value;
      if (form.elements.sector) state.sector = form.elements.sector.value;
      if (form.elements.level) state.level = form.elements.level.value;
      if (state.enterprise && cfg.root) showDivision(state.division || cfg.start, true);
      else reload();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    window.addEventListener("popstate", function (event) {
      var s = event.state || {};
      if (s.enterprise) showEnterprise(s.enterprise, false);
      else if (s.division) showDivision(s.division, false);
    });
    window.addEventListener("resize", function () { chart.resize(); bar.resize(); });
    Array.prototype.forEach.call($("plan-toggle").querySelectorAll("[data-view]"), function (button) {
      button.addEventListener("click", function () {
        view = button.getAttribute("data-view");
        if (view !== "plan" && placing) stopPlacing();
        if (lastPoints) renderEnterprise(lastPoints);
      });
    });
    $("plan-view").addEventListener("click", placeAt, true);  // capture: a click on a dot places too
    document.addEventListener("keydown", function (event) { if (event.key === "Escape" && placing) stopPlacing(); });
    var startDivision = cfg.start;  // the server checked ?division= against the user's map
    if (cfg.startEnterprise) {
      state.division = startDivision;
      showEnterprise(cfg.startEnterprise, false);
    } else if (startDivision) {
      showDivision(startDivision, false);
    }
    history.replaceState({ division: startDivision, enterprise: cfg.startEnterprise }, "");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

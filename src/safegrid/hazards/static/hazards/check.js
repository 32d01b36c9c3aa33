// The check form's device facts: the phone's position (a soft presence signal), its own clock and an id
// kept in this browser's storage. All optional: without them the check is still recorded.
(function () {
  "use strict";
  var form = document.querySelector("form[data-check-form]");
  if (!form) return;
  function field(name) { return form.querySelector("input[name='" + name + "']"); }
  var key = "safegrid.device_id";
  var id = null;
  try {
    id = window.localStorage.getItem(key);
    if (!id) {
      id = window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
      window.localStorage.setItem(key, id);
    }
  } catch (e) { id = null; }
  if (id && field("device_id")) field("device_id").value = id;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localIso(d) {
    var off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  form.addEventListener("submit", function () {
    if (field("device_time")) field("device_time").value = localIso(new Date());
  });
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      field("lat").value = pos.coords.latitude.toFixed(7);
      field("lon").value = pos.coords.longitude.toFixed(7);
      field("accuracy").value = Math.round(pos.coords.accuracy);
    }, function () { /* refused or unavailable: presence stays "none" unless scanned */ },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
})();

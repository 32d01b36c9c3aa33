// The offline outbox, shared by the pages (offline.js) and the service worker (sw.js): form posts kept in
// the phone's IndexedDB (idb-keyval) until they can be sent. Each item carries the Idempotency-Key it was
// given when the worker pressed "submit", so sending it twice (a lost answer, two tabs, the page and
// Background Sync at once) records it once: the server replays its first answer for the same key.
(function (root) {
  "use strict";
  var kv = root.idbKeyval;
  if (!kv) return;
  var items = kv.createStore("safegrid-outbox", "items");
  var meta = kv.createStore("safegrid-outbox-meta", "meta");
  var running = null;

  function uuid() {
    var c = root.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    var b = new Uint8Array(16);
    c.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // A form's fields as storable values: text as strings, files as Blobs with their names. The CSRF
  // token is left out: it is sent in a header from the cookie at send time (a page kept offline may
  // carry an older one).
  function fieldsOf(formData) {
    var fields = [];
    formData.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      if (typeof value === "string") fields.push([name, value]);
      else if (value && value.size > 0) fields.push([name, { blob: value, name: value.name || "photo", type: value.type }]);
    });
    return fields;
  }

  function formDataOf(fields) {
    var fd = new FormData();
    fields.forEach(function (pair) {
      var v = pair[1];
      if (typeof v === "string") fd.append(pair[0], v);
      else fd.append(pair[0], v.blob, v.name);
    });
    return fd;
  }

  function make(options) {
    return {
      key: uuid(),
      user: String(options.user || ""),
      url: options.url,
      label: options.label || "",
      ref: options.ref || "",
      fields: fieldsOf(options.formData),
      created: new Date().toISOString(),
      state: "pending", // pending | login (signed out: waits for the same user) | rejected (kept with the reason)
      error: "",
      attempts: 0
    };
  }

  function save(item) { return kv.set(item.key, item, items); }
  function remove(key) { return kv.del(key, items); }
  function all() {
    return kv.values(items).then(function (list) {
      return list.sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }

  // The reason in a refusal: the API's JSON error, or the messages of a re-rendered form.
  function reasonOf(response) {
    var type = response.headers.get("Content-Type") || "";
    return response.text().then(function (text) {
      if (type.indexOf("json") >= 0) {
        try { return JSON.parse(text).error.message; } catch (e) { return ""; }
      }
      if (typeof DOMParser === "undefined") return "";
      var doc = new DOMParser().parseFromString(text, "text/html");
      var found = doc.querySelectorAll(".invalid-feedback, .alert-danger, main .alert, .empty-title, h1");
      var texts = [];
      Array.prototype.forEach.call(found, function (n) {
        var t = (n.textContent || "").replace(/\s+/g, " ").trim();
        if (t && texts.indexOf(t) < 0) texts.push(t);
      });
      return texts.slice(0, 3).join("；");
    }).catch(function () { return ""; });
  }

  // One send. Resolves to {outcome, response, reason}: sent | retry (no network, server busy or down) |
  // login (signed out) | rejected (the server refused the content: kept, with the reason).
  // `follow`: fetch the page the server redirects to after a save (the page's own submit shows it);
  // the background flush does not (an opaque redirect is the save's answer, nothing more to download).
  function send(item, csrf, follow) {
    var headers = { "Idempotency-Key": item.key, "X-Requested-With": "SafeGridOutbox" };
    if (csrf) headers["X-CSRFToken"] = csrf;
    return fetch(item.url, {
      method: "POST", body: formDataOf(item.fields), headers: headers,
      credentials: "same-origin", redirect: follow ? "follow" : "manual", cache: "no-store"
    }).then(function (response) {
      if (response.type === "opaqueredirect") return { outcome: "sent", response: response, reason: "" };
      var loginPath = (root.SAFEGRID_LOGIN || "/login/");
      if (response.status === 401 || (response.redirected && new URL(response.url).pathname === loginPath)) {
        return { outcome: "login", response: response, reason: "" };
      }
      if (response.ok) return { outcome: "sent", response: response, reason: "" };
      if (response.status === 409 || response.status === 429 || response.status >= 500) {
        return { outcome: "retry", response: response, reason: "" };
      }
      return reasonOf(response.clone()).then(function (reason) {
        return { outcome: "rejected", response: response, reason: reason || ("HTTP " + response.status) };
      });
    }, function () {
      return { outcome: "retry", response: null, reason: "" };
    });
  }

  // Send every waiting item of `user`, oldest first; stops at the first network failure or sign-out.
  // Resolves to {sent, left, stopped}. Only one flush runs at a time in this page or worker.
  function flush(user, csrfSource) {
    if (running) return running;
    user = String(user || "");
    // The page and the service worker (Background Sync) may both start a flush when the connection
    // returns: the Web Lock lets one run at a time across them, and the next one finds what is left.
    // (Without Web Locks both may send an item; its key makes the second send a replay.)
    var locks = root.navigator && root.navigator.locks;
    running = (locks ? locks.request("safegrid-outbox", function () { return flushNow(user, csrfSource); })
      : flushNow(user, csrfSource)).then(function (result) {
      running = null;
      return result;
    }, function (error) {
      running = null;
      throw error;
    });
    return running;
  }

  function flushNow(user, csrfSource) {
    return all().then(function (list) {
      var mine = list.filter(function (i) { return i.user === user && i.state !== "rejected"; });
      var result = { sent: 0, left: mine.length, stopped: "" };
      var chain = Promise.resolve();
      mine.forEach(function (item) {
        chain = chain.then(function () {
          if (result.stopped) return null;
          return Promise.resolve(csrfSource()).then(function (csrf) { return send(item, csrf); }).then(function (r) {
            item.attempts += 1;
            if (r.outcome === "sent") { result.sent += 1; result.left -= 1; return remove(item.key); }
            if (r.outcome === "retry") { result.stopped = "retry"; return save(item); }
            if (r.outcome === "login") { result.stopped = "login"; item.state = "login"; return save(item); }
            item.state = "rejected"; item.error = r.reason; result.left -= 1;
            return save(item);
          });
        });
      });
      return chain.then(function () { return result; });
    });
  }

  root.SafeGridOutbox = {
    make: make, save: save, remove: remove, all: all, send: send, flush: flush,
    setUser: function (user) { return kv.set("user", String(user || ""), meta); },
    getUser: function () { return kv.get("user", meta); },
    SYNC_TAG: "safegrid-outbox"
  };
})(self);

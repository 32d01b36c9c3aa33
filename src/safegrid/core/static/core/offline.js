// The page side of the offline app: registers the service worker, sends forms marked
// data-offline-outbox through the outbox (outbox.js), shows "待发送 N 条", and sends what waits when the
// connection returns (page load, the "online" event, Background Sync, the "立即发送" button).
// The banner's texts come translated from core/webapp/_outbox.html (data-t-* attributes).
(function () {
  "use strict";
  var O = window.SafeGridOutbox;
  var body = document.body;
  var box = document.getElementById("sg-outbox");
  if (!O || !box) return;
  var signedIn = body.getAttribute("data-sg-user");
  var userReady = signedIn ? O.setUser(signedIn).then(function () { return signedIn; }) : O.getUser();
  var justSent = 0;
  window.SAFEGRID_LOGIN = body.getAttribute("data-sg-login") || "/login/";

  function t(name, n) { return (box.getAttribute("data-t-" + name) || "").replace("{n}", n); }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  function when(iso) {
    var d = new Date(iso);
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }
  // The phone's clock, with its offset: what the server keeps beside its own time.
  function localIso(d) {
    function p(n) { return (n < 10 ? "0" : "") + n; }
    var off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" +
      p(d.getMinutes()) + ":" + p(d.getSeconds()) + sign + p(Math.floor(off / 60)) + ":" + p(off % 60);
  }

  // ---- the banner ------------------------------------------------------------------------------
  function render() {
    return Promise.all([userReady, O.all()]).then(function (found) {
      var user = String(found[0] || ""), list = found[1];
      var mine = list.filter(function (i) { return i.user === user; });
      var waiting = mine.filter(function (i) { return i.state !== "rejected"; });
      var rejected = mine.filter(function (i) { return i.state === "rejected"; });
      var others = list.filter(function (i) { return i.user !== user && i.state !== "rejected"; });
      var signedOut = waiting.some(function (i) { return i.state === "login"; });
      box.textContent = "";
      if (waiting.length) {
        var alert = el("div", "alert alert-warning sg-outbox-alert");
        alert.setAttribute("role", "status");
        alert.setAttribute("data-testid", "outbox-pending");
        var head = el("div", "d-flex align-items-center gap-2 flex-wrap");
        head.appendChild(el("strong", "sg-outbox-count", t("pending", waiting.length)));
        if (navigator.onLine && !signedOut) {
          var now = el("button", "btn btn-sm btn-warning ms-auto", t("send-now"));
          now.type = "button";
          now.addEventListener("click", function () { flush(); });
          head.appendChild(now);
        }
        alert.appendChild(head);
        var hint = signedOut ? t("login") : (navigator.onLine ? t("online") : t("offline"));
        alert.appendChild(el("div", "small mt-1", hint));
        if (signedOut) {
          var a = el("a", "btn btn-sm btn-primary mt-2", t("login-link"));
          a.href = window.SAFEGRID_LOGIN + "?next=" + encodeURIComponent(location.pathname);
          alert.appendChild(a);
        }
        var ul = el("ul", "small mb-0 mt-1 sg-outbox-list");
        waiting.forEach(function (i) { ul.appendChild(el("li", "", i.label + " · " + when(i.created))); });
        alert.appendChild(ul);
        box.appendChild(alert);
      } else if (!navigator.onLine) {
        box.appendChild(el("div", "alert alert-secondary py-2 small", t("offline-page")));
      }
      if (justSent) {
        var ok = el("div", "alert alert-success py-2", t("sent", justSent));
        ok.setAttribute("data-testid", "outbox-sent");
        box.appendChild(ok);
      }
      if (rejected.length) {
        var bad = el("div", "alert alert-danger");
        bad.setAttribute("data-testid", "outbox-rejected");
        bad.appendChild(el("strong", "", t("rejected", rejected.length)));
        rejected.forEach(function (i) {
          var row = el("div", "d-flex gap-2 align-items-start mt-2 small");
          var text = el("div", "flex-grow-1");
          text.appendChild(el("div", "fw-bold", i.label + " · " + when(i.created)));
          text.appendChild(el("div", "", i.error));
          row.appendChild(text);
          var del = el("button", "btn btn-sm btn-outline-danger", t("delete"));
          del.type = "button";
          del.addEventListener("click", function () {
            if (window.confirm(t("delete-confirm"))) O.remove(i.key).then(render);
          });
          row.appendChild(del);
          bad.appendChild(row);
        });
        box.appendChild(bad);
      }
      if (others.length) box.appendChild(el("div", "alert alert-info py-2 small", t("others", others.length)));
      markQueued(waiting);
    });
  }

  // Rows and forms of what waits in the outbox: the due list says "待发送", the check form is closed.
  function markQueued(waiting) {
    var refs = {};
    waiting.forEach(function (i) { if (i.ref) refs[i.ref] = true; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-offline-ref]"), function (node) {
      var queued = !!refs[node.getAttribute("data-offline-ref")];
      var badge = node.querySelector(".sg-queued-badge");
      if (node.tagName === "FORM") {
        var note = node.previousElementSibling;
        if (queued && !(note && note.classList.contains("sg-queued-note"))) {
          note = el("div", "alert alert-warning sg-queued-note", t("queued-form"));
          node.parentNode.insertBefore(note, node);
        }
        Array.prototype.forEach.call(node.querySelectorAll("button[type=submit]"), function (b) { b.disabled = queued; });
      } else if (queued && !badge) {
        node.appendChild(el("span", "badge bg-warning text-white sg-queued-badge", t("queued-badge")));
      } else if (!queued && badge) {
        badge.remove();
      }
    });
  }

  // ---- sending ---------------------------------------------------------------------------------
  function flush() {
    if (!navigator.onLine) return render();
    return userReady.then(function (user) {
      if (!user || !signedIn) return null; // only a signed-in page sends (its session and CSRF cookie)
      return O.flush(user, csrf);  // sends without following the redirect after a save: less to download
    }).then(function (result) {
      if (result && result.sent) justSent += result.sent;
      return render();
    }).catch(function () { return render(); });
  }

  function askSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register(O.SYNC_TAG);
      return null;
    }).catch(function () { /* Background Sync unavailable: the page sends on load and when online */ });
  }

  // Show the server's answer in place (the form again with its errors, or the page after a save):
  // the shell's own scripts stay, the page's own (check.js) run again for the new content.
  function showAnswer(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    if (url && url !== location.href) {
      history.pushState(null, "", url);
      // "Back" then goes to the previous address: load it, rather than keep this content under it.
      window.addEventListener("popstate", function () { location.reload(); });
    }
    document.title = doc.title;
    var shell = {};
    Array.prototype.forEach.call(document.querySelectorAll("script[data-sg-shell]"), function (s) { shell[s.src] = true; });
    body.replaceChildren.apply(body, Array.prototype.map.call(doc.body.childNodes, function (n) {
      return document.importNode(n, true);
    }));
    Array.prototype.forEach.call(doc.body.attributes, function (a) { body.setAttribute(a.name, a.value); });
    Array.prototype.forEach.call(body.querySelectorAll("script[src]"), function (old) {
      if (shell[old.src]) return;
      var s = document.createElement("script");
      s.src = old.src;
      old.replaceWith(s);
    });
    box = document.getElementById("sg-outbox") || box;
    if (window.htmx) window.htmx.trigger(body, "htmx:load", { elt: body });
    window.scrollTo({ top: 0, behavior: "instant" });
    render();
  }

  // What the banner calls a waiting item: the form's label, and the value of its data-offline-label-field.
  function labelOf(form) {
    var label = form.getAttribute("data-offline-label") || document.title;
    var name = form.getAttribute("data-offline-label-field");
    var input = name ? form.elements.namedItem(name) : null;
    return input && input.value ? label + "：" + input.value : label;
  }

  function queue(form, item) {
    return O.save(item).catch(function (error) {
      // No IndexedDB here (storage full, a private window): send the form the ordinary way instead.
      form.removeAttribute("data-offline-outbox");
      form.submit();
      throw error;
    }).then(function () {
      askSync();
      var next = form.getAttribute("data-offline-next");
      if (next) { window.location.assign(next); return null; }
      form.reset();
      window.scrollTo({ top: 0, behavior: "instant" });
      return render();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches("form[data-offline-outbox]")) return;
    event.preventDefault();
    Array.prototype.forEach.call(form.querySelectorAll("input[name=device_time]"), function (input) {
      input.value = localIso(new Date());
    });
    var formData = new FormData(form);
    if (event.submitter && event.submitter.name) formData.append(event.submitter.name, event.submitter.value);
    var item = O.make({
      user: signedIn, url: form.action, formData: formData,
      label: labelOf(form),
      ref: form.getAttribute("data-offline-ref")
    });
    var buttons = form.querySelectorAll("button[type=submit]");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    if (!navigator.onLine) { queue(form, item).catch(function () { /* sent the ordinary way */ }); return; }
    O.send(item, csrf(), true).then(function (r) {
      if (r.outcome === "retry") return queue(form, item);
      if (r.outcome === "login") { item.state = "login"; return queue(form, item); }
      return r.response.text().then(function (html) { showAnswer(html, r.response.url); });
    }).catch(function () {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
    });
  });

  // Sign-out: the pages kept on this phone go with the session.
  var logout = body.getAttribute("data-sg-logout");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!logout || !form.getAttribute || new URL(form.action, location.href).pathname !== logout) return;
    if (form.hasAttribute("data-sg-cleared")) return;
    event.preventDefault();
    form.setAttribute("data-sg-cleared", "");
    var done = function () { form.submit(); };
    var clear = window.caches ? caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("sg-pages-") === 0; }).map(function (n) {
        return caches.delete(n);
      }));
    }) : Promise.resolve();
    Promise.all([clear, O.setUser("")]).then(done, done);
  });

  // ---- start -----------------------------------------------------------------------------------
  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  var swUrl = body.getAttribute("data-sg-sw");
  if ("serviceWorker" in navigator && swUrl) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "flush") flush();
      if (data.type === "outbox-changed") { justSent += data.sent || 0; render(); }
    });
    navigator.serviceWorker.register(swUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (!navigator.onLine || !signedIn || !reg.active) return;
      var urls = Array.prototype.map.call(document.querySelectorAll("a[data-offline-warm]"), function (a) { return a.href; });
      reg.active.postMessage({ type: "warm", urls: urls.slice(0, 40) });
    }).catch(function () { /* no service worker (private mode, http): the outbox still works while the page is open */ });
  }
  render().then(flush);
  window.SafeGridOffline = { flush: flush, render: render };
})();

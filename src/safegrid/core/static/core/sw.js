// The service worker (imported by /sw.js, which sets self.SAFEGRID_SW from core/webapp.py).
// - The shell (CSS, JS, icons, the offline page) is precached per version: cache first.
// - The offline pages (registered by the apps: the due list, check pages, the hazard report form) are
//   network first; the last good answer is kept and served when there is no signal.
// - Any other page needs the network; without it the offline page is shown.
// - Background Sync ("safegrid-outbox") sends the outbox when the connection returns, even with the
//   page closed (where the browser has it; the pages also send on load and on the "online" event).
(function () {
  "use strict";
  var C = self.SAFEGRID_SW;
  var SHELL = "sg-shell-" + C.version;
  var PAGES = "sg-pages-" + C.version;
  var pagePatterns = C.pages.map(function (p) { return new RegExp(p); });
  var precached = {};
  C.precache.forEach(function (u) { precached[new URL(u, self.location.origin).href] = true; });
  self.SAFEGRID_LOGIN = C.login;

  function isPage(url) {
    return pagePatterns.some(function (re) { return re.test(url.pathname); });
  }

  self.addEventListener("install", function (event) {
    event.waitUntil(caches.open(SHELL).then(function (cache) {
      return cache.addAll(C.precache.map(function (u) { return new Request(u, { cache: "reload" }); }));
    }).then(function () { return self.skipWaiting(); }));
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf("sg-") === 0 && n !== SHELL && n !== PAGES;
      }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); }));
  });

  // Keep a page's answer when it is the page itself (200, not a redirect to the sign-in page).
  function keep(request, response) {
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      return caches.open(PAGES).then(function (cache) { return cache.put(request.url, copy); });
    }
    if (response.redirected) {
      return caches.open(PAGES).then(function (cache) { return cache.delete(request.url); });
    }
    return Promise.resolve();
  }

  function offlinePage() {
    return caches.match(C.offline, { cacheName: SHELL }).then(function (hit) {
      return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    });
  }

  function networkFirst(event, url) {
    return fetch(event.request).then(function (response) {
      event.waitUntil(keep(event.request, response));
      return response;
    }, function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(url.href).then(function (hit) {
          return hit || cache.match(url.href, { ignoreSearch: true });
        });
      }).then(function (hit) { return hit || offlinePage(); });
    });
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (request.method !== "GET") return;
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) return;
    if (precached[url.href]) {
      event.respondWith(caches.match(request, { cacheName: SHELL }).then(function (hit) {
        return hit || fetch(request);
      }));
      return;
    }
    if (isPage(url) && request.mode === "navigate") {
      event.respondWith(networkFirst(event, url));
      return;
    }
    if (request.mode === "navigate") {
      event.respondWith(fetch(request).catch(offlinePage));
      return;
    }
    if (url.pathname.indexOf("/static/") === 0) {
      // A static file a kept page loads beyond the shell: kept once fetched.
      event.respondWith(caches.open(SHELL).then(function (cache) {
        return cache.match(request).then(function (hit) {
          return hit || fetch(request).then(function (response) {
            if (response.ok) cache.put(request, response.clone());
            return response;
          });
        });
      }));
    }
  });

  // Fill the page cache with the start pages and the pages a page links for offline use
  // (the due list's check pages), while the phone still has signal.
  function warm(urls) {
    return caches.open(PAGES).then(function (cache) {
      return Promise.all(urls.map(function (u) {
        var url = new URL(u, self.location.origin);
        if (url.origin !== self.location.origin || !isPage(url)) return null;
        return fetch(url.href, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
          if (response.ok && !response.redirected) return cache.put(url.href, response);
          if (response.redirected) return cache.delete(url.href);
          return null;
        }).catch(function () { return null; });
      }));
    });
  }

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "warm") {
      event.waitUntil(warm(C.start.concat(data.urls || [])));
    } else if (data.type === "signed-out") {
      event.waitUntil(caches.delete(PAGES));
    }
  });

  function cookieCsrf() {
    if (!self.cookieStore) return Promise.resolve("");
    return self.cookieStore.get("csrftoken").then(function (c) { return c ? c.value : ""; }, function () { return ""; });
  }

  function tellPages(message) {
    return self.clients.matchAll({ type: "window" }).then(function (list) {
      list.forEach(function (client) { client.postMessage(message); });
      return list.length;
    });
  }

  self.addEventListener("sync", function (event) {
    if (event.tag !== self.SafeGridOutbox.SYNC_TAG) return;
    event.waitUntil(Promise.all([self.SafeGridOutbox.getUser(), cookieCsrf()]).then(function (found) {
      var user = found[0], csrf = found[1];
      if (!user || !csrf) return tellPages({ type: "flush" }); // no cookie access here: an open page sends
      return self.SafeGridOutbox.flush(user, function () { return csrf; }).then(function (result) {
        return tellPages({ type: "outbox-changed", sent: result.sent }).then(function () {
          if (result.stopped === "retry") throw new Error("outbox: still offline"); // the browser retries later
        });
      });
    }));
  });
})();

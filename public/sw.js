// The app shell, kept for a start without network (issue 11). Registered by the loader
// (`src/loader.js`) when the WebView has service workers (HTTPS or localhost); `cargo xtask
// build` writes this build's id and exact files into the two `var` lines below.
//
// - install: this build's files into the cache named after the build, then the page itself;
// - activate: every other build's cache is deleted, so a new deploy replaces the old one on
//   the next start with network;
// - a page (navigation): network first, for at most PAGE_TIMEOUT_MS, then the last page seen;
//   a page that answered is kept (without the proxy's time, its `Server-Timing` or an inlined
//   `server_time_ms` of an older proxy: a kept copy must not correct the controller's clock
//   with an old time);
// - hashed files (`name-<hex>.js|wasm|css`): the browser's own HTTP cache while online (they
//   are immutable there), this cache offline;
// - `/api/…`, other origins, anything else: never touched, never cached.
"use strict";
var VERSION = "dev";
var FILES = [];
var CACHE = "pilot-portal-" + VERSION;
// The key the last page seen is kept under: every page path is the same index.html.
var PAGE = "/";
var PAGE_TIMEOUT_MS = 4000;
var HASHED = /-[0-9a-f]{10,16}(_bg)?\.(js|wasm|css)$/;

// The page as kept: the proxy's time of that answer would be stale when the copy is used.
function keep(cache, key, response) {
  return response.text().then(function (html) {
    var headers = new Headers(response.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    headers.delete("server-timing");
    headers.delete("etag");
    html = html.replace(/"server_time_ms":-?\d+/, '"server_time_ms":null');
    return cache.put(key, new Response(html, { status: 200, headers: headers }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(FILES).then(function () {
        return fetch(PAGE, { cache: "no-store" }).then(function (r) {
          if (r.ok) return keep(cache, PAGE, r);
        });
      });
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("pilot-portal-") === 0 && k !== CACHE;
      }).map(function (k) {
        return caches.delete(k);
      }));
    })
  );
});

// The page path a navigation is kept under, or null: another document (the diagnostics page
// is kept under its own path; the emulator's closed page never).
function pageKey(url) {
  if (url.pathname === "/diagnostics.html") return url.pathname;
  var last = url.pathname.split("/").pop();
  return last.indexOf(".") < 0 || last === "index.html" ? PAGE : null;
}

function fromNetworkFirst(request, key) {
  var network = fetch(request);
  var kept = network.then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return keep(cache, key, copy); }).catch(function () {});
    }
    return response;
  });
  var cached = function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(key); });
  };
  var late = new Promise(function (resolve) {
    setTimeout(function () {
      cached().then(function (r) { if (r) resolve(r); });
    }, PAGE_TIMEOUT_MS);
  });
  var failed = kept.catch(function (error) {
    return cached().then(function (r) {
      if (r) return r;
      throw error;
    });
  });
  return Promise.race([failed, late]);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (request.mode === "navigate") {
    var key = pageKey(url);
    if (key) event.respondWith(fromNetworkFirst(request, key));
    return;
  }
  // Hashed files are immutable in the HTTP cache: while online the browser takes them from
  // there itself (with the compiled wasm it keeps beside it, which a worker's answer would
  // bypass); offline, from this cache.
  if (HASHED.test(url.pathname) && self.navigator.onLine === false) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(url.pathname).then(function (r) {
          return r || fetch(request);
        });
      })
    );
  }
});

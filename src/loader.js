// Picks the bundle before anything is downloaded (inlined into index.html by `cargo xtask`,
// which fills in the hashed file names known at build time).
//
// - No stored session, or one plainly expired: the small first-screen bundle (login).
// - A stored session that looks alive: the signed-in bundle straight away (it also runs the
//   start sequence), and the session check (`GET /api/pilot/bootstrap`) starts at once, in
//   parallel with the download; the page uses that answer only if Pilot 2 holds the same
//   token. The page's own copy first; Pilot 2 is asked only without one (`askPilot`).
// - Decisions on the proxy's time, not the controller's (often wrong in the field): the offset
//   from this answer's `Server-Timing`, else the one remembered (src/clock.rs keeps it).
// - The service worker (public/sw.js) that keeps the app for a start without network.
(function () {
  "use strict";
  // The boot script found a WebView older than we support, and says so: nothing to load.
  if (window.__pilotPortalOld) return;
  // The main page loads `panels` (src/panels.rs) itself, once it shows.
  var bundles = { first: __FIRST__, full: __FULL__, panels: __PANELS__ };
  window.__pilotPortalBundles = bundles;

  function claims(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      while (part.length % 4) part += "=";
      return JSON.parse(atob(part));
    } catch (e) {
      return null;
    }
  }
  function config() {
    try {
      return JSON.parse(document.getElementById("pilot-portal-config").textContent) || {};
    } catch (e) {
      return {};
    }
  }
  function renewBelow() {
    var f = config().renew_below_fraction;
    return typeof f === "number" ? f : 0.2;
  }
  // The proxy's origin when the page is served from another one (`api_base`), else ours.
  function apiBase() {
    var base = config().api_base;
    return typeof base === "string" ? base.replace(/\/+$/, "") : "";
  }
  // A log-out's revocation (src/session/mod.rs, `end`): the token is kept under this key
  // until the proxy has answered, and sent again at each opening and whenever the network
  // comes back, so that a log-out offline, or an Exit that closes the page at once, still
  // ends the session on the platform (the next person on a shared controller must not find
  // it live there). At most the last 8.
  var REVOKE = "pilot-portal.revoke";
  // The tokens still to revoke, changed by `change` if given (storage off: this opening's).
  function pending(change) {
    var list;
    try { list = JSON.parse(localStorage.getItem(REVOKE)); } catch (e) { /* none */ }
    // whatever else is there (an older page's, a hand's) is no list of tokens
    list = (Array.isArray(list) ? list : []).filter(function (t) { return typeof t == "string"; }).slice(-8);
    if (change) {
      list = change(list).slice(-8);
      try { localStorage.setItem(REVOKE, JSON.stringify(list)); } catch (e) { /* storage off */ }
    }
    return list;
  }
  function revokePending(token) {
    (token ? pending(function (l) { return l.concat([token]); }) : pending()).forEach(function (t) {
      fetch(apiBase() + "/api/session/logout", {
        method: "POST",
        keepalive: true,
        headers: { Authorization: "Bearer " + t },
      }).then(function (r) {
        // Answered for good: revoked (204), no session to end (401), or refused in a way a
        // retry would not change. A rate limit or a 5xx is tried again.
        if (r.status < 500 && r.status !== 429) {
          pending(function (l) { return l.filter(function (x) { return x !== t; }); });
        }
      }, function () { /* no network: kept */ });
    });
  }
  window.__pilotPortalRevoke = revokePending;

  // The proxy's time when it answered this page: its `Server-Timing: now;dur=<ms>` (the
  // proxy, crates/proxy/src/static_files.rs; the config it inlines carries no time).
  function proxyTime() {
    try {
      var timing = performance.getEntriesByType("navigation")[0].serverTiming || [];
      for (var i = 0; i < timing.length; i++) {
        if (timing[i].name === "now" && timing[i].duration > 0) return timing[i].duration;
      }
    } catch (e) { /* no navigation timing (Chrome < 65) */ }
    return null;
  }
  // Proxy time minus controller time, in ms (src/clock.rs): a kept copy of the page has no
  // time (the service worker drops it), then the offset last remembered.
  function offset() {
    var key = "pilot-portal.clock-offset", t = proxyTime();
    var fresh = typeof t === "number" ? Math.round(t - Date.now()) : null;
    try {
      if (fresh !== null) localStorage.setItem(key, String(fresh));
      else fresh = Number(localStorage.getItem(key)) || 0;
    } catch (e) { /* storage off */ }
    return fresh || 0;
  }
  // What the start sequence will do with the page's copy of the token (src/session/plan.rs).
  function plan(token) {
    if (!token || !token.trim()) return "login";
    var c = claims(token);
    if (!c || typeof c.exp !== "number") return "check";
    var now = Date.now() + skew, exp = c.exp * 1000;
    if (exp <= now) return "login";
    if (typeof c.iat === "number" && c.iat * 1000 < exp && exp - now < (exp - c.iat * 1000) * renewBelow()) return "renew";
    return "check";
  }

  // The next opening's page names this bundle's files in its head, so its download starts as
  // the page arrives, before any script: the proxy and nginx pick the page by this cookie
  // (crates/proxy/src/static_files.rs, deploy/nginx.conf). Written here at every opening, and
  // by the page when it stores or forgets the token (src/token.rs); `full` only while the
  // stored copy would make the next opening pick the signed-in bundle, and for as long.
  window.__pilotPortalRemember = function (b) {
    var value = "first", age = 31536000, t = null, c;
    try { t = localStorage.getItem("pilot-portal.token"); } catch (e) { /* storage off */ }
    if (b === bundles.full && plan(t) !== "login") {
      value = "full";
      c = claims(t);
      // on the proxy's time, as plan()
      if (c && typeof c.exp === "number") age = Math.max(1, Math.floor((c.exp * 1000 - Date.now() - skew) / 1000));
    }
    document.cookie = "pilot_portal_bundle=" + value + "; Max-Age=" + age + "; Path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  };

  // The token Pilot 2 holds, asked here only when the page keeps no copy of its own (a
  // cleared WebView, a fresh profile): the bundle is then picked on the token the start
  // sequence will find, not on a guess that would download the first screen's and then the
  // signed-in one. The license first, as DJI requires, and the token only from a loaded
  // `api` module (src/token.rs): "" when that is not loaded. A call that throws, is refused
  // or says no ends it there, with null, and is not kept: the wasm asks it again (a Pilot 2
  // that is not ready while the page is parsed may say yes a moment later; DJI does not say).
  var early = [];
  function askPilot() {
    var bridge = window.djiBridge, dji = config().dji, t = null;
    function call(method, args, good) {
      var reply = bridge[method].apply(bridge, args), e = JSON.parse(reply);
      if (e.code !== 0 || !good(e.data)) throw e;
      early.push([[method].concat(args).join("\n"), reply]);
      return e.data;
    }
    function yes(d) { return d === true; }
    function flag(d) { return typeof d === "boolean"; }
    // a token, or what the wasm reads as none (pilot_portal_shared::envelope's
    // parse_optional_string): "", blanks, "{}", null, {}
    function token(d) { return d === null || typeof d === "string" || JSON.stringify(d) === "{}"; }
    try {
      call("platformVerifyLicense", [dji.app_id, dji.app_key, dji.license], yes);
      call("platformIsVerified", [], yes);
      t = call("platformIsComponentLoaded", ["api"], flag) ? call("apiGetToken", [], token) : "";
      if (typeof t !== "string" || !t.trim() || t.trim() === "{}") t = "";
    } catch (e) { /* no bridge or no inlined config: the wasm asks */ }
    return t;
  }
  // The wasm's bridge calls (src/bridge.rs) take those replies in order, each once, instead of
  // asking again, while its calls are the same ones (the method and its arguments, joined by
  // new lines): the first that differs drops the rest, so a rerun asks Pilot 2 itself.
  window.__pilotPortalEarly = function (key) {
    var next = early.shift();
    if (next && next[0] === key) return next[1];
    early = [];
  };

  var skew = offset();
  var token = null;
  try { token = localStorage.getItem("pilot-portal.token"); } catch (e) { /* storage off */ }
  if (!token) {
    token = askPilot();
    // The license is verified and no token is stored anywhere: the boot script in index.html
    // draws the login form as soon as the page is parsed, long before the wasm's.
    if (token === "") window.__pilotPortalLogin = config().platform_name || "";
  }
  var next = plan(token);
  var bundle = next === "login" ? bundles.first : bundles.full;
  window.__pilotPortalRemember(bundle);
  // GET /api/pilot/bootstrap now, left for the page (src/api.rs); also the first-screen
  // bundle's, once it has a token. Given up after 15 s, as the page's own calls (src/net.rs).
  // The body is read here, while the bundle downloads: reading it takes a task of the
  // browser's, and waiting for one from the wasm let the browser lay out the start screen
  // once more before the main page.
  window.__pilotPortalPrefetch = function (token) {
    var abort = window.AbortController && new AbortController();
    var answer = fetch(apiBase() + "/api/pilot/bootstrap", {
      headers: { Authorization: "Bearer " + token },
      signal: abort ? abort.signal : undefined,
    }).then(function (r) {
      return r.text().then(function (text) {
        return { status: r.status, date: r.headers.get("date"), text: text };
      });
    });
    var timer = abort && setTimeout(function () { abort.abort(); }, 15000);
    // Unused (Pilot 2 holds another token) or offline: never an unhandled rejection.
    answer.then(function () { clearTimeout(timer); }, function () {});
    window.__pilotPortalBootstrap = { token: token, answer: answer };
  };
  // import() of the bundle's own file: no inline script is made at run time, so the page's
  // Content Security Policy needs no hash for it. A failure reaches the boot script's
  // unhandledrejection handler, as a failed module script would.
  // A module whose download failed stays failed under its address in some Chromiums (148
  // does; 156 asks again): a try after such a failure asks for it under a new one. Only then:
  // a second address of a module that did load would start a second copy of its bundle.
  window.__pilotPortalStart = function (b) {
    styles(b);
    return import(b.failed ? b.js + "?retry=" + b.failed : b.js).then(function (m) {
      return m.default({ module_or_path: b.wasm });
    }, function (e) {
      b.failed = (b.failed || 0) + 1;
      throw e;
    });
  };
  // A bundle's own stylesheet (the signed-in pages' style/signed-in.css), once, as its
  // download or its start begins: far smaller than the wasm, it is there before that has run.
  function styles(b) {
    if (!b.css || b.styled) return;
    b.styled = true;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = b.css;
    document.head.appendChild(css);
  }
  // The wasm first: it is most of the bytes, and the glue would ask for it only once run.
  window.__pilotPortalPreload = function (b) {
    if (b.preloaded) return;
    b.preloaded = true;
    styles(b);
    var wasm = document.createElement("link");
    wasm.rel = "preload";
    wasm.as = "fetch";
    wasm.type = "application/wasm";
    wasm.href = b.wasm;
    wasm.crossOrigin = "anonymous";
    document.head.appendChild(wasm);
    var js = document.createElement("link");
    js.rel = "modulepreload";
    js.href = b.js;
    js.crossOrigin = "anonymous";
    // failed (no network): its address stays failed for import() too, as above
    js.onerror = function () { b.failed = (b.failed || 0) + 1; };
    document.head.appendChild(js);
  };
  // The bundle's downloads go out before the session check: on a slow link every request
  // shares it, and the bundle is what the main page waits for last.
  window.__pilotPortalPreload(bundle);
  var started = window.__pilotPortalStart(bundle);
  if (next === "check") window.__pilotPortalPrefetch(token);
  revokePending();
  addEventListener("online", function () { revokePending(); });
  // The service worker (HTTPS or localhost only) installs by downloading both bundles: only
  // once this one runs and a few seconds later, so it never competes with the first screen or
  // the main page for a slow link.
  if (navigator.serviceWorker && /^https?:$/.test(location.protocol)) {
    // no rejection handler: a failed start stays unhandled, and the boot script says so
    started.then(function () {
      setTimeout(function () {
        navigator.serviceWorker.register("/sw.js").catch(function () {});
      }, 5000);
    });
  }
})();

// Picks the bundle before anything is downloaded (inlined into index.html by `cargo xtask`,
// which fills in the hashed file names known at build time).
//
// - No stored session, or one plainly expired: the small first-screen bundle (login).
// - A stored session that looks alive: the signed-in bundle straight away (it also runs the
//   start sequence), and the session check (`GET /api/pilot/bootstrap`) starts at once, in
//   parallel with the download; the page uses that answer only if Pilot 2 holds the same
//   token. Nothing here touches `window.djiBridge`: the license comes first, in the wasm.
(function () {
  "use strict";
  var bundles = { first: __FIRST__, full: __FULL__ };
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
  // What the start sequence will do with the page's copy of the token (src/session/plan.rs).
  function plan(token) {
    if (!token || !token.trim()) return "login";
    var c = claims(token);
    if (!c || typeof c.exp !== "number") return "check";
    var now = Date.now(), exp = c.exp * 1000;
    if (exp <= now) return "login";
    if (typeof c.iat === "number" && c.iat * 1000 < exp && exp - now < (exp - c.iat * 1000) * renewBelow()) return "renew";
    return "check";
  }

  var token = null;
  try { token = localStorage.getItem("pilot-portal.token"); } catch (e) { /* storage off */ }
  var next = plan(token);
  var bundle = next === "login" ? bundles.first : bundles.full;
  if (next === "check") {
    window.__pilotPortalBootstrap = {
      token: token,
      response: fetch(apiBase() + "/api/pilot/bootstrap", { headers: { Authorization: "Bearer " + token } }),
    };
    // Unused (Pilot 2 holds another token) or offline: never an unhandled rejection.
    window.__pilotPortalBootstrap.response.catch(function () {});
  }
  // import() of the bundle's own file: no inline script is made at run time, so the page's
  // Content Security Policy needs no hash for it. A failure reaches the boot script's
  // unhandledrejection handler, as a failed module script would.
  window.__pilotPortalStart = function (b) {
    return import(b.js).then(function (m) {
      return m.default({ module_or_path: b.wasm });
    });
  };
  window.__pilotPortalPreload = function (b) {
    if (b.preloaded) return;
    b.preloaded = true;
    var js = document.createElement("link");
    js.rel = "modulepreload";
    js.href = b.js;
    js.crossOrigin = "anonymous";
    var wasm = document.createElement("link");
    wasm.rel = "preload";
    wasm.as = "fetch";
    wasm.type = "application/wasm";
    wasm.href = b.wasm;
    wasm.crossOrigin = "anonymous";
    document.head.appendChild(js);
    document.head.appendChild(wasm);
  };
  window.__pilotPortalPreload(bundle);
  window.__pilotPortalStart(bundle);
})();

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
  function renewBelow() {
    try {
      var config = JSON.parse(document.getElementById("pilot-portal-config").textContent);
      return typeof config.renew_below_fraction === "number" ? config.renew_below_fraction : 0.2;
    } catch (e) {
      return 0.2;
    }
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
      response: fetch("/api/pilot/bootstrap", { headers: { Authorization: "Bearer " + token } }),
    };
    // Unused (Pilot 2 holds another token) or offline: never an unhandled rejection.
    window.__pilotPortalBootstrap.response.catch(function () {});
  }
  window.__pilotPortalStart = function (b) {
    var s = document.createElement("script");
    s.type = "module";
    s.textContent = "import init from '" + b.js + "'; init({ module_or_path: '" + b.wasm + "' });";
    document.head.appendChild(s);
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

/*
 * A simulated DJI Pilot 2 for browsers and tests: installs window.djiBridge when there is none.
 *
 * Faithful to the JSBridge contract (shared/reference/jsbridge-contract.md):
 *  - every method returns a JSON *string* envelope {code, message, data};
 *  - nothing but the license calls succeeds before platformVerifyLicense with the configured
 *    app id, key and license;
 *  - apiGetToken/apiSetToken/apiGetHost fail until platformLoadComponent("api", ...);
 *  - platformLoadComponent's param must be a JSON *string*;
 *  - loaded modules and the api token survive a reload, as Pilot 2 keeps modules running after
 *    the WebView closes;
 *  - callbacks are called by their global name; platformGetAircraftSN is "" with no aircraft.
 *
 * Options, by query string or window.__PILOT2_EMULATOR_CONFIG (set before this script):
 *   emulator-license=bad      reject the license
 *   emulator-token=<jwt>      Pilot 2 already holds this token in a loaded api module
 *   emulator-rc-sn=<sn>       remote controller serial number
 *   emulator-aircraft-sn=<sn> connected aircraft ("" = none)
 *   emulator-log=0            hide the on-page call log
 */
(function () {
  "use strict";
  if (window.djiBridge) return; // never shadow a real Pilot 2

  var STATE_KEY = "pilot2-emulator.state";
  var HISTORY_KEY = "pilot2-emulator.calls";
  var q = new URLSearchParams(location.search);
  var given = window.__PILOT2_EMULATOR_CONFIG || {};
  function opt(name, key, fallback) {
    if (q.has(name)) return q.get(name);
    if (Object.prototype.hasOwnProperty.call(given, key)) return given[key];
    return fallback;
  }
  var cfg = {
    appId: opt("emulator-app-id", "appId", "125034"),
    appKey: opt("emulator-app-key", "appKey", "demo-app-key"),
    license: opt("emulator-license-key", "license", "demo-app-license"),
    badLicense: opt("emulator-license", "badLicense", "") === "bad" || given.badLicense === true,
    token: opt("emulator-token", "token", null),
    rcSn: opt("emulator-rc-sn", "rcSn", "5YSZL260021E9W"),
    aircraftSn: opt("emulator-aircraft-sn", "aircraftSn", ""),
    showLog: opt("emulator-log", "showLog", "1") !== "0" && given.showLog !== false,
  };

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  // What Pilot 2 keeps natively between visits.
  var state = load(STATE_KEY, { modules: {}, workspaceId: "", information: null });
  if (cfg.token !== null && cfg.token !== undefined) {
    state.modules.api = { host: location.origin, token: String(cfg.token) };
    save(STATE_KEY, state);
  }
  var verified = false; // per page load, as the license is verified by each page

  var calls = [];
  function record(method, args, reply) {
    var entry = { method: method, args: args, reply: reply, at: Date.now() };
    calls.push(entry);
    var history = load(HISTORY_KEY, []);
    history.push(entry);
    save(HISTORY_KEY, history.slice(-500));
    render(entry);
  }

  function envelope(code, message, data) {
    return JSON.stringify({ code: code, message: message, data: data === undefined ? {} : data });
  }
  function ok(data) { return envelope(0, "success", data); }
  function fail(code, message) { return envelope(code, message, ""); }

  var NOT_VERIFIED = [-1, "license is not verified, call platformVerifyLicense first"];
  var MODULES = ["thing", "api", "ws", "map", "tsa", "media", "mission", "liveshare"];
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  function needsModule(name) {
    if (!state.modules[name]) return fail(-1, name + " module is not loaded");
    return null;
  }
  function isString(v) { return typeof v === "string"; }

  function callGlobal(name, arg) {
    var fn = window[name];
    if (typeof fn === "function") {
      try { fn(arg); } catch (e) { console.error("pilot2-emulator: callback " + name + " threw", e); }
    }
  }

  // The cloud module: a real MQTT 3.1.1 CONNECT over WebSocket to the configured broker, as
  // Pilot 2 does over TCP. A browser cannot open tcp://, so those hosts are reported refused.
  var thing = { socket: null, connected: false, ping: null };
  function utf8(v) { return Array.from(new TextEncoder().encode(String(v))); }
  function mqttString(v) { var b = utf8(v); return [b.length >> 8, b.length & 255].concat(b); }
  function connectPacket(p) {
    var body = mqttString("MQTT").concat([4, 0xC2, 0, 60])
      .concat(mqttString("pilot2-emulator-" + cfg.rcSn)).concat(mqttString(p.username)).concat(mqttString(p.password));
    var len = [], n = body.length;
    do { var d = n % 128; n = Math.floor(n / 128); len.push(n > 0 ? d | 128 : d); } while (n > 0);
    return new Uint8Array([0x10].concat(len).concat(body));
  }
  function thingState(connected, notify) {
    var changed = thing.connected !== connected;
    thing.connected = connected;
    render({ method: "cloud module", args: [], reply: "MQTT " + (connected ? "connected" : "not connected") });
    var p = state.modules.thing;
    if (notify && p && (changed || !connected)) callGlobal(p.connectCallback, connected);
  }
  function thingConnect(p, notify) {
    thingDisconnect();
    if (!/^wss?:\/\//.test(p.host)) {
      setTimeout(function () { thingState(false, notify); }, 50);
      return;
    }
    var socket;
    try { socket = new WebSocket(p.host, "mqtt"); } catch (e) { setTimeout(function () { thingState(false, notify); }, 50); return; }
    socket.binaryType = "arraybuffer";
    thing.socket = socket;
    socket.onopen = function () { socket.send(connectPacket(p)); };
    socket.onmessage = function (ev) {
      var b = new Uint8Array(ev.data);
      if (b[0] === 0x20 && !thing.connected) {
        thingState(b[3] === 0, notify);
        if (b[3] === 0) thing.ping = setInterval(function () { try { socket.send(new Uint8Array([0xC0, 0])); } catch (e) {} }, 30000);
      }
    };
    socket.onclose = function () { if (thing.socket === socket) { thing.socket = null; thingState(false, notify); } };
  }
  function thingDisconnect() {
    if (thing.ping) clearInterval(thing.ping);
    var s = thing.socket;
    thing.socket = null;
    thing.connected = false;
    if (s) try { s.close(); } catch (e) {}
  }

  function loadComponent(name, param) {
    if (MODULES.indexOf(name) < 0) return fail(-1, "unknown module: " + name);
    if (!isString(param)) return fail(-1, "param must be a JSON string");
    var p;
    try { p = JSON.parse(param); } catch (e) { return fail(-1, "param is not valid JSON"); }
    if (p === null || typeof p !== "object" || Array.isArray(p)) return fail(-1, "param must be a JSON object");
    if (name === "api") {
      if (!isString(p.host) || !/^https?:\/\//.test(p.host)) return fail(-1, "api host must be http(s)://...");
      if (!isString(p.token)) return fail(-1, "api token must be a string");
    }
    if (name === "thing") {
      if (!isString(p.host) || !/^(tcp|ssl|ws|wss):\/\//.test(p.host)) return fail(-1, "thing host must be tcp://, ssl://, ws:// or wss://");
      if (!isString(p.username) || !isString(p.password)) return fail(-1, "thing username and password are required");
      if (!isString(p.connectCallback) || typeof window[p.connectCallback] !== "function") {
        return fail(-1, "thing connectCallback must name a global function");
      }
    }
    state.modules[name] = p;
    save(STATE_KEY, state);
    if (name === "thing") thingConnect(p, true);
    return ok(true);
  }

  var licensed = {
    platformLoadComponent: loadComponent,
    platformUnloadComponent: function (name) {
      if (name === "thing") thingDisconnect();
      delete state.modules[name];
      save(STATE_KEY, state);
      return ok(true);
    },
    platformIsComponentLoaded: function (name) { return ok(!!state.modules[name]); },
    platformSetWorkspaceId: function (uuid) {
      if (!isString(uuid) || !UUID.test(uuid)) return fail(-1, "workspace id must be a UUID");
      state.workspaceId = uuid;
      save(STATE_KEY, state);
      return ok({});
    },
    platformSetInformation: function (platform, workspace, desc) {
      state.information = { platformName: String(platform), workspaceName: String(workspace), desc: String(desc) };
      save(STATE_KEY, state);
      document.title = String(platform) || document.title;
      return ok({});
    },
    platformGetRemoteControllerSN: function () { return ok(cfg.rcSn); },
    platformGetAircraftSN: function () { return ok(cfg.aircraftSn); },
    platformGetVersion: function () { return ok({ modelVersion: "1.11.3", appVersion: "10.1.8.18" }); },
    platformIsAppInstalled: function () { return ok(false); },
    platformStopSelf: function () {
      if (typeof bridge.onStopPlatform === "function") bridge.onStopPlatform();
      stopped();
      return ok({});
    },
    apiGetToken: function () { return needsModule("api") || ok(state.modules.api.token); },
    apiSetToken: function (token) {
      var missing = needsModule("api");
      if (missing) return missing;
      if (!isString(token)) return fail(-1, "token must be a string");
      state.modules.api.token = token;
      save(STATE_KEY, state);
      return ok({});
    },
    apiGetHost: function () { return needsModule("api") || ok(state.modules.api.host); },
    thingGetConnectState: function () { return needsModule("thing") || ok(thing.connected); },
    thingGetConfigs: function () { return needsModule("thing") || ok(JSON.stringify(state.modules.thing)); },
  };

  var bridge = {
    platformVerifyLicense: function (appId, appKey, license) {
      verified = !cfg.badLicense && appId === cfg.appId && appKey === cfg.appKey && license === cfg.license;
      return verified ? ok(true) : fail(-1, "License verification failed: the app id, app key or license is invalid.");
    },
    platformIsVerified: function () { return ok(verified); },
  };
  Object.keys(licensed).forEach(function (name) {
    bridge[name] = function () {
      return verified ? licensed[name].apply(null, arguments) : fail(NOT_VERIFIED[0], NOT_VERIFIED[1]);
    };
  });
  // Wrap everything so each call is logged with its reply.
  Object.keys(bridge).forEach(function (name) {
    var inner = bridge[name];
    bridge[name] = function () {
      var args = Array.prototype.slice.call(arguments);
      var reply = inner.apply(null, args);
      record(name, args, reply);
      return reply;
    };
  });
  window.djiBridge = bridge;
  // Pilot 2 keeps a loaded cloud module connected while the page is closed: reconnect it.
  if (state.modules.thing) thingConnect(state.modules.thing, true);
  window.__pilot2Emulator = {
    calls: calls,
    history: function () { return load(HISTORY_KEY, []); },
    state: function () { return JSON.parse(JSON.stringify(state)); },
    reset: function () { localStorage.removeItem(STATE_KEY); localStorage.removeItem(HISTORY_KEY); },
  };

  // The on-page log: every call and its reply.
  var list = null;
  function render(entry) {
    if (!cfg.showLog) return;
    if (!list) {
      if (!document.body) { document.addEventListener("DOMContentLoaded", function () { render(entry); }); return; }
      var box = document.createElement("details");
      box.id = "pilot2-emulator-log";
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:40vh;overflow:auto;background:#0b0d10ee;color:#9aa4b2;font:12px/1.4 monospace;padding:4px 8px;border-top:1px solid #2c333d;z-index:9999";
      var summary = document.createElement("summary");
      summary.textContent = "Simulated Pilot 2: bridge calls";
      summary.style.cssText = "min-height:32px;cursor:pointer";
      list = document.createElement("ol");
      list.style.cssText = "margin:0;padding-left:20px";
      box.appendChild(summary);
      box.appendChild(list);
      document.body.appendChild(box);
    }
    var li = document.createElement("li");
    var args = entry.args.map(function (a) {
      var s = String(a);
      return JSON.stringify(s.length > 40 ? s.slice(0, 37) + "…" : s);
    }).join(", ");
    li.textContent = entry.method + "(" + args + ") → " + entry.reply;
    list.appendChild(li);
  }

  function stopped() {
    var cover = document.createElement("div");
    cover.id = "pilot2-emulator-stopped";
    cover.style.cssText = "position:fixed;inset:0;background:#111418;color:#e8ecf1;display:flex;align-items:center;justify-content:center;font:18px system-ui;z-index:10000";
    cover.textContent = "Simulated Pilot 2 closed the page (platformStopSelf).";
    document.body.appendChild(cover);
  }
})();

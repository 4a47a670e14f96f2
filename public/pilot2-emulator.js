/*
 * A simulated DJI Pilot 2 for browsers and tests: installs window.djiBridge when there is none.
 *
 * It does what DJI documents (shared/reference/jsbridge-contract.md) and nothing more:
 *  - every method returns a JSON *string* envelope {code, message, data};
 *  - nothing but the license calls succeeds before platformVerifyLicense with the configured
 *    app id, key and license;
 *  - a module's methods fail until platformLoadComponent loads it; the param must be a JSON
 *    *string*; prerequisites as the contract lists them (map/tsa/mission need thing and ws,
 *    media needs thing and a workspace id);
 *  - loaded modules and the api token survive a reload, as Pilot 2 keeps modules running after
 *    the WebView closes; a loaded cloud (thing) module stays connected;
 *  - callbacks are called by their global name; platformGetAircraftSN is "" with no aircraft;
 *  - platformStopSelf closes the page and calls nothing; Pilot's own "Exit cloud platform"
 *    (a control in the panel) calls djiBridge.onStopPlatform, waits for it, then closes.
 *
 * The cloud module really connects: MQTT 3.1.1 over WebSocket to the configured broker (a
 * browser cannot open tcp://, so those hosts fail), and as Pilot 2 it is the *gateway*: it
 * publishes update_topo on sys/product/{rc}/status (with an offline Last Will there), an osd
 * heartbeat, and answers the remote unlocking services (dji-remote-unlocking-mqtt.txt) with the
 * licenses of pilot2-emulator-licenses.json, the same data as crates/sim/src/gateway.
 *
 * Where DJI leaves a behaviour open, an option picks the alternative. Options come from the
 * query string (emulator-NAME=value) or window.__PILOT2_EMULATOR_CONFIG (set before this
 * script, camelCase keys):
 *
 *   emulator-license=bad            badLicense: true       reject the license
 *   emulator-token=<jwt>            token                  Pilot 2 already holds this token
 *   emulator-rc-sn=<sn>             rcSn                   remote controller serial number
 *   emulator-aircraft-sn=<sn>       aircraftSn             connected aircraft ("" = none)
 *   emulator-log=0                  showLog: false         hide the panel
 *   emulator-stop-callback=1        stopCallback: true     platformStopSelf also calls onStopPlatform
 *   emulator-stop-unloads=1         stopUnloads: true      closing unloads every module
 *   emulator-empty-token=accept     acceptEmptyToken: true apiSetToken("") is accepted
 *   emulator-no-token-reply={}      noTokenReply: "{}"     apiGetToken with nothing stored answers {}
 *                                                          (null: null; any other text: that string)
 *   emulator-late-bridge=1          lateBridge: true       window.djiBridge appears only once the
 *                                                          page is parsed, after its inline scripts
 *   emulator-late-license=1         lateLicense: true      while the page is parsed, the license is
 *                                                          refused (not ready); accepted after
 *   emulator-configs-password=0     configsPassword: false thingGetConfigs leaves the MQTT password
 *                                                          out (DJI does not say it is given back)
 *   emulator-self-reconnect=1       selfReconnect: true    the cloud module logs in again by itself
 *                                                          a second after its link drops
 *   emulator-gateway=slow|silent|refuse|corrupt            how the gateway answers services
 *                                                          (corrupt: a downloaded license file
 *                                                          arrives damaged, so its MD5 differs)
 *   emulator-dji-app-id, -dji-app-key, -dji-license        the license Pilot 2 accepts
 */
(function () {
  "use strict";
  if (window.djiBridge) return; // never shadow a real Pilot 2

  // ---- options ----------------------------------------------------------------------------
  var given = window.__PILOT2_EMULATOR_CONFIG || {};
  var query = new URLSearchParams(location.search);
  function option(name, key, parse, fallback) {
    if (query.has("emulator-" + name)) return parse(query.get("emulator-" + name));
    if (Object.prototype.hasOwnProperty.call(given, key) && given[key] !== null) return given[key];
    return fallback;
  }
  function text(v) { return String(v); }
  function on(v) { return v === "1" || v === "true" || v === "on" || v === "yes"; }
  var cfg = {
    appId: option("dji-app-id", "appId", text, "125034"),
    appKey: option("dji-app-key", "appKey", text, "demo-app-key"),
    license: option("dji-license", "license", text, "demo-app-license"),
    badLicense: option("license", "badLicense", function (v) { return v === "bad"; }, false),
    token: option("token", "token", text, null),
    rcSn: option("rc-sn", "rcSn", text, "5YSZL260021E9W"),
    aircraftSn: option("aircraft-sn", "aircraftSn", text, ""),
    showLog: option("log", "showLog", function (v) { return v !== "0"; }, true),
    stopCallback: option("stop-callback", "stopCallback", on, false),
    stopUnloads: option("stop-unloads", "stopUnloads", on, false),
    acceptEmptyToken: option("empty-token", "acceptEmptyToken", function (v) { return v === "accept"; }, false),
    noTokenReply: option("no-token-reply", "noTokenReply", text, ""),
    lateBridge: option("late-bridge", "lateBridge", on, false),
    lateLicense: option("late-license", "lateLicense", on, false),
    configsPassword: option("configs-password", "configsPassword", on, true),
    selfReconnect: option("self-reconnect", "selfReconnect", on, false),
    gateway: option("gateway", "gateway", text, "normal"),
  };

  // ---- what Pilot 2 keeps natively between visits --------------------------------------------
  var STATE_KEY = "pilot2-emulator.state";
  function loadState() {
    try { return JSON.parse(localStorage.getItem(STATE_KEY)) || null; } catch (e) { return null; }
  }
  var state = loadState() || { modules: {}, workspaceId: "", information: null, licenses: null };
  function saveState() {
    try { localStorage.setItem(STATE_KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  if (cfg.token !== null) {
    state.modules.api = { host: location.origin, token: cfg.token };
    saveState();
  }
  var verified = false; // per page load: each page verifies the license

  // ---- envelopes ----------------------------------------------------------------------------
  function envelope(code, message, data) {
    return JSON.stringify({ code: code, message: message, data: data === undefined ? {} : data });
  }
  function ok(data) { return envelope(0, "success", data); }
  function fail(code, message) { return envelope(code, message, ""); }
  var NOT_VERIFIED = fail(-1, "license is not verified, call platformVerifyLicense first");
  var MODULES = ["thing", "api", "ws", "map", "tsa", "media", "mission", "liveshare"];
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  function isString(v) { return typeof v === "string"; }
  function needs(name) { return state.modules[name] ? null : fail(-1, name + " module is not loaded"); }
  function callGlobal(name, arg) {
    var fn = window[name];
    if (typeof fn !== "function") return;
    try { fn(arg); } catch (e) { console.error("pilot2-emulator: callback " + name + " threw", e); }
  }

  // ---- MQTT 3.1.1 over WebSocket ------------------------------------------------------------
  function utf8(v) { return Array.from(new TextEncoder().encode(String(v))); }
  function mqttString(v) { var b = utf8(v); return [b.length >> 8, b.length & 255].concat(b); }
  function packet(first, body) {
    var len = [], n = body.length;
    do { var d = n % 128; n = Math.floor(n / 128); len.push(n > 0 ? d | 128 : d); } while (n > 0);
    return new Uint8Array([first].concat(len).concat(body));
  }
  /** One MQTT connection: onConnack(accepted), onMessage(topic, text), onClose(). */
  function Mqtt(url, o, handlers) {
    var self = this, buffer = [], nextId = 1;
    this.socket = new WebSocket(url, "mqtt");
    this.socket.binaryType = "arraybuffer";
    this.socket.onopen = function () {
      // username, password, will (QoS 0, not retained), clean session
      var body = mqttString("MQTT").concat([4, 0xC6, 0, 60])
        .concat(mqttString(o.clientId))
        .concat(mqttString(o.will.topic)).concat(mqttString(o.will.payload))
        .concat(mqttString(o.username)).concat(mqttString(o.password));
      self.socket.send(packet(0x10, body));
    };
    this.socket.onmessage = function (ev) {
      buffer = buffer.concat(Array.from(new Uint8Array(ev.data)));
      for (;;) {
        var len = 0, mul = 1, i = 1, b;
        do { if (i >= buffer.length) return; b = buffer[i++]; len += (b & 127) * mul; mul *= 128; } while (b & 128);
        if (buffer.length < i + len) return;
        var type = buffer[0] >> 4, qos = (buffer[0] >> 1) & 3, body = buffer.slice(i, i + len);
        buffer = buffer.slice(i + len);
        if (type === 2) handlers.onConnack(body[1] === 0);
        if (type === 3) {
          var tl = (body[0] << 8) | body[1], at = 2 + tl;
          var topic = new TextDecoder().decode(new Uint8Array(body.slice(2, at)));
          if (qos > 0) { self.socket.send(new Uint8Array([0x40, 2, body[at], body[at + 1]])); at += 2; }
          handlers.onMessage(topic, new TextDecoder().decode(new Uint8Array(body.slice(at))));
        }
      }
    };
    this.socket.onclose = function () { handlers.onClose(); };
    this.socket.onerror = function () { /* onclose follows */ };
    this.subscribe = function (topic) {
      var id = nextId++;
      self.socket.send(packet(0x82, [id >> 8, id & 255].concat(mqttString(topic)).concat([0])));
    };
    this.publish = function (topic, payload) {
      if (self.socket.readyState === 1) self.socket.send(packet(0x30, mqttString(topic).concat(utf8(payload))));
    };
    this.ping = function () { if (self.socket.readyState === 1) self.socket.send(new Uint8Array([0xC0, 0])); };
    // No DISCONNECT packet: the broker publishes the will, as when Pilot 2 drops off the network.
    this.close = function () { try { self.socket.close(); } catch (e) { /* closed */ } };
  }

  // ---- the cloud module: Pilot 2's MQTT connection, and Pilot 2 as the gateway -----------------
  var cloud = { mqtt: null, connected: false, timer: null };
  function uuid() {
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === "x" ? r : (r & 3) | 8).toString(16);
    });
  }
  var topics = {
    services: function () { return "thing/product/" + cfg.rcSn + "/services"; },
    reply: function () { return "thing/product/" + cfg.rcSn + "/services_reply"; },
    status: function () { return "sys/product/" + cfg.rcSn + "/status"; },
    osd: function () { return "thing/product/" + cfg.rcSn + "/osd"; },
  };
  function message(method, data) {
    var m = { bid: uuid(), tid: uuid(), timestamp: Date.now(), gateway: cfg.rcSn, data: data };
    if (method) m.method = method;
    return JSON.stringify(m);
  }
  function updateTopo() {
    var subs = cfg.aircraftSn ? [{ sn: cfg.aircraftSn, domain: "0", type: 91, sub_type: 0, index: "A", device_secret: "", nonce: "", thing_version: "1.1.2" }] : [];
    return message("update_topo", { domain: "2", type: 174, sub_type: 0, device_secret: "", nonce: "", thing_version: "1.1.2", sub_devices: subs });
  }
  function cloudState(connected) {
    var changed = cloud.connected !== connected;
    cloud.connected = connected;
    log({ method: "cloud module", args: [], reply: "MQTT " + (connected ? "connected" : "not connected") });
    var p = state.modules.thing;
    if (p && (changed || !connected)) callGlobal(p.connectCallback, connected);
  }
  function cloudConnect() {
    cloudDisconnect();
    var p = state.modules.thing;
    if (!p) return;
    if (state.linkLost) { state.linkLost = false; saveState(); }
    if (!/^wss?:\/\//.test(p.host)) { setTimeout(function () { cloudState(false); }, 50); return; }
    var mqtt;
    try {
      mqtt = new Mqtt(p.host, {
        clientId: "pilot2-" + cfg.rcSn, username: p.username, password: p.password,
        will: { topic: topics.status(), payload: message("update_topo", { online: false }) },
      }, {
        onConnack: function (accepted) {
          if (cloud.mqtt !== mqtt) return;
          if (accepted) {
            mqtt.subscribe(topics.services());
            mqtt.publish(topics.status(), updateTopo());
            cloud.timer = setInterval(function () {
              mqtt.publish(topics.osd(), message(null, { capacity_percent: 87, latitude: 22.540461, longitude: 113.934573, height: 18.2 }));
              mqtt.ping();
            }, 5000);
          }
          cloudState(accepted);
        },
        onMessage: function (topic, text) { if (topic === topics.services()) gateway.handle(text); },
        onClose: function () {
          if (cloud.mqtt !== mqtt) return;
          cloud.mqtt = null;
          clearInterval(cloud.timer);
          cloudState(false);
          // DJI does not say whether Pilot 2 logs in again by itself: selfReconnect plays one
          // that does, unless someone else (the page's thingConnect) did meanwhile.
          if (cfg.selfReconnect) {
            setTimeout(function () { if (!cloud.mqtt && state.modules.thing) cloudConnect(); }, 1000);
          }
        },
      });
    } catch (e) { setTimeout(function () { cloudState(false); }, 50); return; }
    cloud.mqtt = mqtt;
  }
  function cloudDisconnect() {
    clearInterval(cloud.timer);
    var m = cloud.mqtt;
    cloud.mqtt = null;
    cloud.connected = false;
    if (m) m.close();
  }

  // ---- remote unlocking services (the gateway's answers) --------------------------------------
  var CODES = { unknownMethod: 314000, unknownLicense: 314001, downloadFailed: 314002, fingerprintMismatch: 314003, invalidParams: 314004, refused: 314100 };
  var gateway = {
    data: null,
    ready: function () {
      if (state.licenses) return Promise.resolve(state.licenses);
      if (!gateway.data) {
        gateway.data = fetch("/pilot2-emulator-licenses.json").then(function (r) { return r.json(); }).then(function (d) {
          state.licenses = { aircraft: d.aircraft, flysafeOnly: d.flysafe_only, consistence: false };
          saveState();
          return state.licenses;
        });
      }
      return gateway.data;
    },
    handle: function (text) {
      var req;
      try { req = JSON.parse(text); } catch (e) { return; }
      log({ method: "gateway ← " + req.method, args: [JSON.stringify(req.data)], reply: "" });
      if (cfg.gateway === "silent") return;
      gateway.ready().then(function (licenses) { return gateway.answer(req, licenses); }).then(function (data) {
        var reply = JSON.stringify({ bid: req.bid, tid: req.tid, timestamp: Date.now(), method: req.method, gateway: cfg.rcSn, data: data });
        setTimeout(function () {
          if (cloud.mqtt) cloud.mqtt.publish(topics.reply(), reply);
          log({ method: "gateway → " + req.method, args: [], reply: JSON.stringify({ result: data.result }) });
        }, cfg.gateway === "slow" ? cfg.gatewayDelayMs || 3000 : 0);
      });
    },
    answer: function (req, licenses) {
      var d = req.data || {};
      if (cfg.gateway === "refuse") return { result: CODES.refused, license_id: d.license_id };
      if (req.method === "unlock_license_list") {
        if (d.device_model_domain !== 0 && d.device_model_domain !== 3) return { result: CODES.invalidParams };
        var list = d.device_model_domain === 0 ? licenses.aircraft : licenses.aircraft.concat(licenses.flysafeOnly);
        return { result: 0, device_model_domain: d.device_model_domain, consistence: licenses.consistence, licenses: list };
      }
      if (req.method === "unlock_license_switch") {
        if (typeof d.license_id !== "number" || typeof d.enable !== "boolean") return { result: CODES.invalidParams };
        var found = licenses.aircraft.filter(function (l) { return l.common_fields.license_id === d.license_id; })[0];
        if (!found) return { result: CODES.unknownLicense, license_id: d.license_id };
        found.common_fields.enabled = d.enable;
        saveState();
        return { result: 0, license_id: d.license_id };
      }
      if (req.method === "unlock_license_update") {
        if (!d.file) { licenses.consistence = true; saveState(); return { result: 0 }; }
        if (!isString(d.file.url) || !isString(d.file.fingerprint)) return { result: CODES.invalidParams };
        return fetch(d.file.url).then(function (r) {
          if (!r.ok) return { result: CODES.downloadFailed };
          return r.arrayBuffer().then(function (buf) {
            var bytes = new Uint8Array(buf);
            if (cfg.gateway === "corrupt" && bytes.length) bytes[0] ^= 0xff;
            if (md5(bytes) !== d.file.fingerprint.trim().toLowerCase()) return { result: CODES.fingerprintMismatch };
            licenses.consistence = true;
            saveState();
            return { result: 0 };
          });
        }, function () { return { result: CODES.downloadFailed }; });
      }
      return { result: CODES.unknownMethod };
    },
  };

  /** MD5 of bytes as lowercase hex (RFC 1321), for unlock_license_update's fingerprint. */
  function md5(bytes) {
    var S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21], K = [], i;
    for (i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;
    var len = bytes.length, blocks = ((len + 8) >>> 6) + 1, w = new Int32Array(blocks * 16);
    for (i = 0; i < len; i++) w[i >> 2] |= bytes[i] << ((i % 4) * 8);
    w[len >> 2] |= 0x80 << ((len % 4) * 8);
    w[blocks * 16 - 2] = (len * 8) | 0;
    w[blocks * 16 - 1] = Math.floor(len / 536870912);
    var h = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
    for (var j = 0; j < w.length; j += 16) {
      var a = h[0], b = h[1], c = h[2], d = h[3];
      for (i = 0; i < 64; i++) {
        var f, g, r = i >> 4;
        if (r === 0) { f = (b & c) | (~b & d); g = i; }
        else if (r === 1) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
        else if (r === 2) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
        else { f = c ^ (b | ~d); g = (7 * i) % 16; }
        var s = S[r * 4 + (i % 4)];
        f = (f + a + K[i] + w[j + g]) | 0;
        a = d; d = c; c = b;
        b = (b + ((f << s) | (f >>> (32 - s)))) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    }
    return h.map(function (x) {
      var out = "";
      for (var k = 0; k < 4; k++) out += ("0" + ((x >>> (k * 8)) & 255).toString(16)).slice(-2);
      return out;
    }).join("");
  }

  // ---- modules ------------------------------------------------------------------------------
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
    if (name === "map" || name === "tsa" || name === "mission") {
      if (!state.modules.thing || !state.modules.ws) return fail(-1, name + " needs the thing and ws modules loaded first");
    }
    if (name === "media" && (!state.modules.thing || !state.workspaceId)) {
      return fail(-1, "media needs the thing module and a workspace id first");
    }
    state.modules[name] = p;
    saveState();
    if (name === "thing") cloudConnect();
    return ok(true);
  }
  function unloadComponent(name) {
    if (name === "thing") cloudDisconnect();
    delete state.modules[name];
    saveState();
    return ok(true);
  }

  // Pilot 2 closes the page: the WebView goes away (modules keep running unless set otherwise).
  function close(why) {
    if (cfg.stopUnloads) Object.keys(state.modules).forEach(unloadComponent);
    log({ method: "close", args: [why], reply: "" });
    try { sessionStorage.setItem("pilot2-emulator.reopen", location.href); } catch (e) { /* private mode */ }
    setTimeout(function () { location.replace("/pilot2-emulator-closed.html"); }, 0);
  }
  // Pilot's own "Exit cloud platform": onStopPlatform first, Pilot waits for it.
  function exitCloudPlatform() {
    if (typeof bridge.onStopPlatform === "function") {
      try { bridge.onStopPlatform(); } catch (e) { console.error("pilot2-emulator: onStopPlatform threw", e); }
    }
    close("Exit cloud platform");
  }

  var licensed = {
    platformLoadComponent: loadComponent,
    platformUnloadComponent: unloadComponent,
    platformIsComponentLoaded: function (name) { return ok(!!state.modules[name]); },
    platformSetWorkspaceId: function (id) {
      if (!isString(id) || !UUID.test(id)) return fail(-1, "workspace id must be a UUID");
      state.workspaceId = id;
      saveState();
      return ok({});
    },
    platformSetInformation: function (platform, workspace, desc) {
      state.information = { platformName: String(platform), workspaceName: String(workspace), desc: String(desc) };
      saveState();
      document.title = String(platform) || document.title;
      return ok({});
    },
    platformGetRemoteControllerSN: function () { return ok(cfg.rcSn); },
    platformGetAircraftSN: function () { return ok(cfg.aircraftSn); },
    platformGetVersion: function () { return ok({ modelVersion: "1.11.3", appVersion: "10.1.8.18" }); },
    platformIsAppInstalled: function () { return ok(false); },
    platformStopSelf: function () {
      if (cfg.stopCallback && typeof bridge.onStopPlatform === "function") bridge.onStopPlatform();
      close("platformStopSelf");
      return ok({});
    },
    apiGetToken: function () {
      var missing = needs("api");
      if (missing) return missing;
      var t = state.modules.api.token;
      var none = cfg.noTokenReply;
      return t ? ok(t) : ok(none === "{}" ? {} : none === "null" ? null : none);
    },
    apiSetToken: function (token) {
      var missing = needs("api");
      if (missing) return missing;
      if (!isString(token)) return fail(-1, "token must be a string");
      if (token === "" && !cfg.acceptEmptyToken) return fail(-1, "token must not be empty");
      state.modules.api.token = token;
      saveState();
      return ok({});
    },
    apiGetHost: function () { return needs("api") || ok(state.modules.api.host); },
    thingGetConnectState: function () { return needs("thing") || ok(cloud.connected); },
    thingGetConfigs: function () {
      var missing = needs("thing");
      if (missing) return missing;
      var p = JSON.parse(JSON.stringify(state.modules.thing));
      if (!cfg.configsPassword) delete p.password;
      return ok(JSON.stringify(p));
    },
    thingConnect: function (username, password, callback) {
      var missing = needs("thing");
      if (missing) return missing;
      if (!isString(username) || !isString(password)) return fail(-1, "username and password are required");
      var p = state.modules.thing;
      p.username = username;
      p.password = password;
      if (isString(callback) && callback) p.connectCallback = callback;
      saveState();
      cloudConnect();
      return ok(true);
    },
    thingDisconnect: function () {
      var missing = needs("thing");
      if (missing) return missing;
      cloudDisconnect();
      return ok(true);
    },
    thingSetConnectCallback: function (callback) {
      var missing = needs("thing");
      if (missing) return missing;
      if (!isString(callback)) return fail(-1, "callback must be a global function name");
      state.modules.thing.connectCallback = callback;
      saveState();
      return ok(true);
    },
  };

  var bridge = {
    platformVerifyLicense: function (appId, appKey, license) {
      // DJI does not say whether Pilot 2 verifies as early as the page's first script:
      // lateLicense plays a Pilot 2 that is not ready then.
      if (cfg.lateLicense && document.readyState === "loading") {
        return fail(-1, "Pilot 2 cannot verify a license yet.");
      }
      verified = !cfg.badLicense && appId === cfg.appId && appKey === cfg.appKey && license === cfg.license;
      return verified ? ok(true) : fail(-1, "License verification failed: the app id, app key or license is invalid.");
    },
    platformIsVerified: function () { return ok(verified); },
  };
  Object.keys(licensed).forEach(function (name) {
    bridge[name] = function () { return verified ? licensed[name].apply(null, arguments) : NOT_VERIFIED; };
  });
  // Every call is logged with its reply.
  var calls = [];
  Object.keys(bridge).forEach(function (name) {
    var inner = bridge[name];
    bridge[name] = function () {
      var args = Array.prototype.slice.call(arguments);
      var reply = inner.apply(null, args);
      var entry = { method: name, args: args, reply: reply, at: Date.now() };
      calls.push(entry);
      log(entry);
      return reply;
    };
  });
  // DJI does not say when Pilot 2 injects the bridge (Android's addJavascriptInterface objects
  // are there before the page's first script): lateBridge plays the other answer, so the page's
  // loader finds none and the wasm asks.
  function install() { window.djiBridge = bridge; }
  if (cfg.lateBridge && document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", install);
  } else {
    install();
  }
  // Pilot 2 keeps a loaded cloud module as it was while the page is closed: connected stays
  // connected (so reconnect it), a dropped link stays dropped unless it logs in by itself.
  if (state.modules.thing && (!state.linkLost || cfg.selfReconnect)) cloudConnect();

  window.__pilot2Emulator = {
    calls: calls,
    state: function () { return JSON.parse(JSON.stringify(state)); },
    cloudConnected: function () { return cloud.connected; },
    // the broker's link lost (a network drop): Pilot 2 says so through the connect callback
    dropCloudLink: function () {
      if (!cloud.mqtt) return;
      state.linkLost = true;
      saveState();
      cloud.mqtt.close();
    },
    // "slow" answers after delayMs (3 s unless given)
    setGateway: function (mode, delayMs) { cfg.gateway = String(mode || "normal"); cfg.gatewayDelayMs = Number(delayMs) > 0 ? Number(delayMs) : 3000; },
    setAircraft: function (sn) { cfg.aircraftSn = String(sn || ""); if (cloud.mqtt) cloud.mqtt.publish(topics.status(), updateTopo()); },
    exitCloudPlatform: exitCloudPlatform,
    reset: function () { cloudDisconnect(); localStorage.removeItem(STATE_KEY); },
  };

  // ---- the panel: controls a pilot has in Pilot 2, and every bridge call -----------------------
  var list = null;
  function panel() {
    if (list || !cfg.showLog) return list;
    if (!document.body) return null;
    var box = document.createElement("details");
    box.id = "pilot2-emulator-log";
    box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:40vh;overflow:auto;background:#0b0d10ee;color:#9aa4b2;font:12px/1.4 monospace;padding:4px 8px;border-top:1px solid #2c333d;z-index:9999";
    var summary = document.createElement("summary");
    summary.textContent = "Simulated Pilot 2: bridge calls";
    summary.style.cssText = "min-height:32px;cursor:pointer";
    var controls = document.createElement("div");
    controls.style.cssText = "display:flex;gap:8px;margin:4px 0";
    function button(label, id, onclick) {
      var b = document.createElement("button");
      b.type = "button";
      b.id = id;
      b.textContent = label;
      b.style.cssText = "min-height:40px;padding:0 12px";
      b.onclick = onclick;
      controls.appendChild(b);
    }
    button("Exit cloud platform", "pilot2-emulator-exit", exitCloudPlatform);
    button("Aircraft on/off", "pilot2-emulator-aircraft", function () {
      window.__pilot2Emulator.setAircraft(cfg.aircraftSn ? "" : "1581F6Q8D243D00D3E9");
      log({ method: "aircraft", args: [], reply: cfg.aircraftSn || "(none)" });
    });
    list = document.createElement("ol");
    list.style.cssText = "margin:0;padding-left:20px";
    box.appendChild(summary);
    box.appendChild(controls);
    box.appendChild(list);
    document.body.appendChild(box);
    // The page's own buttons and links stay reachable: the body keeps room for the panel below
    // its last line, closed or open.
    function reserve() { document.body.style.paddingBottom = box.offsetHeight + "px"; }
    box.addEventListener("toggle", reserve);
    if (window.ResizeObserver) new ResizeObserver(reserve).observe(box);
    reserve();
    return list;
  }
  var pending = [];
  function log(entry) {
    if (!cfg.showLog) return;
    pending.push(entry);
    if (!panel()) return;
    pending.splice(0).forEach(function (e) {
      var li = document.createElement("li");
      var args = e.args.map(function (a) {
        var s = String(a);
        return JSON.stringify(s.length > 40 ? s.slice(0, 37) + "…" : s);
      }).join(", ");
      li.textContent = e.method + "(" + args + ") → " + e.reply;
      list.appendChild(li);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { log({ method: "ready", args: [], reply: "" }); });
})();

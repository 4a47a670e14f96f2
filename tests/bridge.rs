//! The `bridge` module in a real browser, against fake `window.djiBridge` objects installed
//! per test (the bridge is looked up per call, so each test sees only its own fake).

#![cfg(target_arch = "wasm32")]

use pilot_portal::bridge::{self, BridgeError, Module};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Installs `window.djiBridge = <object literal>`; `null` removes it.
fn install(object_literal: &str) {
    let body = format!("window.djiBridge = {object_literal}; window.__seen = [];");
    js_sys::Function::new_no_args(&body)
        .call0(&JsValue::NULL)
        .expect("install fake");
}

fn seen() -> String {
    js_sys::Function::new_no_args("return JSON.stringify(window.__seen)")
        .call0(&JsValue::NULL)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn missing_bridge_is_reported_not_thrown() {
    install("undefined");
    assert!(!bridge::is_present());
    assert_eq!(bridge::is_verified(), Err(BridgeError::Missing));
    install("null");
    assert_eq!(bridge::api_get_token(), Err(BridgeError::Missing));
}

#[wasm_bindgen_test]
fn license_arguments_are_passed_in_order_and_the_boolean_parsed() {
    install(
        r#"{ platformVerifyLicense: function (a, b, c) { window.__seen.push([a, b, c]);
               return JSON.stringify({code: 0, message: "ok", data: true}); } }"#,
    );
    assert_eq!(bridge::verify_license("id", "key", "lic"), Ok(true));
    assert_eq!(seen(), r#"[["id","key","lic"]]"#);
}

#[wasm_bindgen_test]
fn non_zero_code_carries_djis_message() {
    install(
        r#"{ platformVerifyLicense: function () { return '{"code":-1,"message":"license invalid","data":false}'; } }"#,
    );
    let err = bridge::verify_license("a", "b", "c").expect_err("refused");
    assert_eq!(
        err,
        BridgeError::Refused {
            method: "platformVerifyLicense",
            code: -1,
            message: "license invalid".into()
        }
    );
    assert_eq!(
        pilot_portal::text::bridge(&err),
        "license invalid (code -1)"
    );
}

#[wasm_bindgen_test]
fn a_throwing_or_absent_method_is_an_error() {
    install(r#"{ platformIsVerified: function () { throw new Error("boom"); } }"#);
    assert_eq!(
        bridge::is_verified(),
        Err(BridgeError::Threw {
            method: "platformIsVerified",
            reason: "boom".into()
        })
    );
    // an older Pilot 2 without the method
    assert!(matches!(
        bridge::thing_connect_state(),
        Err(BridgeError::Threw {
            method: "thingGetConnectState",
            ..
        })
    ));
}

#[wasm_bindgen_test]
fn garbage_replies_are_unreadable() {
    install(r#"{ platformIsVerified: function () { return "<html>"; } }"#);
    assert!(matches!(
        bridge::is_verified(),
        Err(BridgeError::Unreadable { .. })
    ));
}

#[wasm_bindgen_test]
fn an_object_reply_is_accepted_like_its_json_string() {
    install(
        r#"{ platformIsComponentLoaded: function (n) { return {code: 0, message: "", data: n === "api"}; } }"#,
    );
    assert_eq!(bridge::is_component_loaded(Module::Api), Ok(true));
    assert_eq!(bridge::is_component_loaded(Module::Thing), Ok(false));
}

#[wasm_bindgen_test]
fn load_component_sends_param_as_a_json_string() {
    install(
        r#"{ platformLoadComponent: function (name, param) {
               window.__seen.push([name, typeof param, JSON.parse(param).token]);
               return '{"code":0,"message":"","data":"api"}'; } }"#,
    );
    bridge::load_component(
        Module::Api,
        &serde_json::json!({"host": "http://h", "token": "T"}),
    )
    .expect("loads");
    assert_eq!(seen(), r#"[["api","string","T"]]"#);
}

#[wasm_bindgen_test]
fn empty_strings_mean_none() {
    install(
        r#"{ platformGetAircraftSN: function () { return '{"code":0,"message":"","data":""}'; },
             apiGetToken: function () { return '{"code":0,"message":"","data":""}'; },
             platformGetRemoteControllerSN: function () { return '{"code":0,"message":"","data":"5YSZL260021E9W"}'; } }"#,
    );
    assert_eq!(bridge::aircraft_sn(), Ok(None));
    assert_eq!(bridge::api_get_token(), Ok(None));
    assert_eq!(bridge::remote_controller_sn(), Ok("5YSZL260021E9W".into()));
}

#[wasm_bindgen_test]
fn set_token_and_setters_pass_their_arguments() {
    install(
        r#"{ apiSetToken: function (t) { window.__seen.push(t); return '{"code":0,"message":"","data":{}}'; },
             platformSetInformation: function (a, b, c) { window.__seen.push([a, b, c]); return '{"code":0,"message":"","data":{}}'; } }"#,
    );
    bridge::api_set_token("").expect("clears");
    bridge::set_information("Platform", "Workspace", "Desc").expect("sets");
    assert_eq!(seen(), r#"["",["Platform","Workspace","Desc"]]"#);
}

#[wasm_bindgen_test]
fn callbacks_are_properties_of_the_bridge_and_back_click_returns_a_boolean() {
    install("{}");
    bridge::on_back_click(|| false).expect("registers");
    let result = js_sys::Function::new_no_args("return window.djiBridge.onBackClick()")
        .call0(&JsValue::NULL)
        .expect("callable");
    assert_eq!(result.as_bool(), Some(false));
}

#[wasm_bindgen_test]
fn the_bridge_is_looked_up_on_every_call() {
    install(r#"{ platformIsVerified: function () { return '{"code":0,"data":false}'; } }"#);
    assert_eq!(bridge::is_verified(), Ok(false));
    install(r#"{ platformIsVerified: function () { return '{"code":0,"data":true}'; } }"#);
    assert_eq!(bridge::is_verified(), Ok(true));
}

#[wasm_bindgen_test]
fn the_loaders_earlier_reply_is_taken_instead_of_asking_again() {
    // What src/loader.js offers when it asked first: the reply to the same call (the method
    // and its arguments, one per line), else `undefined`.
    js_sys::Function::new_no_args(
        r#"window.__asked = [];
           window.__pilotPortalEarly = function (key) {
             __asked.push(key);
             if (key === "platformVerifyLicense\nid\nkey\nlic") return '{"code":0,"message":"","data":true}';
           };"#,
    )
    .call0(&JsValue::NULL)
    .expect("install the loader's replies");
    install(
        r#"{ platformVerifyLicense: function () { throw new Error("asked Pilot 2 again"); },
             platformIsVerified: function () { window.__seen.push("isVerified");
               return '{"code":0,"message":"","data":false}'; } }"#,
    );
    assert_eq!(bridge::verify_license("id", "key", "lic"), Ok(true));
    assert_eq!(
        bridge::is_verified(),
        Ok(false),
        "not offered: Pilot 2 asked"
    );
    assert_eq!(seen(), r#"["isVerified"]"#);
    let asked = js_sys::Function::new_no_args(
        "var a = JSON.stringify(__asked); delete window.__pilotPortalEarly; return a;",
    )
    .call0(&JsValue::NULL)
    .ok()
    .and_then(|v| v.as_string());
    assert_eq!(
        asked.as_deref(),
        Some(r#"["platformVerifyLicense\nid\nkey\nlic","platformIsVerified"]"#)
    );
}

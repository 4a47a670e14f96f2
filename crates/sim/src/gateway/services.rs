//! The three remote unlocking services as the gateway answers them, under the current
//! [`GatewayBehaviour`].

use super::{codes, now_ms, topics, Ctx, GatewayBehaviour, Malformation};
use md5::{Digest, Md5};
use rumqttc::QoS;
use serde_json::{json, Value};

const LIST: &str = "unlock_license_list";
const SWITCH: &str = "unlock_license_switch";
const UPDATE: &str = "unlock_license_update";

/// Handles one payload received on `thing/product/{sn}/services`.
pub(super) async fn handle(ctx: &Ctx, payload: &[u8]) {
    let Ok(request) = serde_json::from_slice::<Value>(payload) else {
        // Not a request anyone could match a reply to.
        tracing::warn!(sn = %ctx.sn, "simulated gateway: a service request that is not JSON");
        return;
    };
    let text = |key: &str| request[key].as_str().unwrap_or_default().to_owned();
    let (method, bid, tid) = (text("method"), text("bid"), text("tid"));
    let data = request.get("data").cloned().unwrap_or(Value::Null);
    if let Ok(mut received) = ctx.received.lock() {
        received.push(method.clone());
    }

    let behaviour = ctx.behaviour.get();
    match &behaviour {
        GatewayBehaviour::Silent => return,
        GatewayBehaviour::Slow(delay) => tokio::time::sleep(*delay).await,
        _ => {}
    }
    let payload = match behaviour {
        GatewayBehaviour::Malformed(Malformation::NotJson) => {
            b"<html><body>502 Bad Gateway</body></html>".to_vec()
        }
        GatewayBehaviour::Malformed(Malformation::MissingResult) => {
            envelope(ctx, &method, &bid, &tid, missing_result(&method, &data))
        }
        GatewayBehaviour::Malformed(Malformation::WrongTypes) => {
            envelope(ctx, &method, &bid, &tid, wrong_types(&method))
        }
        GatewayBehaviour::Malformed(Malformation::UnknownLicenseType) if method == LIST => {
            envelope(ctx, &method, &bid, &tid, list_with_strangers(ctx, &data))
        }
        GatewayBehaviour::Refuse(code) => envelope(ctx, &method, &bid, &tid, refused(code, &data)),
        _ => {
            let reply = answer(ctx, &method, &data).await;
            envelope(ctx, &method, &bid, &tid, reply)
        }
    };
    if let Err(e) = ctx
        .client
        .publish(
            topics::services_reply(&ctx.sn),
            QoS::AtLeastOnce,
            false,
            payload,
        )
        .await
    {
        tracing::warn!(sn = %ctx.sn, "simulated gateway cannot reply: {e}");
    }
}

/// The reply envelope: the request's `bid`, `tid` and `method`.
fn envelope(ctx: &Ctx, method: &str, bid: &str, tid: &str, data: Value) -> Vec<u8> {
    json!({
        "bid": bid,
        "tid": tid,
        "timestamp": now_ms(),
        "method": method,
        "gateway": ctx.sn,
        "data": data,
    })
    .to_string()
    .into_bytes()
}

/// The documented answer, changing state as the device would.
async fn answer(ctx: &Ctx, method: &str, data: &Value) -> Value {
    match method {
        LIST => match data["device_model_domain"]
            .as_i64()
            .and_then(|d| Some((d, ctx.licenses.list(d)?)))
        {
            Some((domain, licenses)) => json!({
                "result": 0,
                "device_model_domain": domain,
                "consistence": ctx.licenses.consistence(),
                "licenses": licenses,
            }),
            None => json!({"result": codes::INVALID_PARAMS}),
        },
        SWITCH => {
            let (Some(id), Some(enable)) = (data["license_id"].as_i64(), data["enable"].as_bool())
            else {
                return json!({"result": codes::INVALID_PARAMS});
            };
            let result = if ctx.licenses.switch(id, enable) {
                0
            } else {
                codes::UNKNOWN_LICENSE
            };
            json!({"result": result, "license_id": id})
        }
        UPDATE => json!({"result": update(ctx, data).await}),
        _ => json!({"result": codes::UNKNOWN_METHOD}),
    }
}

/// `unlock_license_update`: without `file`, a refresh from the Flysafe server (simulated: the
/// aircraft now matches the approved set); with one, download it and check its MD5.
async fn update(ctx: &Ctx, data: &Value) -> i64 {
    let file = match data.get("file") {
        None | Some(Value::Null) => {
            ctx.licenses.set_consistence(true);
            return 0;
        }
        Some(file) => file,
    };
    let (Some(url), Some(fingerprint)) = (file["url"].as_str(), file["fingerprint"].as_str())
    else {
        return codes::INVALID_PARAMS;
    };
    let body = match ctx.http.get(url).send().await {
        Ok(r) if r.status().is_success() => r.bytes().await,
        Ok(r) => {
            tracing::info!(sn = %ctx.sn, status = %r.status(), "license file download refused");
            return codes::DOWNLOAD_FAILED;
        }
        Err(e) => Err(e),
    };
    let Ok(body) = body else {
        tracing::info!(sn = %ctx.sn, "license file download failed");
        return codes::DOWNLOAD_FAILED;
    };
    let md5: String = Md5::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if md5.eq_ignore_ascii_case(fingerprint.trim()) {
        ctx.licenses.set_consistence(true);
        0
    } else {
        codes::FINGERPRINT_MISMATCH
    }
}

/// A refusal in the method's reply shape; nothing changes.
fn refused(code: i64, data: &Value) -> Value {
    let mut reply = json!({"result": code});
    for key in ["license_id", "device_model_domain"] {
        if let Some(v) = data.get(key) {
            reply[key] = v.clone();
        }
    }
    reply
}

fn missing_result(method: &str, data: &Value) -> Value {
    match method {
        LIST => json!({"device_model_domain": data["device_model_domain"], "licenses": []}),
        SWITCH => json!({"license_id": data["license_id"]}),
        _ => json!({}),
    }
}

fn wrong_types(method: &str) -> Value {
    match method {
        LIST => json!({
            "result": 0,
            "device_model_domain": "aircraft",
            "consistence": "no",
            "licenses": {"240330": true},
        }),
        SWITCH => json!({"result": "0", "license_id": "240330"}),
        _ => json!({"result": "ok"}),
    }
}

/// The normal list plus an unknown type 9 and a circle whose radius is text.
fn list_with_strangers(ctx: &Ctx, data: &Value) -> Value {
    let domain = data["device_model_domain"].as_i64().unwrap_or(0);
    let mut licenses = ctx.licenses.list(domain).unwrap_or_default();
    let common = |id: i64, name: &str, kind: i64| {
        json!({
            "license_id": id, "name": name, "type": kind, "group_id": 2896,
            "user_id": "dji-7f3a9c21", "device_sn": super::DEMO_AIRCRAFT_SN,
            "begin_time": 1756684800, "end_time": 2145916800, "user_only": false, "enabled": false,
        })
    };
    licenses.push(json!({
        "common_fields": common(240390, "Night operations window", 9),
        "night_unlock": {"from": "20:00", "to": "06:00"},
    }));
    licenses.push(json!({
        "common_fields": common(240391, "Circle with a text radius", 1),
        "circle_unlock": {"radius": "1.5 km", "latitude": 22.6, "longitude": 113.9, "height": 120},
    }));
    json!({
        "result": 0,
        "device_model_domain": domain,
        "consistence": ctx.licenses.consistence(),
        "licenses": licenses,
    })
}

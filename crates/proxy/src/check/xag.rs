//! XAG: the signature, timestamp unit, component token and clock (one pre-auth code nobody
//! uses), the pre-auth code's lifetime, and where `/v1/auth/token` reads the code (a code that
//! cannot exist, sent each way: XAG refuses a missing code otherwise than an unknown one).

use super::{Report, Status};
use crate::config::{CodeIn, Config, TimestampUnit};
use crate::upstream::xag::{XagClient, XagProbe};
use clap::ValueEnum;
use std::time::SystemTime;

const AREA: &str = "XAG";
/// XAG's window for the signature timestamp (the reference: 10 minutes).
const WINDOW_SECS: i64 = 600;

fn unit_name(unit: TimestampUnit) -> &'static str {
    match unit {
        TimestampUnit::Seconds => "seconds",
        TimestampUnit::Milliseconds => "milliseconds",
    }
}

/// `HTTP 400, code 40001, message`.
fn answer(probe: &XagProbe) -> String {
    let code = &probe.body["code"];
    let message = probe.body["message"].as_str().unwrap_or("");
    if code.is_null() {
        format!("HTTP {}", probe.status.as_u16())
    } else {
        format!("HTTP {}, code {code}, {message}", probe.status.as_u16())
    }
}

/// XAG's clock against ours, in seconds (positive: ours is ahead).
fn skew_secs(probe: &XagProbe) -> Option<i64> {
    let theirs = probe.date?;
    let ours = SystemTime::now();
    Some(match ours.duration_since(theirs) {
        Ok(ahead) => i64::try_from(ahead.as_secs()).unwrap_or(i64::MAX),
        Err(behind) => -i64::try_from(behind.duration().as_secs()).unwrap_or(i64::MAX),
    })
}

pub(super) async fn check(config: &Config, client: &reqwest::Client, report: &mut Report) {
    let Some(xag) = XagClient::new(client.clone(), config) else {
        report.push(
            AREA,
            Status::Off,
            "XAG linking",
            "XAG_COMPONENT_APPID, XAG_APP_SECRET or XAG_COMPONENT_ACCESS_TOKEN is empty".into(),
        );
        return;
    };
    let unit = config.xag_timestamp_unit;
    let probe = match xag.probe_pre_auth(unit).await {
        Ok(p) => p,
        Err(e) => {
            report.push(
                AREA,
                Status::Contradicted {
                    setting: Some("XAG_BASE_URL".into()),
                },
                "XAG answers at XAG_BASE_URL",
                e.to_string(),
            );
            return;
        }
    };
    let skew = skew_secs(&probe);
    match skew {
        Some(s) if s.abs() <= WINDOW_SECS => report.push(
            AREA,
            Status::Confirmed,
            "this server's clock is inside XAG's 10-minute window",
            format!("{s:+} s from XAG's Date header"),
        ),
        Some(s) => report.push(
            AREA,
            Status::Contradicted {
                setting: Some("the system clock (NTP)".into()),
            },
            "this server's clock is inside XAG's 10-minute window",
            format!("{s:+} s from XAG's Date header"),
        ),
        None => report.push(
            AREA,
            Status::NotCheckable {
                needs: "a Date header from XAG",
            },
            "this server's clock is inside XAG's 10-minute window",
            String::new(),
        ),
    }
    let claim = "signature, timestamp unit and component access token accepted";
    if probe.status.is_success() {
        report.push(
            AREA,
            Status::Confirmed,
            claim,
            format!(
                "create_preauthcode answered with timestamps in {}",
                unit_name(unit)
            ),
        );
        let expires_in = probe.body["expires_in"]
            .as_i64()
            .or_else(|| probe.body["expire_in"].as_i64());
        let ttl = config.xag_link_ttl_secs.max(1);
        report.push(
            AREA,
            Status::Info,
            "a link attempt lives as long as the pre-auth code at most",
            match expires_in {
                Some(s) if s < ttl => format!(
                    "pre-auth code lives {s} s, less than XAG_LINK_TTL_SECS = {ttl}: attempts live {s} s"
                ),
                Some(s) => format!("pre-auth code lives {s} s; attempts live {ttl} s"),
                None => format!("no expires_in in the answer; attempts live {ttl} s"),
            },
        );
    } else {
        let other = match unit {
            TimestampUnit::Seconds => TimestampUnit::Milliseconds,
            TimestampUnit::Milliseconds => TimestampUnit::Seconds,
        };
        let other_ok = xag
            .probe_pre_auth(other)
            .await
            .is_ok_and(|p| p.status.is_success());
        let (setting, detail) = if other_ok {
            (
                format!("XAG_TIMESTAMP_UNIT={}", unit_name(other)),
                format!(
                    "refused in {} ({}), accepted in {}",
                    unit_name(unit),
                    answer(&probe),
                    unit_name(other)
                ),
            )
        } else {
            (
                "XAG_COMPONENT_APPID, XAG_APP_SECRET or XAG_COMPONENT_ACCESS_TOKEN".into(),
                answer(&probe),
            )
        };
        report.push(
            AREA,
            Status::Contradicted {
                setting: Some(setting),
            },
            claim,
            detail,
        );
    }

    // Where /v1/auth/token reads the code: each way against none at all.
    let claim = "where /v1/auth/token reads authorization_code";
    let baseline = xag.probe_token(None).await.ok().map(|p| answer(&p));
    let mut differs = Vec::new();
    for code_in in [CodeIn::Json, CodeIn::Form, CodeIn::Query] {
        if let Ok(p) = xag.probe_token(Some(code_in)).await {
            if Some(answer(&p)) != baseline {
                differs.push(code_in);
            }
        }
    }
    let configured = config.xag_token_code_in;
    match differs.as_slice() {
        [] => report.push(
            AREA,
            Status::NotCheckable {
                needs: "a real authorization code",
            },
            claim,
            format!(
                "XAG answers alike with the code as JSON, form, query or not at all ({})",
                baseline.unwrap_or_default()
            ),
        ),
        found if found.contains(&configured) => report.push(
            AREA,
            Status::Confirmed,
            claim,
            format!(
                "{}: a made-up code is refused otherwise than a missing one",
                configured.as_str()
            ),
        ),
        [one, ..] => report.push(
            AREA,
            Status::Contradicted {
                setting: Some(format!("XAG_TOKEN_CODE_IN={}", one.as_str())),
            },
            claim,
            format!(
                "XAG reads {}, not {}: with {} the code counts as missing",
                one.as_str(),
                configured.as_str(),
                configured.as_str()
            ),
        ),
    }
    if config.xag_callback_url.trim().is_empty() {
        report.push(
            AREA,
            Status::Info,
            "the callback XAG is given",
            format!(
                "XAG_CALLBACK_URL is unset: XAG is given {}, this machine's own address (the \
                 demo's); in production set the public https address registered with XAG",
                config.xag_callback()
            ),
        );
    }
    let authorization = Status::NotCheckable {
        needs: "a real operator authorization on XAG's page",
    };
    report.push(
        AREA,
        authorization.clone(),
        "who posts the code to the callback (browser or XAG's server)",
        format!("either works; callback {}", config.xag_callback()),
    );
    report.push(
        AREA,
        authorization,
        "XAG keeps ?state= on the redirect URI",
        format!(
            "if it does not, XAG_STATE_FALLBACK = {} decides",
            config
                .xag_state_fallback
                .to_possible_value()
                .map(|v| v.get_name().to_owned())
                .unwrap_or_default()
        ),
    );
}

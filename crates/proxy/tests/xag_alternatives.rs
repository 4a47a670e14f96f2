//! The XAG link journey under every reading of XAG's reference the simulator can switch to
//! (`upstream-apis.md` §B): who posts the code (the browser or XAG's server), whether XAG
//! keeps our `?state=`, where `/v1/auth/token` reads the code, and a pre-auth code shorter
//! lived than the link attempt. With the matching settings the pilot gets linked; where no
//! setting can help, the outcome names the problem (`unsupported`, the log naming the setting).

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_proxy::config::{CodeIn, StateFallback};
use pilot_portal_sim::xag::behaviour::{self, CodeDelivery, ExpireIn, XagBehaviour};
use pilot_portal_sim::xag::{DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD};
use serde_json::json;

fn sim_code_in(code_in: CodeIn) -> behaviour::CodeIn {
    match code_in {
        CodeIn::Json => behaviour::CodeIn::Json,
        CodeIn::Form => behaviour::CodeIn::Form,
        CodeIn::Query => behaviour::CodeIn::Query,
    }
}

/// One journey's settings: XAG's behaviour and the proxy's.
#[derive(Debug, Clone, Copy)]
struct Case {
    delivery: CodeDelivery,
    keeps_state: bool,
    xag_reads: CodeIn,
    proxy_sends: CodeIn,
    fallback: StateFallback,
    expire_in: ExpireIn,
}

/// How a journey ended: the outcome the browser was sent to, whether a link is stored, and
/// whether the page is told when it ends.
#[derive(Debug, PartialEq, Eq)]
struct Ended {
    outcome: String,
    linked: bool,
    ends_known: bool,
}

fn outcome_of(location: &str) -> String {
    url::Url::parse(&format!("http://page.invalid{location}"))
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "xag")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_else(|| format!("no outcome in {location:?}"))
}

/// The operator approves on XAG's page (the simulator's form): the page XAG answers with.
async fn approve(xag_page: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let url = url::Url::parse(xag_page).expect("url");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let mut submit = url.clone();
    submit.set_query(None);
    client
        .post(submit)
        .form(&[
            (
                "component_access_token",
                q["component_access_token"].as_str(),
            ),
            ("pre_auth_code", q["pre_auth_code"].as_str()),
            ("redirect_uri", q["redirect_uri"].as_str()),
            ("username", DEMO_OPERATOR),
            ("password", DEMO_OPERATOR_PASSWORD),
            ("action", "approve"),
        ])
        .send()
        .await
        .expect("approve")
        .text()
        .await
        .expect("page")
}

/// The self-submitting form of XAG's page: where it posts, and its fields as a form body.
fn posted_form(html: &str) -> (String, String) {
    let action_at = html.find(r#"action=""#).expect("a form") + r#"action=""#.len();
    let action = html[action_at..]
        .split('"')
        .next()
        .unwrap_or("")
        .replace("&amp;", "&");
    let mut fields = url::form_urlencoded::Serializer::new(String::new());
    for piece in html.split(r#"<input type="hidden" name=""#).skip(1) {
        let name = piece.split('"').next().unwrap_or("");
        let value = piece
            .split(r#"value=""#)
            .nth(1)
            .and_then(|v| v.split('"').next())
            .unwrap_or("");
        fields.append_pair(name, value);
    }
    (action, fields.finish())
}

/// The whole journey: start, XAG's page, approval, the callback however XAG delivers it.
async fn journey(case: Case) -> Ended {
    let h = harness_with(|c| {
        c.xag_token_code_in = case.proxy_sends;
        c.xag_state_fallback = case.fallback;
    })
    .await;
    h.xag.sim.behaviour().set(XagBehaviour {
        delivery: case.delivery,
        keeps_state: case.keeps_state,
        token_code_in: sim_code_in(case.xag_reads),
        pre_auth_ttl_secs: None,
        token_expire_in: case.expire_in,
    });
    let token = h.login().await;
    let r = h
        .post_json(
            "/api/xag/link",
            Some(&token),
            json!({"return_to": "/?emulator"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let own = r.json()["authorize_url"].as_str().expect("url").to_owned();
    let to_xag = h.get(&own, None).await;
    assert_eq!(to_xag.status, StatusCode::SEE_OTHER, "{}", to_xag.text);
    let cookie = to_xag
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    assert_eq!(
        cookie.is_some(),
        case.fallback == StateFallback::Cookie,
        "the state cookie only with XAG_STATE_FALLBACK=cookie"
    );
    let page = approve(location(&to_xag)).await;
    let outcome = match case.delivery {
        CodeDelivery::Browser => {
            let (action, form) = posted_form(&page);
            let target = url::Url::parse(&action).expect("callback URL");
            assert_eq!(
                target.query().is_some(),
                case.keeps_state,
                "XAG posts to {action}"
            );
            let path = match target.query() {
                Some(q) => format!("{}?{q}", target.path()),
                None => target.path().to_owned(),
            };
            let mut request = Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html");
            if let Some(cookie) = &cookie {
                request = request.header(header::COOKIE, cookie);
            }
            let r = h
                .call(request.body(Body::from(form)).expect("request"))
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
            outcome_of(location(&r))
        }
        CodeDelivery::Server => {
            assert!(page.contains("xag-done"), "the browser stays on XAG's page");
            let (status, answered) = h.xag.sim.last_server_post().expect("XAG posted");
            assert_eq!(status, 303);
            let outcome = outcome_of(&answered);
            // the pilot goes back: the authorize address now leads to the page and the outcome
            // (only once the attempt was used: a refused stateless post leaves it unused)
            if outcome != "unsupported" {
                let back = h.get(&own, None).await;
                assert_eq!(back.status, StatusCode::SEE_OTHER);
                assert_eq!(
                    location(&back),
                    format!("/?emulator&xag={outcome}"),
                    "back on the page with the outcome"
                );
            }
            outcome
        }
    };
    let status = h.get("/api/xag/link", Some(&token)).await.json();
    Ended {
        outcome,
        linked: status["linked"] == true,
        ends_known: status["expires_at"]
            .as_i64()
            .is_some_and(|at| at > now_ms()),
    }
}

const CODE_IN: [CodeIn; 3] = [CodeIn::Json, CodeIn::Form, CodeIn::Query];
const DELIVERY: [CodeDelivery; 2] = [CodeDelivery::Browser, CodeDelivery::Server];

fn linked() -> Ended {
    Ended {
        outcome: "linked".into(),
        linked: true,
        ends_known: true,
    }
}

#[tokio::test]
async fn xag_keeps_the_state_every_delivery_and_code_placement_links() {
    for delivery in DELIVERY {
        for code_in in CODE_IN {
            let case = Case {
                delivery,
                keeps_state: true,
                xag_reads: code_in,
                proxy_sends: code_in,
                fallback: StateFallback::None,
                expire_in: ExpireIn::Integer,
            };
            assert_eq!(journey(case).await, linked(), "{case:?}");
        }
    }
}

#[tokio::test]
async fn however_xag_states_the_token_lifetime_the_pilot_is_linked_and_told_an_end_only_if_stated()
{
    for (expire_in, ends_known) in [
        (ExpireIn::Integer, true),
        (ExpireIn::Digits, true),
        // the reference's example answers `"expire_in": ""`
        (ExpireIn::Blank, false),
    ] {
        let case = Case {
            delivery: CodeDelivery::Browser,
            keeps_state: true,
            xag_reads: CodeIn::Json,
            proxy_sends: CodeIn::Json,
            fallback: StateFallback::None,
            expire_in,
        };
        let expected = Ended {
            ends_known,
            ..linked()
        };
        assert_eq!(journey(case).await, expected, "{case:?}");
    }
}

#[tokio::test]
async fn xag_drops_the_state_the_fallbacks_that_can_work_do() {
    for (delivery, fallback, expected) in [
        (CodeDelivery::Browser, StateFallback::Cookie, linked()),
        (CodeDelivery::Browser, StateFallback::SolePending, linked()),
        (CodeDelivery::Server, StateFallback::SolePending, linked()),
    ] {
        for code_in in CODE_IN {
            let case = Case {
                delivery,
                keeps_state: false,
                xag_reads: code_in,
                proxy_sends: code_in,
                fallback,
                expire_in: ExpireIn::Integer,
            };
            assert_eq!(journey(case).await, expected, "{case:?}");
        }
    }
}

#[tokio::test]
async fn xag_drops_the_state_without_a_fallback_that_fits_nothing_is_linked_and_it_says_so() {
    let refused = || Ended {
        outcome: "unsupported".into(),
        linked: false,
        ends_known: false,
    };
    for (delivery, fallback) in [
        (CodeDelivery::Browser, StateFallback::None),
        (CodeDelivery::Server, StateFallback::None),
        // XAG's server carries no browser cookie
        (CodeDelivery::Server, StateFallback::Cookie),
    ] {
        let case = Case {
            delivery,
            keeps_state: false,
            xag_reads: CodeIn::Json,
            proxy_sends: CodeIn::Json,
            fallback,
            expire_in: ExpireIn::Integer,
        };
        assert_eq!(journey(case).await, refused(), "{case:?}");
    }
}

#[tokio::test]
async fn the_code_sent_where_xag_does_not_read_it_is_refused_as_a_code_problem() {
    // the proxy cannot tell this from an expired code at run time; `check` tells (tests/check.rs)
    for (xag_reads, proxy_sends) in [
        (CodeIn::Form, CodeIn::Json),
        (CodeIn::Query, CodeIn::Form),
        (CodeIn::Json, CodeIn::Query),
    ] {
        let case = Case {
            delivery: CodeDelivery::Browser,
            keeps_state: true,
            xag_reads,
            proxy_sends,
            fallback: StateFallback::None,
            expire_in: ExpireIn::Integer,
        };
        let ended = journey(case).await;
        assert_eq!(
            ended,
            Ended {
                outcome: "code_rejected".into(),
                linked: false,
                ends_known: false,
            },
            "{case:?}"
        );
    }
}

#[tokio::test]
async fn a_stateless_callback_is_refused_when_several_attempts_are_at_xag() {
    let h = harness_with(|c| c.xag_state_fallback = StateFallback::SolePending).await;
    h.xag.sim.behaviour().set(XagBehaviour {
        keeps_state: false,
        ..XagBehaviour::default()
    });
    let token = h.login().await;
    let first = start_link(&h, &token).await;
    let _second = start_link(&h, &token).await;
    let page = approve(&first).await;
    let (action, form) = posted_form(&page);
    let path = url::Url::parse(&action).expect("url").path().to_owned();
    let r = callback_form(&h, &path, &form).await;
    assert_eq!(outcome_of(location(&r)), "state_invalid");
    assert_eq!(count_links(&h).await, 0);
}

#[tokio::test]
async fn a_pre_auth_code_shorter_lived_than_the_link_ends_the_attempt_with_it() {
    let h = harness().await;
    assert_eq!(h.config.xag_link_ttl_secs, 600);
    h.xag.sim.behaviour().set(XagBehaviour {
        pre_auth_ttl_secs: Some(1),
        ..XagBehaviour::default()
    });
    let token = h.login().await;
    let r = h.post_json("/api/xag/link", Some(&token), json!({})).await;
    let own = r.json()["authorize_url"].as_str().expect("url").to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    // the proxy knows the code is dead: it says so rather than send the pilot to XAG's error
    let r = h.get(&own, None).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "link_state_invalid")
    );
    // a longer one is used as it is
    h.xag.sim.behaviour().set(XagBehaviour::default());
    let url = start_link(&h, &token).await;
    let (path, code, _) = authorize(&url, "approve").await;
    let r = callback_form(&h, &path, &format!("authorization_code={code}")).await;
    assert_eq!(location(&r), "/?xag=linked");
}

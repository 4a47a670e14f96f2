//! `pilot-portal-proxy check` as a library call against the simulators, under their switches:
//! it passes on the demo stack, and each disagreement it can see is a contradiction naming
//! the setting to change (exit status 1).

mod common;

use common::*;
use pilot_portal_proxy::check::{self, Options, Report, Status};
use pilot_portal_proxy::config::{CodeIn, Config, TimestampUnit};
use pilot_portal_sim::demo::DemoOptions;
use pilot_portal_sim::flighthub::behaviour::{EmptyList, FlightHubBehaviour};
use pilot_portal_sim::token_api::behaviour::{IssueAnswer, TokenApiBehaviour};
use pilot_portal_sim::xag::behaviour::{self as xag, XagBehaviour};
use pilot_portal_sim::xag::XagConfig;
use pilot_portal_testkit::StackOptions;

fn with_account() -> Options {
    Options {
        account: Some(("pilot".into(), "pilot123".into())),
        allow_demo_dji: true,
    }
}

/// The demo stack with its MQTT broker.
async fn demo(tweak: impl FnOnce(&mut Config)) -> Harness {
    harness_on(StackOptions::default(), tweak).await
}

async fn run(h: &Harness, options: &Options) -> Report {
    check::run(&h.config, options).await.expect("check runs")
}

/// `check` on the settings of `h`'s running stack, changed by `tweak` (settings a start
/// would refuse, so no stack could run with them).
async fn run_changed(h: &Harness, tweak: impl FnOnce(&mut Config)) -> Report {
    let mut config = h.config.clone();
    tweak(&mut config);
    check::run(&config, &Options::default())
        .await
        .expect("check runs")
}

fn status_of<'a>(report: &'a Report, claim: &str) -> &'a Status {
    &report
        .line(claim)
        .unwrap_or_else(|| panic!("no line {claim:?} in\n{report}"))
        .status
}

fn contradicted(setting: &str) -> Status {
    Status::Contradicted {
        setting: Some(setting.into()),
    }
}

#[tokio::test]
async fn the_demo_stack_passes_and_says_what_it_could_not_check() {
    let h = demo(|_| {}).await;
    let report = run(&h, &with_account()).await;
    let text = report.to_string();
    assert!(report.passed(), "{text}");
    assert_eq!(report.exit_code(), 0);
    for claim in [
        "the token collection is at TOKEN_API_TOKENS_PATH",
        "login answers {_id",
        "POST tokens is allowed",
        "logout revokes by the login answer's _id",
        "signature, timestamp unit and component access token accepted",
        "this server's clock is inside XAG's 10-minute window",
        "where /v1/auth/token reads authorization_code",
        "the organization key is valid at FLIGHTHUB_URL",
        "a wrong key answers FLIGHTHUB_KEY_INVALID_CODES",
        "a project the key may not use answers FLIGHTHUB_FORBIDDEN_CODES",
        "the project list pages with page and page_size",
        "an empty page is read as an empty list",
        "the broker is reachable",
        "anonymous login is refused",
        "the account is accepted",
    ] {
        assert_eq!(
            status_of(&report, claim),
            &Status::Confirmed,
            "{claim}\n{text}"
        );
    }
    assert!(
        text.contains("every signed-in pilot may choose any of the 12 projects"),
        "the default project rule is said: {text}"
    );
    assert!(
        text.contains("and manage the unlock licenses of every controller and dock in it"),
        "and what it means for remote unlocking: {text}"
    );
    assert!(matches!(
        status_of(&report, "Pilot 2 answers unlock_license_list"),
        Status::NotCheckable {
            needs: "a real controller"
        }
    ));
    assert!(text.contains("not checkable without a real controller"));
    // nothing secret in the report
    for secret in [
        "pilot123",
        "xag-demo-secret",
        "xag-demo-component-token",
        "fh2-demo-organization-key",
        "mqtt-pilot-secret",
        "mqtt-platform-secret",
    ] {
        assert!(!text.contains(secret), "{secret} in\n{text}");
    }
}

#[tokio::test]
async fn without_an_account_or_with_demo_dji_values() {
    let h = demo(|_| {}).await;
    let report = run(&h, &Options::default()).await;
    assert!(matches!(
        status_of(&report, "login answer, token claims"),
        Status::NotCheckable { .. }
    ));
    assert_eq!(
        status_of(&report, "app id, key and license set"),
        &contradicted("DJI_APP_ID, DJI_APP_KEY, DJI_APP_LICENSE")
    );
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test]
async fn every_token_platform_the_proxy_supports_passes() {
    let h = demo(|_| {}).await;
    for behaviour in TokenApiBehaviour::matrix() {
        h.token_api.api.set_behaviour(behaviour.clone());
        let report = run(&h, &with_account()).await;
        assert!(report.passed(), "{behaviour:?}\n{report}");
    }
}

#[tokio::test]
async fn a_token_platform_the_settings_do_not_fit_is_contradicted() {
    let h = demo(|_| {}).await;
    for behaviour in [
        TokenApiBehaviour {
            issue_answer: IssueAnswer::TokenOnly,
            ..TokenApiBehaviour::default()
        },
        TokenApiBehaviour {
            issue_forbidden: true,
            ..TokenApiBehaviour::default()
        },
    ] {
        h.token_api.api.set_behaviour(behaviour.clone());
        let report = run(&h, &with_account()).await;
        let status = status_of(&report, "POST tokens is allowed");
        assert!(
            matches!(status, Status::Contradicted { setting: Some(s) } if s.starts_with("TOKEN_ISSUE_NAMED=false")),
            "{behaviour:?}\n{report}"
        );
    }
    h.token_api.api.set_behaviour(TokenApiBehaviour::default());
    let wrong = Options {
        account: Some(("pilot".into(), "wrong".into())),
        allow_demo_dji: true,
    };
    assert!(!run(&h, &wrong).await.passed());

    let h = demo(|c| c.token_api_tokens_path = "/api/v2/tokens".into()).await;
    let report = run(&h, &with_account()).await;
    assert_eq!(
        status_of(&report, "the token collection is at"),
        &contradicted("TOKEN_API_TOKENS_PATH")
    );
}

#[tokio::test]
async fn xag_where_the_code_goes_and_the_timestamp_unit() {
    let h = demo(|_| {}).await;
    for (reads, sim) in [
        (CodeIn::Json, xag::CodeIn::Json),
        (CodeIn::Form, xag::CodeIn::Form),
        (CodeIn::Query, xag::CodeIn::Query),
    ] {
        h.xag.sim.behaviour().set(XagBehaviour {
            token_code_in: sim,
            ..XagBehaviour::default()
        });
        let report = run(&h, &with_account()).await;
        let status = status_of(&report, "where /v1/auth/token reads");
        if reads == CodeIn::Json {
            assert_eq!(status, &Status::Confirmed, "{report}");
        } else {
            assert_eq!(
                status,
                &contradicted(&format!("XAG_TOKEN_CODE_IN={}", reads.as_str())),
                "{report}"
            );
            assert_eq!(report.exit_code(), 1);
        }
    }
    // a short pre-auth code is reported
    h.xag.sim.behaviour().set(XagBehaviour {
        pre_auth_ttl_secs: Some(120),
        ..XagBehaviour::default()
    });
    let report = run(&h, &with_account()).await;
    assert!(
        report.to_string().contains("attempts live 120 s"),
        "{report}"
    );

    // XAG expects milliseconds, the proxy sends seconds
    let options = StackOptions {
        demo: DemoOptions {
            xag: XagConfig {
                millis: true,
                ..XagConfig::demo()
            },
            ..DemoOptions::default()
        },
    };
    let h = harness_on(options, |c| c.xag_timestamp_unit = TimestampUnit::Seconds).await;
    let report = run(&h, &with_account()).await;
    assert_eq!(
        status_of(&report, "signature, timestamp unit"),
        &contradicted("XAG_TIMESTAMP_UNIT=milliseconds"),
        "{report}"
    );

    // a wrong secret
    let h = demo(|c| c.xag_app_secret = "not-the-secret".into()).await;
    let report = run(&h, &with_account()).await;
    assert_eq!(
        status_of(&report, "signature, timestamp unit"),
        &contradicted("XAG_COMPONENT_APPID, XAG_APP_SECRET or XAG_COMPONENT_ACCESS_TOKEN")
    );
}

#[tokio::test]
async fn flighthub_codes_paging_lists_and_project_rules() {
    let h = demo(|_| {}).await;
    h.flighthub.sim.behaviour().set(FlightHubBehaviour {
        key_invalid_code: 401_001,
        forbidden_code: 403_001,
        ..FlightHubBehaviour::default()
    });
    let report = run(&h, &with_account()).await;
    assert_eq!(
        status_of(&report, "a wrong key answers"),
        &contradicted("FLIGHTHUB_KEY_INVALID_CODES"),
        "{report}"
    );
    assert_eq!(
        status_of(&report, "a project the key may not use"),
        &contradicted("FLIGHTHUB_FORBIDDEN_CODES")
    );
    for empty_list in [EmptyList::Null, EmptyList::Array, EmptyList::Missing] {
        h.flighthub.sim.behaviour().set(FlightHubBehaviour {
            empty_list,
            paging: false,
            ..FlightHubBehaviour::default()
        });
        let report = run(&h, &with_account()).await;
        assert!(report.passed(), "{empty_list:?}\n{report}");
        assert_eq!(status_of(&report, "an empty page"), &Status::Confirmed);
        assert!(report.to_string().contains("paging ignored"), "{report}");
    }

    let h = demo(|c| {
        c.flighthub_key_invalid_codes.0 = vec![401_001];
        c.flighthub_forbidden_codes.0 = vec![403_001];
    })
    .await;
    h.flighthub.sim.behaviour().set(FlightHubBehaviour {
        key_invalid_code: 401_001,
        forbidden_code: 403_001,
        ..FlightHubBehaviour::default()
    });
    assert!(run(&h, &with_account()).await.passed());

    let h = demo(|c| c.flighthub_org_key = "a-key-of-another-region".into()).await;
    let report = run(&h, &with_account()).await;
    assert!(matches!(
        status_of(&report, "the organization key is valid"),
        Status::Contradicted { setting: Some(s) } if s.starts_with("FLIGHTHUB_ORG_KEY or FLIGHTHUB_URL")
    ));

    let h = demo(|c| {
        c.flighthub_project_access = vec![
            "pilot=3f6b2c1a-8d4e-4b7a-9c2f-1e5d7a9b0c3d".into(),
            "team-*=00000000-0000-4000-8000-000000000000".into(),
        ]
    })
    .await;
    let report = run(&h, &with_account()).await;
    assert_eq!(
        status_of(&report, "which projects each pilot may use"),
        &contradicted("FLIGHTHUB_PROJECT_ACCESS")
    );
    assert!(report
        .to_string()
        .contains("00000000-0000-4000-8000-000000000000"));
}

#[tokio::test]
async fn mqtt_accounts_and_addresses() {
    let h = demo(|c| {
        c.device_mqtt_password = "not-the-password".into();
        c.mqtt_credentials = vec!["pilot=mqtt-pilot:wrong".into()];
    })
    .await;
    let report = run(&h, &with_account()).await;
    let text = report.to_string();
    assert!(
        text.contains(
            "contradicted (change DEVICE_MQTT_USERNAME / DEVICE_MQTT_PASSWORD) | MQTT broker | the account is accepted: mqtt-platform"
        ),
        "{text}"
    );
    assert!(
        text.contains("contradicted (change MQTT_CREDENTIALS) | MQTT broker | the account is accepted: mqtt-pilot"),
        "{text}"
    );
    assert!(!text.contains("not-the-password"));

    let h = demo(|c| c.mqtt_broker = "ws://127.0.0.1:9/mqtt".into()).await;
    let report = run(&h, &with_account()).await;
    assert_eq!(
        status_of(&report, "the broker is reachable"),
        &contradicted("MQTT_BROKER")
    );

    // nothing configured: nothing contradicted, everything said to be off
    let h = harness_with(|c| {
        c.xag_component_appid.clear();
        c.xag_app_secret.clear();
        c.xag_component_access_token.clear();
        c.flighthub_org_key.clear();
    })
    .await;
    let report = run(&h, &with_account()).await;
    assert!(report.passed(), "{report}");
    assert!(report
        .lines
        .iter()
        .any(|l| l.status == Status::Off && l.area == "XAG"));
    assert!(report
        .lines
        .iter()
        .any(|l| l.status == Status::Off && l.area == "FlightHub 2"));
}

/// What a start would refuse before it listens, `check` says first, naming the setting: a
/// key of the wrong size, another key than the stored XAG tokens were sealed with, a database
/// that does not open. Nothing is changed by it.
#[tokio::test]
async fn what_a_start_refuses_check_says_naming_the_setting() {
    let h = demo(|_| {}).await;
    let report = run(&h, &Options::default()).await;
    assert_eq!(
        status_of(&report, "every setting has a form"),
        &Status::Confirmed
    );
    assert_eq!(status_of(&report, "the database opens"), &Status::Confirmed);

    let report = run_changed(&h, |c| c.storage_key = "c2hvcnQ=".into()).await;
    assert_eq!(
        status_of(&report, "every setting has a form"),
        &contradicted("STORAGE_KEY")
    );
    assert!(!report.passed());

    // a link stored under the running key; check with another key
    let db = pilot_portal_proxy::db::Db::connect(&h.config.database_url)
        .await
        .expect("db")
        .with_storage_key(
            pilot_portal_proxy::storage_key::StorageKey::from_setting(&h.config.storage_key)
                .expect("key"),
        );
    let link = pilot_portal_proxy::db::XagLink {
        union_id: "xag-union-1".into(),
        access_token: "xag-access-token-of-pilot".into(),
        expires_at: Some(i64::MAX / 2),
        linked_at: 0,
    };
    db.upsert_link("pilot", &link).await.expect("stored");
    let report = run_changed(&h, |c| {
        c.storage_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()
    })
    .await;
    let line = report.line("the database opens").expect("line");
    assert_eq!(line.status, contradicted("STORAGE_KEY"));
    assert!(line.detail.contains("\"pilot\""), "{line}");
    assert!(!report.to_string().contains("xag-access-token-of-pilot"));
    assert_eq!(
        db.link("pilot")
            .await
            .expect("read")
            .map(|l| l.access_token),
        Some(link.access_token),
        "check changed nothing"
    );

    let report = run_changed(&h, |c| {
        c.database_url = "sqlite:///proc/no-such-dir/pilot.db?mode=rwc".into()
    })
    .await;
    assert_eq!(
        status_of(&report, "the database opens"),
        &contradicted("DATABASE_URL")
    );
}

/// A server that is not an MQTT broker (here the token API's HTTP) is not a broker that
/// "refuses anonymous logins"; the proxy's own link takes `tcp://` only, as a start says.
#[tokio::test]
async fn an_http_server_is_no_broker_and_the_link_takes_tcp_only() {
    let http = {
        let h = demo(|_| {}).await;
        h.config.token_api_url.clone()
    };
    let address = http
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let h = demo(|c| c.mqtt_broker = format!("tcp://{address}")).await;
    let report = run(&h, &Options::default()).await;
    assert_eq!(
        status_of(&report, "the broker is reachable"),
        &contradicted("MQTT_BROKER")
    );
    assert!(
        !report.lines.iter().any(
            |l| l.claim == "anonymous login is refused" && l.detail.starts_with("MQTT_BROKER:")
        ),
        "{report}"
    );

    // the proxy's own link (rumqttc) says the same, not which packet it took HTTP for
    let report = run_changed(&h, |c| c.device_mqtt_broker = format!("tcp://{address}")).await;
    let said = report.to_string();
    assert!(said.contains("not an MQTT broker"), "{report}");
    assert!(!said.contains("PubAck"), "{report}");

    // a start refuses it, so it is asked of the settings a running stack has, changed
    let report = run_changed(&h, |c| {
        c.device_mqtt_broker = "ws://127.0.0.1:9/mqtt".into()
    })
    .await;
    let line = report
        .lines
        .iter()
        .find(|l| {
            l.detail.contains("ws://127.0.0.1:9/mqtt")
                && l.claim == "the broker address can be used"
        })
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(line.status, contradicted("DEVICE_MQTT_BROKER"));
    assert!(!report
        .lines
        .iter()
        .any(|l| l.detail.contains("on DEVICE_MQTT_BROKER") && l.status == Status::Confirmed));
}

/// A self-signed certificate for localhost (test only), and its key.
const TEST_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBgDCCASWgAwIBAgIUY93JSFzGGq2GTb9Q0Kq9JQe/AywwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzE5MjMxOVoYDzIxMjYxMTAz
MTkyMzE5WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASuDF+whCiMcNCr+/kdUOR3QiF8K0P+ok1s4yJOxv3NDP5kQ4xV8YYO
p4GnvT+6jxSjw2nRprelDOP++c/wer7/o1MwUTAdBgNVHQ4EFgQU5wucXQYln3B4
CG5vsESH0y9k1DswHwYDVR0jBBgwFoAU5wucXQYln3B4CG5vsESH0y9k1DswDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAwARAEe6Vra5BnZ8FBlvj
zpD44TV1iyn5b3P2yaUX1F0CIQCd/0eHOMthIuC9fzyftNJbah2uzphEuGzZUuIa
HBGcMg==
-----END CERTIFICATE-----";
const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgTqKo4mYBRx9sPH8x
xDtkQ+OAp/adgctzP/GILi0zDhChRANCAASuDF+whCiMcNCr+/kdUOR3QiF8K0P+
ok1s4yJOxv3NDP5kQ4xV8YYOp4GnvT+6jxSjw2nRprelDOP++c/wer7/
-----END PRIVATE KEY-----";

/// A TLS listener (mosquitto's 8883) given as `tcp://` hangs up on a plain CONNECT as a
/// broker refusing it would: a handshake tells them apart, and the address is what to change.
#[tokio::test]
async fn a_tls_listener_given_as_tcp_is_said_to_need_ssl() {
    use rumqttc::tokio_rustls::rustls::pki_types::pem::PemObject;
    use rumqttc::tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use rumqttc::tokio_rustls::rustls::ServerConfig;
    use rumqttc::tokio_rustls::TlsAcceptor;

    let cert = CertificateDer::from_pem_slice(TEST_CERT.as_bytes()).expect("cert");
    let key = PrivateKeyDer::from_pem_slice(TEST_KEY.as_bytes()).expect("key");
    let tls = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config");
    let acceptor = TlsAcceptor::from(std::sync::Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(tcp).await;
            });
        }
    });

    let h = demo(|_| {}).await;
    let report = run_changed(&h, |c| c.mqtt_broker = format!("tcp://127.0.0.1:{port}")).await;
    let line = report
        .lines
        .iter()
        .find(|l| l.claim == "the broker is reachable" && l.detail.starts_with("MQTT_BROKER"))
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(line.status, contradicted("MQTT_BROKER"), "{report}");
    assert!(line.detail.contains("use ssl://"), "{line}");
}

/// An unset XAG_CALLBACK_URL is said: XAG would be given this machine's own address.
#[tokio::test]
async fn an_unset_xag_callback_is_said() {
    let h = demo(|c| c.xag_callback_url.clear()).await;
    let report = run(&h, &Options::default()).await;
    let line = report
        .line("the callback XAG is given")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(line.status, Status::Info);
    assert!(
        line.detail.starts_with("XAG_CALLBACK_URL is unset"),
        "{line}"
    );
    let h =
        demo(|c| c.xag_callback_url = "https://portal.example.com/api/xag/callback".into()).await;
    assert!(run(&h, &Options::default())
        .await
        .line("the callback XAG is given")
        .is_none());
}

//! The binary as systemd runs it: its environment from an env file, its output not a
//! terminal.

use std::process::{Command, Output};

fn proxy(vars: &[(&str, &str)]) -> Output {
    let dist = tempfile::tempdir().expect("tempdir");
    Command::new(env!("CARGO_BIN_EXE_pilot-portal-proxy"))
        .env_clear()
        .env("PROXY_LISTEN", "127.0.0.1:0")
        .env("PROXY_DIST", dist.path())
        .env("DATABASE_URL", "sqlite::memory:")
        .env("TOKEN_API_URL", "http://127.0.0.1:9/")
        .envs(vars.iter().copied())
        .output()
        .expect("the proxy runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Two settings on one line of an env file: named, the value (a secret) never printed.
#[test]
fn an_env_file_line_holding_two_settings_stops_the_start_quoting_nothing() {
    let output = proxy(&[(
        "XAG_COMPONENT_APPID",
        "xag-app  XAG_APP_SECRET=s3cret-of-xag  XAG_COMPONENT_ACCESS_TOKEN=tok-of-xag",
    )]);
    let said = text(&output);
    assert!(!output.status.success(), "{said}");
    assert!(
        said.contains("XAG_COMPONENT_APPID: its value holds another setting"),
        "{said}"
    );
    assert!(
        !said.contains("s3cret-of-xag") && !said.contains("tok-of-xag"),
        "{said}"
    );
}

/// A setting a start refuses stops it before it says it listens; its log, not on a
/// terminal, carries no colour codes.
#[test]
fn a_refused_setting_stops_the_start_before_it_listens_in_plain_text() {
    let output = proxy(&[("STORAGE_KEY", "c2hvcnQ=")]);
    let said = text(&output);
    assert!(!output.status.success(), "{said}");
    assert!(said.contains("STORAGE_KEY"), "{said}");
    assert!(!said.contains("listening"), "{said}");
    assert!(said.contains("starting"), "the log ran: {said}");
    // neither raw nor as the escaping writer spells them
    assert!(
        !said.contains('\u{1b}') && !said.contains("\\x1b"),
        "no colour codes: {said:?}"
    );
}

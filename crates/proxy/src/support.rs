//! Support reports (issue 11): the diagnostics page's report, stored so an operator can read
//! it by the short id the pilot reads out over the phone.
//!
//! - **No session needed**: a pilot who cannot sign in is who needs support most.
//! - **Bounded**: `SUPPORT_REPORT_MAX_BYTES` (the request guard answers 413 beyond it); per
//!   client address `SUPPORT_REPORTS_PER_ADDRESS` and in all `SUPPORT_REPORTS_PER_HOUR` in
//!   any hour (sliding, [`crate::sliding`]), counted in the database
//!   (`support_report_attempts`) so every instance counts the same, refused reports included;
//!   kept `SUPPORT_REPORT_RETENTION_DAYS`.
//! - **No secrets kept**: the page redacts before it keeps anything; the proxy redacts again
//!   before it stores: a JWT-shaped string (the platform's tokens are HS256 JWTs), a `Bearer`
//!   credential, a token this proxy obtained (by its SHA-256 in `token_bindings`: opaque
//!   tokens too), a secret value of its own settings (FlightHub 2 key, XAG secret and
//!   component token, MQTT passwords, admin tokens, keys, the DJI app key and license). The
//!   answer is the same whether anything was redacted or not: refusing such a report told a
//!   guesser, thousands of guesses a request, whether one of them was a secret.
//! - **Read by an operator**: `pilot-portal-proxy report <ID>` on the server, or
//!   `GET /api/support/reports/{id}` with `SUPPORT_ADMIN_TOKEN` (off when empty).

use crate::config::Config;
use crate::db::Db;
use crate::error::ApiError;
use pilot_portal_shared::support::{format_id, SupportReport};
use rand::RngCore;
use std::net::IpAddr;
use std::ops::Range;

/// The window the limits hold in: an hour, sliding ([`crate::sliding`]).
pub const WINDOW: crate::sliding::Window = crate::sliding::Window::new(3_600_000);
/// A configured secret shorter than this is not looked for: it would match ordinary text.
pub const MIN_KNOWN_SECRET: usize = 8;
/// A word this long or longer may be a token: its hash is looked up in `token_bindings`.
pub const MIN_TOKEN_CANDIDATE: usize = 24;

/// What kind of secret a report held (for the log and the tests; the client is not told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// Three base64url parts starting `eyJ`: a JWT, as the platform's tokens are.
    Jwt,
    /// `Bearer <credential>`.
    Bearer,
    /// A secret value of this proxy's settings.
    Configured,
    /// A token this proxy obtained from the platform.
    BoundToken,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Jwt => "jwt",
            SecretKind::Bearer => "bearer",
            SecretKind::Configured => "configured_secret",
            SecretKind::BoundToken => "platform_token",
        }
    }
}

/// The secret values of `config` worth looking for (at least [`MIN_KNOWN_SECRET`] long).
pub fn known_secrets(config: &Config) -> Vec<String> {
    let mut values = vec![
        config.flighthub_org_key.clone(),
        config.xag_app_secret.clone(),
        config.xag_component_access_token.clone(),
        config.device_mqtt_password.clone(),
        config.unlock_admin_token.clone(),
        config.support_admin_token.clone(),
        config.token_jwt_hs256_secret.clone(),
        config.storage_key.clone(),
        config.dji_app_key.clone(),
        config.dji_license.clone(),
    ];
    values.extend(
        config
            .mqtt_credentials
            .iter()
            .filter_map(|entry| entry.split_once('=')?.1.split_once(':'))
            .map(|(_, password)| password.to_owned()),
    );
    values.retain(|v| v.trim().chars().count() >= MIN_KNOWN_SECRET);
    values.iter_mut().for_each(|v| *v = v.trim().to_owned());
    values.sort();
    values.dedup();
    values
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn is_token_char(b: u8) -> bool {
    is_b64url(b) || matches!(b, b'.' | b'~' | b'+' | b'/' | b'=')
}

/// What replaces a secret in a stored report (the page's own mark, so a report reads alike
/// whichever side redacted it).
pub const REDACTED: &str = "«redacted»";

/// The byte ranges of JWT-shaped strings in `text`: `eyJ` (base64url of `{"`) and three
/// base64url parts separated by dots (the page's recorder uses the same rule).
fn jwt_ranges(text: &str) -> Vec<Range<usize>> {
    text.match_indices("eyJ")
        .filter_map(|(at, _)| {
            let run = text[at..]
                .bytes()
                .take_while(|b| is_b64url(*b) || *b == b'.')
                .count();
            let parts: Vec<&str> = text[at..at + run].split('.').collect();
            (parts.len() >= 3 && parts[0].len() >= 8 && parts[1].len() >= 4).then(|| at..at + run)
        })
        .collect()
}

/// The byte ranges of the credentials after `Bearer ` (any case) of 8 or more token
/// characters (`Bearer «redacted»` holds none).
fn bearer_ranges(text: &str) -> Vec<Range<usize>> {
    let lower = text.to_ascii_lowercase();
    lower
        .match_indices("bearer")
        .filter_map(|(at, _)| {
            let rest = &text.as_bytes()[at + 6..];
            let spaces = rest
                .iter()
                .take_while(|b| **b == b' ' || **b == b'\t')
                .count();
            let credential = rest[spaces..]
                .iter()
                .take_while(|b| is_token_char(**b))
                .count();
            let start = at + 6 + spaces;
            (spaces > 0 && credential >= 8).then(|| start..start + credential)
        })
        .collect()
}

/// The byte ranges where any of `values` occurs in `text`.
fn value_ranges(text: &str, values: &[&str]) -> Vec<Range<usize>> {
    values
        .iter()
        .filter(|v| !v.is_empty())
        .flat_map(|v| text.match_indices(*v).map(|(at, m)| at..at + m.len()))
        .collect()
}

/// `text` with every secret found by its shape, among `known` values or among `tokens` (the
/// words that are tokens this proxy obtained) replaced by [`REDACTED`], and the kinds found.
pub fn redact(text: &str, known: &[String], tokens: &[&str]) -> (String, Vec<SecretKind>) {
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let found = [
        (SecretKind::Jwt, jwt_ranges(text)),
        (SecretKind::Bearer, bearer_ranges(text)),
        (SecretKind::Configured, value_ranges(text, &known)),
        (SecretKind::BoundToken, value_ranges(text, tokens)),
    ];
    let kinds = found
        .iter()
        .filter(|(_, ranges)| !ranges.is_empty())
        .map(|(kind, _)| *kind)
        .collect();
    let mut ranges: Vec<Range<usize>> = found.into_iter().flat_map(|(_, r)| r).collect();
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for range in ranges {
        if range.end <= done {
            continue;
        }
        if range.start >= done {
            out.push_str(&text[done..range.start]);
            out.push_str(REDACTED);
        }
        done = range.end;
    }
    out.push_str(&text[done..]);
    (out, kinds)
}

/// Words of `text` that could be a token (runs of token characters, at least
/// [`MIN_TOKEN_CANDIDATE`] long), each once.
pub fn token_candidates(text: &str) -> Vec<&str> {
    let mut words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii() && is_token_char(c as u8)))
        .filter(|w| w.len() >= MIN_TOKEN_CANDIDATE)
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// A fresh report id (`K7M2-QX4P`): 8 uniformly random characters of the alphabet.
pub fn new_id() -> String {
    let mut picked = [0u8; 8];
    let mut filled = 0;
    let mut rng = rand::rng();
    while filled < picked.len() {
        let mut byte = [0u8; 1];
        rng.fill_bytes(&mut byte);
        // 240 = 8 × 30: no bias towards the alphabet's first characters
        if byte[0] < 240 {
            picked[filled] = byte[0] % 30;
            filled += 1;
        }
    }
    format_id(picked)
}

/// Counts one report attempt from `address` at `now`; `TooMany` reports with the wait when
/// this address or everyone together used up the window.
pub async fn count_attempt(
    db: &Db,
    config: &Config,
    address: IpAddr,
    now: i64,
) -> Result<(), ApiError> {
    let refused = |limit: &'static str, retry_after_secs: u64| {
        crate::health::count_refusal(limit);
        ApiError::TooMany {
            what: "support reports",
            retry_after_secs,
        }
    };
    let by_address = db
        .count_report_attempt(&format!("address:{address}"), WINDOW, now)
        .await?;
    if let Err(wait) = WINDOW.decide(now, &by_address, config.support_reports_per_address) {
        return Err(refused("support_reports_address", wait));
    }
    let all = db.count_report_attempt("all", WINDOW, now).await?;
    if let Err(wait) = WINDOW.decide(now, &all, config.support_reports_per_hour) {
        return Err(refused("support_reports_all", wait));
    }
    Ok(())
}

/// `report` with its secrets (shapes, configured values, tokens this proxy obtained)
/// replaced by [`REDACTED`], and the kinds found.
pub async fn redact_report(
    db: &Db,
    config: &Config,
    report: &str,
) -> sqlx::Result<(String, Vec<SecretKind>)> {
    let candidates = token_candidates(report);
    let hashes: Vec<String> = candidates
        .iter()
        .map(|word| crate::identity::token_hash(word))
        .collect();
    let bound = db.bound_tokens(&hashes).await?;
    let tokens: Vec<&str> = candidates
        .into_iter()
        .zip(&hashes)
        .filter(|(_, hash)| bound.contains(*hash))
        .map(|(word, _)| word)
        .collect();
    Ok(redact(report, &known_secrets(config), &tokens))
}

/// Stores `report` under a fresh id at `now`, forgetting reports past their retention.
pub async fn store(
    db: &Db,
    config: &Config,
    address: IpAddr,
    report: &str,
    now: i64,
) -> Result<String, ApiError> {
    let keep_ms = i64::from(config.support_report_retention_days.max(1)) * 86_400_000;
    db.forget_support_reports(now - keep_ms).await?;
    // a collision among 30⁸ ids is rare; a few tries make it impossible in practice
    for _ in 0..5 {
        let id = new_id();
        if db
            .insert_support_report(&id, now, &address.to_string(), report)
            .await?
        {
            return Ok(id);
        }
    }
    Err(ApiError::Internal("no free support report id".into()))
}

/// `t` (epoch ms) as `2026-12-05 10:15:03 UTC`.
pub fn utc(t: i64) -> String {
    let secs = u64::try_from(t.max(0) / 1000).unwrap_or(0);
    let date = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    // `Sat, 05 Dec 2026 10:15:03 GMT` → `2026-12-05 10:15:03 UTC`
    let http = httpdate::fmt_http_date(date);
    let parts: Vec<&str> = http.split(' ').collect();
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| parts.get(2) == Some(m))
    .map_or(0, |i| i + 1);
    match parts.as_slice() {
        [_, day, _, year, clock, _] => format!("{year}-{month:02}-{day} {clock} UTC"),
        _ => http,
    }
}

/// One report as an operator reads it in a terminal.
pub fn render(report: &SupportReport) -> String {
    format!(
        "support report {}\nreceived {} from {}\n\n{}",
        report.id,
        utc(report.created_at),
        report.client_addr,
        quoted(&report.report)
    )
}

/// Format characters a terminal draws as nothing or uses to reorder or break lines: direction
/// marks, embeddings, overrides and isolates, zero-width characters, line and paragraph
/// separators, the byte order mark, interlinear annotations.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// A report's text (anyone may send one) as the operator's terminal shows it: every line
/// behind `| `, so none passes for the header, and control and direction characters escaped
/// (`\u{1b}`), so none clears the screen, sets the title or reorders what is read.
fn quoted(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim_end().lines() {
        out.push_str("| ");
        for c in line.chars() {
            if c.is_control() || invisible(c) {
                out.push_str(&c.escape_unicode().to_string());
            } else {
                out.push(c);
            }
        }
        out.push('\n');
    }
    out
}

/// `pilot-portal-proxy report [ID]`: the report `id` from the configured database, or without
/// an id the `last` reports' ids, times and addresses (newest first).
pub async fn operator_report(
    config: &Config,
    id: Option<&str>,
    last: u32,
) -> anyhow::Result<String> {
    let db = Db::connect_existing(&config.database_url).await?;
    let Some(id) = id else {
        let recent = db.recent_support_reports(last).await?;
        if recent.is_empty() {
            return Ok("no support reports\n".into());
        }
        let mut out = String::new();
        for (id, created_at, address, chars) in recent {
            out.push_str(&format!(
                "{id}  {}  {address}  {chars} characters\n",
                utc(created_at)
            ));
        }
        return Ok(out);
    };
    let canonical = pilot_portal_shared::support::parse_id(id).ok_or_else(|| {
        anyhow::anyhow!("{id:?} is not a report id (8 characters like K7M2-QX4P)")
    })?;
    match db.support_report(&canonical).await? {
        Some(report) => Ok(render(&report)),
        None => anyhow::bail!(
            "no support report {canonical} (reports are kept {} days)",
            config.support_report_retention_days
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_cannot_drive_the_operators_terminal_or_forge_its_header() {
        let report = SupportReport {
            id: "K7M2-QX4P".into(),
            created_at: 0,
            client_addr: "203.0.113.7".into(),
            report:
                "hello \u{1b}[2J\u{1b}]0;title\u{7} line\r\nreceived 2026 from 1.2.3.4\u{9b}31m \
                     \u{202e}txet\u{61c}\u{2028}\u{200b}\u{feff}\n\tindented"
                    .into(),
        };
        let shown = render(&report);
        assert!(
            shown.starts_with("support report K7M2-QX4P\nreceived 1970-01-01"),
            "{shown}"
        );
        assert!(
            shown.ends_with(
                "\n\n| hello \\u{1b}[2J\\u{1b}]0;title\\u{7} line\n\
                 | received 2026 from 1.2.3.4\\u{9b}31m \\u{202e}txet\\u{61c}\\u{2028}\\u{200b}\\u{feff}\n\
                 | \\u{9}indented\n"
            ),
            "{shown}"
        );
        assert_eq!(shown.matches("\nreceived ").count(), 1);
    }

    #[test]
    fn secret_shapes() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwaWxvdCJ9.c2ln";
        // what the shapes find (each an empty list of ranges when nothing)
        let has_jwt = |text: &str| !jwt_ranges(text).is_empty();
        let has_bearer = |text: &str| !bearer_ranges(text).is_empty();
        assert!(has_jwt(&format!("reply: {{\"data\":\"{jwt}\"}}")));
        assert!(!has_jwt("eyJust words"));
        assert!(!has_jwt("«redacted …c2ln»"));
        assert!(has_bearer("Authorization: bearer abcdefgh1234"));
        assert!(!has_bearer("Bearer «redacted»"));
        assert!(!has_bearer("the bearer of bad news"));
    }

    #[test]
    fn secrets_are_redacted_and_the_rest_kept() {
        let known = vec!["fh2-demo-organization-key".to_owned()];
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwaWxvdCJ9.c2ln";
        let text = format!(
            "key fh2-demo-organization-key here; apiSetToken(\"{jwt}\"); \
             Authorization: Bearer abcdefgh1234 and ric_0123456789abcdef0123456789ab; \
             5YSZL260021E9W"
        );
        let (redacted, kinds) = redact(&text, &known, &["ric_0123456789abcdef0123456789ab"]);
        assert_eq!(
            redacted,
            "key «redacted» here; apiSetToken(\"«redacted»\"); \
             Authorization: Bearer «redacted» and «redacted»; 5YSZL260021E9W"
        );
        assert_eq!(
            kinds,
            vec![
                SecretKind::Jwt,
                SecretKind::Bearer,
                SecretKind::Configured,
                SecretKind::BoundToken
            ]
        );
        // a secret inside another (a Bearer JWT) is one mark; redacting again changes nothing
        let (once, _) = redact(&format!("Bearer {jwt}!"), &known, &[]);
        assert_eq!(once, "Bearer «redacted»!");
        assert_eq!(redact(&once, &known, &[]), (once.clone(), vec![]));
        let plain = "nothing secret: 5YSZL260021E9W, «redacted …c2ln»";
        assert_eq!(redact(plain, &known, &[]), (plain.to_owned(), vec![]));
    }

    #[test]
    fn known_secrets_skip_short_and_empty_values() {
        let mut config = Config::from_env_pairs([]).expect("config");
        config.mqtt_credentials = vec![
            "pilot=mqtt-pilot:mqtt-pilot-secret".into(),
            "copilot=u:short".into(),
        ];
        config.flighthub_org_key = "fh2-demo-organization-key".into();
        config.xag_app_secret.clear();
        let known = known_secrets(&config);
        assert!(known.contains(&"mqtt-pilot-secret".to_owned()), "{known:?}");
        assert!(known.contains(&"fh2-demo-organization-key".to_owned()));
        assert!(!known.iter().any(|k| k == "short" || k.is_empty()));
    }

    #[test]
    fn ids_are_in_the_alphabet_and_differ() {
        let a = new_id();
        assert_eq!(pilot_portal_shared::support::parse_id(&a), Some(a.clone()));
        assert_ne!(a, new_id());
    }

    #[test]
    fn token_candidates_are_long_words() {
        let text = "GET /api/session 200; ric_0123456789abcdef0123456789ab, 5YSZL260021E9W";
        assert_eq!(
            token_candidates(text),
            vec!["ric_0123456789abcdef0123456789ab"]
        );
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_764_936_903_000), "2025-12-05 12:15:03 UTC");
    }
}

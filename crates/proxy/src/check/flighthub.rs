//! FlightHub 2: the key in its region, the codes for a wrong key and a project it may not use,
//! paging, how an empty page comes back, and the per-pilot project rules. Only reads.

use super::token::claim_names;
use super::{Report, Status};
use crate::config::Config;
use crate::extract::Lang;
use crate::project_access::ProjectAccess;
use crate::upstream::flighthub::{FlightHub, Probe};
use reqwest::StatusCode;
use serde_json::Value;

const AREA: &str = "FlightHub 2";

/// Which public region a host is, if one of DJI's.
fn region(url: &str) -> &'static str {
    if url.contains("es-flight-api-us.") {
        "international (US host)"
    } else if url.contains("es-flight-api-cn.") {
        "China"
    } else if url.contains("es-flight-api-eu.") {
        "Europe"
    } else {
        "not one of DJI's public hosts (on-premises or a stand-in)"
    }
}

fn seen(probe: &Probe) -> String {
    match probe.code {
        Some(code) => format!("HTTP {}, code {code}", probe.status.as_u16()),
        None => format!("HTTP {}, not an envelope", probe.status.as_u16()),
    }
}

/// `data.list`: `Some(items)` when it is an array, `None` when null or absent.
fn list(probe: &Probe) -> Option<Vec<Value>> {
    probe
        .data
        .as_ref()
        .and_then(|d| d.get("list"))
        .and_then(Value::as_array)
        .cloned()
}

fn page(n: usize, size: usize) -> [(&'static str, String); 2] {
    [("page", n.to_string()), ("page_size", size.to_string())]
}

pub(super) async fn check(config: &Config, client: &reqwest::Client, report: &mut Report) {
    let Some(fh) = FlightHub::new(client.clone(), config) else {
        report.push(
            AREA,
            Status::Off,
            "FlightHub 2",
            "FLIGHTHUB_ORG_KEY is empty: no workspace step".into(),
        );
        return;
    };
    let lang = Lang::En;
    let key_claim = "the organization key is valid at FLIGHTHUB_URL";
    let status = match fh.probe("/system_status", &[], None, None, lang).await {
        Ok(p) => p,
        Err(e) => {
            report.push(
                AREA,
                Status::Contradicted {
                    setting: Some("FLIGHTHUB_URL".into()),
                },
                key_claim,
                e.to_string(),
            );
            return;
        }
    };
    let region = region(&config.flighthub_url);
    if status.status.is_success() && status.code == Some(0) {
        report.push(
            AREA,
            Status::Confirmed,
            key_claim,
            format!("system_status answered code 0; region: {region}"),
        );
    } else {
        report.push(
            AREA,
            Status::Contradicted {
                setting: Some(
                    "FLIGHTHUB_ORG_KEY or FLIGHTHUB_URL (a key works only in its region)".into(),
                ),
            },
            key_claim,
            format!("{}; region: {region}", seen(&status)),
        );
        return;
    }
    report.push(
        AREA,
        Status::Info,
        "the organization key is a JWT (DJI's tutorial)",
        match claim_names(&config.flighthub_org_key) {
            Some(names) => format!("claims {}", names.join(", ")),
            None => "not a JWT".into(),
        },
    );

    // A wrong key: which code says so.
    let claim = "a wrong key answers FLIGHTHUB_KEY_INVALID_CODES (or HTTP 401)";
    match fh
        .probe(
            "/system_status",
            &[],
            None,
            Some("pilot-portal-check-not-a-key"),
            lang,
        )
        .await
    {
        Ok(p) => {
            let known = p.status == StatusCode::UNAUTHORIZED
                || p.code
                    .is_some_and(|c| config.flighthub_key_invalid_codes.0.contains(&c));
            let status = if known {
                Status::Confirmed
            } else {
                Status::Contradicted {
                    setting: Some("FLIGHTHUB_KEY_INVALID_CODES".into()),
                }
            };
            report.push(AREA, status, claim, seen(&p));
        }
        Err(e) => report.push(AREA, Status::Info, claim, e.to_string()),
    }

    // A project the key cannot use (a random UUID): which code says so.
    let claim = "a project the key may not use answers FLIGHTHUB_FORBIDDEN_CODES (or HTTP 403)";
    let nobody = uuid::Uuid::new_v4();
    match fh
        .probe("/project/device", &[], Some(&nobody), None, lang)
        .await
    {
        Ok(p) => {
            let known = p.status == StatusCode::FORBIDDEN
                || p.code
                    .is_some_and(|c| config.flighthub_forbidden_codes.0.contains(&c));
            let status = if known {
                Status::Confirmed
            } else if p.code == Some(0) {
                Status::Info
            } else {
                Status::Contradicted {
                    setting: Some("FLIGHTHUB_FORBIDDEN_CODES".into()),
                }
            };
            report.push(
                AREA,
                status,
                claim,
                format!("a made-up project: {}", seen(&p)),
            );
        }
        Err(e) => report.push(AREA, Status::Info, claim, e.to_string()),
    }

    // Paging: two pages of one.
    let claim = "the project list pages with page and page_size";
    let first = fh.probe("/project", &page(1, 1), None, None, lang).await;
    let second = fh.probe("/project", &page(2, 1), None, None, lang).await;
    match (first.as_ref().ok().and_then(list), second.as_ref().ok().and_then(list)) {
        (Some(a), _) if a.len() > 1 => report.push(
            AREA,
            Status::Info,
            claim,
            format!(
                "page_size=1 answered {} projects: paging ignored; the proxy stops at the first page that repeats",
                a.len()
            ),
        ),
        (Some(a), Some(b)) if a.len() == 1 && b.len() == 1 => {
            let differ = a[0].get("uuid") != b[0].get("uuid");
            report.push(
                AREA,
                if differ { Status::Confirmed } else { Status::Info },
                claim,
                if differ {
                    "pages 1 and 2 of size 1 hold different projects".into()
                } else {
                    "page 2 repeats page 1: the proxy stops there".into()
                },
            );
        }
        _ => report.push(
            AREA,
            Status::NotCheckable {
                needs: "two projects in the organization",
            },
            claim,
            String::new(),
        ),
    }
    let claim = "an empty page is read as an empty list";
    match fh
        .probe("/project", &page(100_000, 100), None, None, lang)
        .await
    {
        Ok(p) if p.code == Some(0) => {
            let list = p.data.as_ref().and_then(|d| d.get("list"));
            let how = match list {
                Some(Value::Null) => "list: null",
                Some(Value::Array(a)) if a.is_empty() => "list: []",
                Some(_) => "a list that is not empty",
                None => "no list",
            };
            report.push(
                AREA,
                Status::Confirmed,
                claim,
                format!("page 100000 answered {how}"),
            );
        }
        Ok(p) => report.push(AREA, Status::Info, claim, seen(&p)),
        Err(e) => report.push(AREA, Status::Info, claim, e.to_string()),
    }
    report.push(
        AREA,
        Status::NotCheckable {
            needs: "a burst of calls (not made: it would slow the organization's other clients)",
        },
        "rate limits answer FLIGHTHUB_RATE_LIMIT_CODES or HTTP 429 with Retry-After",
        format!(
            "codes {:?}; at most FLIGHTHUB_MAX_CONCURRENT = {} calls at once",
            config.flighthub_rate_limit_codes.0, config.flighthub_max_concurrent
        ),
    );

    // Who may use which project.
    let claim = "which projects each pilot may use";
    let projects = fh.projects(lang).await;
    let access = ProjectAccess::from_config(config);
    match (projects, access) {
        (_, Err(e)) => report.push(
            AREA,
            Status::Contradicted {
                setting: Some("FLIGHTHUB_PROJECT_ACCESS".into()),
            },
            claim,
            e,
        ),
        (Err(e), _) => report.push(AREA, Status::Info, claim, e.to_string()),
        (Ok(projects), Ok(access)) if access.is_open() => report.push(
            AREA,
            Status::Info,
            claim,
            format!(
                "FLIGHTHUB_PROJECT_ACCESS is empty: every signed-in pilot may choose any of the {} projects the organization key sees{}",
                projects.len(),
                if config.device_link().is_some() {
                    ", and manage the unlock licenses of every controller and dock in it"
                } else {
                    ""
                }
            ),
        ),
        (Ok(projects), Ok(access)) => {
            let visible: Vec<uuid::Uuid> = projects
                .iter()
                .filter_map(|p| uuid::Uuid::parse_str(&p.uuid).ok())
                .collect();
            let unknown: Vec<String> = access
                .named_projects()
                .into_iter()
                .filter(|u| !visible.contains(u))
                .map(|u| u.to_string())
                .collect();
            if unknown.is_empty() {
                report.push(
                    AREA,
                    Status::Confirmed,
                    claim,
                    format!(
                        "{} rules; every project they name is one of the key's {}",
                        access.rule_count(),
                        projects.len()
                    ),
                );
            } else {
                report.push(
                    AREA,
                    Status::Contradicted {
                        setting: Some("FLIGHTHUB_PROJECT_ACCESS".into()),
                    },
                    claim,
                    format!("the key sees no project {}", unknown.join(", ")),
                );
            }
        }
    }
}

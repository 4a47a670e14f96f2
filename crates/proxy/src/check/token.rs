//! The platform token API: the collection path answers, and with a test account what the
//! login answer, the token, `POST` and the list really are. Everything obtained is revoked
//! again.

use super::{Options, Report, Status};
use crate::config::Config;
use crate::error::ApiError;
use crate::upstream::token_api::{IssueAnswer, Revoked, TokenApi};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;

const AREA: &str = "token platform";

/// The claim names of a compact JWT, or `None` for an opaque token.
pub(super) fn claim_names(token: &str) -> Option<Vec<String>> {
    let mut parts = token.trim().split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes).ok()?;
    Some(claims.keys().cloned().collect())
}

/// A JWT's claims, for comparing `sub`/`jti` with what the platform said.
fn claims(token: &str) -> serde_json::Map<String, serde_json::Value> {
    token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn unreachable(report: &mut Report, e: &ApiError) {
    report.push(
        AREA,
        Status::Contradicted {
            setting: Some("TOKEN_API_URL".into()),
        },
        "the platform answers at TOKEN_API_URL",
        e.to_string(),
    );
}

fn shape(answer: &IssueAnswer) -> String {
    let fields: Vec<&str> = [
        ("_id", answer.id.is_some()),
        ("token", answer.token.is_some()),
        ("issuedAt", answer.issued_at.is_some()),
        ("expiresAt", answer.expires_at.is_some()),
        ("name", answer.name.is_some()),
        ("scopes", answer.scopes.is_some()),
    ]
    .iter()
    .filter(|(_, present)| *present)
    .map(|(name, _)| *name)
    .collect();
    if fields.is_empty() {
        "no field the proxy reads".into()
    } else {
        fields.join(", ")
    }
}

pub(super) async fn check(
    config: &Config,
    client: &reqwest::Client,
    options: &Options,
    report: &mut Report,
) {
    let api = TokenApi::new(client.clone(), config);
    // The collection path, with a token that cannot be valid: refused means it is there.
    match api.list("pilot-portal-check-not-a-token").await {
        Err(e) => {
            unreachable(report, &e);
            return;
        }
        Ok(Err(refusal)) if refusal.status == StatusCode::NOT_FOUND => report.push(
            AREA,
            Status::Contradicted {
                setting: Some("TOKEN_API_TOKENS_PATH".into()),
            },
            "the token collection is at TOKEN_API_TOKENS_PATH",
            format!("{} answers 404", config.token_api_tokens_path),
        ),
        Ok(Err(refusal)) => report.push(
            AREA,
            Status::Confirmed,
            "the token collection is at TOKEN_API_TOKENS_PATH",
            format!(
                "{} refuses a made-up token with HTTP {}{}",
                config.token_api_tokens_path,
                refusal.status.as_u16(),
                if refusal.codes.is_empty() {
                    String::from(", no RicError codes")
                } else {
                    format!(", codes {}", refusal.codes.join(", "))
                }
            ),
        ),
        Ok(Ok(_)) => report.push(
            AREA,
            Status::Contradicted { setting: None },
            "the token collection needs a valid token",
            "a made-up token was given the list".into(),
        ),
    }
    let Some((username, password)) = &options.account else {
        report.push(
            AREA,
            Status::NotCheckable {
                needs: "a test account (--username, --password)",
            },
            "login answer, token claims, POST and list of tokens",
            String::new(),
        );
        return;
    };
    let login = match api.login(username, password).await {
        Ok(login) => login,
        Err(ApiError::InvalidCredentials) => {
            report.push(
                AREA,
                Status::Contradicted {
                    setting: Some("--username/--password (the test account)".into()),
                },
                "the test account logs in",
                "refused".into(),
            );
            return;
        }
        Err(e @ (ApiError::UpstreamUnreachable { .. } | ApiError::UpstreamTimeout { .. })) => {
            unreachable(report, &e);
            return;
        }
        Err(e) => {
            report.push(
                AREA,
                Status::Contradicted {
                    setting: Some("TOKEN_API_LOGIN_PATH".into()),
                },
                "login answers {_id, issuedAt, expiresAt, user.name, token}",
                e.to_string(),
            );
            return;
        }
    };
    report.push(
        AREA,
        Status::Confirmed,
        "login answers {_id, issuedAt, expiresAt, user.name, token}",
        format!(
            "_id came back; user.name {}; lifetime {} min",
            if &login.user == username {
                "is the login name"
            } else {
                "differs from the login name (the proxy uses user.name)"
            },
            (login.expires_at - login.issued_at) / 60_000
        ),
    );
    let claim_line = match claim_names(&login.token) {
        None => "an opaque token (not a JWT): the proxy relies on its own bindings".to_owned(),
        Some(names) => {
            let c = claims(&login.token);
            let same = |claim: &str, value: &str| match c.get(claim).and_then(|v| v.as_str()) {
                Some(v) if v == value => "equals",
                Some(_) => "differs from",
                None => "absent, not",
            };
            format!(
                "a JWT with claims {}; sub {} user.name, jti {} _id (no code path depends on them)",
                names.join(", "),
                same("sub", &login.user),
                same("jti", &login.id)
            )
        }
    };
    report.push(AREA, Status::Info, "the token", claim_line);
    if !config.token_jwt_hs256_secret.is_empty() {
        let names = claim_names(&login.token).unwrap_or_default();
        let claim = &config.token_subject_claim;
        let status = if names.iter().any(|n| n == claim) {
            Status::Confirmed
        } else {
            Status::Contradicted {
                setting: Some("TOKEN_SUBJECT_CLAIM".into()),
            }
        };
        report.push(
            AREA,
            status,
            "verified tokens name their user in TOKEN_SUBJECT_CLAIM",
            format!("{claim:?}"),
        );
    }

    // POST: the named token Pilot 2 would get, then revoked again.
    let scopes = api.scopes.clone();
    match api
        .issue(
            &login.token,
            "pilot-portal check",
            Some(("10 minutes", &scopes)),
        )
        .await
    {
        Ok(Ok(answer)) => {
            let usable = answer.id.is_some() && answer.token.is_some();
            let status = if usable || !config.token_issue_named {
                Status::Confirmed
            } else {
                Status::Contradicted {
                    setting: Some("TOKEN_ISSUE_NAMED=false".into()),
                }
            };
            report.push(
                AREA,
                status,
                "POST tokens is allowed and answers _id and token",
                format!("answer has {}", shape(&answer)),
            );
            if let Some(id) = &answer.id {
                let listed = match api.list(&login.token).await {
                    Ok(Ok(list)) => list.iter().any(|t| &t.id == id),
                    _ => false,
                };
                report.push(
                    AREA,
                    Status::Info,
                    "the list shows a token issued with POST",
                    if listed { "yes" } else { "no" }.into(),
                );
                match api.revoke(&login.token, id).await {
                    Ok(Ok(Revoked::Revoked)) => {}
                    _ => report.push(
                        AREA,
                        Status::Contradicted {
                            setting: Some("TOKEN_API_TOKENS_PATH".into()),
                        },
                        "DELETE tokens/{_id} revokes",
                        "the token issued by check was not revoked: revoke \"pilot-portal check\" by hand".into(),
                    ),
                }
            }
        }
        Ok(Err(refusal)) => report.push(
            AREA,
            if config.token_issue_named {
                Status::Contradicted {
                    setting: Some("TOKEN_ISSUE_NAMED=false or TOKEN_SCOPES".into()),
                }
            } else {
                Status::Info
            },
            "POST tokens is allowed and answers _id and token",
            format!("refused with HTTP {}", refusal.status.as_u16()),
        ),
        Err(e) => report.push(
            AREA,
            Status::Contradicted {
                setting: Some("TOKEN_ISSUE_NAMED=false".into()),
            },
            "POST tokens is allowed and answers _id and token",
            e.to_string(),
        ),
    }

    match api.list(&login.token).await {
        Ok(Ok(list)) => {
            let own = list.iter().any(|t| t.id == login.id);
            report.push(
                AREA,
                Status::Info,
                "what the token list holds",
                format!(
                    "{} tokens ({} named); this login's _id {}: the document says the list holds the whole project's tokens",
                    list.len(),
                    list.iter().filter(|t| t.name.is_some()).count(),
                    if own { "among them" } else { "not among them" }
                ),
            );
        }
        Ok(Err(refusal)) => report.push(
            AREA,
            Status::Contradicted {
                setting: Some("TOKEN_SCOPES (GET /tokens)".into()),
            },
            "the token list is readable with the pilot's token",
            format!("refused with HTTP {}", refusal.status.as_u16()),
        ),
        Err(e) => report.push(
            AREA,
            Status::Contradicted { setting: None },
            "the token list is a JSON array of {_id, name, expiresAt, scopes}",
            e.to_string(),
        ),
    }

    // Logout as the proxy does it: by the login answer's _id.
    let status = match api.revoke(&login.token, &login.id).await {
        Ok(Ok(Revoked::Revoked)) => Status::Confirmed,
        _ => Status::Contradicted {
            setting: Some("TOKEN_API_TOKENS_PATH".into()),
        },
    };
    report.push(
        AREA,
        status,
        "logout revokes by the login answer's _id",
        String::new(),
    );
}

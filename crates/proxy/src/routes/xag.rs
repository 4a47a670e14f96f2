//! Linking a pilot's XAG operator account: start, callback, status, unlink.
//!
//! The callback is reached by the operator's browser, posted from XAG's page, with no platform
//! session of its own: the single-use, short-lived `state` in its URL (created for the
//! logged-in pilot when linking started) says whose link it is, and guards against forged and
//! replayed callbacks (not against someone else approving a pilot's attempt: XAG posts the
//! code without the pilot's browser, so nothing binds it to that browser; README, *Notes and
//! known limits*). It also says where the browser goes back to: the page path the pilot
//! started from, checked to be on this origin when linking started.
//!
//! The reference confirms neither that the browser posts (XAG's server may) nor that XAG keeps
//! our `?state=`. A server's post stores the link all the same, and a browser that comes back
//! to `/api/xag/authorize?state=…` afterwards lands on the page with the outcome. A callback
//! without a state is matched as `XAG_STATE_FALLBACK` says, or refused naming that setting.
//! A link attempt lives `XAG_LINK_TTL_SECS`, or less when XAG's pre-auth code does.

use crate::clock::now_ms;
use crate::config::StateFallback;
use crate::db::{NewAttempt, XagLink};
use crate::error::ApiError;
use crate::extract::{is_json, OptionalJson, SessionUser};
use crate::sliding::Window;
use crate::upstream::xag::ExchangeError;
use crate::{random, AppState};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use pilot_portal_shared::{paths, XagLinkRequest, XagLinkStart, XagLinkStatus, XagOutcome};
use serde::{Deserialize, Deserializer};
use std::collections::HashMap;

/// A link attempt's single-use `state`: hex, as the proxy issues it, and not too long to be
/// looked up. Checked when deserialised, so `authorize` and `callback` refuse alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkState(String);

impl LinkState {
    const MAX_LEN: usize = 128;

    /// A fresh, unguessable state (256 bits).
    fn random() -> LinkState {
        LinkState(random::hex(32))
    }

    pub fn parse(raw: &str) -> Option<LinkState> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| LinkState(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for LinkState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        LinkState::parse(&raw).ok_or_else(|| serde::de::Error::custom("not a link state"))
    }
}

/// `?state=…` of `authorize` and of `callback` (the callback URL XAG is given).
#[derive(Deserialize)]
pub struct LinkStateQuery {
    state: LinkState,
}

/// Where the browser goes back to after XAG's page: a path on this origin (`/?emulator`),
/// never another site. Refused unless it starts with a single `/`, is printable ASCII without
/// `\`, at most 512 bytes, and resolves to this origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTo(String);

impl ReturnTo {
    const MAX_LEN: usize = 512;

    pub fn parse(raw: &str) -> Option<ReturnTo> {
        let shaped = raw.len() <= Self::MAX_LEN
            && raw.starts_with('/')
            && !raw.starts_with("//")
            // browsers read `\` as `/`; and a header value must be printable ASCII
            && raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
        // belt and braces: resolved against an origin, it stays there
        let same_origin = url::Url::parse("http://portal.invalid/")
            .and_then(|base| base.join(raw))
            .is_ok_and(|u| {
                u.host_str() == Some("portal.invalid") && u.port().is_none() && u.username() == ""
            });
        (shaped && same_origin).then(|| ReturnTo(raw.to_owned()))
    }

    /// The page's root, where a pilot goes back to when nothing else is known.
    fn root() -> ReturnTo {
        ReturnTo("/".to_owned())
    }

    /// This path with `xag=<outcome>` in its query, replacing any `xag` already there; the
    /// other parameters (`emulator`, …) are kept as they were written.
    pub fn with_outcome(&self, outcome: XagOutcome) -> String {
        let (rest, fragment) = match self.0.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (self.0.as_str(), None),
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let key = XagOutcome::QUERY_KEY;
        let mut params: Vec<String> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .filter(|p| {
                url::form_urlencoded::parse(p.as_bytes())
                    .next()
                    .is_none_or(|(k, _)| k != key)
            })
            .map(str::to_owned)
            .collect();
        params.push(format!("{key}={}", outcome.as_str()));
        let mut location = format!("{path}?{}", params.join("&"));
        if let Some(fragment) = fragment {
            location.push('#');
            location.push_str(fragment);
        }
        location
    }
}

/// `POST /api/xag/link` (optional body `{return_to}`): a link attempt for this pilot (with
/// XAG's pre-auth code), and the URL that takes the webview to XAG's authorization page for
/// it: the proxy's own `/api/xag/authorize`, so the component access token XAG wants in that
/// page's address is never handed to the page's code.
pub async fn start(
    State(state): State<AppState>,
    user: SessionUser,
    OptionalJson(request): OptionalJson<XagLinkRequest>,
) -> Result<Json<XagLinkStart>, ApiError> {
    let return_to = match request.and_then(|r| r.return_to) {
        Some(raw) => Some(ReturnTo::parse(&raw).ok_or_else(|| {
            ApiError::BadRequest("return_to must be a path on this site, like /?emulator.".into())
        })?),
        None => None,
    };
    let xag = state.xag()?;
    count_start(&state, user.name()).await?;
    let pre_auth = xag.create_pre_auth_code().await?;
    // XAG's page refuses an expired pre-auth code: the attempt ends with it.
    let ttl_secs = state
        .config
        .xag_link_ttl_secs
        .max(1)
        .min(pre_auth.expires_in.unwrap_or(i64::MAX));
    let link_state = LinkState::random();
    state
        .db
        .insert_attempt(NewAttempt {
            state: link_state.as_str(),
            user: user.name(),
            pre_auth_code: &pre_auth.code,
            return_to: return_to.as_ref().map(|r| r.0.as_str()),
            expires_at: now_ms().saturating_add(ttl_secs.saturating_mul(1000)),
        })
        .await?;
    tracing::info!(user = %user.name(), "XAG link started");
    Ok(Json(XagLinkStart {
        authorize_url: format!("{}?state={}", paths::XAG_AUTHORIZE, link_state.as_str()),
    }))
}

/// The window of [`LINK_STARTS`].
const LINK_START_WINDOW: Window = Window::new(600_000);
/// Link starts one pilot may make in [`LINK_START_WINDOW`]: each asks XAG for a pre-auth code
/// with the platform's signature, and XAG's quota is the platform's, not the pilot's.
const LINK_STARTS: u32 = 10;

/// Counts a link start of `user`; `TooMany` with the wait once the pilot used up the window.
async fn count_start(state: &AppState, user: &str) -> Result<(), ApiError> {
    let now = now_ms();
    let starts = state
        .db
        .count_link_start(user, LINK_START_WINDOW, now)
        .await?;
    LINK_START_WINDOW
        .decide(now, &starts, LINK_STARTS)
        .map_err(|retry_after_secs| {
            crate::health::count_refusal("xag_link_starts");
            tracing::warn!(%user, "XAG link starts refused: {LINK_STARTS} in 10 minutes");
            ApiError::TooMany {
                what: "XAG links started",
                retry_after_secs,
            }
        })
}

/// The cookie holding the state for `XAG_STATE_FALLBACK=cookie`.
const STATE_COOKIE: &str = "pilot_portal_xag_state";

/// `GET /api/xag/authorize?state=…`: redirects the webview to XAG's authorization page
/// (`/v1/auth/user_auth?component_access_token&pre_auth_code&redirect_uri`), whose
/// `redirect_uri` is this proxy's callback carrying the same state. An attempt that already
/// ended (XAG's server posted the callback while the browser stayed on XAG's page, and the
/// pilot came back here) sends the browser to the page with its outcome instead.
pub async fn authorize(
    State(state): State<AppState>,
    query: Result<Query<LinkStateQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let xag = state.xag()?;
    let Ok(Query(LinkStateQuery { state: link_state })) = query else {
        return Err(ApiError::LinkStateInvalid);
    };
    if let Some(finished) = state.db.finished_attempt(link_state.as_str()).await? {
        let page = finished
            .return_to
            .as_deref()
            .and_then(ReturnTo::parse)
            .unwrap_or_else(ReturnTo::root);
        let outcome = finished
            .outcome
            .as_deref()
            .and_then(XagOutcome::parse)
            .unwrap_or(XagOutcome::StateInvalid);
        return Ok(back_to_page(&page, outcome));
    }
    let now = now_ms();
    let pre_auth_code = state
        .db
        .attempt_pre_auth_code(link_state.as_str(), now)
        .await?
        .ok_or(ApiError::LinkStateInvalid)?;
    state.db.mark_at_xag(link_state.as_str(), now).await?;
    let mut callback = url::Url::parse(&state.config.xag_callback())
        .map_err(|e| ApiError::Internal(format!("XAG_CALLBACK_URL: {e}")))?;
    let cookie_path = callback.path().to_owned();
    callback
        .query_pairs_mut()
        .append_pair("state", link_state.as_str());
    let url = xag.authorize_url(&pre_auth_code, callback.as_str())?;
    let mut response = Redirect::to(&url).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if state.config.xag_state_fallback == StateFallback::Cookie {
        // Sent back on XAG's cross-site form post only as `SameSite=None; Secure`, so only
        // to an HTTPS callback (browsers also treat http://localhost as secure).
        let cookie = format!(
            "{STATE_COOKIE}={}; Path={cookie_path}; Max-Age={}; HttpOnly; Secure; SameSite=None",
            link_state.as_str(),
            state.config.xag_link_ttl_secs.max(1)
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

/// What XAG posts: `{authorization_code, expire_in}`, or an error when the operator cancels.
#[derive(Deserialize, Default)]
struct CallbackBody {
    authorization_code: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// XAG's post, as a form or as JSON (the reference does not say which); anything unreadable is
/// a callback without a code.
fn parse_body(headers: &HeaderMap, body: &Bytes) -> CallbackBody {
    if is_json(headers) {
        serde_json::from_slice(body).unwrap_or_default()
    } else {
        serde_urlencoded::from_bytes(body).unwrap_or_default()
    }
}

/// 303 to `return_to` with the outcome.
fn back_to_page(return_to: &ReturnTo, outcome: XagOutcome) -> Response {
    Redirect::to(&return_to.with_outcome(outcome)).into_response()
}

/// The state a callback is for: its `?state=`, or, without one, what `XAG_STATE_FALLBACK`
/// says. `Err`: the outcome to send the browser to.
async fn callback_state(
    state: &AppState,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<LinkState, XagOutcome> {
    if let Some(raw) = query.get("state") {
        return LinkState::parse(raw).ok_or(XagOutcome::StateInvalid);
    }
    // Anyone can post a callback: the advice below is for one that came while a pilot was at
    // XAG's page, not for every stray post.
    let advise = |advice: &'static str| async move {
        match state.db.pending_at_xag(now_ms()).await {
            Ok(pending) if !pending.is_empty() => tracing::error!("{advice}"),
            _ => tracing::warn!(
                "an XAG callback without ?state= while no link attempt is at XAG's page: ignored"
            ),
        }
    };
    match state.config.xag_state_fallback {
        StateFallback::None => {
            advise(
                "XAG's callback came without the ?state= of its redirect_uri: XAG drops it. \
                 Set XAG_STATE_FALLBACK=cookie (the browser posts the callback, over HTTPS) or \
                 XAG_STATE_FALLBACK=sole-pending (weaker: README, XAG operator authorization)",
            )
            .await;
            Err(XagOutcome::Unsupported)
        }
        StateFallback::Cookie => {
            let cookie = crate::extract::cookie(headers, STATE_COOKIE)
                .and_then(|value| LinkState::parse(value.trim()));
            if cookie.is_none() {
                advise(
                    "XAG's callback came without ?state= and without the state cookie: XAG's \
                     server posts it, or the callback is not HTTPS. Set \
                     XAG_STATE_FALLBACK=sole-pending (weaker: README, XAG operator authorization)",
                )
                .await;
            }
            cookie.ok_or(XagOutcome::Unsupported)
        }
        StateFallback::SolePending => {
            let pending = state.db.pending_at_xag(now_ms()).await.map_err(|e| {
                tracing::error!("XAG callback: {e}");
                XagOutcome::XagError
            })?;
            match pending.as_slice() {
                [only] => LinkState::parse(only).ok_or(XagOutcome::StateInvalid),
                [] => Err(XagOutcome::StateInvalid),
                _ => {
                    tracing::warn!(
                        "XAG callback without ?state= while several link attempts are at XAG's \
                         page: cannot tell whose it is; refused"
                    );
                    Err(XagOutcome::StateInvalid)
                }
            }
        }
    }
}

/// `POST /api/xag/callback?state=…`: exchanges the code and stores the link, then sends the
/// browser back to the page it started from (303) with the outcome, which is also kept with
/// the attempt. Nothing is stored unless the state is valid and XAG accepts the code.
pub async fn callback(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let root = ReturnTo::root();
    let Ok(Query(query)) = query else {
        return Ok(back_to_page(&root, XagOutcome::StateInvalid));
    };
    let link_state = match callback_state(&state, &query, &headers).await {
        Ok(s) => s,
        Err(outcome) => return Ok(back_to_page(&root, outcome)),
    };
    let Some(attempt) = state
        .db
        .consume_attempt(link_state.as_str(), now_ms())
        .await?
    else {
        tracing::warn!("XAG callback with an unknown, used or expired state");
        return Ok(back_to_page(&root, XagOutcome::StateInvalid));
    };
    // checked when stored; checked again rather than trusted
    let page = attempt
        .return_to
        .as_deref()
        .and_then(ReturnTo::parse)
        .unwrap_or(root);
    let outcome = link(&state, &attempt.user, &parse_body(&headers, &body)).await?;
    state
        .db
        .finish_attempt(link_state.as_str(), outcome.as_str())
        .await?;
    let mut response = back_to_page(&page, outcome);
    if state.config.xag_state_fallback == StateFallback::Cookie {
        let clear = format!("{STATE_COOKIE}=; Max-Age=0; HttpOnly; Secure; SameSite=None");
        if let Ok(v) = HeaderValue::from_str(&clear) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

/// Exchanges the posted code and stores `user`'s link: how it went.
async fn link(state: &AppState, user: &str, body: &CallbackBody) -> Result<XagOutcome, ApiError> {
    let Some(code) = body.authorization_code.as_deref().filter(|c| !c.is_empty()) else {
        tracing::info!(%user, reason = body.error.as_deref().unwrap_or("no code"), "XAG link not authorized");
        return Ok(XagOutcome::Denied);
    };
    let token = match state.xag()?.exchange(code).await {
        Ok(t) => t,
        Err(ExchangeError::CodeRejected) => return Ok(XagOutcome::CodeRejected),
        Err(ExchangeError::Other(e)) => {
            tracing::error!(code = e.code().as_str(), "XAG token exchange failed: {e}");
            return Ok(XagOutcome::XagError);
        }
    };
    let now = now_ms();
    let expires_at = token.expires_at(now);
    if expires_at.is_none() {
        tracing::warn!(%user, "XAG stated no lifetime for the access token: the link is kept without an end");
    }
    let link = XagLink {
        union_id: token.union_id,
        access_token: token.access_token,
        expires_at,
        linked_at: now,
    };
    state.db.upsert_link(user, &link).await?;
    tracing::info!(%user, union_id = %link.union_id, "XAG account linked");
    Ok(XagOutcome::Linked)
}

/// `GET /api/xag/link`.
pub async fn status(
    State(state): State<AppState>,
    user: SessionUser,
) -> Result<Json<XagLinkStatus>, ApiError> {
    Ok(Json(XagLink::status(state.db.link(user.name()).await?)))
}

/// `DELETE /api/xag/link`.
pub async fn unlink(
    State(state): State<AppState>,
    user: SessionUser,
) -> Result<StatusCode, ApiError> {
    if state.db.delete_link(user.name()).await? {
        tracing::info!(user = %user.name(), "XAG account unlinked");
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_states_are_hex_and_bounded() {
        assert!(LinkState::parse(&LinkState::random().0).is_some());
        for bad in ["", "forged", "0123-4567", &"a".repeat(129)] {
            assert_eq!(LinkState::parse(bad), None, "{bad}");
        }
        let q: Result<LinkStateQuery, _> = serde_urlencoded::from_str("state=zz");
        assert!(q.is_err(), "refused when deserialised");
    }

    #[test]
    fn return_to_stays_on_this_origin() {
        for ok in ["/", "/?emulator", "/?emulator&x=1", "/main?a=%2F%2F#top"] {
            assert!(ReturnTo::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            "main",
            "//evil.com",
            "///evil.com",
            "/\\evil.com",
            "\\\\evil.com",
            "https://evil.com",
            "javascript:alert(1)",
            "/\t/evil.com",
            "/ /x",
            "/é",
            &format!("/{}", "a".repeat(512)),
        ] {
            assert_eq!(ReturnTo::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_outcome_is_merged_into_the_query() {
        let at = |s: &str| {
            ReturnTo::parse(s)
                .expect("valid")
                .with_outcome(XagOutcome::Linked)
        };
        assert_eq!(at("/"), "/?xag=linked");
        assert_eq!(at("/?emulator"), "/?emulator&xag=linked");
        assert_eq!(at("/?emulator&x=1"), "/?emulator&x=1&xag=linked");
        assert_eq!(
            at("/?xag=denied&emulator&xag=x"),
            "/?emulator&xag=linked",
            "an old outcome is replaced"
        );
        assert_eq!(at("/p?a=1#frag"), "/p?a=1&xag=linked#frag");
        assert_eq!(at("/?"), "/?xag=linked");
    }
}

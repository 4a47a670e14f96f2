//! Every call the page makes to its proxy. Relative `/api/...` URLs: same origin, no CORS —
//! unless the page config names another origin (`api_base`, the proxy's `PUBLIC_API_BASE`,
//! for a page served from a CDN): then every call goes there (the proxy's `ALLOWED_ORIGINS`).
//!
//! Calls that need a session take the token from [`crate::token`], so components never handle
//! tokens. An [`Api`] made by a loader carries its abort signal: a newer load or the panel
//! going away cancels the request.
//!
//! On a field network every call goes through [`send`]: a timeout (15 s for a read, 30 s for
//! a write), reads (GET) retried after 1 s, 2 s and 4 s when no answer came or a gateway
//! answered 502/503/504 (not the proxy's own JSON answer: its 504 is a device that did not
//! answer in time; never on another answer, never while the controller is offline),
//! writes never retried; "Slow network, still trying…" once a call has waited 2.5 s; and
//! every answer's `Date` keeps the clock offset ([`crate::clock`]). See [`crate::net`].

use crate::error::AppError;
use crate::net::{self, Outcome};
use crate::token;
use gloo_net::http::{RequestBuilder, Response};
use pilot_portal_shared::unlock::{
    self, DeviceModelDomain, UnlockLicensesResponse, UnlockSwitchRequest, UnlockSwitchResponse,
    UnlockUpdateRequest, UnlockUpdateResponse, UpdateSource,
};
use pilot_portal_shared::{
    paths, ErrorBody, FlightHubDeviceEntry, FlightHubProject, FlightHubStatus, LoginRequest,
    PilotBootstrap, TokenGrant, Workspace, XagLinkStart, XagLinkStatus,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsCast;

/// `gloo_net`'s `Request`, with the proxy's origin ([`url`]) in front of every path.
struct Request;

impl Request {
    fn get(path: &str) -> RequestBuilder {
        gloo_net::http::Request::get(&url(path))
    }
    fn post(path: &str) -> RequestBuilder {
        gloo_net::http::Request::post(&url(path))
    }
    fn put(path: &str) -> RequestBuilder {
        gloo_net::http::Request::put(&url(path))
    }
    fn delete(path: &str) -> RequestBuilder {
        gloo_net::http::Request::delete(&url(path))
    }
}

/// `path` on the proxy: `api_base` + `path`, or `path` itself (same origin, the default).
pub fn url(path: &str) -> String {
    join(&api_base(), path)
}

fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// `api_base` of the config inlined in `index.html`, read once; empty when absent (the config
/// then comes from `/api/config` on this origin, which is the proxy).
fn api_base() -> String {
    thread_local! {
        static BASE: std::cell::OnceCell<String> = const { std::cell::OnceCell::new() };
    }
    BASE.with(|b| {
        b.get_or_init(|| {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("pilot-portal-config"))
                .and_then(|e| e.text_content())
                .and_then(|t| serde_json::from_str::<serde_json::Value>(t.trim()).ok())
                .and_then(|v| v.get("api_base")?.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .clone()
    })
}

/// Checks the status before decoding: non-2xx bodies are the shared [`ErrorBody`].
async fn read<T: DeserializeOwned>(response: Response) -> Result<T, AppError> {
    let status = response.status();
    let text = response.text().await.map_err(network)?;
    decode(status, &text)
}

/// An answer's body as `T` when `status` is a success, else the proxy's error body as
/// [`AppError::Api`].
fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, AppError> {
    if (200..300).contains(&status) {
        return serde_json::from_str(text).map_err(|e| AppError::Decode(e.to_string()));
    }
    match serde_json::from_str::<ErrorBody>(text) {
        Ok(body) => Err(AppError::Api {
            status,
            code: body.error.code,
            message: body.error.message,
            retry_after_secs: body.error.retry_after_secs,
            upstream_code: body.error.upstream_code,
        }),
        // Not our proxy talking (a captive portal, a gateway page).
        Err(_) => Err(AppError::Decode(format!("HTTP {status}"))),
    }
}

fn network(e: gloo_net::Error) -> AppError {
    AppError::Network(e.to_string())
}

fn page(e: gloo_net::Error) -> AppError {
    AppError::Page(e.to_string())
}

/// Sends `req` as described at the top of this module: timeout, retries of a read, the slow
/// flag, the clock.
async fn send(req: gloo_net::http::Request) -> Result<Response, AppError> {
    let base = web_sys::Request::from(req);
    let read = base.method() == "GET";
    let timeout = if read {
        net::READ_TIMEOUT_MS
    } else {
        net::WRITE_TIMEOUT_MS
    };
    let _waiting = net::Waiting::start();
    let mut retry = 0;
    loop {
        let (outcome, result) = attempt(&base, timeout).await;
        let delay = (read && net::retries(outcome) && net::online_now())
            .then(|| net::read_retry_delay_ms(retry))
            .flatten();
        let Some(delay) = delay else {
            return result;
        };
        net::sleep(delay).await;
        if base.signal().aborted() {
            return result;
        }
        retry += 1;
    }
}

/// One try of `base`, abandoned after `timeout_ms` or when `base`'s own signal aborts. A
/// WebView without `AbortController` (Chrome 63 to 65, README "Old controllers") cannot abort:
/// the answer is then raced against the timeout and a late one ignored.
async fn attempt(
    base: &web_sys::Request,
    timeout_ms: i32,
) -> (Outcome, Result<Response, AppError>) {
    let cancelled = || {
        (
            Outcome::Cancelled,
            Err(AppError::Network("cancelled".into())),
        )
    };
    let outer = base.signal();
    let Some(window) = web_sys::window() else {
        return cancelled();
    };
    if outer.aborted() {
        return cancelled();
    }
    let controller = web_sys::AbortController::new().ok();
    let timed_out = std::rc::Rc::new(std::cell::Cell::new(false));
    let timer = controller.as_ref().and_then(|controller| {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        net::after(timeout_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    });
    let follow = {
        let controller = controller.clone();
        wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            if let Some(c) = &controller {
                c.abort();
            }
        })
    };
    let _ = outer.add_event_listener_with_callback("abort", follow.as_ref().unchecked_ref());
    let request = match &controller {
        Some(controller) => {
            let init = web_sys::RequestInit::new();
            init.set_signal(Some(&controller.signal()));
            web_sys::Request::new_with_request_and_init(base, &init)
        }
        None => base.clone(),
    };
    let sent = match request {
        Ok(request) => {
            let fetch = window.fetch_with_request(&request);
            let promise = match controller {
                Some(_) => fetch,
                None => js_sys::Promise::race(&js_sys::Array::of2(&fetch, &net::delay(timeout_ms))),
            };
            let sent = wasm_bindgen_futures::JsFuture::from(promise).await;
            if matches!(&sent, Ok(v) if v.is_undefined()) {
                timed_out.set(true);
            }
            sent
        }
        Err(e) => Err(e),
    };
    net::cancel(timer);
    let _ = outer.remove_event_listener_with_callback("abort", follow.as_ref().unchecked_ref());
    match sent.map(|v| v.dyn_into::<web_sys::Response>()) {
        Ok(Ok(raw)) => {
            let headers = raw.headers();
            crate::clock::observe_date(headers.get("date").ok().flatten());
            let json = headers
                .get("content-type")
                .ok()
                .flatten()
                .is_some_and(|t| t.starts_with("application/json"));
            let status = raw.status();
            let outcome = if json {
                Outcome::Answered(status)
            } else {
                Outcome::Gateway(status)
            };
            (outcome, Ok(Response::from(raw)))
        }
        _ if timed_out.get() => (
            Outcome::NoAnswer,
            Err(AppError::Network("no answer in time".into())),
        ),
        _ if outer.aborted() => cancelled(),
        Ok(Err(_)) => (
            Outcome::NoAnswer,
            Err(AppError::Network("not a response".into())),
        ),
        Err(e) => (
            Outcome::NoAnswer,
            Err(AppError::Network(
                e.as_string().unwrap_or_else(|| "request failed".into()),
            )),
        ),
    }
}

/// A handle for proxy calls, cancelled through its abort signal if it has one.
#[derive(Clone, Default)]
pub struct Api {
    signal: Option<web_sys::AbortSignal>,
}

impl Api {
    pub fn new() -> Self {
        Api::default()
    }

    /// Calls that `signal` cancels.
    pub fn with_signal(signal: web_sys::AbortSignal) -> Self {
        Api {
            signal: Some(signal),
        }
    }

    fn prepare(&self, req: RequestBuilder) -> RequestBuilder {
        // The page's language, not the WebView's: what the proxy asks FlightHub 2 in. (A
        // CORS-safelisted header: no preflight when the proxy is on another origin.)
        req.abort_signal(self.signal.as_ref())
            .header("Accept-Language", crate::i18n::current().code())
    }

    /// `req` with the signed-in pilot's token.
    fn authed(&self, req: RequestBuilder) -> Result<RequestBuilder, AppError> {
        let token = token::current().ok_or(AppError::NoSession)?;
        Ok(self
            .prepare(req)
            .header("Authorization", &format!("Bearer {token}")))
    }

    /// Sends `req` and decodes the JSON answer (or the error body).
    async fn fetch<T: DeserializeOwned>(req: RequestBuilder) -> Result<T, AppError> {
        read(send(req.build().map_err(page)?).await?).await
    }

    /// Sends `req` with a JSON `body` and decodes the answer.
    async fn fetch_with<B: Serialize, T: DeserializeOwned>(
        req: RequestBuilder,
        body: &B,
    ) -> Result<T, AppError> {
        let req = req.json(body).map_err(page)?;
        read(send(req).await?).await
    }

    /// Sends `req` to a route that answers 204 on success.
    async fn fetch_empty(req: RequestBuilder) -> Result<(), AppError> {
        let response = send(req.build().map_err(page)?).await?;
        if response.ok() {
            Ok(())
        } else {
            read::<serde_json::Value>(response).await.map(|_| ())
        }
    }

    /// `GET /api/config`, when the proxy did not inline it: the JSON text (see `config`).
    pub async fn config_text(&self) -> Result<String, AppError> {
        let response = send(
            self.prepare(Request::get(paths::CONFIG))
                .build()
                .map_err(page)?,
        )
        .await?;
        if !response.ok() {
            return read::<serde_json::Value>(response)
                .await
                .map(|_| String::new());
        }
        response.text().await.map_err(network)
    }

    /// `POST /api/auth/login`: a platform token for username and password, named by the proxy
    /// after this controller's serial number (`None` outside Pilot 2).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        controller_sn: Option<String>,
    ) -> Result<TokenGrant, AppError> {
        let body = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
            controller_sn,
        };
        Self::fetch_with(self.prepare(Request::post(paths::LOGIN)), &body).await
    }

    /// `POST /api/session/renew`: a fresh token for the current one.
    pub async fn renew(&self) -> Result<TokenGrant, AppError> {
        Self::fetch(self.authed(Request::post(paths::SESSION_RENEW))?).await
    }

    /// `GET /api/pilot/bootstrap`: session, cloud module params, workspace, in one round trip.
    /// The loader may have sent it already, while the page downloaded (`src/loader.js`): that
    /// answer is used when it was asked with the token Pilot 2 holds.
    pub async fn bootstrap(&self) -> Result<PilotBootstrap, AppError> {
        if let Some(answer) = take_prefetched_bootstrap() {
            let waiting = net::Waiting::start();
            match answer.await {
                Ok(answer) => return decode(answer.status, &answer.text),
                // no answer to the early request: asked again, with retries
                Err(_) => drop(waiting),
            }
        }
        Self::fetch(self.authed(Request::get(paths::PILOT_BOOTSTRAP))?).await
    }

    /// `PUT /api/pilot/workspace`: remembers the pilot's workspace.
    pub async fn choose_workspace(&self, uuid: &str) -> Result<Workspace, AppError> {
        let body = pilot_portal_shared::WorkspaceChoice {
            uuid: uuid.to_owned(),
        };
        Self::fetch_with(self.authed(Request::put(paths::PILOT_WORKSPACE))?, &body).await
    }

    /// `GET /api/flighthub/status`.
    pub async fn flighthub_status(&self) -> Result<FlightHubStatus, AppError> {
        Self::fetch(self.authed(Request::get(paths::FLIGHTHUB_STATUS))?).await
    }

    /// `GET /api/flighthub/projects`: the projects a pilot can choose as workspace.
    pub async fn flighthub_projects(&self) -> Result<Vec<FlightHubProject>, AppError> {
        Self::fetch(self.authed(Request::get(paths::FLIGHTHUB_PROJECTS))?).await
    }

    /// `GET /api/flighthub/projects/{uuid}/devices`.
    pub async fn flighthub_project_devices(
        &self,
        uuid: &str,
    ) -> Result<Vec<FlightHubDeviceEntry>, AppError> {
        let path = paths::flighthub_project_devices(uuid);
        Self::fetch(self.authed(Request::get(&path))?).await
    }

    /// `GET /api/xag/link`.
    pub async fn xag_status(&self) -> Result<XagLinkStatus, AppError> {
        Self::fetch(self.authed(Request::get(paths::XAG_LINK))?).await
    }

    /// `POST /api/xag/link`: where to send the webview; XAG's page sends it back to `return_to`.
    pub async fn xag_start(&self, return_to: &str) -> Result<XagLinkStart, AppError> {
        let body = pilot_portal_shared::XagLinkRequest {
            return_to: Some(return_to.to_owned()),
        };
        Self::fetch_with(self.authed(Request::post(paths::XAG_LINK))?, &body).await
    }

    /// `DELETE /api/xag/link`.
    pub async fn xag_unlink(&self) -> Result<(), AppError> {
        Self::fetch_empty(self.authed(Request::delete(paths::XAG_LINK))?).await
    }

    /// `GET /api/tokens`: the project's access tokens, this controller's marked.
    #[cfg(feature = "full")]
    pub async fn tokens(&self) -> Result<Vec<pilot_portal_shared::tokens::TokenEntry>, AppError> {
        use pilot_portal_shared::tokens::paths as token_paths;
        Self::fetch(self.authed(Request::get(token_paths::TOKENS))?).await
    }

    /// `GET /api/tokens/scopes`: the methods a new token may get.
    #[cfg(feature = "full")]
    pub async fn token_scopes(
        &self,
    ) -> Result<pilot_portal_shared::tokens::ScopeChoices, AppError> {
        use pilot_portal_shared::tokens::paths as token_paths;
        Self::fetch(self.authed(Request::get(token_paths::TOKEN_SCOPES))?).await
    }

    /// `POST /api/tokens`: a token for another tool; its value is in this answer only.
    #[cfg(feature = "full")]
    pub async fn issue_token(
        &self,
        request: &pilot_portal_shared::tokens::NewTokenRequest,
    ) -> Result<pilot_portal_shared::tokens::NewToken, AppError> {
        use pilot_portal_shared::tokens::paths as token_paths;
        Self::fetch_with(self.authed(Request::post(token_paths::TOKENS))?, request).await
    }

    /// `DELETE /api/tokens/{id}`: revokes a token of the project.
    #[cfg(feature = "full")]
    pub async fn revoke_token(&self, id: &str) -> Result<(), AppError> {
        let path = pilot_portal_shared::tokens::paths::token(id);
        Self::fetch_empty(self.authed(Request::delete(&path))?).await
    }

    /// `GET /api/unlock/licenses?domain=…&gateway_sn=…`: the licenses `gateway_sn` reports for
    /// `domain` (the device's own answer, with the platform's last change of each).
    pub async fn unlock_licenses(
        &self,
        domain: DeviceModelDomain,
        gateway_sn: &str,
    ) -> Result<UnlockLicensesResponse, AppError> {
        let req = Request::get(unlock::paths::UNLOCK_LICENSES)
            .query([("domain", domain.as_query()), ("gateway_sn", gateway_sn)]);
        Self::fetch(self.authed(req)?).await
    }

    /// `POST /api/unlock/licenses/{id}/switch`: enables or disables one license; the answer is
    /// the state the device confirmed.
    pub async fn unlock_switch(
        &self,
        license_id: i64,
        gateway_sn: &str,
        enable: bool,
    ) -> Result<UnlockSwitchResponse, AppError> {
        let path = unlock::paths::unlock_license_switch(license_id);
        let body = UnlockSwitchRequest {
            gateway_sn: gateway_sn.to_owned(),
            enable,
        };
        Self::fetch_with(self.authed(Request::post(&path))?, &body).await
    }

    /// `POST /api/unlock/update`: the device updates its licenses from `source`, answered once
    /// it reports the outcome.
    pub async fn unlock_update(
        &self,
        gateway_sn: &str,
        source: UpdateSource,
    ) -> Result<UnlockUpdateResponse, AppError> {
        let body = UnlockUpdateRequest {
            gateway_sn: gateway_sn.to_owned(),
            source: Some(source),
        };
        let req = self.authed(Request::post(unlock::paths::UNLOCK_UPDATE))?;
        Self::fetch_with(req, &body).await
    }
}

/// A function the loader (`src/loader.js`) put on `window`, if it is there.
fn loader_function(name: &str) -> Option<js_sys::Function> {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &name.into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
}

/// `POST /api/session/logout` for `token`, through the loader (`window.__pilotPortalRevoke`):
/// it keeps the token until the proxy has answered and sends it again at the next opening and
/// when the network is back, with `keepalive` so that it completes even if the page closes
/// right after (Exit, Pilot's own exit). Nobody waits for the answer.
pub fn revoke_on_the_way_out(token: &str) {
    if let Some(revoke) = loader_function("__pilotPortalRevoke") {
        let _ = revoke.call1(&wasm_bindgen::JsValue::NULL, &token.into());
    }
}

/// Sends `GET /api/pilot/bootstrap` with `token` now, through the loader
/// (`window.__pilotPortalPrefetch`, `src/loader.js`: its timeout, the API origin), which
/// leaves the pending answer for the signed-in bundle to read: the first-screen bundle never
/// decodes it.
pub fn prefetch_bootstrap(token: &str) {
    if let Some(prefetch) = loader_function("__pilotPortalPrefetch") {
        let _ = prefetch.call1(&wasm_bindgen::JsValue::NULL, &token.into());
    }
}

/// The loader's answer to its bootstrap request, body read: the loader reads it while the
/// bundle downloads, so decoding it here waits for no task of the browser's (reading a body
/// does), and the page is built in the same task as the start sequence, laid out once.
struct Prefetched {
    status: u16,
    text: String,
}

/// The loader's bootstrap request, if it was made with the current token (taken once).
fn take_prefetched_bootstrap(
) -> Option<impl std::future::Future<Output = Result<Prefetched, AppError>>> {
    const KEY: &str = "__pilotPortalBootstrap";
    let window = web_sys::window()?;
    let prefetch = js_sys::Reflect::get(&window, &KEY.into()).ok()?;
    if prefetch.is_undefined() {
        return None;
    }
    let _ = js_sys::Reflect::delete_property(&window, &KEY.into());
    let token = js_sys::Reflect::get(&prefetch, &"token".into())
        .ok()?
        .as_string()?;
    if Some(token) != token::current() {
        return None;
    }
    let promise: js_sys::Promise = js_sys::Reflect::get(&prefetch, &"answer".into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some(async move {
        let answer = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| {
                AppError::Network(e.as_string().unwrap_or_else(|| "request failed".into()))
            })?;
        let field = |name: &str| js_sys::Reflect::get(&answer, &name.into()).ok();
        let status = field("status")
            .and_then(|v| v.as_f64())
            .and_then(|s| u16::try_from(s as i64).ok());
        let text = field("text").and_then(|v| v.as_string());
        let (Some(status), Some(text)) = (status, text) else {
            return Err(AppError::Page(
                "the early session check gave no response".into(),
            ));
        };
        crate::clock::observe_date(field("date").and_then(|v| v.as_string()));
        Ok(Prefetched { status, text })
    })
}

#[cfg(test)]
mod base_tests {
    use super::{decode, join};
    use crate::error::AppError;
    use pilot_portal_shared::ErrorCode;

    #[test]
    fn the_api_base_goes_in_front_of_every_path() {
        assert_eq!(join("", "/api/session"), "/api/session");
        assert_eq!(
            join("https://api.example.com/", "/api/session"),
            "https://api.example.com/api/session"
        );
    }

    #[test]
    fn a_success_is_decoded_as_the_route_answers() {
        let n: Vec<u32> = decode(200, "[1,2]").expect("a JSON list");
        assert_eq!(n, [1, 2]);
        assert!(matches!(
            decode::<Vec<u32>>(200, "<html>"),
            Err(AppError::Decode(_))
        ));
    }

    #[test]
    fn an_error_is_the_proxys_error_body_or_says_who_answered() {
        let body = r#"{"error":{"code":"token_invalid","message":"expired","retry_after_secs":3}}"#;
        match decode::<Vec<u32>>(401, body) {
            Err(AppError::Api {
                status: 401,
                code: ErrorCode::TokenInvalid,
                message,
                retry_after_secs: Some(3),
                ..
            }) => assert_eq!(message, "expired"),
            other => panic!("{other:?}"),
        }
        // a captive portal's page, a gateway's error: not a session answer
        match decode::<Vec<u32>>(502, "<h1>Bad gateway</h1>") {
            Err(AppError::Decode(m)) => assert_eq!(m, "HTTP 502"),
            other => panic!("{other:?}"),
        }
    }
}

//! Every call the page makes to its proxy. Relative `/api/...` URLs: same origin, no CORS.

use crate::error::AppError;
use gloo_net::http::{Request, RequestBuilder, Response};
use pilot_portal_shared::{
    paths, ErrorBody, FlightHubDeviceEntry, FlightHubProject, FlightHubStatus, LoginRequest,
    PageConfig, PilotBootstrap, TokenGrant, Workspace, XagLinkStart, XagLinkStatus,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Checks the status before decoding: non-2xx bodies are the shared [`ErrorBody`].
async fn read<T: DeserializeOwned>(response: Response) -> Result<T, AppError> {
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| AppError::Decode(e.to_string()));
    }
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(AppError::Api {
            status,
            code: body.error.code,
            message: body.error.message,
            retry_after_secs: body.error.retry_after_secs,
        }),
        // Not our proxy talking (a captive portal, a gateway page).
        Err(_) => Err(AppError::Decode(format!("HTTP {status}"))),
    }
}

fn network(e: gloo_net::Error) -> AppError {
    AppError::Network(e.to_string())
}

/// Sends `req` and decodes the JSON answer (or the error body).
async fn fetch<T: DeserializeOwned>(req: RequestBuilder) -> Result<T, AppError> {
    read(req.send().await.map_err(network)?).await
}

/// Sends `req` with a JSON `body` and decodes the answer.
async fn fetch_with<B: Serialize, T: DeserializeOwned>(
    req: RequestBuilder,
    body: &B,
) -> Result<T, AppError> {
    let req = req
        .json(body)
        .map_err(|e| AppError::Decode(e.to_string()))?;
    read(req.send().await.map_err(network)?).await
}

/// Sends `req` to a route that answers 204 on success.
async fn fetch_empty(req: RequestBuilder) -> Result<(), AppError> {
    let response = req.send().await.map_err(network)?;
    if response.ok() {
        Ok(())
    } else {
        read::<serde_json::Value>(response).await.map(|_| ())
    }
}

fn authed(req: RequestBuilder, token: &str) -> RequestBuilder {
    req.header("Authorization", &format!("Bearer {token}"))
}

pub async fn config() -> Result<PageConfig, AppError> {
    fetch(Request::get(paths::CONFIG)).await
}

pub async fn login(username: &str, password: &str) -> Result<TokenGrant, AppError> {
    let body = LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    };
    fetch_with(Request::post(paths::LOGIN), &body).await
}

pub async fn renew(token: &str) -> Result<TokenGrant, AppError> {
    fetch(authed(Request::post(paths::SESSION_RENEW), token)).await
}

/// Revokes the token on the platform. 204 on success.
pub async fn logout(token: &str) -> Result<(), AppError> {
    fetch_empty(authed(Request::post(paths::SESSION_LOGOUT), token)).await
}

/// `GET /api/xag/link`.
pub async fn xag_status(token: &str) -> Result<XagLinkStatus, AppError> {
    fetch(authed(Request::get(paths::XAG_LINK), token)).await
}

/// `POST /api/xag/link`: where to send the webview.
pub async fn xag_start(token: &str) -> Result<XagLinkStart, AppError> {
    fetch(authed(Request::post(paths::XAG_LINK), token)).await
}

/// `DELETE /api/xag/link`.
pub async fn xag_unlink(token: &str) -> Result<(), AppError> {
    fetch_empty(authed(Request::delete(paths::XAG_LINK), token)).await
}

/// `GET /api/pilot/bootstrap`: session, cloud module params, workspace, in one round trip.
pub async fn bootstrap(token: &str) -> Result<PilotBootstrap, AppError> {
    fetch(authed(Request::get(paths::PILOT_BOOTSTRAP), token)).await
}

/// `PUT /api/pilot/workspace`.
pub async fn choose_workspace(token: &str, uuid: &str) -> Result<Workspace, AppError> {
    let body = serde_json::json!({ "uuid": uuid });
    fetch_with(authed(Request::put(paths::PILOT_WORKSPACE), token), &body).await
}

/// `DELETE /api/pilot/workspace`.
pub async fn forget_workspace(token: &str) -> Result<(), AppError> {
    fetch_empty(authed(Request::delete(paths::PILOT_WORKSPACE), token)).await
}

pub async fn flighthub_status(token: &str) -> Result<FlightHubStatus, AppError> {
    fetch(authed(Request::get(paths::FLIGHTHUB_STATUS), token)).await
}

pub async fn flighthub_projects(token: &str) -> Result<Vec<FlightHubProject>, AppError> {
    fetch(authed(Request::get(paths::FLIGHTHUB_PROJECTS), token)).await
}

pub async fn flighthub_project_devices(
    token: &str,
    uuid: &str,
) -> Result<Vec<FlightHubDeviceEntry>, AppError> {
    let path = paths::flighthub_project_devices(uuid);
    fetch(authed(Request::get(&path), token)).await
}

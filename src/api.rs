//! Every call the page makes to its proxy. Relative `/api/...` URLs: same origin, no CORS.

use crate::error::AppError;
use gloo_net::http::{Request, RequestBuilder, Response};
use pilot_portal_shared::{
    paths, ErrorBody, FlightHubDeviceEntry, FlightHubProject, FlightHubStatus, LoginRequest,
    PageConfig, PilotBootstrap, SessionInfo, TokenGrant, Workspace, XagLinkStart, XagLinkStatus,
};
use serde::de::DeserializeOwned;

fn with_token(req: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    match token {
        Some(t) => req.header("Authorization", &format!("Bearer {t}")),
        None => req,
    }
}

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

pub async fn config() -> Result<PageConfig, AppError> {
    read(Request::get(paths::CONFIG).send().await.map_err(network)?).await
}

pub async fn login(username: &str, password: &str) -> Result<TokenGrant, AppError> {
    let body = LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    };
    let req = Request::post(paths::LOGIN)
        .json(&body)
        .map_err(|e| AppError::Decode(e.to_string()))?;
    read(req.send().await.map_err(network)?).await
}

pub async fn session(token: &str) -> Result<SessionInfo, AppError> {
    let req = with_token(Request::get(paths::SESSION), Some(token));
    read(req.send().await.map_err(network)?).await
}

pub async fn renew(token: &str) -> Result<TokenGrant, AppError> {
    let req = with_token(Request::post(paths::SESSION_RENEW), Some(token));
    read(req.send().await.map_err(network)?).await
}

/// Revokes the token on the platform. 204 on success.
pub async fn logout(token: &str) -> Result<(), AppError> {
    let req = with_token(Request::post(paths::SESSION_LOGOUT), Some(token));
    let response = req.send().await.map_err(network)?;
    if response.ok() {
        Ok(())
    } else {
        read::<serde_json::Value>(response).await.map(|_| ())
    }
}

/// `GET /api/xag/link`.
pub async fn xag_status(token: &str) -> Result<XagLinkStatus, AppError> {
    let req = with_token(Request::get(paths::XAG_LINK), Some(token));
    read(req.send().await.map_err(network)?).await
}

/// `POST /api/xag/link`: where to send the webview.
pub async fn xag_start(token: &str) -> Result<XagLinkStart, AppError> {
    let req = with_token(Request::post(paths::XAG_LINK), Some(token));
    read(req.send().await.map_err(network)?).await
}

/// `DELETE /api/xag/link`.
pub async fn xag_unlink(token: &str) -> Result<(), AppError> {
    let req = with_token(Request::delete(paths::XAG_LINK), Some(token));
    let response = req.send().await.map_err(network)?;
    if response.ok() {
        Ok(())
    } else {
        read::<serde_json::Value>(response).await.map(|_| ())
    }
}

/// `GET /api/pilot/bootstrap`: session, cloud module params, workspace, in one round trip.
pub async fn bootstrap(token: &str) -> Result<PilotBootstrap, AppError> {
    let req = with_token(Request::get(paths::PILOT_BOOTSTRAP), Some(token));
    read(req.send().await.map_err(network)?).await
}

/// `PUT /api/pilot/workspace`.
pub async fn choose_workspace(token: &str, uuid: &str) -> Result<Workspace, AppError> {
    let req = with_token(Request::put(paths::PILOT_WORKSPACE), Some(token))
        .json(&serde_json::json!({ "uuid": uuid }))
        .map_err(|e| AppError::Decode(e.to_string()))?;
    read(req.send().await.map_err(network)?).await
}

/// `DELETE /api/pilot/workspace`.
pub async fn forget_workspace(token: &str) -> Result<(), AppError> {
    let req = with_token(Request::delete(paths::PILOT_WORKSPACE), Some(token));
    let response = req.send().await.map_err(network)?;
    if response.ok() {
        Ok(())
    } else {
        read::<serde_json::Value>(response).await.map(|_| ())
    }
}

pub async fn flighthub_status(token: &str) -> Result<FlightHubStatus, AppError> {
    let req = with_token(Request::get(paths::FLIGHTHUB_STATUS), Some(token));
    read(req.send().await.map_err(network)?).await
}

pub async fn flighthub_projects(token: &str) -> Result<Vec<FlightHubProject>, AppError> {
    let req = with_token(Request::get(paths::FLIGHTHUB_PROJECTS), Some(token));
    read(req.send().await.map_err(network)?).await
}

pub async fn flighthub_project_devices(
    token: &str,
    uuid: &str,
) -> Result<Vec<FlightHubDeviceEntry>, AppError> {
    let path = paths::flighthub_project_devices(uuid);
    let req = with_token(Request::get(&path), Some(token));
    read(req.send().await.map_err(network)?).await
}

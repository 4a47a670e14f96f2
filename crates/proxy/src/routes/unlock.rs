//! `/api/unlock/*`: remote unlocking of the pilot's own gateway (the remote controller running
//! Pilot 2), over the platform's MQTT link ([`crate::devices`]).
//!
//! - `GET /api/unlock/licenses?domain=aircraft|dock&gateway_sn=…`: `unlock_license_list`, each
//!   license with the last switch recorded here;
//! - `POST /api/unlock/licenses/{license_id}/switch {gateway_sn, enable}`:
//!   `unlock_license_switch`, after a fresh list for the state before (the device's truth);
//! - `POST /api/unlock/update {gateway_sn, source}`: `unlock_license_update`, with the newest
//!   offline license file of `UNLOCK_LICENSE_DIR` or without one (Flysafe);
//! - `GET /api/unlock/files/{name}?t=…`: the file, for the gateway, under an unguessable token
//!   that expires (in the query: requests are traced by path only);
//! - `PUT /api/unlock/files/{name}`: an administrator uploads a file
//!   (`Authorization: Bearer <UNLOCK_ADMIN_TOKEN>`).
//!
//! Who may manage which gateway: with FlightHub 2 configured, a gateway among the devices of
//! the pilot's remembered workspace (no workspace: none); without FlightHub 2, a gateway
//! `DEVICE_OWNERS` assigns to the pilot. Every switch and update that passed validation is
//! audited, whatever its outcome.

use crate::clock::now_ms;
use crate::db::unlock::{AuditAction, NewAudit, OUTCOME_OK};
use crate::devices::{DeviceError, DeviceLink};
use crate::error::ApiError;
use crate::extract::{check_admin_token, ApiJson, Lang, SessionUser};
use crate::license_files::{md5_hex, valid_name, LicenseDir};
use crate::{random, AppState};
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pilot_portal_shared::unlock::{
    DeviceModelDomain, LicenseChange, LicenseFile, UnlockLicense, UnlockLicensesResponse,
    UnlockListQuery, UnlockSwitchRequest, UnlockSwitchResponse, UnlockUpdateRequest,
    UnlockUpdateResponse, UpdateSource,
};
use serde::{Deserialize, Serialize};

/// The license file route (download with `?t=`, admin upload).
pub const FILE_ROUTE: &str = "/api/unlock/files/{name}";
const FILES: &str = "/api/unlock/files";

/// A gateway serial number as the page may send it: 1 to 32 uppercase ASCII letters and
/// digits (DJI serial numbers are).
pub fn valid_gateway_sn(sn: &str) -> bool {
    (1..=32).contains(&sn.len())
        && sn
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn gateway_sn(raw: &str) -> Result<&str, ApiError> {
    if valid_gateway_sn(raw) {
        Ok(raw)
    } else {
        Err(ApiError::BadRequest(
            "The remote controller serial number must be 1 to 32 uppercase letters and digits."
                .into(),
        ))
    }
}

/// Whether `user` may manage `sn` (see the module's doc); `device_forbidden` with the reason
/// otherwise. FlightHub 2 failures pass through as themselves.
async fn ensure_own_gateway(
    state: &AppState,
    user: &str,
    sn: &str,
    lang: Lang,
) -> Result<(), ApiError> {
    let Some(flighthub) = state.flighthub.as_ref() else {
        return if state.config.owns_device(user, sn) {
            Ok(())
        } else {
            Err(ApiError::DeviceNotAllowed(
                "This remote controller is not assigned to you on this platform.".into(),
            ))
        };
    };
    let choose = || {
        ApiError::DeviceNotAllowed(
            "Choose your FlightHub 2 workspace first: only a remote controller of your workspace can be managed."
                .into(),
        )
    };
    let workspace = state.db.workspace(user).await?.ok_or_else(choose)?;
    let project = uuid::Uuid::parse_str(&workspace.uuid).map_err(|_| choose())?;
    // A workspace remembered before FLIGHTHUB_PROJECT_ACCESS took it away gives nothing.
    if !state.project_access.allowed(user).allows(&project) {
        return Err(ApiError::DeviceNotAllowed(format!(
            "Your workspace \"{}\" is no longer one of yours on this platform: choose another.",
            workspace.name
        )));
    }
    let devices = flighthub.project_devices(&project, lang).await?;
    if devices
        .iter()
        .filter_map(|entry| entry.gateway.as_ref())
        .any(|gateway| gateway.sn == sn)
    {
        Ok(())
    } else {
        Err(ApiError::DeviceNotAllowed(format!(
            "This remote controller is not a device of your workspace \"{}\".",
            workspace.name
        )))
    }
}

/// The device's `result` carried by a failure, when it answered one.
fn device_code(e: &DeviceError) -> Option<i64> {
    match e {
        DeviceError::Refused { code } | DeviceError::FingerprintMismatch { code } => Some(*code),
        _ => None,
    }
}

fn source_name(source: UpdateSource) -> &'static str {
    match source {
        UpdateSource::OfflineFile => "offline_file",
        UpdateSource::Flysafe => "flysafe",
    }
}

fn new_audit(user: &str, sn: &str, action: AuditAction) -> NewAudit {
    NewAudit {
        at_ms: now_ms(),
        platform_user: user.to_owned(),
        gateway_sn: sn.to_owned(),
        action,
        license_id: None,
        old_enabled: None,
        new_enabled: None,
        source: None,
        file_name: None,
        result_code: None,
        outcome: String::new(),
    }
}

/// Writes the audit row with its outcome, timed at completion. A database failure is logged:
/// the pilot still gets the device's answer (the device did what it did).
async fn record(state: &AppState, audit: &mut NewAudit, error: Option<&ApiError>) {
    audit.at_ms = now_ms();
    audit.outcome = error.map_or(OUTCOME_OK, |e| e.code().as_str()).to_owned();
    if let Err(e) = state.db.insert_audit(audit).await {
        tracing::error!(
            sn = %audit.gateway_sn,
            action = audit.action.as_str(),
            "unlock audit not written: {e}"
        );
    }
}

/// `GET /api/unlock/licenses?domain=aircraft|dock&gateway_sn=…`.
pub async fn list(
    State(state): State<AppState>,
    user: SessionUser,
    lang: Lang,
    query: Result<Query<UnlockListQuery>, QueryRejection>,
) -> Result<Json<UnlockLicensesResponse>, ApiError> {
    let devices = state.devices()?;
    let Query(query) =
        query.map_err(|e| ApiError::BadRequest(format!("Invalid query: {}", e.body_text())))?;
    let sn = gateway_sn(&query.gateway_sn)?;
    ensure_own_gateway(&state, user.name(), sn, lang).await?;
    let reply = devices
        .list_licenses(sn, query.domain, state.config.device_call_timeout())
        .await?;
    let changes = state.db.last_switches(sn).await.unwrap_or_else(|e| {
        tracing::error!(sn, "unlock audit not readable: {e}");
        Default::default()
    });
    let licenses = reply
        .licenses
        .into_iter()
        .map(|license| UnlockLicense {
            last_change: license
                .id()
                .and_then(|id| changes.get(&id).cloned())
                .map(LicenseChange::from),
            license,
        })
        .collect();
    Ok(Json(UnlockLicensesResponse {
        gateway_sn: sn.to_owned(),
        domain: reply.device_model_domain.unwrap_or(query.domain),
        consistence: reply.consistence,
        licenses,
    }))
}

/// `POST /api/unlock/licenses/{license_id}/switch {gateway_sn, enable}`: the answer's
/// `enabled` is what the device confirmed.
pub async fn switch(
    State(state): State<AppState>,
    user: SessionUser,
    lang: Lang,
    license_id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<UnlockSwitchRequest>,
) -> Result<Json<UnlockSwitchResponse>, ApiError> {
    let devices = state.devices()?;
    // Digits only: a sign or spaces would name the same license by another spelling.
    let license_id = license_id
        .ok()
        .filter(|Path(id)| (1..=18).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|Path(id)| id.parse::<i64>().ok())
        .ok_or_else(|| {
            ApiError::BadRequest("The license id must be a whole number, 0 or more.".into())
        })?;
    let sn = gateway_sn(&request.gateway_sn)?;
    let mut audit = new_audit(user.name(), sn, AuditAction::Switch);
    audit.license_id = Some(license_id);
    audit.new_enabled = Some(request.enable);
    let switched = switch_on(
        &state,
        devices,
        (user.name(), lang),
        sn,
        (license_id, request.enable),
        &mut audit,
    )
    .await;
    record(&state, &mut audit, switched.as_ref().err()).await;
    switched?;
    Ok(Json(UnlockSwitchResponse {
        license_id,
        enabled: request.enable,
        last_change: Some(LicenseChange {
            by: audit.platform_user,
            at_ms: audit.at_ms,
            old_enabled: audit.old_enabled,
            new_enabled: request.enable,
        }),
    }))
}

async fn switch_on(
    state: &AppState,
    devices: &DeviceLink,
    (user, lang): (&str, Lang),
    sn: &str,
    (license_id, enable): (i64, bool),
    audit: &mut NewAudit,
) -> Result<(), ApiError> {
    ensure_own_gateway(state, user, sn, lang).await?;
    let timeout = state.config.device_call_timeout();
    // The state before, as the device has it (not as the page last saw it).
    audit.old_enabled = match devices
        .list_licenses(sn, DeviceModelDomain::Aircraft, timeout)
        .await
    {
        Ok(list) => list
            .licenses
            .iter()
            .find(|l| l.id() == Some(license_id))
            .map(|l| l.common.enabled),
        // The switch itself may still work; the state before is then unknown.
        Err(DeviceError::Refused { .. } | DeviceError::Malformed(_)) => None,
        // Offline, silent, or our link is down: the switch would fail the same way.
        Err(e) => return Err(e.into()),
    };
    match devices
        .switch_license(sn, license_id, enable, timeout)
        .await
    {
        Ok(reply) => {
            audit.result_code = Some(reply.result);
            Ok(())
        }
        Err(e) => {
            audit.result_code = device_code(&e);
            Err(e.into())
        }
    }
}

/// `POST /api/unlock/update {gateway_sn, source}`.
pub async fn update(
    State(state): State<AppState>,
    user: SessionUser,
    lang: Lang,
    ApiJson(request): ApiJson<UnlockUpdateRequest>,
) -> Result<Json<UnlockUpdateResponse>, ApiError> {
    let devices = state.devices()?;
    let sn = gateway_sn(&request.gateway_sn)?;
    let mut audit = new_audit(user.name(), sn, AuditAction::Update);
    let updated = update_on(
        &state,
        devices,
        (user.name(), lang),
        sn,
        request.source,
        &mut audit,
    )
    .await;
    record(&state, &mut audit, updated.as_ref().err()).await;
    Ok(Json(UnlockUpdateResponse { source: updated? }))
}

async fn update_on(
    state: &AppState,
    devices: &DeviceLink,
    (user, lang): (&str, Lang),
    sn: &str,
    source: Option<UpdateSource>,
    audit: &mut NewAudit,
) -> Result<UpdateSource, ApiError> {
    ensure_own_gateway(state, user, sn, lang).await?;
    let dir = state.config.license_dir().map(LicenseDir::new);
    let newest = match &dir {
        Some(dir) => dir
            .newest()
            .await
            .map_err(|e| ApiError::Internal(format!("license directory: {e}")))?,
        None => None,
    };
    let source = source.unwrap_or(if newest.is_some() {
        UpdateSource::OfflineFile
    } else {
        UpdateSource::Flysafe
    });
    audit.source = Some(source_name(source).to_owned());
    let file = match (source, dir, newest) {
        (UpdateSource::Flysafe, _, _) => None,
        (UpdateSource::OfflineFile, Some(dir), Some(newest)) => {
            audit.file_name = Some(newest.name.clone());
            Some(issue_file_url(state, &dir, &newest.name).await?)
        }
        (UpdateSource::OfflineFile, None, _) => {
            return Err(ApiError::NotFoundWhy(
                "No offline license file: this platform has no license directory (UNLOCK_LICENSE_DIR). Ask your platform administrator, or update from Flysafe."
                    .into(),
            ))
        }
        (UpdateSource::OfflineFile, Some(_), None) => {
            return Err(ApiError::NotFoundWhy(
                "No offline license file: the platform administrator has placed none in UNLOCK_LICENSE_DIR. Ask them, or update from Flysafe."
                    .into(),
            ))
        }
    };
    let codes = &state.config.device_fingerprint_mismatch_codes.0;
    match devices
        .update_licenses(sn, file, state.config.device_call_timeout(), codes)
        .await
    {
        Ok(()) => {
            audit.result_code = Some(0);
            Ok(source)
        }
        Err(e) => {
            audit.result_code = device_code(&e);
            Err(e.into())
        }
    }
}

/// The download URL and MD5 of license file `name`: a fresh 256-bit token bound to the name,
/// stored with its expiry.
async fn issue_file_url(
    state: &AppState,
    dir: &LicenseDir,
    name: &str,
) -> Result<LicenseFile, ApiError> {
    let bytes = dir
        .read(name)
        .await
        .map_err(|e| ApiError::Internal(format!("license file: {e}")))?
        .ok_or_else(|| {
            ApiError::NotFoundWhy("The offline license file was just removed.".into())
        })?;
    let token = random::hex(32);
    let ttl_ms = i64::try_from(state.config.unlock_file_url_ttl_secs)
        .unwrap_or(i64::MAX)
        .saturating_mul(1000);
    state
        .db
        .insert_file_token(&token, name, now_ms().saturating_add(ttl_ms))
        .await?;
    Ok(LicenseFile {
        url: format!("{}{FILES}/{name}?t={token}", state.config.public_base()),
        fingerprint: md5_hex(&bytes),
    })
}

/// `?t=` of a download.
#[derive(Deserialize)]
pub struct FileQuery {
    #[serde(default)]
    t: String,
}

/// `GET /api/unlock/files/{name}?t=…`: the file, when the token is live and was issued for
/// this name. Anything else is the same 404.
pub async fn download(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<FileQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (Ok(Path(name)), Ok(Query(query))) = (name, query) else {
        return Err(ApiError::NotFound);
    };
    let token = query.t;
    let shaped = valid_name(&name)
        && (1..=128).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_hexdigit());
    let Some(dir) = state.config.license_dir().filter(|_| shaped) else {
        return Err(ApiError::NotFound);
    };
    match state.db.file_token_name(&token, now_ms()).await? {
        Some(issued_for) if issued_for == name => {}
        _ => return Err(ApiError::NotFound),
    }
    let bytes = LicenseDir::new(dir)
        .read(&name)
        .await
        .map_err(|e| ApiError::Internal(format!("license file: {e}")))?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(file = %name, bytes = bytes.len(), "license file downloaded");
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// What an upload stored.
#[derive(Debug, Serialize)]
pub struct UploadedFile {
    pub name: String,
    pub size: usize,
    /// MD5, lowercase hex.
    pub fingerprint: String,
}

/// `PUT /api/unlock/files/{name}` (`Authorization: Bearer <UNLOCK_ADMIN_TOKEN>`): stores the
/// body as license file `name`, up to `UNLOCK_MAX_FILE_BYTES`. The body is read only after the
/// token is checked. 404 when no admin token is configured.
pub async fn upload(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<UploadedFile>), ApiError> {
    check_admin_token(&headers, &state.config.unlock_admin_token)?;
    let Path(name) = name.map_err(|_| ApiError::BadRequest("Invalid license file name.".into()))?;
    if !valid_name(&name) {
        return Err(ApiError::BadRequest(
            "A license file name is 1 to 128 of A-Z a-z 0-9 . _ - and does not start with a dot."
                .into(),
        ));
    }
    let dir = state.config.license_dir().ok_or_else(|| {
        ApiError::NotFoundWhy("No license directory is configured (UNLOCK_LICENSE_DIR).".into())
    })?;
    let max = state.config.unlock_max_file_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    if bytes.is_empty() {
        return Err(ApiError::BadRequest("The license file is empty.".into()));
    }
    let shown = dir.display().to_string();
    LicenseDir::new(dir)
        .write(&name, &bytes)
        .await
        .map_err(|e| {
            ApiError::Internal(format!(
                "license file not stored in UNLOCK_LICENSE_DIR {shown}: {e}"
            ))
        })?;
    tracing::info!(file = %name, bytes = bytes.len(), "license file uploaded");
    Ok((
        StatusCode::CREATED,
        Json(UploadedFile {
            fingerprint: md5_hex(&bytes),
            size: bytes.len(),
            name,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_serial_numbers() {
        for good in ["5YSZL260021E9W", "A", &"9".repeat(32)] {
            assert!(valid_gateway_sn(good), "{good}");
        }
        for bad in [
            "",
            "5yszl260021e9w",
            "5YSZL-26",
            "5YSZL/26",
            "+",
            &"A".repeat(33),
        ] {
            assert!(!valid_gateway_sn(bad), "{bad}");
        }
    }
}

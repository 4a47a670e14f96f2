//! `/api/support/reports`: the diagnostics page sends a report (no session), an operator reads
//! one by its id with `SUPPORT_ADMIN_TOKEN` (see [`crate::support`]).

use crate::error::ApiError;
use crate::extract::{check_admin_token, ApiJson, ClientAddr};
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use pilot_portal_shared::support::{
    parse_id, NewSupportReport, SupportReport, SupportReportReceipt,
};

/// `POST /api/support/reports {report}` → `201 {id, created_at}`, secrets redacted (the same
/// answer either way). Every attempt with a JSON body counts against the limits, refused ones
/// too.
pub async fn create(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<NewSupportReport>,
) -> Result<(StatusCode, Json<SupportReportReceipt>), ApiError> {
    let now = crate::clock::now_ms();
    crate::support::count_attempt(&state.db, &state.config, addr, now).await?;
    if body.report.trim().is_empty() {
        return Err(ApiError::BadRequest("The report is empty.".into()));
    }
    let (report, secrets) =
        crate::support::redact_report(&state.db, &state.config, &body.report).await?;
    if !secrets.is_empty() {
        let kinds: Vec<&str> = secrets.iter().map(|k| k.as_str()).collect();
        tracing::warn!(?kinds, "support report: secrets redacted before storing");
    }
    let id = crate::support::store(&state.db, &state.config, addr, &report, now).await?;
    tracing::info!(%id, chars = body.report.chars().count(), "support report stored");
    Ok((
        StatusCode::CREATED,
        Json(SupportReportReceipt {
            id,
            created_at: now,
        }),
    ))
}

/// `GET /api/support/reports/{id}` with `Authorization: Bearer <SUPPORT_ADMIN_TOKEN>`: one
/// report. 404 when no admin token is configured, as for any unknown route.
pub async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<SupportReport>, ApiError> {
    check_admin_token(&headers, state.config.support_admin_token.trim())?;
    let Path(id) = id.map_err(|_| ApiError::BadRequest("Invalid report id.".into()))?;
    let id = parse_id(&id).ok_or_else(|| {
        ApiError::BadRequest("A report id is 8 characters like K7M2-QX4P.".into())
    })?;
    let report = state.db.support_report(&id).await?.ok_or_else(|| {
        ApiError::NotFoundWhy(format!(
            "No support report {id} (reports are kept {} days).",
            state.config.support_report_retention_days
        ))
    })?;
    tracing::info!(%id, "support report read");
    Ok(Json(report))
}

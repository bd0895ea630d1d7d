//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its database takes a write).

use crate::startup::AppState;
use accueil_protocol::{Health, HealthStatus};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

fn health(status: HealthStatus) -> Json<Health> {
    Json(Health { status, version: env!("CARGO_PKG_VERSION").to_owned() })
}

async fn healthz() -> Json<Health> {
    health(HealthStatus::Ok)
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, health(HealthStatus::Ok)),
        Err(error) => {
            tracing::warn!(%error, "not ready: the database does not take writes");
            (StatusCode::SERVICE_UNAVAILABLE, health(HealthStatus::Unavailable))
        }
    }
}

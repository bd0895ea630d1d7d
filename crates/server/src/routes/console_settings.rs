//! A site's settings for administrators: the tag to paste into the brand's pages, the settings as
//! TOML (settings as code) to read or download, and the form that changes them without a restart.

use super::no_store;
use crate::config::Site;
use crate::error::Error;
use crate::extract::{Administrator, ApiJson};
use crate::startup::AppState;
use accueil_protocol::{LauncherPosition, SettingsChange, SiteSettings};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/agent/settings/{site}", get(settings).put(change))
        .route("/v1/agent/settings/{site}/export", get(export))
}

/// Said at the top of an exported file: what it is, and what it lacks.
const EXPORT_HEADER: &str = "# Accueil: this site's settings, as the server runs them (defaults written out).\n\
# Secrets are not exported: add `webhook_secret` under [site.callback] and `secrets` under\n\
# [site.identity] again if the site uses them.\n";

fn site_of(state: &AppState, admin: &Administrator, site: &str) -> Result<(Arc<Site>, u64), Error> {
    admin.0.check_site(site)?;
    state.sites.with_revision(site).ok_or_else(|| super::unknown_site(site))
}

fn answer(state: &AppState, site: &Site, revision: u64) -> Response {
    let settings = SiteSettings {
        site: site.public.site.clone(),
        name: site.public.name.clone(),
        tag: tag(&state.config.public_url, site),
        toml: format!("{EXPORT_HEADER}{}", site.settings_toml),
        revision,
        form: site.form(),
    };
    (no_store(), Json(settings)).into_response()
}

/// The loader's tag for `site`, its attributes escaped for an HTML attribute.
fn tag(public_url: &str, site: &Site) -> String {
    let escape = |text: &str| text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let position = match site.public.theme.position {
        LauncherPosition::BottomRight => "bottom-right",
        LauncherPosition::BottomLeft => "bottom-left",
    };
    format!(
        "<script src=\"{}/accueil.js\" data-site=\"{}\" data-color=\"{}\" data-position=\"{position}\" async></script>",
        escape(public_url),
        escape(&site.public.site),
        escape(&site.public.theme.primary),
    )
}

async fn settings(
    State(state): State<AppState>,
    admin: Administrator,
    Path(site): Path<String>,
) -> Result<Response, Error> {
    let (site, revision) = site_of(&state, &admin, &site)?;
    Ok(answer(&state, &site, revision))
}

/// Saves an administrator's change and runs it here at once; the other nodes are woken to read it.
async fn change(
    State(state): State<AppState>,
    admin: Administrator,
    Path(site): Path<String>,
    ApiJson(request): ApiJson<SettingsChange>,
) -> Result<Response, Error> {
    site_of(&state, &admin, &site)?;
    let actor = (admin.0.agent.id, admin.0.agent.name.as_str());
    let changed =
        state.sites.change(state.store.as_ref(), &site, request.form, request.revision, actor, crate::now()).await?;
    if let Err(problem) = changed {
        return Err(Error::Validation {
            message: format!("{}: {}", problem.field, problem.reason),
            fields: Error::field(&problem.field, problem.reason),
        });
    }
    state.relay.wake(crate::relay::Wake::SettingsChanged { site: site.clone() });
    let (site, revision) = site_of(&state, &admin, &site)?;
    tracing::info!(site = %site.public.site, revision, "site settings changed in the console");
    Ok(answer(&state, &site, revision))
}

async fn export(
    State(state): State<AppState>,
    admin: Administrator,
    Path(site): Path<String>,
) -> Result<Response, Error> {
    let (site, _) = site_of(&state, &admin, &site)?;
    let name = format!("attachment; filename=\"accueil-{}.toml\"", site.public.site);
    let headers = [(CONTENT_TYPE, "application/toml; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, name)];
    Ok((no_store(), headers, format!("{EXPORT_HEADER}{}", site.settings_toml)).into_response())
}

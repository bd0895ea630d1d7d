//! A site's settings for administrators: the tag to paste into the brand's pages, and the settings as
//! TOML (settings as code), to read or download.

use super::no_store;
use crate::config::Site;
use crate::error::Error;
use crate::extract::Administrator;
use crate::startup::AppState;
use accueil_protocol::{LauncherPosition, SiteSettings};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/agent/settings/{site}", get(settings))
        .route("/v1/agent/settings/{site}/export", get(export))
}

/// Said at the top of an exported file: what it is, and what it lacks.
const EXPORT_HEADER: &str = "# Accueil: this site's settings, as the server runs them (defaults written out).\n\
# Secrets are not exported: add `webhook_secret` under [site.callback] and `secrets` under\n\
# [site.identity] again if the site uses them.\n";

fn site_of<'a>(state: &'a AppState, admin: &Administrator, site: &str) -> Result<&'a Site, Error> {
    admin.0.check_site(site)?;
    state.config.site(site).ok_or_else(|| super::unknown_site(site))
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
    let site = site_of(&state, &admin, &site)?;
    let settings = SiteSettings {
        site: site.public.site.clone(),
        name: site.public.name.clone(),
        tag: tag(&state.config.public_url, site),
        toml: format!("{EXPORT_HEADER}{}", site.settings_toml),
    };
    Ok((no_store(), Json(settings)).into_response())
}

async fn export(
    State(state): State<AppState>,
    admin: Administrator,
    Path(site): Path<String>,
) -> Result<Response, Error> {
    let site = site_of(&state, &admin, &site)?;
    let name = format!("attachment; filename=\"accueil-{}.toml\"", site.public.site);
    let headers = [(CONTENT_TYPE, "application/toml; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, name)];
    Ok((no_store(), headers, format!("{EXPORT_HEADER}{}", site.settings_toml)).into_response())
}

//! Static documents and files: the loader host pages embed, the widget document (with the CSP that
//! decides who may frame it), the console, and the demo brand page. Anything else is a JSON 404.

use super::sites::unknown_site;
use crate::assets::{Asset, AssetDir, header_value};
use crate::error::Error;
use crate::first_view::{self, Channel, Shown};
use crate::startup::AppState;
use accueil_protocol::{Locale, SiteConfig};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LINK, REFERRER_POLICY};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::HashMap;

/// What the widget and console documents may do: their own scripts, styles and API, wasm compilation,
/// nothing inline, nothing from elsewhere.
const APP_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'";

/// The demo brand page shows that the loader works under a strict host policy too.
const DEMO_PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    let mut router = Router::new()
        .route("/accueil.js", get(loader))
        .route("/widget/", get(widget_document))
        .route("/widget/theme.css", get(theme))
        .route("/widget/first-view.js", get(first_view_script));
    for channel in Channel::ALL {
        router = router.route(
            &format!("/widget/{}/", channel.folder()),
            get(move |State(state), Query(query), headers| channel_document(channel, state, query, headers)),
        );
    }
    router
        .route("/widget/{*path}", get(widget_file))
        .route("/console", get(|| async { Redirect::permanent("/console/") }))
        .route("/console/", get(console_document))
        .route("/console/{*path}", get(console_file))
        .fallback(demo_page_or_not_found)
}

async fn loader(State(state): State<AppState>, headers: HeaderMap) -> Response {
    state.files.loader.respond(&headers)
}

async fn first_view_script(State(state): State<AppState>, headers: HeaderMap) -> Response {
    state.files.first_view_script.respond(&headers)
}

fn document(asset: &Asset, request: &HeaderMap, policy: &str) -> Response {
    let mut response = asset.respond(request);
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, header_value(policy));
    headers.insert(REFERRER_POLICY, header_value("same-origin"));
    response
}

fn missing_build(what: &str) -> Error {
    Error::NotFound(format!("the {what} is not built on this server (run `cargo xtask build`)"))
}

/// A document of the widget (`file` under dist/widget) for the site of `?site=`, with a
/// `frame-ancestors` listing the site's allowed origins, so that only those pages can frame it.
fn framed_document(
    state: &AppState,
    query: &HashMap<String, String>,
    file: &str,
    headers: &HeaderMap,
) -> Result<(Response, std::sync::Arc<crate::config::Site>), Error> {
    let site_id = query.get("site").ok_or_else(|| Error::InvalidRequest {
        message: "say which site the widget is for".to_owned(),
        fields: Error::field("site", "missing query parameter"),
    })?;
    let site = state.sites.get(site_id).ok_or_else(|| unknown_site(site_id))?;
    let index = state.files.widget.get(file).ok_or_else(|| missing_build("widget"))?;
    let policy = format!("{APP_POLICY}; frame-ancestors {}", site.allowed_origins.join(" "));
    Ok((document(index, headers, &policy), site))
}

/// A channel's own document (`/widget/<channel>/`), opened in the widget's frame when the visitor picks
/// that channel, with its first view (header, what the channel is for) written in.
async fn channel_document(
    channel: Channel,
    state: AppState,
    query: Vec<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let by_name: HashMap<String, String> = query.iter().cloned().collect();
    let file = format!("{}/index.html", channel.folder());
    let (built, site) = framed_document(&state, &by_name, &file, &headers)?;
    let public = &site.public;
    let preload = format!("</v1/sites/{}/config>; rel=preload; as=fetch; crossorigin", public.site);
    let locale = asked_locale(public, &by_name);
    let html = first_view::document(&built_text(&state, &file)?, public, locale, &Shown::Channel(channel), &query);
    Ok(with_first_view(&built, html, &preload))
}

/// The page the embed iframe loads, `/widget/?site=demo&…`, with its first view written in
/// (`first_view`): the home, or the answer `&entry=` names.
async fn widget_document(
    State(state): State<AppState>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let by_name: HashMap<String, String> = query.iter().cloned().collect();
    let (built, site) = framed_document(&state, &by_name, "index.html", &headers)?;
    // The widget's first requests, started by the browser while the wasm downloads and compiles
    // instead of after it: on a slow phone that is a round trip or two less before the FAQ shows.
    let public = &site.public;
    let locale = asked_locale(public, &by_name);
    let mut preload = format!("</v1/sites/{}/config>; rel=preload; as=fetch; crossorigin", public.site);
    let mut served = None;
    if public.features.faq {
        preload.push_str(&format!(
            ", </v1/sites/{}/faq?locale={}>; rel=preload; as=fetch; crossorigin",
            public.site,
            locale.tag()
        ));
        // A site without a published FAQ still gets its first view, without questions.
        served = state.faq.get(state.store.as_ref(), &public.site, locale).await.ok().flatten();
    }
    // The published entries as held, not copied: this runs on every open of the widget.
    let entries = served.as_ref().map_or(&[][..], |served| &served.entries[..]);
    let shown = Shown::of(entries, by_name.get("entry").map(String::as_str));
    let html = first_view::document(&built_text(&state, "index.html")?, public, locale, &shown, &query);
    Ok(with_first_view(&built, html, &preload))
}

/// The language a document opens in: the one the address asks for when the site offers it.
fn asked_locale(public: &SiteConfig, query: &HashMap<String, String>) -> Locale {
    query
        .get("locale")
        .and_then(|l| Locale::from_tag(l))
        .filter(|l| public.locales.contains(l))
        .unwrap_or(public.default_locale)
}

/// The HTML trunk built for `file`, to write a first view into.
fn built_text(state: &AppState, file: &str) -> Result<String, Error> {
    let index = state.files.widget.get(file).ok_or_else(|| missing_build("widget"))?;
    Ok(String::from_utf8_lossy(index.bytes()).into_owned())
}

/// `html` (a built document with its first view) served with the built document's policy headers and
/// the `preload` links; never cached, as it carries the site's current content.
fn with_first_view(built: &Response, html: String, preload: &str) -> Response {
    let mut response =
        ([(CONTENT_TYPE, "text/html; charset=utf-8"), (CACHE_CONTROL, "no-cache")], html).into_response();
    for name in [CONTENT_SECURITY_POLICY, REFERRER_POLICY] {
        if let Some(value) = built.headers().get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response.headers_mut().insert(LINK, header_value(preload));
    response
}

/// The site's colours for the first view, `/widget/theme.css?site=demo`.
async fn theme(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Result<Response, Error> {
    let site_id = query.get("site").ok_or_else(|| Error::InvalidRequest {
        message: "say which site the colours are for".to_owned(),
        fields: Error::field("site", "missing query parameter"),
    })?;
    let site = state.sites.get(site_id).ok_or_else(|| unknown_site(site_id))?;
    let css = crate::first_view::theme_css(&site.public.theme);
    Ok(([(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "max-age=300")], css).into_response())
}

async fn widget_file(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    serve_file(&state.files.widget, &path, &headers)
}

async fn console_document(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    let index = state.files.console.get("index.html").ok_or_else(|| missing_build("console"))?;
    Ok(document(index, &headers, &format!("{APP_POLICY}; frame-ancestors 'none'")))
}

/// Console files, and for paths without a file extension the console document itself, so that a
/// reload of `/console/inbox` lands on the console's own routing.
async fn console_file(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let last_segment = path.rsplit('/').next().unwrap_or("");
    if state.files.console.get(&path).is_none() && !last_segment.contains('.') {
        return console_document(State(state), headers).await;
    }
    serve_file(&state.files.console, &path, &headers)
}

fn serve_file(dir: &AssetDir, path: &str, headers: &HeaderMap) -> Result<Response, Error> {
    let asset = dir.get(path).ok_or_else(|| Error::NotFound(format!("no file at `{path}`")))?;
    Ok(asset.respond(headers))
}

async fn demo_page_or_not_found(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_owned() };
    match state.files.demo_page.as_ref().and_then(|dir| dir.get(&path)) {
        Some(asset) if path.ends_with(".html") => document(asset, &headers, DEMO_PAGE_POLICY),
        Some(asset) => asset.respond(&headers),
        None => Error::NotFound(format!("nothing at `{}`", uri.path())).into_response(),
    }
}

//! Static files (loader, widget, console, demo page) held in memory with their brotli and gzip forms,
//! served with strong ETags, 304s and caching that depends on whether the file name carries a content
//! hash. The compressed forms are made at build time (`name.br` and `name.gz` beside each file, by
//! `cargo xtask build`) and only checked at start, so a node starts in about a second; a file without
//! them is compressed at start, which at brotli's best quality takes seconds per megabyte.

use crate::error::Error;
use axum::body::Body;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// One file, ready to send in any encoding.
#[derive(Debug)]
pub struct Asset {
    content_type: &'static str,
    cache_control: HeaderValue,
    identity: Vec<u8>,
    brotli: Option<Vec<u8>>,
    gzip: Option<Vec<u8>>,
    /// The quoted hash of the identity bytes; each encoding gets its own suffix (strong ETags are per
    /// representation).
    etag_base: String,
}

/// How long a browser may reuse a file without asking.
#[derive(Debug, Clone, Copy)]
pub enum Caching {
    /// By file name: hashed names never change content, everything else is revalidated.
    ByName,
    /// Reusable for this many seconds, then revalidated (the loader, whose URL is fixed on host pages
    /// so updates must still reach them; a site's public config).
    MaxAge(u32),
}

/// Compressed forms of a file made ahead of time, not yet checked.
#[derive(Debug, Default)]
pub struct Precompressed {
    pub brotli: Option<Vec<u8>>,
    pub gzip: Option<Vec<u8>>,
}

impl Asset {
    pub fn new(name: &str, bytes: Vec<u8>, caching: Caching) -> Asset {
        Asset::with_precompressed(name, bytes, caching, Precompressed::default())
    }

    /// Like `new`, using the forms compressed ahead of time when they decompress to exactly `bytes` (a
    /// stale or damaged one is ignored, and that form is made here instead).
    pub fn with_precompressed(name: &str, bytes: Vec<u8>, caching: Caching, ahead: Precompressed) -> Asset {
        let content_type = content_type(name);
        let cache_control = match caching {
            Caching::MaxAge(seconds) => header_value(&format!("public, max-age={seconds}")),
            Caching::ByName if has_content_hash(name) => {
                HeaderValue::from_static("public, max-age=31536000, immutable")
            }
            Caching::ByName => HeaderValue::from_static("no-cache"),
        };
        let hash = Sha256::digest(&bytes);
        let etag_base = hash[..12].iter().map(|b| format!("{b:02x}")).collect::<String>();
        let compressible = is_compressible(content_type) && bytes.len() > 256;
        let brotli = ahead.brotli.filter(|br| decompress_brotli(br).as_deref() == Some(&bytes[..]));
        let gzip = ahead.gzip.filter(|gz| decompress_gzip(gz).as_deref() == Some(&bytes[..]));
        let (brotli, gzip) = if compressible {
            (brotli.or_else(|| compress_brotli(&bytes)), gzip.or_else(|| compress_gzip(&bytes)))
        } else {
            (None, None)
        };
        // A compressed form that saves nothing is not worth a variant.
        let keep = |c: Option<Vec<u8>>| c.filter(|c| c.len() < bytes.len());
        Asset { content_type, cache_control, brotli: keep(brotli), gzip: keep(gzip), identity: bytes, etag_base }
    }

    /// A response to a GET with these request headers: the best encoding the client accepts, or a 304
    /// when its cached copy is current.
    /// The file's bytes as built.
    pub fn bytes(&self) -> &[u8] {
        &self.identity
    }

    pub fn respond(&self, request: &HeaderMap) -> Response {
        let accepts = |coding: &str| accepts_encoding(request, coding);
        let (body, encoding) = match (&self.brotli, &self.gzip) {
            (Some(br), _) if accepts("br") => (br, Some("br")),
            (_, Some(gz)) if accepts("gzip") => (gz, Some("gzip")),
            _ => (&self.identity, None),
        };
        let etag = match encoding {
            Some(coding) => format!("\"{}-{coding}\"", self.etag_base),
            None => format!("\"{}\"", self.etag_base),
        };
        let not_modified = request
            .get(IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
        let mut response = Response::builder()
            .header(CACHE_CONTROL, self.cache_control.clone())
            .header(ETAG, &etag)
            .header(X_CONTENT_TYPE_OPTIONS, "nosniff");
        if self.brotli.is_some() || self.gzip.is_some() {
            response = response.header(VARY, "Accept-Encoding");
        }
        let response = if not_modified {
            response.status(StatusCode::NOT_MODIFIED).body(Body::empty())
        } else {
            let response = response.header(CONTENT_TYPE, self.content_type);
            let response = match encoding {
                Some(coding) => response.header(CONTENT_ENCODING, coding),
                None => response,
            };
            response.body(Body::from(body.clone()))
        };
        response.unwrap_or_else(|_| Response::new(Body::empty()))
    }
}

/// Past this many bytes compressed at start, the log says the build should have done it.
const SLOW_TO_COMPRESS_BYTES: usize = 256 * 1024;

/// Files of one directory tree, keyed by their path relative to it (`index.html`, `img/logo.svg`).
#[derive(Debug, Default)]
pub struct AssetDir {
    files: HashMap<String, Asset>,
}

impl AssetDir {
    pub fn load(dir: &Path) -> Result<AssetDir, Error> {
        let mut files = HashMap::new();
        let mut pending = vec![dir.to_path_buf()];
        let mut compressed_here = Vec::new();
        while let Some(current) = pending.pop() {
            let entries = std::fs::read_dir(&current)
                .map_err(|e| Error::Config(format!("cannot read {}: {e}", current.display())))?;
            for entry in entries {
                let path = entry?.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let Ok(relative) = path.strip_prefix(dir) else { continue };
                let key = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                // `x.br` and `x.gz` are forms of `x`, not files of their own.
                let is_form_of_another =
                    |suffix: &str| key.strip_suffix(suffix).is_some_and(|base| dir.join(base).is_file());
                if is_form_of_another(".br") || is_form_of_another(".gz") {
                    continue;
                }
                let sibling = |suffix: &str| std::fs::read(format!("{}{suffix}", path.display())).ok();
                let ahead = Precompressed { brotli: sibling(".br"), gzip: sibling(".gz") };
                let had_forms = ahead.brotli.is_some();
                let asset = Asset::with_precompressed(&key, std::fs::read(&path)?, Caching::ByName, ahead);
                if !had_forms && asset.brotli.is_some() {
                    compressed_here.push(asset.identity.len());
                }
                files.insert(key, asset);
            }
        }
        // A few small files (the demo page) cost nothing; a bundle costs seconds on every start.
        if compressed_here.iter().sum::<usize>() > SLOW_TO_COMPRESS_BYTES {
            tracing::warn!(
                dir = %dir.display(),
                files = compressed_here.len(),
                "files compressed at start (slow): build with `cargo xtask build` to compress them ahead of time"
            );
        }
        Ok(AssetDir { files })
    }

    pub fn get(&self, path: &str) -> Option<&Asset> {
        self.files.get(path.trim_start_matches('/'))
    }
}

fn accepts_encoding(request: &HeaderMap, coding: &str) -> bool {
    request.get_all(ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

/// trunk names hashed files `name-<16 hex digits>.ext` or `name-<hash>_bg.wasm`.
fn has_content_hash(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file.split('.').next().unwrap_or(file).trim_end_matches("_bg");
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn is_compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || matches!(content_type, "application/wasm" | "application/json" | "image/svg+xml")
}

fn compress_brotli(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).ok()?;
    Some(out)
}

fn decompress_brotli(compressed: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &compressed[..], &mut out).ok()?;
    Some(out)
}

fn decompress_gzip(compressed: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(compressed), &mut out).ok()?;
    Some(out)
}

fn compress_gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// The header value or a safe empty one; only for values built from validated configuration.
pub fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(has_content_hash("accueil-widget-4f2c1e9a8b7d6c5e_bg.wasm"));
        assert!(has_content_hash("style-0123456789abcdef.css"));
        assert!(!has_content_hash("index.html"));
        assert!(!has_content_hash("accueil-widget.js"));
    }

    #[test]
    fn forms_compressed_ahead_are_used_only_when_they_hold_the_same_bytes() {
        let bytes = "let answer = 42;\n".repeat(64).into_bytes();
        let fresh = Precompressed { brotli: compress_brotli(&bytes), gzip: compress_gzip(&bytes) };
        let expected = (fresh.brotli.clone(), fresh.gzip.clone());
        let asset = Asset::with_precompressed("app.js", bytes.clone(), Caching::ByName, fresh);
        assert_eq!((asset.brotli, asset.gzip), expected);
        // A stale form (of an older build) is not served: the file is compressed again.
        let stale =
            Precompressed { brotli: compress_brotli(b"older content, older content"), gzip: Some(b"junk".to_vec()) };
        let asset = Asset::with_precompressed("app.js", bytes.clone(), Caching::ByName, stale);
        assert_eq!(asset.brotli.as_deref().and_then(decompress_brotli).as_deref(), Some(&bytes[..]));
        assert_eq!(asset.gzip.as_deref().and_then(decompress_gzip).as_deref(), Some(&bytes[..]));
    }

    #[test]
    fn encodings_refused_with_q_zero_are_not_used() {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip, br;q=0"));
        assert!(accepts_encoding(&headers, "gzip"));
        assert!(!accepts_encoding(&headers, "br"));
    }
}

//! The widget's side of the embed: what the loader said in the iframe URL, and the origin-pinned
//! `postMessage` channel to the host page. Parsing is plain Rust (tested natively); the browser glue is
//! in `channel`.

use accueil_protocol::Locale;

/// What the loader put in the iframe URL: `/widget/?site=demo&locale=fr&host=https%3A%2F%2Fshop.example`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmbedParams {
    pub site: String,
    pub locale: Option<Locale>,
    /// The host page's origin; `None` when the widget document is opened on its own.
    pub host_origin: Option<String>,
    /// Opened by another of the widget's documents, which handed the visitor's search and visit over.
    pub carried: bool,
    /// What the host page is about (`data-topic`, e.g. a product reference), for its community questions.
    pub topic: Option<String>,
    /// The host page's address without query or fragment, for the agent's context.
    pub page: Option<String>,
    /// The FAQ entry the address opens (`&entry=`, a frequent question's link in the first view).
    pub entry: Option<String>,
    /// A search sent from the first view before the wasm ran (`&q=`): searched at once.
    pub search: Option<String>,
}

impl EmbedParams {
    /// Reads a query string (with or without its leading `?`). Unknown parameters are ignored; a `host`
    /// that is not an origin is dropped, so the widget never posts to a made-up target.
    pub fn from_query(query: &str) -> EmbedParams {
        let mut params = EmbedParams::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match key {
                "site" => params.site = value,
                "locale" => params.locale = Locale::from_tag(&value),
                "host" if is_origin(&value) => params.host_origin = Some(value),
                "topic" if !value.is_empty() && value.len() <= 100 => params.topic = Some(value),
                "carried" => params.carried = value == "1",
                "page" if value.len() <= 500 => params.page = Some(value),
                "entry" if !value.is_empty() && value.len() <= 200 => params.entry = Some(value),
                "q" if !value.is_empty() && value.len() <= 200 => params.search = Some(value),
                _ => {}
            }
        }
        // Only a page of the host that embeds the widget.
        let on_host = |page: &String| {
            params
                .host_origin
                .as_ref()
                .is_some_and(|host| page.strip_prefix(host.as_str()).is_some_and(|p| p.starts_with('/')))
        };
        params.page = params.page.take().filter(on_host);
        params
    }
}

fn is_origin(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) else {
        return false;
    };
    !rest.is_empty() && !rest.contains(['/', '?', '#', ' '])
}

/// Decodes `%XX` escapes and `+`; malformed escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The locale to start in: the loader's choice when the site offers it, else the site's default.
pub fn starting_locale(requested: Option<Locale>, offered: &[Locale], default: Locale) -> Locale {
    requested.filter(|l| offered.contains(l)).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_query_is_read() {
        let params = EmbedParams::from_query("?site=demo&locale=en&host=https%3A%2F%2Fshop.example%3A8443&x=1");
        assert_eq!(params.site, "demo");
        assert_eq!(params.locale, Some(Locale::En));
        assert_eq!(params.host_origin.as_deref(), Some("https://shop.example:8443"));
        assert_eq!((params.topic, params.carried), (None, false));
        let embedded = EmbedParams::from_query(
            "site=demo&host=https%3A%2F%2Fshop.example&page=https%3A%2F%2Fshop.example%2Flampes%2Fatelier",
        );
        assert_eq!(embedded.page.as_deref(), Some("https://shop.example/lampes/atelier"));
        let elsewhere =
            EmbedParams::from_query("site=demo&host=https%3A%2F%2Fshop.example&page=https%3A%2F%2Fevil.example%2F");
        assert_eq!(elsewhere.page, None, "a page of another origin than the host is dropped");
        let moved = EmbedParams::from_query("carried=1&site=demo&topic=sku%201234");
        assert_eq!((moved.topic.as_deref(), moved.carried), (Some("sku 1234"), true));
    }

    #[test]
    fn a_host_that_is_not_an_origin_is_dropped() {
        for host in ["javascript%3Aalert(1)", "https%3A%2F%2Fa.example%2Fpath", "", "%"] {
            let params = EmbedParams::from_query(&format!("site=demo&host={host}"));
            assert_eq!(params.host_origin, None, "{host}");
        }
    }

    #[test]
    fn an_unoffered_locale_falls_back_to_the_site_default() {
        assert_eq!(starting_locale(Some(Locale::En), &[Locale::Fr], Locale::Fr), Locale::Fr);
        assert_eq!(starting_locale(Some(Locale::En), &[Locale::Fr, Locale::En], Locale::Fr), Locale::En);
        assert_eq!(starting_locale(None, &[Locale::Fr, Locale::En], Locale::En), Locale::En);
    }
}

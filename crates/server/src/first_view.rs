//! The first view of each widget document, written by the server into the HTML trunk built: for the
//! home, the brand's header, the search box, the frequent questions and the ways to reach a person, or an
//! answer when the address names one (`&entry=`); for a channel's document, its header and what it is
//! for while its wasm loads. In the visitor's language and the site's colours (`theme.css`). It is
//! readable, and its links work, before the wasm has downloaded; the wasm then takes the view over
//! without losing what the visitor typed (the widget's `components::app::take_over`). No inline script
//! or style, so the strict policy holds.

use accueil_protocol::{FaqEntry, Locale, SiteConfig, Theme};
use accueil_words::home::HomeKey;
use accueil_words::{Key, Phrase, other};
use std::fmt::Write;

/// As many frequent questions as the widget shows.
const POPULAR: usize = 5;

/// `text` with the five characters that matter in HTML escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The address of the document at `path` with the query string `query`, but `key` set to `value` (or
/// removed with `None`), keys kept in order.
fn with_param(path: &str, query: &[(String, String)], key: &str, value: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = query.iter().filter(|(k, _)| k != key).cloned().collect();
    if let Some(value) = value {
        pairs.push((key.to_owned(), value.to_owned()));
    }
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    format!("{path}?{}", encoded.join("&"))
}

/// The home document's address from another one: the site, language and host page kept; `carried` (what
/// the wasm hands from one document to the next) is the wasm's own.
fn home_link(query: &[(String, String)]) -> String {
    let kept: Vec<(String, String)> = query.iter().filter(|(k, _)| k != "carried").cloned().collect();
    with_param(HOME_PATH, &kept, "entry", None)
}

const HOME_PATH: &str = "/widget/";

fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

const BACK_ICON: &str =
    r#"<svg class="aw-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M15 18l-6-6 6-6"/></svg>"#;
const CLOSE_ICON: &str =
    r#"<svg class="aw-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>"#;
const CHEVRON_ICON: &str =
    r#"<svg class="aw-icon aw-icon--chevron" viewBox="0 0 24 24" aria-hidden="true"><path d="M9 6l6 6-6 6"/></svg>"#;

/// What the first view shows: the home, one answer, or a channel's document while its wasm loads.
pub enum Shown<'a> {
    Home { popular: Vec<&'a FaqEntry> },
    Answer(&'a FaqEntry),
    Channel(Channel),
}

/// The widget's documents besides the home, each with its own wasm (`/widget/<path>/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Chat,
    Callback,
    Community,
    Data,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Chat, Channel::Callback, Channel::Community, Channel::Data];

    /// Its folder under `/widget/` (and under the built `dist/widget`).
    pub fn folder(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::Callback => "callback",
            Channel::Community => "community",
            Channel::Data => "data",
        }
    }

    /// The panel's title there, as the wasm shows it.
    fn title(self) -> Key {
        match self {
            Channel::Chat => Key::Chat,
            Channel::Callback => Key::Callback,
            Channel::Community => Key::Community,
            Channel::Data => Key::YourData,
        }
    }

    /// What the channel is for, as the home's entry says it.
    fn hint(self) -> Option<HomeKey> {
        match self {
            Channel::Chat => Some(HomeKey::ChatHint),
            Channel::Callback => Some(HomeKey::CallbackHint),
            Channel::Community => Some(HomeKey::CommunityHint),
            Channel::Data => None,
        }
    }
}

impl<'a> Shown<'a> {
    /// The view the address asks for among the published `entries`: the entry of `entry=` when it
    /// exists, else the home.
    pub fn of(entries: &'a [FaqEntry], entry: Option<&str>) -> Shown<'a> {
        match entry.and_then(|id| entries.iter().find(|e| e.id == id)) {
            Some(found) => Shown::Answer(found),
            None => Shown::Home { popular: accueil_search::popular(entries, POPULAR) },
        }
    }
}

/// The panel's markup for `shown`, with links that keep the rest of the address (`query`).
pub fn panel(site: &SiteConfig, locale: Locale, shown: &Shown, query: &[(String, String)]) -> String {
    let t = |key: Key| key.text(locale);
    let h = |key: HomeKey| key.text(locale);
    let embedded = query.iter().any(|(k, _)| k == "host");
    let path = match shown {
        Shown::Channel(channel) => format!("/widget/{}/", channel.folder()),
        Shown::Home { .. } | Shown::Answer(_) => HOME_PATH.to_owned(),
    };
    let mut html = String::from(r#"<div class="aw-panel aw-first-view" id="aw-first-view"><header class="aw-header">"#);
    let title = match shown {
        Shown::Home { .. } => t(Key::HowCanWeHelp).to_owned(),
        Shown::Answer(entry) => entry.question.clone(),
        Shown::Channel(channel) => t(channel.title()).to_owned(),
    };
    if !matches!(shown, Shown::Home { .. }) {
        let _ = write!(
            html,
            r#"<a class="aw-icon-button" href="{}" aria-label="{}">{BACK_ICON}</a>"#,
            escape(&home_link(query)),
            escape(t(Key::Back))
        );
    }
    let greeting = match shown {
        Shown::Home { .. } => format!(" · {}", t(Key::Greeting)),
        Shown::Answer(_) | Shown::Channel(_) => String::new(),
    };
    let other = other(locale);
    let _ = write!(
        html,
        r#"<div class="aw-heading"><p class="aw-brand">{}{}</p><h1 class="aw-title" id="aw-first-title" tabindex="-1">{}</h1></div><a class="aw-language" href="{}" lang="{}" aria-label="{}">{}</a>"#,
        escape(&site.name),
        escape(&greeting),
        escape(&title),
        escape(&with_param(&path, query, "locale", Some(other.tag()))),
        other.tag(),
        escape(t(Key::SwitchLanguage)),
        escape(t(Key::OtherLanguage)),
    );
    if embedded {
        // Closing tells the host page: `first-view.js` does it until the wasm runs (or if it never does).
        let _ = write!(
            html,
            r#"<button class="aw-icon-button" id="aw-first-close" type="button" aria-label="{}">{CLOSE_ICON}</button>"#,
            escape(t(Key::Close))
        );
    }
    html.push_str(r#"</header><main class="aw-main">"#);
    match shown {
        Shown::Home { popular } => {
            if site.features.faq {
                let _ = write!(
                    html,
                    r#"<form class="aw-search" role="search" action="/widget/" method="get">{}<label class="aw-label" for="aw-first-search">{}</label><input id="aw-first-search" name="q" class="aw-input" type="search" autocomplete="off" enterkeyhint="search" maxlength="200" placeholder="{}" value="{}"/></form>"#,
                    // Enter before the wasm runs reloads this view with the query (`q`), which the
                    // wasm then searches: the rest of the address goes along.
                    query
                        .iter()
                        .filter(|(k, _)| k != "q" && k != "entry")
                        .map(|(k, v)| format!(r#"<input type="hidden" name="{}" value="{}"/>"#, escape(k), escape(v)))
                        .collect::<String>(),
                    escape(h(HomeKey::SearchLabel)),
                    escape(h(HomeKey::SearchPlaceholder)),
                    escape(query.iter().find(|(k, _)| k == "q").map_or("", |(_, v)| v.as_str())),
                );
                if !popular.is_empty() {
                    let _ = write!(
                        html,
                        r#"<h2 class="aw-subtitle">{}</h2><ul class="aw-results">"#,
                        escape(h(HomeKey::PopularQuestions))
                    );
                    for entry in popular {
                        let _ = write!(
                            html,
                            r#"<li><a class="aw-result" href="{}"><span class="aw-result-question">{}</span></a></li>"#,
                            escape(&with_param(HOME_PATH, query, "entry", Some(&entry.id))),
                            escape(&entry.question)
                        );
                    }
                    html.push_str("</ul>");
                }
            }
            let channels = [
                (site.features.chat, "chat", Key::Chat, HomeKey::ChatHint),
                (site.features.callback, "callback", Key::Callback, HomeKey::CallbackHint),
                (site.features.community, "community", Key::Community, HomeKey::CommunityHint),
            ];
            html.push_str(r#"<ul class="aw-entries">"#);
            for (_, channel, title, hint) in channels.into_iter().filter(|(on, ..)| *on) {
                let href = with_param(&format!("/widget/{channel}/"), query, "entry", None);
                let _ = write!(
                    html,
                    r#"<li><a class="aw-entry" href="{}"><span class="aw-entry-text"><span class="aw-entry-title">{}</span><span class="aw-entry-hint">{}</span></span>{CHEVRON_ICON}</a></li>"#,
                    escape(&href),
                    escape(t(title)),
                    escape(h(hint))
                );
            }
            html.push_str("</ul>");
        }
        Shown::Answer(entry) => {
            // The answer's HTML was sanitized when the FAQ was imported; links to other entries
            // (`#faq/<id>`) open them once the wasm runs.
            let _ =
                write!(html, r#"<article class="aw-article"><div class="aw-answer">{}</div></article>"#, entry.html);
        }
        Shown::Channel(channel) => {
            // Its own view needs the wasm (a form, a conversation, a list from the API); until it runs,
            // the visitor reads where they are and that it is coming, and "back" works.
            if let Some(hint) = channel.hint() {
                let _ = write!(html, r#"<p>{}</p>"#, escape(h(hint)));
            }
            let _ = write!(html, r#"<p class="aw-status" role="status">{}</p>"#, escape(t(Key::Loading)));
        }
    }
    let _ = write!(html, r#"</main><footer class="aw-footer"><p>{}</p></footer></div>"#, escape(t(Key::Anonymous)));
    html
}

/// A document trunk built (`index`), with the first view in its body, the site's colours linked, and
/// the language set.
pub fn document(index: &str, site: &SiteConfig, locale: Locale, shown: &Shown, query: &[(String, String)]) -> String {
    // The first view's close button and Escape (`first-view.js`), deferred: nothing waits for it.
    // The colours are in the URL, so a colour changed in the console is fetched at once, not when
    // the browser's copy of the old one expires.
    let theme = format!(
        r#"<link rel="stylesheet" href="/widget/theme.css?site={}&amp;v={}"/><script src="/widget/first-view.js" defer></script></head>"#,
        encode(&site.site),
        theme_version(&site.theme)
    );
    index
        .replacen(r#"<html lang="fr">"#, &format!(r#"<html lang="{}">"#, locale.tag()), 1)
        .replacen("</head>", &theme, 1)
        .replacen("<body>", &format!("<body>{}", panel(site, locale, shown, query)), 1)
}

/// What the theme's stylesheet depends on, short enough for a URL: the two colours and the corner.
fn theme_version(theme: &Theme) -> String {
    let corner = match theme.position {
        accueil_protocol::LauncherPosition::BottomRight => "r",
        accueil_protocol::LauncherPosition::BottomLeft => "l",
    };
    format!("{}{}{corner}", theme.primary.trim_start_matches('#'), theme.on_primary.trim_start_matches('#'))
}

/// The site's colours as the widget's custom properties, for the first view (the wasm sets the same
/// through the CSSOM once it runs).
pub fn theme_css(theme: &Theme) -> String {
    // The config accepts only `#rrggbb` colours, so nothing here can close the rule.
    format!(":root{{--aw-brand:{};--aw-on-brand:{}}}\n", theme.primary, theme.on_primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_address_and_text_is_escaped() {
        let query = vec![("site".to_owned(), "demo".to_owned()), ("host".to_owned(), "https://a.example".to_owned())];
        assert_eq!(
            with_param(HOME_PATH, &query, "entry", Some("costs")),
            "/widget/?site=demo&host=https%3A%2F%2Fa.example&entry=costs"
        );
        let carried = [query.clone(), vec![("carried".to_owned(), "1".to_owned())]].concat();
        assert_eq!(home_link(&carried), "/widget/?site=demo&host=https%3A%2F%2Fa.example");
        assert_eq!(escape(r#"<b>"Tom" & 'Jerry'</b>"#), "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
    }
}

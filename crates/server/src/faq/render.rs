//! Markdown to what visitors see: sanitized HTML (no script, no event handler, no `javascript:` link,
//! external links `rel="noopener nofollow"`, links to other entries as `#faq/<id>`) and plain text for
//! search and snippets. Raw HTML in the Markdown is shown as text, never interpreted.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;

/// The scheme content writers use to link entries: `[retour](faq:returns-how)`.
pub const INTERNAL_SCHEME: &str = "faq:";

fn parser(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        // Markup typed into Markdown stays visible text: content is never an injection path.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let dest_url = match dest_url.strip_prefix(INTERNAL_SCHEME) {
                Some(entry) => CowStr::from(format!("#faq/{entry}")),
                None => dest_url,
            };
            Event::Start(Tag::Link { link_type, dest_url, title, id })
        }
        other => other,
    })
}

pub fn to_html(markdown: &str) -> String {
    let mut raw = String::new();
    html::push_html(&mut raw, parser(markdown));
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(Some("noopener nofollow"))
        .clean(&raw)
        .to_string()
}

pub fn to_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in parser(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::TableCell)
                if !text.ends_with(' ') =>
            {
                text.push(' ');
            }
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The ids of other entries that `markdown` links to, with the 1-based line of each link.
pub fn internal_links(markdown: &str) -> Vec<(String, usize)> {
    let mut links = Vec::new();
    for (line_index, line) in markdown.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find(&format!("]({INTERNAL_SCHEME}")) {
            let after = &rest[at + 2 + INTERNAL_SCHEME.len()..];
            let id: String = after.chars().take_while(|c| *c != ')' && !c.is_whitespace()).collect();
            links.push((id, line_index + 1));
            rest = after;
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_handlers_and_javascript_links_are_neutralised() {
        let html = to_html(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) \
             [out](https://example.com) [in](faq:returns-how)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "typed markup stays visible as text: {html}");
        assert!(html.contains(r#"<a href="https://example.com" rel="noopener nofollow">out</a>"#), "{html}");
        assert!(html.contains(r##"href="#faq/returns-how""##), "{html}");
    }

    #[test]
    fn text_keeps_words_and_drops_markup() {
        assert_eq!(to_text("**Offerte** dès 80 €.\n\n- un\n- deux"), "Offerte dès 80 €. un deux");
    }

    #[test]
    fn internal_links_are_found_with_their_line() {
        let links = internal_links("intro\nvoir [ici](faq:a) et [là](faq:b)\n");
        assert_eq!(links, [("a".to_owned(), 2), ("b".to_owned(), 2)]);
    }
}

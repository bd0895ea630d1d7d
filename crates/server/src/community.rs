//! Community posts beside their routes: the small Markdown subset visitors write, pseudonyms that may
//! not pass for the brand, the site's word filter, and full-text queries for the database.

use accueil_protocol::FieldCode;
use accueil_search::text::{fold, words};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;

/// Reports from this many sessions hide a post until a moderator reviews it.
pub const HIDE_AFTER_REPORTS: u32 = 3;

/// Words a pseudonym may not contain: they would make a visitor pass for the brand's team.
const RESERVED: &[&str] = &[
    "accueil",
    "admin",
    "moderat",
    "support",
    "conseill",
    "equipe",
    "team",
    "staff",
    "officiel",
    "official",
    "service client",
    "customer service",
    "agent",
];

/// The subset of Markdown visitors write, as sanitized HTML: paragraphs, line breaks, emphasis, code,
/// lists, quotes and links (`rel="nofollow ugc noopener"`). Headings become paragraphs, images their
/// description, and typed HTML stays visible text.
pub fn render(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, Options::empty()).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Heading { .. }) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Paragraph),
        other => other,
    });
    let mut raw = String::new();
    html::push_html(&mut raw, events);
    ammonia::Builder::default()
        .tags(HashSet::from(["p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a"]))
        .url_schemes(HashSet::from(["http", "https"]))
        .link_rel(Some("nofollow ugc noopener"))
        .clean(&raw)
        .to_string()
}

/// Why a pseudonym is refused, if it is: too short or long, invisible or direction-changing characters,
/// or passing for the brand or an agent, also with look-alike letters from another script.
pub fn pseudonym_problem(pseudonym: &str, brand: &str, agents: &[String]) -> Option<(FieldCode, &'static str)> {
    let length = pseudonym.chars().count();
    if length < 2 {
        return Some((FieldCode::TooShort, "2 to 30 characters"));
    }
    if length > 30 {
        return Some((FieldCode::TooLong, "2 to 30 characters"));
    }
    if pseudonym.chars().any(is_invisible_or_directional) {
        return Some((FieldCode::NotAllowed, "invisible or text-direction characters are not allowed"));
    }
    let folded = fold(pseudonym);
    // Compared as their confusable skeletons (Unicode TS 39): a Cyrillic `С` or a Greek `ο` passes
    // for a Latin `C` or `o` on screen, so it does here too.
    let skeleton = |text: &str| -> String {
        let skeleton: String = unicode_security::confusable_detection::skeleton(text).collect();
        fold(&skeleton).chars().filter(|c| c.is_alphanumeric()).collect()
    };
    let squeezed: String = skeleton(pseudonym);
    let imitates = |name: &str| {
        let name = skeleton(name);
        !name.is_empty() && squeezed.contains(&name)
    };
    let reserved = RESERVED.iter().any(|word| folded.contains(word) || squeezed.contains(&word.replace(' ', "")));
    if reserved || imitates(brand) || agents.iter().any(|agent| imitates(agent)) {
        return Some((FieldCode::Impersonation, "this name would pass for the brand or its team"));
    }
    None
}

/// Characters that show nothing or change the direction of the text around them: Unicode's format
/// controls (zero-width spaces and joiners, bidirectional embeddings, overrides and isolates, the byte
/// order mark, the soft hyphen), and every other control character.
fn is_invisible_or_directional(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}')
}

/// The first filtered word found in `text`, if any (whole words, case and accents ignored).
pub fn filtered_word<'a>(text: &str, filter: &'a [String]) -> Option<&'a str> {
    let found: Vec<String> = words(text).into_iter().map(|w| w.folded).collect();
    filter.iter().find(|word| found.iter().any(|w| w == &fold(word))).map(String::as_str)
}

/// The words a community search looks for, case and accents folded (each store turns them into its
/// own full-text query, the last word as a prefix); `None` when nothing searchable was typed.
pub fn search_words(text: &str) -> Option<Vec<String>> {
    let found: Vec<String> = words(text).into_iter().map(|word| word.folded).collect();
    (!found.is_empty()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_keep_the_subset_and_lose_the_rest() {
        let html = render(
            "# Titre\n\n**gras** <script>alert(1)</script> ![x](https://e.x/i.png) [lien](javascript:alert(2)) [ok](https://e.x)",
        );
        assert!(html.starts_with("<p>Titre</p>"), "{html}");
        assert!(html.contains("<strong>gras</strong>") && html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<img") && !html.contains("javascript:"), "{html}");
        assert!(html.contains(r#"<a href="https://e.x" rel="nofollow ugc noopener">ok</a>"#), "{html}");
    }

    #[test]
    fn pseudonyms_may_not_pass_for_the_brand_or_its_agents() {
        let agents = ["Camille".to_owned()];
        assert_eq!(pseudonym_problem("Marion", "Maison Lumière", &agents), None);
        for bad in ["Maison-Lumiere", "maisonlumière officiel", "Le Support", "Équipe", "camille", "x"] {
            assert!(pseudonym_problem(bad, "Maison Lumière", &agents).is_some(), "{bad}");
        }
        // Look-alikes from other scripts, and characters one cannot see or that turn the text around.
        for bad in [
            "\u{421}amille",
            "Cаmillе",
            "Mar\u{200B}ion",
            "Mar\u{200D}ion",
            "\u{202E}noiraM",
            "Mari\u{2067}on",
            "Mar\0ion",
        ] {
            assert!(pseudonym_problem(bad, "Maison Lumière", &agents).is_some(), "{bad:?}");
        }
        assert_eq!(pseudonym_problem("Ольга", "Maison Lumière", &agents), None, "another script is fine on its own");
    }

    #[test]
    fn filtered_words_are_found_whatever_their_case_or_accents() {
        let filter = ["arnaque".to_owned()];
        assert_eq!(filtered_word("Quel arnaqueur !", &filter), None, "another word");
        assert_eq!(filtered_word("Quelle ARNAQUÉ !", &filter), Some("arnaque"));
    }

    #[test]
    fn search_queries_quote_words_and_complete_the_last() {
        assert_eq!(search_words("Lampe étag"), Some(vec!["lampe".to_owned(), "etag".to_owned()]));
        assert_eq!(search_words("\" OR *"), Some(vec!["or".to_owned()]), "query syntax typed is only words");
        assert_eq!(search_words(" ?! "), None);
    }
}

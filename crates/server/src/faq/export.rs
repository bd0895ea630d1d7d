//! Writing a FAQ back to a Markdown folder (`<dir>/<locale>/<id>.md` with TOML front matter, and
//! `synonyms.toml`), so what was edited in the console and the files the team keeps converge. The
//! output reads back through `import` unchanged.

use super::{Content, StoredEntry};
use crate::error::Error;
use std::fmt::Write;
use std::path::Path;

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|i| quoted(i)).collect::<Vec<_>>().join(", "))
}

pub fn entry_file(entry: &StoredEntry) -> String {
    let e = &entry.public;
    format!(
        "+++\nid = {}\nquestion = {}\nphrasings = {}\ntags = {}\ncategory = {}\norder = {}\nupdated = {}\n+++\n\n{}\n",
        quoted(&e.id),
        quoted(&e.question),
        list(&e.phrasings),
        list(&e.tags),
        quoted(&e.category),
        e.order,
        quoted(&e.updated),
        entry.markdown.trim()
    )
}

pub fn write_dir(content: &Content, dir: &Path) -> Result<usize, Error> {
    for entry in &content.entries {
        let folder = dir.join(entry.locale.tag());
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(format!("{}.md", entry.public.id)), entry_file(entry))?;
    }
    for (locale, groups) in &content.synonyms {
        let folder = dir.join(locale.tag());
        std::fs::create_dir_all(&folder)?;
        let groups: Vec<String> = groups.iter().map(|g| format!("    {},", list(g))).collect();
        std::fs::write(folder.join("synonyms.toml"), format!("groups = [\n{}\n]\n", groups.join("\n")))?;
    }
    Ok(content.entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::import::read_dir;
    use accueil_protocol::Locale;

    #[test]
    fn exporting_and_importing_again_changes_nothing() {
        let demo = crate::manifest_dir().join("demo/faq");
        let locales = [Locale::Fr, Locale::En];
        let original = read_dir(&demo, &locales).unwrap().content;
        let out = tempfile::tempdir().unwrap();
        write_dir(&original, out.path()).unwrap();
        let again = read_dir(out.path(), &locales).unwrap().content;
        assert_eq!(again.fingerprint(), original.fingerprint());
        assert_eq!(again, original);
    }

    #[test]
    fn awkward_text_survives_the_round_trip() {
        assert_eq!(quoted("a \"b\" \\ c\nd"), r#""a \"b\" \\ c\nd""#);
    }
}

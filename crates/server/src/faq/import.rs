//! Reading a FAQ folder: `<dir>/<locale>/<entry>.md` with TOML front matter between `+++` lines, and an
//! optional `<dir>/<locale>/synonyms.toml`. Everything is validated before anything is returned, so a
//! broken folder changes nothing that is published; every problem names its file and line.

use super::{Content, StoredEntry, render};
use accueil_protocol::{FaqEntry, Locale};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

#[derive(Debug)]
pub struct Imported {
    pub content: Content,
    /// Not fatal: an entry missing in one locale, a locale folder the site does not offer.
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    question: String,
    #[serde(default)]
    phrasings: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    category: String,
    #[serde(default)]
    order: i64,
    updated: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymsFile {
    groups: Vec<Vec<String>>,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())))
}

fn is_entry_id(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A locale folder's parsed entries and synonym groups.
struct LocaleFolder {
    locale: Locale,
    entries: Vec<Parsed>,
    synonyms: Vec<Vec<String>>,
}

/// One parsed file, before cross-file checks.
struct Parsed {
    file: PathBuf,
    front: FrontMatter,
    /// Line of the body's first line in the file.
    body_line: usize,
    /// As in the file (untrimmed), so line numbers of problems in it stay right.
    body: String,
}

fn parse_file(file: &Path, text: &str, problems: &mut Vec<Problem>) -> Option<Parsed> {
    let problem = |line: usize, message: String| Problem { file: file.to_path_buf(), line, message };
    let text = text.replace("\r\n", "\n");
    let Some(rest) = text.strip_prefix("+++\n") else {
        problems.push(problem(1, "the file must start with a `+++` line opening the TOML front matter".into()));
        return None;
    };
    let Some(end) = rest.find("\n+++\n").or_else(|| rest.strip_suffix("\n+++").map(|r| r.len())) else {
        problems.push(problem(1, "the front matter is not closed by a `+++` line".into()));
        return None;
    };
    let (front_text, body) = (&rest[..end], rest.get(end + 5..).unwrap_or(""));
    let front: FrontMatter = match toml::from_str(front_text) {
        Ok(front) => front,
        Err(e) => {
            let line = e.span().map_or(2, |span| line_of(front_text, span.start) + 1);
            problems.push(problem(line, e.message().to_owned()));
            return None;
        }
    };
    let field_line = |key: &str| front_text.lines().position(|l| l.trim_start().starts_with(key)).map_or(2, |i| i + 2);
    if !is_entry_id(&front.id) {
        problems.push(problem(field_line("id"), format!("id `{}`: use lowercase letters, digits and `-`", front.id)));
    }
    if front.question.trim().is_empty() {
        problems.push(problem(field_line("question"), "question is empty".into()));
    }
    if !is_date(&front.updated) {
        problems.push(problem(field_line("updated"), format!("updated `{}` is not a YYYY-MM-DD date", front.updated)));
    }
    if body.trim().is_empty() {
        problems.push(problem(line_of(&text, text.len()), "the answer (after the front matter) is empty".into()));
    }
    let body_line = line_of(&text, 4 + end + 5);
    Some(Parsed { file: file.to_path_buf(), front, body_line, body: body.to_owned() })
}

/// Reads and validates the whole folder. `offered` are the site's locales.
pub fn read_dir(dir: &Path, offered: &[Locale]) -> Result<Imported, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut by_locale: BTreeMap<&'static str, LocaleFolder> = BTreeMap::new();
    let folders = std::fs::read_dir(dir).map_err(|e| {
        vec![Problem { file: dir.to_path_buf(), line: 0, message: format!("cannot read the folder: {e}") }]
    })?;
    let mut folders: Vec<PathBuf> = folders.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    for folder in folders {
        let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(locale) = Locale::from_tag(&name).filter(|l| l.tag() == name) else {
            warnings.push(format!("{}: not a locale folder (fr, en); skipped", folder.display()));
            continue;
        };
        if !offered.contains(&locale) {
            warnings.push(format!("{}: the site does not offer `{name}`; skipped", folder.display()));
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| vec![Problem { file: folder.clone(), line: 0, message: e.to_string() }])?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort();
        let mut parsed = Vec::new();
        let mut synonyms = Vec::new();
        for file in files {
            let is = |ext: &str| file.extension().is_some_and(|e| e == ext);
            let read = |problems: &mut Vec<Problem>| match std::fs::read_to_string(&file) {
                Ok(text) => Some(text),
                Err(e) => {
                    problems.push(Problem { file: file.clone(), line: 0, message: format!("cannot read: {e}") });
                    None
                }
            };
            if file.file_name().is_some_and(|n| n == "synonyms.toml") {
                if let Some(text) = read(&mut problems) {
                    match toml::from_str::<SynonymsFile>(&text) {
                        Ok(file) => synonyms = file.groups,
                        Err(e) => problems.push(Problem {
                            line: e.span().map_or(1, |s| line_of(&text, s.start)),
                            file: file.clone(),
                            message: e.message().to_owned(),
                        }),
                    }
                }
            } else if is("md")
                && let Some(entry) = read(&mut problems).and_then(|text| parse_file(&file, &text, &mut problems))
            {
                parsed.push(entry);
            }
        }
        by_locale.insert(locale.tag(), LocaleFolder { locale, entries: parsed, synonyms });
    }
    for locale in offered {
        if !by_locale.contains_key(locale.tag()) {
            warnings.push(format!("{}: no `{}` folder; that locale has no FAQ", dir.display(), locale.tag()));
        }
    }

    // Across files: unique ids per locale, and links only to entries that exist in the same locale.
    let mut content = Content::default();
    let mut ids_by_locale: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (tag, LocaleFolder { locale, entries: parsed, synonyms }) in &by_locale {
        let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
        for entry in parsed {
            if let Some(first) = seen.insert(&entry.front.id, &entry.file) {
                problems.push(Problem {
                    file: entry.file.clone(),
                    line: 2,
                    message: format!("id `{}` is already used by {}", entry.front.id, first.display()),
                });
            }
        }
        let ids: BTreeSet<String> = parsed.iter().map(|e| e.front.id.clone()).collect();
        for entry in parsed {
            for (target, line) in render::internal_links(&entry.body) {
                if !ids.contains(&target) {
                    problems.push(Problem {
                        file: entry.file.clone(),
                        line: entry.body_line + line - 1,
                        message: format!("link to `faq:{target}`: no such entry in `{tag}`"),
                    });
                }
            }
            content.entries.push(StoredEntry {
                locale: *locale,
                markdown: entry.body.trim().to_owned(),
                public: FaqEntry {
                    id: entry.front.id.clone(),
                    question: entry.front.question.trim().to_owned(),
                    phrasings: entry.front.phrasings.clone(),
                    tags: entry.front.tags.clone(),
                    category: entry.front.category.trim().to_owned(),
                    order: entry.front.order,
                    updated: entry.front.updated.clone(),
                    html: render::to_html(&entry.body),
                    text: render::to_text(&entry.body),
                },
            });
        }
        content.synonyms.push((*locale, synonyms.clone()));
        ids_by_locale.insert(tag, ids);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let all_ids: BTreeSet<&String> = ids_by_locale.values().flatten().collect();
    for (tag, ids) in &ids_by_locale {
        for missing in all_ids.iter().filter(|id| !ids.contains(**id)) {
            warnings.push(format!("entry `{missing}` has no `{tag}` version"));
        }
    }
    Ok(Imported { content, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn entry(id: &str, body: &str) -> String {
        format!(
            "+++\nid = \"{id}\"\nquestion = \"Q {id} ?\"\ncategory = \"C\"\nupdated = \"2026-11-02\"\n+++\n\n{body}\n"
        )
    }

    #[test]
    fn the_demo_faq_imports_with_every_entry_in_both_locales() {
        let dir = crate::manifest_dir().join("demo/faq");
        let imported = read_dir(&dir, &[Locale::Fr, Locale::En]).expect("the demo FAQ is valid");
        assert!(imported.content.entries.len() >= 80, "{}", imported.content.entries.len());
        assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
        let returns =
            imported.content.entries.iter().find(|e| e.public.id == "returns-how" && e.locale == Locale::Fr).unwrap();
        assert!(returns.public.html.contains(r##"href="#faq/returns-refund-time""##), "{}", returns.public.html);
    }

    #[test]
    fn every_problem_is_reported_with_file_and_line_and_nothing_is_returned() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "fr/a.md", &entry("a", "Voir [b](faq:b).\n\nEt [x](faq:missing)."));
        write(dir.path(), "fr/b.md", &entry("b", "Réponse."));
        write(dir.path(), "fr/b-again.md", &entry("b", "Doublon."));
        write(dir.path(), "fr/bad.md", "+++\nid = \"bad\"\nquestion = 7\n+++\n\nx\n");
        write(dir.path(), "fr/open.md", "no front matter");
        let problems = read_dir(dir.path(), &[Locale::Fr]).unwrap_err();
        let shown: Vec<String> =
            problems.iter().map(|p| format!("{}:{}", p.file.file_name().unwrap().to_string_lossy(), p.line)).collect();
        assert!(shown.contains(&"a.md:10".to_owned()), "broken link at its line: {problems:#?}");
        assert!(shown.contains(&"b.md:2".to_owned()) || shown.contains(&"b-again.md:2".to_owned()), "{problems:#?}");
        assert!(shown.contains(&"bad.md:3".to_owned()), "type error at its line: {problems:#?}");
        assert!(shown.contains(&"open.md:1".to_owned()), "{problems:#?}");
        assert_eq!(problems.len(), 4, "{problems:#?}");
    }

    #[test]
    fn an_entry_missing_in_one_locale_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "fr/a.md", &entry("a", "Oui."));
        write(dir.path(), "fr/b.md", &entry("b", "Non."));
        write(dir.path(), "en/a.md", &entry("a", "Yes."));
        let imported = read_dir(dir.path(), &[Locale::Fr, Locale::En]).unwrap();
        assert_eq!(imported.warnings, ["entry `b` has no `en` version"]);
        assert_eq!(imported.content.entries.len(), 3);
    }
}

//! `accueil search-eval ENTRIES.jsonl`: the FAQ search as an evaluation harness. Builds the index from a
//! JSON Lines file of `{"id","locale","question","answer"}` (other fields ignored), then answers each
//! line of standard input, `{"q":"...","k":10}`, with one line `{"ids":[...],"scores":[...]}`, best first,
//! empty when nothing is relevant, flushing after each.

use crate::error::Error;
use accueil_search::{Entry, Index, Language};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

#[derive(Deserialize)]
struct EntryLine {
    id: String,
    #[serde(default)]
    locale: Option<String>,
    question: String,
    #[serde(default)]
    answer: String,
}

#[derive(Deserialize)]
struct QueryLine {
    q: String,
    #[serde(default = "default_k")]
    k: usize,
    /// Optional: which locale's index to ask when the entries have several.
    #[serde(default)]
    locale: Option<String>,
}

fn default_k() -> usize {
    10
}

#[derive(Serialize)]
struct AnswerLine {
    ids: Vec<String>,
    scores: Vec<f32>,
}

fn language(locale: &str) -> Language {
    accueil_search::language_of(accueil_protocol::Locale::from_tag(locale).unwrap_or(accueil_protocol::Locale::Fr))
}

pub fn run(entries_path: &str, input: impl BufRead, mut output: impl Write) -> Result<(), Error> {
    let text =
        std::fs::read_to_string(entries_path).map_err(|e| Error::Config(format!("cannot read {entries_path}: {e}")))?;
    let mut by_locale: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line: EntryLine =
            serde_json::from_str(line).map_err(|e| Error::Config(format!("{entries_path}:{}: {e}", number + 1)))?;
        let locale = line.locale.unwrap_or_else(|| "fr".to_owned());
        by_locale.entry(locale).or_default().push(Entry {
            id: line.id,
            question: line.question,
            answer: line.answer,
            ..Entry::default()
        });
    }
    let indexes: BTreeMap<String, Index> = by_locale
        .into_iter()
        .map(|(locale, entries)| (locale.clone(), Index::build(language(&locale), &entries, &[])))
        .collect();
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<QueryLine>(&line) {
            Ok(query) => {
                let index = query.locale.as_deref().and_then(|l| indexes.get(l)).or_else(|| {
                    // Without a locale: the one index, or the best answer across locales.
                    indexes.values().max_by(|a, b| {
                        let best = |i: &Index| i.search(&query.q, 1).first().map_or(0.0, |h| h.score);
                        best(a).total_cmp(&best(b))
                    })
                });
                let hits = index.map(|i| i.search(&query.q, query.k)).unwrap_or_default();
                AnswerLine {
                    ids: hits.iter().map(|h| h.id.clone()).collect(),
                    scores: hits.iter().map(|h| h.score).collect(),
                }
            }
            // A malformed query line gets an empty answer: the harness must keep one line out per line in.
            Err(_) => AnswerLine { ids: Vec::new(), scores: Vec::new() },
        };
        serde_json::to_writer(&mut output, &answer).map_err(|e| Error::Internal(e.to_string()))?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_one_line_per_query_even_for_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let entries = dir.path().join("entries.jsonl");
        std::fs::write(
            &entries,
            concat!(
                r#"{"id":"a","locale":"fr","question":"Quels sont les délais de livraison ?","answer":"48 h","extra":1}"#,
                "\n",
                r#"{"id":"b","locale":"fr","question":"Comment retourner un article ?","answer":"Étiquette prépayée"}"#,
                "\n"
            ),
        )
        .unwrap();
        let input = "{\"q\":\"delai livraison\",\"k\":3}\nnot json\n{\"q\":\"tarte tatin\"}\n";
        let mut out = Vec::new();
        run(entries.to_str().unwrap(), input.as_bytes(), &mut out).unwrap();
        let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with(r#"{"ids":["a"],"scores":["#), "{}", lines[0]);
        assert_eq!(lines[1], r#"{"ids":[],"scores":[]}"#);
        assert_eq!(lines[2], r#"{"ids":[],"scores":[]}"#);
    }
}

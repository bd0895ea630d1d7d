//! `accueil search-eval ENTRIES.jsonl`: the server's FAQ search as an evaluation harness, semantic
//! layer included when the model is there (`ACCUEIL_SEARCH_MODEL`, a folder or "off"; by default
//! where `cargo xtask setup` installs it). Builds the indexes from a JSON Lines file of `{"id","locale","question","answer"}` (other
//! fields ignored, `phrasings` used when present), then answers each line of standard input,
//! `{"q":"...","k":10}`, with one line `{"ids":[...],"scores":[...]}`, best first, empty when nothing
//! is relevant, flushing after each. `"evidence": true` answers every entry's raw lexical evidence
//! instead, for tuning the merge; `"closest": true` the entry the console would suggest.

use crate::error::Error;
use crate::faq::semantic::{self, EntryVectors};
use accueil_search::{Entry, Index, Language};
use accueil_semantic::Encoder;
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
    phrasings: Vec<String>,
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
    #[serde(default)]
    evidence: bool,
    /// The entry the console would suggest for this query (good answer or not).
    #[serde(default)]
    closest: bool,
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

/// One locale's entries, lexical index and embeddings.
pub struct Searchable {
    pub entries: Vec<Entry>,
    pub index: Index,
    pub vectors: Option<EntryVectors>,
}

/// The searchable form of a JSON Lines file of entries, per locale.
pub struct Corpus {
    pub encoder: Option<std::sync::Arc<Encoder>>,
    pub locales: BTreeMap<String, Searchable>,
}

impl Corpus {
    pub fn load(entries_path: &str, encoder: Option<std::sync::Arc<Encoder>>) -> Result<Corpus, Error> {
        let text = std::fs::read_to_string(entries_path)
            .map_err(|e| Error::Config(format!("cannot read {entries_path}: {e}")))?;
        let mut by_locale: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let line: EntryLine =
                serde_json::from_str(line).map_err(|e| Error::Config(format!("{entries_path}:{}: {e}", number + 1)))?;
            let locale = line.locale.unwrap_or_else(|| "fr".to_owned());
            by_locale.entry(locale).or_default().push(Entry {
                id: line.id,
                question: line.question,
                phrasings: line.phrasings,
                answer: line.answer,
                ..Entry::default()
            });
        }
        let mut locales = BTreeMap::new();
        for (locale, entries) in by_locale {
            let index = Index::build(language(&locale), &entries, &[]);
            let vectors = match &encoder {
                Some(encoder) => Some(
                    EntryVectors::build_on_all_cores(encoder, &entries).map_err(|e| Error::Internal(e.to_string()))?,
                ),
                None => None,
            };
            locales.insert(locale, Searchable { entries, index, vectors });
        }
        Ok(Corpus { encoder, locales })
    }

    /// The answer ids and scores for `query` in `searchable`.
    pub fn search(&self, searchable: &Searchable, query: &str, k: usize) -> Vec<(String, f32)> {
        let semantic = self.encoder.as_deref().zip(searchable.vectors.as_ref());
        semantic::search(&searchable.index, semantic, query, k)
            .into_iter()
            .map(|found| (searchable.entries[found.entry].id.clone(), found.score))
            .collect()
    }
}

/// The model `ACCUEIL_SEARCH_MODEL` names (a folder, or "off"), by default the installed one.
fn model_from_env() -> crate::config::SearchModel {
    match std::env::var("ACCUEIL_SEARCH_MODEL") {
        Err(_) => crate::config::SearchModel::Installed,
        Ok(off) if off == "off" => crate::config::SearchModel::Off,
        Ok(folder) => crate::config::SearchModel::Folder(folder.into()),
    }
}

pub fn run(entries_path: &str, input: impl BufRead, mut output: impl Write) -> Result<(), Error> {
    let encoder = semantic::load_model(semantic::model_dir(&model_from_env()).as_deref());
    let corpus = Corpus::load(entries_path, encoder)?;
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<QueryLine>(&line) {
            Ok(query) => {
                let searchable = query.locale.as_deref().and_then(|l| corpus.locales.get(l)).or_else(|| {
                    // Without a locale: the one index, or the best answer across locales.
                    corpus.locales.values().max_by(|a, b| {
                        let best = |s: &Searchable| corpus.search(s, &query.q, 1).first().map_or(0.0, |h| h.1);
                        best(a).total_cmp(&best(b))
                    })
                });
                let found: Vec<(String, f32)> = match searchable {
                    Some(s) if query.closest => {
                        let semantic = corpus.encoder.as_deref().zip(s.vectors.as_ref());
                        semantic::closest(&s.index, semantic, &query.q)
                            .map(|e| (s.entries[e].id.clone(), 0.0))
                            .into_iter()
                            .collect()
                    }
                    Some(s) if query.evidence => s
                        .index
                        .evidence(&query.q)
                        .into_iter()
                        .map(|(e, score)| (s.entries[e].id.clone(), score))
                        .collect(),
                    Some(s) => corpus.search(s, &query.q, query.k),
                    None => Vec::new(),
                };
                AnswerLine {
                    ids: found.iter().map(|f| f.0.clone()).collect(),
                    scores: found.iter().map(|f| f.1).collect(),
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
        assert!(lines[0].starts_with(r#"{"ids":["a""#), "{}", lines[0]);
        assert_eq!(lines[1], r#"{"ids":[],"scores":[]}"#);
        assert_eq!(lines[2], r#"{"ids":[],"scores":[]}"#);
    }
}

/// Search quality on the evaluation sets in `crates/search/tests/corpora/`: help centres this project
/// did not write, and visitors' needs written without looking at the entries (see the README there).
#[cfg(test)]
mod quality {
    use super::*;
    use std::path::PathBuf;

    #[derive(Deserialize)]
    struct Judgement {
        q: String,
        expect: Vec<String>,
        kind: String,
        half: String,
    }

    #[derive(Default, Debug)]
    struct Figures {
        answerable: usize,
        at_1: usize,
        at_5: usize,
        reciprocal_ranks: f64,
        paraphrases: usize,
        paraphrases_at_1: usize,
        unanswerable: usize,
        silent: usize,
    }

    impl Figures {
        fn share(part: usize, whole: usize) -> f64 {
            part as f64 / whole.max(1) as f64
        }
        fn recall_at_1(&self) -> f64 {
            Figures::share(self.at_1, self.answerable)
        }
        fn recall_at_5(&self) -> f64 {
            Figures::share(self.at_5, self.answerable)
        }
        fn paraphrase_recall_at_1(&self) -> f64 {
            Figures::share(self.paraphrases_at_1, self.paraphrases)
        }
        fn silent_when_unanswerable(&self) -> f64 {
            Figures::share(self.silent, self.unanswerable)
        }
        fn add(&mut self, other: &Figures) {
            self.answerable += other.answerable;
            self.at_1 += other.at_1;
            self.at_5 += other.at_5;
            self.reciprocal_ranks += other.reciprocal_ranks;
            self.paraphrases += other.paraphrases;
            self.paraphrases_at_1 += other.paraphrases_at_1;
            self.unanswerable += other.unanswerable;
            self.silent += other.silent;
        }
        fn line(&self, label: &str) -> String {
            format!(
                "{label:34} {:>3} answerable  R@1 {:.3}  R@5 {:.3}  MRR {:.3}  paraphrase R@1 {:.3} ({})  unanswerable silent {:.3} ({})",
                self.answerable,
                self.recall_at_1(),
                self.recall_at_5(),
                self.reciprocal_ranks / self.answerable.max(1) as f64,
                self.paraphrase_recall_at_1(),
                self.paraphrases,
                self.silent_when_unanswerable(),
                self.unanswerable
            )
        }
    }

    fn corpora() -> PathBuf {
        crate::manifest_dir().join("../search/tests/corpora")
    }

    fn judgements(name: &str) -> Vec<Judgement> {
        std::fs::read_to_string(corpora().join(format!("{name}.queries.jsonl")))
            .expect("queries")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("judgement line"))
            .collect()
    }

    fn evaluate(corpus: &Corpus, judgements: &[Judgement], half: &str) -> Figures {
        let searchable = corpus.locales.values().next().expect("one locale per corpus file");
        let mut figures = Figures::default();
        for judgement in judgements.iter().filter(|j| j.half == half) {
            let ids: Vec<String> = corpus.search(searchable, &judgement.q, 5).into_iter().map(|(id, _)| id).collect();
            if judgement.expect.is_empty() {
                figures.unanswerable += 1;
                figures.silent += usize::from(ids.is_empty());
                continue;
            }
            figures.answerable += 1;
            let rank = ids.iter().position(|id| judgement.expect.contains(id));
            figures.at_1 += usize::from(rank == Some(0));
            figures.at_5 += usize::from(rank.is_some());
            figures.reciprocal_ranks += rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
            if judgement.kind == "paraphrase" {
                figures.paraphrases += 1;
                figures.paraphrases_at_1 += usize::from(rank == Some(0));
            }
        }
        figures
    }

    const NAMES: [&str; 4] = ["gnome-help.en", "libreoffice-writer.en", "gnome-help.fr", "libreoffice-writer.fr"];

    /// A paraphrase shares no content word (after folding and stemming) with its entry's question,
    /// and the sets have the promised shape: 150+ queries a locale, a third paraphrases, 15% that no
    /// entry answers.
    #[test]
    fn the_sets_are_what_they_claim() {
        for locale in ["en", "fr"] {
            let language = language(locale);
            let (mut total, mut paraphrases, mut unanswerable) = (0, 0, 0);
            let mut overlaps = Vec::new();
            for name in NAMES.iter().filter(|n| n.ends_with(locale)) {
                let corpus = Corpus::load(corpora().join(format!("{name}.jsonl")).to_str().unwrap(), None).unwrap();
                let entries = &corpus.locales.values().next().unwrap().entries;
                let stems = |text: &str| -> std::collections::BTreeSet<String> {
                    accueil_search::text::words(text)
                        .into_iter()
                        .filter(|w| !accueil_search::text::is_stop_word(language, &w.folded))
                        .map(|w| accueil_search::text::stem(language, &w.folded))
                        .collect()
                };
                for judgement in judgements(name) {
                    total += 1;
                    unanswerable += usize::from(judgement.expect.is_empty());
                    for id in &judgement.expect {
                        assert!(entries.iter().any(|e| &e.id == id), "{name}: {id} is not an entry");
                    }
                    if judgement.kind != "paraphrase" {
                        continue;
                    }
                    paraphrases += 1;
                    for id in &judgement.expect {
                        let question = &entries.iter().find(|e| &e.id == id).unwrap().question;
                        let shared: Vec<String> = stems(&judgement.q).intersection(&stems(question)).cloned().collect();
                        if !shared.is_empty() {
                            overlaps.push(format!(
                                "{name}: paraphrase {:?} shares {shared:?} with {question:?}",
                                judgement.q
                            ));
                        }
                    }
                }
            }
            assert!(overlaps.is_empty(), "{}", overlaps.join("\n"));
            assert!(total >= 150, "{locale}: {total} queries");
            assert!(paraphrases * 3 >= total, "{locale}: {paraphrases} paraphrases of {total}");
            assert!(unanswerable * 100 >= total * 15, "{locale}: {unanswerable} unanswerable of {total}");
        }
    }

    /// The gate: held-out figures, with the full pipeline (semantic layer included), stay above the
    /// floors. The floors are what this code measured, rounded down, less one query: a regression
    /// of two queries fails, while one borderline query tipping either way (a change in the order of
    /// float sums does that) does not. The issue's targets (R@1 0.85 en / 0.80 fr...) are not yet met.
    #[test]
    fn held_out_quality_stays_above_its_floors() {
        let dir = semantic::model_dir(&model_from_env()).expect(
            "the sentence-embedding model is not installed: run `cargo xtask setup` (or set ACCUEIL_SEARCH_MODEL)",
        );
        let encoder = std::sync::Arc::new(Encoder::load(&dir).expect("the model loads"));
        let mut report = Vec::new();
        let mut by_locale: BTreeMap<&str, (Figures, Figures)> = BTreeMap::new();
        for name in NAMES {
            let path = corpora().join(format!("{name}.jsonl"));
            let judgements = judgements(name);
            // The lexical search alone (the widget's), for comparison.
            let lexical = Corpus::load(path.to_str().unwrap(), None).unwrap();
            report.push(evaluate(&lexical, &judgements, "held").line(&format!("{name} held-out, lexical only")));
            let corpus = Corpus::load(path.to_str().unwrap(), Some(encoder.clone())).unwrap();
            let tuning = evaluate(&corpus, &judgements, "tune");
            let held = evaluate(&corpus, &judgements, "held");
            report.push(tuning.line(&format!("{name} tuning")));
            report.push(held.line(&format!("{name} held-out")));
            let locale = &name[name.len() - 2..];
            let totals = by_locale.entry(if locale == "en" { "en" } else { "fr" }).or_default();
            totals.0.add(&tuning);
            totals.1.add(&held);
        }
        for (locale, (tuning, held)) in &by_locale {
            report.push(tuning.line(&format!("all {locale} tuning")));
            report.push(held.line(&format!("all {locale} held-out")));
        }
        println!("{}", report.join("\n"));
        for (locale, measured) in [("en", [0.70, 0.76, 0.28, 0.76]), ("fr", [0.58, 0.69, 0.21, 0.52])] {
            let held = &by_locale[locale].1;
            let figures = [
                (held.recall_at_1(), held.answerable),
                (held.recall_at_5(), held.answerable),
                (held.paraphrase_recall_at_1(), held.paraphrases),
                (held.silent_when_unanswerable(), held.unanswerable),
            ];
            for ((name, (got, queries)), measured) in
                ["R@1", "R@5", "paraphrase R@1", "unanswerable silent"].iter().zip(figures).zip(measured)
            {
                let floor = measured - 1.0 / queries.max(1) as f64;
                assert!(got >= floor, "{locale} held-out {name} {got:.3} fell below its floor {floor:.3}");
            }
        }
    }
}

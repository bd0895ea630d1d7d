//! Search quality on the demo FAQ: each relevance set (`tests/relevance/<locale>.jsonl`, a query and the
//! entries that answer it, or none) must keep recall@1, recall@5 and the share of unanswerable queries
//! that return nothing above floors. `cargo xtask eval` prints the figures.

#![cfg(not(target_arch = "wasm32"))]

use accueil_search::{Entry, Index, Language};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Deserialize)]
struct FrontMatter {
    id: String,
    question: String,
    #[serde(default)]
    phrasings: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct Synonyms {
    groups: Vec<Vec<String>>,
}

#[derive(Deserialize)]
struct Judgement {
    q: String,
    expect: Vec<String>,
}

/// This package's folder as cargo names it when it runs the binary: a binary compiled in another clone
/// of the repository, which cargo may reuse from a shared target directory, would name that clone.
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")), Into::into)
}

fn faq_dir(locale: &str) -> PathBuf {
    manifest_dir().join("../server/demo/faq").join(locale)
}

/// Markdown to rough plain text: good enough for ranking tests; the server renders it properly.
fn plain(markdown: &str) -> String {
    markdown.replace(['*', '#', '[', ']', '›'], " ").split("](").collect::<Vec<_>>().join(" ")
}

fn load(locale: &str) -> (Vec<Entry>, Vec<Vec<String>>) {
    let dir = faq_dir(locale);
    let mut entries = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("faq dir").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "md")) {
        let text = std::fs::read_to_string(path).expect("readable");
        let rest = text.strip_prefix("+++\n").expect("front matter");
        let (front, body) = rest.split_once("\n+++\n").expect("closed front matter");
        let front: FrontMatter = toml::from_str(front).expect("valid front matter");
        entries.push(Entry {
            id: front.id,
            question: front.question,
            phrasings: front.phrasings,
            tags: front.tags,
            answer: plain(body),
        });
    }
    let synonyms: Synonyms =
        toml::from_str(&std::fs::read_to_string(dir.join("synonyms.toml")).expect("synonyms")).expect("valid");
    (entries, synonyms.groups)
}

struct Figures {
    answerable: usize,
    recall_at_1: f64,
    recall_at_5: f64,
    unanswerable: usize,
    silent_when_unanswerable: f64,
    misses: Vec<String>,
}

fn evaluate(locale: &str, language: Language) -> Figures {
    let (entries, synonyms) = load(locale);
    let index = Index::build(language, &entries, &synonyms);
    let path = manifest_dir().join(format!("tests/relevance/{locale}.jsonl"));
    let judgements: Vec<Judgement> = std::fs::read_to_string(path)
        .expect("relevance set")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("judgement line"))
        .collect();
    let (mut answerable, mut at_1, mut at_5, mut unanswerable, mut silent) = (0, 0, 0, 0, 0);
    let mut misses = Vec::new();
    for judgement in &judgements {
        let hits = index.search(&judgement.q, 5);
        let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        if judgement.expect.is_empty() {
            unanswerable += 1;
            if ids.is_empty() {
                silent += 1;
            } else {
                misses.push(format!("{:?} should find nothing, got {ids:?}", judgement.q));
            }
            continue;
        }
        answerable += 1;
        let relevant = |id: &&str| judgement.expect.iter().any(|e| e == id);
        if ids.first().is_some_and(relevant) {
            at_1 += 1;
        } else {
            misses.push(format!("{:?} expects {:?}, got {ids:?}", judgement.q, judgement.expect));
        }
        if ids.iter().any(relevant) {
            at_5 += 1;
        }
    }
    Figures {
        answerable,
        recall_at_1: at_1 as f64 / answerable as f64,
        recall_at_5: at_5 as f64 / answerable as f64,
        unanswerable,
        silent_when_unanswerable: silent as f64 / unanswerable as f64,
        misses,
    }
}

fn check(locale: &str, language: Language) {
    let f = evaluate(locale, language);
    println!(
        "relevance {locale}: {} answerable, recall@1 {:.3}, recall@5 {:.3}; {} unanswerable, {:.3} return nothing",
        f.answerable, f.recall_at_1, f.recall_at_5, f.unanswerable, f.silent_when_unanswerable
    );
    for miss in &f.misses {
        println!("  miss: {miss}");
    }
    assert!(f.answerable >= 100, "at least 100 answerable queries per locale");
    assert!(f.recall_at_1 >= 0.85, "recall@1 {:.3} fell below 0.85", f.recall_at_1);
    assert!(f.recall_at_5 >= 0.95, "recall@5 {:.3} fell below 0.95", f.recall_at_5);
    assert!(
        f.silent_when_unanswerable >= 0.8,
        "only {:.3} of unanswerable queries return nothing",
        f.silent_when_unanswerable
    );
}

#[test]
fn french_relevance() {
    check("fr", Language::French);
}

#[test]
fn english_relevance() {
    check("en", Language::English);
}

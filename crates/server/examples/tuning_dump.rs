//! Dumps what tuning the FAQ merge needs, for one evaluation corpus and locale: each entry's vectors
//! (several ways of embedding it) and each query's vector and lexical evidence, as one JSON document
//! that `crates/search/tests/corpora/tune.py` reads (see the README there).
//! `cargo run -p accueil-server --example tuning_dump -- CORPORA_DIR NAME LOCALE > NAME.LOCALE.json`

use accueil_semantic::{Encoder, Role};
use accueil_server::config::SearchModel;
use accueil_server::faq::semantic::{EntryVectors, model_dir};
use accueil_server::search_eval::Corpus;
use serde_json::json;
use std::path::Path;

/// Characters of an answer chunk: a few sentences, the size of a visitor's need.
const CHUNK_CHARS: usize = 300;

/// Sentences of `answer` packed into chunks of at most about `size` characters.
fn chunks(answer: &str, size: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for sentence in answer.split_inclusive(['.', '\n', '!', '?']) {
        let sentence = sentence.trim();
        if sentence.is_empty() {
            continue;
        }
        if !current.is_empty() && current.chars().count() + sentence.chars().count() > size {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(sentence);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, name, locale] = &args[..] else { panic!("CORPORA_DIR NAME LOCALE") };
    let dir = Path::new(dir);
    let entries_path = dir.join(format!("{name}.{locale}.jsonl"));
    let corpus = Corpus::load(entries_path.to_str().expect("utf-8 path"), None).expect("corpus");
    let searchable = corpus.locales.get(locale.as_str()).expect("the locale's entries");
    let model = model_dir(&SearchModel::Installed).expect("the model is not installed: run `cargo xtask setup`");
    let encoder = Encoder::load(&model).expect("the model loads");

    let queries: Vec<serde_json::Value> = std::fs::read_to_string(dir.join(format!("{name}.{locale}.queries.jsonl")))
        .expect("queries")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("query line"))
        .collect();

    // Every text to embed, with where its vector goes.
    let mut jobs: Vec<(String, Role)> = Vec::new();
    let mut entry_jobs = Vec::new();
    for entry in &searchable.entries {
        let first = jobs.len();
        // As the server embeds them (semantic.rs), then the variants tried against them.
        jobs.push((entry.question.clone(), Role::Query));
        jobs.push((entry.question.clone(), Role::Passage));
        jobs.push((EntryVectors::content(entry), Role::Passage));
        jobs.push((format!("{}. {}", entry.question, entry.answer), Role::Passage));
        let parts = chunks(&entry.answer, CHUNK_CHARS);
        for part in &parts {
            jobs.push((format!("{}. {part}", entry.question), Role::Passage));
        }
        entry_jobs.push((first, parts.len()));
    }
    let query_first = jobs.len();
    for query in &queries {
        jobs.push((query["q"].as_str().expect("q").to_owned(), Role::Query));
    }

    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let share = jobs.len().div_ceil(threads);
    let vectors: Vec<Vec<f32>> = std::thread::scope(|scope| {
        let workers: Vec<_> = jobs
            .chunks(share)
            .map(|part| {
                let encoder = &encoder;
                scope.spawn(move || {
                    part.iter().map(|(text, role)| encoder.embed(text, *role).expect("embeds")).collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker")).collect()
    });

    let entries: Vec<_> = searchable
        .entries
        .iter()
        .zip(&entry_jobs)
        .map(|(entry, (first, parts))| {
            json!({
                "id": entry.id,
                "question_as_query": vectors[*first],
                "question_as_passage": vectors[first + 1],
                "opening": vectors[first + 2],
                "full": vectors[first + 3],
                "chunks": vectors[first + 4..first + 4 + parts].to_vec(),
            })
        })
        .collect();
    let queries: Vec<_> = queries
        .iter()
        .enumerate()
        .map(|(i, query)| {
            let evidence: Vec<(usize, f32)> = searchable.index.evidence(query["q"].as_str().unwrap());
            json!({
                "q": query["q"], "expect": query["expect"], "kind": query["kind"], "half": query["half"],
                "vector": vectors[query_first + i],
                "evidence": evidence,
            })
        })
        .collect();
    println!("{}", json!({ "entries": entries, "queries": queries }));
}

//! The server's semantic FAQ search, measured in a release build (`cargo xtask bench`): the model's
//! load time and memory, the time to embed 1,000 entries, and each query's time through the full
//! merge (lexical and semantic), one by one, the first (cold) one apart. Exits non-zero past the
//! budget (median 20 ms per query).

use accueil_search::{Entry, Index, Language};
use accueil_server::faq::semantic::{self, EntryVectors};
use std::path::PathBuf;
use std::time::Instant;

const ENTRIES: usize = 1_000;
const BUDGET_MEDIAN_MS: f64 = 20.0;

/// The process's resident memory, from /proc.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn corpora() -> PathBuf {
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), Into::into);
    manifest.join("../search/tests/corpora")
}

fn lines(name: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(corpora().join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn main() {
    let dir = semantic::model_dir(&accueil_server::config::SearchModel::Installed)
        .or_else(|| std::env::var_os("ACCUEIL_SEARCH_MODEL").map(Into::into))
        .expect("no sentence-embedding model: run `cargo xtask setup`");
    let before = resident_kib();
    let started = Instant::now();
    let encoder = accueil_semantic::Encoder::load(&dir).expect("the model loads");
    let load_s = started.elapsed().as_secs_f64();
    let model_mib = (resident_kib().saturating_sub(before)) as f64 / 1024.0;

    // 1,000 English entries: both help centres, repeated with new ids.
    let source: Vec<serde_json::Value> = [lines("gnome-help.en.jsonl"), lines("libreoffice-writer.en.jsonl")].concat();
    let entries: Vec<Entry> = (0..ENTRIES)
        .map(|i| {
            let e = &source[i % source.len()];
            Entry {
                id: format!("{}-{i}", e["id"].as_str().unwrap_or_default()),
                question: e["question"].as_str().unwrap_or_default().to_owned(),
                answer: e["answer"].as_str().unwrap_or_default().to_owned(),
                ..Entry::default()
            }
        })
        .collect();
    let index = Index::build(Language::English, &entries, &[]);
    let before = resident_kib();
    let started = Instant::now();
    let vectors = EntryVectors::build(&encoder, &entries).expect("entries embed");
    let embed_s = started.elapsed().as_secs_f64();
    let vectors_mib = (resident_kib().saturating_sub(before)) as f64 / 1024.0;

    let queries: Vec<String> = [lines("gnome-help.en.queries.jsonl"), lines("libreoffice-writer.en.queries.jsonl")]
        .concat()
        .iter()
        .map(|q| q["q"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut times_ms = Vec::with_capacity(queries.len());
    for query in &queries {
        let started = Instant::now();
        let found = semantic::search(&index, Some((&encoder, &vectors)), query, 10);
        times_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(found);
    }
    let cold_ms = times_ms[0];
    let mut warm = times_ms[1..].to_vec();
    warm.sort_by(f64::total_cmp);
    let at = |share: f64| warm[((warm.len() - 1) as f64 * share).round() as usize];
    let (median, p99) = (at(0.5), at(0.99));
    println!(
        "BENCH semantic search: entries={ENTRIES} queries={} model_load_s={load_s:.2} model_rss_mib={model_mib:.1} embed_entries_s={embed_s:.1} vectors_rss_mib={vectors_mib:.1} cold_first_query_ms={cold_ms:.2} per_query_median_ms={median:.2} per_query_p99_ms={p99:.2} max_ms={:.2} (budget: median {BUDGET_MEDIAN_MS} ms)",
        queries.len(),
        warm.last().copied().unwrap_or(0.0),
    );
    if median > BUDGET_MEDIAN_MS {
        eprintln!("over budget: per-query median {median:.2} ms ({BUDGET_MEDIAN_MS})");
        std::process::exit(1);
    }
}

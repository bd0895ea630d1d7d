//! The server's FAQ search: the lexical index (the widget's own search) merged with sentence
//! embeddings, so a visitor's own words ("my notebook dies after an hour unplugged") find an entry
//! worded otherwise ("Use less power and improve battery life"). Entries are embedded once per
//! published snapshot; a query is embedded at search time. Without the model, the lexical search
//! answers alone.

use crate::config::SearchModel;
use accueil_search::{Entry, Index};
use accueil_semantic::Encoder;
use std::path::Path;
use std::sync::Arc;

/// Characters of an answer embedded with its question: an answer's opening says what it is about,
/// and the cost of embedding grows with length.
const ANSWER_OPENING_CHARS: usize = 200;
/// The answer's sentences embedded one by one, so a need met in the middle of an answer is found:
/// those in its first characters, at most this many, each long enough to mean something.
const PASSAGE_CHARS: usize = 1200;
const PASSAGES: usize = 8;
const PASSAGE_MIN_CHARS: usize = 16;

// The merge, tuned on the tuning halves of the evaluation sets (crates/search/tests/corpora/, see
// the README there):
// score = W_QUESTION * best cosine with the question or a phrasing
//       + W_CONTENT * cosine with the question and the answer's opening
//       + W_PASSAGE * best cosine with one of the answer's sentences
//       + W_LEXICAL * the lexical evidence (capped at 1);
// when the best entry scores under NO_GOOD_ANSWER, there is no good answer.
const W_QUESTION: f32 = 0.1;
const W_CONTENT: f32 = 0.5;
const W_PASSAGE: f32 = 0.4;
const W_LEXICAL: f32 = 0.6;
pub const NO_GOOD_ANSWER: f32 = 0.46;
/// Alternatives scoring under this share of the best are dropped: on the tuning halves it halves what
/// is shown (from about 4 entries to 2) and keeps recall@5 within a point.
const RELATIVE_CUT: f32 = 0.7;

/// Where the model is, if anywhere.
pub fn model_dir(configured: &SearchModel) -> Option<std::path::PathBuf> {
    match configured {
        SearchModel::Off => None,
        SearchModel::Folder(dir) => Some(dir.clone()),
        SearchModel::Installed => {
            let installed = Path::new(&std::env::var_os("HOME")?).join(".cache/accueil/models/use-m3");
            installed.is_dir().then_some(installed)
        }
    }
}

/// Loads the sentence-embedding model from `dir`; on failure says so in the log and answers `None`,
/// and search stays lexical.
pub fn load_model(dir: Option<&Path>) -> Option<Arc<Encoder>> {
    let Some(dir) = dir else {
        tracing::warn!("FAQ search is lexical only: no sentence-embedding model (search_model, `cargo xtask setup`)");
        return None;
    };
    let started = std::time::Instant::now();
    match Encoder::load(dir) {
        Ok(encoder) => {
            tracing::info!(
                model = %dir.display(),
                seconds = started.elapsed().as_secs_f64(),
                "FAQ search is semantic: sentence-embedding model loaded"
            );
            Some(Arc::new(encoder))
        }
        Err(error) => {
            tracing::warn!(model = %dir.display(), %error, "FAQ search is lexical only: the model did not load");
            None
        }
    }
}

/// Every entry's embeddings.
pub struct EntryVectors {
    /// Per entry: its question's, then each phrasing's.
    questions: Vec<Vec<Vec<f32>>>,
    /// Per entry: its question with the answer's opening.
    contents: Vec<Vec<f32>>,
    /// Per entry: each of its answer's first sentences.
    passages: Vec<Vec<Vec<f32>>>,
}

/// The sentences of the start of `answer` worth embedding on their own.
fn passages(answer: &str) -> Vec<&str> {
    let end = answer.char_indices().nth(PASSAGE_CHARS).map_or(answer.len(), |(i, _)| i);
    let text = &answer[..end];
    let mut found = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends_sentence =
            matches!(c, '.' | '!' | '?' | ':') && chars.peek().is_some_and(|(_, next)| next.is_whitespace());
        if ends_sentence || chars.peek().is_none() {
            let sentence = text[start..i + c.len_utf8()].trim();
            if sentence.chars().count() >= PASSAGE_MIN_CHARS {
                found.push(sentence);
            }
            start = i + c.len_utf8();
        }
    }
    found.truncate(PASSAGES);
    found
}

impl EntryVectors {
    pub fn build(encoder: &Encoder, entries: &[Entry]) -> Result<EntryVectors, accueil_semantic::Error> {
        let mut questions = Vec::with_capacity(entries.len());
        let mut contents = Vec::with_capacity(entries.len());
        let mut sentences = Vec::with_capacity(entries.len());
        for entry in entries {
            let mut asked = vec![encoder.embed(&entry.question)?];
            for phrasing in &entry.phrasings {
                asked.push(encoder.embed(phrasing)?);
            }
            questions.push(asked);
            let opening: String = entry.answer.chars().take(ANSWER_OPENING_CHARS).collect();
            contents.push(encoder.embed(&format!("{}. {opening}", entry.question))?);
            sentences.push(passages(&entry.answer).into_iter().map(|p| encoder.embed(p)).collect::<Result<_, _>>()?);
        }
        Ok(EntryVectors { questions, contents, passages: sentences })
    }
}

/// Under this merged score an entry is not even worth suggesting to the product team (who decide):
/// unrelated needs score under 0.1, and failed searches are stored folded, which costs a few points.
const WORTH_SUGGESTING: f32 = 0.25;

/// One answer: the entry's position in the index's entries and how good it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub entry: usize,
    pub score: f32,
}

/// The entry closest to `query` even when it is not a good answer: what the console suggests adding
/// a failed search to as a phrasing.
pub fn closest(index: &Index, semantic: Option<(&Encoder, &EntryVectors)>, query: &str) -> Option<usize> {
    // Lexical evidence alone without the model, or when the query cannot be embedded (as `search`).
    let scored: Vec<(usize, f32)> = match semantic.and_then(|(encoder, vectors)| merged(index, encoder, vectors, query))
    {
        Some(scores) => scores.into_iter().enumerate().collect(),
        None => index.evidence(query),
    };
    scored
        .into_iter()
        .filter(|(_, score)| *score >= WORTH_SUGGESTING)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(entry, _)| entry)
}

/// Every entry's merged score for `query`; `None` when the query cannot be embedded.
fn merged(index: &Index, encoder: &Encoder, vectors: &EntryVectors, query: &str) -> Option<Vec<f32>> {
    let query: String = query.chars().take(accueil_search::MAX_QUERY_CHARS).collect();
    let meaning = encoder.embed(&query).ok()?;
    let mut scores: Vec<f32> = (0..vectors.contents.len())
        .map(|entry| {
            let best = |vectors: &[Vec<f32>]| {
                vectors
                    .iter()
                    .map(|v| accueil_semantic::similarity(&meaning, v))
                    .fold(None, |b: Option<f32>, s| Some(b.map_or(s, |b| b.max(s))))
            };
            let content = accueil_semantic::similarity(&meaning, &vectors.contents[entry]);
            W_QUESTION * best(&vectors.questions[entry]).unwrap_or(content)
                + W_CONTENT * content
                + W_PASSAGE * best(&vectors.passages[entry]).unwrap_or(content)
        })
        .collect();
    for (entry, evidence) in index.evidence(&query) {
        if let Some(score) = scores.get_mut(entry) {
            *score += W_LEXICAL * evidence.min(1.0);
        }
    }
    Some(scores)
}

/// The best entries for `query`, at most `k`, best first; empty when none is a good answer. With
/// `semantic`, meanings and words are merged; without, the lexical search answers as in the widget.
pub fn search(index: &Index, semantic: Option<(&Encoder, &EntryVectors)>, query: &str, k: usize) -> Vec<Found> {
    let lexical_only =
        || index.search(query, k).into_iter().map(|hit| Found { entry: hit.entry, score: hit.score }).collect();
    let Some((encoder, vectors)) = semantic else { return lexical_only() };
    if k == 0 || index.is_empty() || query.trim().is_empty() {
        return Vec::new();
    }
    let Some(scores) = merged(index, encoder, vectors, query) else { return lexical_only() };
    let mut found: Vec<Found> = scores.into_iter().enumerate().map(|(entry, score)| Found { entry, score }).collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
    // The best decides whether there is an answer at all; the next ones close to it follow.
    let Some(best) = found.first().map(|f| f.score).filter(|best| *best >= NO_GOOD_ANSWER) else { return Vec::new() };
    found.retain(|f| f.score >= best * RELATIVE_CUT);
    found.truncate(k);
    found
}

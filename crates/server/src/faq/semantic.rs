//! The server's FAQ search: the lexical index (the widget's own search) merged with sentence
//! embeddings, so a visitor's own words ("my notebook dies after an hour unplugged") find an entry
//! worded otherwise ("Use less power and improve battery life"). Entries are embedded once per
//! published snapshot; a query is embedded at search time. Without the model, the lexical search
//! answers alone.

use crate::config::SearchModel;
use accueil_search::{Entry, Index};
use accueil_semantic::{Encoder, Role};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Characters of an answer embedded with its question: an answer's opening says what it is about,
/// and the cost of embedding grows with length.
const ANSWER_OPENING_CHARS: usize = 600;

// The merge, tuned on the tuning halves of the evaluation sets (crates/search/tests/corpora/, see
// the README there):
// score = W_CONTENT * meaning of the question with the answer's opening (as a passage)
//       + W_QUESTION * best meaning of the question or a phrasing (as a query, like the visitor's)
//       + W_LEXICAL * the lexical evidence (capped at 1);
// where a meaning is the cosine rescaled so that unrelated texts (about UNRELATED with this model,
// whose cosines sit between 0.7 and 1) score 0; when the best entry scores under NO_GOOD_ANSWER,
// there is no good answer.
// The threshold is the lowest at which both locales' tuning halves leave at least 70% of the
// unanswerable queries unanswered (the bar); lower, more wrong entries are offered, higher,
// more answerable queries get none.
const W_CONTENT: f32 = 1.0;
const W_QUESTION: f32 = 0.25;
const W_LEXICAL: f32 = 0.3;
const UNRELATED: f32 = 0.75;
pub const NO_GOOD_ANSWER: f32 = 0.60;
/// Alternatives scoring under this share of the best are dropped: on the tuning halves it shows about 2
/// entries instead of 3.6, at no cost to recall@5.
const RELATIVE_CUT: f32 = 0.7;

/// A cosine as a meaning score: 0 for unrelated texts, 1 for the same.
fn meaning(cosine: f32) -> f32 {
    (cosine - UNRELATED) / (1.0 - UNRELATED)
}

/// Where the model is, if anywhere.
pub fn model_dir(configured: &SearchModel) -> Option<std::path::PathBuf> {
    match configured {
        SearchModel::Off => None,
        SearchModel::Folder(dir) => Some(dir.clone()),
        SearchModel::Installed => {
            let installed = Path::new(&std::env::var_os("HOME")?).join(".cache/accueil/models/e5-small");
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
    /// Per entry: its question's, then each phrasing's, embedded as queries (a phrasing is a visitor's
    /// words, and a question reads like one).
    questions: Vec<Vec<Vec<f32>>>,
    /// Per entry: its question with the answer's opening, as a passage.
    contents: Vec<Vec<f32>>,
}

impl EntryVectors {
    /// Embeds every entry on the calling thread: the server does it in the background, and leaves
    /// the other cores to the requests.
    pub fn build(encoder: &Encoder, entries: &[Entry]) -> Result<EntryVectors, accueil_semantic::Error> {
        Ok(EntryVectors::build_reusing(encoder, entries, None)?.0)
    }

    /// `build`, taking each text's vector from `earlier` (an earlier snapshot's entries and their
    /// vectors) when it was embedded there: publishing an edit embeds what the edit changed, not the
    /// whole FAQ again. Also answers how many texts were embedded.
    pub fn build_reusing(
        encoder: &Encoder,
        entries: &[Entry],
        earlier: Option<(&[Entry], &EntryVectors)>,
    ) -> Result<(EntryVectors, usize), accueil_semantic::Error> {
        let mut known: HashMap<(Role, String), &[f32]> = HashMap::new();
        for (entry, (questions, content)) in earlier
            .into_iter()
            .flat_map(|(entries, vectors)| entries.iter().zip(vectors.questions.iter().zip(&vectors.contents)))
        {
            for (text, vector) in EntryVectors::asked(entry).zip(questions) {
                known.insert((Role::Query, text.clone()), vector);
            }
            known.insert((Role::Passage, EntryVectors::content(entry)), content);
        }
        let mut embedded = 0;
        let mut embed = |text: &str, role: Role| match known.get(&(role, text.to_owned())) {
            Some(vector) => Ok(vector.to_vec()),
            None => {
                embedded += 1;
                encoder.embed(text, role)
            }
        };
        let mut questions = Vec::with_capacity(entries.len());
        let mut contents = Vec::with_capacity(entries.len());
        for entry in entries {
            questions.push(EntryVectors::asked(entry).map(|text| embed(text, Role::Query)).collect::<Result<_, _>>()?);
            contents.push(embed(&EntryVectors::content(entry), Role::Passage)?);
        }
        Ok((EntryVectors { questions, contents }, embedded))
    }

    /// What a visitor could ask for an entry: its question, then its phrasings (embedded as queries:
    /// a phrasing is a visitor's words, and a question reads like one).
    fn asked(entry: &Entry) -> impl Iterator<Item = &String> {
        std::iter::once(&entry.question).chain(&entry.phrasings)
    }

    /// An entry's passage: its question with its answer's opening.
    pub fn content(entry: &Entry) -> String {
        let opening: String = entry.answer.chars().take(ANSWER_OPENING_CHARS).collect();
        format!("{}. {opening}", entry.question)
    }

    /// The same on every core, for the evaluation, which has nothing else to do (the benchmark measures
    /// `build`, as the server runs it).
    pub fn build_on_all_cores(encoder: &Encoder, entries: &[Entry]) -> Result<EntryVectors, accueil_semantic::Error> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let share = entries.len().div_ceil(threads).max(1);
        let parts: Vec<Result<EntryVectors, _>> = std::thread::scope(|scope| {
            let workers: Vec<_> =
                entries.chunks(share).map(|part| scope.spawn(move || EntryVectors::build(encoder, part))).collect();
            workers
                .into_iter()
                .map(|worker| {
                    worker.join().unwrap_or_else(|_| {
                        Err(accueil_semantic::Error::Compute("an embedding thread panicked".to_owned()))
                    })
                })
                .collect()
        });
        let mut all =
            EntryVectors { questions: Vec::with_capacity(entries.len()), contents: Vec::with_capacity(entries.len()) };
        for part in parts {
            let part = part?;
            all.questions.extend(part.questions);
            all.contents.extend(part.contents);
        }
        Ok(all)
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
    let asked = encoder.embed(&query, Role::Query).ok()?;
    let similarity = |vector: &Vec<f32>| meaning(accueil_semantic::similarity(&asked, vector));
    let mut scores: Vec<f32> = (0..vectors.contents.len())
        .map(|entry| {
            let content = similarity(&vectors.contents[entry]);
            let question = vectors.questions[entry].iter().map(similarity).reduce(f32::max).unwrap_or(content);
            W_CONTENT * content + W_QUESTION * question
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

#[cfg(test)]
mod tests {
    use super::*;

    fn encoder() -> Encoder {
        let dir = std::env::var_os("ACCUEIL_SEARCH_MODEL")
            .map(Into::into)
            .or_else(|| model_dir(&SearchModel::Installed))
            .expect("the sentence-embedding model is not installed: run `cargo xtask setup`");
        Encoder::load(&dir).expect("the model loads")
    }

    fn entry(id: &str, question: &str, answer: &str, phrasings: &[&str]) -> Entry {
        Entry {
            id: id.to_owned(),
            question: question.to_owned(),
            answer: answer.to_owned(),
            phrasings: phrasings.iter().map(|p| (*p).to_owned()).collect(),
            ..Entry::default()
        }
    }

    #[test]
    fn a_new_snapshot_embeds_only_the_texts_it_changed() {
        let encoder = encoder();
        let before = [
            entry("returns", "How do I return an item?", "Print the label from your account.", &["send it back"]),
            entry("delivery", "When will my parcel arrive?", "Within three working days.", &[]),
        ];
        let (earlier, embedded) = EntryVectors::build_reusing(&encoder, &before, None).expect("embeds");
        assert_eq!(embedded, 5, "two questions, one phrasing, two passages");
        let after = [
            entry("returns", "How do I return an item?", "Print the label from your account.", &["send it back"]),
            // The answer changed (its passage is embedded again), and a phrasing was added.
            entry("delivery", "When will my parcel arrive?", "Within two working days.", &["where is my parcel"]),
            entry("gift", "Can you wrap a gift?", "Yes, choose gift wrapping at checkout.", &[]),
        ];
        let (reused, embedded) =
            EntryVectors::build_reusing(&encoder, &after, Some((&before, &earlier))).expect("embeds");
        assert_eq!(embedded, 4, "the changed passage, the new phrasing, the new entry's question and passage");
        let fresh = EntryVectors::build(&encoder, &after).expect("embeds");
        assert_eq!(reused.questions, fresh.questions);
        assert_eq!(reused.contents, fresh.contents);
    }
}

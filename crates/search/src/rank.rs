//! Query evaluation: each query word becomes weighted candidate terms (exact, completion of the word
//! being typed, typo neighbours, synonyms), entries are scored per word by their best candidate, and
//! the total is normalised by what a perfect match would score and by how much of the query matched,
//! so that a weak, partial match falls under the "no good answer" line instead of being shown.

use crate::text::{self, Word};
use crate::typo::allowed_edits;
use crate::{Index, MAX_QUERY_CHARS, MAX_QUERY_WORDS};

/// Below this, an entry is not a good answer. Calibrated on the relevance sets in `tests/`.
pub const MIN_SCORE: f32 = 0.30;
/// Share of the query's weight an entry must match (a query about something else must not match on a
/// single common word).
pub const MIN_COVERAGE: f32 = 0.55;

/// What one well-placed occurrence (once in the question) is worth, to normalise scores into 0..=1.
const STRONG_MATCH: f32 = 3.0 / (3.0 + 1.5) * 2.5;

/// How much a kind of match is trusted.
const EXACT: f32 = 1.0;
const SYNONYM: f32 = 0.85;
const ONE_TYPO: f32 = 0.75;
const TWO_TYPOS: f32 = 0.55;
/// A finished word that only starts an indexed word ("max" for "maximum", "dispo" for "disponible").
const ABBREVIATION: f32 = 0.7;
/// Extra weight when consecutive query words follow each other in the entry's question or a phrasing.
const PHRASE_BONUS: f32 = 0.25;
/// Results scoring under this share of the best one are dropped: a strong answer is not followed by
/// weak ones that only share a word with the query.
const RELATIVE_CUT: f32 = 0.5;
/// How many of the best entries are re-ranked with the phrase bonus.
const RERANKED: usize = 30;

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    /// Position of the entry in the slice the index was built from.
    pub entry: usize,
    /// How good an answer this entry is: entries under `MIN_SCORE` are not returned; 1.0 is every word
    /// matched where it counts most, and the phrase-order bonus can lift that up to 1.25.
    pub score: f32,
    /// The entry's terms that matched, for highlighting.
    pub matched: Vec<MatchedTerm>,
}

/// A stem of the entry that matched some query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedTerm(pub String);

/// An entry the query reached: (entry, score, share of the query's weight it covers).
type Scored = (u32, f32, f32);

struct QueryWord {
    /// Candidate terms and how much each is trusted.
    candidates: Vec<(u32, f32)>,
    /// How much this word weighs in coverage: rare words weigh more; unknown words weigh as an average
    /// word, so a query about something the FAQ does not cover stays uncovered.
    weight: f32,
    /// A stop word being typed: it may complete into a real word, and counts only if it does.
    optional: bool,
}

impl Index {
    fn add_candidate(candidates: &mut Vec<(u32, f32)>, term: u32, trust: f32) {
        match candidates.iter_mut().find(|(t, _)| *t == term) {
            Some((_, existing)) => *existing = existing.max(trust),
            None => candidates.push((term, trust)),
        }
    }

    fn completions(&self, prefix: &str) -> Vec<u32> {
        let start = self.terms.partition_point(|t| t.as_str() < prefix);
        let mut found: Vec<(u32, f32)> = (start..self.terms.len())
            .take_while(|&i| self.terms[i].starts_with(prefix))
            .map(|i| (i as u32, self.postings[i].len() as f32))
            .collect();
        // A two-letter prefix can open hundreds of words: keep the most common.
        sort_best_first(&mut found);
        found.truncate(40);
        found.into_iter().map(|(t, _)| t).collect()
    }

    fn query_word(&self, word: &Word, being_typed: bool, average_idf: f32) -> Option<QueryWord> {
        let stop = text::is_stop_word(self.language, &word.folded);
        if stop && !being_typed {
            return None;
        }
        let stem = text::stem(self.language, &word.folded);
        let mut candidates = Vec::new();
        if !stop && let Ok(exact) = self.terms.binary_search(&stem) {
            candidates.push((exact as u32, EXACT));
        }
        if being_typed && word.folded.chars().count() >= 2 {
            for term in self.completions(&word.folded) {
                // The longer the completion still to type, the less sure the guess.
                let missing = self.terms[term as usize].chars().count().saturating_sub(word.folded.chars().count());
                Self::add_candidate(&mut candidates, term, (0.95 - 0.03 * missing as f32).max(0.7));
            }
        }
        if !stop && !being_typed && candidates.is_empty() && word.folded.chars().count() >= 3 {
            for term in self.completions(&word.folded) {
                Self::add_candidate(&mut candidates, term, ABBREVIATION);
            }
        }
        if !stop && candidates.is_empty() {
            for (term, edits) in self.typos.near(&stem, &self.terms) {
                Self::add_candidate(&mut candidates, term, if edits == 1 { ONE_TYPO } else { TWO_TYPOS });
            }
            if being_typed && allowed_edits(word.folded.chars().count()) > 0 {
                // A misspelt word still being typed: complete its nearest spellings.
                for (near, edits) in self.typos.near(&word.folded, &self.terms) {
                    let trust = if edits == 1 { ONE_TYPO } else { TWO_TYPOS };
                    Self::add_candidate(&mut candidates, near, trust);
                }
            }
        }
        // Synonyms of the word itself (even when no entry uses it) and of each candidate.
        let mut expansions: Vec<(&str, f32)> = vec![(stem.as_str(), EXACT)];
        expansions.extend(candidates.iter().map(|(t, trust)| (self.terms[*t as usize].as_str(), *trust)));
        let mut synonyms = Vec::new();
        for (word, trust) in expansions {
            if stop {
                break;
            }
            for &synonym in self.synonyms.get(word).into_iter().flatten() {
                synonyms.push((synonym, trust * SYNONYM));
            }
        }
        for (term, trust) in synonyms {
            Self::add_candidate(&mut candidates, term, trust);
        }
        let weight = candidates
            .iter()
            .filter(|(_, trust)| *trust >= ONE_TYPO)
            .map(|(t, _)| self.idf[*t as usize])
            .fold(None, |best: Option<f32>, idf| Some(best.map_or(idf, |b| b.max(idf))))
            .unwrap_or(average_idf);
        Some(QueryWord { candidates, weight, optional: stop })
    }

    /// Every entry that any query word reached, with its score and the share of the query it covers,
    /// before the "good answer" lines are applied; `None` when the query has nothing to search for.
    fn scored(&self, query: &str) -> Option<(Vec<QueryWord>, Vec<Scored>)> {
        if self.is_empty() {
            return None;
        }
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let still_typing = query.chars().last().is_some_and(text::is_word_char);
        let words = text::words(&query);
        let words = &words[..words.len().min(MAX_QUERY_WORDS)];
        let average_idf = self.idf.iter().sum::<f32>() / self.idf.len().max(1) as f32;
        let query_words: Vec<QueryWord> = words
            .iter()
            .enumerate()
            .filter_map(|(i, w)| self.query_word(w, still_typing && i + 1 == words.len(), average_idf))
            .collect();
        let required_weight: f32 = query_words.iter().filter(|w| !w.optional).map(|w| w.weight).sum();
        if query_words.is_empty() {
            return None;
        }

        let entries = self.len();
        let mut score = vec![0.0f32; entries];
        let mut covered = vec![0.0f32; entries];
        let mut best = vec![0.0f32; entries];
        // Entries any candidate reached: the only ones worth looking at after the postings walk.
        let mut touched: Vec<u32> = Vec::new();
        let mut reached: Vec<u32> = Vec::new();
        let mut possible = 0.0f32;
        for word in &query_words {
            reached.clear();
            for &(term, trust) in &word.candidates {
                let strength = trust * self.idf[term as usize];
                for &(entry, weight) in &self.postings[term as usize] {
                    let value = strength * weight;
                    let slot = &mut best[entry as usize];
                    if *slot == 0.0 {
                        reached.push(entry);
                    }
                    if value > *slot {
                        *slot = value;
                    }
                }
            }
            for &entry in &reached {
                let e = entry as usize;
                if score[e] == 0.0 {
                    touched.push(entry);
                }
                score[e] += best[e];
                covered[e] += word.weight;
                best[e] = 0.0;
            }
            if !word.optional {
                possible += word.weight * STRONG_MATCH;
            }
        }
        if possible <= 0.0 {
            // Only a stop word being typed: wait for more letters rather than guess.
            return None;
        }
        let hits = touched
            .into_iter()
            .map(|entry| {
                let e = entry as usize;
                let coverage = (covered[e] / required_weight.max(f32::EPSILON)).min(1.0);
                let relevance = (score[e] / possible).min(1.0);
                (entry, relevance * (0.5 + 0.5 * coverage), coverage)
            })
            .collect();
        Some((query_words, hits))
    }

    /// The lexical evidence for every entry the query reaches, without the "good answer" lines: for
    /// merging with another ranking (the server's semantic search), which judges relevance itself.
    /// Scores are on `search`'s scale, without the phrase bonus.
    pub fn evidence(&self, query: &str) -> Vec<(usize, f32)> {
        self.scored(query)
            .map(|(_, hits)| hits.into_iter().map(|(entry, total, _)| (entry as usize, total)).collect())
            .unwrap_or_default()
    }

    /// Runs every path of `search` (whole words, a word being typed, a typo, several words) a few
    /// times on the index's own words, so a browser compiles and optimises the search code before the
    /// visitor's first keystroke instead of during it (in Chromium the first keystrokes otherwise take
    /// milliseconds each). Costs a few milliseconds; the widget runs it while nobody types.
    pub fn warm_up(&self) {
        /// Rounds of the same queries: enough calls for the browser to find the code hot.
        const ROUNDS: usize = 4;
        /// Words taken across the index, so the queries look like visitors' (the browser optimises
        /// for what it has seen run).
        const WORDS: usize = 30;
        let words: Vec<&str> = (0..WORDS)
            .filter_map(|i| self.terms.get(i * self.terms.len() / WORDS))
            .map(String::as_str)
            .filter(|t| t.chars().count() >= 4)
            .collect();
        let mut queries: Vec<String> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let next = words[(i + 7) % words.len()];
            let mut typo: Vec<char> = word.chars().collect();
            typo.swap(1, 2);
            queries.push(match i % 4 {
                0 => word.chars().take(3).collect(),
                1 => typo.into_iter().collect(),
                2 => format!("{word} {next}"),
                _ => format!("{next} {}", word.chars().take(5).collect::<String>()),
            });
        }
        for _ in 0..ROUNDS {
            for query in &queries {
                std::hint::black_box(self.search(query, 10));
            }
        }
    }

    /// The best entries for `query`, at most `k`, best first; empty when none is a good answer.
    pub fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        if k == 0 {
            return Vec::new();
        }
        let Some((query_words, mut hits)) = self.scored(query) else { return Vec::new() };
        hits.retain(|&(_, total, coverage)| coverage >= MIN_COVERAGE && total >= MIN_SCORE);
        let mut hits: Vec<(u32, f32)> = hits.into_iter().map(|(entry, total, _)| (entry, total)).collect();
        if hits.len() > RERANKED {
            // Only the best few are re-ranked and returned: select them in linear time, sort those.
            hits.select_nth_unstable_by(RERANKED, best_first);
            hits.truncate(RERANKED);
        }
        // Each word's candidate terms, sorted once, so the pair checks below are binary searches.
        let candidate_sets: Vec<Vec<u32>> = query_words
            .iter()
            .filter(|w| !w.candidates.is_empty())
            .map(|w| {
                let mut terms: Vec<u32> = w.candidates.iter().map(|(t, _)| *t).collect();
                terms.sort_unstable();
                terms
            })
            .collect();
        for (entry, total) in &mut hits {
            *total *= 1.0 + PHRASE_BONUS * self.phrase_share(*entry as usize, &candidate_sets);
        }
        sort_best_first(&mut hits);
        let cut = hits.first().map_or(0.0, |(_, best)| best * RELATIVE_CUT);
        hits.retain(|(_, score)| *score >= cut);
        hits.truncate(k);
        hits.into_iter()
            .map(|(entry, score)| Hit {
                id: self.entry_ids[entry as usize].clone(),
                entry: entry as usize,
                score,
                matched: self.matched_terms(entry, &query_words),
            })
            .collect()
    }

    /// The share of consecutive query-word pairs that also follow each other in one of the entry's
    /// questions or phrasings.
    fn phrase_share(&self, entry: usize, words: &[Vec<u32>]) -> f32 {
        if words.len() < 2 {
            return 0.0;
        }
        let has = |word: &Vec<u32>, term: u32| word.binary_search(&term).is_ok();
        let pairs = words
            .windows(2)
            .filter(|pair| {
                self.phrasings[entry]
                    .iter()
                    .any(|sequence| sequence.windows(2).any(|s| has(&pair[0], s[0]) && has(&pair[1], s[1])))
            })
            .count();
        pairs as f32 / (words.len() - 1) as f32
    }

    fn matched_terms(&self, entry: u32, words: &[QueryWord]) -> Vec<MatchedTerm> {
        let mut matched: Vec<MatchedTerm> = Vec::new();
        let found = words
            .iter()
            .flat_map(|w| &w.candidates)
            .filter(|(term, _)| self.postings[*term as usize].binary_search_by_key(&entry, |p| p.0).is_ok());
        for (term, _) in found {
            let term = MatchedTerm(self.terms[*term as usize].clone());
            if !matched.contains(&term) {
                matched.push(term);
            }
        }
        matched
    }
}

/// Best first by score, ties by id: the one sort of the crate, so the widget's wasm carries one copy of
/// the sorting code instead of one per call site.
pub(crate) fn sort_best_first(items: &mut [(u32, f32)]) {
    items.sort_unstable_by(best_first);
}

fn best_first(a: &(u32, f32), b: &(u32, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// Splits `text` into `(segment, highlighted)` pieces: words whose stem matched are highlighted.
pub fn highlight<'a>(index: &Index, text: &'a str, matched: &[MatchedTerm]) -> Vec<(&'a str, bool)> {
    let mut pieces = Vec::new();
    let mut at = 0;
    for word in text::words(text) {
        let stem = text::stem(index.language, &word.folded);
        if matched.iter().any(|m| m.0 == stem) {
            if word.start > at {
                pieces.push((&text[at..word.start], false));
            }
            pieces.push((&text[word.start..word.end], true));
            at = word.end;
        }
    }
    if at < text.len() {
        pieces.push((&text[at..], false));
    }
    pieces
}

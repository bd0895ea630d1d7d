//! XLM-RoBERTa's SentencePiece unigram tokenizer, as the model file carries it: each character
//! normalised through the file's map (NFKC and SentencePiece's own rules, precomputed per code point),
//! runs of spaces collapsed, spaces written as "▁" with one in front, then the most likely cut into
//! the vocabulary's pieces (Viterbi over the pieces' log-probabilities), an unknown character costing
//! ten below the rarest piece.

use crate::Error;
use crate::file::Reader;
use std::collections::HashMap;

/// SentencePiece writes spaces as U+2581 ("▁").
const SPACE_SYMBOL: char = '\u{2581}';

pub struct Tokenizer {
    pub begin: u32,
    pub end: u32,
    unknown: u32,
    scores: Vec<f32>,
    pieces: HashMap<Box<str>, u32>,
    longest_piece_bytes: usize,
    unknown_score: f32,
    /// Code points that normalise to something else, and what they become.
    normal_forms: HashMap<char, Vec<char>>,
}

impl Tokenizer {
    /// Reads the tokenizer's part of the model file.
    pub fn read(reader: &mut Reader<'_>) -> Result<Tokenizer, Error> {
        let count = reader.count()?;
        let [begin, end, _padding, unknown] = [reader.count()?, reader.count()?, reader.count()?, reader.count()?];
        let blob_length = usize::try_from(reader.u64()?).map_err(|_| Error::Format("vocabulary too large".into()))?;
        let offsets = reader.u32s(count + 1)?;
        let scores = reader.f32s(count)?;
        let blob = reader.take(blob_length)?;
        let mut pieces = HashMap::with_capacity(count);
        let mut longest_piece_bytes = 1;
        for (id, bounds) in offsets.windows(2).enumerate() {
            let (start, stop) = (bounds[0] as usize, bounds[1] as usize);
            let bytes =
                blob.get(start..stop).ok_or_else(|| Error::Format("a piece lies past the vocabulary".into()))?;
            if bytes.is_empty() {
                continue;
            }
            let piece = String::from_utf8_lossy(bytes);
            longest_piece_bytes = longest_piece_bytes.max(bytes.len());
            // The first of two equal pieces wins, as in a first-found table.
            pieces.entry(piece.into()).or_insert(id as u32);
        }
        let rarest = scores.iter().copied().fold(f32::INFINITY, f32::min);
        let normal_form_count = reader.count()?;
        let map_bytes = reader.u32()? as usize;
        let mut map = Reader::new(reader.take(map_bytes)?);
        let mut normal_forms = HashMap::with_capacity(normal_form_count);
        for _ in 0..normal_form_count {
            let from = reader_char(map.u32()?);
            let length = usize::from(map.u8()?);
            let to: Vec<char> = map.u32s(length)?.into_iter().map(reader_char).collect();
            normal_forms.insert(from, to);
        }
        let id = |n: usize| u32::try_from(n).ok().filter(|&id| (id as usize) < count);
        let (Some(begin), Some(end), Some(unknown)) = (id(begin), id(end), id(unknown)) else {
            return Err(Error::Format("special token ids lie past the vocabulary".into()));
        };
        Ok(Tokenizer {
            begin,
            end,
            unknown,
            scores,
            pieces,
            longest_piece_bytes,
            unknown_score: rarest - 10.0,
            normal_forms,
        })
    }

    /// The ids of `text`'s pieces, without the begin and end markers, at most `limit` (the first).
    pub fn encode(&self, text: &str, limit: usize) -> Vec<u32> {
        let mut normal = Vec::with_capacity(text.len() + 1);
        for c in text.chars() {
            match self.normal_forms.get(&c) {
                Some(replacement) => normal.extend_from_slice(replacement),
                None => normal.push(c),
            }
        }
        normal.dedup_by(|next, previous| *next == ' ' && *previous == ' ');
        if normal.first() != Some(&' ') {
            normal.insert(0, ' ');
        }
        let symbols: String = normal.iter().map(|&c| if c == ' ' { SPACE_SYMBOL } else { c }).collect();
        // Byte offset of each character, and of the end.
        let starts: Vec<usize> = symbols.char_indices().map(|(i, _)| i).chain(std::iter::once(symbols.len())).collect();
        let characters = starts.len() - 1;
        // best[i]: the best score of a cut of the first i characters, and its last piece.
        let mut best: Vec<(f32, u32, usize)> = vec![(f32::NEG_INFINITY, self.unknown, 0); characters + 1];
        best[0].0 = 0.0;
        for from in 0..characters {
            let base = best[from].0;
            if base == f32::NEG_INFINITY {
                continue;
            }
            for to in from + 1..=characters {
                let length = starts[to] - starts[from];
                if length > self.longest_piece_bytes {
                    break;
                }
                if let Some(&id) = self.pieces.get(&symbols[starts[from]..starts[to]])
                    && id != self.unknown
                {
                    let score = base + self.scores[id as usize];
                    if score > best[to].0 {
                        best[to] = (score, id, from);
                    }
                }
            }
            let unknown = base + self.unknown_score;
            if unknown > best[from + 1].0 {
                best[from + 1] = (unknown, self.unknown, from);
            }
        }
        let mut ids = Vec::new();
        let mut at = characters;
        while at > 0 {
            let (_, id, from) = best[at];
            ids.push(id);
            at = from;
        }
        ids.reverse();
        ids.truncate(limit);
        ids
    }
}

/// A code point from the file; one that is not a character becomes U+FFFD.
fn reader_char(code: u32) -> char {
    char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
}

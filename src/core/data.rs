//! MNIST digits: decoding the shipped binary and making shuffled training batches.
//!
//! The binary is produced by `www/data/convert-mnist.mjs` (see its header for the layout).

use burn::prelude::*;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::core::rng::{self, Rng, RngState};

/// Side of an MNIST image in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels in one MNIST image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Number of digit classes.
pub const NUM_CLASSES: usize = 10;
const MAGIC: &[u8; 4] = b"GPMN";
const HEADER: usize = 12;

/// Why a data file could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DataError {
    /// The file does not start with the playground's magic bytes.
    #[error("not a GAN Playground MNIST file (bad magic bytes)")]
    BadMagic,
    /// The format version or image size is not one this build reads.
    #[error("unsupported MNIST file: version {version}, {rows}x{cols} images")]
    Unsupported { version: u8, rows: u8, cols: u8 },
    /// The file is shorter than its header says.
    #[error("MNIST file truncated: expected {expected} bytes, found {found}")]
    Truncated { expected: usize, found: usize },
    /// A label is not a digit.
    #[error("MNIST file has label {label} at index {index}; labels must be 0..=9")]
    BadLabel { index: usize, label: u8 },
    /// A split or selection asked for an impossible range.
    #[error("cannot split {len} digits at {at}")]
    BadSplit { len: usize, at: usize },
}

/// A set of labelled 28×28 grey-scale digits held as bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MnistSet {
    labels: Vec<u8>,
    pixels: Vec<u8>,
}

impl MnistSet {
    /// Decodes the playground's binary format.
    pub fn decode(bytes: &[u8]) -> Result<Self, DataError> {
        if bytes.len() < HEADER {
            return Err(DataError::Truncated {
                expected: HEADER,
                found: bytes.len(),
            });
        }
        if &bytes[..4] != MAGIC {
            return Err(DataError::BadMagic);
        }
        let (version, rows, cols) = (bytes[4], bytes[5], bytes[6]);
        if version != 1 || rows as usize != IMAGE_SIDE || cols as usize != IMAGE_SIDE {
            return Err(DataError::Unsupported {
                version,
                rows,
                cols,
            });
        }
        let count = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
        let expected = HEADER + count + count * IMAGE_PIXELS;
        if bytes.len() < expected {
            return Err(DataError::Truncated {
                expected,
                found: bytes.len(),
            });
        }
        let labels = bytes[HEADER..HEADER + count].to_vec();
        if let Some((index, &label)) = labels
            .iter()
            .enumerate()
            .find(|(_, l)| **l as usize >= NUM_CLASSES)
        {
            return Err(DataError::BadLabel { index, label });
        }
        let pixels = bytes[HEADER + count..expected].to_vec();
        Ok(Self { labels, pixels })
    }

    /// Encodes into the binary format that [`MnistSet::decode`] reads.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.labels.len() + self.pixels.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[1, IMAGE_SIDE as u8, IMAGE_SIDE as u8, 0]);
        out.extend_from_slice(&(self.labels.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.labels);
        out.extend_from_slice(&self.pixels);
        out
    }

    /// Builds a set from labels and row-major pixels (784 per image).
    pub fn from_parts(labels: Vec<u8>, pixels: Vec<u8>) -> Result<Self, DataError> {
        let expected = labels.len() * IMAGE_PIXELS;
        if pixels.len() != expected {
            return Err(DataError::Truncated {
                expected,
                found: pixels.len(),
            });
        }
        if let Some((index, &label)) = labels
            .iter()
            .enumerate()
            .find(|(_, l)| **l as usize >= NUM_CLASSES)
        {
            return Err(DataError::BadLabel { index, label });
        }
        Ok(Self { labels, pixels })
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the set holds no digit.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// All labels, in order.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The pixels of digit `index` (784 bytes, 0 = background).
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
    }

    /// Splits into the first `at` digits and the rest.
    pub fn split(&self, at: usize) -> Result<(Self, Self), DataError> {
        if at > self.len() {
            return Err(DataError::BadSplit {
                len: self.len(),
                at,
            });
        }
        let (la, lb) = self.labels.split_at(at);
        let (pa, pb) = self.pixels.split_at(at * IMAGE_PIXELS);
        Ok((
            Self {
                labels: la.to_vec(),
                pixels: pa.to_vec(),
            },
            Self {
                labels: lb.to_vec(),
                pixels: pb.to_vec(),
            },
        ))
    }

    /// This set's digits followed by `other`'s.
    pub fn join(&self, other: &MnistSet) -> MnistSet {
        Self {
            labels: [&self.labels[..], &other.labels[..]].concat(),
            pixels: [&self.pixels[..], &other.pixels[..]].concat(),
        }
    }

    /// Count of digits per class.
    pub fn class_counts(&self) -> [usize; NUM_CLASSES] {
        let mut counts = [0; NUM_CLASSES];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }

    /// Images `[B, 1, 28, 28]` scaled to [-1, 1] and their labels `[B]`, for the given indices.
    pub fn batch(&self, indices: &[usize], device: &Device) -> (Tensor<4>, Tensor<1, Int>) {
        let mut values = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            values.extend(self.image(i).iter().map(|&p| p as f32 / 127.5 - 1.0));
            labels.push(self.labels[i] as i64);
        }
        let n = indices.len();
        let images = Tensor::<1>::from_data(TensorData::new(values, [n * IMAGE_PIXELS]), device)
            .reshape([n, 1, IMAGE_SIDE, IMAGE_SIDE]);
        let labels = Tensor::<1, Int>::from_data(TensorData::new(labels, [n]), device);
        (images, labels)
    }
}

/// Endless shuffled mini-batches of indices: every digit is seen once per epoch.
#[derive(Clone, Debug)]
pub struct BatchSampler {
    order: Vec<usize>,
    position: usize,
    rng: Rng,
}

/// Where a [`BatchSampler`] is: the epoch's order, the position in it and the shuffling
/// generator, so a resumed run sees the same batches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamplerState {
    /// This epoch's order of the digits.
    pub order: Vec<u32>,
    /// How many of them were used.
    pub position: usize,
    /// The generator that shuffles the next epoch.
    pub rng: RngState,
}

impl BatchSampler {
    /// A sampler over `len` items, shuffled with `seed`.
    pub fn new(len: usize, seed: u64) -> Self {
        let mut rng = rng::seeded(seed);
        let mut order: Vec<usize> = (0..len).collect();
        order.shuffle(&mut rng);
        Self {
            order,
            position: 0,
            rng,
        }
    }

    /// Number of items it draws from.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether it draws from nothing.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Where the sampler is.
    pub fn state(&self) -> SamplerState {
        SamplerState {
            order: self.order.iter().map(|&i| i as u32).collect(),
            position: self.position,
            rng: RngState::of(&self.rng),
        }
    }

    /// A sampler over `len` items continuing from `state` (`None` when it does not describe
    /// an order of `len` items).
    pub fn restore(state: &SamplerState, len: usize) -> Option<Self> {
        let mut seen = vec![false; len];
        for &i in &state.order {
            let slot = seen.get_mut(i as usize)?;
            if std::mem::replace(slot, true) {
                return None;
            }
        }
        if state.order.len() != len || state.position > len {
            return None;
        }
        Some(Self {
            order: state.order.iter().map(|&i| i as usize).collect(),
            position: state.position,
            rng: state.rng.restore()?,
        })
    }

    /// The next `size` indices, reshuffling at each epoch boundary.
    pub fn next_batch(&mut self, size: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(size);
        if self.order.is_empty() {
            return out;
        }
        while out.len() < size {
            if self.position == self.order.len() {
                self.order.shuffle(&mut self.rng);
                self.position = 0;
            }
            let take = (size - out.len()).min(self.order.len() - self.position);
            out.extend_from_slice(&self.order[self.position..self.position + take]);
            self.position += take;
        }
        out
    }
}

/// Converts images in [-1, 1] (any shape, 784 values per image) to bytes 0..=255.
pub fn to_bytes(values: &[f32]) -> Vec<u8> {
    values
        .iter()
        .map(|v| ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> MnistSet {
        let labels = vec![3, 7];
        let mut pixels = vec![0u8; 2 * IMAGE_PIXELS];
        pixels[0] = 255;
        pixels[IMAGE_PIXELS + 5] = 128;
        MnistSet::from_parts(labels, pixels).unwrap()
    }

    #[test]
    fn joined_sets_keep_both_in_order() {
        let set = tiny();
        let (first, second) = set.split(1).unwrap();
        assert_eq!(first.join(&second), set);
        let twice = set.join(&set);
        assert_eq!(twice.labels(), [3, 7, 3, 7]);
        assert_eq!(twice.image(3), set.image(1));
    }

    #[test]
    fn encode_decode_round_trip() {
        let set = tiny();
        assert_eq!(MnistSet::decode(&set.encode()).unwrap(), set);
    }

    #[test]
    fn decode_rejects_bad_input() {
        let good = tiny().encode();
        assert_eq!(
            MnistSet::decode(b"GP"),
            Err(DataError::Truncated {
                expected: 12,
                found: 2
            })
        );
        let mut bad = good.clone();
        bad[0] = b'X';
        assert_eq!(MnistSet::decode(&bad), Err(DataError::BadMagic));
        let mut bad = good.clone();
        bad[5] = 32;
        assert!(matches!(
            MnistSet::decode(&bad),
            Err(DataError::Unsupported { rows: 32, .. })
        ));
        assert!(matches!(
            MnistSet::decode(&good[..good.len() - 1]),
            Err(DataError::Truncated { .. })
        ));
        let mut bad = good;
        bad[HEADER + 1] = 10;
        assert_eq!(
            MnistSet::decode(&bad),
            Err(DataError::BadLabel {
                index: 1,
                label: 10
            })
        );
    }

    #[test]
    fn batch_scales_to_minus_one_one() {
        let device = Device::flex();
        let (images, labels) = tiny().batch(&[1, 0], &device);
        assert_eq!(images.dims(), [2, 1, 28, 28]);
        let values = images.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(values[IMAGE_PIXELS], 1.0);
        assert_eq!(values[0], -1.0);
        assert!((values[5] - (128.0 / 127.5 - 1.0)).abs() < 1e-6);
        assert_eq!(
            labels.into_data().try_into_vec_as::<i64>().unwrap(),
            vec![7, 3]
        );
    }

    #[test]
    fn sampler_covers_each_item_once_per_epoch() {
        let mut sampler = BatchSampler::new(10, 1);
        let mut seen = sampler.next_batch(4);
        seen.extend(sampler.next_batch(6));
        seen.sort();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        assert_eq!(sampler.next_batch(25).len(), 25);
    }

    #[test]
    fn to_bytes_maps_range() {
        assert_eq!(to_bytes(&[-1.0, 0.0, 1.0, 7.0]), vec![0, 128, 255, 255]);
    }
}

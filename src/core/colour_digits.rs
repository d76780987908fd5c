//! Colour digits, the CycleGAN demo's RGB domain (MNIST ↔ colour digits): each MNIST digit's
//! strokes in a random colour over a random coloured or textured background (solid, stripes,
//! checks, a gradient or noise), made by the project from the digits it ships.
//!
//! The stroke and the background are kept apart in brightness (luma differing by at least
//! [`MIN_CONTRAST`]) so the digit stays readable; which one is the brighter is random.

use burn::prelude::*;
use rand::Rng as _;

use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE, MnistSet};
use crate::core::rng;

/// Least difference in luma (0–1) between a digit's stroke colour and its background's mean.
pub const MIN_CONTRAST: f32 = 0.35;

/// A background behind the strokes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Background {
    /// One colour.
    Solid([f32; 3]),
    /// Bands of two colours, `period` pixels wide, at `angle` radians.
    Stripes {
        /// The colours.
        colours: [[f32; 3]; 2],
        /// Width of a pair of bands.
        period: f32,
        /// Direction.
        angle: f32,
    },
    /// A checkerboard of `size`-pixel squares.
    Checks {
        /// The colours.
        colours: [[f32; 3]; 2],
        /// Side of a square.
        size: usize,
    },
    /// A linear blend from one colour to the other, across (`vertical`: down) the image.
    Gradient {
        /// The colours.
        colours: [[f32; 3]; 2],
        /// Top to bottom rather than left to right.
        vertical: bool,
    },
    /// One colour with per-pixel noise of ± `amount` (fixed per image by `seed`).
    Noise {
        /// The colour.
        colour: [f32; 3],
        /// Noise amplitude.
        amount: f32,
        /// Seed of the noise.
        seed: u64,
    },
}

/// How one colour digit is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColourStyle {
    /// The strokes' colour (RGB in 0–1).
    pub stroke: [f32; 3],
    /// What is behind them.
    pub background: Background,
}

fn luma(c: [f32; 3]) -> f32 {
    LUMA[0] * c[0] + LUMA[1] * c[1] + LUMA[2] * c[2]
}

/// A colour of random hue whose saturation and value lie in the ranges given (0–1).
fn colour(
    rng: &mut rng::Rng,
    saturation: std::ops::Range<f32>,
    value: std::ops::Range<f32>,
) -> [f32; 3] {
    let h = rng.random_range(0.0..6.0f32);
    let s = rng.random_range(saturation);
    let v = rng.random_range(value);
    let c = v * s;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    [r + m, g + m, b + m]
}

impl Background {
    /// Its colour at pixel `(x, y)`.
    pub fn at(&self, x: usize, y: usize) -> [f32; 3] {
        match *self {
            Background::Solid(c) => c,
            Background::Stripes {
                colours,
                period,
                angle,
            } => {
                let t = x as f32 * angle.cos() + y as f32 * angle.sin();
                colours[((t / (period / 2.0)).floor() as i64).rem_euclid(2) as usize]
            }
            Background::Checks { colours, size } => colours[(x / size + y / size) % 2],
            Background::Gradient { colours, vertical } => {
                let t = if vertical { y } else { x } as f32 / (IMAGE_SIDE - 1) as f32;
                [0, 1, 2].map(|c| colours[0][c] * (1.0 - t) + colours[1][c] * t)
            }
            Background::Noise {
                colour,
                amount,
                seed,
            } => {
                // A hash of the pixel and the seed: no state, the same value every time.
                let mut h =
                    seed ^ ((y * IMAGE_SIDE + x) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                h ^= h >> 31;
                h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
                h ^= h >> 27;
                let n = (h % 2001) as f32 / 1000.0 - 1.0;
                colour.map(|c| (c + n * amount).clamp(0.0, 1.0))
            }
        }
    }

    /// The mean luma over the image.
    pub fn mean_luma(&self) -> f32 {
        let mut sum = 0.0;
        for y in 0..IMAGE_SIDE {
            for x in 0..IMAGE_SIDE {
                sum += luma(self.at(x, y));
            }
        }
        sum / IMAGE_PIXELS as f32
    }
}

impl ColourStyle {
    /// A random style: a dark background under light strokes or the other way round, each
    /// kind of background equally likely, drawn again until the stroke stands out by
    /// [`MIN_CONTRAST`] (after 50 tries the stroke becomes white or black).
    pub fn random(rng: &mut rng::Rng) -> Self {
        let light_strokes = rng.random_bool(0.5);
        for _ in 0..50 {
            let style = Self::candidate(rng, light_strokes);
            if style.contrast() >= MIN_CONTRAST {
                return style;
            }
        }
        let mut style = Self::candidate(rng, light_strokes);
        style.stroke = if light_strokes { [1.0; 3] } else { [0.0; 3] };
        style
    }

    /// Luma difference between the stroke and the background's mean.
    pub fn contrast(&self) -> f32 {
        (luma(self.stroke) - self.background.mean_luma()).abs()
    }

    fn candidate(rng: &mut rng::Rng, light_strokes: bool) -> Self {
        // Light backgrounds are pale (saturation at most 0.5), so their luma stays above 0.4
        // whatever the hue and black strokes on them always stand out.
        let (stroke_v, back_s, back_v) = if light_strokes {
            (0.85..1.0, 0.3..1.0, 0.05..0.35)
        } else {
            (0.05..0.3, 0.1..0.5, 0.75..1.0)
        };
        let stroke = colour(rng, 0.3..1.0, stroke_v);
        let mut back = || colour(rng, back_s.clone(), back_v.clone());
        let (a, b) = (back(), back());
        let background = match rng.random_range(0..5) {
            0 => Background::Solid(a),
            1 => Background::Stripes {
                colours: [a, b],
                period: rng.random_range(4.0..10.0),
                angle: rng.random_range(0.0..std::f32::consts::PI),
            },
            2 => Background::Checks {
                colours: [a, b],
                size: rng.random_range(2..6),
            },
            3 => Background::Gradient {
                colours: [a, b],
                vertical: rng.random_bool(0.5),
            },
            _ => Background::Noise {
                colour: a,
                amount: rng.random_range(0.03..0.12),
                seed: rng.random(),
            },
        };
        Self { stroke, background }
    }

    /// A 28×28 MNIST digit's strokes (bytes, 0 = none) drawn in this style: RGB bytes, HWC.
    pub fn draw(&self, digit: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(IMAGE_PIXELS * 3);
        for (i, &ink) in digit.iter().enumerate().take(IMAGE_PIXELS) {
            let a = ink as f32 / 255.0;
            let back = self.background.at(i % IMAGE_SIDE, i / IMAGE_SIDE);
            for (b, s) in back.iter().zip(self.stroke) {
                let v = b * (1.0 - a) + s * a;
                out.push((v.clamp(0.0, 1.0) * 255.0).round() as u8);
            }
        }
        out
    }
}

/// A set of labelled 28×28 RGB digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColourSet {
    labels: Vec<u8>,
    pixels: Vec<u8>,
}

impl ColourSet {
    /// Every digit of `digits` drawn in a random style from `seed` (the same seed gives the
    /// same set).
    pub fn from_digits(digits: &MnistSet, seed: u64) -> Self {
        let mut rng = rng::seeded(seed);
        let mut pixels = Vec::with_capacity(digits.len() * IMAGE_PIXELS * 3);
        for i in 0..digits.len() {
            pixels.extend(ColourStyle::random(&mut rng).draw(digits.image(i)));
        }
        Self {
            labels: digits.labels().to_vec(),
            pixels,
        }
    }

    /// Digits held.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The labels.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Image `index`: 28×28×3 bytes, HWC.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_PIXELS * 3..(index + 1) * IMAGE_PIXELS * 3]
    }

    /// Splits into the first `at` digits and the rest (`None` past the end).
    pub fn split(&self, at: usize) -> Option<(Self, Self)> {
        if at > self.len() {
            return None;
        }
        let (la, lb) = self.labels.split_at(at);
        let (pa, pb) = self.pixels.split_at(at * IMAGE_PIXELS * 3);
        let part = |labels: &[u8], pixels: &[u8]| Self {
            labels: labels.to_vec(),
            pixels: pixels.to_vec(),
        };
        Some((part(la, pa), part(lb, pb)))
    }

    /// Images `[B, 3, 28, 28]` scaled to [-1, 1], for the given indices.
    pub fn batch(&self, indices: &[usize], device: &Device) -> Tensor<4> {
        let mut values = Vec::with_capacity(indices.len() * IMAGE_PIXELS * 3);
        for &i in indices {
            values.extend(self.image(i).iter().map(|&p| p as f32 / 127.5 - 1.0));
        }
        let n = indices.len();
        Tensor::<1>::from_data(TensorData::new(values, [n * IMAGE_PIXELS * 3]), device)
            .reshape([n, IMAGE_SIDE, IMAGE_SIDE, 3])
            .permute([0, 3, 1, 2])
    }
}

/// Width of the frame around a 28×28 digit taken as its background by [`strokes`]: MNIST
/// fits each digit into 20×20 and centres its centre of mass, so strokes seldom reach the
/// outer 3 pixels (a stroke pixel there only shifts the background's estimate a little).
const FRAME: usize = 3;

/// Least luma distance (on the [-1, 1] scale) scaled to full white by [`strokes`]: an image
/// with no stroke standing out by more (a tenth of the luma range) stays dark rather than
/// having its noise blown up into strokes.
const MIN_PEAK: f32 = 0.2;

/// Weights of R, G and B in luma (ITU-R BT.601).
pub const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

/// What a digit classifier trained on MNIST can read in colour digits `[B, 3, 28, 28]` (in
/// [-1, 1]): `[B, 1, 28, 28]` white strokes on black, whatever the colours and whichever is
/// the brighter. Each pixel's luma is compared with the mean luma of the image's outer frame
/// (the background), and the differences are scaled so the largest is full white (or by
/// [`MIN_PEAK`] when none is as large).
pub fn strokes(images: Tensor<4>) -> Tensor<4> {
    let device = images.device();
    let [batch, ..] = images.dims();
    let weights = Tensor::<1>::from_floats(LUMA, &device).reshape([1, 3, 1, 1]);
    let luma = (images * weights).sum_dim(1); // [B, 1, 28, 28]
    let frame: Vec<f32> = (0..IMAGE_PIXELS)
        .map(|p| {
            let (x, y) = (p % IMAGE_SIDE, p / IMAGE_SIDE);
            let inside = (FRAME..IMAGE_SIDE - FRAME).contains(&x)
                && (FRAME..IMAGE_SIDE - FRAME).contains(&y);
            if inside { 0.0 } else { 1.0 }
        })
        .collect();
    let frame_pixels = frame.iter().sum::<f32>();
    let frame =
        Tensor::<1>::from_floats(frame.as_slice(), &device).reshape([1, 1, IMAGE_SIDE, IMAGE_SIDE]);
    let background = (luma.clone() * frame)
        .reshape([batch, IMAGE_PIXELS])
        .sum_dim(1)
        .div_scalar(frame_pixels)
        .reshape([batch, 1, 1, 1]);
    let distance = (luma - background).abs();
    let peak = distance
        .clone()
        .reshape([batch, IMAGE_PIXELS])
        .max_dim(1)
        .clamp_min(MIN_PEAK)
        .reshape([batch, 1, 1, 1]);
    (distance / peak).mul_scalar(2.0).sub_scalar(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits() -> MnistSet {
        let bytes = std::fs::read("www/data/mnist.bin").unwrap();
        let all = MnistSet::decode(&bytes).unwrap();
        all.split(200).unwrap().0
    }

    #[test]
    fn the_same_seed_gives_the_same_set_of_the_stated_shape() {
        let d = digits();
        let a = ColourSet::from_digits(&d, 4);
        assert_eq!(a, ColourSet::from_digits(&d, 4));
        assert_ne!(a, ColourSet::from_digits(&d, 5));
        assert_eq!(a.len(), 200);
        assert_eq!(a.labels(), d.labels());
        assert_eq!(a.image(199).len(), IMAGE_PIXELS * 3);
    }

    #[test]
    fn strokes_take_their_colour_and_stand_out_from_the_background() {
        let d = digits();
        let mut rng = rng::seeded(9);
        let mut kinds = std::collections::HashSet::new();
        for i in 0..200 {
            let style = ColourStyle::random(&mut rng);
            kinds.insert(std::mem::discriminant(&style.background));
            assert!(style.contrast() >= MIN_CONTRAST, "{style:?}");
            let image = style.draw(d.image(i));
            for (p, &ink) in d.image(i).iter().enumerate() {
                let rgb = &image[p * 3..p * 3 + 3];
                if ink == 255 {
                    let want = style.stroke.map(|c| (c * 255.0).round() as u8);
                    assert_eq!(rgb, want, "a full stroke pixel is the stroke's colour");
                }
                if ink == 0 {
                    let want = style
                        .background
                        .at(p % IMAGE_SIDE, p / IMAGE_SIDE)
                        .map(|c| (c * 255.0).round() as u8);
                    assert_eq!(rgb, want, "an empty pixel is the background's");
                }
            }
        }
        assert_eq!(kinds.len(), 5, "every kind of background appears");
    }

    #[test]
    fn backgrounds_are_what_they_say() {
        let (a, b) = ([0.1, 0.2, 0.3], [0.9, 0.8, 0.7]);
        let checks = Background::Checks {
            colours: [a, b],
            size: 4,
        };
        assert_eq!(
            (checks.at(0, 0), checks.at(4, 0), checks.at(4, 4)),
            (a, b, a)
        );
        let gradient = Background::Gradient {
            colours: [a, b],
            vertical: true,
        };
        assert_eq!((gradient.at(5, 0), gradient.at(5, 27)), (a, b));
        let stripes = Background::Stripes {
            colours: [a, b],
            period: 8.0,
            angle: 0.0,
        };
        assert_eq!(
            (stripes.at(0, 9), stripes.at(4, 9), stripes.at(8, 0)),
            (a, b, a)
        );
        let noise = Background::Noise {
            colour: [0.5; 3],
            amount: 0.1,
            seed: 3,
        };
        assert_eq!(noise.at(3, 4), noise.at(3, 4));
        assert!(noise.at(3, 4).iter().all(|v| (0.4..=0.6).contains(v)));
    }

    /// Share of `images` that the content classifier reads as `labels`.
    fn accuracy(images: Tensor<4>, labels: Tensor<1, Int>) -> f32 {
        let classifier = crate::core::checkpoint::load_classifier(
            &std::fs::read("www/weights/content-classifier.bpk").unwrap(),
            &images.device(),
        )
        .unwrap();
        let n = labels.dims()[0] as f32;
        let right = classifier
            .forward(images)
            .argmax(1)
            .reshape([-1])
            .equal(labels);
        right.int().sum().into_scalar::<i64>() as f32 / n
    }

    #[test]
    fn the_classifier_reads_colour_digits_through_their_strokes_as_well_as_the_grey_ones() {
        // The 2,000 digits the content classifier never trained on.
        let device = Device::default();
        let bytes = std::fs::read("www/data/mnist.bin").unwrap();
        let held = MnistSet::decode(&bytes).unwrap().split(8000).unwrap().1;
        let all: Vec<usize> = (0..held.len()).collect();
        let (grey, labels) = held.batch(&all, &device);
        let colour = ColourSet::from_digits(&held, 11).batch(&all, &device);
        assert_eq!(colour.dims(), [2000, 3, 28, 28]);
        let read = strokes(colour.clone());
        assert_eq!(read.dims(), [2000, 1, 28, 28]);
        let (on_grey, on_colour) = (
            accuracy(grey, labels.clone()),
            accuracy(read, labels.clone()),
        );
        // Measured: 97.55% on both. Luma alone (half the digits dark on light) reads 67.5%.
        let weights = Tensor::<1>::from_floats(LUMA, &device).reshape([1, 3, 1, 1]);
        let luma = accuracy((colour * weights).sum_dim(1), labels);
        assert!(on_colour >= on_grey - 0.01, "{on_colour} against {on_grey}");
        assert!(luma < 0.8, "{luma}");
    }
}

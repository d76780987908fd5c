//! Image domains the project makes for translation demos (no data is downloaded).
//!
//! **Typeset digits**: 28×28 digits rendered from the DejaVu faces in `www/data/fonts/`
//! (subsets holding only the glyphs 0–9; Bitstream Vera licence, `LICENSE-DejaVu.txt`), white on
//! black like MNIST, each with its own random face, size, slant, stroke weight and offset, so
//! the domain has variety: the handwritten ↔ typeset pair of the CycleGAN demo.
//!
//! A glyph is rasterised once per face and digit at 4× the output resolution (by `ab_glyph`),
//! then each output pixel averages 4×4 samples of it through the digit's own affine map (scale,
//! slant, offset), and the stroke weight blends in a 3×3 dilation.

use ab_glyph::{Font, FontVec, PxScale, point};
use rand::Rng as _;

use crate::core::data::{DataError, IMAGE_PIXELS, IMAGE_SIDE, MnistSet, NUM_CLASSES};
use crate::core::rng;

/// The shipped digit faces, in `www/data/fonts/`, in the order that seeds refer to.
pub const FONT_FILES: [&str; 10] = [
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-ExtraLight.ttf",
    "DejaVuSans.ttf",
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerifCondensed.ttf",
];

/// Supersampling of the glyph raster and of each output pixel.
const OVERSAMPLE: usize = 4;
/// Height of a rasterised glyph (pixels of the 4× raster) before the digit's own scale.
const RASTER_HEIGHT: f32 = 80.0;

/// Why a font could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    /// The bytes are not a font ab_glyph reads.
    #[error("font {index} is not a TrueType/OpenType font")]
    BadFont {
        /// Its position in the list given.
        index: usize,
    },
    /// The font has no outline for a digit.
    #[error("font {index} has no glyph for the digit {digit}")]
    MissingDigit {
        /// Its position in the list given.
        index: usize,
        /// The digit.
        digit: u8,
    },
    /// No fonts were given.
    #[error("no fonts to render typeset digits with")]
    NoFonts,
    /// The digits did not make a data set.
    #[error(transparent)]
    Data(#[from] DataError),
}

/// How one typeset digit is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TypesetStyle {
    /// Which face (index into the rasterised faces).
    pub face: usize,
    /// Height of the digit in output pixels (MNIST's digits are about 20).
    pub height: f32,
    /// Horizontal shear: x moves by `slant × (distance above the centre)`.
    pub slant: f32,
    /// Stroke weight: 0 as the face draws it, up to 1 for a full 3×3 dilation.
    pub weight: f32,
    /// Offset of the digit's centre from the image's, in pixels.
    pub offset: (f32, f32),
}

impl TypesetStyle {
    /// A random style for one of `faces` faces.
    pub fn random(rng: &mut rng::Rng, faces: usize) -> Self {
        Self {
            face: rng.random_range(0..faces.max(1)),
            height: rng.random_range(15.0..21.0),
            slant: rng.random_range(-0.3..0.3),
            weight: rng.random_range(0.0..1.0),
            offset: (rng.random_range(-1.5..1.5), rng.random_range(-1.5..1.5)),
        }
    }
}

/// One glyph's coverage raster (0–1), row-major.
#[derive(Clone, Debug)]
struct Raster {
    width: usize,
    height: usize,
    coverage: Vec<f32>,
}

impl Raster {
    fn at(&self, x: f32, y: f32) -> f32 {
        if x < 0.0 || y < 0.0 {
            return 0.0;
        }
        let (x, y) = (x as usize, y as usize);
        if x >= self.width || y >= self.height {
            return 0.0;
        }
        self.coverage[y * self.width + x]
    }
}

/// The digits 0–9 of several faces, rasterised once, ready to be drawn in any style.
#[derive(Clone, Debug)]
pub struct Typefaces {
    /// `glyphs[face][digit]`.
    glyphs: Vec<[Raster; NUM_CLASSES]>,
}

impl Typefaces {
    /// Reads fonts (TrueType/OpenType bytes) and rasterises their digits.
    pub fn new(fonts: &[Vec<u8>]) -> Result<Self, DomainError> {
        if fonts.is_empty() {
            return Err(DomainError::NoFonts);
        }
        let glyphs = fonts
            .iter()
            .enumerate()
            .map(|(index, bytes)| {
                let font = FontVec::try_from_vec(bytes.clone())
                    .map_err(|_| DomainError::BadFont { index })?;
                let mut rasters = Vec::with_capacity(NUM_CLASSES);
                for digit in 0..NUM_CLASSES as u8 {
                    rasters.push(
                        rasterise(&font, digit)
                            .ok_or(DomainError::MissingDigit { index, digit })?,
                    );
                }
                rasters
                    .try_into()
                    .map_err(|_| DomainError::MissingDigit { index, digit: 0 })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { glyphs })
    }

    /// Faces available.
    pub fn faces(&self) -> usize {
        self.glyphs.len()
    }

    /// Draws `digit` (0–9) in `style` as 28×28 bytes, white on black.
    pub fn draw(&self, digit: u8, style: &TypesetStyle) -> Vec<u8> {
        let face = &self.glyphs[style.face.min(self.glyphs.len() - 1)];
        let glyph = &face[digit as usize % NUM_CLASSES];
        // Output pixel (u, v) → raster point: centre, unslant, scale.
        let scale = glyph.height as f32 / style.height.max(1.0);
        let centre = IMAGE_SIDE as f32 / 2.0;
        let (cx, cy) = (centre + style.offset.0, centre + style.offset.1);
        let (gx, gy) = (glyph.width as f32 / 2.0, glyph.height as f32 / 2.0);
        let sub = 1.0 / OVERSAMPLE as f32;
        let mut image = vec![0f32; IMAGE_PIXELS];
        for v in 0..IMAGE_SIDE {
            for u in 0..IMAGE_SIDE {
                let mut sum = 0.0;
                for sy in 0..OVERSAMPLE {
                    for sx in 0..OVERSAMPLE {
                        let x = u as f32 + (sx as f32 + 0.5) * sub - cx;
                        let y = v as f32 + (sy as f32 + 0.5) * sub - cy;
                        // Slant leans the top right for positive values (y grows downwards).
                        let x = x + style.slant * y;
                        sum += glyph.at(gx + x * scale, gy + y * scale);
                    }
                }
                image[v * IMAGE_SIDE + u] = sum * sub * sub;
            }
        }
        let weight = style.weight.clamp(0.0, 1.0);
        let dilated = dilate(&image);
        image
            .iter()
            .zip(&dilated)
            .map(|(&a, &d)| {
                (((1.0 - weight) * a + weight * d).clamp(0.0, 1.0) * 255.0).round() as u8
            })
            .collect()
    }

    /// `count` typeset digits with random digits and styles from `seed` (the same seed gives
    /// the same set).
    pub fn digits(&self, count: usize, seed: u64) -> Result<MnistSet, DomainError> {
        let mut rng = rng::seeded(seed);
        let mut labels = Vec::with_capacity(count);
        let mut pixels = Vec::with_capacity(count * IMAGE_PIXELS);
        for _ in 0..count {
            let digit = rng.random_range(0..NUM_CLASSES as u8);
            let style = TypesetStyle::random(&mut rng, self.faces());
            labels.push(digit);
            pixels.extend(self.draw(digit, &style));
        }
        Ok(MnistSet::from_parts(labels, pixels)?)
    }
}

/// The digit's coverage at 4× resolution, cropped to its outline's pixel bounds.
fn rasterise(font: &FontVec, digit: u8) -> Option<Raster> {
    let id = font.glyph_id(char::from(b'0' + digit));
    if id.0 == 0 {
        return None;
    }
    // Scale so that the digit's outline is RASTER_HEIGHT tall.
    let unscaled = font.outline(id)?.bounds;
    // Outline bounds are in font units with y up (min.y is the top), so take the magnitude.
    let units_tall = (unscaled.max.y - unscaled.min.y).abs().max(1.0);
    let scale = PxScale::from(RASTER_HEIGHT * font.height_unscaled() / units_tall);
    let glyph = id.with_scale_and_position(scale, point(0.0, 0.0));
    let outlined = font.outline_glyph(glyph)?;
    let bounds = outlined.px_bounds();
    let (width, height) = (bounds.width() as usize, bounds.height() as usize);
    if width == 0 || height == 0 {
        return None;
    }
    let mut coverage = vec![0f32; width * height];
    outlined.draw(|x, y, c| {
        let (x, y) = (x as usize, y as usize);
        if x < width && y < height {
            coverage[y * width + x] = c;
        }
    });
    Some(Raster {
        width,
        height,
        coverage,
    })
}

/// 3×3 grey-level dilation (the maximum over each pixel's neighbourhood).
fn dilate(image: &[f32]) -> Vec<f32> {
    let side = IMAGE_SIDE as isize;
    (0..IMAGE_PIXELS)
        .map(|i| {
            let (x, y) = ((i % IMAGE_SIDE) as isize, (i / IMAGE_SIDE) as isize);
            let mut best = 0f32;
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (nx, ny) = (x + dx, y + dy);
                    if (0..side).contains(&nx) && (0..side).contains(&ny) {
                        best = best.max(image[(ny * side + nx) as usize]);
                    }
                }
            }
            best
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Vec<Vec<u8>> {
        vec![
            include_bytes!("../../www/data/fonts/DejaVuSans.ttf").to_vec(),
            include_bytes!("../../www/data/fonts/DejaVuSerif-Bold.ttf").to_vec(),
            include_bytes!("../../www/data/fonts/DejaVuSansMono.ttf").to_vec(),
        ]
    }

    #[test]
    fn typeset_digits_repeat_per_seed_and_look_like_mnist() {
        let faces = Typefaces::new(&fonts()).unwrap();
        assert_eq!(faces.faces(), 3);
        let a = faces.digits(200, 7).unwrap();
        let b = faces.digits(200, 7).unwrap();
        let c = faces.digits(200, 8).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 200);
        let counts = a.class_counts();
        assert!(counts.iter().all(|&n| n >= 8), "{counts:?}");
        for i in 0..a.len() {
            let image = a.image(i);
            assert_eq!(image.len(), IMAGE_PIXELS);
            let ink = image.iter().filter(|&&p| p > 127).count();
            // MNIST digits ink about 10–25% of their pixels.
            assert!((30..400).contains(&ink), "digit {i}: {ink} inked pixels");
            assert!(
                image.iter().any(|&p| p > 230),
                "digit {i} has no solid stroke"
            );
            // The frame stays nearly empty, as MNIST's 4-pixel margin does.
            let frame: u32 = (0..IMAGE_SIDE)
                .flat_map(|k| [k, IMAGE_PIXELS - 1 - k, k * IMAGE_SIDE, k * IMAGE_SIDE + 27])
                .map(|p| image[p] as u32)
                .sum();
            assert!(frame < 255 * 6, "digit {i} touches the border");
        }
    }

    #[test]
    fn style_moves_the_digit_and_weight_thickens_it() {
        let faces = Typefaces::new(&fonts()).unwrap();
        let base = TypesetStyle {
            face: 0,
            height: 20.0,
            slant: 0.0,
            weight: 0.0,
            offset: (0.0, 0.0),
        };
        let ink = |img: &[u8]| img.iter().map(|&p| p as u32).sum::<u32>();
        let centre_x = |img: &[u8]| {
            let total = ink(img) as f32;
            img.iter()
                .enumerate()
                .map(|(i, &p)| (i % IMAGE_SIDE) as f32 * p as f32)
                .sum::<f32>()
                / total
        };
        let one = faces.draw(1, &base);
        let heavy = faces.draw(
            1,
            &TypesetStyle {
                weight: 1.0,
                ..base
            },
        );
        assert!(ink(&heavy) > ink(&one) * 3 / 2);
        let right = faces.draw(
            1,
            &TypesetStyle {
                offset: (2.0, 0.0),
                ..base
            },
        );
        assert!((centre_x(&right) - centre_x(&one) - 2.0).abs() < 0.3);
        assert_ne!(
            faces.draw(7, &base),
            faces.draw(7, &TypesetStyle { slant: 0.3, ..base })
        );
    }

    #[test]
    fn bad_fonts_are_refused() {
        assert_eq!(Typefaces::new(&[]).err(), Some(DomainError::NoFonts));
        let e = Typefaces::new(&[fonts()[0].clone(), vec![1, 2, 3]]).err();
        assert_eq!(e, Some(DomainError::BadFont { index: 1 }));
    }
}

//! A drawing or an uploaded picture made into an MNIST-style digit: white on black, the ink's
//! bounding box scaled to fit 20×20 (keeping its aspect), then placed in the 28×28 frame with
//! its centre of mass at the centre, as LeCun et al. prepared MNIST.
//!
//! Resampling averages the source pixels each output pixel covers (a box filter), written here
//! (a dozen lines) rather than pulling an image crate into the page's wasm.

use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE};

/// Smallest side accepted, in pixels.
pub const MIN_SIDE: usize = 8;
/// Largest side accepted, in pixels.
pub const MAX_SIDE: usize = 4096;
/// Side of the box the ink is scaled into.
const INK_BOX: f32 = 20.0;

/// Why an image cannot be made into a digit.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DigitInputError {
    /// Smaller than [`MIN_SIDE`] on a side.
    #[error(
        "the image is {width}×{height} pixels; it needs at least {MIN_SIDE}×{MIN_SIDE} to hold a digit"
    )]
    TooSmall {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// Larger than [`MAX_SIDE`] on a side.
    #[error(
        "the image is {width}×{height} pixels; at most {MAX_SIDE}×{MAX_SIDE} is accepted (crop or shrink it first)"
    )]
    TooLarge {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// The pixel buffer does not match the size given.
    #[error("{found} grey values for a {width}×{height} image")]
    Size {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
        /// Values given.
        found: usize,
    },
    /// Nothing stands out from the background.
    #[error("the image is blank: no strokes stand out from the background")]
    Blank,
}

/// Checks that a `width × height` image can hold a digit.
pub fn check_size(width: usize, height: usize) -> Result<(), DigitInputError> {
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(DigitInputError::TooSmall { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(DigitInputError::TooLarge { width, height });
    }
    Ok(())
}

/// Grey values (0 = black) of an RGBA image, by luma. Transparent parts become the background:
/// white behind dark strokes, black behind light ones (judged by the opaque pixels' mean).
pub fn rgba_to_grey(rgba: &[u8]) -> Vec<u8> {
    let luma = |p: &[u8]| 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32;
    let (sum, weight) = rgba.chunks_exact(4).fold((0.0f32, 0.0f32), |(s, w), p| {
        let a = p[3] as f32 / 255.0;
        (s + luma(p) * a, w + a)
    });
    let behind = if weight > 0.0 && sum / weight < 128.0 {
        255.0
    } else {
        0.0
    };
    rgba.chunks_exact(4)
        .map(|p| {
            let a = p[3] as f32 / 255.0;
            (luma(p) * a + behind * (1.0 - a)).round() as u8
        })
        .collect()
}

/// A `width × height` grey image (0 = black) as a 28×28 MNIST-style digit. Dark ink on a light
/// background (a photo of paper) is inverted first, judged by the border's mean.
pub fn fit_digit(grey: &[u8], width: usize, height: usize) -> Result<Vec<u8>, DigitInputError> {
    check_size(width, height)?;
    if grey.len() != width * height {
        return Err(DigitInputError::Size {
            width,
            height,
            found: grey.len(),
        });
    }
    let border: Vec<f32> = (0..width)
        .flat_map(|x| [grey[x], grey[(height - 1) * width + x]])
        .chain((0..height).flat_map(|y| [grey[y * width], grey[y * width + width - 1]]))
        .map(|v| v as f32)
        .collect();
    let background = border.iter().sum::<f32>() / border.len() as f32;
    // Ink is what differs from the border: darker than it (ink on paper) or lighter.
    let mean = grey.iter().map(|&v| v as f32).sum::<f32>() / grey.len() as f32;
    let invert = background > mean;
    let ink: Vec<f32> = grey
        .iter()
        .map(|&v| {
            let v = if invert { 255.0 - v as f32 } else { v as f32 };
            // Whatever the background's level, it becomes black.
            let floor = if invert {
                255.0 - background
            } else {
                background
            };
            ((v - floor) / (255.0 - floor).max(1.0)).clamp(0.0, 1.0)
        })
        .collect();
    let peak = ink.iter().copied().fold(0.0f32, f32::max);
    if peak < 0.2 {
        return Err(DigitInputError::Blank);
    }
    // The ink's bounding box (pixels above a tenth of the brightest).
    let on = |x: usize, y: usize| ink[y * width + x] > 0.1 * peak;
    let (mut x0, mut y0, mut x1, mut y1) = (width, height, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if on(x, y) {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    let (bw, bh) = ((x1 + 1 - x0) as f32, (y1 + 1 - y0) as f32);
    let scale = INK_BOX / bw.max(bh);
    let (ow, oh) = (
        (bw * scale).round().max(1.0) as usize,
        (bh * scale).round().max(1.0) as usize,
    );
    // Source pixels per output pixel on each axis (the rounding makes them differ a little).
    let (step_x, step_y) = (bw / ow as f32, bh / oh as f32);
    // Box-filter the bounding box down (or up) to ow × oh.
    let mut small = vec![0f32; ow * oh];
    for oy in 0..oh {
        for ox in 0..ow {
            let (sx0, sx1) = (
                x0 as f32 + ox as f32 * step_x,
                x0 as f32 + (ox + 1) as f32 * step_x,
            );
            let (sy0, sy1) = (
                y0 as f32 + oy as f32 * step_y,
                y0 as f32 + (oy + 1) as f32 * step_y,
            );
            let (mut sum, mut area) = (0.0, 0.0);
            let mut sy = sy0.floor() as usize;
            while (sy as f32) < sy1 && sy < height {
                let wy = (sy1.min(sy as f32 + 1.0) - sy0.max(sy as f32)).max(0.0);
                let mut sx = sx0.floor() as usize;
                while (sx as f32) < sx1 && sx < width {
                    let wx = (sx1.min(sx as f32 + 1.0) - sx0.max(sx as f32)).max(0.0);
                    sum += ink[sy * width + sx] * wx * wy;
                    area += wx * wy;
                    sx += 1;
                }
                sy += 1;
            }
            small[oy * ow + ox] = if area > 0.0 { sum / area } else { 0.0 };
        }
    }
    // Centre of mass at the frame's centre (kept inside the frame).
    let mass: f32 = small.iter().sum::<f32>().max(1e-6);
    let cx = small
        .iter()
        .enumerate()
        .map(|(i, v)| (i % ow) as f32 * v)
        .sum::<f32>()
        / mass;
    let cy = small
        .iter()
        .enumerate()
        .map(|(i, v)| (i / ow) as f32 * v)
        .sum::<f32>()
        / mass;
    let centre = (IMAGE_SIDE as f32 - 1.0) / 2.0;
    let place = |c: f32, size: usize| {
        ((centre - c).round() as i64).clamp(0, (IMAGE_SIDE - size) as i64) as usize
    };
    let (left, top) = (place(cx, ow), place(cy, oh));
    let brightest = small.iter().copied().fold(0.0f32, f32::max).max(1e-6);
    let mut out = vec![0u8; IMAGE_PIXELS];
    for y in 0..oh {
        for x in 0..ow {
            let v = small[y * ow + x] / brightest;
            out[(top + y) * IMAGE_SIDE + left + x] = (v * 255.0).round() as u8;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w × h` image with a filled rectangle of `ink` on `paper`.
    fn rect(w: usize, h: usize, r: (usize, usize, usize, usize), ink: u8, paper: u8) -> Vec<u8> {
        (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                if (r.0..r.2).contains(&x) && (r.1..r.3).contains(&y) {
                    ink
                } else {
                    paper
                }
            })
            .collect()
    }

    fn bbox(d: &[u8]) -> (usize, usize, usize, usize) {
        let on: Vec<usize> = (0..IMAGE_PIXELS).filter(|&i| d[i] > 25).collect();
        let xs = on.iter().map(|i| i % 28);
        let ys = on.iter().map(|i| i / 28);
        (
            xs.clone().min().unwrap(),
            ys.clone().min().unwrap(),
            xs.max().unwrap(),
            ys.max().unwrap(),
        )
    }

    #[test]
    fn a_stroke_anywhere_is_scaled_to_20_pixels_and_centred() {
        // A tall bar in a corner of a 280×280 drawing: 40 wide, 200 tall.
        let d = fit_digit(&rect(280, 280, (10, 20, 50, 220), 255, 0), 280, 280).unwrap();
        let (x0, y0, x1, y1) = bbox(&d);
        assert_eq!(y1 + 1 - y0, 20, "{:?}", (x0, y0, x1, y1));
        assert_eq!(x1 + 1 - x0, 4);
        // Centred: 4..24 vertically, 12..16 horizontally.
        assert_eq!((x0, y0), (12, 4));
        assert_eq!(d.iter().copied().max(), Some(255));
    }

    #[test]
    fn dark_ink_on_paper_is_inverted() {
        let photo = rect(100, 60, (40, 5, 60, 55), 30, 220);
        let d = fit_digit(&photo, 100, 60).unwrap();
        let (x0, y0, x1, y1) = bbox(&d);
        assert_eq!((y1 + 1 - y0, x1 + 1 - x0), (20, 8));
        // The paper is black.
        assert_eq!(d[0], 0);
    }

    #[test]
    fn wrong_sizes_and_blank_images_are_refused_with_their_reason() {
        assert_eq!(
            fit_digit(&[0; 20], 5, 4),
            Err(DigitInputError::TooSmall {
                width: 5,
                height: 4
            })
        );
        assert!(matches!(
            fit_digit(&[], 5000, 10),
            Err(DigitInputError::TooLarge { .. })
        ));
        assert!(matches!(
            fit_digit(&[0; 10], 28, 28),
            Err(DigitInputError::Size { found: 10, .. })
        ));
        assert_eq!(fit_digit(&[0; 784], 28, 28), Err(DigitInputError::Blank));
        assert_eq!(fit_digit(&[200; 784], 28, 28), Err(DigitInputError::Blank));
        let message = DigitInputError::TooSmall {
            width: 5,
            height: 4,
        }
        .to_string();
        assert!(
            message.contains("5×4") && message.contains("8×8"),
            "{message}"
        );
    }

    #[test]
    fn rgba_is_read_by_luma_and_transparency_is_background() {
        // Light strokes: transparency is black.
        assert_eq!(
            rgba_to_grey(&[255, 255, 255, 255, 255, 0, 0, 255, 255, 255, 255, 0]),
            vec![255, 76, 0]
        );
        // Black ink on a transparent background (a common PNG): transparency is white, and the
        // digit comes out white on black.
        let mut png = vec![0u8; 40 * 40 * 4];
        for y in 5..35 {
            for x in 18..22 {
                png[(y * 40 + x) * 4 + 3] = 255;
            }
        }
        let grey = rgba_to_grey(&png);
        assert_eq!((grey[0], grey[10 * 40 + 20]), (255, 0));
        let (x0, y0, x1, y1) = bbox(&fit_digit(&grey, 40, 40).unwrap());
        assert_eq!(y1 + 1 - y0, 20, "{:?}", (x0, y0, x1, y1));
    }

    #[test]
    fn dim_paper_and_hairline_strokes_are_read() {
        // Grey paper (110) with darker ink (30): still ink on paper.
        let d = fit_digit(&rect(60, 60, (25, 5, 35, 55), 30, 110), 60, 60).unwrap();
        assert_eq!(d[0], 0);
        let (_, y0, _, y1) = bbox(&d);
        assert_eq!(y1 + 1 - y0, 20);
        // A one-pixel stroke 300 tall keeps its ink inside its own column.
        let d = fit_digit(&rect(100, 320, (50, 10, 51, 310), 255, 0), 100, 320).unwrap();
        let (x0, _, x1, _) = bbox(&d);
        assert_eq!(x1, x0, "one column wide");
    }
}

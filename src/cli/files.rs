//! `.npy` samples and labels, and PNG sample grids.

use std::fs;
use std::path::Path;

use crate::engine::gallery::npy_bytes;
use anyhow::{Context, Result, bail};

use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE};

pub(crate) fn read_samples(path: &Path) -> Result<Vec<f32>> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let npy = npyz::NpyFile::new(&bytes[..])
        .with_context(|| format!("{} is not a .npy file", path.display()))?;
    let shape = npy.shape().to_vec();
    let per_image: u64 = shape.iter().skip(1).product();
    if shape.is_empty() || per_image != IMAGE_PIXELS as u64 {
        bail!(
            "{}: expected N×28×28 (or N×784) samples, got shape {shape:?}",
            path.display()
        );
    }
    let values: Vec<f32> = npy
        .into_vec::<f32>()
        .with_context(|| format!("{}: expected float32 values", path.display()))?;
    if values
        .iter()
        .any(|v| !v.is_finite() || *v < -0.01 || *v > 1.01)
    {
        bail!("{}: values must be in [0, 1]", path.display());
    }
    Ok(values)
}

pub(crate) fn read_labels(path: &Path) -> Result<Vec<u8>> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let npy = npyz::NpyFile::new(&bytes[..])
        .with_context(|| format!("{} is not a .npy file", path.display()))?;
    let labels: Vec<u8> = npy
        .into_vec::<u8>()
        .with_context(|| format!("{}: expected uint8 labels", path.display()))?;
    if labels.iter().any(|&l| l > 9) {
        bail!("{}: labels must be digits 0–9", path.display());
    }
    Ok(labels)
}

pub(crate) fn write_labels(path: &Path, labels: &[u8]) -> Result<()> {
    fs::write(path, npy_bytes(labels, &[labels.len()])?)
        .with_context(|| format!("writing {}", path.display()))
}

pub(crate) fn write_npy(path: &Path, values: &[f32], n: usize) -> Result<()> {
    fs::write(path, npy_bytes(values, &[n, IMAGE_SIDE, IMAGE_SIDE])?)
        .with_context(|| format!("writing {}", path.display()))
}

pub(crate) fn write_grid(path: &Path, unit: &[f32], n: usize, cols: usize) -> Result<()> {
    let rows = n.div_ceil(cols);
    let mut img = image::GrayImage::new((cols * IMAGE_SIDE) as u32, (rows * IMAGE_SIDE) as u32);
    for i in 0..n {
        let (gx, gy) = ((i % cols) * IMAGE_SIDE, (i / cols) * IMAGE_SIDE);
        for p in 0..IMAGE_PIXELS {
            let v = (unit[i * IMAGE_PIXELS + p].clamp(0.0, 1.0) * 255.0).round() as u8;
            img.put_pixel(
                (gx + p % IMAGE_SIDE) as u32,
                (gy + p / IMAGE_SIDE) as u32,
                image::Luma([v]),
            );
        }
    }
    img.save(path)
        .with_context(|| format!("writing {}", path.display()))
}

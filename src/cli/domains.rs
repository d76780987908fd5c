//! `domains`: renders the typeset-digit domain (the CycleGAN demo's second domain), saves a grid
//! of it and reports how well the playground's MNIST classifier reads it.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::prelude::*;

use crate::core::data::NUM_CLASSES;
use crate::core::domains::Typefaces;
use crate::core::metrics::accuracy;

use super::common::{load_classifier, read_back};
use super::files::write_grid;

/// The font files of a folder (`.ttf`, `.otf`), sorted by name, with their names.
pub(crate) fn read_fonts(dir: &Path) -> Result<(Vec<String>, Vec<Vec<u8>>)> {
    let mut paths: Vec<_> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("ttf") || x.eq_ignore_ascii_case("otf"))
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        bail!("no .ttf or .otf fonts in {}", dir.display());
    }
    let names = paths
        .iter()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let bytes = paths
        .iter()
        .map(|p| fs::read(p).with_context(|| format!("reading {}", p.display())))
        .collect::<Result<_>>()?;
    Ok((names, bytes))
}

pub(crate) fn domains(
    fonts: &Path,
    count: usize,
    seed: u64,
    grid: Option<&Path>,
    classifier: &Path,
) -> Result<()> {
    let (names, bytes) = read_fonts(fonts)?;
    let faces = Typefaces::new(&bytes).with_context(|| format!("fonts in {}", fonts.display()))?;
    println!("{} faces: {}", faces.faces(), names.join(", "));
    let set = faces.digits(count, seed)?;
    if let Some(grid) = grid {
        let n = count.min(80);
        let unit: Vec<f32> = (0..n)
            .flat_map(|i| set.image(i).iter().map(|&p| p as f32 / 255.0))
            .collect();
        write_grid(grid, &unit, n, 10)?;
        println!("wrote {}", grid.display());
    }
    let device = Device::flex();
    let model = load_classifier(classifier, &device)?;
    let mut scores = Vec::with_capacity(count * NUM_CLASSES);
    let indices: Vec<usize> = (0..set.len()).collect();
    for chunk in indices.chunks(500) {
        let (images, _) = set.batch(chunk, &device);
        scores.extend(read_back(model.forward(images))?);
    }
    println!(
        "the MNIST classifier reads {:.1}% of {} typeset digits (seed {seed}) as their digit",
        accuracy(&scores, set.labels()) * 100.0,
        set.len()
    );
    let (mut right, mut total) = ([0usize; NUM_CLASSES], [0usize; NUM_CLASSES]);
    for (row, &label) in scores.chunks_exact(NUM_CLASSES).zip(set.labels()) {
        let best = row
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i);
        total[label as usize] += 1;
        right[label as usize] += usize::from(best == label as usize);
    }
    let per_digit: Vec<String> = (0..NUM_CLASSES)
        .map(|d| {
            format!(
                "{d}: {:.0}%",
                100.0 * right[d] as f64 / total[d].max(1) as f64
            )
        })
        .collect();
    println!("per digit: {}", per_digit.join(", "));
    Ok(())
}

/// Writes 80 colour digits (drawn from the first 80 digits of `data` with `seed`) as a 10-wide
/// PNG grid.
pub(crate) fn colour_grid(data: &Path, seed: u64, path: &Path) -> Result<()> {
    use crate::core::colour_digits::ColourSet;
    use crate::core::data::IMAGE_SIDE;
    let digits = super::common::load_data(data)?;
    let (first, _) = digits.split(80.min(digits.len()))?;
    let set = ColourSet::from_digits(&first, seed);
    let cols = 10;
    let rows = set.len().div_ceil(cols);
    let mut img = image::RgbImage::new((cols * IMAGE_SIDE) as u32, (rows * IMAGE_SIDE) as u32);
    for i in 0..set.len() {
        let (gx, gy) = ((i % cols) * IMAGE_SIDE, (i / cols) * IMAGE_SIDE);
        for (q, rgb) in set.image(i).chunks_exact(3).enumerate() {
            img.put_pixel(
                (gx + q % IMAGE_SIDE) as u32,
                (gy + q / IMAGE_SIDE) as u32,
                image::Rgb([rgb[0], rgb[1], rgb[2]]),
            );
        }
    }
    img.save(path)
        .with_context(|| format!("writing {}", path.display()))?;
    println!(
        "wrote {} ({} colour digits, seed {seed})",
        path.display(),
        set.len()
    );
    Ok(())
}

//! The live 8×8 sample grid and the classifier's class histogram of it.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, ImageData};

use crate::core::data::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::core::metrics::ClassStats;

const COLS: usize = 8;

/// Draws 64 digits (bytes, 0 = background) into an 8×8 grid on a canvas.
#[component]
pub fn SampleGrid(
    /// `(step, pixels)` of the latest grid.
    samples: Signal<Option<(u64, Vec<u8>)>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let side = (COLS * IMAGE_SIDE) as u32;
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        samples.with(|s| {
            let Some((_, pixels)) = s else { return };
            let n = pixels.len() / IMAGE_PIXELS;
            let mut rgba = vec![0u8; (side * side * 4) as usize];
            for i in 0..n.min(COLS * COLS) {
                let (gx, gy) = ((i % COLS) * IMAGE_SIDE, (i / COLS) * IMAGE_SIDE);
                for p in 0..IMAGE_PIXELS {
                    let v = pixels[i * IMAGE_PIXELS + p];
                    let at = ((gy + p / IMAGE_SIDE) * side as usize + gx + p % IMAGE_SIDE) * 4;
                    rgba[at..at + 4].copy_from_slice(&[v, v, v, 255]);
                }
            }
            let ctx = canvas
                .get_context("2d")
                .ok()
                .flatten()
                .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
            if let (Some(ctx), Ok(image)) = (
                ctx,
                ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), side, side),
            ) {
                let _ = ctx.put_image_data(&image, 0.0, 0.0);
            }
        });
    });
    view! {
        <figure class="samples" title="64 samples from one fixed batch of latent vectors z, redrawn as G learns: watch the same z turn from noise into digits.">
            <figcaption>
                "Samples from a fixed z "
                <span class="muted">{move || samples.with(|s| s.as_ref().map(|(step, _)| format!("(step {step})")).unwrap_or_default())}</span>
            </figcaption>
            <canvas node_ref=canvas id="sample-grid" width=side height=side></canvas>
        </figure>
    }
}

/// Bars of how the classifier labels the current samples: a spike on one digit means mode collapse.
#[component]
pub fn ClassHistogram(
    /// The classifier's statistics of the current samples.
    stats: Signal<Option<ClassStats>>,
) -> impl IntoView {
    view! {
        <figure class="histogram" title="How the playground's MNIST classifier (97% accurate on held-out digits) labels the 64 samples. Healthy: every digit present; a single tall bar means mode collapse.">
            <figcaption>"Digits the classifier sees"</figcaption>
            <svg viewBox="0 0 200 90" class="bars">
                {move || stats.with(|s| {
                    let hist = s.as_ref().map(|s| s.histogram).unwrap_or_default();
                    let max = hist.iter().copied().max().unwrap_or(0).max(1) as f32;
                    hist.iter().enumerate().map(|(digit, &count)| {
                        let h = count as f32 / max * 70.0;
                        let x = digit as f32 * 20.0 + 3.0;
                        view! {
                            <rect x=x y=75.0 - h width="14" height=h class="bar"><title>{format!("{digit}: {count}")}</title></rect>
                            <text x=x + 7.0 y="88" text-anchor="middle" class="tick">{digit.to_string()}</text>
                        }
                    }).collect_view()
                })}
            </svg>
            <div class="axis">{move || stats.with(|s| s.as_ref().map(|s| format!(
                "{}/10 digits · mean confidence {:.2}", s.classes_covered, s.mean_max_prob)).unwrap_or_else(|| "waiting for samples…".into()))}</div>
        </figure>
    }
}

//! The live sample grid, the classifier's class histogram of it, and the quality metrics.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, ImageData};

use crate::core::metrics::{ClassStats, QualityMetrics};
use crate::engine::task::Panel;

/// Reads the file a file input's change event chose, then clears the input (so choosing the
/// same file again fires again): `on_read` gets its name and bytes (as a buffer that can move
/// to a worker without a copy), or its name and why it could not be read.
pub fn read_chosen_file(
    ev: &leptos::ev::Event,
    on_read: impl FnOnce(String, Result<js_sys::ArrayBuffer, String>) + 'static,
) -> Option<String> {
    let input = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())?;
    let file = input.files().and_then(|f| f.get(0))?;
    input.set_value("");
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let read = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
            .await
            .map(|b| b.unchecked_into())
            .map_err(|e| format!("could not read {}: {e:?}", file.name()));
        on_read(file.name(), read);
    });
    Some(name)
}

/// Paints a panel's images on `canvas` (resized to fit), one grid cell per image.
pub fn paint(canvas: &web_sys::HtmlCanvasElement, p: &Panel) {
    let side = p.side.max(1);
    let channels = if p.channels == 3 { 3 } else { 1 };
    let pixels_per_image = side * side;
    let cols = p.columns.max(1);
    let n = p.pixels.len() / (pixels_per_image * channels);
    let rows = n.div_ceil(cols).max(1);
    let (w, h) = (cols * side, rows * side);
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let mut rgba = vec![0u8; w * h * 4];
    for i in 0..n {
        let (gx, gy) = ((i % cols) * side, (i / cols) * side);
        for q in 0..pixels_per_image {
            let from = (i * pixels_per_image + q) * channels;
            let at = ((gy + q / side) * w + gx + q % side) * 4;
            let rgb = if channels == 3 {
                [p.pixels[from], p.pixels[from + 1], p.pixels[from + 2]]
            } else {
                [p.pixels[from]; 3]
            };
            rgba[at..at + 4].copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
        }
    }
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    if let (Some(ctx), Ok(image)) = (
        ctx,
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w as u32, h as u32),
    ) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}

/// Draws a task's image panel (bytes, 0 = black) on a canvas, one grid cell per image, with
/// its row labels.
#[component]
pub fn ImagePanel(
    /// The latest panel of this name.
    panel: Signal<Option<Panel>>,
    /// The canvas element's id.
    canvas_id: &'static str,
    /// The row labels' element id.
    labels_id: &'static str,
    /// Tooltip: what the panel shows.
    #[prop(into)]
    help: Signal<String>,
    /// The canvas, for a caller that reads it (clicks, PNG export).
    #[prop(optional)]
    canvas: Option<NodeRef<Canvas>>,
    /// The caption before the first panel arrives.
    #[prop(optional)]
    placeholder: &'static str,
) -> impl IntoView {
    let canvas = canvas.unwrap_or_default();
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        panel.with(|p| {
            if let Some(p) = p {
                paint(&canvas, p);
            }
        });
    });
    view! {
        <figure class="samples" title=help>
            <figcaption>
                {move || panel.with(|p| p.as_ref().map_or_else(|| placeholder.to_string(), |p| p.title.clone()))} " "
                <span class="muted">{move || panel.with(|p| p.as_ref().map(|p| format!("(step {})", p.step)).unwrap_or_default())}</span>
            </figcaption>
            <div class="grid-wrap">
                {move || panel.with(|p| p.as_ref().and_then(|p| p.row_labels.clone())).map(|rows| view! {
                    <div class="row-labels" id=labels_id>
                        {rows.into_iter().map(|d| view! { <span>{d}</span> }).collect_view()}
                    </div>
                })}
                <div class="grid-column">
                    <canvas node_ref=canvas id=canvas_id width="224" height="224"></canvas>
                    {move || panel.with(|p| p.as_ref().and_then(|p| p.captions.clone().map(|c| (p.columns.max(1), c)))).map(|(columns, captions)| view! {
                        <div class="captions" style=format!("grid-template-columns: repeat({columns}, 1fr)")>
                            {captions.into_iter().map(|c| view! { <span>{c}</span> }).collect_view()}
                        </div>
                    })}
                </div>
            </div>
        </figure>
    }
}

type Format = fn(&QualityMetrics) -> String;

/// The quality metrics shown, each with its label, tooltip, element id and format.
const METRIC_ROWS: [(&str, &str, &str, Format); 6] = [
    (
        "FID (classifier features) ↓",
        "Fréchet distance to 2,000 held-out real digits in our classifier's 64-d feature space. 1,000 real training digits score about 28 (see BENCHMARKS.md).",
        "metric-fid",
        |m| format!("{:.1}", m.fid),
    ),
    (
        "IS analogue ↑",
        "exp(E KL(p(y|x) ‖ p(y))) with our classifier: 10 = confident and evenly spread over the digits, 1 = one digit or unrecognisable.",
        "metric-is",
        |m| format!("{:.2}", m.inception_score),
    ),
    (
        "Classes covered",
        "Digits that at least one sample is classified as.",
        "metric-classes",
        |m| format!("{}/10", m.classes.classes_covered),
    ),
    (
        "Class KL from uniform ↓",
        "How unevenly the samples spread over the digits (0 = perfectly even).",
        "metric-kl",
        |m| format!("{:.3}", m.classes.kl_from_uniform),
    ),
    (
        "Mean confidence ↑",
        "Mean largest class probability: how digit-like the samples look to the classifier (real digits ≈ 0.99).",
        "metric-confidence",
        |m| format!("{:.3}", m.classes.mean_max_prob),
    ),
    (
        "Label accuracy ↑",
        "Conditional models: fraction of samples the classifier reads as the digit that was asked for.",
        "metric-label-accuracy",
        |m| {
            m.label_accuracy
                .map(|a| format!("{:.1}%", a * 100.0))
                .unwrap_or_else(|| "— (unconditional)".into())
        },
    ),
];

/// The latest quality metrics, with what each means.
#[component]
pub fn QualityPanel(
    /// `(step, metrics)` of the latest evaluation.
    latest: Signal<Option<(u64, QualityMetrics)>>,
) -> impl IntoView {
    let rows = METRIC_ROWS
        .iter()
        .map(|&(label, help, id, format)| {
            view! {
                <tr title=help>
                    <th>{label}</th>
                    <td id=id>{move || latest.with(|l| l.as_ref().map(|(_, m)| format(m)).unwrap_or_else(|| "—".into()))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="quality" title="Computed in the training worker on 1,000 fresh samples (from the EMA generator when enabled) with the playground's own MNIST classifier: not the Inception network, so not comparable with published FID/IS.">
            <figcaption>
                "Sample quality "
                <span class="muted" id="metrics-step">{move || latest.with(|l| l.as_ref().map(|(s, _)| format!("(step {s})")).unwrap_or_else(|| "(press Evaluate, or train)".into()))}</span>
            </figcaption>
            <table>{rows}</table>
        </figure>
    }
}

/// Bars of how the classifier labels the current samples: a spike on one digit means mode collapse.
#[component]
pub fn ClassHistogram(
    /// The classifier's statistics of the current samples.
    stats: Signal<Option<ClassStats>>,
    /// Samples are shown and their verdict is on its way (the gallery's first grid comes before
    /// the classifier).
    #[prop(optional, into)]
    judging: Option<Signal<bool>>,
) -> impl IntoView {
    view! {
        <figure class="histogram" title="How the playground's MNIST classifier (97% accurate on held-out digits) labels the grid's samples. Healthy: every digit present; a single tall bar means mode collapse.">
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
                "{}/10 digits · mean confidence {:.2}", s.classes_covered, s.mean_max_prob)).unwrap_or_else(|| {
                    if judging.is_some_and(|j| j.get()) { "judging these samples…".into() } else { "waiting for samples…".into() }
                }))}</div>
        </figure>
    }
}

//! A pad to draw a digit on with the mouse, a finger or a pen, or to upload a picture of one:
//! either becomes an MNIST-style 28×28 digit (see [`crate::core::digit_input`]) handed to the
//! caller while drawing (at most every 80 ms) and when a stroke ends.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::samples::read_chosen_file;
use crate::core::data::IMAGE_SIDE;
use crate::core::digit_input::{DigitInputError, check_size, fit_digit, rgba_to_grey};

/// Side of the drawing surface in canvas pixels (ten per digit pixel).
const PAD: u32 = 280;
/// Brush width: about two digit pixels, like MNIST's strokes.
const BRUSH: f64 = 22.0;
/// Least time between two digits sent while drawing.
const THROTTLE_MS: f64 = 80.0;

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
}

fn clear(canvas: &HtmlCanvasElement) {
    if let Some(ctx) = context(canvas) {
        ctx.set_fill_style_str("#000");
        ctx.fill_rect(0.0, 0.0, PAD as f64, PAD as f64);
    }
}

/// The pad's drawing as a digit (`Blank` when nothing is drawn).
fn read_pad(canvas: &HtmlCanvasElement) -> Result<Vec<u8>, DigitInputError> {
    let rgba = context(canvas)
        .and_then(|ctx| ctx.get_image_data(0.0, 0.0, PAD as f64, PAD as f64).ok())
        .map(|d| d.data().0)
        .unwrap_or_default();
    fit_digit(&rgba_to_grey(&rgba), PAD as usize, PAD as usize)
}

/// Shows a 28×28 digit on the pad, enlarged.
fn show_digit(canvas: &HtmlCanvasElement, digit: &[u8]) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let small: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    small.set_width(IMAGE_SIDE as u32);
    small.set_height(IMAGE_SIDE as u32);
    let rgba: Vec<u8> = digit.iter().flat_map(|&v| [v, v, v, 255]).collect();
    let image = ImageData::new_with_u8_clamped_array_and_sh(
        Clamped(&rgba),
        IMAGE_SIDE as u32,
        IMAGE_SIDE as u32,
    )
    .ok()?;
    context(&small)?.put_image_data(&image, 0.0, 0.0).ok()?;
    let ctx = context(canvas)?;
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&small, 0.0, 0.0, PAD as f64, PAD as f64)
        .ok()
}

/// An uploaded picture (any format the browser decodes) as a digit, or why not.
async fn read_picture(name: &str, buffer: js_sys::ArrayBuffer) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let parts = js_sys::Array::of1(&buffer);
    let blob = web_sys::Blob::new_with_buffer_source_sequence(&parts)
        .map_err(|_| format!("{name}: could not be read"))?;
    let promise = window
        .create_image_bitmap_with_blob(&blob)
        .map_err(|_| format!("{name}: could not be read"))?;
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| {
            format!("{name} is not an image this browser can open (PNG, JPEG, GIF, WebP, …)")
        })?
        .unchecked_into();
    let (width, height) = (bitmap.width() as usize, bitmap.height() as usize);
    check_size(width, height).map_err(|e| format!("{name}: {e}"))?;
    let document = window.document().ok_or("no document")?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .ok()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("no canvas")?;
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let ctx = context(&canvas).ok_or("no 2-D canvas")?;
    ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0)
        .map_err(|_| format!("{name}: could not be drawn"))?;
    let rgba = ctx
        .get_image_data(0.0, 0.0, width as f64, height as f64)
        .map_err(|_| format!("{name}: its pixels could not be read"))?
        .data()
        .0;
    fit_digit(&rgba_to_grey(&rgba), width, height).map_err(|e| format!("{name}: {e}"))
}

/// The drawing pad with its Clear and Upload buttons; `on_digit` receives each digit.
#[component]
pub fn DrawPad(
    /// Prefix of the elements' ids (`{id}`, `{id}-clear`, `{id}-upload`, `{id}-error`).
    id: &'static str,
    /// Receives the digit (28×28 grey bytes, white on black).
    on_digit: Callback<Vec<u8>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let drawing = StoredValue::new(false);
    let last_sent = StoredValue::new(0.0f64);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            clear(&c);
        }
    });
    let send = move |force: bool| {
        let now = js_sys::Date::now();
        if !force && now - last_sent.get_value() < THROTTLE_MS {
            return;
        }
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        match read_pad(&c) {
            Ok(digit) => {
                last_sent.set_value(now);
                error.set(None);
                on_digit.run(digit);
            }
            Err(DigitInputError::Blank) => {}
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let point = move |ev: &leptos::ev::PointerEvent| -> Option<(f64, f64)> {
        let el = canvas.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        let sx = PAD as f64 / rect.width().max(1.0);
        let sy = PAD as f64 / rect.height().max(1.0);
        Some((
            (ev.client_x() as f64 - rect.left()) * sx,
            (ev.client_y() as f64 - rect.top()) * sy,
        ))
    };
    let stroke_to = move |ev: &leptos::ev::PointerEvent, start: bool| {
        let (Some(c), Some((x, y))) = (canvas.get_untracked(), point(ev)) else {
            return;
        };
        let Some(ctx) = context(&c) else { return };
        ctx.set_stroke_style_str("#fff");
        ctx.set_line_width(BRUSH);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        if start {
            ctx.begin_path();
            ctx.move_to(x, y);
        }
        ctx.line_to(x, y);
        ctx.stroke();
    };
    let file_input = NodeRef::<leptos::html::Input>::new();
    let upload = move |ev: leptos::ev::Event| {
        read_chosen_file(&ev, move |name, read| {
            wasm_bindgen_futures::spawn_local(async move {
                let digit = match read {
                    Ok(buffer) => read_picture(&name, buffer).await,
                    Err(e) => Err(e),
                };
                match digit {
                    Ok(digit) => {
                        if let Some(c) = canvas.get_untracked() {
                            clear(&c);
                            show_digit(&c, &digit);
                        }
                        error.set(None);
                        on_digit.run(digit);
                    }
                    Err(e) => error.set(Some(format!("{e}. Your drawing is kept."))),
                }
            });
        });
    };
    view! {
        <div class="draw-pad">
            <canvas node_ref=canvas id=id width=PAD height=PAD aria-label="Drawing pad: draw a digit"
                on:pointerdown=move |ev: leptos::ev::PointerEvent| {
                    ev.prevent_default();
                    drawing.set_value(true);
                    if let Some(el) = canvas.get_untracked() {
                        let _ = el.set_pointer_capture(ev.pointer_id());
                    }
                    stroke_to(&ev, true);
                }
                on:pointermove=move |ev: leptos::ev::PointerEvent| {
                    if drawing.get_value() {
                        stroke_to(&ev, false);
                        send(false);
                    }
                }
                on:pointerup=move |_| {
                    if drawing.get_value() {
                        drawing.set_value(false);
                        send(true);
                    }
                }
                on:pointercancel=move |_| drawing.set_value(false)></canvas>
            <div class="buttons">
                <button id=format!("{id}-clear") on:click=move |_| {
                    if let Some(c) = canvas.get_untracked() { clear(&c); }
                    error.set(None);
                }>"Clear"</button>
                <button id=format!("{id}-upload-button") on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Upload a picture…"</button>
                <input type="file" id=format!("{id}-upload") accept="image/*" node_ref=file_input class="hidden" on:change=upload />
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert" id=format!("{id}-error")>{e}</p> })}
        </div>
    }
}

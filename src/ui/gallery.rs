//! The gallery view: pretrained generators (and the user's own checkpoints) explored in a
//! worker running the gallery task on the CPU: fresh grids by seed and truncation, digits on
//! demand, spherical interpolation between two clicked samples, a latent pad, the truncation
//! trade-off, and PNG / `.npy` exports. Its session outlives the view (home and `#/gallery`
//! share it).

use std::collections::VecDeque;

use js_sys::ArrayBuffer;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::options::{GalleryOptions, Layout, Route};
use super::samples::{ClassHistogram, ImagePanel, read_chosen_file};
use super::session::save_arrived;
use super::task_worker::TaskWorker;
use crate::core::metrics::ClassStats;
use crate::core::models::Conditioning;
use crate::core::pretrained::{Catalogue, ModelCard};
use crate::engine::protocol::SweepPoints;
use crate::engine::task::{GALLERY_TASK, Panel};
use crate::engine::{Command, Event, ToWorker};

/// Where the page serves the catalogue of pretrained generators.
const CATALOGUE_URL: &str = "./pretrained/manifest.json";
/// Pad coordinates span ±this many latent units.
const PAD_RANGE: f32 = 3.0;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

pub(super) async fn fetch_buffer(url: &str) -> Result<ArrayBuffer, String> {
    let window = web_sys::window().ok_or("no window")?;
    let versioned = super::assets::versioned(url);
    let fail = |e: JsValue| {
        format!(
            "{url}: {}",
            e.as_string().unwrap_or_else(|| format!("{e:?}"))
        )
    };
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&versioned))
        .await
        .map_err(fail)?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let what = url.trim_start_matches("./").to_string();
    let bytes = crate::engine::download::read_body(&response, url, |done, total| {
        super::progress::page_progress(&what, done, total)
    })
    .await;
    super::progress::page_progress_done();
    Ok(js_sys::Uint8Array::from(&bytes?[..]).buffer())
}

/// The catalogue of shipped generators.
pub(super) async fn fetch_catalogue() -> Result<Catalogue, String> {
    let bytes = fetch_buffer(CATALOGUE_URL).await?;
    serde_json::from_slice::<Catalogue>(&js_sys::Uint8Array::new(&bytes).to_vec())
        .map_err(|e| format!("{CATALOGUE_URL}: {e}"))
}

/// A shipped generator's file name and bytes, by its catalogue id.
pub(super) async fn fetch_model(id: &str) -> Result<(String, ArrayBuffer), String> {
    let catalogue = fetch_catalogue().await?;
    let Some(card) = catalogue.models.iter().find(|m| m.id == id) else {
        return Err(format!(
            "there is no pretrained model “{id}”; the models are {}",
            catalogue
                .models
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let buffer = fetch_buffer(&format!("./pretrained/{}", card.file)).await?;
    Ok((card.file.clone(), buffer))
}

/// The gallery's worker and everything the view draws.
#[derive(Clone, Copy)]
pub struct GallerySession {
    /// The shipped models (`None` while loading or when missing).
    pub catalogue: RwSignal<Option<Catalogue>>,
    /// The model shown: a catalogue id, or the name of the user's file.
    pub model: RwSignal<Option<String>>,
    /// Whether the model takes a digit (or an InfoGAN's category) beside z.
    pub conditional: RwSignal<bool>,
    /// How the model was conditioned (names the picker's rows: digits or categories).
    pub conditioning: RwSignal<Conditioning>,
    /// The grid's seed.
    pub seed: RwSignal<u64>,
    /// The truncation threshold (`None`: none).
    pub psi: RwSignal<Option<f32>>,
    /// Conditional models: the digits shown.
    pub digits: RwSignal<[bool; 10]>,
    /// The grid.
    pub grid: RwSignal<Option<Panel>>,
    /// The classifier's verdict on the grid.
    pub stats: RwSignal<Option<ClassStats>>,
    /// The interpolation strip.
    pub strip: RwSignal<Option<Panel>>,
    /// The latent pad's image.
    pub pad: RwSignal<Option<Panel>>,
    /// The truncation trade-off.
    pub sweep: RwSignal<Option<SweepPoints>>,
    /// A sweep is being computed.
    pub sweeping: RwSignal<bool>,
    /// Clicked cells (the interpolation's ends; the first is the pad's centre).
    pub selected: RwSignal<Vec<u32>>,
    /// Interpolation frames.
    pub frames: RwSignal<u32>,
    /// Milliseconds from the page's start to the first grid.
    pub first_grid_ms: RwSignal<Option<f64>>,
    /// Pad images received per second while dragging.
    pub pad_rate: RwSignal<Option<f64>>,
    /// The latest error, shown until dismissed.
    pub error: RwSignal<Option<String>>,
    /// The latest notice.
    pub notice: RwSignal<Option<String>>,
    /// The worker is running the gallery task.
    pub ready: RwSignal<bool>,
    started_at: StoredValue<f64>,
    pad_pending: StoredValue<Option<(f32, f32)>>,
    pad_in_flight: StoredValue<bool>,
    pad_times: StoredValue<VecDeque<f64>>,
    write_address: StoredValue<bool>,
    /// The address chose ψ: keep it for the first model instead of the model's default.
    psi_pinned: StoredValue<bool>,
    worker: StoredValue<Option<TaskWorker>, LocalStorage>,
    /// What the worker is downloading.
    pub download: RwSignal<Option<super::progress::Download>>,
}

impl GallerySession {
    /// Starts the CPU worker with the gallery task and loads the address's model (or the
    /// catalogue's first).
    pub fn start(options: &GalleryOptions, write_address: bool) -> Self {
        let digits = options.digits.as_ref().map_or([true; 10], |d| {
            let mut on = [false; 10];
            for &d in d {
                on[d as usize % 10] = true;
            }
            on
        });
        let session = Self {
            catalogue: RwSignal::new(None),
            model: RwSignal::new(None),
            conditional: RwSignal::new(false),
            conditioning: RwSignal::new(Conditioning::None),
            seed: RwSignal::new(options.seed.unwrap_or(1)),
            psi: RwSignal::new(options.psi),
            digits: RwSignal::new(digits),
            grid: RwSignal::new(None),
            stats: RwSignal::new(None),
            strip: RwSignal::new(None),
            pad: RwSignal::new(None),
            sweep: RwSignal::new(None),
            sweeping: RwSignal::new(false),
            selected: RwSignal::new(Vec::new()),
            frames: RwSignal::new(10),
            first_grid_ms: RwSignal::new(None),
            pad_rate: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            ready: RwSignal::new(false),
            started_at: StoredValue::new(now()),
            pad_pending: StoredValue::new(None),
            pad_in_flight: StoredValue::new(false),
            pad_times: StoredValue::new(VecDeque::new()),
            write_address: StoredValue::new(write_address),
            psi_pinned: StoredValue::new(options.psi.is_some()),
            worker: StoredValue::new_local(None),
            download: RwSignal::new(None),
        };
        // Inference is light: the CPU worker answers the pad faster than a WebGPU readback.
        match TaskWorker::start(
            GALLERY_TASK.id,
            options.settings(),
            "the gallery draws on the CPU: small batches answer faster there",
            false,
            move |event, buffer| session.on_event(event, buffer),
        ) {
            Ok(w) => session.worker.set_value(Some(w)),
            Err(e) => session.error.set(Some(e)),
        }
        let wanted = options.model.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let catalogue = match fetch_catalogue().await {
                Ok(c) => c,
                Err(e) => {
                    session.error.set(Some(format!(
                        "The pretrained models could not be loaded ({e}); open a checkpoint file instead."
                    )));
                    return;
                }
            };
            let first = match &wanted {
                Some(id) if catalogue.models.iter().any(|m| &m.id == id) => Some(id.clone()),
                Some(id) => {
                    session.notice.set(Some(format!(
                        "There is no pretrained model “{id}”; showing the default one."
                    )));
                    catalogue.models.first().map(|m| m.id.clone())
                }
                None => catalogue.models.first().map(|m| m.id.clone()),
            };
            session.catalogue.set(Some(catalogue));
            if let Some(id) = first {
                session.open_model(&id);
            }
        });
        session
    }

    /// Sends a message (with a file whose buffer moves to the worker); until the worker listens,
    /// messages wait in order.
    fn post(&self, message: ToWorker, buffer: Option<ArrayBuffer>) {
        self.worker.with_value(|w| {
            if let Some(w) = w {
                w.post(message, buffer)
            }
        })
    }

    fn send(&self, message: ToWorker) {
        self.post(message, None);
    }

    /// Sends a gallery command.
    pub fn command(&self, c: Command) {
        self.send(ToWorker::Command(c));
    }

    /// The card of a catalogue model.
    pub fn card(&self, id: &str) -> Option<ModelCard> {
        self.catalogue
            .with_untracked(|c| c.as_ref()?.models.iter().find(|m| m.id == id).cloned())
    }

    /// Fetches a catalogue model's file and hands it to the worker.
    pub fn open_model(&self, id: &str) {
        let Some(card) = self.card(id) else { return };
        let session = *self;
        let id = id.to_string();
        self.notice.set(Some(format!("Loading {}…", card.title)));
        wasm_bindgen_futures::spawn_local(async move {
            match fetch_buffer(&format!("./pretrained/{}", card.file)).await {
                Ok(buffer) => {
                    session.model.set(Some(id));
                    session.conditional.set(card.conditional);
                    // Each model opens at its own default truncation, unless the address set one.
                    if !session.psi_pinned.get_value() {
                        session.psi.set(card.psi);
                        session.command(Command::Truncation(card.psi));
                    }
                    session.psi_pinned.set_value(false);
                    session.load(buffer);
                }
                Err(e) => session.error.set(Some(format!(
                    "{} could not be downloaded ({e}); the gallery keeps the model it has.",
                    card.title
                ))),
            }
        });
    }

    /// Hands a generator or checkpoint file to the worker (its buffer moves there).
    pub fn load(&self, buffer: ArrayBuffer) {
        self.selected.set(Vec::new());
        self.strip.set(None);
        self.pad.set(None);
        self.sweep.set(None);
        self.post(
            ToWorker::Command(Command::LoadCheckpoint { bytes: Vec::new() }),
            Some(buffer),
        );
    }

    /// The chosen digits.
    pub fn chosen_digits(&self) -> Vec<u8> {
        self.digits
            .get_untracked()
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .map(|(d, _)| d as u8)
            .collect()
    }

    /// The gallery's address now.
    pub fn options(&self) -> GalleryOptions {
        let digits = self.chosen_digits();
        GalleryOptions {
            model: self
                .model
                .get_untracked()
                .filter(|m| self.card(m).is_some()),
            seed: Some(self.seed.get_untracked()),
            psi: self.psi.get_untracked(),
            digits: (self.conditional.get_untracked() && digits.len() < 10).then_some(digits),
        }
    }

    fn update_address(&self) {
        if !self.write_address.get_value() {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let on_gallery = location.hash().is_ok_and(|h| {
            let path = h.trim_start_matches('#');
            let path = path.split_once('?').map_or(path, |(p, _)| p);
            Route::from_path(path) == Some(Route::Gallery)
        });
        if on_gallery && let Ok(history) = window.history() {
            let url = super::options::address_with_hash(&self.options().hash());
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }

    /// Moves the pad's point (the latest position wins while a request is in flight).
    pub fn pad_to(&self, x: f32, y: f32) {
        self.pad_pending.set_value(Some((x, y)));
        if !self.pad_in_flight.get_value() {
            self.send_pad();
        }
    }

    fn send_pad(&self) {
        let Some((x, y)) = self.pad_pending.get_value() else {
            self.pad_in_flight.set_value(false);
            return;
        };
        self.pad_pending.set_value(None);
        self.pad_in_flight.set_value(true);
        let selected = self.selected.get_untracked();
        let center = selected.first().copied().unwrap_or(0);
        let towards = match selected[..] {
            [_, a, b, ..] => Some((a, b)),
            _ => None,
        };
        self.command(Command::Pad {
            center,
            towards,
            x,
            y,
        });
    }

    fn on_event(&self, event: Event, buffer: Option<ArrayBuffer>) {
        super::embed::relay(&event);
        if super::progress::track(self.download, &event) {
            return;
        }
        match event {
            Event::Ready(_) => self.ready.set(true),
            Event::Started { settings, .. } => {
                let conditioning = settings
                    .iter()
                    .find(|(k, _)| k == "conditioning")
                    .and_then(|(_, v)| Conditioning::from_id(v))
                    .unwrap_or_default();
                self.conditioning.set(conditioning);
                self.notice.set(None);
                self.update_address();
            }
            Event::Panel { panel, stats } => match panel.name.as_str() {
                "gallery" => {
                    if self.first_grid_ms.get_untracked().is_none() {
                        self.first_grid_ms
                            .set(Some(now() - self.started_at.get_value()));
                    }
                    self.conditional.set(panel.row_labels.is_some());
                    self.grid.set(Some(panel));
                    self.stats.set(stats);
                    self.update_address();
                }
                "interpolation" => self.strip.set(Some(panel)),
                "pad" => {
                    self.pad.set(Some(panel));
                    let t = now();
                    self.pad_times.update_value(|q| {
                        q.push_back(t);
                        while q.front().is_some_and(|&f| t - f > 1000.0) {
                            q.pop_front();
                        }
                    });
                    let times = self.pad_times.get_value();
                    if let (Some(first), Some(last)) = (times.front(), times.back())
                        && times.len() > 2
                        && last > first
                    {
                        self.pad_rate
                            .set(Some((times.len() - 1) as f64 * 1000.0 / (last - first)));
                    }
                    self.send_pad();
                }
                _ => {}
            },
            Event::Sweep(points) => {
                self.sweeping.set(false);
                self.sweep.set(Some(points));
            }
            Event::File { file_name, .. } => match save_arrived(buffer, &file_name) {
                Ok(notice) => self.notice.set(Some(notice)),
                Err(e) => self.error.set(Some(e)),
            },
            Event::Error(e) => {
                self.sweeping.set(false);
                self.pad_in_flight.set_value(false);
                if e.fatal {
                    self.ready.set(false);
                }
                self.notice.set(None);
                self.error.set(Some(e.message));
            }
            _ => {}
        }
    }
}

fn psi_label(psi: Option<f32>) -> String {
    psi.map_or_else(|| "none".into(), |p| format!("{p}"))
}

/// ψ slider positions: thresholds, then "none".
const PSI_STEPS: [Option<f32>; 9] = [
    Some(0.25),
    Some(0.5),
    Some(0.75),
    Some(1.0),
    Some(1.25),
    Some(1.5),
    Some(2.0),
    Some(3.0),
    None,
];

/// A model's card: what it is, how it was trained, what the classifier makes of it.
#[component]
fn ModelCardView(card: ModelCard, yardstick: Option<f64>) -> impl IntoView {
    let m = card.metrics.clone();
    let bars = card.bars(yardstick);
    let passed = bars.iter().all(|b| b.1);
    let trained = match (card.train_seconds, &card.trained_on) {
        (Some(s), Some(on)) => format!("{} steps in {:.0} s on {on}", card.steps, s),
        (Some(s), None) => format!("{} steps in {:.0} s", card.steps, s),
        _ => format!("{} steps", card.steps),
    };
    view! {
        <div class="model-card" id=format!("model-card-{}", card.id)>
            {card.preview.then(|| view! { <p class="qbar miss">"Preview: this model misses a quality bar below, so it is not offered as pretrained yet."</p> })}
            <p><b>{card.title.clone()}</b> " · " {trained}
               {card.psi.map(|p| format!(" · drawn at ψ {p} by default"))} " · " {if card.ema { "EMA weights" } else { "raw weights" }} " · "
               {card.precision.label()} ", " {format!("{:.0} KB", card.bytes as f64 / 1024.0)}</p>
            <p class="muted">
                {card.psi.map(|p| format!("At ψ {p}: "))}
                {format!("FID {:.1} · IS {:.2} · {}/10 classes · class KL {:.3} · confidence {:.3}",
                    m.fid, m.inception_score, m.classes.classes_covered, m.classes.kl_from_uniform, m.classes.mean_max_prob)}
                {m.label_accuracy.map(|a| format!(" · label accuracy {:.1}%", a * 100.0))}
            </p>
            {card.untruncated.clone().map(|u| view! { <p class="muted">
                {format!("Untruncated: FID {:.1} · confidence {:.3} · class KL {:.3}", u.fid, u.classes.mean_max_prob, u.classes.kl_from_uniform)}
                {u.label_accuracy.map(|a| format!(" · label accuracy {:.1}%", a * 100.0))}
            </p> })}
            {card.command.clone().map(|c| view! { <p class="muted"><code>{c}</code></p> })}
            <p class=if passed { "bars pass" } else { "bars miss" } title="The quality bars every shipped model must pass (1,000 samples, the project's classifier).">
                {bars.into_iter().map(|(b, ok)| view! { <span class=if ok { "qbar ok" } else { "qbar miss" }>{if ok { "✓ " } else { "✗ " }}{b}</span> }).collect_view()}
            </p>
        </div>
    }
}

/// The gallery, drawn from the [`GallerySession`] in context.
#[component]
pub fn GalleryView() -> impl IntoView {
    let Some(s) = use_context::<GallerySession>() else {
        return view! { <p class="error-banner" role="alert">"The gallery could not be started."</p> }.into_any();
    };
    let grid_canvas = NodeRef::<Canvas>::new();
    let seed_text = RwSignal::new(s.seed.get_untracked().to_string());
    let new_samples = move |_| {
        let seed = (js_sys::Math::random() * 1_000_000.0) as u64 + 1;
        s.seed.set(seed);
        seed_text.set(seed.to_string());
        s.command(Command::Generate { seed });
    };
    let apply_seed = move || match seed_text.get_untracked().trim().parse::<u64>() {
        Ok(seed) => {
            s.error.set(None);
            s.seed.set(seed);
            s.command(Command::Generate { seed });
        }
        Err(_) => s.error.set(Some(format!(
            "The seed must be a whole number; got “{}”.",
            seed_text.get_untracked().trim()
        ))),
    };
    let psi_index = move || {
        PSI_STEPS
            .iter()
            .position(|p| *p == s.psi.get())
            .unwrap_or(PSI_STEPS.len() - 1)
    };
    let set_psi = move |ev: leptos::ev::Event| {
        let i: usize = event_target_value(&ev)
            .parse()
            .unwrap_or(PSI_STEPS.len() - 1);
        let psi = PSI_STEPS[i.min(PSI_STEPS.len() - 1)];
        s.psi.set(psi);
        s.command(Command::Truncation(psi));
    };
    let pick_number = RwSignal::new(1u32);
    let pad_point = RwSignal::new((0.0f32, 0.0f32));
    // Picks a sample: the pad centres on the first, a second starts an interpolation.
    let pick = move |cell: u32| {
        let mut picked = s.selected.get_untracked();
        if picked.len() >= 2 {
            picked.clear();
        }
        picked.push(cell);
        s.selected.set(picked.clone());
        if let [from, to] = picked[..] {
            s.command(Command::Interpolate {
                from,
                to,
                frames: s.frames.get_untracked(),
            });
        } else {
            pad_point.set((0.0, 0.0));
            s.pad_to(0.0, 0.0);
        }
    };
    let set_pick_number = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        match text.trim().parse::<u32>() {
            Ok(n) if n >= 1 => pick_number.set(n),
            _ => {
                s.error.set(Some(format!(
                    "“{text}” is not a sample number: samples are numbered from 1, row by row."
                )));
                // Show the number that Pick would use.
                pick_number.update(|_| ());
            }
        }
    };
    let grid_count = move || {
        s.grid.with(|g| {
            g.as_ref()
                .map_or(0, |g| g.pixels.len() / (g.side * g.side).max(1))
        }) as u32
    };
    let pick_by_number = move |_| {
        let count = grid_count();
        let n = pick_number.get_untracked();
        if (1..=count).contains(&n) {
            s.error.set(None);
            pick(n - 1)
        } else {
            s.error.set(Some(format!(
                "There is no sample {n}: the grid has {count}."
            )));
        }
    };
    let click_cell = move |ev: leptos::ev::MouseEvent| {
        let (Some(canvas), Some(grid)) = (grid_canvas.get_untracked(), s.grid.get_untracked())
        else {
            return;
        };
        // A click on the panel's caption or labels picks nothing.
        let on_canvas = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlCanvasElement>().ok())
            .is_some();
        if !on_canvas {
            return;
        }
        let rect = canvas.get_bounding_client_rect();
        let cols = grid.columns.max(1);
        let rows = (grid.pixels.len() / (grid.side * grid.side))
            .div_ceil(cols)
            .max(1);
        let cx = ((ev.client_x() as f64 - rect.left()) / rect.width() * cols as f64) as usize;
        let cy = ((ev.client_y() as f64 - rect.top()) / rect.height() * rows as f64) as usize;
        pick((cy.min(rows - 1) * cols + cx.min(cols - 1)) as u32);
    };
    let open_file = move |ev: leptos::ev::Event| {
        let name = read_chosen_file(&ev, move |name, read| match read {
            Ok(buffer) => {
                s.model.set(Some(name));
                s.load(buffer);
            }
            Err(e) => s.error.set(Some(e)),
        });
        if let Some(name) = name {
            s.notice.set(Some(format!("Opening {name}…")));
        }
    };
    let save_png = move |_| {
        let Some(canvas) = grid_canvas.get_untracked() else {
            return;
        };
        let o = s.options();
        let name = format!(
            "gan-{}-seed{}-psi{}.png",
            o.model.unwrap_or_else(|| "model".into()),
            s.seed.get_untracked(),
            psi_label(o.psi)
        );
        match canvas.to_data_url() {
            Ok(url) => {
                if let Some(link) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.create_element("a").ok())
                    .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
                {
                    link.set_href(&url);
                    link.set_download(&name);
                    link.click();
                    s.notice.set(Some(format!("Saved {name}.")));
                }
            }
            Err(e) => s.error.set(Some(format!("could not save the grid: {e:?}"))),
        }
    };
    let fine_tune = move |_| {
        let Some(handoff) = use_context::<super::Handoff>() else {
            return;
        };
        let Some(card) = s.model.get_untracked().and_then(|m| s.card(&m)) else {
            s.error.set(Some(
                "Fine-tuning starts from a shipped model; pick one first.".into(),
            ));
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            match fetch_buffer(&format!("./pretrained/{}", card.file)).await {
                Ok(buffer) => handoff.fine_tune(card.file.clone(), buffer),
                Err(e) => s
                    .error
                    .set(Some(format!("could not fetch {}: {e}", card.file))),
            }
        });
    };
    let export_count = RwSignal::new("1000".to_string());
    let export_npy = move |_| match export_count.get_untracked().trim().parse::<u32>() {
        Ok(n) if (1..=10_000).contains(&n) => s.command(Command::ExportSamples {
            count: n,
            name: s.options().model.unwrap_or_default(),
        }),
        _ => s
            .error
            .set(Some("Export between 1 and 10,000 samples.".into())),
    };
    let toggle_digit = move |d: usize, on: bool| {
        s.digits.update(|all| all[d] = on);
        s.command(Command::Digits(s.chosen_digits()));
    };
    // Animation of the interpolation strip.
    let frame = RwSignal::new(0usize);
    let playing = RwSignal::new(false);
    let play = move |_| {
        if playing.get_untracked() {
            playing.set(false);
            return;
        }
        playing.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            while playing.get_untracked() {
                let n = s.strip.with_untracked(|p| {
                    p.as_ref()
                        .map_or(0, |p| p.pixels.len() / (p.side * p.side).max(1))
                });
                if n == 0 {
                    break;
                }
                frame.update(|f| *f = (*f + 1) % n);
                gloo_timers::future::TimeoutFuture::new(120).await;
            }
            playing.set(false);
        });
    };
    let frame_panel = Signal::derive(move || {
        let f = frame.get();
        s.strip.with(|p| {
            p.as_ref().map(|p| {
                let size = p.side * p.side;
                let n = p.pixels.len() / size.max(1);
                let i = f % n.max(1);
                Panel {
                    name: "frame".into(),
                    title: format!("Frame {} of {n}", i + 1),
                    step: p.step,
                    side: p.side,
                    columns: 1,
                    pixels: p.pixels[i * size..(i + 1) * size].to_vec(),
                    row_labels: None,
                    captions: None,
                    channels: 1,
                }
            })
        })
    });
    let pad_drag = RwSignal::new(false);
    let pad_move = move |ev: leptos::ev::PointerEvent, force: bool| {
        if !(pad_drag.get_untracked() || force) {
            return;
        }
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let rect = el.get_bounding_client_rect();
        let u = ((ev.client_x() as f64 - rect.left()) / rect.width()).clamp(0.0, 1.0) as f32;
        let v = ((ev.client_y() as f64 - rect.top()) / rect.height()).clamp(0.0, 1.0) as f32;
        let (x, y) = ((u * 2.0 - 1.0) * PAD_RANGE, (1.0 - v * 2.0) * PAD_RANGE);
        pad_point.set((x, y));
        s.pad_to(x, y);
    };
    let yardstick = move || {
        s.catalogue
            .with(|c| c.as_ref().and_then(|c| c.yardstick.as_ref().map(|y| y.fid)))
    };
    let layout = Layout::current();
    let shows = |panel: &str| layout.shows(panel);
    let hides = |control: &str| layout.hides(control);
    let (lock_model, lock_seed, lock_psi, lock_digits) = (
        layout.locks("model"),
        layout.locks("seed"),
        layout.locks("psi"),
        layout.locks("digits"),
    );
    let (show_tools, show_card) = (shows("tools"), shows("card"));
    let (show_strip, show_digits) = (
        shows("interpolation"),
        shows("controls") && !hides("digits"),
    );
    view! {
        <section class="gallery" id="gallery"
            data-first-grid-ms=move || s.first_grid_ms.get().map(|t| format!("{t:.0}"))
            data-pad-rate=move || s.pad_rate.get().map(|r| format!("{r:.1}"))
            data-histogram=move || s.stats.get().map(|st| format!("{:?}", st.histogram))
            data-grid-title=move || s.grid.get().map(|g| g.title)>
            {move || s.error.get().map(|e| view! {
                <div class="error-banner" role="alert" id="gallery-error">{e}
                    <button on:click=move |_| s.error.set(None)>"dismiss"</button></div>
            })}
            {move || s.notice.get().map(|n| view! { <p class="notice" id="gallery-notice" role="status">{n}</p> })}
            <super::progress::DownloadBar download=s.download />
            <div class="gallery-controls" hidden=!shows("controls")>
                <label hidden=hides("model")>"Model "
                    <select id="gallery-model" disabled=lock_model prop:value=move || s.model.get().unwrap_or_default()
                        on:change=move |ev| s.open_model(&event_target_value(&ev))>
                        {move || s.catalogue.get().map(|c| c.models.into_iter().map(|m| view! {
                            <option value=m.id.clone()>{if m.preview { format!("{} (preview: below the quality bar)", m.title) } else { m.title.clone() }}</option>
                        }).collect_view())}
                        {move || s.model.get().filter(|m| s.card(m).is_none()).map(|m| view! {
                            <option value=m.clone()>{format!("your file: {m}")}</option>
                        })}
                    </select>
                </label>
                <label hidden=hides("seed")>"Seed "
                    <input id="gallery-seed" type="text" inputmode="numeric" size="8" readonly=lock_seed prop:value=move || seed_text.get()
                        on:input=move |ev| seed_text.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { apply_seed() } />
                </label>
                <button id="gallery-apply-seed" hidden=hides("seed") on:click=move |_| apply_seed() disabled=move || lock_seed || !s.ready.get()>"Draw"</button>
                <button id="gallery-new" hidden=hides("seed") on:click=new_samples disabled=move || lock_seed || !s.ready.get()>"New samples"</button>
                <label hidden=hides("psi") title="Truncation (BigGAN's trick): latent values beyond ±ψ are drawn again. Smaller ψ: cleaner, more typical digits; less variety.">
                    "Truncation ψ "
                    <input id="gallery-psi" type="range" min="0" max=(PSI_STEPS.len() - 1).to_string() step="1" disabled=lock_psi
                        prop:value=move || psi_index().to_string() on:change=set_psi />
                    <output id="gallery-psi-value">{move || psi_label(s.psi.get())}</output>
                </label>
            </div>
            {move || (show_digits && s.conditional.get()).then(|| view! {
                <fieldset class="digits" id="gallery-digits"><legend>{move || if s.conditioning.get().uses_labels() { "Digits" } else { "Categories (the InfoGAN's own, in no digit order)" }}</legend>
                    {(0..10).map(|d| view! {
                        <label><input type="checkbox" id=format!("gallery-digit-{d}") disabled=lock_digits prop:checked=move || s.digits.get()[d]
                            on:change=move |ev| toggle_digit(d, event_target_checked(&ev)) />{move || s.conditioning.get().input_label(d as u8)}</label>
                    }).collect_view()}
                </fieldset>
            })}
            <div class="gallery-main" hidden=!(shows("grid") || shows("classes") || shows("pad"))>
                <div class="grid-col" hidden=!shows("grid")>
                    // Only clicks on the grid itself pick a sample.
                    <div class="grid-click" on:click=click_cell title="Click a sample to centre the latent pad on it; click a second one to interpolate between them.">
                        <ImagePanel panel=s.grid.into() canvas=grid_canvas canvas_id="gallery-grid" labels_id="gallery-row-labels"
                            placeholder="Loading the generator…" help="Fresh samples of the model; conditional models draw one row per digit, the same latent in each column." />
                    </div>
                    <p class="pick-by-number">
                        <label>"Sample " <input id="gallery-pick-number" type="number" min="1"
                            max=move || grid_count().max(1).to_string()
                            prop:value=move || pick_number.get().to_string()
                            on:change=set_pick_number /></label>
                        " "
                        <button id="gallery-pick" title="Pick the sample with this number (counted row by row from the top left), as a click on it would: for keyboards and screen readers."
                            on:click=pick_by_number>"Pick"</button>
                    </p>
                    <p class="muted" id="gallery-selected">{move || match s.selected.get()[..] {
                        [] => "Click a sample to explore around it; click two to interpolate.".to_string(),
                        [a] if s.conditional.get() => format!("Sample {} picked: drag on the pad, or click a second sample (one in the same column shares its latent: the strip morphs one digit into the other).", a + 1),
                        [a] => format!("Sample {} picked: drag on the pad, or click a second sample.", a + 1),
                        [a, b, ..] => format!("Interpolating sample {} → {}.", a + 1, b + 1),
                    }}</p>
                    <p class="muted" id="gallery-first-grid">{move || s.first_grid_ms.get().map(|t| format!("First grid {t:.0} ms after the page started."))}</p>
                </div>
                <div class="gallery-side" hidden=!(shows("classes") || shows("pad"))>
                    <div hidden=!shows("classes")><ClassHistogram stats=s.stats.into() judging=Signal::derive(move || s.grid.with(Option::is_some)) /></div>
                    <div class="pad-wrap" hidden=!shows("pad")>
                        <div class="latent-pad" id="latent-pad" role="slider" tabindex="0"
                            aria-label="Latent pad: arrow keys move the point (Shift: further), Home returns to the middle"
                            aria-valuemin=format!("{}", -PAD_RANGE) aria-valuemax=format!("{PAD_RANGE}")
                            aria-valuenow=move || format!("{:.2}", pad_point.get().0)
                            aria-valuetext=move || { let (x, y) = pad_point.get(); format!("x {x:.2}, y {y:.2}") }
                            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                                // Leave the browser's own shortcuts (Alt+Arrow: back) alone.
                                if ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
                                    return;
                                }
                                let step = if ev.shift_key() { 0.5 } else { 0.1 } * PAD_RANGE;
                                let (x, y) = pad_point.get_untracked();
                                let (x, y) = match ev.key().as_str() {
                                    "ArrowLeft" => (x - step, y),
                                    "ArrowRight" => (x + step, y),
                                    "ArrowUp" => (x, y + step),
                                    "ArrowDown" => (x, y - step),
                                    "Home" => (0.0, 0.0),
                                    _ => return,
                                };
                                ev.prevent_default();
                                let (x, y) = (x.clamp(-PAD_RANGE, PAD_RANGE), y.clamp(-PAD_RANGE, PAD_RANGE));
                                pad_point.set((x, y));
                                s.pad_to(x, y);
                            }
                            on:pointerdown=move |ev: leptos::ev::PointerEvent| {
                                pad_drag.set(true);
                                if let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                                    let _ = el.set_pointer_capture(ev.pointer_id());
                                }
                                pad_move(ev, true);
                            }
                            on:pointermove=move |ev| pad_move(ev, false)
                            on:pointerup=move |_| pad_drag.set(false)
                            title="Drag: the image follows a point in a plane through the picked sample's latent (random directions; with three samples picked, the plane toward the 2nd and 3rd).">
                            <span class="pad-dot" style=move || {
                                let (x, y) = pad_point.get();
                                format!("left:{:.1}%;top:{:.1}%", (x / PAD_RANGE + 1.0) * 50.0, (1.0 - y / PAD_RANGE) * 50.0)
                            }></span>
                        </div>
                        {move || match s.pad.get().is_some() {
                            true => view! { <ImagePanel panel=s.pad.into() canvas_id="pad-image" labels_id="pad-labels" help="The image at the pad's point." /> }.into_any(),
                            false => view! { <p class="muted" id="pad-hint">"Latent pad: click a sample, then drag here to move through the latent space around it."</p> }.into_any(),
                        }}
                        <p class="muted" id="pad-rate">{move || s.pad_rate.get().map(|r| format!("{r:.0} updates/s"))}</p>
                    </div>
                </div>
            </div>
            {move || (show_strip && s.strip.get().is_some()).then(|| view! {
                <div class="strip">
                    <ImagePanel panel=s.strip.into() canvas_id="interpolation-strip" labels_id="strip-labels" help="Spherical interpolation between the two picked samples' latents; the ends are the samples." />
                    <label>"Frames "
                        <input id="gallery-frames" type="number" min="2" max="64" prop:value=move || s.frames.get().to_string()
                            on:change=move |ev| {
                                let n = event_target_value(&ev).parse::<u32>().unwrap_or(10).clamp(2, 64);
                                s.frames.set(n);
                                if let [from, to] = s.selected.get_untracked()[..] {
                                    s.command(Command::Interpolate { from, to, frames: n });
                                }
                            } />
                    </label>
                    <button id="gallery-play" on:click=play>{move || if playing.get() { "Stop" } else { "Play" }}</button>
                    <ImagePanel panel=frame_panel canvas_id="interpolation-frame" labels_id="frame-labels" help="The animation's current frame." />
                </div>
            })}
            <div class="gallery-tools" hidden=!shows("tools")>
                <button id="gallery-save-png" on:click=save_png disabled=move || s.grid.get().is_none()>"Save grid (PNG)"</button>
                <label>"Samples "<input id="gallery-export-count" type="text" size="6" prop:value=move || export_count.get()
                    on:input=move |ev| export_count.set(event_target_value(&ev)) /></label>
                <button id="gallery-export-npy" on:click=export_npy disabled=move || !s.ready.get()>"Export .npy"</button>
                <button id="gallery-sweep" disabled=move || !s.ready.get() || s.sweeping.get()
                    on:click=move |_| { s.sweeping.set(true); s.command(Command::TruncationSweep); }>
                    {move || if s.sweeping.get() { "Measuring…" } else { "Measure the truncation trade-off" }}</button>
                <button id="gallery-fine-tune" on:click=fine_tune disabled=move || s.model.get().and_then(|m| s.card(&m)).is_none()
                    title="Continue training this model in the train view, against a fresh discriminator.">"Fine-tune in the train view"</button>
                <label class="file-button">"Open a checkpoint or generator file "
                    <input id="gallery-open" type="file" accept=".bpk" on:change=open_file /></label>
            </div>
            {move || s.sweep.get().filter(|_| show_tools).map(|points| view! { <SweepChart points /> })}
            {move || s.model.get().and_then(|m| s.card(&m)).filter(|_| show_card).map(|card| view! { <ModelCardView card yardstick=yardstick() /> })}
        </section>
    }
    .into_any()
}

/// The truncation trade-off: confidence, classes covered and FID against ψ.
#[component]
fn SweepChart(points: SweepPoints) -> impl IntoView {
    let (w, h) = (360.0f64, 120.0f64);
    let n = points.len().max(2);
    let x = move |i: usize| 20.0 + i as f64 / (n - 1) as f64 * (w - 40.0);
    let max_fid = points.iter().map(|(_, m)| m.fid).fold(1.0, f64::max);
    let line = |values: Vec<f64>| {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { " L" },
                    x(i),
                    h - 10.0 - v.clamp(0.0, 1.0) * (h - 20.0)
                )
            })
            .collect::<String>()
    };
    let conditional = points.iter().any(|(_, m)| m.label_accuracy.is_some());
    let conf = line(
        points
            .iter()
            .map(|(_, m)| m.classes.mean_max_prob as f64)
            .collect(),
    );
    let classes = line(
        points
            .iter()
            .map(|(_, m)| m.classes.classes_covered as f64 / 10.0)
            .collect(),
    );
    let fid = line(points.iter().map(|(_, m)| m.fid / max_fid).collect());
    view! {
        <figure class="sweep" id="truncation-sweep">
            <figcaption>"Fidelity against variety: 500 samples per ψ, judged by the classifier"</figcaption>
            <svg viewBox=format!("0 0 {w} {h}") width=w height=h role="img" aria-label="Truncation trade-off chart">
                <path d=conf fill="none" stroke="#3bb273" stroke-width="2" />
                <path d=classes fill="none" stroke="#2e86ab" stroke-width="2" />
                <path d=fid fill="none" stroke="#e4572e" stroke-width="2" />
                {points.iter().enumerate().map(|(i, (p, _))| view! {
                    <text x=x(i) y=h font-size="9" text-anchor="middle" class="tick">{psi_label(*p)}</text>
                }).collect_view()}
            </svg>
            <p class="legend"><span class="key"><span class="swatch" style="background:#3bb273"></span>"confidence"</span> " "
                <span class="key"><span class="swatch" style="background:#2e86ab"></span>"classes covered / 10"</span> " "
                <span class="key"><span class="swatch" style="background:#e4572e"></span>{format!("FID / {max_fid:.0}")}</span></p>
            <table class="sweep-table">
                <tr><th>"ψ"</th><th>"FID"</th><th>"classes"</th><th>"confidence"</th><th>"class KL"</th>
                    {conditional.then(|| view! { <th>"label acc."</th> })}</tr>
                {points.iter().map(|(p, m)| view! {
                    <tr><td>{psi_label(*p)}</td><td>{format!("{:.1}", m.fid)}</td><td>{format!("{}/10", m.classes.classes_covered)}</td>
                        <td>{format!("{:.3}", m.classes.mean_max_prob)}</td><td>{format!("{:.3}", m.classes.kl_from_uniform)}</td>
                        {m.label_accuracy.map(|a| view! { <td>{format!("{:.1}%", a * 100.0)}</td> })}</tr>
                }).collect_view()}
            </table>
        </figure>
    }
}

//! The super-resolution view: held-out digits averaged down to 7×7 (or 14×14) and brought back
//! to 28×28 by an SRGAN-style generator, beside bicubic upsampling and the real digit, with
//! PSNR and SSIM of both on the held-out digits. A pretrained upscaler opens at once; the user
//! can train it further, restart from scratch with other settings (a pixel-loss-only baseline
//! at adversarial weight 0), and save or open files.

use js_sys::ArrayBuffer;
use leptos::prelude::*;

use super::chart::{LineChart, Series};
use super::samples::{ImagePanel, read_chosen_file};
use super::scores::ScoreTableView;
use super::session::{History, save_arrived};
use super::task_form::task_settings;
use super::task_worker::{TaskWorker, fetch_pretrained};
use crate::core::pretrained::SrCard;
use crate::core::superres::SrConfig;
use crate::core::train::FieldError;
use crate::engine::superres::ID;
use crate::engine::task::{Panel, ScoreTable, TaskView};
use crate::engine::{Command, Event, ToWorker};

/// Where the page serves the pretrained upscaler's card.
const CARD_URL: &str = "./pretrained/superres.json";

/// The super-resolution worker and everything the view draws.
#[derive(Clone, Copy)]
pub struct SuperResSession {
    /// The settings form's texts (registry pairs).
    pub texts: RwSignal<Vec<(String, String)>>,
    /// Settings the worker refused.
    pub errors: RwSignal<Vec<FieldError>>,
    /// The task's series and charts.
    pub view: RwSignal<Option<TaskView>>,
    /// Step values so far.
    pub history: RwSignal<History>,
    /// Input, bicubic, model and real digits.
    pub panel: RwSignal<Option<Panel>>,
    /// The latest scores.
    pub scores: RwSignal<Option<ScoreTable>>,
    /// The model's SSIM and bicubic's at each scoring, for the chart.
    pub ssim: RwSignal<(Vec<f32>, Vec<f32>)>,
    /// Steps taken.
    pub step: RwSignal<u64>,
    /// Training speed.
    pub steps_per_sec: RwSignal<f32>,
    /// Training runs.
    pub running: RwSignal<bool>,
    /// The worker answers.
    pub ready: RwSignal<bool>,
    /// Where the networks came from.
    pub source: RwSignal<String>,
    /// Where the networks asked for come from, shown once the worker starts them.
    pending_source: StoredValue<Option<String>>,
    /// The pretrained upscaler's card.
    pub card: RwSignal<Option<SrCard>>,
    /// The latest error, shown until dismissed.
    pub error: RwSignal<Option<String>>,
    /// The latest notice.
    pub notice: RwSignal<Option<String>>,
    worker: StoredValue<Option<TaskWorker>, LocalStorage>,
}

impl SuperResSession {
    /// Starts the worker with the task and loads the pretrained upscaler.
    pub fn start() -> Self {
        let session = Self {
            texts: RwSignal::new(crate::core::settings::to_setting_pairs(&SrConfig::new())),
            errors: RwSignal::new(Vec::new()),
            view: RwSignal::new(None),
            history: RwSignal::new(History::new(Vec::new())),
            panel: RwSignal::new(None),
            scores: RwSignal::new(None),
            ssim: RwSignal::new((Vec::new(), Vec::new())),
            step: RwSignal::new(0),
            steps_per_sec: RwSignal::new(0.0),
            running: RwSignal::new(false),
            ready: RwSignal::new(false),
            source: RwSignal::new("untrained networks".into()),
            pending_source: StoredValue::new(None),
            card: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(Some("Starting…".into())),
            worker: StoredValue::new_local(None),
        };
        match TaskWorker::start(
            ID,
            session.texts.get_untracked(),
            "the upscaler's networks are small: the CPU worker trains them",
            move |event, buffer| session.on_event(event, buffer),
        ) {
            Ok(w) => session.worker.set_value(Some(w)),
            Err(e) => session.error.set(Some(e)),
        }
        session.open_pretrained();
        session
    }

    /// Sends a command.
    pub fn command(&self, c: Command) {
        self.worker.with_value(|w| {
            if let Some(w) = w {
                w.command(c)
            }
        });
    }

    /// Hands a super-resolution file to the worker.
    pub fn load(&self, name: String, buffer: ArrayBuffer) {
        self.pending_source.set_value(Some(name));
        self.worker.with_value(|w| {
            if let Some(w) = w {
                w.post(
                    ToWorker::Command(Command::LoadCheckpoint { bytes: Vec::new() }),
                    Some(buffer),
                )
            }
        });
    }

    /// Fetches the pretrained upscaler and loads it.
    pub fn open_pretrained(&self) {
        let session = *self;
        wasm_bindgen_futures::spawn_local(async move {
            match fetch_pretrained::<SrCard>(CARD_URL, |c| &c.file).await {
                Ok((card, buffer)) => {
                    session.load(
                        format!("the pretrained upscaler ({} steps)", card.steps),
                        buffer,
                    );
                    session.card.set(Some(card));
                }
                Err(e) => {
                    session.notice.set(None);
                    session.error.set(Some(format!(
                        "The pretrained upscaler could not be loaded ({e}); these networks are untrained: press Train."
                    )));
                }
            }
        });
    }

    /// Names where the next networks the worker starts come from.
    pub fn expect_source(&self, source: &str) {
        self.pending_source.set_value(Some(source.into()));
    }

    fn on_event(&self, event: Event, buffer: Option<ArrayBuffer>) {
        if matches!(event, Event::Error(_) | Event::Rejected(_)) {
            // What was asked for was refused: the networks shown stay, and so does their name.
            self.pending_source.set_value(None);
        }
        match event {
            Event::Ready(_) => self.ready.set(true),
            Event::Started {
                view,
                settings,
                step,
            } => {
                if let Some(source) = self.pending_source.try_update_value(Option::take).flatten() {
                    self.source.set(source);
                }
                self.notice.set(None);
                self.history.set(History::new(view.series.clone()));
                self.view.set(Some(view));
                self.texts.set(settings);
                self.errors.set(Vec::new());
                self.ssim.set((Vec::new(), Vec::new()));
                self.step.set(step);
                self.ready.set(true);
            }
            Event::Applied { settings, .. } => {
                self.texts.set(settings);
                self.errors.set(Vec::new());
                self.notice
                    .set(Some("Applied to the running networks.".into()));
            }
            Event::Rejected(errors) => self.errors.set(errors.0),
            Event::Progress {
                records,
                steps_per_sec,
                ..
            } => {
                if let Some(last) = records.last() {
                    self.step.set(last.step);
                }
                if steps_per_sec > 0.0 {
                    self.steps_per_sec.set(steps_per_sec);
                }
                self.history.update(|h| {
                    for r in &records {
                        for (series, v) in h.values.iter_mut().zip(&r.values) {
                            series.push(*v);
                        }
                    }
                });
            }
            Event::Panel { panel, .. } => self.panel.set(Some(panel)),
            Event::Scores(table) => {
                let ssim = |i: usize| table.rows.get(i).and_then(|r| r.1.get(1)).copied();
                if let (Some(model), Some(cubic)) = (ssim(0), ssim(1)) {
                    self.ssim.update(|(m, c)| {
                        m.push(model);
                        c.push(cubic);
                    });
                }
                self.scores.set(Some(table));
            }
            Event::Running(r) => self.running.set(r),
            Event::Checkpoint { file_name, .. } => match save_arrived(buffer, &file_name) {
                Ok(notice) => self.notice.set(Some(notice)),
                Err(e) => self.error.set(Some(e)),
            },
            Event::Error(e) => {
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

/// The super-resolution view.
#[component]
pub fn SuperResView() -> impl IntoView {
    let Some(s) = use_context::<SuperResSession>() else {
        return view! { <p>"The super-resolution demo could not start."</p> }.into_any();
    };
    let ready = s.ready;
    let running = s.running;
    let file_input = NodeRef::<leptos::html::Input>::new();
    let open = move |ev: leptos::ev::Event| {
        read_chosen_file(&ev, move |name, read| match read {
            Ok(buffer) => s.load(name, buffer),
            Err(e) => s.error.set(Some(e)),
        });
    };
    let charts = move || {
        s.view.get().map(|v| {
            v.charts
                .into_iter()
                .map(|c| {
                    let names = c.series.clone();
                    let series = Signal::derive(move || {
                        s.history.with(|h| {
                            names
                                .iter()
                                .map(|n| Series {
                                    name: n.name.clone(),
                                    color: n.color.clone(),
                                    values: h.series(&n.name),
                                })
                                .collect()
                        })
                    });
                    view! { <LineChart title=c.title help=c.help range=Signal::stored(c.range) series=series /> }
                })
                .collect_view()
        })
    };
    let ssim_series = Signal::derive(move || {
        s.ssim.with(|(m, c)| {
            vec![
                Series {
                    name: "model".into(),
                    color: "#2e86ab".into(),
                    values: m.clone(),
                },
                Series {
                    name: "bicubic".into(),
                    color: "#999999".into(),
                    values: c.clone(),
                },
            ]
        })
    });
    view! {
        <main class="superres-view" data-step=move || s.step.get().to_string() data-ready=move || ready.get().to_string()>
            <section class="intro">
                <h2>"Super-resolution"</h2>
                <p>"Each held-out digit is averaged down to 7×7 pixels (or 14×14) and brought back to 28×28. Bicubic interpolation can only blur; the generator, trained like SRGAN with a pixel loss plus a discriminator that scores a 7×7 grid of overlapping 18×18-pixel patches, learns to redraw the strokes. It predicts a correction to bicubic upsampling, so it starts where bicubic is. Scores: PSNR and SSIM against the real digit on 1,000 digits never trained on."</p>
                {move || s.card.get().map(|c| view! {
                    <p class="muted" id="sr-card">{format!("Pretrained: {} steps in {:.0} s on {} (`{}`); on the held-out digits PSNR {:.2} dB / SSIM {:.3}, bicubic {:.2} dB / {:.3}.",
                        c.steps, c.train_seconds, c.trained_on, c.command, c.model.psnr, c.model.ssim, c.bicubic.psnr, c.bicubic.ssim)}</p>
                })}
            </section>
            {move || s.error.get().map(|e| view! {
                <div class="error-banner" role="alert" id="sr-error">{e}" "<button on:click=move |_| s.error.set(None)>"dismiss"</button></div>
            })}
            {move || s.notice.get().map(|n| view! { <p class="notice" role="status" id="sr-notice">{n}</p> })}
            <section class="controls">
                <p class="status">
                    <span id="sr-source">{move || s.source.get()}</span> " · step "
                    <span id="sr-step">{move || s.step.get()}</span>
                    {move || (s.steps_per_sec.get() > 0.0).then(|| format!(" · {:.1} steps/s", s.steps_per_sec.get()))}
                </p>
                <div class="buttons">
                    <button id="sr-train" disabled=move || !ready.get()
                        on:click=move |_| s.command(if running.get_untracked() { Command::Pause } else { Command::Start })>
                        {move || if running.get() { "Pause" } else { "Train" }}</button>
                    <button id="sr-step-once" disabled=move || !ready.get() || running.get() on:click=move |_| s.command(Command::Step)>"Step"</button>
                    <button id="sr-evaluate" disabled=move || !ready.get() title="Score the model and bicubic upsampling on the 1,000 held-out digits now (also done every 500 steps while training)."
                        on:click=move |_| s.command(Command::Evaluate)>"Score"</button>
                    <button id="sr-save" disabled=move || !ready.get() on:click=move |_| s.command(Command::SaveCheckpoint)>"Download networks"</button>
                    <button id="sr-open-button" on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Open file…"</button>
                    <input type="file" id="sr-open" accept=".bpk" node_ref=file_input class="hidden" on:change=open />
                    <button id="sr-pretrained" on:click=move |_| s.open_pretrained()>"Pretrained"</button>
                </div>
                <details class="settings" open>
                    <summary>"Settings (↻: applies when you restart)"</summary>
                    <div class="fields">{task_settings::<SrConfig>("sr", s.texts, s.errors)}</div>
                    <div class="buttons">
                        <button id="sr-apply" disabled=move || !ready.get() title="Apply the adversarial weight and learning rates to the running networks."
                            on:click=move |_| s.command(Command::Update(s.texts.get_untracked()))>"Apply"</button>
                        <button id="sr-reset" disabled=move || !ready.get() title="Fresh networks with these settings (adversarial weight 0: the pixel-loss-only baseline)."
                            on:click=move |_| { s.expect_source("trained from scratch in this tab"); s.command(Command::Reset(s.texts.get_untracked())) }>"Restart from scratch"</button>
                    </div>
                </details>
            </section>
            <div class="live">
            <section class="visuals">
                <ImagePanel panel=s.panel.into() canvas_id="sr-panel" labels_id="sr-rows" placeholder="Loading the upscaler…"
                    help="Eight held-out digits: the low-resolution input (enlarged), bicubic upsampling, the model's output and the real digit." />
                <ScoreTableView table=s.scores.into() id="sr-scores" />
            </section>
            <section class="charts">
                {charts}
                <LineChart title="SSIM on held-out digits" help="Mean SSIM of the model's output (and of bicubic upsampling) against the real digits, at each scoring." range=Signal::stored(None) unit="scorings" series=ssim_series />
            </section>
            </div>
        </main>
    }
    .into_any()
}

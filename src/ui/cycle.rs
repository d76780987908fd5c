//! The CycleGAN view: handwritten ↔ typeset digits. Fixed held-out triplets x → G(x) → F(G(x))
//! and y → F(y) → G(F(y)) with each round trip's error, the losses, and content preservation;
//! one click races a λ = 0 twin beside the run to show what the cycle loss is for. Pretrained
//! networks (with their twin) open at once.

use js_sys::ArrayBuffer;
use leptos::prelude::*;

use super::chart::{LineChart, Series};
use super::draw_pad::DrawPad;
use super::samples::{ImagePanel, read_chosen_file};
use super::scores::ScoreTableView;
use super::session::{History, save_arrived};
use super::task_form::task_settings;
use super::task_worker::{TaskWorker, fetch_pretrained};
use crate::core::cyclegan::CycleConfig;
use crate::core::pretrained::CycleCard;
use crate::core::train::FieldError;
use crate::engine::cyclegan::ID;
use crate::engine::task::{Panel, ScoreTable, TaskView};
use crate::engine::{Command, Event, ToWorker};

/// Where the page serves the pretrained networks' card.
const CARD_URL: &str = "./pretrained/cyclegan.json";

/// Content kept at each scoring: (x→y, y→x) of the run and of the twin (NaN where there was
/// none), in percent.
type KeptHistory = [Vec<f32>; 4];

/// The CycleGAN worker and everything the view draws.
#[derive(Clone, Copy)]
pub struct CycleSession {
    /// The settings form's texts (registry pairs).
    pub texts: RwSignal<Vec<(String, String)>>,
    /// Settings the worker refused.
    pub errors: RwSignal<Vec<FieldError>>,
    /// The task's series and charts.
    pub view: RwSignal<Option<TaskView>>,
    /// Step values so far.
    pub history: RwSignal<History>,
    /// The latest panel of each name (`cycle-x`, `cycle-y`, `twin-x`, `twin-y`).
    pub panels: RwSignal<Vec<Panel>>,
    /// The latest scores.
    pub scores: RwSignal<Option<ScoreTable>>,
    /// Content kept at each scoring.
    pub kept: RwSignal<KeptHistory>,
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
    /// The pretrained networks' card.
    pub card: RwSignal<Option<CycleCard>>,
    /// The last digit drawn or uploaded, translated again when the networks change.
    drawn: StoredValue<Option<Vec<u8>>>,
    /// The latest error, shown until dismissed.
    pub error: RwSignal<Option<String>>,
    /// The latest notice.
    pub notice: RwSignal<Option<String>>,
    worker: StoredValue<Option<TaskWorker>, LocalStorage>,
}

impl CycleSession {
    /// Starts the worker with the task and loads the pretrained networks.
    pub fn start() -> Self {
        let session = Self {
            texts: RwSignal::new(crate::core::settings::to_setting_pairs(&CycleConfig::new())),
            errors: RwSignal::new(Vec::new()),
            view: RwSignal::new(None),
            history: RwSignal::new(History::new(Vec::new())),
            panels: RwSignal::new(Vec::new()),
            scores: RwSignal::new(None),
            kept: RwSignal::new(Default::default()),
            step: RwSignal::new(0),
            steps_per_sec: RwSignal::new(0.0),
            running: RwSignal::new(false),
            ready: RwSignal::new(false),
            source: RwSignal::new("untrained networks".into()),
            pending_source: StoredValue::new(None),
            drawn: StoredValue::new(None),
            card: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(Some(
                "Starting: rendering the typeset digits and loading the networks…".into(),
            )),
            worker: StoredValue::new_local(None),
        };
        match TaskWorker::start(
            ID,
            session.texts.get_untracked(),
            "the CycleGAN's networks are small: the CPU worker trains them",
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

    /// Hands a CycleGAN file to the worker.
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

    /// Fetches the pretrained networks and loads them.
    pub fn open_pretrained(&self) {
        let session = *self;
        wasm_bindgen_futures::spawn_local(async move {
            match fetch_pretrained::<CycleCard>(CARD_URL, |c| &c.file).await {
                Ok((card, buffer)) => {
                    session.load(
                        format!("the pretrained networks ({} steps)", card.steps),
                        buffer,
                    );
                    session.card.set(Some(card));
                }
                Err(e) => {
                    session.notice.set(None);
                    session.error.set(Some(format!(
                        "The pretrained networks could not be loaded ({e}); these are untrained: press Train."
                    )));
                }
            }
        });
    }

    /// The latest panel named `name` (changes only when that panel does).
    pub fn panel(&self, name: &'static str) -> Signal<Option<Panel>> {
        let panels = self.panels;
        Memo::new(move |_| panels.with(|p| p.iter().find(|p| p.name == name).cloned())).into()
    }

    /// Whether a λ = 0 twin trains beside the run (the latest scores have its row).
    pub fn has_twin(&self) -> bool {
        self.scores
            .with(|t| t.as_ref().is_some_and(|t| t.rows.len() > 1))
    }

    /// Translates a drawn or uploaded digit both ways (again whenever the networks change).
    pub fn translate(&self, digit: Vec<u8>) {
        self.drawn.set_value(Some(digit.clone()));
        self.command(Command::Translate(digit));
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
                self.kept.set(Default::default());
                self.panels.set(Vec::new());
                self.step.set(step);
                self.ready.set(true);
                if let Some(digit) = self.drawn.get_value() {
                    self.command(Command::Translate(digit));
                }
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
            Event::Panel { panel, .. } => self.panels.update(|panels| {
                match panels.iter_mut().find(|p| p.name == panel.name) {
                    Some(p) => *p = panel,
                    None => panels.push(panel),
                }
            }),
            Event::Scores(table) => {
                let cell = |row: usize, col: usize| {
                    table
                        .rows
                        .get(row)
                        .and_then(|r| r.1.get(col))
                        .copied()
                        .unwrap_or(f32::NAN)
                };
                self.kept.update(|k| {
                    for (i, (row, col)) in [(0, 0), (0, 1), (1, 0), (1, 1)].into_iter().enumerate()
                    {
                        k[i].push(cell(row, col));
                    }
                });
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

/// The CycleGAN view.
#[component]
pub fn CycleView() -> impl IntoView {
    let Some(s) = use_context::<CycleSession>() else {
        return view! { <p>"The CycleGAN demo could not start."</p> }.into_any();
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
    let twin = Memo::new(move |_| s.has_twin());
    // Whether a panel of this name has arrived (changes once, so its view is built once).
    let has = move |name: &'static str| {
        Memo::new(move |_| s.panels.with(|p| p.iter().any(|p| p.name == name)))
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
    let kept_series = Signal::derive(move || {
        s.kept.with(|k| {
            let line = |name: &str, color: &str, values: &Vec<f32>| Series {
                name: name.into(),
                color: color.into(),
                values: values.clone(),
            };
            let mut lines = vec![line("x→y", "#2e86ab", &k[0]), line("y→x", "#3b8b5a", &k[1])];
            if k[2].iter().any(|v| v.is_finite()) {
                lines.push(line("twin x→y", "#e4572e", &k[2]));
                lines.push(line("twin y→x", "#f18f01", &k[3]));
            }
            lines
        })
    });
    let triplets = move |twin: bool| {
        let (x, y, x_rows, y_rows) = if twin {
            ("twin-x", "twin-y", "twin-x-rows", "twin-y-rows")
        } else {
            ("cycle-x", "cycle-y", "cycle-x-rows", "cycle-y-rows")
        };
        view! {
            <ImagePanel panel=s.panel(x) canvas_id=x labels_id=x_rows placeholder="Loading the networks…"
                help="Eight held-out handwritten digits x, their translation G(x) into the typeset style, and the round trip F(G(x)); under each column, the round trip's mean absolute error." />
            <ImagePanel panel=s.panel(y) canvas_id=y labels_id=y_rows placeholder="Loading the networks…"
                help="Eight held-out typeset digits y, their translation F(y) into handwriting, and the round trip G(F(y)); under each column, the round trip's mean absolute error." />
        }
    };
    view! {
        <main class="cycle-view" data-step=move || s.step.get().to_string() data-ready=move || ready.get().to_string()
            data-twin=move || twin.get().to_string()>
            <section class="intro">
                <h2>"CycleGAN: handwritten ↔ typeset digits"</h2>
                <p>"Two generators translate between domains that are never paired: G turns handwritten digits (MNIST) into typeset ones, F turns typeset digits (rendered here from ten DejaVu faces with random size, slant, weight and offset) into handwriting. Each has a PatchGAN discriminator that scores a 7×7 grid of overlapping 18×18-pixel patches, with the least-squares loss. The cycle-consistency loss λ·(‖F(G(x)) − x‖₁ + ‖G(F(y)) − y‖₁) asks that a round trip comes back where it started, so a translation must keep what the input was: its digit."</p>
                <p>"Why it matters, shown: “Race a λ = 0 twin” restarts the run beside a twin with no cycle (or identity) loss. The twin's translations still look like the other domain, but nothing ties them to their input; content preservation, the share of held-out digits our classifier (97.6% accurate on handwritten, 99.8% on typeset) reads as the same digit before and after, falls to chance."</p>
                {move || s.card.get().map(|c| {
                    let twin = c.twin.map(|t| format!(" Its λ = 0 twin, trained alike: {:.1}% / {:.1}%.", t.kept_xy * 100.0, t.kept_yx * 100.0)).unwrap_or_default();
                    view! {
                        <p class="muted" id="cycle-card">{format!("Pretrained: {} steps in {:.0} s on {} (`{}`); on {} held-out digits per domain it keeps {:.1}% of digits handwritten → typeset and {:.1}% typeset → handwritten.{twin}",
                            c.steps, c.train_seconds, c.trained_on, c.command, c.held_out, c.model.kept_xy * 100.0, c.model.kept_yx * 100.0)}</p>
                    }
                })}
            </section>
            {move || s.error.get().map(|e| view! {
                <div class="error-banner" role="alert" id="cycle-error">{e}" "<button on:click=move |_| s.error.set(None)>"dismiss"</button></div>
            })}
            {move || s.notice.get().map(|n| view! { <p class="notice" role="status" id="cycle-notice">{n}</p> })}
            <section class="controls">
                <p class="status">
                    <span id="cycle-source">{move || s.source.get()}</span> " · step "
                    <span id="cycle-step">{move || s.step.get()}</span>
                    {move || (s.steps_per_sec.get() > 0.0).then(|| format!(" · {:.1} steps/s", s.steps_per_sec.get()))}
                </p>
                <div class="buttons">
                    <button id="cycle-train" disabled=move || !ready.get()
                        on:click=move |_| s.command(if running.get_untracked() { Command::Pause } else { Command::Start })>
                        {move || if running.get() { "Pause" } else { "Train" }}</button>
                    <button id="cycle-step-once" disabled=move || !ready.get() || running.get() on:click=move |_| s.command(Command::Step)>"Step"</button>
                    <button id="cycle-twin" disabled=move || !ready.get()
                        title="Restart from scratch beside a twin with λ = 0 (same settings and seed, no cycle or identity loss), both training side by side; or drop the twin."
                        on:click=move |_| {
                            let on = !twin.get_untracked();
                            if on { s.expect_source("both trained from scratch in this tab"); }
                            s.command(Command::Twin(on))
                        }>
                        {move || if twin.get() { "Drop the twin" } else { "Race a λ = 0 twin" }}</button>
                    <button id="cycle-evaluate" disabled=move || !ready.get() title="Score content preservation on the held-out digits now (also done every 200 steps while training)."
                        on:click=move |_| s.command(Command::Evaluate)>"Score"</button>
                    <button id="cycle-save" disabled=move || !ready.get() on:click=move |_| s.command(Command::SaveCheckpoint)>"Download networks"</button>
                    <button id="cycle-open-button" on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Open file…"</button>
                    <input type="file" id="cycle-open" accept=".bpk" node_ref=file_input class="hidden" on:change=open />
                    <button id="cycle-pretrained" on:click=move |_| s.open_pretrained()>"Pretrained"</button>
                </div>
                <details class="settings" open>
                    <summary>"Settings (↻: applies when you restart)"</summary>
                    <div class="fields">{task_settings::<CycleConfig>("cycle", s.texts, s.errors)}</div>
                    <div class="buttons">
                        <button id="cycle-apply" disabled=move || !ready.get() title="Apply the loss weights and learning rates to the running networks (the twin keeps λ = 0)."
                            on:click=move |_| s.command(Command::Update(s.texts.get_untracked()))>"Apply"</button>
                        <button id="cycle-reset" disabled=move || !ready.get() title="Fresh networks with these settings (and a fresh twin, if one is racing)."
                            on:click=move |_| { s.expect_source("trained from scratch in this tab"); s.command(Command::Reset(s.texts.get_untracked())) }>"Restart from scratch"</button>
                    </div>
                </details>
            </section>
            <div class="live">
            <section class="visuals">
                <h3 class="run-title">{move || s.scores.with(|t| t.as_ref().and_then(|t| t.rows.first().map(|r| format!("The run ({})", r.0)))).unwrap_or_else(|| "The run".into())}</h3>
                {triplets(false)}
                {move || twin.get().then(|| view! {
                    <h3 class="run-title">"The λ = 0 twin (no cycle or identity loss)"</h3>
                    {triplets(true)}
                })}
                <ScoreTableView table=s.scores.into() id="cycle-scores" />
            </section>
            <section class="draw">
                <h3>"Draw or upload a digit"</h3>
                <p class="muted">"Draw a digit (or upload a picture of one: it is cropped to its strokes, scaled into 20×20 and centred like MNIST). It is translated both ways as you draw: G turns it into type, F into handwriting, and each comes back through the other generator. Under each image, the digit the classifier reads."</p>
                <div class="draw-row">
                    <DrawPad id="cycle-pad" on_digit=Callback::new(move |digit| s.translate(digit)) />
                    <div class="drawn">
                        {move || match has("drawn").get() {
                            true => view! {
                                <ImagePanel panel=s.panel("drawn") canvas_id="drawn" labels_id="drawn-rows"
                                    help="Your digit, G(·) (typeset), F(G(·)) (back), F(·) (handwritten) and G(F(·)) (back), with the digit the classifier reads in each." />
                            }.into_any(),
                            false => view! { <p class="muted">"Its translations appear here."</p> }.into_any(),
                        }}
                        {move || (twin.get() && has("drawn-twin").get()).then(|| view! {
                            <ImagePanel panel=s.panel("drawn-twin") canvas_id="drawn-twin" labels_id="drawn-twin-rows"
                                help="The same through the λ = 0 twin's generators." />
                        })}
                    </div>
                </div>
            </section>
            <section class="charts">
                <LineChart title="Content preservation (%)" help="The share of held-out digits whose digit the content classifier reads the same before and after translation, at each scoring: the run's two directions, and the λ = 0 twin's when one races. Chance is about 10%." range=Signal::stored(Some((0.0, 100.0))) unit="scorings" series=kept_series />
                {charts}
            </section>
            </div>
        </main>
    }
    .into_any()
}

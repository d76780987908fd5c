//! What the training demos' views share (super-resolution, CycleGAN, …): a worker running the
//! demo's task and the state its events build (settings, charts' history, panels by name,
//! scores, step, speed, where the networks came from, errors and notices), and the controls
//! around it (train, step, score, download, open, pretrained, the settings form).

use js_sys::ArrayBuffer;
use leptos::prelude::*;

use super::chart::{LineChart, Series};
use super::embed::{self, HostCommand, RunGate, Trains};
use super::progress::{self, Download, DownloadBar};
use super::samples::read_chosen_file;
use super::session::{History, save_arrived};
use super::task_worker::{TaskWorker, fetch_pretrained};
use crate::core::settings::SettingPairs;
use crate::core::train::FieldError;
use crate::engine::task::{Panel, ScoreTable, TaskView};
use crate::engine::{Command, Event, ToWorker};

/// A demo's worker and the state its events build.
#[derive(Clone, Copy)]
pub struct DemoSession {
    /// The settings form's texts (registry pairs).
    pub texts: RwSignal<SettingPairs>,
    /// Settings the worker refused.
    pub errors: RwSignal<Vec<FieldError>>,
    /// The task's series and charts.
    pub view: RwSignal<Option<TaskView>>,
    /// Step values so far.
    pub history: RwSignal<History>,
    /// The latest panel of each name.
    pub panels: RwSignal<Vec<Panel>>,
    /// The latest scores.
    pub scores: RwSignal<Option<ScoreTable>>,
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
    /// Whether they came from the demo's shipped pretrained file (trained further or not).
    pub pretrained: RwSignal<bool>,
    /// The latest error, shown until dismissed.
    pub error: RwSignal<Option<String>>,
    /// The latest notice.
    pub notice: RwSignal<Option<String>>,
    /// Where the networks asked for come from (and whether they are the pretrained file),
    /// shown once the worker starts them.
    pending_source: StoredValue<Option<(String, bool)>>,
    worker: StoredValue<Option<TaskWorker>, LocalStorage>,
    /// What the worker is downloading.
    pub download: RwSignal<Option<Download>>,
    /// Whether training is wanted, and whether the view is on screen (embed mode).
    gate: RunGate,
}

impl Trains for DemoSession {
    fn gate(&self) -> RunGate {
        self.gate
    }

    fn is_running(&self) -> bool {
        self.running.get_untracked()
    }

    fn send(&self, command: Command) {
        self.command(command);
    }
}

impl DemoSession {
    /// Starts the CPU worker with `task` and `settings` (`reason`: why the CPU; `starting`: the
    /// notice until it answers); `also` sees every event after the shared state has taken it in.
    pub fn start(
        task: &'static str,
        settings: SettingPairs,
        reason: &'static str,
        starting: &str,
        also: impl Fn(DemoSession, &Event) + 'static,
    ) -> Self {
        let session = Self {
            texts: RwSignal::new(settings.clone()),
            errors: RwSignal::new(Vec::new()),
            view: RwSignal::new(None),
            history: RwSignal::new(History::new(Vec::new())),
            panels: RwSignal::new(Vec::new()),
            scores: RwSignal::new(None),
            step: RwSignal::new(0),
            steps_per_sec: RwSignal::new(0.0),
            running: RwSignal::new(false),
            ready: RwSignal::new(false),
            source: RwSignal::new("untrained networks".into()),
            pretrained: RwSignal::new(false),
            error: RwSignal::new(None),
            notice: RwSignal::new(Some(starting.into())),
            pending_source: StoredValue::new(None),
            worker: StoredValue::new_local(None),
            download: RwSignal::new(None),
            gate: RunGate::from_context(),
        };
        match TaskWorker::start(task, settings, reason, true, move |event, buffer| {
            embed::relay(&event);
            if progress::track(session.download, &event) {
                return;
            }
            session.on_event(&event, buffer);
            also(session, &event);
        }) {
            Ok(w) => session.worker.set_value(Some(w)),
            Err(e) => session.error.set(Some(e)),
        }
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

    /// Obeys a command of the host page (embed mode), except `load`, which each demo answers
    /// with its own networks; the error says why not.
    pub fn host(&self, command: HostCommand) -> Result<(), String> {
        if !self.ready.get_untracked() {
            return Err("the demo's worker is not ready yet; wait for the “ready” event".into());
        }
        let Some(command) = self.obey_run(command)? else {
            return Ok(());
        };
        match command {
            HostCommand::Start | HostCommand::Pause | HostCommand::Step => {}
            HostCommand::Reset => {
                self.expect_source("trained from scratch in this tab");
                self.command(Command::Reset(self.texts.get_untracked()));
            }
            HostCommand::Set { setting, value } => {
                if !self
                    .texts
                    .with_untracked(|t| t.iter().any(|(k, _)| *k == setting))
                {
                    return Err(format!(
                        "there is no setting “{setting}”; this demo's settings are {}",
                        self.texts.with_untracked(|t| t
                            .iter()
                            .map(|(k, _)| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", "))
                    ));
                }
                self.texts.update(|t| {
                    if let Some(entry) = t.iter_mut().find(|(k, _)| *k == setting) {
                        entry.1 = value;
                    }
                });
                self.command(Command::Update(self.texts.get_untracked()));
            }
            HostCommand::Load { model } => {
                return Err(format!("this demo cannot load “{model}”"));
            }
        }
        Ok(())
    }

    /// Hands a file of the demo to the worker; `name` says where it came from once it loads.
    pub fn load(&self, name: String, buffer: ArrayBuffer) {
        self.load_file(name, buffer, false);
    }

    fn load_file(&self, name: String, buffer: ArrayBuffer, pretrained: bool) {
        self.pending_source.set_value(Some((name, pretrained)));
        self.worker.with_value(|w| {
            if let Some(w) = w {
                w.post(
                    ToWorker::Command(Command::LoadCheckpoint { bytes: Vec::new() }),
                    Some(buffer),
                )
            }
        });
    }

    /// Names where the next networks the worker starts come from.
    pub fn expect_source(&self, source: &str) {
        self.pending_source.set_value(Some((source.into(), false)));
    }

    /// Fetches the pretrained networks' card (into `card`) and file, and loads them; `what`
    /// names them in messages.
    pub fn open_pretrained<C: serde::de::DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        card_url: &'static str,
        file_of: fn(&C) -> &str,
        steps_of: fn(&C) -> u64,
        what: &'static str,
        card: RwSignal<Option<C>>,
    ) {
        let session = *self;
        wasm_bindgen_futures::spawn_local(async move {
            match fetch_pretrained::<C>(card_url, file_of).await {
                Ok((c, buffer)) => {
                    session.load_file(format!("the {what} ({} steps)", steps_of(&c)), buffer, true);
                    card.set(Some(c));
                }
                Err(e) => {
                    session.notice.set(None);
                    session.error.set(Some(format!(
                        "The {what} could not be loaded ({e}); these networks are untrained: press Train."
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

    fn on_event(&self, event: &Event, buffer: Option<ArrayBuffer>) {
        match event {
            Event::Ready(_) => self.ready.set(true),
            Event::Started {
                view,
                settings,
                step,
            } => {
                if let Some((source, pretrained)) =
                    self.pending_source.try_update_value(Option::take).flatten()
                {
                    self.source.set(source);
                    self.pretrained.set(pretrained);
                }
                self.notice.set(None);
                self.history.set(History::new(view.series.clone()));
                self.view.set(Some(view.clone()));
                self.texts.set(settings.clone());
                self.errors.set(Vec::new());
                self.panels.set(Vec::new());
                self.step.set(*step);
                self.ready.set(true);
            }
            // The form keeps what it says: its ↻ settings, which the run ignores until a
            // restart, are not replaced by the run's.
            Event::Applied { .. } => {
                self.errors.set(Vec::new());
                self.notice
                    .set(Some("Applied to the running networks.".into()));
            }
            Event::Rejected(errors) => {
                // What was asked for was refused: the networks shown stay, and so does their name.
                self.pending_source.set_value(None);
                self.errors.set(errors.0.clone());
            }
            Event::Progress {
                records,
                steps_per_sec,
                ..
            } => {
                if let Some(last) = records.last() {
                    self.step.set(last.step);
                }
                if *steps_per_sec > 0.0 {
                    self.steps_per_sec.set(*steps_per_sec);
                }
                self.history.update(|h| {
                    for r in records {
                        for (series, v) in h.values.iter_mut().zip(&r.values) {
                            series.push(*v);
                        }
                    }
                });
            }
            Event::Panel { panel, .. } => self.panels.update(|panels| {
                match panels.iter_mut().find(|p| p.name == panel.name) {
                    Some(p) => *p = panel.clone(),
                    None => panels.push(panel.clone()),
                }
            }),
            Event::Scores(table) => self.scores.set(Some(table.clone())),
            Event::Running(r) => {
                self.gate.on_running(*r);
                self.running.set(*r);
            }
            Event::Checkpoint { file_name, .. } => match save_arrived(buffer, file_name) {
                Ok(notice) => self.notice.set(Some(notice)),
                Err(e) => self.error.set(Some(e)),
            },
            Event::Error(e) => {
                self.pending_source.set_value(None);
                if e.fatal {
                    self.ready.set(false);
                }
                self.notice.set(None);
                self.error.set(Some(e.message.clone()));
            }
            _ => {}
        }
    }
}

/// The error banner and the notice line (ids `{prefix}-error`, `{prefix}-notice`).
#[component]
pub fn DemoMessages(s: DemoSession, prefix: &'static str) -> impl IntoView {
    view! {
        {move || s.error.get().map(|e| view! {
            <div class="error-banner" role="alert" id=format!("{prefix}-error")>{e}" "<button on:click=move |_| s.error.set(None)>"dismiss"</button></div>
        })}
        {move || s.notice.get().map(|n| view! { <p class="notice" role="status" id=format!("{prefix}-notice")>{n}</p> })}
    }
}

/// The status line, the run's buttons (with `extra` buttons after Step) and the settings form
/// with Apply and Restart; element ids start with `prefix`.
#[component]
pub fn DemoControls(
    s: DemoSession,
    prefix: &'static str,
    /// The settings form (the task's registry).
    form: AnyView,
    /// Tooltip of Score.
    score_help: &'static str,
    /// Tooltip of Apply.
    apply_help: &'static str,
    /// Tooltip of Restart from scratch.
    reset_help: &'static str,
    /// Reloads the pretrained networks.
    pretrained: Callback<()>,
    /// More buttons, after Step.
    #[prop(optional)]
    extra: Option<AnyView>,
) -> impl IntoView {
    let ready = s.ready;
    let running = s.running;
    let file_input = NodeRef::<leptos::html::Input>::new();
    let open = move |ev: leptos::ev::Event| {
        read_chosen_file(&ev, move |name, read| match read {
            Ok(buffer) => s.load(name, buffer),
            Err(e) => s.error.set(Some(e)),
        });
    };
    let layout = super::options::Layout::current();
    view! {
        <section class="controls" hidden=!layout.shows("controls")>
            <p class="status">
                <span id=format!("{prefix}-source")>{move || s.source.get()}</span> " · step "
                <span id=format!("{prefix}-step")>{move || s.step.get()}</span>
                {move || (s.steps_per_sec.get() > 0.0).then(|| format!(" · {:.1} steps/s", s.steps_per_sec.get()))}
            </p>
            <DownloadBar download=s.download />
            <div class="buttons">
                <button id=format!("{prefix}-train") disabled=move || !ready.get()
                    on:click=move |_| s.run(!running.get_untracked())>
                    {move || if running.get() { "Pause" } else { "Train" }}</button>
                <button id=format!("{prefix}-step-once") disabled=move || !ready.get() || running.get() on:click=move |_| s.command(Command::Step)>"Step"</button>
                {extra}
                <button id=format!("{prefix}-evaluate") disabled=move || !ready.get() title=score_help
                    on:click=move |_| s.command(Command::Evaluate)>"Score"</button>
                <button id=format!("{prefix}-save") disabled=move || !ready.get() on:click=move |_| s.command(Command::SaveCheckpoint)>"Download networks"</button>
                <button id=format!("{prefix}-open-button") on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Open file…"</button>
                <input type="file" id=format!("{prefix}-open") accept=".bpk" node_ref=file_input class="hidden" on:change=open />
                <button id=format!("{prefix}-pretrained") on:click=move |_| pretrained.run(())>"Pretrained"</button>
            </div>
            <details class="settings" open>
                <summary>"Settings (↻: applies when you restart)"</summary>
                <div class="fields">{form}</div>
                <div class="buttons">
                    <button id=format!("{prefix}-apply") disabled=move || !ready.get() title=apply_help
                        on:click=move |_| s.command(Command::Update(s.texts.get_untracked()))>"Apply"</button>
                    <button id=format!("{prefix}-reset") disabled=move || !ready.get() title=reset_help
                        on:click=move |_| { s.expect_source("trained from scratch in this tab"); s.command(Command::Reset(s.texts.get_untracked())) }>"Restart from scratch"</button>
                </div>
            </details>
        </section>
    }
}

/// A chart per chart the task describes, of its step series.
#[component]
pub fn DemoCharts(s: DemoSession) -> impl IntoView {
    move || {
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
    }
}

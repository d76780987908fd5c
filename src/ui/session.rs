//! The train view's session: the worker bridge and every signal the view draws, updated from
//! engine events. It outlives the view (going home and back keeps the run), and views reach it
//! through Leptos context.

use js_sys::{Array, ArrayBuffer};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::bridge::WorkerBridge;
use super::controls::Form;
use super::embed::{self, HostCommand, RunGate, Trains};
use super::options::{PageOptions, Route, train_hash};
use super::progress::{self, Download};
use crate::core::metrics::{ClassStats, QualityMetrics};
use crate::core::models::Conditioning;
use crate::core::presets::Preset;
use crate::core::settings::{apply_pairs, to_setting_pairs};
use crate::core::train::TrainConfig;
use crate::engine::backend::{Placement, WorkerKind, place, probe_adapter};
use crate::engine::task::{GAN_TASK, Panel, TaskView};
use crate::engine::{BackendChoice, BackendInfo, Command, Event, SAMPLE_EVERY, ToWorker};

/// The preset list's value for a run that is no preset.
pub const CUSTOM_PRESET: &str = "custom";

/// Default metrics interval in steps.
pub const METRICS_EVERY: u32 = 250;

/// The named series of the run so far (one value per step each).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Series names, in [`StepRecord`](crate::engine::StepRecord) value order.
    pub names: Vec<String>,
    /// One history per series.
    pub values: Vec<Vec<f32>>,
}

impl History {
    /// An empty history of these series.
    pub fn new(names: Vec<String>) -> Self {
        let values = vec![Vec::new(); names.len()];
        Self { names, values }
    }

    /// The values of the series called `name` (empty if the task has none).
    pub fn series(&self, name: &str) -> Vec<f32> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.values[i].clone())
            .unwrap_or_default()
    }
}

/// A training session in the worker and what the page shows of it.
#[derive(Clone, Copy)]
pub struct TrainSession {
    /// The settings form.
    pub form: Form,
    /// The task's named series.
    pub history: RwSignal<History>,
    /// What the task reports: its series and charts.
    pub view: RwSignal<Option<TaskView>>,
    /// Generator steps so far.
    pub step: RwSignal<u64>,
    /// (steps/s, images/s) of the last chunk.
    pub rate: RwSignal<(f32, f32)>,
    /// Milliseconds spent training.
    pub elapsed: RwSignal<f64>,
    /// The latest sample grid (the GAN task's `samples` panel).
    pub samples: RwSignal<Option<Panel>>,
    /// The latest grid drawn from fresh latent vectors (the `generated` panel).
    pub generated: RwSignal<Option<Panel>>,
    /// `(step, metrics)` of every evaluation.
    pub metrics: RwSignal<Vec<(u64, QualityMetrics)>>,
    /// The "samples every" field's text.
    pub sample_every: RwSignal<String>,
    /// The "metrics every" field's text.
    pub metrics_every: RwSignal<String>,
    /// Whether G takes a label (or an InfoGAN's category).
    pub conditional: RwSignal<bool>,
    /// How the run is conditioned (names the grid's rows: digits or categories).
    pub conditioning: RwSignal<Conditioning>,
    /// Conditional models: the digits the grid shows.
    pub digits: RwSignal<[bool; 10]>,
    /// The preset list's value.
    pub preset: RwSignal<String>,
    /// The classifier's verdict on the grid.
    pub stats: RwSignal<Option<ClassStats>>,
    /// The backend in use.
    pub backend: RwSignal<Option<BackendInfo>>,
    /// The user's backend wish.
    pub backend_choice: BackendChoice,
    /// Training continuously.
    pub running: RwSignal<bool>,
    /// The worker is up and a run exists.
    pub ready: RwSignal<bool>,
    /// The latest error, shown until dismissed.
    pub error: RwSignal<Option<String>>,
    /// The latest notice.
    pub notice: RwSignal<Option<String>>,
    /// The "pause at step" field's text.
    pub pause_at: RwSignal<String>,
    /// The settings of the run in the worker.
    pub run_config: RwSignal<Option<TrainConfig>>,
    /// The worker reported a fatal error and has stopped.
    pub stopped: RwSignal<bool>,
    /// The checkpoint file being loaded.
    pub loading: RwSignal<Option<String>>,
    /// What the worker is downloading (its wasm, the digits, the classifier).
    pub download: RwSignal<Option<Download>>,
    /// The file being loaded is a run checkpoint (else networks or a generator to fine-tune).
    loading_run: StoredValue<bool>,
    options: StoredValue<PageOptions>,
    placement: StoredValue<Option<Placement>>,
    bridge: StoredValue<Option<WorkerBridge>, LocalStorage>,
    /// A file to load once the worker's first run has started (handed over by the gallery).
    pending: StoredValue<Option<ArrayBuffer>, LocalStorage>,
    /// Whether training is wanted, and whether the view is on screen (embed mode).
    gate: RunGate,
}

impl Trains for TrainSession {
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

impl TrainSession {
    /// Starts the worker with the address's settings.
    pub fn start(options: &PageOptions) -> Self {
        let session = Self {
            form: Form::new(&options.config),
            history: RwSignal::new(History::default()),
            view: RwSignal::new(None),
            step: RwSignal::new(0),
            rate: RwSignal::new((0.0, 0.0)),
            elapsed: RwSignal::new(0.0),
            samples: RwSignal::new(None),
            generated: RwSignal::new(None),
            metrics: RwSignal::new(Vec::new()),
            sample_every: RwSignal::new(options.sample_every.unwrap_or(SAMPLE_EVERY).to_string()),
            metrics_every: RwSignal::new(
                options.metrics_every.unwrap_or(METRICS_EVERY).to_string(),
            ),
            conditional: RwSignal::new(false),
            conditioning: RwSignal::new(Conditioning::None),
            digits: RwSignal::new([true; 10]),
            preset: RwSignal::new(options.preset.id().into()),
            stats: RwSignal::new(None),
            backend: RwSignal::new(None),
            backend_choice: options.backend,
            running: RwSignal::new(false),
            ready: RwSignal::new(false),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            pause_at: RwSignal::new(options.pause_at.map(|p| p.to_string()).unwrap_or_default()),
            run_config: RwSignal::new(None),
            stopped: RwSignal::new(false),
            loading: RwSignal::new(None),
            download: RwSignal::new(None),
            loading_run: StoredValue::new(true),
            options: StoredValue::new(options.clone()),
            placement: StoredValue::new(None),
            bridge: StoredValue::new_local(None),
            pending: StoredValue::new_local(None),
            gate: RunGate::from_context(),
        };
        // Probe WebGPU once (not for a forced CPU), then start the worker build that fits.
        let choice = options.backend;
        wasm_bindgen_futures::spawn_local(async move {
            let probe = match (choice, web_sys::window()) {
                (BackendChoice::Cpu, _) => Err(String::new()),
                (_, Some(window)) => probe_adapter(&window.navigator().into()).await,
                (_, None) => Err("no window".into()),
            };
            let placement = place(choice, probe);
            session.placement.set_value(Some(placement.clone()));
            match WorkerBridge::spawn(
                &super::assets::worker_url(placement.worker, true),
                move |event, buffer| session.on_event(event, buffer),
            ) {
                Ok(b) => session.bridge.set_value(Some(b)),
                Err(e) => session.error.set(Some(e)),
            }
        });
        session
    }

    /// Sends a message to the worker.
    pub fn send(&self, message: ToWorker) {
        self.bridge.with_value(|b| {
            if let Some(b) = b {
                b.send(&message)
            }
        })
    }

    /// Sends a message with a file, whose buffer is transferred to the worker.
    pub fn send_with_buffer(&self, message: ToWorker, buffer: ArrayBuffer) {
        self.bridge.with_value(|b| {
            if let Some(b) = b {
                b.send_with_buffer(&message, buffer)
            }
        })
    }

    /// Loads a checkpoint or generator file named `name` (a generator file is fine-tuned
    /// against a fresh discriminator); before the worker is ready, as soon as it is.
    pub fn load_file(&self, name: String, buffer: ArrayBuffer) {
        // A run checkpoint starts with its magic; anything else resumes without optimisers.
        let head = js_sys::Uint8Array::new_with_byte_offset_and_length(
            &buffer,
            0,
            buffer.byte_length().min(8),
        )
        .to_vec();
        self.loading_run.set_value(head == b"GANPLAY\0");
        self.loading.set(Some(name));
        if self.ready.get_untracked() {
            self.send_with_buffer(
                ToWorker::Command(Command::LoadCheckpoint { bytes: Vec::new() }),
                buffer,
            );
        } else {
            self.pending.set_value(Some(buffer));
        }
    }

    /// Sends an engine command.
    pub fn command(&self, c: Command) {
        self.send(ToWorker::Command(c));
    }

    /// The address (`#/train?…`) that reproduces the run in the worker.
    pub fn address(&self) -> Option<String> {
        let config = self.run_config.get_untracked()?;
        let preset = Preset::from_id(&self.preset.get_untracked());
        Some(train_hash(preset, self.backend_choice, &config))
    }

    /// Writes the run's address into the address bar (replacing the entry, so back and
    /// forward still move between views) while the train view is shown.
    pub fn write_address(&self) {
        let Some(hash) = self.address() else { return };
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let on_train = location.hash().is_ok_and(|h| {
            let path = h.trim_start_matches('#');
            let path = path.split_once('?').map_or(path, |(p, _)| p);
            Route::from_path(path) == Some(Route::Train)
        });
        if on_train && let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&super::options::address_with_hash(&hash)),
            );
        }
    }

    /// Obeys a command of the host page (embed mode); the error says why not.
    pub fn host(&self, command: HostCommand) -> Result<(), String> {
        if !self.ready.get_untracked() {
            return Err("the training worker is not ready yet; wait for the “ready” event".into());
        }
        let Some(command) = self.obey_run(command)? else {
            return Ok(());
        };
        match command {
            HostCommand::Start | HostCommand::Pause | HostCommand::Step => {}
            HostCommand::Reset => {
                let config = self.form.config().ok_or_else(|| self.form_errors())?;
                self.command(Command::Reset(to_setting_pairs(&config)));
            }
            HostCommand::Set { setting, value } => {
                let Some(entry) = crate::core::settings::Setting::<TrainConfig>::find(&setting)
                else {
                    return Err(format!("there is no setting “{setting}”"));
                };
                let before = self.form.text(entry.id).unwrap_or_default();
                self.form.set_text(entry.id, &value);
                let Some(config) = self.form.config() else {
                    let message = self.form_errors();
                    // The refused value goes; the form's messages are its own again.
                    self.form.set_text(entry.id, &before);
                    let _ = self.form.config();
                    return Err(message);
                };
                if entry.live {
                    self.command(Command::Update(to_setting_pairs(&config)));
                }
            }
            HostCommand::Load { model } => {
                let session = *self;
                wasm_bindgen_futures::spawn_local(async move {
                    match super::gallery::fetch_model(&model).await {
                        Ok((file, buffer)) => session.load_file(file, buffer),
                        Err(e) => embed::report_error(&format!("could not load “{model}”: {e}")),
                    }
                });
            }
        }
        Ok(())
    }

    fn form_errors(&self) -> String {
        self.form.errors.with_untracked(|errors| {
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn on_event(&self, event: Event, buffer: Option<ArrayBuffer>) {
        embed::relay(&event);
        if progress::track(self.download, &event) {
            return;
        }
        match event {
            Event::Listening => {
                let options = self.options.get_value();
                let config = self.form.config().unwrap_or_else(TrainConfig::new);
                let placement = self.placement.get_value();
                let (backend, reason) = match placement {
                    Some(Placement {
                        worker: WorkerKind::Gpu,
                        ..
                    }) => (BackendChoice::Gpu, None),
                    Some(p) => (BackendChoice::Cpu, p.reason),
                    None => (BackendChoice::Cpu, None),
                };
                self.send(ToWorker::Init {
                    backend,
                    reason,
                    task: GAN_TASK.id.into(),
                    settings: to_setting_pairs(&config),
                });
                self.command(Command::SampleEvery(
                    self.sample_every
                        .get_untracked()
                        .trim()
                        .parse()
                        .unwrap_or(SAMPLE_EVERY),
                ));
                self.command(Command::MetricsEvery(
                    self.metrics_every
                        .get_untracked()
                        .trim()
                        .parse()
                        .unwrap_or(METRICS_EVERY),
                ));
                if let Some(at) = options.pause_at {
                    self.command(Command::PauseAt(Some(at)));
                }
                if options.autostart {
                    self.run(true);
                }
            }
            Event::Ready(info) => self.backend.set(Some(info)),
            Event::Started {
                view,
                settings,
                step,
            } => {
                let config = config_of(&settings);
                // The preset list names the run's preset, or says the run is the user's own
                // (a loaded file or edited settings); presets differ from runs only in seed.
                let json = |c: &TrainConfig| serde_json::to_value(c).ok();
                let preset = Preset::ALL.into_iter().find(|p| {
                    let mut c = p.config();
                    c.seed = config.seed;
                    json(&c) == json(&config)
                });
                self.preset
                    .set(preset.map_or(CUSTOM_PRESET, |p| p.id()).to_string());
                self.generated.set(None);
                self.history.set(History::new(view.series.clone()));
                self.view.set(Some(view));
                self.metrics.set(Vec::new());
                self.step.set(step);
                self.elapsed.set(0.0);
                self.ready.set(true);
                self.conditional
                    .set(config.architecture.conditioning.is_conditional());
                self.conditioning.set(config.architecture.conditioning);
                self.form.set(&config);
                self.run_config.set(Some(config));
                self.write_address();
                if let Some(buffer) = self.pending.try_update_value(Option::take).flatten() {
                    self.send_with_buffer(
                        ToWorker::Command(Command::LoadCheckpoint { bytes: Vec::new() }),
                        buffer,
                    );
                    return;
                }
                if let Some(name) = self.loading.get_untracked() {
                    self.loading.set(None);
                    let restored = if !self.loading_run.get_value() {
                        "its networks (a generator file: against a fresh discriminator) and settings; the optimisers start afresh"
                    } else if self.backend.get_untracked().is_some_and(|b| b.gpu) {
                        "networks, moving average, settings, random streams and charts restored; on WebGPU the optimisers' moments start afresh (the CPU backend and `gan-playground train --resume` continue exactly)"
                    } else {
                        "networks, moving average, optimisers, settings, random streams and charts restored: training goes on exactly as if it had never stopped"
                    };
                    self.notice.set(Some(format!(
                        "Continuing {name} from step {step}: {restored}."
                    )));
                }
            }
            Event::Applied { view, settings } => {
                let config = config_of(&settings);
                self.view.set(Some(view));
                self.run_config.set(Some(config));
                self.write_address();
            }
            Event::Progress {
                records,
                steps_per_sec,
                images_per_sec,
                elapsed_ms,
            } => {
                self.history.update(|h| {
                    for r in &records {
                        for (series, v) in h.values.iter_mut().zip(&r.values) {
                            series.push(*v);
                        }
                    }
                });
                if let Some(last) = records.last() {
                    self.step.set(last.step);
                }
                self.rate.set((steps_per_sec, images_per_sec));
                self.elapsed.set(elapsed_ms);
            }
            Event::Panel { panel, stats } => match panel.name.as_str() {
                "samples" => {
                    self.samples.set(Some(panel));
                    self.stats.set(stats);
                }
                "generated" => self.generated.set(Some(panel)),
                _ => {}
            },
            Event::Metrics { step, metrics } => {
                self.metrics.update(|all| all.push((step, metrics)))
            }
            Event::Running(r) => {
                self.gate.on_running(r);
                self.running.set(r);
            }
            Event::Rejected(errors) => self.form.errors.set(errors.0),
            Event::Checkpoint {
                step, file_name, ..
            } => match buffer.map(|b| download(&b, &file_name)) {
                Some(Ok(())) => self.notice.set(Some(format!(
                    "Saved {file_name} (step {step}). Load it here or continue it with `gan-playground train --resume {file_name}`."
                ))),
                Some(Err(e)) => self.error.set(Some(format!("could not save the checkpoint: {e:?}"))),
                None => self.error.set(Some("the checkpoint arrived without its file".into())),
            },
            // The gallery's events; the train view asks for none.
            Event::File { .. } | Event::Sweep(_) | Event::Scores(_) | Event::Loading { .. } => {}
            Event::Error(e) => {
                self.loading.set(None);
                if e.fatal {
                    self.stopped.set(true);
                    self.ready.set(false);
                    self.running.set(false);
                }
                self.error.set(Some(e.message));
            }
        }
    }
}

/// The GAN settings the engine reports (valid: the engine checked them).
fn config_of(settings: &[(String, String)]) -> TrainConfig {
    apply_pairs(
        &TrainConfig::new(),
        settings.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )
    .0
}

/// Offers a file the worker sent (its bytes beside the message) for download: the notice to
/// show when the browser took it, or the error.
pub(super) fn save_arrived(buffer: Option<ArrayBuffer>, file_name: &str) -> Result<String, String> {
    match buffer {
        Some(b) => download(&b, file_name)
            .map(|()| format!("Saved {file_name}."))
            .map_err(|e| format!("could not save {file_name}: {e:?}")),
        None => Err("the file arrived without its bytes".into()),
    }
}

/// Offers `buffer` as a file download named `name` (the buffer is not copied into wasm).
pub(super) fn download(buffer: &ArrayBuffer, name: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob =
        web_sys::Blob::new_with_buffer_source_sequence_and_options(&Array::of1(buffer), &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // Revoke once the browser has started the download.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

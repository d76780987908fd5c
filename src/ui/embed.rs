//! Embed mode's contract with the host page.
//!
//! - **Commands in**: `{target: "gan-playground", version: 1, type, …}` by postMessage, obeyed
//!   only from the origins the address lists (`origins=`); anything else is ignored and counted.
//! - **Events out**: `{source: "gan-playground", version: 1, type, …}` to those origins (the
//!   height alone goes to any host, see `report_height`).
//! - **Visibility**: an embedded view starts only once at least half of it is on screen, and its
//!   training pauses while it is scrolled away or its tab is hidden.
//!
//! The message formats are pure functions, tested (and fuzzed) natively.

use std::cell::RefCell;

use leptos::prelude::*;
use serde_json::{Map, Value, json};

use crate::engine::{Command, Event};

/// The version of the message formats this page speaks.
pub const VERSION: u64 = 1;
/// `source` of the page's messages, `target` of the host's.
pub const NAME: &str = "gan-playground";

/// A command from the host page.
#[derive(Clone, Debug, PartialEq)]
pub enum HostCommand {
    /// Train continuously (once the demo is visible).
    Start,
    /// Pause after the current step.
    Pause,
    /// One training step.
    Step,
    /// A fresh run with the current settings.
    Reset,
    /// Change a setting, as the form would: live settings apply at once, the others at the
    /// next `reset`.
    Set {
        /// The setting's id (as in the address).
        setting: String,
        /// Its new value, as text.
        value: String,
    },
    /// Open a pretrained model: the gallery's or train view's catalogue id, or a demo's
    /// `pretrained` networks (CycleGAN: `typeset` or `colour`).
    Load {
        /// Which model.
        model: String,
    },
}

/// Why a message was not obeyed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MessageError {
    /// Not addressed to this page (no `target: "gan-playground"`): someone else's message.
    #[error("not a GAN Playground message")]
    NotOurs,
    /// A version this page does not speak.
    #[error("message version {0} is not understood; this page speaks version {VERSION}")]
    Version(String),
    /// An unknown `type`.
    #[error("unknown command “{0}”; the commands are start, pause, step, reset, set, load")]
    Unknown(String),
    /// A field the command needs is missing or of the wrong kind.
    #[error("the “{command}” command needs “{field}” ({what})")]
    Field {
        /// The command.
        command: &'static str,
        /// The field.
        field: &'static str,
        /// What it must be.
        what: &'static str,
    },
}

/// Reads a host message (any JSON value) as a command.
pub fn parse_command(message: &Value) -> Result<HostCommand, MessageError> {
    let object = message.as_object().ok_or(MessageError::NotOurs)?;
    if object.get("target").and_then(Value::as_str) != Some(NAME) {
        return Err(MessageError::NotOurs);
    }
    match object.get("version") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(v) => return Err(MessageError::Version(short(v))),
        None => return Err(MessageError::Version("(none)".into())),
    }
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .ok_or(MessageError::Unknown(
            object.get("type").map_or_else(|| "(no type)".into(), short),
        ))?;
    let text = |command: &'static str, field: &'static str, what: &'static str| {
        let missing = MessageError::Field {
            command,
            field,
            what,
        };
        match object.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::Bool(b)) => Ok(b.to_string()),
            _ => Err(missing),
        }
    };
    Ok(match kind {
        "start" => HostCommand::Start,
        "pause" => HostCommand::Pause,
        "step" => HostCommand::Step,
        "reset" => HostCommand::Reset,
        "set" => HostCommand::Set {
            setting: text("set", "setting", "a setting's id")?,
            value: text("set", "value", "a string, number or boolean")?,
        },
        "load" => HostCommand::Load {
            model: text("load", "model", "a model's id")?,
        },
        other => return Err(MessageError::Unknown(short(&Value::from(other)))),
    })
}

/// A value as short text for a message (at most 40 characters).
fn short(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    text.chars().take(40).collect()
}

/// An event for the host page: `{source, version, type, …fields}`.
pub fn message(kind: &str, fields: Value) -> Value {
    let mut out = Map::new();
    out.insert("source".into(), NAME.into());
    out.insert("version".into(), VERSION.into());
    out.insert("type".into(), kind.into());
    if let Value::Object(fields) = fields {
        out.extend(fields);
    }
    Value::Object(out)
}

/// The host page's view of an engine event (`series`: the names of the run's step values,
/// from its last `Started`), if the host is told of it.
pub fn host_event(event: &Event, series: &[String]) -> Option<Value> {
    Some(match event {
        Event::Started { step, .. } => message("ready", json!({ "step": step })),
        Event::Running(r) => message(if *r { "running" } else { "paused" }, json!({})),
        Event::Progress {
            records,
            steps_per_sec,
            ..
        } => {
            let last = records.last()?;
            let values: Map<String, Value> = series
                .iter()
                .zip(&last.values)
                .filter(|(_, v)| v.is_finite())
                .map(|(n, v)| (n.clone(), json!(v)))
                .collect();
            message(
                "step",
                json!({ "step": last.step, "values": values, "steps_per_sec": steps_per_sec }),
            )
        }
        Event::Panel { panel, .. } => message(
            "samples",
            json!({ "panel": panel.name, "title": panel.title, "step": panel.step }),
        ),
        Event::Metrics { step, metrics } => {
            message("metrics", json!({ "step": step, "metrics": metrics }))
        }
        Event::Scores(table) => message("scores", json!({ "scores": table })),
        Event::Error(e) => message("error", json!({ "message": e.message })),
        Event::Rejected(errors) => message(
            "error",
            json!({ "message": errors.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ") }),
        ),
        _ => return None,
    })
}

/// The page's link to its host: who may command it, what was ignored, the run's series.
struct Host {
    origins: Vec<String>,
    series: Vec<String>,
    accepted: u32,
    ignored: u32,
}

thread_local! {
    static HOST: RefCell<Option<Host>> = const { RefCell::new(None) };
}

/// The parent window, when the page is in a frame.
fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

/// Posts `message` to the host page, to each allowed origin (the browser delivers it only to
/// the one the host has).
fn post(message: &Value) {
    let Some(parent) = parent() else { return };
    let Ok(value) = js_sys::JSON::parse(&message.to_string()) else {
        return;
    };
    HOST.with_borrow(|host| {
        for origin in host.iter().flat_map(|h| &h.origins) {
            let _ = parent.post_message(&value, origin);
        }
    });
}

/// Tells the host page of an engine event (when the address allows a host).
pub fn relay(event: &Event) {
    let message = HOST.with_borrow_mut(|host| {
        let host = host.as_mut()?;
        if let Event::Started { view, .. } = event {
            host.series = view.series.clone();
        }
        host_event(event, &host.series)
    });
    if let Some(m) = message {
        post(&m);
    }
}

/// Tells the host page of a command it could not be obeyed.
pub fn report_error(message: &str) {
    post(&self::message("error", json!({ "message": message })));
}

/// Records the counts on the page's root element (`data-host-accepted`, `data-host-ignored`),
/// where a test or a curious author can read them.
fn show_counts(accepted: u32, ignored: u32) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-host-accepted", &accepted.to_string());
        let _ = root.set_attribute("data-host-ignored", &ignored.to_string());
    }
}

/// Listens to the host page for commands from `origins`, handing each to `obey` (whose error
/// goes back to the host as an `error` event). Messages from other windows or origins, and
/// messages that are not commands, are ignored and counted.
pub fn listen(origins: Vec<String>, obey: impl Fn(HostCommand) -> Result<(), String> + 'static) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    HOST.with_borrow_mut(|h| {
        *h = Some(Host {
            origins: origins.clone(),
            series: Vec::new(),
            accepted: 0,
            ignored: 0,
        })
    });
    show_counts(0, 0);
    let count = |accepted: bool| {
        let counts = HOST.with_borrow_mut(|h| {
            h.as_mut().map(|h| {
                if accepted {
                    h.accepted += 1;
                } else {
                    h.ignored += 1;
                }
                (h.accepted, h.ignored)
            })
        });
        if let Some((a, i)) = counts {
            show_counts(a, i);
        }
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let from_parent = match (e.source(), parent()) {
                (Some(source), Some(parent)) => js_sys::Object::is(&source, &parent),
                _ => false,
            };
            if !from_parent || !origins.contains(&e.origin()) {
                count(false);
                return;
            }
            let parsed = js_sys::JSON::stringify(&e.data())
                .ok()
                .and_then(|s| s.as_string())
                .and_then(|s| serde_json::from_str::<Value>(&s).ok())
                .ok_or(MessageError::NotOurs)
                .and_then(|v| parse_command(&v));
            match parsed {
                Ok(command) => {
                    count(true);
                    if let Err(message) = obey(command) {
                        report_error(&message);
                    }
                }
                Err(MessageError::NotOurs) => count(false),
                Err(other) => {
                    count(false);
                    report_error(&other.to_string());
                }
            }
        });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();
}

/// Whether an embedded view is on screen: at least half of it (or of the window, for a view
/// taller than its frame) visible in the host's viewport, in a tab that is not hidden. Always
/// true outside embed mode.
#[derive(Clone, Copy)]
pub struct Visibility(pub RwSignal<bool>);

/// Watches the page's visibility into a signal (embed mode), from the first frame on.
pub fn watch_visibility() -> Visibility {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    let visible = RwSignal::new(false);
    let on_screen = StoredValue::new(false);
    let Some(window) = web_sys::window() else {
        return Visibility(visible);
    };
    let Some(document) = window.document() else {
        return Visibility(visible);
    };
    let update = {
        let document = document.clone();
        move || visible.set(on_screen.get_value() && !document.hidden())
    };
    let inner = window.clone();
    let update_io = update.clone();
    let observed = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let Some(entry) = entries
            .iter()
            .last()
            .and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
        else {
            return;
        };
        let shown = entry.intersection_rect().height();
        let whole = entry.bounding_client_rect().height();
        // Half of the view, or of what a screen can show of it: a frame sized to a tall view
        // is never half on a small screen.
        let window_height = inner
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(whole);
        let screen_height = js_sys::Reflect::get(&inner, &"screen".into())
            .and_then(|s| js_sys::Reflect::get(&s, &"availHeight".into()))
            .ok()
            .and_then(|h| h.as_f64())
            .filter(|h| *h > 0.0)
            .unwrap_or(window_height);
        let needed = 0.5 * whole.min(window_height).min(screen_height).max(1.0);
        on_screen.set_value(entry.is_intersecting() && shown >= needed);
        update_io();
    });
    let options = web_sys::IntersectionObserverInit::new();
    let thresholds: js_sys::Array = (0..=20)
        .map(|i| wasm_bindgen::JsValue::from(i as f64 / 20.0))
        .collect();
    options.set_threshold(&thresholds);
    if let (Ok(observer), Some(root)) = (
        web_sys::IntersectionObserver::new_with_options(
            observed.as_ref().unchecked_ref(),
            &options,
        ),
        document.document_element(),
    ) {
        observer.observe(&root);
        observed.forget();
        std::mem::forget(observer);
    }
    let on_visibility = Closure::<dyn FnMut()>::new(update);
    let _ = document.add_event_listener_with_callback(
        "visibilitychange",
        on_visibility.as_ref().unchecked_ref(),
    );
    on_visibility.forget();
    Visibility(visible)
}

/// A session whose training the reader, the host page and the view's visibility start and
/// pause (the train view's and the demos'); the provided methods are the shared behaviour.
pub trait Trains: Copy + 'static {
    /// The session's gate.
    fn gate(&self) -> RunGate;
    /// Whether the engine says training runs.
    fn is_running(&self) -> bool;
    /// Sends a command to the session's worker.
    fn send(&self, command: Command);

    /// Trains (once the view is on screen, in embed mode) or pauses.
    fn run(&self, on: bool) {
        let session = *self;
        self.gate().run(on, move |c| session.send(c));
    }

    /// Embed mode: pauses training while the view is off screen and resumes it on return.
    fn on_visibility(&self, visible: bool) {
        let session = *self;
        self.gate()
            .on_visibility(visible, self.is_running(), move |c| session.send(c));
    }

    /// Obeys the host's `start`, `pause` and `step`; any other command comes back for the
    /// session to obey.
    fn obey_run(&self, command: HostCommand) -> Result<Option<HostCommand>, String> {
        match command {
            HostCommand::Start => self.run(true),
            HostCommand::Pause => self.run(false),
            HostCommand::Step if self.is_running() => {
                return Err("training is running: pause it before stepping".into());
            }
            HostCommand::Step => self.send(Command::Step),
            other => return Ok(Some(other)),
        }
        Ok(None)
    }
}

/// Whether training should run, kept apart from whether it can: an embedded view's training
/// pauses while it is off screen and resumes on return, unless the reader or the host paused
/// it. Outside embed mode it is always visible and simply passes commands on.
#[derive(Clone, Copy)]
pub struct RunGate {
    /// Training is wanted (started by the reader, the host or `autostart`, not paused since).
    wants: StoredValue<bool>,
    visible: Option<Visibility>,
}

impl RunGate {
    /// A gate on the page's visibility (from context: none outside embed mode).
    pub fn from_context() -> Self {
        Self {
            wants: StoredValue::new(false),
            visible: use_context::<Visibility>(),
        }
    }

    fn visible(&self) -> bool {
        self.visible.is_none_or(|v| v.0.get_untracked())
    }

    /// Train (now if the view is on screen, else once it is) or pause.
    pub fn run(&self, on: bool, send: impl Fn(Command)) {
        self.wants.set_value(on);
        if !on {
            send(Command::Pause);
        } else if self.visible() {
            send(Command::Start);
        }
    }

    /// The engine says training runs or stopped; a stop while on screen (a pause at a step,
    /// an error) is wanted.
    pub fn on_running(&self, running: bool) {
        if running {
            self.wants.set_value(true);
        } else if self.visible() {
            self.wants.set_value(false);
        }
    }

    /// The view came on screen or left it.
    pub fn on_visibility(&self, visible: bool, running: bool, send: impl Fn(Command)) {
        if !self.wants.get_value() {
            return;
        }
        if !visible {
            send(Command::Pause);
        } else if !running {
            send(Command::Start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn command(fields: Value) -> Value {
        let mut m = json!({ "target": NAME, "version": 1 });
        if let (Value::Object(m), Value::Object(f)) = (&mut m, fields) {
            m.extend(f);
        }
        m
    }

    #[test]
    fn commands_parse_and_say_what_is_wrong() {
        assert_eq!(
            parse_command(&command(json!({ "type": "start" }))),
            Ok(HostCommand::Start)
        );
        assert_eq!(
            parse_command(&command(
                json!({ "type": "set", "setting": "lr_g", "value": 0.001 })
            )),
            Ok(HostCommand::Set {
                setting: "lr_g".into(),
                value: "0.001".into()
            })
        );
        assert_eq!(
            parse_command(&command(
                json!({ "type": "set", "setting": "ema", "value": true })
            )),
            Ok(HostCommand::Set {
                setting: "ema".into(),
                value: "true".into()
            })
        );
        assert_eq!(
            parse_command(&command(json!({ "type": "load", "model": "cgan" }))),
            Ok(HostCommand::Load {
                model: "cgan".into()
            })
        );
        for (message, error) in [
            (json!({ "type": "start" }), MessageError::NotOurs),
            (json!("start"), MessageError::NotOurs),
            (
                json!({ "target": NAME, "version": 2, "type": "start" }),
                MessageError::Version("2".into()),
            ),
            (
                json!({ "target": NAME, "type": "start" }),
                MessageError::Version("(none)".into()),
            ),
            (
                command(json!({ "type": "explode" })),
                MessageError::Unknown("explode".into()),
            ),
            (
                command(json!({ "type": "set", "value": 1 })),
                MessageError::Field {
                    command: "set",
                    field: "setting",
                    what: "a setting's id",
                },
            ),
            (
                command(json!({ "type": "load", "model": [] })),
                MessageError::Field {
                    command: "load",
                    field: "model",
                    what: "a model's id",
                },
            ),
        ] {
            assert_eq!(parse_command(&message), Err(error), "{message}");
        }
        assert!(
            MessageError::Version("2".into())
                .to_string()
                .contains("speaks version 1")
        );
    }

    /// A random JSON value, often shaped like a command (real keys, real types), nested up to
    /// `depth`.
    fn random_value(rng: &mut StdRng, depth: u32) -> Value {
        const KEYS: [&str; 8] = [
            "target", "version", "type", "setting", "value", "model", "x", "",
        ];
        const WORDS: [&str; 10] = [
            NAME, "start", "pause", "step", "reset", "set", "load", "lr_g", "", "\u{0}✓",
        ];
        match rng.random_range(0..if depth == 0 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(rng.random()),
            2 => match rng.random_range(0..4) {
                0 => json!(rng.random_range(0..4)),
                1 => json!(rng.random::<i64>()),
                2 => json!(rng.random::<f64>() * 1e6 - 5e5),
                _ => json!(u64::MAX),
            },
            3 | 4 => {
                if rng.random_bool(0.7) {
                    Value::from(WORDS[rng.random_range(0..WORDS.len())])
                } else {
                    let n = rng.random_range(0..60);
                    Value::from(
                        (0..n)
                            .map(|_| char::from_u32(rng.random_range(0..0x3000)).unwrap_or('?'))
                            .collect::<String>(),
                    )
                }
            }
            5 => Value::Array(
                (0..rng.random_range(0..4))
                    .map(|_| random_value(rng, depth - 1))
                    .collect(),
            ),
            _ => {
                let mut m = Map::new();
                if rng.random_bool(0.6) {
                    m.insert("target".into(), NAME.into());
                    m.insert("version".into(), 1.into());
                }
                for _ in 0..rng.random_range(0..6) {
                    m.insert(
                        KEYS[rng.random_range(0..KEYS.len())].into(),
                        random_value(rng, depth - 1),
                    );
                }
                Value::Object(m)
            }
        }
    }

    /// A random message: mostly shaped like a command, with any field possibly wrong.
    fn random_message(rng: &mut StdRng) -> Value {
        if rng.random_bool(0.2) {
            return random_value(rng, 4);
        }
        let mut m = Map::new();
        let mut maybe = |rng: &mut StdRng, key: &str, good: Value, p: f64| {
            let v = if rng.random_bool(p) {
                good
            } else {
                random_value(rng, 2)
            };
            if rng.random_bool(0.95) {
                m.insert(key.into(), v);
            }
        };
        maybe(rng, "target", NAME.into(), 0.9);
        maybe(rng, "version", 1.into(), 0.85);
        let kind = ["start", "pause", "step", "reset", "set", "load"][rng.random_range(0..6)];
        maybe(rng, "type", kind.into(), 0.9);
        maybe(rng, "setting", "lr_g".into(), 0.7);
        maybe(rng, "value", json!(0.001), 0.7);
        maybe(rng, "model", "dcgan".into(), 0.7);
        Value::Object(m)
    }

    #[test]
    fn the_parser_survives_many_random_messages() {
        let mut rng = StdRng::seed_from_u64(14);
        let mut outcomes = [0usize; 3];
        for _ in 0..50_000 {
            let value = random_message(&mut rng);
            // No panic, and whatever it accepts is a well-formed command.
            match parse_command(&value) {
                Ok(HostCommand::Set { setting, value }) => {
                    assert!(!setting.is_empty() && !value.is_empty());
                    outcomes[0] += 1;
                }
                Ok(HostCommand::Load { model }) => {
                    assert!(!model.is_empty());
                    outcomes[0] += 1;
                }
                Ok(_) => outcomes[0] += 1,
                Err(MessageError::NotOurs) => outcomes[1] += 1,
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    outcomes[2] += 1;
                }
            }
        }
        // The generator reaches every outcome often, so the fuzzing means something.
        assert!(outcomes.iter().all(|&n| n > 1_000), "{outcomes:?}");
    }

    #[test]
    fn events_carry_their_envelope_and_values() {
        use crate::engine::protocol::StepRecord;
        let event = Event::Progress {
            records: vec![StepRecord {
                step: 7,
                values: vec![0.5, f32::NAN, 2.0],
            }],
            steps_per_sec: 3.0,
            images_per_sec: 0.0,
            elapsed_ms: 1.0,
        };
        let names = ["loss_d".to_string(), "loss_g".into(), "d_real".into()];
        let m = host_event(&event, &names).unwrap_or_default();
        assert_eq!(m["source"], NAME);
        assert_eq!(m["version"], 1);
        assert_eq!(m["type"], "step");
        assert_eq!(m["step"], 7);
        assert_eq!(m["values"], json!({ "loss_d": 0.5, "d_real": 2.0 }));
        assert_eq!(
            host_event(&Event::Running(false), &[]).map(|m| m["type"].clone()),
            Some(json!("paused"))
        );
        assert_eq!(host_event(&Event::Listening, &[]), None);
    }
}

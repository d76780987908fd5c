//! The Web Worker host: picks the compute backend, loads data and weights, then runs the
//! engine, taking [`ToWorker`] messages and posting [`Event`]s (JSON strings).

use std::sync::Arc;

use burn::prelude::*;
use futures::StreamExt;
use futures::channel::mpsc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::protocol::before_init;
use super::{BackendChoice, BackendInfo, ErrorKind, Event, ToWorker, WorkerError};
use crate::core::checkpoint;
use crate::core::classifier::Classifier;
use crate::core::data::MnistSet;
use futures::future::LocalBoxFuture;

use super::task::{AssetSource, Compute, Task, TaskSpec, TaskStart, in_place};

/// Where the page serves the data set and the classifier weights.
/// The digits, gzipped by the build (`www/hash-assets.sh`): a fifth of `www/data/mnist.bin`.
const DATA_URL: &str = "./data/mnist.bin.gz";
/// The digits as they are, for a browser without `DecompressionStream`.
const PLAIN_DATA_URL: &str = "./data/mnist.bin";
const CLASSIFIER_URL: &str = "./weights/classifier.bpk";

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts events: JSON text, or `[JSON, ArrayBuffer]` with the buffer transferred when a file
/// travels with the event.
fn post(events: Vec<Event>) {
    for mut event in events {
        let payload = event.take_payload();
        let json = match serde_json::to_string(&event) {
            Ok(json) => JsValue::from_str(&json),
            Err(e) => {
                web_sys::console::error_1(&format!("encoding an event failed: {e}").into());
                continue;
            }
        };
        let sent = match payload {
            None => scope().post_message(&json),
            Some(bytes) => {
                let buffer = js_sys::Uint8Array::from(&bytes[..]).buffer();
                scope().post_message_with_transfer(
                    &js_sys::Array::of2(&json, &buffer),
                    &js_sys::Array::of1(&buffer),
                )
            }
        };
        if let Err(e) = sent {
            web_sys::console::error_2(&"posting an event failed".into(), &e);
        }
    }
}

/// Reads a message from the page: JSON text, or `[JSON, ArrayBuffer]` with a file.
fn receive(data: JsValue) -> Result<ToWorker, WorkerError> {
    let (json, payload) = match data.dyn_into::<js_sys::Array>() {
        Ok(parts) => (
            parts.get(0),
            Some(js_sys::Uint8Array::new(&parts.get(1)).to_vec()),
        ),
        Err(data) => (data, None),
    };
    let text = json.as_string().ok_or_else(|| {
        WorkerError::new(
            ErrorKind::Malformed,
            "the worker got a message that is not text",
        )
    })?;
    ToWorker::decode(&text, payload)
}

fn js_error(context: &str, e: JsValue) -> String {
    let detail = e.as_string().or_else(|| {
        js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
    });
    format!("{context}: {}", detail.unwrap_or_else(|| format!("{e:?}")))
}

/// `url` with the build's id (the `v` parameter the page started this worker with, see
/// `ui::assets`), so a cache never answers with another build's file.
fn versioned(url: &str) -> String {
    let search = js_sys::Reflect::get(&scope(), &"location".into())
        .and_then(|l| js_sys::Reflect::get(&l, &"search".into()))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    let build = form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
        .find(|(k, _)| k == "v")
        .map(|(_, v)| v.into_owned());
    match build {
        Some(b) if !b.is_empty() => super::download::with_version(url, &b),
        _ => url.to_string(),
    }
}

/// Fetches `url` whole, reporting its bytes so far as [`Event::Loading`], so the page can show
/// a progress bar on a slow link.
async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let versioned = versioned(url);
    let response = JsFuture::from(scope().fetch_with_str(&versioned))
        .await
        .map_err(|e| js_error(url, e))?;
    let response: web_sys::Response = response.unchecked_into();
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let what = url.trim_start_matches("./").to_string();
    super::download::read_body(&response, url, |done, total| {
        post(vec![Event::Loading {
            what: what.clone(),
            done,
            total,
        }])
    })
    .await
}

/// The size of the worker's thread pool ([`run_threaded`]); 1 in the plain CPU worker.
static THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

thread_local! {
    /// Where tasks run their steps ([`run_threaded`]'s pool, else in place).
    static COMPUTE: std::cell::Cell<Compute> = const { std::cell::Cell::new(in_place) };
}

fn cpu(reason: Option<String>) -> (Device, BackendInfo) {
    // The threaded worker's relaxed-SIMD build (fused multiply-adds in matrix products).
    let simd = if cfg!(feature = "relaxed-simd") {
        "WebAssembly relaxed SIMD"
    } else {
        "WebAssembly SIMD"
    };
    let label = match THREADS.load(std::sync::atomic::Ordering::Relaxed) {
        1 => format!("CPU (Burn flex, {simd})"),
        n => format!("CPU (Burn flex, {simd}, {n} threads)"),
    };
    (
        Device::flex(),
        BackendInfo {
            gpu: false,
            label,
            reason,
        },
    )
}

/// The CPU worker: always the CPU, for the reason the page gave.
#[cfg(not(feature = "webgpu"))]
async fn pick_device(_choice: BackendChoice, reason: Option<String>) -> (Device, BackendInfo) {
    cpu(reason.or_else(|| Some("CPU chosen by you".into())))
}

/// The GPU worker: WebGPU (the page checked there is an adapter), else the CPU with the reason.
#[cfg(feature = "webgpu")]
async fn pick_device(choice: BackendChoice, reason: Option<String>) -> (Device, BackendInfo) {
    if choice == BackendChoice::Cpu {
        return cpu(reason.or_else(|| Some("CPU chosen by you".into())));
    }
    let probe = super::backend::probe_adapter(&scope().navigator().into()).await;
    let (name, software) = match &probe {
        Ok(p) => (p.name(), p.software),
        Err(reason) => return cpu(Some(reason.clone())),
    };
    match Device::wgpu_options().init_async().await {
        Ok(device) => {
            let reason = software
                .then(|| "software adapter forced by you: expect it to be very slow".to_string());
            (
                device,
                BackendInfo {
                    gpu: true,
                    label: format!("WebGPU: {name}"),
                    reason,
                },
            )
        }
        Err(e) => cpu(Some(format!("WebGPU failed to start ({e:?})"))),
    }
}

/// The shared assets, fetched once, when a task first needs them.
#[derive(Default)]
struct Assets {
    digits: Option<Arc<MnistSet>>,
    classifier: Option<Classifier>,
}

impl AssetSource for Assets {
    fn digits(&mut self) -> LocalBoxFuture<'_, Result<Arc<MnistSet>, String>> {
        Box::pin(async move {
            if let Some(d) = &self.digits {
                return Ok(d.clone());
            }
            let bytes = if super::download::can_gunzip() {
                super::download::gunzip(&fetch_bytes(DATA_URL).await?, DATA_URL).await?
            } else {
                fetch_bytes(PLAIN_DATA_URL).await?
            };
            let data = MnistSet::decode(&bytes).map_err(|e| format!("{DATA_URL}: {e}"))?;
            let data = Arc::new(data);
            self.digits = Some(data.clone());
            Ok(data)
        })
    }

    fn classifier<'a>(
        &'a mut self,
        device: &'a Device,
    ) -> LocalBoxFuture<'a, Result<Classifier, String>> {
        Box::pin(async move {
            if let Some(c) = &self.classifier {
                return Ok(c.clone());
            }
            let classifier =
                checkpoint::load_classifier(&fetch_bytes(CLASSIFIER_URL).await?, device)
                    .map_err(|e| format!("{CLASSIFIER_URL}: {e}"))?;
            self.classifier = Some(classifier.clone());
            Ok(classifier)
        })
    }

    fn file<'a>(&'a mut self, path: &'a str) -> LocalBoxFuture<'a, Result<Vec<u8>, String>> {
        Box::pin(async move { fetch_bytes(&format!("./{path}")).await })
    }
}

/// Starts `task` on the chosen backend with `settings` (registry pairs).
async fn start(
    backend: BackendChoice,
    reason: Option<String>,
    task: &TaskSpec,
    settings: Vec<(String, String)>,
    assets: &mut Assets,
) -> Result<Box<dyn Task>, String> {
    let (device, info) = pick_device(backend, reason).await;
    // The GPU worker's default device is an uninitialised WebGPU device even when it falls
    // back to the CPU (see `TaskStart::gpu`).
    let gpu = info.gpu || cfg!(feature = "webgpu");
    post(vec![Event::Ready(info)]);
    let (task, events) = (task.start)(TaskStart {
        device,
        assets,
        settings,
        clock: js_sys::Date::now,
        gpu,
        compute: COMPUTE.get(),
    })
    .await?;
    post(events);
    Ok(task)
}

/// Lets the worker's event loop deliver messages between training chunks.
async fn yield_to_event_loop() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// Runs the worker with a pool of `threads` threads already started (the threaded CPU worker,
/// `src/bin/worker_mt.rs`), whose tasks run their steps by `compute`: as [`run`], and the
/// backend's label names the pool.
pub fn run_threaded(threads: usize, compute: Compute) {
    THREADS.store(threads.max(1), std::sync::atomic::Ordering::Relaxed);
    COMPUTE.set(compute);
    run();
}

/// Runs the worker: call once from the worker binary's `main`.
pub fn run() {
    let (tx, mut rx) = mpsc::unbounded::<ToWorker>();
    let onmessage =
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match receive(event.data()) {
                Ok(message) => {
                    let _ = tx.unbounded_send(message);
                }
                Err(e) => post(vec![Event::Error(e)]),
            }
        });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(vec![Event::Listening]);

    wasm_bindgen_futures::spawn_local(async move {
        let mut assets = Assets::default();
        let mut task = loop {
            let Some(message) = rx.next().await else {
                return;
            };
            match before_init(message) {
                Ok((backend, reason, task, settings)) => {
                    match start(backend, reason, task, settings, &mut assets).await {
                        Ok(task) => break task,
                        Err(e) => {
                            post(vec![Event::Error(WorkerError::fatal(
                                ErrorKind::Startup,
                                format!("could not start: {e}"),
                            ))]);
                            return;
                        }
                    }
                }
                Err(e) => post(vec![Event::Error(e)]),
            }
        };
        post(task.announce().await);
        loop {
            while let Ok(message) = rx.try_recv() {
                if let ToWorker::Command(command) = message {
                    post(task.handle(command, &mut assets).await);
                }
            }
            if task.is_running() {
                post(task.tick(&mut assets).await);
                yield_to_event_loop().await;
            } else {
                match rx.next().await {
                    Some(ToWorker::Command(command)) => {
                        post(task.handle(command, &mut assets).await)
                    }
                    Some(ToWorker::Init { .. }) => post(vec![Event::Error(WorkerError::new(
                        ErrorKind::AlreadyStarted,
                        "the worker is already running; the second Init was ignored",
                    ))]),
                    None => return,
                }
            }
        }
    });
}

//! A CPU worker running one task: started with the task's id and settings as soon as the worker
//! listens; messages sent before that wait in order.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::ArrayBuffer;
use leptos::prelude::*;

use super::bridge::WorkerBridge;
use crate::engine::backend::WorkerKind;
use crate::engine::{BackendChoice, Command, Event, ToWorker};

/// A message to the worker, with the file that travels beside it.
type Outgoing = (ToWorker, Option<ArrayBuffer>);

/// A handle on a worker running one task on the CPU.
#[derive(Clone, Copy)]
pub struct TaskWorker {
    bridge: StoredValue<Option<WorkerBridge>, LocalStorage>,
    /// Messages (with their files) waiting for the worker to listen (`None` once it does).
    queue: StoredValue<Rc<RefCell<Option<Vec<Outgoing>>>>, LocalStorage>,
}

impl TaskWorker {
    /// Starts the CPU worker with `task` and its `settings` (`reason`: why the CPU, shown with
    /// the backend; `trains`: a task that trains gets the threaded worker where the page allows
    /// it, see [`worker_url`](super::assets::worker_url)); `on_event` receives every event
    /// after that, with any file beside it.
    pub fn start(
        task: &'static str,
        settings: Vec<(String, String)>,
        reason: &'static str,
        trains: bool,
        mut on_event: impl FnMut(Event, Option<ArrayBuffer>) + 'static,
    ) -> Result<Self, String> {
        let worker = Self {
            bridge: StoredValue::new_local(None),
            queue: StoredValue::new_local(Rc::new(RefCell::new(Some(Vec::new())))),
        };
        let bridge = WorkerBridge::spawn(
            &super::assets::worker_url(WorkerKind::Cpu, trains),
            move |event, buffer| {
                if let Event::Listening = event {
                    let waiting = worker.queue.get_value().borrow_mut().take();
                    worker.post(
                        ToWorker::Init {
                            backend: BackendChoice::Cpu,
                            reason: Some(reason.into()),
                            task: task.into(),
                            settings: settings.clone(),
                        },
                        None,
                    );
                    for (message, buffer) in waiting.unwrap_or_default() {
                        worker.post(message, buffer);
                    }
                    return;
                }
                on_event(event, buffer);
            },
        )?;
        worker.bridge.set_value(Some(bridge));
        Ok(worker)
    }

    /// Sends a message (with a file whose buffer moves to the worker).
    pub fn post(&self, message: ToWorker, buffer: Option<ArrayBuffer>) {
        if let Some(q) = self.queue.get_value().borrow_mut().as_mut() {
            q.push((message, buffer));
            return;
        }
        self.bridge.with_value(|b| match (b, buffer) {
            (Some(b), None) => b.send(&message),
            (Some(b), Some(buffer)) => b.send_with_buffer(&message, buffer),
            (None, _) => {}
        })
    }

    /// Sends a command.
    pub fn command(&self, c: Command) {
        self.post(ToWorker::Command(c), None);
    }
}

/// Fetches a pretrained model's card (JSON) from `card_url`, then the file it names
/// (`file_of`), relative to the card's folder.
pub async fn fetch_pretrained<C: serde::de::DeserializeOwned>(
    card_url: &str,
    file_of: fn(&C) -> &str,
) -> Result<(C, ArrayBuffer), String> {
    let bytes = super::gallery::fetch_buffer(card_url).await?;
    let card: C = serde_json::from_slice(&js_sys::Uint8Array::new(&bytes).to_vec())
        .map_err(|e| format!("{card_url}: {e}"))?;
    let folder = card_url.rsplit_once('/').map_or(".", |(f, _)| f);
    let buffer = super::gallery::fetch_buffer(&format!("{folder}/{}", file_of(&card))).await?;
    Ok((card, buffer))
}

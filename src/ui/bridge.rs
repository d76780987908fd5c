//! The page's side of the worker channel: spawns the training worker and exchanges JSON.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use crate::engine::{Event, ToWorker};

/// Trunk's loader for the worker bin (see `index.html`).
const WORKER_URL: &str = "./worker_loader.js";

/// A running training worker.
pub struct WorkerBridge {
    worker: Worker,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
}

impl WorkerBridge {
    /// Starts the worker; `on_event` receives every event it posts.
    pub fn spawn(mut on_event: impl FnMut(Event) + 'static) -> Result<Self, String> {
        let worker = Worker::new(WORKER_URL)
            .map_err(|e| format!("could not start the training worker: {e:?}"))?;
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            let event = match message.data().as_string() {
                Some(text) => serde_json::from_str(&text)
                    .unwrap_or_else(|e| Event::Error(format!("unreadable worker message: {e}"))),
                None => Event::Error("the worker sent a message that is not text".into()),
            };
            on_event(event);
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            _onmessage: onmessage,
        })
    }

    /// Sends a message to the worker.
    pub fn send(&self, message: &ToWorker) {
        match serde_json::to_string(message) {
            Ok(json) => {
                if let Err(e) = self.worker.post_message(&JsValue::from_str(&json)) {
                    web_sys::console::error_2(&"sending to the worker failed".into(), &e);
                }
            }
            Err(e) => web_sys::console::error_1(&format!("encoding a message failed: {e}").into()),
        }
    }
}

impl Drop for WorkerBridge {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

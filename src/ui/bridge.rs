//! The page's side of the worker channel: spawns the training worker and exchanges messages,
//! JSON text, or `[JSON, ArrayBuffer]` when a file travels with the message (transferred, not
//! copied, and never encoded as JSON).

use js_sys::{Array, ArrayBuffer};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use super::assets::WorkerScript;
use crate::engine::{ErrorKind, Event, ToWorker, WorkerError};

/// A running training worker.
pub struct WorkerBridge {
    worker: Worker,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(web_sys::Event)>,
}

/// What the page says when the worker itself fails (a crash, or a script that did not load).
/// A worker whose script throws reports an `ErrorEvent` with the message; one whose script could
/// not be fetched or was refused (a 404, a missing header), a plain `Event` without one.
fn crashed(event: &web_sys::Event) -> Event {
    let detail = js_sys::Reflect::get(event, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "its script could not be loaded or run".to_string());
    Event::Error(WorkerError::fatal(
        ErrorKind::Startup,
        format!(
            "The background worker stopped ({detail}). What this page shows is kept; reload the page to start it again."
        ),
    ))
}

fn malformed(message: String) -> Event {
    Event::Error(WorkerError::new(ErrorKind::Malformed, message))
}

fn decode(data: JsValue) -> (Event, Option<ArrayBuffer>) {
    let (json, buffer) = match data.dyn_into::<Array>() {
        Ok(parts) => (parts.get(0), parts.get(1).dyn_into::<ArrayBuffer>().ok()),
        Err(data) => (data, None),
    };
    let Some(text) = json.as_string() else {
        return (
            malformed("the worker sent a message that is not text".into()),
            None,
        );
    };
    match serde_json::from_str(&text) {
        Ok(event) => (event, buffer),
        Err(e) => (malformed(format!("unreadable worker message: {e}")), None),
    }
}

impl WorkerBridge {
    /// Starts the worker `script` (a worker loader, see `www/hash-assets.sh`); `on_event`
    /// receives every event it posts, with the buffer that came with it (a checkpoint file).
    pub fn spawn(
        script: &WorkerScript,
        mut on_event: impl FnMut(Event, Option<ArrayBuffer>) + 'static,
    ) -> Result<Self, String> {
        let options = web_sys::WorkerOptions::new();
        if script.module {
            options.set_type(web_sys::WorkerType::Module);
        }
        let worker = Worker::new_with_options(&script.url, &options)
            .map_err(|e| format!("could not start the training worker: {e:?}"))?;
        let on_event = std::rc::Rc::new(std::cell::RefCell::new(
            move |event: Event, buffer: Option<ArrayBuffer>| on_event(event, buffer),
        ));
        let handler = on_event.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
            let (event, buffer) = decode(message.data());
            (handler.borrow_mut())(event, buffer);
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            (on_event.borrow_mut())(crashed(&e), None);
        });
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            _onmessage: onmessage,
            _onerror: onerror,
        })
    }

    fn post(&self, message: &ToWorker, buffer: Option<ArrayBuffer>) {
        let json = match serde_json::to_string(message) {
            Ok(json) => JsValue::from_str(&json),
            Err(e) => {
                web_sys::console::error_1(&format!("encoding a message failed: {e}").into());
                return;
            }
        };
        let sent = match buffer {
            None => self.worker.post_message(&json),
            Some(buffer) => self
                .worker
                .post_message_with_transfer(&Array::of2(&json, &buffer), &Array::of1(&buffer)),
        };
        if let Err(e) = sent {
            web_sys::console::error_2(&"sending to the worker failed".into(), &e);
        }
    }

    /// Sends a message to the worker.
    pub fn send(&self, message: &ToWorker) {
        self.post(message, None);
    }

    /// Sends a message with a file, transferring the buffer to the worker (it is empty here
    /// afterwards).
    pub fn send_with_buffer(&self, message: &ToWorker, buffer: ArrayBuffer) {
        self.post(message, Some(buffer));
    }
}

impl Drop for WorkerBridge {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

//! Progress of the downloads a view waits for (a worker's wasm, the digits, a model): a bar and
//! a line of text, fed by the engine's `Loading` events.

use leptos::prelude::*;

/// A download in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Download {
    /// What is downloading.
    pub what: String,
    /// Bytes so far.
    pub done: u64,
    /// Bytes in all, when known.
    pub total: Option<u64>,
}

impl Download {
    /// "Downloading data/mnist.bin: 1.2 of 7.9 MB (15%)".
    pub fn text(&self) -> String {
        let mb = |b: u64| b as f64 / 1e6;
        match self.total {
            Some(t) if t > 0 && t >= self.done => format!(
                "Downloading {}: {:.1} of {:.1} MB ({:.0}%)",
                self.what,
                mb(self.done),
                mb(t),
                100.0 * self.done as f64 / t as f64
            ),
            _ => format!("Downloading {}: {:.1} MB", self.what, mb(self.done)),
        }
    }
}

/// Keeps `slot` up to date from a worker's events: set by `Loading`, cleared by any other event
/// (the download it waited for has been used). True when the event was a `Loading`.
pub fn track(slot: RwSignal<Option<Download>>, event: &crate::engine::Event) -> bool {
    match event {
        crate::engine::Event::Loading { what, done, total } => {
            slot.set(Some(Download {
                what: what.clone(),
                done: *done,
                total: *total,
            }));
            true
        }
        _ => {
            if slot.with_untracked(Option::is_some) {
                slot.set(None);
            }
            false
        }
    }
}

thread_local! {
    /// The page's own downloads (pretrained models and their cards), shown by the App.
    static PAGE: std::cell::Cell<Option<RwSignal<Option<Download>>>> = const { std::cell::Cell::new(None) };
}

/// Where the page's own downloads are shown (set once by the App).
pub fn set_page_slot(slot: RwSignal<Option<Download>>) {
    PAGE.set(Some(slot));
}

/// Reports a download of the page's own.
pub fn page_progress(what: &str, done: u64, total: Option<u64>) {
    if let Some(slot) = PAGE.get() {
        slot.set(Some(Download {
            what: what.to_string(),
            done,
            total,
        }));
    }
}

/// The page's download is over (done or failed).
pub fn page_progress_done() {
    if let Some(slot) = PAGE.get() {
        slot.set(None);
    }
}

/// The bar and its text while something downloads (nothing otherwise).
#[component]
pub fn DownloadBar(download: RwSignal<Option<Download>>) -> impl IntoView {
    move || {
        download.get().map(|d| {
            let text = d.text();
            view! {
                <div class="download" role="status">
                    <progress max=d.total.unwrap_or(0).max(1).to_string() value=d.total.map(|_| d.done.to_string()) aria-label=text.clone()></progress>
                    <span class="muted">{text}</span>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_in_megabytes_and_percent() {
        let d = Download {
            what: "data/mnist.bin".into(),
            done: 1_200_000,
            total: Some(7_900_000),
        };
        assert_eq!(d.text(), "Downloading data/mnist.bin: 1.2 of 7.9 MB (15%)");
        let unknown = Download { total: None, ..d };
        assert_eq!(unknown.text(), "Downloading data/mnist.bin: 1.2 MB");
    }
}

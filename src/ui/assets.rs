//! Where the built site's files are. The build's post-build hook (`www/hash-assets.sh`) gives
//! the workers content-hashed names and writes them, with the build's id, into index.html
//! (`<meta name="gan-playground-build" content="ID" data-worker="…" data-worker_gpu="…">`). The
//! page starts the workers by those names and fetches data and models with `?v=ID`, so a cache
//! never serves a new page an old worker or file. Without the tag (a build without the hook),
//! the plain names.

use crate::engine::backend::WorkerKind;
use crate::engine::download::with_version;

fn tag() -> Option<web_sys::Element> {
    web_sys::window()?
        .document()?
        .query_selector("meta[name=gan-playground-build]")
        .ok()
        .flatten()
}

/// The build's id, if the build wrote one.
fn build() -> Option<String> {
    tag()?.get_attribute("content").filter(|b| !b.is_empty())
}

/// `url` with the build's id as its `v` parameter (unchanged without one).
pub fn versioned(url: &str) -> String {
    match build() {
        Some(b) => with_version(url, &b),
        None => url.to_string(),
    }
}

/// A worker's script: its address, and whether it is an ES module (the threaded CPU worker).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerScript {
    /// The loader's address.
    pub url: String,
    /// Start it as a module worker.
    pub module: bool,
}

thread_local! {
    /// The address's `threads=` ([`set_threads_wish`]).
    static THREADS_WISH: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// Records the address's `threads=` (the page calls it once, from its parsed options).
pub fn set_threads_wish(wish: Option<u32>) {
    THREADS_WISH.with(|w| w.set(wish));
}

/// Whether the page may share memory with worker threads (`crossOriginIsolated`).
fn isolated() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"crossOriginIsolated".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The script that starts a worker build: its hashed loader, with the build's id (which the
/// worker reads to version its own fetches). For the CPU, the threaded build when the page is
/// cross-origin isolated and the build has it, with one thread per core for a worker that
/// `trains` ([`cpu_threads`](crate::engine::backend::cpu_threads)), else the single-thread one.
pub fn worker_url(kind: WorkerKind, trains: bool) -> WorkerScript {
    let loader = |attribute: &str| tag().and_then(|t| t.get_attribute(attribute));
    if kind == WorkerKind::Cpu {
        let cores = web_sys::window()
            .map(|w| w.navigator().hardware_concurrency() as u32)
            .unwrap_or(1);
        let threaded = loader("data-worker_mt");
        let wish = THREADS_WISH.with(|w| w.get());
        if let (Some(n), Some(url)) = (
            crate::engine::backend::cpu_threads(
                isolated(),
                threaded.is_some(),
                cores,
                wish,
                trains,
            ),
            threaded,
        ) {
            let url = versioned(&url);
            let join = if url.contains('?') { '&' } else { '?' };
            let url = format!("{url}{join}threads={n}");
            return WorkerScript { url, module: true };
        }
    }
    let attribute = match kind {
        WorkerKind::Cpu => "data-worker",
        WorkerKind::Gpu => "data-worker_gpu",
    };
    let url = versioned(&loader(attribute).unwrap_or_else(|| kind.url().to_string()));
    WorkerScript { url, module: false }
}

#[cfg(test)]
mod tests {
    use super::with_version;

    #[test]
    fn versions_join_any_query() {
        assert_eq!(with_version("./data/a.bin", "ab12"), "./data/a.bin?v=ab12");
        assert_eq!(with_version("./x.js?y=1", "ab12"), "./x.js?y=1&v=ab12");
    }
}

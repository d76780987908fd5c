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

/// The URL that starts a worker build: its hashed loader, with the build's id (which the worker
/// reads to version its own fetches).
pub fn worker_url(kind: WorkerKind) -> String {
    let attribute = match kind {
        WorkerKind::Cpu => "data-worker",
        WorkerKind::Gpu => "data-worker_gpu",
    };
    let loader = tag()
        .and_then(|t| t.get_attribute(attribute))
        .unwrap_or_else(|| kind.url().to_string());
    versioned(&loader)
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

//! The CPU worker with a pool of threads: the engine of `worker.rs`, with Burn's flex backend
//! spreading its work over a rayon pool of Web Workers that share the wasm memory
//! (`wasm-bindgen-rayon`). Built with atomics by `www/build-threads.sh`; the page starts it
//! instead of the plain CPU worker when it is cross-origin isolated (`src/ui/assets.rs`).

/// Natively, and in a wasm without the `threads` feature, the bin does nothing.
#[cfg(not(all(target_arch = "wasm32", feature = "threads")))]
fn main() {
    eprintln!("the threaded worker runs in a browser: see www/build-threads.sh");
    std::process::exit(2);
}

/// Its loader calls [`start`] once wasm-bindgen has instantiated the module.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
fn main() {
    console_error_panic_hook::set_once();
}

/// Starts a pool of `threads` Web Workers on this module and memory, then the engine. If the
/// pool cannot start (a browser without nested workers), the engine runs on this thread alone
/// and the console says why.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn start(threads: usize) {
    let pool = wasm_bindgen_rayon::init_thread_pool(threads.max(1));
    let started = match wasm_bindgen_futures::JsFuture::from(pool).await {
        Ok(_) => threads.max(1),
        Err(e) => {
            web_sys::console::warn_2(&"the thread pool did not start; one thread:".into(), &e);
            1
        }
    };
    gan_playground::engine::worker::run_threaded(started);
}

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
    use gan_playground::engine::{task, worker};
    let pool = wasm_bindgen_rayon::init_thread_pool(threads.max(1));
    match wasm_bindgen_futures::JsFuture::from(pool).await {
        Ok(_) => worker::run_threaded(threads.max(1), on_pool),
        Err(e) => {
            web_sys::console::warn_2(&"the thread pool did not start; one thread:".into(), &e);
            worker::run_threaded(1, task::in_place);
        }
    }
}

/// Runs `work` on the pool's first thread and waits for it. A step that starts on the pool splits
/// its matrix products from there; started on this worker's own thread, every product would be
/// handed to the pool and back (BENCHMARKS.md: the 3-layer MLP GAN 7-13% faster). Always the
/// same thread: when rayon ran each step on whichever thread took it, two runs of one seed
/// drew grids a few grey levels apart in one browser run of two; on thread 0 they repeat.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
fn on_pool(work: &mut (dyn FnMut() + Send)) {
    let work = std::sync::Mutex::new(work);
    rayon::broadcast(|ctx| {
        if ctx.index() == 0
            && let Ok(mut work) = work.lock()
        {
            (*work)()
        }
    });
}

//! The training Web Worker with WebGPU: the same engine host as `worker`, built with the
//! `webgpu` feature (Trunk builds it as a second worker bin).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    gan_playground::engine::worker::run();
}

/// Natively the bin only exists so that one native build covers every target of the crate.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs in a browser: build the page with `trunk build --release`");
    std::process::exit(2);
}

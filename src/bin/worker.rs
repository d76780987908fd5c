//! The training Web Worker: hosts the engine (built by Trunk as a worker bin).

fn main() {
    console_error_panic_hook::set_once();
    gan_playground::engine::worker::run();
}

//! The page's main thread: mounts the Leptos app (training runs in the worker).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(gan_playground::ui::App);
}

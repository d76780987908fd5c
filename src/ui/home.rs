//! The start page: what the playground is, and a card per demo.

use leptos::prelude::*;

use super::gallery::GalleryView;
use super::options::Route;

/// The gallery first (digits at once), then the introduction and one card per demo
/// ([`Route::DEMOS`]).
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <GalleryView />
        <section class="explain home">
            <p>
                "A generative adversarial network is two networks playing a game: a " <b>"generator"</b>
                " turns random noise into images and a " <b>"discriminator"</b> " tries to tell them from real ones. "
                "Here you can train one on real handwritten digits right in this tab (on your GPU through WebGPU when the browser has one, "
                "else on the CPU), watch both players learn, and share the exact setup with a link."
            </p>
        </section>
        <nav class="cards" aria-label="Demos">
            {Route::DEMOS.iter().map(|r| view! {
                <a class="card" id=format!("card{}", r.path().replace('/', "-")) href=format!("#{}", r.path())>
                    <h2>{r.title()}</h2>
                    <p>{r.blurb()}</p>
                    <span class="go">"Open →"</span>
                </a>
            }).collect_view()}
        </nav>
    }
}

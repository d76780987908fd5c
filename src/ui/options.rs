//! Page options: the route and every parameter of the address, parsed once into one typed value.
//!
//! Addresses look like `#/train?preset=dcgan&lr_g=0.0002&…`. Parameters in the query string
//! (`?preset=wgan-gp#/train`, or `?preset=wgan-gp` alone, as older links wrote them) are read
//! too, the hash's winning. Nothing in an address can break the page: an unknown or malformed
//! parameter is ignored with a notice that names it and says why.

use crate::core::presets::Preset;
use crate::core::settings::{Setting, to_pairs, validate};
use crate::core::train::TrainConfig;
use crate::engine::BackendChoice;

/// A view of the page, with its own address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `#/`: the introduction and a card per demo.
    Home,
    /// `#/train`: train a GAN in the tab.
    Train,
    /// `#/gallery`: explore pretrained generators.
    Gallery,
    /// `#/superres`: upscale digits with a GAN, against bicubic upsampling.
    Superres,
    /// `#/cycle`: CycleGAN between handwritten and typeset or colour digits, with a λ = 0 twin.
    Cycle,
    /// `#/colorize`: colourise grey patches of photographs, pix2pix-style.
    Colorize,
    /// `#/embedding`: how to embed a demo in a page (the guide for tutorial authors).
    Embedding,
}

impl Route {
    /// Every view with a card on the home page, in display order.
    pub const DEMOS: [Route; 5] = [
        Route::Gallery,
        Route::Train,
        Route::Cycle,
        Route::Colorize,
        Route::Superres,
    ];

    /// The hash path (`/train`).
    pub fn path(self) -> &'static str {
        match self {
            Route::Home => "/",
            Route::Train => "/train",
            Route::Gallery => "/gallery",
            Route::Superres => "/superres",
            Route::Cycle => "/cycle",
            Route::Colorize => "/colorize",
            Route::Embedding => "/embedding",
        }
    }

    /// The view at a hash path, if any.
    pub fn from_path(path: &str) -> Option<Self> {
        match path.trim_end_matches('/') {
            "" => Some(Route::Home),
            "/train" => Some(Route::Train),
            "/gallery" => Some(Route::Gallery),
            "/superres" => Some(Route::Superres),
            "/cycle" => Some(Route::Cycle),
            "/colorize" => Some(Route::Colorize),
            "/embedding" => Some(Route::Embedding),
            _ => None,
        }
    }

    /// Card title on the home page.
    pub fn title(self) -> &'static str {
        match self {
            Route::Home => "Home",
            Route::Train => "Train a GAN",
            Route::Gallery => "Gallery",
            Route::Superres => "Super-resolution",
            Route::Cycle => "CycleGAN",
            Route::Colorize => "Colourise",
            Route::Embedding => "Embed in your page",
        }
    }

    /// The parts of the view an address can choose with `panels=` (name, what it holds).
    pub fn panels(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Route::Home | Route::Embedding => &[],
            Route::Train => &[
                ("explain", "the introduction"),
                ("toolbar", "the backend and the Share button"),
                ("train", "Train, Step and Reset"),
                ("settings", "the preset, every setting and Apply"),
                ("files", "download and load checkpoints"),
                ("stats", "steps, speed and time"),
                ("loss", "the loss and D-output charts"),
                ("grid", "the sample grid and New z"),
                ("classes", "the classifier's histogram of the samples"),
                ("metrics", "FID, the quality table and Evaluate"),
            ],
            Route::Gallery => &[
                ("controls", "model, seed, truncation and digits"),
                ("grid", "the sample grid"),
                ("classes", "the classifier's histogram of the grid"),
                ("pad", "the latent pad"),
                ("interpolation", "the interpolation strip and its animation"),
                (
                    "tools",
                    "exports, the truncation sweep, fine-tuning, opening a file",
                ),
                ("card", "the model's card and metrics"),
            ],
            Route::Cycle => &[
                ("intro", "the explanation and the domain picker"),
                ("controls", "Train, Step, Score, files and settings"),
                (
                    "triplets",
                    "the run's and the twin's x → G(x) → F(G(x)) triplets",
                ),
                ("draw", "draw or upload a digit"),
                ("charts", "losses and kept-digit scores"),
            ],
            Route::Colorize | Route::Superres => &[
                ("intro", "the explanation and the pretrained model's card"),
                ("controls", "Train, Step, Score, files and settings"),
                ("visuals", "the held-out images and their scores"),
                ("charts", "losses and scores"),
            ],
        }
    }

    /// Controls that are not settings of the view's task but can be hidden or locked by the
    /// address (`hide=`, `lock=`).
    pub fn controls(self) -> &'static [&'static str] {
        match self {
            Route::Train => &[
                "preset",
                "backend",
                "pause_at",
                "sample_every",
                "metrics_every",
            ],
            Route::Gallery => &["model", "seed", "psi", "digits"],
            _ => &[],
        }
    }

    /// The ids of the view's task settings (each can be hidden or locked).
    pub fn setting_ids(self) -> Vec<&'static str> {
        use crate::core::settings::Settings;
        fn ids<C: Settings>() -> Vec<&'static str> {
            C::settings().iter().map(|s| s.id).collect()
        }
        match self {
            Route::Train => ids::<TrainConfig>(),
            Route::Cycle => ids::<crate::core::cyclegan::CycleConfig>(),
            Route::Colorize => ids::<crate::core::colorize::ColorConfig>(),
            Route::Superres => ids::<crate::core::superres::SrConfig>(),
            Route::Home | Route::Gallery | Route::Embedding => Vec::new(),
        }
    }

    /// Card text on the home page.
    pub fn blurb(self) -> &'static str {
        match self {
            Route::Home | Route::Embedding => "",
            Route::Train => {
                "Train a GAN on real MNIST digits in this tab and watch it learn: MLP or DCGAN, six losses, the stabilisers from the guides, cGAN, ACGAN and InfoGAN, live loss curves, samples and quality metrics."
            }
            Route::Gallery => {
                "Play with generators trained by this project: fresh samples by seed, the truncation trick, interpolation between two samples, a latent pad, digits on demand, and exports."
            }
            Route::Cycle => {
                "Translate handwritten digits into typeset or colour ones and back with two generators that never see a pair; race a twin without the cycle loss and watch it forget which digit it was given."
            }
            Route::Colorize => {
                "Grey in, colour out: a pix2pix-style generator colours patches of real photographs it has never seen, scored by PSNR and SSIM against the real colours and a mean-colour baseline."
            }
            Route::Superres => {
                "Bring 7×7 digits back to 28×28 with an SRGAN-style generator, beside bicubic upsampling and the real digit, with PSNR and SSIM; train it further or from scratch in the tab."
            }
        }
    }
}

/// Parameters of the address that are not settings of a task.
const PAGE_KEYS: [&str; 12] = [
    "preset",
    "backend",
    "threads",
    "autostart",
    "pause_at",
    "sample_every",
    "metrics_every",
    "embed",
    "panels",
    "hide",
    "lock",
    "origins",
];

/// What an address asks of the view's layout and of its host page: which panels show, which
/// controls are hidden or locked, and which host origins may send commands. Empty lists: all
/// panels, every control, no commands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// `panels=`: the panels to show, in the view's names (`None`: all).
    pub panels: Option<Vec<String>>,
    /// `hide=`: settings or controls not drawn.
    pub hide: Vec<String>,
    /// `lock=`: settings or controls drawn but not editable.
    pub lock: Vec<String>,
    /// `origins=`: host page origins whose postMessage commands are obeyed (exact
    /// `scheme://host[:port]`).
    pub origins: Vec<String>,
}

impl Layout {
    /// The page's layout (from context; everything shown outside the page).
    pub fn current() -> Self {
        leptos::prelude::use_context::<Self>().unwrap_or_default()
    }

    /// Whether panel `name` is shown.
    pub fn shows(&self, name: &str) -> bool {
        self.panels
            .as_ref()
            .is_none_or(|p| p.iter().any(|n| n == name))
    }

    /// Whether control or setting `id` is hidden.
    pub fn hides(&self, id: &str) -> bool {
        self.hide.iter().any(|h| h == id)
    }

    /// Whether control or setting `id` is locked (shown, not editable).
    pub fn locks(&self, id: &str) -> bool {
        self.lock.iter().any(|h| h == id)
    }

    fn parse(
        route: Route,
        last: impl Fn(&str) -> Option<String>,
        notices: &mut Vec<String>,
    ) -> Self {
        let list = |key: &str| -> Vec<String> {
            last(key)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut layout = Self::default();
        if last("panels").is_some() {
            let names: Vec<&str> = route.panels().iter().map(|(n, _)| *n).collect();
            let (known, unknown): (Vec<String>, Vec<String>) = list("panels")
                .into_iter()
                .partition(|p| names.contains(&p.as_str()));
            for p in unknown {
                notices.push(if names.is_empty() {
                    format!("panel “{p}” ignored: this page has no panels to choose.")
                } else {
                    format!(
                        "panel “{p}” ignored: this view's panels are {}.",
                        names.join(", ")
                    )
                });
            }
            if !known.is_empty() {
                layout.panels = Some(known);
            }
        }
        let controls: Vec<&str> = route
            .setting_ids()
            .into_iter()
            .chain(route.controls().iter().copied())
            .collect();
        for key in ["hide", "lock"] {
            let (known, unknown): (Vec<String>, Vec<String>) = list(key)
                .into_iter()
                .partition(|c| controls.contains(&c.as_str()));
            for c in unknown {
                notices.push(format!(
                    "{key} “{c}” ignored: not a setting or control of this view."
                ));
            }
            if key == "hide" {
                layout.hide = known;
            } else {
                layout.lock = known;
            }
        }
        for origin in list("origins") {
            match web_origin(&origin) {
                Some(o) => layout.origins.push(o),
                None => notices.push(format!(
                    "origin “{origin}” ignored: write it as scheme://host or scheme://host:port."
                )),
            }
        }
        layout
    }
}

/// `origin` normalised as browsers report `MessageEvent.origin` (`https://host[:port]`, no
/// path), if it is one.
fn web_origin(origin: &str) -> Option<String> {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = origin.split_once("://")?;
    let host_ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    // Browsers leave a scheme's default port out of an origin.
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = rest.strip_suffix(default_port).unwrap_or(rest);
    (matches!(scheme, "http" | "https") && host_ok).then(|| format!("{scheme}://{host}"))
}

/// Everything the address asks for, parsed once.
#[derive(Clone, Debug)]
pub struct PageOptions {
    /// The view to show.
    pub route: Route,
    /// The user's backend wish.
    pub backend: BackendChoice,
    /// `threads=`: the CPU worker's thread count (1: the single-thread build; `None`: one per
    /// core where the page is cross-origin isolated).
    pub threads: Option<u32>,
    /// The preset the settings start from.
    pub preset: Preset,
    /// The preset with the address's settings applied (checked per setting; a combination the
    /// rules refuse is kept, so the form shows it with its message).
    pub config: TrainConfig,
    /// Start training as soon as the worker is ready.
    pub autostart: bool,
    /// Pause automatically at this step.
    pub pause_at: Option<u64>,
    /// A new sample grid every this many steps while training (at least 1).
    pub sample_every: Option<u32>,
    /// Quality metrics every this many steps.
    pub metrics_every: Option<u32>,
    /// The gallery's parameters.
    pub gallery: GalleryOptions,
    /// Embed mode (`embed`): the view alone, without the playground's header and footer, with
    /// a link to open the same address in the full page, reporting its height to the host.
    pub embed: bool,
    /// Panels, hidden and locked controls, and the host origins allowed to send commands.
    pub layout: Layout,
    /// One line per parameter that was ignored, naming it and the reason.
    pub notices: Vec<String>,
}

/// The most threads `threads=` may ask for.
pub const MAX_THREADS: u32 = 16;

/// Whether a flag parameter is on: present, and not `0`, `false`, `off` or `no`.
fn flag(value: Option<&str>) -> bool {
    value.is_some_and(|v| !matches!(v, "0" | "false" | "off" | "no"))
}

/// Parameters of the page's setup (not of a view's state) that survive a view rewriting its
/// address: embed mode, its layout and `autostart`.
const KEPT_KEYS: [&str; 6] = ["panels", "hide", "lock", "origins", "autostart", "threads"];

/// The page's address with its hash replaced by `hash` (`#/view?…`), from the current
/// address's path, query string and hash: the path and query string stay, and so do `embed`
/// and the layout parameters ([`KEPT_KEYS`]) of the current hash (so an embedded view that
/// writes its state into the address is still embedded, with its panels, after a reload).
pub fn rewrite_hash(path: &str, search: &str, old_hash: &str, hash: &str) -> String {
    let old_query = old_hash
        .trim_start_matches('#')
        .split_once('?')
        .map_or("", |(_, q)| q);
    let old = pairs(old_query);
    let last = |key: &str| {
        old.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let mut hash = hash.to_string();
    let mut add = |text: &str| {
        hash.push(if hash.contains('?') { '&' } else { '?' });
        hash.push_str(text);
    };
    if flag(last("embed").as_deref()) {
        add("embed");
    }
    for key in KEPT_KEYS {
        if let Some(v) = last(key) {
            let mut pair = form_urlencoded::Serializer::new(String::new());
            pair.append_pair(key, &v);
            add(&pair.finish().replace("%2C", ","));
        }
    }
    format!("{path}{search}{hash}")
}

/// The current address with its hash replaced by `hash`, as [`rewrite_hash`] keeps it.
pub fn address_with_hash(hash: &str) -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return hash.to_string();
    };
    rewrite_hash(
        &location.pathname().unwrap_or_default(),
        &location.search().unwrap_or_default(),
        &location.hash().unwrap_or_default(),
        hash,
    )
}

/// The address without its `embed` parameter: the same setup in the full page.
pub fn without_embed(href: &str) -> String {
    let strip = |query: &str| {
        let kept: Vec<(String, String)> = pairs(query)
            .into_iter()
            .filter(|(k, _)| k != "embed")
            .collect();
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &kept {
            out.append_pair(k, v);
        }
        out.finish()
    };
    let (before_hash, hash) = href.split_once('#').unwrap_or((href, ""));
    let (base, search) = before_hash.split_once('?').unwrap_or((before_hash, ""));
    let (path, hash_query) = hash.split_once('?').unwrap_or((hash, ""));
    let join = |head: &str, query: String| {
        if query.is_empty() {
            head.to_string()
        } else {
            format!("{head}?{query}")
        }
    };
    let page = join(base, strip(search));
    if href.contains('#') {
        format!("{page}#{}", join(path, strip(hash_query)))
    } else {
        page
    }
}

/// The embed address of a full-page address: `href` with `embed` and the chosen `panels`
/// (none: every panel) in its hash, replacing any `embed`, `panels` it had.
pub fn embed_address(href: &str, panels: &[&str]) -> String {
    let page = without_embed(href);
    let (before_hash, hash) = page.split_once('#').unwrap_or((&page, "/"));
    let (path, query) = hash.split_once('?').unwrap_or((hash, ""));
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs(query).iter().filter(|(k, _)| k != "panels") {
        out.append_pair(k, v);
    }
    if !panels.is_empty() {
        out.append_pair("panels", &panels.join(","));
    }
    let rest = out.finish().replace("%2C", ",");
    let sep = if rest.is_empty() { "" } else { "&" };
    format!("{before_hash}#{path}?embed{sep}{rest}")
}

/// The HTML an author pastes to embed `address` (`width`: CSS, e.g. `100%` or `560px`).
pub fn iframe_snippet(address: &str, width: &str, height: u32, title: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    format!(
        "<iframe src=\"{}\" title=\"{}\" loading=\"lazy\"\n        style=\"width: {width}; max-width: 100%; height: {height}px; border: 0\"></iframe>",
        escape(address),
        escape(title)
    )
}

/// What a gallery address asks for: `#/gallery?model=…&seed=…&psi=…&digits=…`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GalleryOptions {
    /// The model's id in the catalogue.
    pub model: Option<String>,
    /// The grid's seed.
    pub seed: Option<u64>,
    /// The truncation threshold (`None`: none).
    pub psi: Option<f32>,
    /// Conditional models: the digits to show.
    pub digits: Option<Vec<u8>>,
}

impl GalleryOptions {
    /// The gallery task's settings pairs for these options.
    pub fn settings(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(seed) = self.seed {
            out.push(("seed".into(), seed.to_string()));
        }
        if let Some(psi) = self.psi {
            out.push(("psi".into(), psi.to_string()));
        }
        if let Some(d) = &self.digits {
            out.push(("digits".into(), d.iter().map(|d| d.to_string()).collect()));
        }
        out
    }

    fn parse(params: &[(String, String)], notices: &mut Vec<String>) -> Self {
        let mut o = Self::default();
        for (key, value) in params {
            let v = value.trim();
            match key.as_str() {
                "model" => o.model = Some(v.to_string()),
                "seed" => match v.parse() {
                    Ok(seed) => o.seed = Some(seed),
                    Err(_) => notices.push(format!("seed “{value}” ignored: not a whole number.")),
                },
                "psi" => match v {
                    "" | "none" => o.psi = None,
                    _ => match v.parse::<f32>() {
                        Ok(p) if p.is_finite() && p > 0.0 => o.psi = Some(p),
                        _ => notices.push(format!("psi “{value}” ignored: not a number above 0.")),
                    },
                },
                "digits" => {
                    let d: Vec<u8> = v
                        .chars()
                        .filter_map(|c| c.to_digit(10))
                        .map(|d| d as u8)
                        .collect();
                    if d.is_empty() {
                        notices.push(format!("digits “{value}” ignored: no digits 0–9."));
                    } else {
                        o.digits = Some(d);
                    }
                }
                "backend" | "threads" | "embed" | "panels" | "hide" | "lock" | "origins" => {}
                other => notices.push(format!("unknown parameter “{other}” ignored.")),
            }
        }
        o
    }

    /// The hash that reproduces this view of the gallery.
    pub fn hash(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(m) = &self.model {
            query.append_pair("model", m);
        }
        if let Some(s) = self.seed {
            query.append_pair("seed", &s.to_string());
        }
        if let Some(p) = self.psi {
            query.append_pair("psi", &p.to_string());
        }
        if let Some(d) = &self.digits {
            query.append_pair(
                "digits",
                &d.iter().map(|d| d.to_string()).collect::<String>(),
            );
        }
        format!("#{}?{}", Route::Gallery.path(), query.finish())
    }
}

/// The `(key, value)` pairs of a query string (`a=1&b=2`, with or without the leading `?`).
fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl PageOptions {
    /// Parses `location.search` and `location.hash` (each with or without its `?` / `#`).
    pub fn parse(search: &str, hash: &str) -> Self {
        let hash = hash.trim_start_matches('#');
        let (path, hash_query) = hash.split_once('?').unwrap_or((hash, ""));
        let mut params = pairs(search);
        params.extend(pairs(hash_query));
        let mut notices = Vec::new();
        let route = match Route::from_path(path) {
            Some(Route::Home) if !params.is_empty() && path.is_empty() => Route::Train,
            Some(route) => route,
            None => {
                notices.push(format!(
                    "There is no page “#{path}”; here is the start page instead."
                ));
                Route::Home
            }
        };
        // Later parameters win, as in the hash over the query string.
        let last = |key: &str| {
            params
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let preset = match last("preset") {
            None => Preset::DEFAULT,
            Some(id) => Preset::from_id(id).unwrap_or_else(|| {
                notices.push(format!(
                    "preset “{id}” ignored: not one of {}; using “{}”.",
                    Preset::ALL.map(|p| p.id()).join(", "),
                    Preset::DEFAULT.id()
                ));
                Preset::DEFAULT
            }),
        };
        let backend = match last("backend") {
            None => BackendChoice::Auto,
            Some(id) => BackendChoice::from_id(id).unwrap_or_else(|| {
                notices.push(format!(
                    "backend “{id}” ignored: not one of auto, cpu, gpu; using auto."
                ));
                BackendChoice::Auto
            }),
        };
        let threads = match last("threads") {
            None => None,
            Some(text) => match text.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_THREADS).contains(&n) => Some(n),
                _ => {
                    notices.push(format!(
                        "threads “{text}” ignored: not a whole number from 1 to {MAX_THREADS}."
                    ));
                    None
                }
            },
        };
        let embed = flag(last("embed"));
        let layout = Layout::parse(route, |k| last(k).map(String::from), &mut notices);
        if route == Route::Gallery {
            let gallery = GalleryOptions::parse(&params, &mut notices);
            return Self {
                route,
                backend,
                threads,
                preset: Preset::DEFAULT,
                config: Preset::DEFAULT.config(),
                autostart: false,
                pause_at: None,
                sample_every: None,
                metrics_every: None,
                gallery,
                embed,
                layout,
                notices,
            };
        }
        let autostart = flag(last("autostart"));
        let mut whole = |key: &str| -> Option<u64> {
            let text = last(key)?;
            match text.trim().parse() {
                Ok(v) => Some(v),
                Err(_) => {
                    notices.push(format!("{key} “{text}” ignored: not a whole number."));
                    None
                }
            }
        };
        let pause_at = whole("pause_at");
        let sample_every = whole("sample_every");
        let metrics_every = whole("metrics_every").map(|v| v.min(u64::from(u32::MAX)) as u32);
        let sample_every = match sample_every {
            Some(0) => {
                notices.push(
                    "sample_every “0” ignored: the grid is redrawn every 1 or more steps.".into(),
                );
                None
            }
            v => v.map(|v| v.min(u64::from(u32::MAX)) as u32),
        };
        let mut config = preset.config();
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in params.iter().rev() {
            if seen.contains(&key.as_str()) {
                continue;
            }
            seen.push(key);
            if PAGE_KEYS.contains(&key.as_str()) {
                continue;
            }
            match Setting::<TrainConfig>::find(key) {
                Some(s) => {
                    if let Err(e) = s.parse_into(&mut config, value) {
                        notices.push(format!("{key} ignored: {}", e.message));
                    }
                }
                None => notices.push(format!("unknown parameter “{key}” ignored.")),
            }
        }
        if let Err(errors) = validate(&config) {
            for e in errors.iter() {
                notices.push(format!("{}: {}", e.field, e.message));
            }
        }
        Self {
            route,
            backend,
            threads,
            preset,
            config,
            autostart,
            pause_at,
            sample_every,
            metrics_every,
            gallery: GalleryOptions::default(),
            embed,
            layout,
            notices,
        }
    }
}

/// The hash that reproduces a training run's setup: `#/train?preset=…&backend=…&<every setting>`.
pub fn train_hash(preset: Option<Preset>, backend: BackendChoice, config: &TrainConfig) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(p) = preset {
        query.append_pair("preset", p.id());
    }
    if backend != BackendChoice::Auto {
        query.append_pair("backend", backend.id());
    }
    for (id, text) in to_pairs(config) {
        query.append_pair(id, &text);
    }
    format!("#{}?{}", Route::Train.path(), query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::settings::Settings;
    use crate::core::settings::probe::other_value;

    fn json(c: &TrainConfig) -> serde_json::Value {
        serde_json::to_value(c).unwrap_or_default()
    }

    #[test]
    fn embed_is_a_page_flag_of_every_view_and_the_full_page_link_drops_it() {
        for hash in [
            "#/cycle?embed",
            "#/gallery?seed=3&embed=1",
            "#/train?embed&preset=lsgan",
        ] {
            let o = PageOptions::parse("", hash);
            assert!(o.embed, "{hash}");
            assert_eq!(o.notices, Vec::<String>::new(), "{hash}");
        }
        assert!(!PageOptions::parse("", "#/cycle").embed);
        assert!(!PageOptions::parse("", "#/cycle?embed=0").embed);
        assert!(PageOptions::parse("?embed", "#/superres").embed);
        assert_eq!(
            without_embed("https://x.org/p/?embed#/gallery?seed=3&embed=1&psi=2"),
            "https://x.org/p/#/gallery?seed=3&psi=2"
        );
        assert_eq!(without_embed("http://h/#/cycle?embed"), "http://h/#/cycle");
        assert_eq!(without_embed("http://h/?a=1"), "http://h/?a=1");
        // Views that write their state into the address keep `embed` (and the query string).
        assert_eq!(
            rewrite_hash("/p/", "?x=1", "#/gallery?embed&seed=1", "#/gallery?seed=2"),
            "/p/?x=1#/gallery?seed=2&embed"
        );
        assert_eq!(
            rewrite_hash("/", "", "#/train?embed=1", "#/train"),
            "/#/train?embed"
        );
        assert_eq!(
            rewrite_hash("/", "?embed", "#/train", "#/train?lr_g=0.1"),
            "/?embed#/train?lr_g=0.1"
        );
        assert_eq!(
            rewrite_hash("/", "", "#/train?embed=0", "#/train?a=b"),
            "/#/train?a=b"
        );
        assert_eq!(
            rewrite_hash(
                "/",
                "",
                "#/gallery?embed&panels=grid,pad&seed=1",
                "#/gallery?seed=2"
            ),
            "/#/gallery?seed=2&embed&panels=grid,pad"
        );
        let kept = rewrite_hash("/", "", "#/train?embed&autostart&lr_g=1", "#/train?lr_g=2");
        assert!(
            PageOptions::parse("", kept.trim_start_matches('/')).autostart,
            "{kept}"
        );
    }

    #[test]
    fn panels_controls_and_origins_are_checked_per_view() {
        let o = PageOptions::parse(
            "",
            "#/train?embed&panels=grid,train&hide=preset,seed&lock=loss&origins=HTTPS://Blog.example.org:443/,http://127.0.0.1:8000",
        );
        assert_eq!(o.notices, Vec::<String>::new());
        let l = &o.layout;
        assert!(l.shows("grid") && l.shows("train") && !l.shows("loss"));
        assert!(l.hides("preset") && l.hides("seed") && !l.hides("loss"));
        assert!(l.locks("loss") && !l.locks("seed"));
        assert_eq!(
            l.origins,
            ["https://blog.example.org", "http://127.0.0.1:8000"]
        );
        let bad = PageOptions::parse(
            "",
            "#/gallery?panels=grid,loss&hide=lr_g&lock=seed&origins=*,ftp://x,https://ok.org/path",
        );
        assert_eq!(bad.layout.panels, Some(vec!["grid".to_string()]));
        assert!(bad.layout.hide.is_empty());
        assert_eq!(bad.layout.lock, ["seed"]);
        assert!(bad.layout.origins.is_empty());
        let text = bad.notices.join("\n");
        for needle in [
            "panel “loss”",
            "hide “lr_g”",
            "origin “*”",
            "origin “ftp://x”",
            "https://ok.org/path",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
        assert_eq!(bad.notices.len(), 5, "{text}");
        // No known panel left: every panel shows. Each view's settings can be hidden.
        let none = PageOptions::parse("", "#/cycle?panels=nope&hide=cycle_weight");
        assert_eq!(none.layout.panels, None);
        assert_eq!(none.notices.len(), 1, "{:?}", none.notices);
        assert!(none.layout.hides("cycle_weight"));
        for route in Route::DEMOS {
            assert!(!route.panels().is_empty(), "{route:?}");
        }
    }

    #[test]
    fn embed_addresses_and_snippets() {
        assert_eq!(
            embed_address(
                "https://x.org/p/#/train?preset=mlp&panels=loss",
                &["grid", "train"]
            ),
            "https://x.org/p/#/train?embed&preset=mlp&panels=grid,train"
        );
        assert_eq!(
            embed_address("http://h/?embed#/cycle", &[]),
            "http://h/#/cycle?embed"
        );
        assert_eq!(embed_address("http://h/", &[]), "http://h/#/?embed");
        let back = PageOptions::parse(
            "",
            embed_address("http://h/#/gallery?seed=3", &["grid", "pad"])
                .split_once('#')
                .map_or("", |(_, h)| h),
        );
        assert!(back.embed);
        assert_eq!(back.gallery.seed, Some(3));
        assert_eq!(
            back.layout.panels,
            Some(vec!["grid".to_string(), "pad".into()])
        );
        assert!(back.notices.is_empty(), "{:?}", back.notices);
        let html = iframe_snippet("http://h/#/train?embed&a=1", "560px", 480, "A \"GAN\"");
        assert!(
            html.contains("src=\"http://h/#/train?embed&amp;a=1\""),
            "{html}"
        );
        assert!(html.contains("title=\"A &quot;GAN&quot;\""), "{html}");
        assert!(html.contains("width: 560px") && html.contains("height: 480px"));
    }

    #[test]
    fn every_setting_round_trips_through_the_address() {
        let mut configs: Vec<TrainConfig> = Preset::ALL.iter().map(|p| p.config()).collect();
        for s in TrainConfig::settings() {
            let mut c = Preset::Lsgan.config();
            let text = other_value(s, &c);
            if s.parse_into(&mut c, &text).is_ok() {
                configs.push(c);
            }
        }
        for config in configs {
            let hash = train_hash(Some(Preset::Wgan), BackendChoice::Cpu, &config);
            let back = PageOptions::parse("", &hash);
            assert_eq!(back.route, Route::Train);
            assert_eq!(back.backend, BackendChoice::Cpu);
            assert_eq!(back.preset, Preset::Wgan);
            assert_eq!(json(&back.config), json(&config), "{hash}");
            let invalid = validate(&config).is_err();
            assert_eq!(back.notices.is_empty(), !invalid, "{:?}", back.notices);
        }
    }

    #[test]
    fn threads_is_a_page_option_of_every_view_and_survives_a_rewrite() {
        assert_eq!(PageOptions::parse("?threads=3", "#/train").threads, Some(3));
        let gallery = PageOptions::parse("", "#/gallery?seed=4&threads=1");
        assert_eq!(gallery.threads, Some(1));
        assert!(gallery.notices.is_empty(), "{:?}", gallery.notices);
        let train = PageOptions::parse("", "#/train?threads=2&lr_g=0.001");
        assert!(
            train.notices.is_empty(),
            "not a setting: {:?}",
            train.notices
        );
        for bad in ["0", "abc", "99"] {
            let o = PageOptions::parse(&format!("?threads={bad}"), "#/train");
            assert_eq!(o.threads, None);
            assert!(
                o.notices
                    .iter()
                    .any(|n| n.contains("threads") && n.contains(bad))
            );
        }
        let kept = rewrite_hash("/", "", "#/train?threads=2", "#/gallery?seed=1");
        assert!(kept.contains("threads=2"), "{kept}");
    }

    #[test]
    fn garbage_parameters_are_named_and_ignored() {
        let o = PageOptions::parse("?preset=zzz&lr_g=abc&backend=banana&colour=red&seed=7", "");
        assert_eq!(
            o.route,
            Route::Train,
            "an old-style link opens the train view"
        );
        assert_eq!(o.preset, Preset::DEFAULT);
        assert_eq!(o.backend, BackendChoice::Auto);
        assert_eq!(o.config.lr_g, Preset::DEFAULT.config().lr_g);
        assert_eq!(o.config.seed, 7, "the good parameter still applies");
        let text = o.notices.join("\n");
        for needle in ["zzz", "lr_g", "not a number", "banana", "colour"] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
        assert_eq!(o.notices.len(), 4);
    }

    #[test]
    fn routes_and_precedence() {
        assert_eq!(PageOptions::parse("", "").route, Route::Home);
        assert_eq!(PageOptions::parse("", "#/").route, Route::Home);
        assert_eq!(PageOptions::parse("", "#/train").route, Route::Train);
        let lost = PageOptions::parse("", "#/nowhere");
        assert_eq!(lost.route, Route::Home);
        assert!(lost.notices[0].contains("nowhere"));
        let o = PageOptions::parse("?lr_g=0.1&pause_at=5", "#/train?lr_g=0.2&autostart");
        assert_eq!(o.config.lr_g, 0.2, "the hash wins over the query string");
        assert_eq!(o.pause_at, Some(5));
        assert_eq!(o.sample_every, None);
        assert!(o.autostart);
        assert!(o.notices.is_empty(), "{:?}", o.notices);
        let o = PageOptions::parse("", "#/train?sample_every=50");
        assert_eq!(o.sample_every, Some(50));
        assert!(o.notices.is_empty(), "{:?}", o.notices);
        for bad in ["0", "often"] {
            let o = PageOptions::parse("", &format!("#/train?sample_every={bad}"));
            assert_eq!(o.sample_every, None);
            assert!(
                o.notices
                    .iter()
                    .any(|n| n.contains("sample_every") && n.contains(bad)),
                "{:?}",
                o.notices
            );
        }
    }

    #[test]
    fn gallery_addresses_round_trip_and_name_what_they_ignore() {
        let g = GalleryOptions {
            model: Some("cgan".into()),
            seed: Some(42),
            psi: Some(0.7),
            digits: Some(vec![3, 7]),
        };
        let back = PageOptions::parse("", &g.hash());
        assert_eq!(back.route, Route::Gallery);
        assert_eq!(back.gallery, g);
        assert!(back.notices.is_empty(), "{:?}", back.notices);
        let bad = PageOptions::parse("", "#/gallery?seed=x&psi=-1&digits=zz&lr_g=0.1");
        assert_eq!(bad.gallery, GalleryOptions::default());
        assert_eq!(bad.notices.len(), 4, "{:?}", bad.notices);
    }
}

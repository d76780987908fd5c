//! The colourisation view: grey patches of real photographs (held out from training) coloured
//! by a pix2pix-style generator, beside a "mean colour" baseline and the real colours, with PSNR
//! and SSIM of each on every held-out patch. A pretrained colouriser opens at once.

use leptos::prelude::*;

use super::demo::{DemoCharts, DemoControls, DemoMessages, DemoSession};
use super::samples::ImagePanel;
use super::scores::ScoreTableView;
use super::task_form::task_settings;
use crate::core::colorize::ColorConfig;
use crate::core::pretrained::ColorCard;
use crate::engine::colorize::ID;

/// Where the page serves the pretrained colouriser's card.
const CARD_URL: &str = "./pretrained/colorize.json";

/// The colourisation worker and everything the view draws.
#[derive(Clone, Copy)]
pub struct ColorizeSession {
    /// The worker and the state its events build.
    pub demo: DemoSession,
    /// The pretrained colouriser's card.
    pub card: RwSignal<Option<ColorCard>>,
}

impl ColorizeSession {
    /// Starts the worker with the task and loads the pretrained colouriser.
    pub fn start() -> Self {
        let demo = DemoSession::start(
            ID,
            crate::core::settings::to_setting_pairs(&ColorConfig::new()),
            "the colouriser is small: the CPU worker trains it",
            "Starting: loading the photographs and the colouriser…",
            |_, _| {},
        );
        let session = Self {
            demo,
            card: RwSignal::new(None),
        };
        session.open_pretrained();
        session
    }

    /// Fetches the pretrained colouriser and loads it.
    pub fn open_pretrained(&self) {
        self.demo.open_pretrained::<ColorCard>(
            CARD_URL,
            |c| &c.file,
            |c| c.steps,
            "pretrained colouriser",
            self.card,
        );
    }
}

/// The colourisation view.
#[component]
pub fn ColorizeView() -> impl IntoView {
    let Some(session) = use_context::<ColorizeSession>() else {
        return view! { <p>"The colourisation demo could not start."</p> }.into_any();
    };
    let s = session.demo;
    let form = task_settings::<ColorConfig>("color", s.texts, s.errors).into_any();
    let layout = super::options::Layout::current();
    view! {
        <main class="demo-view colorize-view" data-step=move || s.step.get().to_string() data-ready=move || s.ready.get().to_string()>
            <section class="intro" hidden=!layout.shows("intro")>
                <h2>"Colourise photographs"</h2>
                <p>"The second guide's worked example of paired translation: grey in, colour out. The generator (a small U-Net) sees 28×28 grey patches of six public-domain photographs (an astronaut, a coffee cup, a cat, a rocket launch, the Hubble deep field, a retina) and learns their colours from a pixel loss plus, as pix2pix does, a discriminator that judges the grey patch and its colours together. Scores: PSNR and SSIM (per colour channel) against the real colours on patches from the right quarter of each photograph, which training never sees, beside three baselines: the photographs' mean colour everywhere, the grey tinted by their mean colour, and the grey itself. The generator predicts only the colour (two chroma channels); the brightness is the grey input's, so the photograph's structure is kept exactly."</p>
                {move || session.card.get().map(|c| view! {
                    <p class="muted" id="color-card">{format!("Pretrained: {} steps in {:.0} s on {} (`{}`); on {} held-out patches PSNR {:.2} dB / SSIM {:.3}; mean colour {:.2} dB / {:.3}; grey + mean tint {:.2} dB / {:.3}; grey {:.2} dB / {:.3}.",
                        c.steps, c.train_seconds, c.trained_on, c.command, c.held_out, c.model.psnr, c.model.ssim, c.mean_colour.psnr, c.mean_colour.ssim, c.tinted.psnr, c.tinted.ssim, c.grey.psnr, c.grey.ssim)}</p>
                })}
            </section>
            <DemoMessages s=s prefix="color" />
            <DemoControls s=s prefix="color" form=form
                score_help="Score the model and the baselines on every held-out patch now (also done every 500 steps while training)."
                apply_help="Apply the adversarial weight and learning rates to the running networks."
                reset_help="Fresh networks with these settings (adversarial weight 0: the pixel-loss-only baseline)."
                pretrained=Callback::new(move |()| session.open_pretrained()) />
            <div class="live">
            <section class="visuals" hidden=!layout.shows("visuals")>
                <ImagePanel panel=s.panel("colorize") canvas_id="color-panel" labels_id="color-rows" placeholder="Loading the colouriser…"
                    help="Eight held-out patches: the grey input, the model's colours, the grey tinted by the mean colour, and the real colours." />
                <ScoreTableView table=s.scores.into() id="color-scores" />
            </section>
            <section class="charts" hidden=!layout.shows("charts")>
                <DemoCharts s=s />
            </section>
            </div>
        </main>
    }
    .into_any()
}

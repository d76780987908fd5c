//! The super-resolution view: held-out digits averaged down to 7×7 (or 14×14) and brought back
//! to 28×28 by an SRGAN-style generator, beside bicubic upsampling and the real digit, with
//! PSNR and SSIM of both on the held-out digits. A pretrained upscaler opens at once; the user
//! can train it further, restart from scratch with other settings (a pixel-loss-only baseline
//! at adversarial weight 0), and save or open files.

use leptos::prelude::*;

use super::chart::{LineChart, Series};
use super::demo::{DemoCharts, DemoControls, DemoMessages, DemoSession};
use super::samples::ImagePanel;
use super::scores::ScoreTableView;
use super::task_form::task_settings;
use crate::core::pretrained::SrCard;
use crate::core::superres::SrConfig;
use crate::engine::Event;
use crate::engine::superres::ID;

/// Where the page serves the pretrained upscaler's card.
const CARD_URL: &str = "./pretrained/superres.json";

/// The super-resolution worker and everything the view draws.
#[derive(Clone, Copy)]
pub struct SuperResSession {
    /// The worker and the state its events build.
    pub demo: DemoSession,
    /// The model's SSIM and bicubic's at each scoring, for the chart.
    pub ssim: RwSignal<(Vec<f32>, Vec<f32>)>,
    /// The pretrained upscaler's card.
    pub card: RwSignal<Option<SrCard>>,
}

impl SuperResSession {
    /// Starts the worker with the task and loads the pretrained upscaler.
    pub fn start() -> Self {
        let ssim = RwSignal::new((Vec::new(), Vec::new()));
        let demo = DemoSession::start(
            ID,
            crate::core::settings::to_setting_pairs(&SrConfig::new()),
            "the upscaler's networks are small: the CPU worker trains them",
            "Starting…",
            move |_, event| match event {
                Event::Started { .. } => ssim.set((Vec::new(), Vec::new())),
                Event::Scores(table) => {
                    let ssim_of = |i: usize| table.rows.get(i).and_then(|r| r.1.get(1)).copied();
                    if let (Some(model), Some(cubic)) = (ssim_of(0), ssim_of(1)) {
                        ssim.update(|(m, c)| {
                            m.push(model);
                            c.push(cubic);
                        });
                    }
                }
                _ => {}
            },
        );
        let session = Self {
            demo,
            ssim,
            card: RwSignal::new(None),
        };
        session.open_pretrained();
        session
    }

    /// Fetches the pretrained upscaler and loads it.
    pub fn open_pretrained(&self) {
        self.demo.open_pretrained::<SrCard>(
            CARD_URL,
            |c| &c.file,
            |c| c.steps,
            "pretrained upscaler",
            self.card,
        );
    }
}

/// The super-resolution view.
#[component]
pub fn SuperResView() -> impl IntoView {
    let Some(session) = use_context::<SuperResSession>() else {
        return view! { <p>"The super-resolution demo could not start."</p> }.into_any();
    };
    let s = session.demo;
    let ssim_series = Signal::derive(move || {
        session.ssim.with(|(m, c)| {
            vec![
                Series {
                    name: "model".into(),
                    color: "#2e86ab".into(),
                    values: m.clone(),
                },
                Series {
                    name: "bicubic".into(),
                    color: "#999999".into(),
                    values: c.clone(),
                },
            ]
        })
    });
    let form = task_settings::<SrConfig>("sr", s.texts, s.errors).into_any();
    let layout = super::options::Layout::current();
    view! {
        <main class="demo-view superres-view" data-step=move || s.step.get().to_string() data-ready=move || s.ready.get().to_string()>
            <section class="intro" hidden=!layout.shows("intro")>
                <h2>"Super-resolution"</h2>
                <p>"Each held-out digit is averaged down to 7×7 pixels (or 14×14) and brought back to 28×28. Bicubic interpolation can only blur; the generator, trained like SRGAN with a pixel loss plus a discriminator that scores a 7×7 grid of overlapping 18×18-pixel patches, learns to redraw the strokes. It predicts a correction to bicubic upsampling, so it starts where bicubic is. Scores: PSNR and SSIM against the real digit on 1,000 digits never trained on."</p>
                {move || session.card.get().map(|c| view! {
                    <p class="muted" id="sr-card">{format!("Pretrained: {} steps in {:.0} s on {} (`{}`); on the held-out digits PSNR {:.2} dB / SSIM {:.3}, bicubic {:.2} dB / {:.3}.",
                        c.steps, c.train_seconds, c.trained_on, c.command, c.model.psnr, c.model.ssim, c.bicubic.psnr, c.bicubic.ssim)}</p>
                })}
            </section>
            <DemoMessages s=s prefix="sr" />
            <DemoControls s=s prefix="sr" form=form
                score_help="Score the model and bicubic upsampling on the 1,000 held-out digits now (also done every 500 steps while training)."
                apply_help="Apply the adversarial weight and learning rates to the running networks."
                reset_help="Fresh networks with these settings (adversarial weight 0: the pixel-loss-only baseline)."
                pretrained=Callback::new(move |()| session.open_pretrained()) />
            <div class="live">
            <section class="visuals" hidden=!layout.shows("visuals")>
                <ImagePanel panel=s.panel("superres") canvas_id="sr-panel" labels_id="sr-rows" placeholder="Loading the upscaler…"
                    help="Eight held-out digits: the low-resolution input (enlarged), bicubic upsampling, the model's output and the real digit." />
                <ScoreTableView table=s.scores.into() id="sr-scores" />
            </section>
            <section class="charts" hidden=!layout.shows("charts")>
                <DemoCharts s=s />
                <LineChart title="SSIM on held-out digits" help="Mean SSIM of the model's output (and of bicubic upsampling) against the real digits, at each scoring." range=Signal::stored(None) unit="scorings" series=ssim_series />
            </section>
            </div>
        </main>
    }
    .into_any()
}

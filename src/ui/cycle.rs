//! The CycleGAN view: handwritten ↔ typeset digits, or handwritten ↔ colour digits (1 ↔ 3
//! channels). Fixed held-out triplets x → G(x) → F(G(x)) and y → F(y) → G(F(y)) with each
//! round trip's error, the losses, and content preservation; one click races a λ = 0 twin
//! beside the run to show what the cycle loss is for. Pretrained networks (with their twin) of
//! each pair open at once. A digit drawn or uploaded is translated both ways.

use leptos::prelude::*;

use super::chart::{LineChart, Series};
use super::demo::{DemoCharts, DemoControls, DemoMessages, DemoSession};
use super::draw_pad::DrawPad;
use super::samples::ImagePanel;
use super::scores::ScoreTableView;
use super::task_form::task_settings;
use crate::core::cyclegan::{CycleConfig, Domain};
use crate::core::pretrained::CycleCard;
use crate::engine::cyclegan::ID;
use crate::engine::{Command, Event};

/// Where the page serves the card of each domain's pretrained networks.
fn card_url(domain: Domain) -> &'static str {
    match domain {
        Domain::Typeset => "./pretrained/cyclegan.json",
        Domain::Colour => "./pretrained/cyclegan-colour.json",
    }
}

/// Content kept at each scoring: (x→y, y→x) of the run and of the twin (NaN where there was
/// none), in percent.
type KeptHistory = [Vec<f32>; 4];

/// The CycleGAN worker and everything the view draws.
#[derive(Clone, Copy)]
pub struct CycleSession {
    /// The worker and the state its events build.
    pub demo: DemoSession,
    /// Content kept at each scoring.
    pub kept: RwSignal<KeptHistory>,
    /// The card of the pretrained networks opened last.
    pub card: RwSignal<Option<CycleCard>>,
    /// The running networks' domain Y.
    pub domain: RwSignal<Domain>,
    /// The last digit drawn or uploaded, translated again when the networks change.
    drawn: StoredValue<Option<Vec<u8>>>,
}

impl CycleSession {
    /// Starts the worker with the task and loads the pretrained networks.
    pub fn start() -> Self {
        let kept = RwSignal::new(KeptHistory::default());
        let drawn = StoredValue::new(None::<Vec<u8>>);
        let domain = RwSignal::new(Domain::default());
        let demo = DemoSession::start(
            ID,
            crate::core::settings::to_setting_pairs(&CycleConfig::new()),
            "the CycleGAN's networks are small: the CPU worker trains them",
            "Starting: rendering the typeset and colour digits and loading the networks…",
            move |demo, event| match event {
                Event::Started { settings, .. } => {
                    domain.set(Domain::from_pairs(settings));
                    kept.set(KeptHistory::default());
                    if let Some(digit) = drawn.get_value() {
                        demo.command(Command::Translate(digit));
                    }
                }
                Event::Scores(table) => {
                    let cell = |row: usize, col: usize| {
                        table
                            .rows
                            .get(row)
                            .and_then(|r| r.1.get(col))
                            .copied()
                            .unwrap_or(f32::NAN)
                    };
                    kept.update(|k| {
                        for (i, (row, col)) in
                            [(0, 0), (0, 1), (1, 0), (1, 1)].into_iter().enumerate()
                        {
                            k[i].push(cell(row, col));
                        }
                    });
                }
                _ => {}
            },
        );
        let session = Self {
            demo,
            kept,
            card: RwSignal::new(None),
            domain,
            drawn,
        };
        session.open_pretrained(Domain::default());
        session
    }

    /// Fetches the pretrained networks of `domain` and loads them.
    pub fn open_pretrained(&self, domain: Domain) {
        self.demo.open_pretrained::<CycleCard>(
            card_url(domain),
            |c| &c.file,
            |c| c.steps,
            "pretrained networks",
            self.card,
        );
    }

    /// Opens the pretrained networks of `domain` unless they run already; asks first when they
    /// would replace networks trained in this tab.
    pub fn switch_to(&self, domain: Domain) {
        let s = self.demo;
        let step = s.step.get_untracked();
        // The pretrained networks as they came, not trained further in this tab.
        let untouched = s.pretrained.get_untracked()
            && self
                .card
                .with_untracked(|c| c.as_ref().is_some_and(|c| c.steps == step));
        if domain == self.domain.get_untracked() && untouched {
            return;
        }
        let confirmed = untouched
            || step == 0
            || web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(&format!(
                        "Open the pretrained handwritten ↔ {} networks? The current run ({step} steps) is discarded; “Download networks” keeps it.",
                        domain.noun()
                    ))
                    .ok()
                })
                .unwrap_or(false);
        if confirmed {
            self.open_pretrained(domain);
        }
    }

    /// Translates a drawn or uploaded digit both ways (again whenever the networks change).
    pub fn translate(&self, digit: Vec<u8>) {
        self.drawn.set_value(Some(digit.clone()));
        self.demo.command(Command::Translate(digit));
    }

    /// Whether a λ = 0 twin trains beside the run (the latest scores have its row).
    pub fn has_twin(&self) -> bool {
        self.demo
            .scores
            .with(|t| t.as_ref().is_some_and(|t| t.rows.len() > 1))
    }
}

/// The CycleGAN view.
#[component]
pub fn CycleView() -> impl IntoView {
    let Some(session) = use_context::<CycleSession>() else {
        return view! { <p>"The CycleGAN demo could not start."</p> }.into_any();
    };
    let s = session.demo;
    let twin = Memo::new(move |_| session.has_twin());
    let noun = move || session.domain.get().noun();
    // Whether a panel of this name has arrived (changes once, so its view is built once).
    let has = move |name: &'static str| {
        Memo::new(move |_| s.panels.with(|p| p.iter().any(|p| p.name == name)))
    };
    let kept_series = Signal::derive(move || {
        session.kept.with(|k| {
            let line = |name: &str, color: &str, values: &Vec<f32>| Series {
                name: name.into(),
                color: color.into(),
                values: values.clone(),
            };
            let mut lines = vec![line("x→y", "#2e86ab", &k[0]), line("y→x", "#3b8b5a", &k[1])];
            if k[2].iter().any(|v| v.is_finite()) {
                lines.push(line("twin x→y", "#e4572e", &k[2]));
                lines.push(line("twin y→x", "#f18f01", &k[3]));
            }
            lines
        })
    });
    let triplets = move |twin: bool| {
        let (x, y, x_rows, y_rows) = if twin {
            ("twin-x", "twin-y", "twin-x-rows", "twin-y-rows")
        } else {
            ("cycle-x", "cycle-y", "cycle-x-rows", "cycle-y-rows")
        };
        let x_help = Signal::derive(move || {
            format!(
                "Eight held-out handwritten digits x, their translation G(x) into {} digits, and the round trip F(G(x)); under each column, the round trip's mean absolute error.",
                noun()
            )
        });
        let y_help = Signal::derive(move || {
            format!(
                "Eight held-out {} digits y, their translation F(y) into handwriting, and the round trip G(F(y)); under each column, the round trip's mean absolute error.",
                noun()
            )
        });
        view! {
            <ImagePanel panel=s.panel(x) canvas_id=x labels_id=x_rows placeholder="Loading the networks…"
                help=x_help />
            <ImagePanel panel=s.panel(y) canvas_id=y labels_id=y_rows placeholder="Loading the networks…"
                help=y_help />
        }
    };
    let twin_button = view! {
                    <button id="cycle-twin" disabled=move || !s.ready.get()
                        title="Restart from scratch beside a twin with λ = 0 (same settings and seed, no cycle or identity loss), both training side by side; or drop the twin."
                        on:click=move |_| {
                            let on = !twin.get_untracked();
                            if on { s.expect_source("both trained from scratch in this tab"); }
                            s.command(Command::Twin(on))
                        }>
                        {move || if twin.get() { "Drop the twin" } else { "Race a λ = 0 twin" }}</button>
                }.into_any();
    let form = task_settings::<CycleConfig>("cycle", s.texts, s.errors).into_any();
    let picker = Domain::ALL
        .into_iter()
        .map(|d| {
            view! {
                <button id=format!("cycle-domain-{}", d.id()) class="domain-choice"
                    aria-pressed=move || (session.domain.get() == d).to_string()
                    disabled=move || !s.ready.get()
                    title=format!("Open the pretrained networks between handwritten and {} digits (with their λ = 0 twin). {}", d.noun(), d.description())
                    on:click=move |_| session.switch_to(d)>
                    {format!("handwritten ↔ {}", d.noun())}</button>
            }
        })
        .collect_view();
    let layout = super::options::Layout::current();
    view! {
        <main class="demo-view cycle-view" data-step=move || s.step.get().to_string() data-ready=move || s.ready.get().to_string()
            data-twin=move || twin.get().to_string()>
            <section class="intro" hidden=!layout.shows("intro")>
                <h2>{move || format!("CycleGAN: handwritten ↔ {} digits", noun())}</h2>
                <div class="domain-picker" role="group" aria-label="Domain pair">{picker}</div>
                {move || match session.domain.get() {
                    Domain::Typeset => view! {
                        <p>"Two generators translate between domains that are never paired: G turns handwritten digits (MNIST) into typeset ones, F turns typeset digits (rendered here from ten DejaVu faces with random size, slant, weight and offset) into handwriting. Each has a PatchGAN discriminator that scores a 7×7 grid of overlapping 18×18-pixel patches, with the least-squares loss. The cycle-consistency loss λ·(‖F(G(x)) − x‖₁ + ‖G(F(y)) − y‖₁) asks that a round trip comes back where it started, so a translation must keep what the input was: its digit."</p>
                    }.into_any(),
                    Domain::Colour => view! {
                        <p>"Two generators translate between domains that are never paired: G turns greyscale handwritten digits (MNIST) into colour digits, one input channel into three, and F turns colour digits (other MNIST digits drawn here in a random colour over solid, striped, checked, gradient or noisy backgrounds) back into white-on-black handwriting. G has to invent the colours and the background; F has to see through them. Each has a PatchGAN discriminator with the least-squares loss, and the cycle-consistency loss λ·(‖F(G(x)) − x‖₁ + ‖G(F(y)) − y‖₁) ties each translation to its input. Of the identity loss only F's half applies: F given a handwritten digit as a colour image, white on black or black on white, should return it (G cannot be fed a colour image). Without it F learns slowly to read strokes darker than their background."</p>
                    }.into_any(),
                }}
                <p>"Why it matters, shown: “Race a λ = 0 twin” restarts the run beside a twin with no cycle (or identity) loss. The twin's translations still look like the other domain, but nothing ties them to their input; content preservation, the share of held-out digits our classifier (97.6% accurate on handwritten, 99.8% on typeset, 97.6% on colour digits read through their strokes' brightness) reads as the same digit before and after, falls to chance."</p>
                {move || session.card.get().filter(|c| Domain::from_pairs(&c.settings) == session.domain.get() && s.pretrained.get()).map(|c| {
                    let twin = c.twin.map(|t| format!(" Its λ = 0 twin, trained alike: {:.1}% / {:.1}%.", t.kept_xy * 100.0, t.kept_yx * 100.0)).unwrap_or_default();
                    view! {
                        <p class="muted" id="cycle-card">{format!("Pretrained: {} steps in {:.0} s on {} (`{}`); on {} held-out digits per domain it keeps {:.1}% of digits handwritten → {noun} and {:.1}% {noun} → handwritten.{twin}",
                            c.steps, c.train_seconds, c.trained_on, c.command, c.held_out, c.model.kept_xy * 100.0, c.model.kept_yx * 100.0, noun = Domain::from_pairs(&c.settings).noun())}</p>
                    }
                })}
            </section>
            <DemoMessages s=s prefix="cycle" />
            <DemoControls s=s prefix="cycle" form=form
                score_help="Score content preservation on the held-out digits now (also done every 200 steps while training)."
                apply_help="Apply the loss weights and learning rates to the running networks (the twin keeps λ = 0)."
                reset_help="Fresh networks with these settings (and a fresh twin, if one is racing)."
                pretrained=Callback::new(move |()| session.open_pretrained(session.domain.get_untracked()))
                extra=twin_button />
            <div class="live">
            <section class="visuals" hidden=!layout.shows("triplets")>
                <h3 class="run-title">{move || s.scores.with(|t| t.as_ref().and_then(|t| t.rows.first().map(|r| format!("The run ({})", r.0)))).unwrap_or_else(|| "The run".into())}</h3>
                {triplets(false)}
                {move || twin.get().then(|| view! {
                    <h3 class="run-title">"The λ = 0 twin (no cycle or identity loss)"</h3>
                    {triplets(true)}
                })}
                <ScoreTableView table=s.scores.into() id="cycle-scores" />
            </section>
            <section class="draw" hidden=!layout.shows("draw")>
                <h3>"Draw or upload a digit"</h3>
                <p class="muted">{move || format!("Draw a digit (or upload a picture of one: it is cropped to its strokes, scaled into 20×20 and centred like MNIST). It is translated both ways as you draw: G turns it into a {} digit, F into handwriting{}, and each comes back through the other generator. Under each image, the digit the classifier reads.", noun(), if session.domain.get() == Domain::Colour { " (F is given your digit as a white-on-black colour image)" } else { "" })}</p>
                <div class="draw-row">
                    <DrawPad id="cycle-pad" on_digit=Callback::new(move |digit| session.translate(digit)) />
                    <div class="drawn">
                        {move || match has("drawn").get() {
                            true => view! {
                                <ImagePanel panel=s.panel("drawn") canvas_id="drawn" labels_id="drawn-rows"
                                    help=Signal::derive(move || format!("Your digit, G(·) ({}), F(G(·)) (back), F(·) (handwritten) and G(F(·)) (back), with the digit the classifier reads in each.", noun())) />
                            }.into_any(),
                            false => view! { <p class="muted">"Its translations appear here."</p> }.into_any(),
                        }}
                        {move || (twin.get() && has("drawn-twin").get()).then(|| view! {
                            <ImagePanel panel=s.panel("drawn-twin") canvas_id="drawn-twin" labels_id="drawn-twin-rows"
                                help="The same through the λ = 0 twin's generators." />
                        })}
                    </div>
                </div>
            </section>
            <section class="charts" hidden=!layout.shows("charts")>
                <LineChart title="Content preservation (%)" help="The share of held-out digits whose digit the content classifier reads the same before and after translation, at each scoring: the run's two directions, and the λ = 0 twin's when one races. Chance is about 10%." range=Signal::stored(Some((0.0, 100.0))) unit="scorings" series=kept_series />
                <DemoCharts s=s />
            </section>
            </div>
        </main>
    }
    .into_any()
}

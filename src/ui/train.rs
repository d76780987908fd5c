//! The train view: train a GAN in the tab, with live curves, samples and metrics.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::chart::{LineChart, Series};
use super::controls::SettingsForm;
use super::embed::Trains;
use super::options::{Layout, train_hash};
use super::progress::DownloadBar;
use super::samples::{ClassHistogram, ImagePanel, QualityPanel, read_chosen_file};
use super::session::{CUSTOM_PRESET, TrainSession};
use crate::core::presets::Preset;
use crate::core::settings::to_setting_pairs;
use wasm_bindgen::JsCast;

use crate::engine::{BackendChoice, Command};

fn fmt_duration(ms: f64) -> String {
    let s = (ms / 1000.0) as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The number of steps in a “… every (steps)” field (`min` or more; 0 means never where `min`
/// is 0), or the message the page shows for its text.
fn every_steps(label: &str, text: &str, min: u32) -> Result<u32, String> {
    let text = text.trim();
    match text.parse::<u32>() {
        Ok(n) if n >= min => Ok(n),
        _ if min == 0 => Err(format!(
            "“{label}” must be a whole number of steps (0: never); got “{text}”"
        )),
        _ => Err(format!(
            "“{label}” must be a whole number of steps, {min} or more; got “{text}”"
        )),
    }
}

/// The train view, drawn from the [`TrainSession`] in context.
#[component]
pub fn TrainView() -> impl IntoView {
    let Some(session) = use_context::<TrainSession>() else {
        return view! { <p class="error-banner" role="alert">"The training session could not be started."</p> }.into_any();
    };
    let TrainSession {
        form,
        history,
        step,
        rate,
        elapsed,
        samples,
        generated,
        metrics,
        sample_every,
        metrics_every,
        conditional,
        conditioning,
        view,
        digits,
        preset,
        stats,
        backend,
        backend_choice,
        running,
        ready,
        error,
        notice,
        pause_at,
        run_config,
        stopped,
        download,
        ..
    } = session;
    let command = move |c: Command| session.command(c);
    session.write_address();
    let share_link = RwSignal::new(None::<String>);
    let share = move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(hash) = session.address() else {
            return;
        };
        let location = window.location();
        let url = format!(
            "{}{}{hash}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        let _ = window.navigator().clipboard().write_text(&url);
        share_link.set(Some(url));
    };
    let apply_pause_at = move || {
        let text = pause_at.get_untracked();
        match text.trim() {
            "" => {
                command(Command::PauseAt(None));
                true
            }
            t => match t.parse::<u64>() {
                Ok(v) => {
                    command(Command::PauseAt(Some(v)));
                    true
                }
                Err(_) => {
                    error.set(Some(format!(
                        "“Pause at step” must be a whole number or empty; got “{t}”"
                    )));
                    false
                }
            },
        }
    };
    // Sends a “… every (steps)” field's command, or shows why its text is refused.
    let apply_every =
        move |label: &str, text: RwSignal<String>, min: u32, to: fn(u32) -> Command| {
            match every_steps(label, &text.get_untracked(), min) {
                Ok(n) => {
                    command(to(n));
                    true
                }
                Err(message) => {
                    error.set(Some(message));
                    false
                }
            }
        };
    let apply = move |_| {
        notice.set(None);
        if let Some(c) = form.config() {
            if !apply_every("Samples every", sample_every, 1, Command::SampleEvery)
                || !apply_every("Metrics every", metrics_every, 0, Command::MetricsEvery)
            {
                return;
            }
            command(Command::Update(to_setting_pairs(&c)));
            if apply_pause_at() {
                notice.set(Some(
                    "Live settings (⚡) applied. The others apply on Reset.".into(),
                ));
            }
        }
    };
    let reset = move |_| {
        notice.set(None);
        if let Some(c) = form.config() {
            command(Command::Reset(to_setting_pairs(&c)));
        }
    };
    let choose_preset = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        let Some(p) = Preset::from_id(&id) else {
            return;
        };
        if step.get_untracked() > 0
            && !web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(&format!(
                        "Start a fresh “{}” run? The current run ({} steps) is discarded.",
                        p.label(),
                        step.get_untracked()
                    ))
                    .ok()
                })
                .unwrap_or(false)
        {
            // Show the preset in use again (re-applies the select's value).
            preset.update(|_| ());
            return;
        }
        preset.set(id);
        let mut config = p.config();
        // Keep the user's seed: presets differ in method, not in luck.
        if let Some(seed) = form.config().map(|c| c.seed) {
            config.seed = seed;
        }
        form.set(&config);
        notice.set(Some(format!("Preset “{}”: {}", p.label(), p.description())));
        command(Command::Reset(to_setting_pairs(&config)));
    };
    let toggle_digit = move |d: usize, on: bool| {
        digits.update(|all| all[d] = on);
        let chosen: Vec<u8> = digits
            .get_untracked()
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .map(|(d, _)| d as u8)
            .collect();
        command(Command::Digits(chosen));
    };
    let toggle = move |_| {
        if running.get_untracked() {
            session.run(false);
        } else if apply_pause_at() {
            session.run(true);
        }
    };
    let load_checkpoint = move |ev: leptos::ev::Event| {
        // The file's buffer moves to the worker as it is: no copy, no JSON.
        let name = read_chosen_file(&ev, move |name, read| match read {
            Ok(buffer) => session.load_file(name, buffer),
            Err(e) => error.set(Some(e)),
        });
        if let Some(name) = name {
            notice.set(Some(format!("Loading {name}…")));
        }
    };
    let switch_backend = move |ev: leptos::ev::Event| {
        let choice = event_target_value(&ev);
        let Some(window) = web_sys::window() else {
            return;
        };
        if step.get_untracked() > 0
            && !window
                .confirm_with_message(
                    "Switching the backend restarts the page and this run. Continue?",
                )
                .unwrap_or(false)
        {
            return;
        }
        let Some(backend) = BackendChoice::from_id(&choice) else {
            return;
        };
        let config = form.config().or_else(|| run_config.get_untracked());
        let Some(config) = config else { return };
        let hash = train_hash(Preset::from_id(&preset.get_untracked()), backend, &config);
        let location = window.location();
        if let Ok(history) = window.history() {
            let url = super::options::address_with_hash(&hash);
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
        let _ = location.reload();
    };

    let fid = Signal::derive(move || {
        metrics.with(|all| {
            vec![Series {
                name: "FID".into(),
                color: "#d35400".into(),
                values: all.iter().map(|(_, m)| m.fid as f32).collect(),
            }]
        })
    });
    let latest_metrics = Signal::derive(move || metrics.with(|all| all.last().cloned()));
    let layout = Layout::current();
    let shows = |panel: &str| layout.shows(panel);
    let hides = |control: &str| layout.hides(control);
    let locks = |control: &str| layout.locks(control);
    let (lock_preset, lock_backend, lock_pause, lock_samples, lock_metrics) = (
        locks("preset"),
        locks("backend"),
        locks("pause_at"),
        locks("sample_every"),
        locks("metrics_every"),
    );

    view! {
        <section class="explain" hidden=!shows("explain")>
            <p>
                "Two networks play a game. The " <b>"generator G"</b> " turns random noise z into images; the "
                <b>"discriminator D"</b> " sees real digits and G's fakes and outputs the probability that an image is real. "
                "D is trained to tell them apart, G to fool D. When training goes well, D(x) and D(G(z)) meet near 0.5, the losses settle "
                "instead of running away, and the samples below turn from noise into digits of every class."
            </p>
        </section>
        <div class="toolbar" hidden=!shows("toolbar")>
            <div class="backend" id="backend" hidden=hides("backend") title="The compute backend running the training, in a Web Worker so this page stays responsive.">
                {move || backend.get().map(|b| view! {
                    <span class:gpu=b.gpu class="badge">{b.label.clone()}</span>
                    <span class="muted">{b.reason.clone().map(|r| format!(" — {r}"))}</span>
                }.into_any()).unwrap_or_else(|| view! { <span class="badge">"starting the training worker…"</span> }.into_any())}
                <select id="backend-choice" title="auto: WebGPU on a real GPU, else the CPU. Also settable as ?backend=cpu|gpu|auto." on:change=switch_backend prop:value=backend_choice.id() disabled=lock_backend>
                    <option value="auto">"auto"</option>
                    <option value="cpu">"force CPU"</option>
                    <option value="gpu">"force WebGPU"</option>
                </select>
            </div>
            <DownloadBar download=download />
            <button id="share" disabled=move || !ready.get() on:click=share title="Copy a link to this page with every setting of the current run, so whoever opens it starts the same run.">"Share"</button>
        </div>
        {move || share_link.get().map(|url| view! {
            <p class="share">"Link copied: " <input id="share-link" readonly prop:value=url.clone() on:focus=move |ev| {
                if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { input.select(); }
            } /><button on:click=move |_| share_link.set(None)>"close"</button></p>
        })}
        <main>
            <section class="controls" hidden=!(shows("train") || shows("settings") || shows("files") || shows("metrics"))>
                <div class="buttons" hidden=!(shows("train") || shows("settings") || shows("metrics"))>
                    <button id="train" class="primary" hidden=!shows("train") disabled=move || !ready.get() on:click=toggle title="Train continuously / pause after the current step.">
                        {move || if running.get() { "Pause" } else { "Train" }}
                    </button>
                    <button id="step" hidden=!shows("train") disabled=move || !ready.get() || running.get() on:click=move |_| command(Command::Step) title="Take exactly one training step (one or more D updates, then one G update).">"Step"</button>
                    <button id="reset" hidden=!shows("train") disabled=move || !ready.get() on:click=reset title="Start a fresh run with the settings below (the current run is discarded).">"Reset"</button>
                    <button id="apply" hidden=!shows("settings") disabled=move || !ready.get() on:click=apply title="Apply the ⚡ settings to the running session without restarting it.">"Apply"</button>
                    <button id="evaluate" hidden=!shows("metrics") disabled=move || !ready.get() on:click=move |_| command(Command::Evaluate) title="Compute the quality metrics on 1,000 fresh samples now.">"Evaluate"</button>
                </div>
                // Right under the buttons, so a refused Apply or Train is seen where it was pressed.
                {move || notice.get().map(|n| view! { <p class="notice" id="train-notice">{n}</p> })}
                {move || error.get().map(|e| view! { <p class="error-banner" id="error" role="alert">{e}
                    {move || stopped.get().then(|| view! { " The training worker has stopped. " <button on:click=move |_| { let _ = web_sys::window().map(|w| w.location().reload()); }>"Reload"</button> })}
                    <button on:click=move |_| error.set(None)>"dismiss"</button></p> })}
                <div class="settings-part" hidden=!shows("settings")>
                <label class="field" hidden=hides("pause_at") title="Pause automatically at this step (empty: never). Also settable as ?pause_at=N.">
                    <span>"Pause at step"</span>
                    <input id="field-pause_at" type="text" inputmode="numeric" readonly=lock_pause prop:value=move || pause_at.get() on:input=move |ev| pause_at.set(event_target_value(&ev)) />
                </label>
                <label class="field choice" hidden=hides("preset") title="Complete settings from the guides and papers. Picking one starts a fresh run with it (your seed is kept); every setting below can still be changed.">
                    <span>"Preset"</span>
                    <select id="field-preset" prop:value=move || preset.get() on:change=choose_preset disabled=move || lock_preset || !ready.get()>
                        {Preset::ALL.iter().map(|p| view! { <option value=p.id() title=p.description()>{p.label()}</option> }).collect_view()}
                        <option value=CUSTOM_PRESET hidden=move || preset.get() != CUSTOM_PRESET
                            title="The run's settings are not one of the presets: a loaded file or settings you changed.">"your own settings"</option>
                    </select>
                    <small id="preset-description" class="describe">{move || Preset::from_id(&preset.get()).map(|p| p.description())}</small>
                </label>
                <SettingsForm form=form running=running.into() />
                <label class="field" hidden=hides("sample_every") title="Draw a new sample grid, with the classifier's verdict on it, every this many steps while training (and whenever training pauses). Fewer grids leave more time for training: with the small MLP GAN, a grid every 10 steps costs about 5–8% of the time. Also settable as ?sample_every=N.">
                    <span>"Samples every (steps) ⚡"</span>
                    <input id="field-sample_every" type="text" inputmode="numeric" readonly=lock_samples prop:value=move || sample_every.get() on:input=move |ev| sample_every.set(event_target_value(&ev)) />
                </label>
                <label class="field" hidden=hides("metrics_every") title="Compute FID, IS, class coverage and label accuracy on 1,000 fresh samples every this many steps (0: never). Each evaluation costs about as much as a few training steps of a large batch.">
                    <span>"Metrics every (steps) ⚡"</span>
                    <input id="field-metrics_every" type="text" inputmode="numeric" readonly=lock_metrics prop:value=move || metrics_every.get() on:input=move |ev| metrics_every.set(event_target_value(&ev)) />
                </label>
                </div>
                <div class="checkpoints" hidden=!shows("files")>
                    <button id="download-checkpoint" disabled=move || !ready.get() on:click=move |_| command(Command::SaveCheckpoint)
                        title="Save this run as a file: G, D, the EMA generator, both optimisers' states, the step count, the settings and the random streams. Loading it here or with `gan-playground train --resume FILE` continues exactly where it stopped.">"Download checkpoint"</button>
                    <label class="field load" title="Continue a run saved with Download checkpoint or written by `gan-playground train` (its checkpoint.bpk). A file that is not a checkpoint is refused and the current run kept.">
                        <span>"Load checkpoint"</span>
                        <input id="load-checkpoint" type="file" accept=".bpk" disabled=move || !ready.get() on:change=load_checkpoint />
                    </label>
                </div>
            </section>
            <section class="live">
                <div class="stats" hidden=!shows("stats")>
                    <div title="Generator updates so far."><b id="step-count">{move || step.get().to_string()}</b><span>"steps"</span></div>
                    <div title="Training steps per second over the last ~200 ms."><b id="steps-per-sec">{move || format!("{:.1}", rate.get().0)}</b><span>"steps/s"</span></div>
                    <div title="Images processed per second (real and generated, by D and G)."><b>{move || format!("{:.0}", rate.get().1)}</b><span>"images/s"</span></div>
                    <div title="Time spent training in this run."><b>{move || fmt_duration(elapsed.get())}</b><span>"elapsed"</span></div>
                </div>
                <div class="charts" id="loss-charts" hidden=!shows("loss")>
                    {move || view.get().map(|v| v.charts.into_iter().map(|c| {
                        let lines = c.series.clone();
                        let series = Signal::derive(move || history.with(|h| lines.iter().map(|s| Series {
                            name: s.name.clone(),
                            color: s.color.clone(),
                            values: h.series(&s.name),
                        }).collect()));
                        view! { <LineChart title=c.title help=c.help range=Signal::stored(c.range) series=series /> }
                    }).collect_view())}
                </div>
                <div class="visuals" hidden=!(shows("grid") || shows("classes"))>
                    <div hidden=!shows("grid")>
                        <ImagePanel panel=samples.into() canvas_id="sample-grid" labels_id="row-labels" help="Samples from one fixed batch of latent vectors z, redrawn as G learns: watch the same z turn from noise into digits. Conditional models: one row per requested digit, the same z in every column." />
                        <div class="panel-actions">
                            <button id="new-samples" disabled=move || !ready.get() title="Draw a grid from fresh random latent vectors with the current generator (training is untouched): the fixed grid above shows how one z evolves, this one how varied G's digits are."
                                on:click=move |_| command(Command::Generate { seed: (js_sys::Math::random() * 1e9) as u64 })>"New z"</button>
                        </div>
                        {move || generated.get().is_some().then(|| view! {
                            <ImagePanel panel=generated.into() canvas_id="generated-grid" labels_id="generated-rows" help="Samples from fresh latent vectors (press New z again for others)." />
                        })}
                        {move || conditional.get().then(|| view! {
                            <div class="digits" title="Conditional models: which digits (an InfoGAN: which of its own categories) the grid asks G for, one row each.">
                                <span>"Rows: "</span>
                                {(0..10usize).map(|d| view! {
                                    <label><input type="checkbox" id=format!("digit-{d}") prop:checked=move || digits.get()[d]
                                        on:change=move |ev| toggle_digit(d, event_target_checked(&ev)) />{move || conditioning.get().input_label(d as u8)}</label>
                                }).collect_view()}
                            </div>
                        })}
                    </div>
                    <div hidden=!shows("classes")><ClassHistogram stats=stats.into() /></div>
                </div>
                <div class="charts" hidden=!shows("metrics")>
                    <LineChart title="FID (MNIST-classifier features)" help="Fréchet distance between 1,000 generated and 2,000 held-out real digits in the feature space of the playground's own MNIST classifier (not the Inception network, so not comparable with published FIDs). Lower is better; one point per evaluation." range=Signal::stored(None) unit="evaluations" series=fid />
                    <QualityPanel latest=latest_metrics />
                </div>
            </section>
        </main>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::every_steps;

    #[test]
    fn every_steps_takes_whole_numbers_from_the_lower_bound() {
        assert_eq!(every_steps("Samples every", " 25 ", 1), Ok(25));
        assert_eq!(every_steps("Metrics every", "0", 0), Ok(0));
        assert_eq!(
            every_steps("Samples every", "0", 1),
            Err("“Samples every” must be a whole number of steps, 1 or more; got “0”".into())
        );
        assert_eq!(
            every_steps("Metrics every", "ten", 0),
            Err("“Metrics every” must be a whole number of steps (0: never); got “ten”".into())
        );
        assert!(every_steps("Samples every", "-3", 1).is_err());
        assert!(every_steps("Samples every", "2.5", 1).is_err());
    }
}

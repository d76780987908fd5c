//! A task's score table (rows: methods, columns: measures), e.g. PSNR and SSIM of a model and
//! a baseline.

use leptos::prelude::*;

use crate::engine::task::ScoreTable;

fn slug(text: &str) -> String {
    text.chars()
        .take_while(|c| *c != '(')
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The scores as a table; cells have ids `score-{row}-{column}` (e.g. `score-gan-ssim`).
#[component]
pub fn ScoreTableView(
    /// The latest scores.
    table: Signal<Option<ScoreTable>>,
    /// The table element's id.
    id: &'static str,
) -> impl IntoView {
    move || {
        table.get().map(|t| {
            view! {
                <figure class="scores" title=t.help.clone()>
                    <figcaption>{t.title.clone()} " " <span class="muted">{format!("(step {})", t.step)}</span></figcaption>
                    <table id=id>
                        <thead><tr><th></th>{t.columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {t.rows.iter().map(|(name, values)| {
                                let row = slug(name);
                                view! {
                                    <tr>
                                        <th>{name.clone()}</th>
                                        {values.iter().zip(&t.columns).map(|(v, c)| view! {
                                            <td id=format!("score-{row}-{}", slug(c))>{if c.contains('%') { format!("{v:.1}") } else { format!("{v:.3}") }}</td>
                                        }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </figure>
            }
        })
    }
}

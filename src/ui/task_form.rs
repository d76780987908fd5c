//! A settings form for any task's configuration, driven by its settings registry: one field per
//! entry (a list for choices, a checkbox for toggles, a text box otherwise), with the entry's
//! help as the tooltip and the worker's refusal under the field it names.

use leptos::prelude::*;

use super::options::Layout;
use crate::core::settings::{Kind, Settings};
use crate::core::train::FieldError;

/// The text of setting `id` among `texts`.
fn text_of(texts: &[(String, String)], id: &str) -> String {
    texts
        .iter()
        .find(|(k, _)| k == id)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn set_text(texts: RwSignal<Vec<(String, String)>>, id: &'static str, value: String) {
    texts.update(|t| match t.iter_mut().find(|(k, _)| k == id) {
        Some(entry) => entry.1 = value,
        None => t.push((id.into(), value)),
    });
}

/// The fields of `C`'s settings, editing `texts` (registry pairs); element ids are
/// `{prefix}-{setting id}`.
pub fn task_settings<C: Settings>(
    prefix: &'static str,
    texts: RwSignal<Vec<(String, String)>>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let layout = Layout::current();
    C::settings()
        .iter()
        .filter(|s| !layout.hides(s.id))
        .map(|s| {
            let id = s.id;
            let locked = layout.locks(id);
            let element = format!("{prefix}-{id}");
            let value = move || texts.with(|t| text_of(t, id));
            let input = match &s.kind {
                Kind::Choice { .. } => {
                    let options = s.options();
                    view! {
                        <select id=element.clone() disabled=locked prop:value=value
                            on:change=move |ev| set_text(texts, id, event_target_value(&ev))>
                            {options.into_iter().map(|o| view! {
                                <option value=o.id title=o.description>{o.label}</option>
                            }).collect_view()}
                        </select>
                    }
                    .into_any()
                }
                Kind::Toggle { .. } => view! {
                    <input type="checkbox" id=element.clone() disabled=locked prop:checked=move || value() == "true"
                        on:change=move |ev| set_text(texts, id, event_target_checked(&ev).to_string()) />
                }
                .into_any(),
                _ => view! {
                    <input type="text" id=element.clone() readonly=locked prop:value=value spellcheck="false"
                        on:input=move |ev| set_text(texts, id, event_target_value(&ev)) />
                }
                .into_any(),
            };
            let error = move || errors.with(|e| e.iter().find(|e| e.field == id).map(|e| e.message.clone()));
            view! {
                <div class="field" title=s.help>
                    <label for=element.clone()>{s.label}{if s.live { "" } else { " ↻" }}{locked.then_some(" (fixed by this page)")}</label>
                    {input}
                    {move || error().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </div>
            }
        })
        .collect_view()
}

//! The page for tutorial authors (`#/embedding`): `docs/embedding.md`, rendered, with its
//! `YOUR-HOST` placeholders replaced by this site's address so every snippet works as pasted.

use leptos::prelude::*;

const TEXT: &str = include_str!("../../docs/embedding.md");

/// `markdown` as HTML (tables on), with the placeholder site `https://YOUR-HOST/gan-playground/`
/// (and the bare origin `https://YOUR-HOST`) replaced by `site` and `origin`.
pub fn render(markdown: &str, site: &str, origin: &str) -> String {
    let text = markdown
        .replace("https://YOUR-HOST/gan-playground/", site)
        .replace("https://YOUR-HOST", origin);
    let mut options = pulldown_cmark::Options::empty();
    options.insert(pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(&text, options));
    html
}

/// The embedding guide.
#[component]
pub fn EmbeddingDocs() -> impl IntoView {
    let (site, origin) = web_sys::window()
        .map(|w| {
            let l = w.location();
            let origin = l.origin().unwrap_or_default();
            let path = l.pathname().unwrap_or_default();
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            (format!("{origin}{dir}/"), origin)
        })
        .unwrap_or_default();
    let html = render(TEXT, &site, &origin);
    view! { <article class="docs" id="embedding-docs" inner_html=html></article> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_renders_with_this_sites_address() {
        let html = render(TEXT, "https://me.example/p/", "https://me.example");
        assert!(
            html.contains("<h1>Embedding a demo in your page</h1>"),
            "{html}"
        );
        assert!(html.contains("<table>"));
        assert!(html.contains("https://me.example/p/embed.js"));
        assert!(!html.contains("YOUR-HOST"));
    }
}

// GAN Playground embeds for tutorial authors (optional: a plain iframe works too).
//
//   <div data-gan-playground="#/train?preset=mlp&panels=grid,train" data-title="A GAN learning digits"></div>
//   <script src="https://YOUR-HOST/gan-playground/embed.js" async></script>
//
// Each such element becomes an iframe of that view in embed mode, as wide as its container
// and as tall as the demo's content (the demo reports its height). Commands from this page are
// allowed (`origins=` this page's origin, unless the address names its own), and every event
// of the demo is dispatched on the element as a `gan-playground` CustomEvent:
//
//   el.addEventListener("gan-playground", (e) => console.log(e.detail.type, e.detail));
//   GanPlayground.send(el, { type: "start" });
//
// Messages are documented in docs/embedding.md (version 1).
(() => {
  "use strict";
  const script = document.currentScript;
  const base = new URL(".", script ? script.src : location.href);
  const origin = base.origin;
  const frames = new Map(); // iframe contentWindow -> host element

  /** The embed address for a view's address ("#/train?…", "/train?…" or "train?…"). */
  function address(spec) {
    const hash = spec.replace(/^#/, "");
    const [path, query = ""] = hash.split("?", 2);
    const params = new URLSearchParams(query);
    params.delete("embed");
    if (!params.has("origins") && /^https?:$/.test(location.protocol)) params.set("origins", location.origin);
    const rest = params.toString();
    return `${base.href}#${path.startsWith("/") ? path : `/${path}`}?embed${rest ? `&${rest}` : ""}`;
  }

  function mount(el) {
    if (el.dataset.ganPlaygroundMounted) return;
    el.dataset.ganPlaygroundMounted = "1";
    const iframe = document.createElement("iframe");
    iframe.src = address(el.dataset.ganPlayground || "#/gallery");
    iframe.title = el.dataset.title || "GAN Playground demo";
    iframe.loading = el.dataset.loading || "lazy";
    iframe.style.cssText = `width:100%;border:0;display:block;height:${parseInt(el.dataset.height, 10) || 360}px`;
    el.replaceChildren(iframe);
    frames.set(iframe.contentWindow, el);
  }

  addEventListener("message", (e) => {
    const m = e.data;
    if (e.origin !== origin || !m || m.source !== "gan-playground" || m.version !== 1) return;
    const el = frames.get(e.source);
    if (!el) return;
    if (m.type === "height" && Number.isFinite(m.height)) el.firstElementChild.style.height = `${Math.ceil(m.height)}px`;
    el.dispatchEvent(new CustomEvent("gan-playground", { detail: m }));
  });

  /** Sends a command (`{type: "start"}`, `{type: "set", setting, value}`, …) to an embed. */
  function send(el, command) {
    const iframe = el.tagName === "IFRAME" ? el : el.querySelector("iframe");
    iframe?.contentWindow?.postMessage({ target: "gan-playground", version: 1, ...command }, origin);
  }

  function scan() {
    for (const el of document.querySelectorAll("[data-gan-playground]")) mount(el);
  }
  window.GanPlayground = { send, scan, address };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();

// Browser test: a tutorial page (served from its own origin) embeds three demos, two of them
// below the fold. The visible one loads and obeys the host's commands (start, set, pause) with
// step events; the others stay idle, showing only their placeholder, until scrolled into view;
// one scrolled away again pauses; a demo that allows another origin ignores the host and counts
// it; `embed.js` mounts the third from a <div> and sizes it to the height the demo reports; a
// garbage panel name gives the notice while the rest works.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { ARTIFACTS, recordProblems, useSite } from "./harness.mjs";

let base, hostBase, browser;

/** The tutorial page: demo A on screen, B and C (by embed.js) far below. */
function tutorial(playground, hostOrigin) {
  const a = `${playground}/#/train?embed&preset=mlp&panels=train,grid,loss&origins=${encodeURIComponent(hostOrigin)}`;
  const b = `${playground}/#/train?embed&preset=mlp&autostart&panels=stats,grid&origins=${encodeURIComponent("https://elsewhere.example")}`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>A tutorial</title></head>
  <body style="margin:20px;font-family:sans-serif">
    <h1>GANs, live</h1>
    <iframe id="a" src="${a}" style="width:760px;height:700px;border:1px solid #888"></iframe>
    <div style="height:2400px">Reading on…</div>
    <iframe id="b" src="${b}" style="width:760px;height:600px;border:1px solid #888"></iframe>
    <div style="height:2400px">More reading…</div>
    <div id="c" data-gan-playground="#/gallery?seed=3&panels=grid,bogus" data-loading="eager" data-height="200"></div>
    <div style="height:1200px"></div>
    <div id="d" data-gan-playground="#/train?preset=mlp" data-loading="eager"></div>
    <div style="height:1200px"></div>
    <script>
      window.events = { a: [], b: [], c: [], d: [] };
      addEventListener("message", (e) => {
        for (const id of ["a", "b"]) {
          if (document.getElementById(id).contentWindow === e.source && e.data && e.data.source === "gan-playground")
            window.events[id].push(e.data);
        }
      });
      function send(id, command) {
        document.getElementById(id).contentWindow.postMessage({ target: "gan-playground", version: 1, ...command }, "${playground}");
      }
    </script>
    <script src="${playground}/embed.js"></script>
    <script>
      for (const id of ["c", "d"]) document.getElementById(id).addEventListener("gan-playground", (e) => window.events[id].push(e.detail));
    </script>
  </body></html>`;
}

useSite(async (site) => {
  ({ base, browser } = site);
  // The tutorial's own origin: another port of the loopback address.
  const host = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" }).end(tutorial(base, hostBase));
  });
  await new Promise((ok) => host.listen(0, "127.0.0.1", ok));
  hostBase = `http://127.0.0.1:${host.address().port}`;
  return host;
});

test("a tutorial with three embedded demos: only the visible one works, commands from the allowed origin drive it", { timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
  const problems = recordProblems(page);
  try {
    await page.goto(`${hostBase}/tutorial.html`);
    const events = (id) => page.evaluate((id) => window.events[id], id);
    const [a, b, c] = ["#a", "#b", "#c iframe"].map((s) => page.frameLocator(s));
    const stepOf = (frame) => frame.locator("#step-count").innerText().then(Number);

    // A is on screen: it starts, says so, and shows only the chosen panels.
    await page.waitForFunction(() => window.events.a.some((m) => m.type === "ready"), null, { timeout: 120_000 });
    await a.locator("#sample-grid").waitFor();
    assert.ok(await a.locator("#train").isVisible(), "Train is shown");
    assert.ok(!(await a.locator("#field-lr_g").isVisible()), "the settings are not");
    assert.ok(!(await a.locator("#download-checkpoint").isVisible()), "nor the files");

    // B and C are below the fold: placeholders only, no worker, no events.
    for (const frame of [b, c]) await frame.locator("#embed-waiting").waitFor();
    assert.equal(await b.locator("#train, #step-count").count(), 0);
    assert.equal(await c.locator("#gallery").count(), 0);

    // Commands from the host's origin drive A, and its steps are reported.
    await page.evaluate(() => send("a", { type: "set", setting: "lr_g", value: "0.0005" }));
    await page.evaluate(() => send("a", { type: "set", setting: "nonsense", value: 1 }));
    await page.evaluate(() => send("a", { type: "set", setting: "lr_g", value: "fast" }));
    await page.evaluate(() => send("a", { type: "dance" }));
    await page.evaluate(() => send("a", { type: "start" }));
    await page.waitForFunction(() => window.events.a.filter((m) => m.type === "step").length >= 3, null, { timeout: 120_000 });
    const steps = (await events("a")).filter((m) => m.type === "step");
    assert.ok(steps.at(-1).step > steps[0].step, "steps advance");
    assert.ok(Object.keys(steps.at(-1).values).length >= 2, `losses reported: ${JSON.stringify(steps.at(-1))}`);
    const errors = (await events("a")).filter((m) => m.type === "error").map((m) => m.message);
    assert.equal(errors.length, 3, errors.join(" | "));
    assert.match(errors.join(" | "), /no setting “nonsense”/);
    assert.match(errors.join(" | "), /lr_g/);
    assert.match(errors.join(" | "), /unknown command “dance”/);
    assert.equal(Number(await a.locator("#field-lr_g").inputValue()), 0.0005, "the good setting applied");
    // A hidden tab pauses the demo, and showing it again resumes (headless Chromium never hides
    // a tab: the frame's document is told it is hidden, as the browser would).
    const kinds = () => page.evaluate(() => window.events.a.map((m) => m.type));
    const before = (await kinds()).length;
    await a.locator("html").evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.waitForFunction((n) => window.events.a.slice(n).some((m) => m.type === "paused"), before, { timeout: 30_000 });
    const hidden = (await kinds()).length;
    await a.locator("html").evaluate(() => {
      delete document.hidden;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.waitForFunction((n) => window.events.a.slice(n).some((m) => m.type === "running"), hidden, { timeout: 30_000 });
    await page.evaluate(() => send("a", { type: "pause" }));
    await page.waitForFunction(() => {
      const all = window.events.a;
      return all.findLastIndex((m) => m.type === "paused") > all.findLastIndex((m) => m.type === "running");
    }, null, { timeout: 30_000 });
    assert.equal(await a.locator("html").getAttribute("data-host-ignored"), "1", "only the unknown command was ignored");
    await page.screenshot({ path: join(ARTIFACTS, "host-train-panels.png") });

    // B lists another origin: the host's commands are ignored and counted, and nothing comes back.
    await page.evaluate(() => send("b", { type: "start" }));
    await b.locator("html[data-host-ignored='1']").waitFor({ timeout: 10_000 });
    assert.equal(await b.locator("html").getAttribute("data-host-accepted"), "0");
    assert.deepEqual((await events("b")).filter((m) => m.type !== "height"), [], "only heights go to any host");

    // Scrolled into view, B starts (autostart); scrolled away, it pauses.
    await page.locator("#b").scrollIntoViewIfNeeded();
    await page.waitForTimeout(200);
    await b.locator("#step-count").waitFor({ timeout: 60_000 });
    await b.locator("#step-count").filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 120_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    // Its (hidden) Train button says Train again once it has paused; then nothing moves.
    await b.locator("#train").filter({ hasText: /^Train$/ }).waitFor({ state: "attached", timeout: 30_000 });
    const held = await stepOf(b);
    await page.waitForTimeout(1000);
    assert.equal(await stepOf(b), held, "B paused while off screen");
    const aStep = await stepOf(a);

    // C (mounted by embed.js) starts when scrolled to, shows its grid and the notice about the
    // bogus panel, and its iframe takes the height the demo reports.
    await page.locator("#c").scrollIntoViewIfNeeded();
    await c.locator("#gallery[data-first-grid-ms]").waitFor({ timeout: 120_000 });
    assert.match(await c.locator("#url-notice").innerText(), /panel “bogus” ignored/);
    assert.ok(await c.locator("#gallery-grid").isVisible());
    assert.ok(!(await c.locator("#latent-pad").isVisible()), "the pad is not among the panels");
    await page.waitForFunction(() => {
      const f = document.querySelector("#c iframe");
      const h = window.events.c.filter((m) => m.type === "height").at(-1)?.height;
      return h && Math.abs(f.getBoundingClientRect().height - Math.ceil(h)) <= 1;
    }, null, { timeout: 30_000 });
    const height = await page.evaluate(() => window.events.c.filter((m) => m.type === "height").at(-1).height);
    const content = await c.locator("body").evaluate((b) => Math.ceil(b.getBoundingClientRect().height));
    assert.ok(Math.abs(height - content) <= 2, `reported ${height}, content ${content}`);
    assert.equal(await stepOf(a), aStep, "A stays paused");
    await page.locator("#c").screenshot({ path: join(ARTIFACTS, "host-gallery-grid.png") });

    // D, the whole train view, grows far taller than the screen once started (embed.js sizes
    // its frame to it); it still counts as on screen when it fills the screen.
    const d = page.frameLocator("#d iframe");
    await page.locator("#d").scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.events.d.some((m) => m.type === "ready"), null, { timeout: 120_000 });
    await page.waitForFunction(() => document.querySelector("#d iframe").getBoundingClientRect().height > 1200, null, { timeout: 30_000 });
    await page.evaluate(() => GanPlayground.send(document.getElementById("d"), { type: "start" }));
    const dKinds = () => page.evaluate(() => window.events.d.map((m) => m.type));
    await page.waitForFunction(() => window.events.d.some((m) => m.type === "running"), null, { timeout: 30_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction(() => window.events.d.at(-1)?.type === "paused" || window.events.d.findLastIndex((m) => m.type === "paused") > window.events.d.findLastIndex((m) => m.type === "running"), null, { timeout: 30_000 });
    const away = (await dKinds()).length;
    await page.evaluate(() => document.querySelector("#d iframe").scrollIntoView({ block: "center" }));
    await page.waitForFunction((n) => window.events.d.slice(n).some((m) => m.type === "running"), away, { timeout: 30_000 });
    assert.ok(await d.locator("#step-count").isVisible());
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test("the Embed button writes the snippet for the view as set up, and previews it live", { timeout: 180_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  const problems = recordProblems(page);
  try {
    await page.goto(`${base}/#/gallery?seed=5`);
    await page.locator("#gallery[data-first-grid-ms]").waitFor({ timeout: 120_000 });
    await page.locator("#embed-button").click();
    await page.locator("#embed-panel-grid").check();
    await page.locator("#embed-panel-pad").check();
    await page.locator("#embed-size-0").check();
    const snippet = await page.locator("#embed-snippet").inputValue();
    assert.match(snippet, /^<iframe src="[^"]*#\/gallery\?embed&amp;[^"]*seed=5[^"]*&amp;panels=grid,pad"/, snippet);
    assert.match(snippet, /width: 320px/);
    const script = await page.locator("#embed-js-snippet").inputValue();
    assert.match(script, /data-gan-playground="#\/gallery\?[^"]*seed=5[^"]*panels=grid,pad"/, script);
    assert.match(script, new RegExp(`<script src="${base}/embed.js"`));
    // The preview is the embed itself: the chosen panels only.
    const preview = page.frameLocator("#embed-preview");
    await preview.locator("#gallery[data-first-grid-ms]").waitFor({ timeout: 120_000 });
    assert.ok(await preview.locator("#latent-pad").isVisible());
    assert.ok(!(await preview.locator("#gallery-model").isVisible()), "the controls are not chosen");
    await page.locator("#embed-dialog").screenshot({ path: join(ARTIFACTS, "embed-dialog.png") });
    await page.locator("#embed-close").click();
    assert.equal(await page.locator("#embed-dialog").count(), 0);
    // The guide for authors is a page of the site, its snippets written for this site.
    await page.locator("#embed-button").click();
    await page.locator("#embed-guide").click();
    await page.locator("#embedding-docs h1").waitFor();
    assert.equal(await page.locator("#embed-dialog").count(), 0, "a new view closes the panel");
    const code = (await page.locator("#embedding-docs pre").allInnerTexts()).join("\n");
    assert.ok(code.includes(`${base}/embed.js`), code);
    assert.ok(!code.includes("YOUR-HOST"));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

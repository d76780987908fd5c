// Browser test: the home page and routes, Share links, garbage in the address, and back/forward.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, recordProblems, serveDist, useSite } from "./harness.mjs";

let base, browser;

useSite((site) => ({ base, browser } = site));

async function open(context, path) {
  const page = await context.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = recordProblems(page);
  await page.goto(`${base}/${path}`);
  return { page, problems };
}

const stepCount = (page) => page.locator("#step-count").innerText().then(Number);
const ready = (page) => page.locator("#train:not([disabled])").waitFor({ timeout: 120_000 });

test("home → Train card → train 10 steps → Share opens the same settings; back and forward", { timeout: 600_000 }, async () => {
  const context = await browser.newContext();
  const { page, problems } = await open(context, "#/?backend=cpu");
  await page.locator("#card-train").waitFor();
  assert.equal(await page.locator("#train").count(), 0, "the home page shows no train view");
  await page.screenshot({ path: join(ARTIFACTS, "home.png"), fullPage: true });

  await page.locator("#card-train").click();
  await ready(page);
  assert.match(page.url(), /#\/train\?/, "the address carries the run's settings");
  assert.match(await page.locator("#backend").innerText(), /CPU/);
  // Settings a user changed, then a fresh run with them.
  await page.locator("#field-seed").fill("5");
  await page.locator("#field-lr_d").fill("0.0003");
  await page.locator("#field-batch_size").fill("32");
  await page.locator("#reset").click();
  await page.waitForFunction(() => location.hash.includes("seed=5"));
  await page.locator("#field-pause_at").fill("10");
  await page.locator("#train").click();
  await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) >= 10
      && document.querySelector("#train").innerText.trim() === "Train", null, { timeout: 300_000 });
  assert.equal(await stepCount(page), 10);

  await page.locator("#share").click();
  const link = await page.locator("#share-link").inputValue();
  assert.match(link, /#\/train\?.*seed=5/);
  assert.match(link, /backend=cpu/);
  const copy = await open(context, link.slice(base.length + 1));
  await ready(copy.page);
  assert.equal(await copy.page.locator("#field-seed").inputValue(), "5");
  assert.equal(await copy.page.locator("#field-lr_d").inputValue(), "0.0003");
  assert.equal(await copy.page.locator("#field-batch_size").inputValue(), "32");
  assert.equal(await copy.page.locator("#field-model").inputValue(), "dcgan");
  assert.match(await copy.page.locator("#backend").innerText(), /CPU/);
  assert.equal(await copy.page.locator("#url-notice").count(), 0, "a shared link has nothing to complain about");
  assert.deepEqual(copy.problems, []);
  await copy.page.close();

  // Back goes home, forward returns to the same run.
  await page.goBack();
  await page.locator("#card-train").waitFor();
  assert.equal(await page.locator("#train").count(), 0);
  await page.goForward();
  await ready(page);
  assert.equal(await stepCount(page), 10, "the run survives a visit to the home page");
  assert.equal(await page.locator("#field-seed").inputValue(), "5");
  await page.screenshot({ path: join(ARTIFACTS, "train-shared.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test("garbage in the address gets a dismissable notice and a working view", { timeout: 300_000 }, async () => {
  const context = await browser.newContext();
  const { page, problems } = await open(context, "?preset=zzz&lr_g=abc&backend=banana&colour=red");
  await ready(page);
  const notice = await page.locator("#url-notice").innerText();
  for (const word of ["zzz", "lr_g", "not a number", "banana", "colour"]) assert.ok(notice.includes(word), `${word} in ${notice}`);
  assert.equal(await page.locator("#field-preset").inputValue(), "dcgan-fast", "the preset list is not blank");
  assert.match(await page.locator("#preset-description").innerText(), /within 30 s.*after a minute/, "the preset says what to expect");
  assert.equal(await page.locator("#field-lr_g").inputValue(), "0.002");
  await page.screenshot({ path: join(ARTIFACTS, "garbage-url.png"), fullPage: true });
  await page.locator("#step").click();
  await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) === 1, null, { timeout: 120_000 });
  await page.locator("#dismiss-notice").click();
  assert.equal(await page.locator("#url-notice").count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

const gridPixels = (page) =>
  page.evaluate(() => {
    const c = document.getElementById("sample-grid");
    return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
  });
const pausedAt = (page, n) =>
  page.waitForFunction((n) => Number(document.querySelector("#step-count").innerText) >= n
      && document.querySelector("#train").innerText.trim() === "Train"
      && document.querySelector(".samples .muted").innerText.includes(`step ${n}`), n, { timeout: 300_000 });

test("Download checkpoint, reload, Load it: the step count and the sample grid come back, and training goes on exactly as without the break", { timeout: 600_000 }, async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  // The same run, uninterrupted, for comparison.
  const whole = await open(context, "?backend=cpu&pause_at=6&ema_decay=0.9");
  await ready(whole.page);
  await whole.page.locator("#train").click();
  await pausedAt(whole.page, 6);
  const wholeGrid = await gridPixels(whole.page);
  const wholeLegend = await whole.page.locator("#loss-charts .legend").allInnerTexts();
  await whole.page.close();

  const { page, problems } = await open(context, "?backend=cpu&pause_at=4&ema_decay=0.9");
  await ready(page);
  await page.locator("#train").click();
  await pausedAt(page, 4);
  const grid = await gridPixels(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download-checkpoint").click()]);
  assert.match(download.suggestedFilename(), /^gan-dcgan-non-saturating-step4\.bpk$/);
  const file = join(ARTIFACTS, download.suggestedFilename());
  await download.saveAs(file);
  assert.match(await page.locator(".notice").innerText(), /step 4/);

  await page.reload();
  await ready(page);
  assert.equal(await stepCount(page), 0, "a reload starts a fresh run");
  await page.locator("#load-checkpoint").setInputFiles(file);
  await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) === 4
      && document.querySelector(".samples .muted").innerText.includes("step 4"), null, { timeout: 120_000 });
  assert.deepEqual(await gridPixels(page), grid, "the same generator draws the same grid");
  assert.equal(await page.locator(".chart").first().getAttribute("data-points"), "4", "the charts come back");
  assert.equal(await page.locator("#field-ema_decay").inputValue(), "0.9");
  // Inference only: New z draws another grid and leaves the run where it was.
  await page.locator("#new-samples").click();
  await page.locator("#generated-grid").waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector("#generated-grid").width === 8 * 28);
  assert.equal(await stepCount(page), 4);
  await page.screenshot({ path: join(ARTIFACTS, "checkpoint-loaded.png"), fullPage: true });
  await page.locator("#field-pause_at").fill("6");
  await page.locator("#train").click();
  await pausedAt(page, 6);
  assert.equal(await page.locator("#error").count(), 0);
  // The CPU worker restores the optimisers' states: the resumed run is the uninterrupted one.
  assert.deepEqual(await gridPixels(page), wholeGrid, "step 6 after a break draws what step 6 without one drew");
  assert.deepEqual(await page.locator("#loss-charts .legend").allInnerTexts(), wholeLegend);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the built site works from a sub-path", { timeout: 300_000 }, async () => {
  const sub = await serveDist("/some/project");
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = recordProblems(page);
    // Every file but index.html (and embed.js, whose name authors write) has its content's
    // hash in its name, or the build's id in its query: no cache can mix two builds.
    const fetched = [];
    context.on("request", (r) => fetched.push(r.url()));
    await page.goto(`${sub.base}/#/train?backend=cpu`);
    await ready(page);
    await page.locator("#step").click();
    await page.waitForFunction(() => Number(document.querySelector("#step-count").innerText) === 1, null, { timeout: 120_000 });
    const build = await page.locator("meta[name=gan-playground-build]").getAttribute("content");
    assert.match(build, /^[0-9a-f]{16}$/);
    const ours = fetched.filter((u) => u.startsWith(sub.base) && !/\/(#.*)?$/.test(u) && !u.endsWith("/embed.js"));
    assert.ok(ours.length >= 4, ours.join("\n"));
    for (const url of ours) {
      const { pathname, searchParams } = new URL(url);
      // wasm-bindgen's snippets sit in a folder named after their crate and its hash.
      // Trunk writes its 64-bit hashes without leading zeros (1 in 16 has 15 digits).
      const hashed = /-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/.test(pathname) || /\/[0-9a-f]{8,16}-[\w.-]+\.js$/.test(pathname) || /\/snippets\/[\w-]+-[0-9a-f]{16}\//.test(pathname);
      assert.ok(hashed || searchParams.get("v") === build, `not versioned: ${url}`);
    }
    assert.ok(ours.some((u) => /worker(_mt)?_loader-[0-9a-f]{16}\.js\?v=/.test(u)), ours.join("\n"));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    sub.server.close();
  }
});

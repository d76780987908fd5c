// Browser test: the threaded CPU worker (issue 13). A cross-origin isolated page (the harness
// sends COOP/COEP, as `trunk serve` and the README's hosts do) trains on one thread per core,
// with the relaxed-SIMD build where the browser has relaxed SIMD, and repeats a run of one seed
// exactly (and, where the browser lacks relaxed SIMD, the plain threaded build ends where one
// thread does); the gallery (which only draws) starts the single-thread worker unless the address
// asks for threads, and then draws the same seeded grid; `threads=1` picks the single-thread
// worker; a host without the headers gets the single-thread worker on the first visit and,
// through the page's service worker, the threaded one from the next.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpus } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, recordProblems, serveDist, useSite } from "./harness.mjs";

let base, browser;

useSite((site) => ({ base, browser } = site));

const CORES = cpus().length;
const badge = (page) => page.locator("#backend .badge").innerText().then((t) => t.trim());
const stepCount = (page) => page.locator("#step-count").innerText().then(Number);

/** Opens the train view at `url` (which pauses at `steps`), trains until it pauses there with
 * that step's sample grid drawn, and returns the backend's badge. */
async function train(page, url, steps) {
  await page.goto(url);
  await page.locator("#train:not([disabled])").waitFor({ timeout: 120_000 });
  await page.locator("#train").click();
  await page.waitForFunction((n) => Number(document.querySelector("#step-count").innerText) >= n
      && document.querySelector("#train").innerText.trim() === "Train"
      && document.querySelector(".samples .muted").innerText.includes(`step ${n}`), steps, { timeout: 120_000 });
  return badge(page);
}

/** A new page of `context`, with its page errors and console errors, and the paths of every
 * request of the context. */
async function watched(context) {
  const page = await context.newPage();
  const problems = recordProblems(page);
  const fetched = [];
  context.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  return { page, problems, fetched };
}

/** The train view's sample grid's grey levels. */
const sampleGrid = (page) =>
  page.evaluate(() => {
    const c = document.getElementById("sample-grid");
    return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
  });

/** The seeded gallery grid's grey levels. */
async function seededGrid(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => /^Seed 11,/.test(document.querySelector("#gallery")?.dataset.gridTitle ?? ""), null, { timeout: 60_000 });
  return page.evaluate(() => {
    const c = document.getElementById("gallery-grid");
    return Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
  });
}

test("an isolated page trains on every core; threads=1 picks the single-thread worker", { timeout: 300_000, skip: CORES < 2 && "one core" }, async () => {
  const context = await browser.newContext();
  try {
    const { page, problems, fetched } = await watched(context);
    const pooledUrl = `${base}/?backend=cpu&pause_at=10#/train`;
    assert.match(await train(page, pooledUrl, 10), new RegExp(`relaxed SIMD, ${CORES} threads`));
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    // Chromium has relaxed SIMD: the loader takes that build, and only it.
    assert.ok(fetched.some((p) => /\/worker_mt_rs-[0-9a-f]{16}_bg\.wasm$/.test(p)), fetched.join("\n"));
    assert.ok(!fetched.some((p) => /\/worker(_mt)?-[0-9a-f]{16}_bg\.wasm$/.test(p)), "no other CPU worker is fetched too");
    // Training on the pool gives finite losses and a drawn grid, as on one thread.
    const losses = await page.locator("#loss-charts .legend .key").allInnerTexts();
    assert.ok(losses.length > 0 && losses.every((t) => Number.isFinite(Number(t.trim().split(" ").pop()))), losses.join(", "));
    await page.screenshot({ path: join(ARTIFACTS, "train-threads.png"), fullPage: true });
    const pooledRun = await sampleGrid(page);
    // The pool splits each step's products, never their sums: a second run of the seed ends
    // where the first did (a step run by whichever pool thread took it did not, 1 run in 2).
    await train(page, pooledUrl, 10);
    assert.deepEqual(await sampleGrid(page), pooledRun, "two runs of one seed on the pool draw the same grid at step 10");

    assert.doesNotMatch(await train(page, `${base}/?backend=cpu&threads=1&pause_at=3#/train`, 3), /threads|relaxed/);
    assert.equal(await stepCount(page), 3);

    // The gallery only draws: its first grid comes sooner from the single-thread worker.
    fetched.length = 0;
    await page.goto(`${base}/#/`);
    await page.locator("#gallery[data-first-grid-ms]").waitFor({ timeout: 60_000 });
    assert.ok(fetched.some((p) => /\/worker-[0-9a-f]{16}_bg\.wasm$/.test(p)), fetched.join("\n"));
    assert.ok(!fetched.some((p) => /\/worker_mt-/.test(p)), fetched.join("\n"));

    // The pool splits the work, not the arithmetic, and the relaxed-SIMD build's fused
    // multiply-adds round once where the single-thread build rounds twice: the same seed draws
    // the same grid to within a grey level (measured: one pixel of 50,176 differs, by 1).
    const pooled = await seededGrid(page, `${base}/?threads=${CORES}#/gallery?seed=11`);
    const single = await seededGrid(page, `${base}/?threads=1#/gallery?seed=11`);
    assert.ok(pooled.some((v) => v > 128), "the grid is not blank");
    assert.equal(pooled.length, single.length);
    const apart = pooled.filter((v, i) => Math.abs(v - single[i]) > 1).length;
    assert.equal(apart, 0, "seed 11 draws the same grid with one thread and with a pool, to a grey level");
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("without relaxed SIMD the plain threaded build trains, ending where one thread does", { timeout: 300_000, skip: CORES < 2 && "one core" }, async () => {
  const context = await browser.newContext();
  try {
    // A browser without relaxed SIMD, as the threaded worker's loader sees it: its probe fails.
    await context.route(/\/worker_mt_loader-[0-9a-f]{16}\.js(\?|$)/, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace("const relaxed = WebAssembly.validate(", "const relaxed = false && WebAssembly.validate(");
      assert.match(body, /const relaxed = false &&/, "the loader probes for relaxed SIMD");
      await route.fulfill({ response, body });
    });
    const { page, problems, fetched } = await watched(context);
    const label = await train(page, `${base}/?backend=cpu&pause_at=10#/train`, 10);
    assert.match(label, new RegExp(`WebAssembly SIMD, ${CORES} threads`));
    assert.doesNotMatch(label, /relaxed/);
    assert.ok(fetched.some((p) => /\/worker_mt-[0-9a-f]{16}_bg\.wasm$/.test(p)), fetched.join("\n"));
    assert.ok(!fetched.some((p) => /\/worker_mt_rs-/.test(p)), "the relaxed build is not fetched");
    const pooled = await sampleGrid(page);
    // The plain build rounds as the single-thread worker does, and the pool splits the
    // products, not their sums: ten steps end on the same grid, exactly.
    assert.doesNotMatch(await train(page, `${base}/?backend=cpu&threads=1&pause_at=10#/train`, 10), /threads/);
    assert.deepEqual(await sampleGrid(page), pooled, "ten steps on the plain pool draw the single thread's grid");
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("without the headers: one thread, then the service worker isolates the next visit", { timeout: 300_000, skip: CORES < 2 && "one core" }, async () => {
  const plain = await serveDist("", { isolated: false });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    const url = `${plain.base}/?backend=cpu&pause_at=2#/train`;
    assert.doesNotMatch(await train(page, url, 2), /threads/);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    await page.evaluate(() => navigator.serviceWorker.ready);
    assert.match(await train(page, `${plain.base}/?backend=cpu&pause_at=3#/train`, 3), new RegExp(`${CORES} threads`));
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    plain.server.close();
  }
});

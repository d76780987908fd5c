// The project's benchmark (not a test; issue 13). `.ci/bench` builds what it needs and runs it:
//
//   node tests/browser/bench.mjs [--quick] [--native a.json,b.json] [--cli PATH]
//                                [--write BENCHMARKS.md] [--gpu]
//
// In one headless-Chromium run it measures
//   - what a first visit downloads before the home page's first pretrained grid, per file, raw
//     and gzipped, and the time to that grid from an empty cache at 10 Mbit/s (files served
//     gzipped, as static hosts do);
//   - ms per training step in the tab (the page's CPU worker, single-thread and with one thread
//     per core; `--gpu`: its WebGPU worker too) for the models of the native `bench` (same ids,
//     same architectures), against the native figures in the `--native` JSON files
//     (`gan-playground bench --json`, one per thread count; with `--cli`, the step table's
//     native figures are timed by that CLI in each round, just before the tab's, and tab ÷
//     native is taken round by round: the median of the rounds and their range); the tab
//     draws no sample grid and computes no quality metrics while timed, as native training
//     does neither, and is timed once more with the page's defaults (a grid every 10 steps);
//   - the same 3-layer MLP GAN in TensorFlow.js 4.22 (tests/browser/peer/tfjs.html) on its wasm
//     (one thread and one per core), webgl and cpu backends, alternating with ours round by
//     round (medians of the rounds);
//   - step time against batch size, in the tab (both thread counts) and natively.
// The server sends the cross-origin isolation headers, as the README asks of a host.
// It prints a Markdown report; `--write FILE` puts it between FILE's `<!-- bench:begin -->` and
// `<!-- bench:end -->` lines and draws docs/bench-scale.svg. `--quick` (CI): one round of a few
// steps and no throttling, to check that every part still works; it writes nothing.
import { readFile, writeFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { gzipSync, brotliCompressSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ROOT, serveDist, launchChromium, coldPage } from "./harness.mjs";

const { values: opt } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    native: { type: "string", default: "" },
    cli: { type: "string" },
    write: { type: "string" },
    gpu: { type: "boolean", default: false },
  },
});
const QUICK = opt.quick;
const DIST = join(ROOT, "dist");
const MBIT = 10;
/** The thread counts the tab runs with: the single-thread build, and one thread per core. */
const CORES = cpus().length;
const TAB_THREADS = CORES > 1 ? [1, CORES] : [1];

/** The page's settings for each bench model (the native `bench` builds the same ones). */
const MODELS = {
  "mlp-3layer": "model=mlp&g_hidden=256,512&d_hidden=512,256&batch_norm=0",
  mlp: "model=mlp",
  "dcgan-16": "model=dcgan&channels=16",
  "dcgan-32": "model=dcgan&channels=32",
  "dcgan-64": "model=dcgan&channels=64",
};
const ROUNDS = QUICK ? 1 : 5;
const SCALE_BATCHES = QUICK ? [16] : [16, 64, 256, 512];
const SCALE_MODELS = QUICK ? ["mlp-3layer"] : ["mlp-3layer", "dcgan-16", "dcgan-32"];
const STEP_MODELS = QUICK ? ["mlp-3layer"] : ["mlp-3layer", "mlp", "dcgan-32", "dcgan-64"];

const { server, base } = await serveDist("", {
  mounts: { "/tfjs": join(ROOT, "tests/browser/node_modules/@tensorflow"), "/peer": join(ROOT, "tests/browser/peer") },
  gzip: true,
});
const browser = await launchChromium();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (x, digits = 1) => (x === undefined ? "—" : x.toFixed(digits));
const mb = (bytes) => (bytes / 1e6).toFixed(2);
const log = (...xs) => console.error(...xs);

/** Raw, gzip and brotli sizes of a file of dist/. */
async function sizes(path) {
  const bytes = await readFile(join(DIST, path));
  return { raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length, br: brotliCompressSync(bytes).length };
}

/**
 * A cold first visit of the home page (empty cache; throttled to MBIT unless quick): the seconds
 * to its first pretrained grid and every file of dist/ it fetched until then.
 */
async function firstVisit() {
  const { context, page } = await coldPage(browser, QUICK ? 0 : MBIT);
  // Navigation-relative time of the first grid (the gallery's own figure counts from its start).
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (document.querySelector("#gallery[data-first-grid-ms]")) {
        window.__firstGrid = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true });
  });
  const requests = [];
  // The site's own files (not the blob: copies the thread pool starts its workers from).
  page.on("requestfinished", (r) => r.url().startsWith(base) && requests.push({ path: decodeURIComponent(new URL(r.url()).pathname).replace(/^\//, ""), at: Date.now() }));
  await page.goto(`${base}/#/`);
  const grid = page.locator("#gallery[data-first-grid-ms]");
  await grid.waitFor({ timeout: 180_000 });
  // The page's own clock: milliseconds from navigation to the first grid.
  const [ms, origin] = await page.evaluate(() => [window.__firstGrid, performance.timeOrigin]);
  const seconds = ms / 1000;
  // Only what had arrived when the grid appeared (the classifier is fetched just after it).
  const files = [...new Set(requests.filter((r) => r.at <= origin + ms).map((r) => r.path || "index.html"))];
  await context.close();
  return { seconds, files };
}

/** The page's default: a sample grid (and the classifier's verdict on it) every this many steps. */
const GRID_EVERY = 10;
/**
 * Every in-browser timing (ours and TF.js) starts after at least this much training: V8 first
 * compiles wasm with its baseline compiler and recompiles the hot functions with its optimiser
 * as they run, on the same two cores, for about the first 5 s (the native CLI runs compiled code).
 */
const WARM_MS = QUICK ? 0 : 5000;

/**
 * ms/step of bench model `model` at `batch` in the tab on `backend` (cpu or gpu); if the steps
 * fit in one of the page's reports, times twice as many (a faster machine needs more). The page
 * draws no sample grid while it is timed (native training draws none), unless `grid`: then one
 * every GRID_EVERY steps, as it does by default.
 */
async function inTab(model, batch, backend, warmup, steps, threads = 1, grid = false) {
  for (let tries = 0; ; tries++) {
    try {
      return await inTabOnce(model, batch, backend, warmup, steps, threads, grid);
    } catch (e) {
      if (!(e instanceof OneReport) || tries >= 3) throw e;
      steps *= 2;
    }
  }
}
class OneReport extends Error {}

async function inTabOnce(model, batch, backend, warmup, steps, threads, grid) {
  const page = await browser.newPage();
  try {
    // Timed as native training runs: no sample grid and no quality metrics (by default every 250
    // steps, inside the longer windows of the scale table); `grid`: the train view's defaults.
    const defaults = grid ? `sample_every=${GRID_EVERY}` : "sample_every=1000000&metrics_every=0";
    await page.goto(`${base}/?backend=${backend}&threads=${threads}&${MODELS[model]}&batch_size=${batch}&${defaults}#/train`);
    await page.locator("#train:not([disabled])").waitFor({ timeout: 600_000 });
    const badge = (await page.locator("#backend .badge").innerText()).trim();
    // The badge names the pool: the threaded worker must have started where it was asked for.
    if (backend === "cpu" && badge.includes(`${threads} threads`) !== threads > 1) throw new Error(`asked for ${threads} thread(s), the page runs ${badge}`);
    // Timed in the page: from the first report that shows ≥ warmup steps and comes ≥ WARM_MS
    // after the first step, to the first that shows `steps` more (the page is closed then).
    // An error shown by the page, or no end within 10 minutes, fails the bench.
    const timing = page.evaluate(([warmup, warmMs, steps]) => new Promise((done, fail) => {
      const seen = {};
      const look = () => {
        const error = document.querySelector(".error, [role=alert]");
        if (error?.innerText.trim()) fail(new Error(`the page says: ${error.innerText.trim()}`));
        const n = Number(document.querySelector("#step-count")?.innerText);
        const now = performance.now();
        if (n >= 1 && !seen.start) seen.start = now;
        if (n >= warmup && seen.start && now - seen.start >= warmMs && !seen.t0) Object.assign(seen, { t0: now, s0: n });
        if (seen.t0 && n >= seen.s0 + steps) {
          observer.disconnect();
          done({ ...seen, t1: now, s1: n });
        }
      };
      const observer = new MutationObserver(look);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      setTimeout(() => fail(new Error(`${steps} steps after the warm-up not reached in 10 minutes (${seen.s0 ?? 0} warm-up steps so far)`)), 600_000);
    }), [warmup, WARM_MS, steps]);
    await page.locator("#train").click();
    const { t0, s0, t1, s1 } = await timing;
    // The page reports steps in bunches (about every 200 ms): the counts at two reports time them.
    if (s1 <= s0) throw new OneReport(`${model} at batch ${batch}: one report only (${s0} → ${s1})`);
    return { ms: (t1 - t0) / (s1 - s0), badge };
  } finally {
    await page.close();
  }
}

/**
 * ms/step of the same 3-layer MLP GAN in TensorFlow.js on `backend` (wasm: `threads` threads,
 * or TF.js's own choice where `threads` is 0; the count it ran is kept in `tfThreads`).
 */
const tfThreads = new Set();
async function tfjs(backend, warmup, steps, threads = 1) {
  const page = await browser.newPage();
  try {
    await page.goto(`${base}/peer/tfjs.html`);
    await page.waitForFunction(() => window.peerReady);
    const r = await page.evaluate(([b, w, ms, s, t]) => window.runPeer(b, w, ms, s, t), [backend, warmup, WARM_MS, steps, threads]);
    if (r.backend !== backend) throw new Error(`TF.js ran on ${r.backend}, not ${backend}`);
    if (backend === "wasm" && threads && r.threads !== threads) throw new Error(`TF.js wasm ran ${r.threads} thread(s), not ${threads}`);
    if (backend === "wasm" && !threads) tfThreads.add(r.threads);
    return r.msPerStep;
  } finally {
    await page.close();
  }
}

// ---- native figures (from `gan-playground bench --json`)
const native = [];
for (const f of opt.native.split(",").filter(Boolean)) native.push(...JSON.parse(await readFile(f, "utf8")));
const nativeMs = (model, batch, threads) => native.find((n) => n.model === model && n.batch === batch && n.threads === threads && n.backend === "flex")?.ms_per_step;
const threadCounts = [...new Set(native.map((n) => n.threads))].sort((a, b) => a - b);

/** ms/step of bench model `model` at batch 64 natively, timed now by the release CLI (`--cli`). */
function nativeNow(model, threads, steps) {
  const json = join(ROOT, "target/bench/native-now.json");
  execFileSync(opt.cli, ["bench", "--steps", String(steps), "--models", model, "--batches", "64", "--json", json], {
    cwd: ROOT,
    env: { ...process.env, RAYON_NUM_THREADS: String(threads) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return JSON.parse(readFileSync(json, "utf8"))[0].ms_per_step;
}
const maxThreads = Math.max(0, ...threadCounts);

// ---- 1. first visit
log("first visit…");
const visits = [];
for (let i = 0; i < (QUICK ? 1 : 3); i++) visits.push(await firstVisit());
const firstFiles = visits[0].files.filter((f) => !f.startsWith("peer/") && !f.startsWith("tfjs/"));
const firstSizes = [];
for (const f of firstFiles) firstSizes.push({ f, ...(await sizes(f)) });
firstSizes.sort((a, b) => b.gz - a.gz);
const firstTotal = (k) => firstSizes.reduce((s, x) => s + x[k], 0);

// ---- 2. steps: ours and TF.js alternating, round by round
// The page reports steps about every 200 ms, so each timing spans several reports. Every timing
// in the browser starts after WARM_MS of training and the warm-up steps; the MLPs' steps are
// short, so they are timed over 150 (4-8 s).
const steps = QUICK ? { warmup: 1, mlpWarmup: 1, mlp: 20, tf: 2, big: 4 } : { warmup: 3, mlpWarmup: 20, mlp: 150, tf: 10, big: 8 };
const tab = {}; // threads -> model -> [ms]
const tabGrid = {}; // model -> [ms] with the most threads, drawing the page's default grids
const nativeRounds = {}; // threads -> model -> [ms], timed in the rounds (`--cli`)
const peer = { wasm: [], webgl: [], cpu: [] };
if (CORES > 1) peer.wasmThreads = [];
const badges = new Set();
for (let round = 0; round < ROUNDS; round++) {
  log(`round ${round + 1} of ${ROUNDS}…`);
  for (const model of STEP_MODELS) {
    const [warmup, n] = model.startsWith("mlp") ? [steps.mlpWarmup, steps.mlp] : [steps.warmup, steps.big];
    if (opt.cli) for (const t of threadCounts) ((nativeRounds[t] ??= {})[model] ??= []).push(nativeNow(model, t, n));
    for (const threads of TAB_THREADS) {
      const r = await inTab(model, 64, "cpu", warmup, n, threads);
      badges.add(r.badge);
      ((tab[threads] ??= {})[model] ??= []).push(r.ms);
    }
    (tabGrid[model] ??= []).push((await inTab(model, 64, "cpu", warmup, n, TAB_THREADS.at(-1), true)).ms);
    if (model === "mlp-3layer") {
      peer.wasm.push(await tfjs("wasm", steps.warmup, steps.tf));
      if (CORES > 1) peer.wasmThreads.push(await tfjs("wasm", steps.warmup, steps.tf, 0));
      peer.webgl.push(await tfjs("webgl", steps.warmup, steps.tf));
      if (round === 0) peer.cpu.push(await tfjs("cpu", 1, QUICK ? 1 : 3)); // about a second per step
    }
  }
}
const gpu = {};
if (opt.gpu) for (const model of ["mlp-3layer", "mlp"]) gpu[model] = (await inTab(model, 64, "gpu", 2, 3)).ms;

// ---- 3. scale: step time against batch size
const scale = {}; // threads -> model -> batch -> ms
log("scale…");
for (const model of SCALE_MODELS) {
  for (const batch of SCALE_BATCHES) {
    const mlp = model.startsWith("mlp");
    const n = Math.max(4, Math.round((mlp ? 150 : 8) * (64 / batch) ** 0.7));
    const warmup = QUICK ? 1 : mlp ? Math.max(4, Math.round(n / 8)) : 2;
    for (const threads of TAB_THREADS) {
      ((scale[threads] ??= {})[model] ??= {})[batch] = (await inTab(model, batch, "cpu", warmup, QUICK ? 40 : n, threads)).ms;
    }
  }
}

// ---- every figure the report needs must be there (a quick run checks the bench, not speed)
for (const model of STEP_MODELS) {
  for (const threads of TAB_THREADS) if (!tab[threads][model]?.every(Number.isFinite)) throw new Error(`no tab figure for ${model} with ${threads} thread(s)`);
  if (!tabGrid[model]?.every(Number.isFinite)) throw new Error(`no tab figure for ${model} drawing grids`);
  if (native.length && nativeMs(model, 64, maxThreads) === undefined) throw new Error(`no native figure for ${model} at batch 64`);
}
for (const model of SCALE_MODELS) {
  for (const batch of SCALE_BATCHES) {
    for (const threads of TAB_THREADS) if (!Number.isFinite(scale[threads][model][batch])) throw new Error(`no tab figure for ${model} at batch ${batch} with ${threads} thread(s)`);
    if (native.length && nativeMs(model, batch, maxThreads) === undefined) throw new Error(`no native figure for ${model} at batch ${batch}`);
  }
}
for (const [backend, ms] of Object.entries(peer)) if (!ms.length || !ms.every(Number.isFinite)) throw new Error(`no TF.js ${backend} figure`);

// ---- report
const chromium = browser.version();
await browser.close();
server.close();
const build = (await readFile(join(DIST, "index.html"), "utf8")).match(/gan-playground-build" content="(\w+)"/)?.[1] ?? "?";
const wasmFiles = (await readdir(DIST)).filter((f) => f.endsWith(".wasm")).sort();
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const out = [];
const line = (s = "") => out.push(s);
line(`Generated by \`.ci/bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}, headless Chromium ${chromium}, build ${build}${QUICK ? " (**quick mode: not figures to quote**)" : ""}.`);
line();
line("### What a first visit downloads");
line();
const vs = visits.map((v) => v.seconds);
line(`Cold cache${QUICK ? ", unthrottled" : `, ${MBIT} Mbit/s and 40 ms latency`}, files served gzipped: the home page's first pretrained grid appears after **${fmt(Math.min(...vs), 2)}–${fmt(Math.max(...vs), 2)} s** (${vs.length} run${vs.length > 1 ? "s" : ""}; goal ≤ 3 s). Until then it fetches:`);
line();
line("| file | raw MB | gzip MB | brotli MB |");
line("|---|---|---|---|");
for (const s of firstSizes) line(`| \`${s.f.replace(/-[0-9a-f]{8,16}/, "-…")}\` | ${mb(s.raw)} | ${mb(s.gz)} | ${mb(s.br)} |`);
line(`| **total** | **${mb(firstTotal("raw"))}** | **${mb(firstTotal("gz"))}** | **${mb(firstTotal("br"))}** |`);
line();
line("All wasm files of the build:");
line();
line("| file | raw MB | gzip MB |");
line("|---|---|---|");
for (const f of wasmFiles) {
  const s = await sizes(f);
  line(`| \`${f.replace(/-[0-9a-f]{8,16}/, "-…")}\` | ${mb(s.raw)} | ${mb(s.gz)} |`);
}
line();
line("### Milliseconds per training step (batch 64, one D + one G update, statistics read back every step)");
line();
const N = TAB_THREADS.at(-1);
const tabCols = TAB_THREADS.map((t) => `tab, ${t} thread${t > 1 ? "s" : ""}`);
const best = (xs) => Math.min(...xs.filter((x) => Number.isFinite(x)));
line(`Medians of ${ROUNDS} round${ROUNDS > 1 ? "s" : ""}; each round times ${opt.cli ? `each model natively (the release CLI, ${threadCounts.join(" and ")} thread${threadCounts.length > 1 || threadCounts[0] > 1 ? "s" : ""}) and then in the tab, and ` : "ours and "}TensorFlow.js one after the other${opt.cli ? "" : " in the same browser"}. The tab runs ${[...badges].join(" and ")}: the single-thread worker (\`threads=1\`) and the threaded one (one thread per core, as a cross-origin isolated page gets it). Like native training, the tab draws no sample grid and computes no quality metrics while it is timed (\`sample_every\` past the end, \`metrics_every=0\`); the last column draws a grid every ${GRID_EVERY} steps with the classifier's verdict and keeps the metrics' default (every 250 steps), as the train view does.${WARM_MS ? ` Every timing in the browser, ours and TF.js's, starts after ${WARM_MS / 1000} s of training: V8 runs the wasm from its baseline compiler first and optimises the hot functions in the first seconds (the native CLI runs compiled code).` : ""}`);
line();
const nativeCols = threadCounts.map((t) => `native, ${t} thread${t > 1 ? "s" : ""}`);
const gridCol = `tab, ${N} thread${N > 1 ? "s" : ""}, a grid every ${GRID_EVERY} steps`;
line(`| model | ${nativeCols.join(" | ")} | ${tabCols.join(" | ")} | ${opt.cli ? "best tab ÷ best native, round by round (median, range)" : "best tab ÷ best native"} |${opt.gpu ? " tab WebGPU |" : ""} ${gridCol} |`);
line(`|---|${nativeCols.map(() => "---|").join("")}${tabCols.map(() => "---|").join("")}---|${opt.gpu ? "---|" : ""}---|`);
/**
 * Each round's best tab ÷ that round's best native (timed just before it), so that a slow
 * spell of the machine weighs on both sides of a ratio: the median of the rounds and their range.
 */
function pairedRatio(model) {
  const ratios = tab[TAB_THREADS[0]][model].map((_, r) => best(TAB_THREADS.map((c) => tab[c][model][r])) / best(threadCounts.map((c) => nativeRounds[c][model][r])));
  const range = ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : "";
  return `${median(ratios).toFixed(2)}×${range}`;
}
for (const model of STEP_MODELS) {
  const t = TAB_THREADS.map((c) => median(tab[c][model]));
  const n = threadCounts.map((c) => (opt.cli ? median(nativeRounds[c][model]) : nativeMs(model, 64, c)));
  const ratio = opt.cli ? pairedRatio(model) : native.length ? `${(best(t) / best(n)).toFixed(2)}×` : "—";
  line(`| ${model} | ${n.map((x) => fmt(x)).join(" | ")} | ${t.map((x) => `**${fmt(x)}**`).join(" | ")} | ${ratio} |${opt.gpu ? ` ${fmt(gpu[model])} |` : ""} ${fmt(median(tabGrid[model]))} |`);
}
line();
const ours = Math.min(...TAB_THREADS.map((c) => median(tab[c]["mlp-3layer"])));
const tfWasm = [median(peer.wasm), ...(peer.wasmThreads ? [median(peer.wasmThreads)] : [])];
const tfBest = Math.min(...tfWasm, median(peer.webgl));
line("**Against TensorFlow.js 4.22** on the 3-layer MLP GAN, same batch, optimiser and readback:");
line();
line("| | ms/step | ours (best) is faster by |");
line("|---|---|---|");
for (const c of TAB_THREADS) line(`| ours, in the tab (CPU worker, ${c} thread${c > 1 ? "s" : ""}) | **${fmt(median(tab[c]["mlp-3layer"]))}** | |`);
line(`| TF.js wasm, 1 thread | ${fmt(median(peer.wasm))} | ${(median(peer.wasm) / ours).toFixed(1)}× |`);
if (peer.wasmThreads) line(`| TF.js wasm, its threaded build as it sets itself up here (${[...tfThreads].join(", ")} thread${[...tfThreads].join() === "1" ? "" : "s"}) | ${fmt(median(peer.wasmThreads))} | ${(median(peer.wasmThreads) / ours).toFixed(1)}× |`);
line(`| TF.js webgl (SwiftShader here) | ${fmt(median(peer.webgl))} | ${(median(peer.webgl) / ours).toFixed(1)}× |`);
line(`| TF.js cpu | ${fmt(median(peer.cpu), 0)} | ${(median(peer.cpu) / ours).toFixed(1)}× |`);
line();
line(`Against TF.js's fastest backend: **${(tfBest / ours).toFixed(1)}×** (goal ≥ 10×).`);
line();
line("### Step time against batch size (CPU, ms/step)");
line();
line(`| model | batch | ${nativeCols.join(" | ")} | ${tabCols.join(" | ")} | tab ÷ native, ${N} thread${N > 1 ? "s" : ""} each |`);
line(`|---|---|${nativeCols.map(() => "---|").join("")}${tabCols.map(() => "---|").join("")}---|`);
for (const model of SCALE_MODELS) {
  for (const batch of SCALE_BATCHES) {
    const t = scale[N][model][batch];
    const n = nativeMs(model, batch, maxThreads);
    line(`| ${model} | ${batch} | ${threadCounts.map((c) => fmt(nativeMs(model, batch, c))).join(" | ")} | ${TAB_THREADS.map((c) => fmt(scale[c][model][batch])).join(" | ")} | ${n ? `${(t / n).toFixed(2)}×` : "—"} |`);
  }
}
line();
if (opt.write) line(`![Step time against batch size: solid in the tab (${N} threads), dotted in the tab (one thread), dashed natively (${maxThreads} threads)](docs/bench-scale.svg)`);
const report = out.join("\n");
console.log(report);

if (opt.write && !QUICK) {
  const file = opt.write;
  const text = await readFile(file, "utf8");
  const [begin, end] = ["<!-- bench:begin -->", "<!-- bench:end -->"];
  const a = text.indexOf(begin), b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file} has no ${begin} … ${end} section`);
  await writeFile(file, `${text.slice(0, a + begin.length)}\n${report}\n${text.slice(b)}`);
  await writeFile(join(ROOT, "docs/bench-scale.svg"), plot());
  log(`wrote ${file} and docs/bench-scale.svg`);
}

/** A log-log chart of ms/step against batch size: solid and dotted lines in the tab, dashed natively. */
function plot() {
  const [W, H, L, R, T, B] = [700, 400, 60, 210, 20, 40];
  const series = [];
  const colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
  const N = TAB_THREADS.at(-1);
  SCALE_MODELS.forEach((model, i) => {
    series.push({ name: `${model}, tab ×${N}`, colour: colours[i % 4], dash: "", pts: SCALE_BATCHES.map((b) => [b, scale[N][model][b]]) });
    if (N > 1) series.push({ name: `${model}, tab ×1`, colour: colours[i % 4], dash: "2 3", pts: SCALE_BATCHES.map((b) => [b, scale[1][model][b]]) });
    const pts = SCALE_BATCHES.map((b) => [b, nativeMs(model, b, maxThreads)]).filter(([, y]) => y);
    if (pts.length) series.push({ name: `${model}, native ×${maxThreads}`, colour: colours[i % 4], dash: "6 4", pts });
  });
  const ys = series.flatMap((s) => s.pts.map(([, y]) => y));
  const [y0, y1] = [Math.log10(Math.min(...ys)) - 0.1, Math.log10(Math.max(...ys)) + 0.1];
  const [x0, x1] = [Math.log2(SCALE_BATCHES[0]), Math.log2(SCALE_BATCHES.at(-1))];
  const px = (b) => L + ((Math.log2(b) - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (y) => H - B - ((Math.log10(y) - y0) / (y1 - y0)) * (H - T - B);
  const svg = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  for (let e = Math.ceil(y0); e <= Math.floor(y1); e++) {
    svg.push(`<line x1="${L}" x2="${W - R}" y1="${py(10 ** e)}" y2="${py(10 ** e)}" stroke="#ddd"/><text x="${L - 6}" y="${py(10 ** e) + 4}" text-anchor="end">${10 ** e}</text>`);
  }
  for (const b of SCALE_BATCHES) svg.push(`<text x="${px(b)}" y="${H - B + 16}" text-anchor="middle">${b}</text>`);
  svg.push(`<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">batch size</text>`, `<text x="14" y="${T + 10}">ms/step</text>`);
  series.forEach((s, i) => {
    svg.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="2" stroke-dasharray="${s.dash}" points="${s.pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ")}"/>`);
    svg.push(`<line x1="${W - R + 10}" x2="${W - R + 34}" y1="${T + 10 + i * 18}" y2="${T + 10 + i * 18}" stroke="${s.colour}" stroke-width="2" stroke-dasharray="${s.dash}"/><text x="${W - R + 38}" y="${T + 14 + i * 18}">${s.name}</text>`);
  });
  svg.push("</svg>");
  return svg.join("\n");
}

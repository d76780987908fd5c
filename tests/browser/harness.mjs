// Shared by the browser test and the browser benchmark: a static server for dist/ on
// 127.0.0.1 and Debian's headless Chromium with WebGPU (SwiftShader) enabled.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { before, after } from "node:test";
import { join, extname, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
const DIST = join(ROOT, "dist");
/** Where browser tests leave their screenshots. */
export const ARTIFACTS = join(ROOT, "target", "browser-artifacts");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json" };

/**
 * Serves dist/ on a free loopback port, under `prefix` (e.g. "/sub"); returns `{ server, base }`.
 * `mounts` serves more folders beside it (`{ "/tfjs": "/abs/dir" }`); `gzip` compresses every
 * response whose client accepts it, as a static host would (bodies compressed once, then kept);
 * `dist` serves another build than dist/.
 */
export async function serveDist(prefix = "", { mounts = {}, gzip = false, dist = DIST, isolated = true } = {}) {
  const compressed = new Map();
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let root = dist;
    const mount = Object.keys(mounts).find((m) => path.startsWith(`${m}/`));
    if (mount) {
      root = mounts[mount];
      path = path.slice(mount.length);
    } else if (prefix) {
      if (!path.startsWith(`${prefix}/`)) return res.writeHead(404).end("not found");
      path = path.slice(prefix.length);
    }
    const file = join(root, path === "/" ? "index.html" : path);
    if (file !== root && !file.startsWith(root + sep)) return res.writeHead(403).end();
    try {
      let body = await readFile(file);
      const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream" };
      // As `trunk serve` and a host that follows the README: cross-origin isolated, so the page
      // starts the threaded CPU worker (`isolated: false`, a host without the headers).
      if (isolated) {
        headers["cross-origin-opener-policy"] = "same-origin";
        headers["cross-origin-embedder-policy"] = "require-corp";
      }
      if (gzip && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "") && !file.endsWith(".gz")) {
        if (!compressed.has(file)) compressed.set(file, gzipSync(body, { level: 9 }));
        body = compressed.get(file);
        headers["content-encoding"] = "gzip";
      }
      res.writeHead(200, { ...headers, "content-length": body.length }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, base: `http://127.0.0.1:${server.address().port}${prefix}` };
}

/** Headless Chromium (a fresh, empty profile per launch, as Playwright does). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless=new", "--no-sandbox", "--enable-unsafe-webgpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
    ],
  });
}

/**
 * A page in a fresh context with the cache disabled, as a first visit sees it; with `mbit`, on a
 * link throttled to that many Mbit/s each way and 40 ms latency. Returns `{ context, page }`.
 */
export async function coldPage(browser, mbit) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (mbit) {
    const bytesPerSecond = (mbit * 1e6) / 8;
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 40, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond });
  }
  return { context, page };
}

/** Records `page`'s console errors and page errors, from now on, into the array it returns. */
export function recordProblems(page) {
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/**
 * Opens `base/path` in a new page of `browser` with console errors, page errors and the main
 * thread's long tasks recorded from the first script on: returns `{ page, problems }` (the long
 * tasks are in `window.__longtasks`).
 */
export async function openWatched(browser, base, path) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems = recordProblems(page);
  await page.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  });
  await page.goto(`${base}/${path}`);
  return { page, problems };
}

/**
 * For a test file: before its tests, serves dist/, creates the screenshot folder and launches
 * Chromium, handing `{ server, base, browser }` to `ready` (which may do more set-up and return
 * something with a `close()` to call at the end); after them, closes them all.
 */
export function useSite(ready) {
  let site, extra;
  before(async () => {
    const { server, base } = await serveDist();
    await mkdir(ARTIFACTS, { recursive: true });
    site = { server, base, browser: await launchChromium() };
    extra = await ready(site);
  });
  after(async () => {
    await site?.browser?.close();
    site?.server?.close();
    extra?.close?.();
  });
}

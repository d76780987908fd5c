// Shared by the browser test and the browser benchmark: a static server for dist/ on
// 127.0.0.1 and Debian's headless Chromium with WebGPU (SwiftShader) enabled.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, extname, resolve } from "node:path";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
const DIST = join(ROOT, "dist");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json" };

/** Serves dist/ on a free loopback port, under `prefix` (e.g. "/sub"); returns `{ server, base }`. */
export async function serveDist(prefix = "") {
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (prefix) {
      if (!path.startsWith(`${prefix}/`)) return res.writeHead(404).end("not found");
      path = path.slice(prefix.length);
    }
    const file = join(DIST, path === "/" ? "index.html" : path);
    if (!file.startsWith(DIST)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
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

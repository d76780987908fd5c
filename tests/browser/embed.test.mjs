// Browser test: embed mode (`?embed`). A host page (about:blank with an iframe) embeds the
// gallery: the view comes without the playground's header and footer, its "open in GAN
// Playground" link is the same address without `embed`, and it reports its content height to
// the host by postMessage, matching what it draws. Screenshots at 320 and 800 px wide, light
// and dark, land in target/browser-artifacts/.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, recordProblems, useSite } from "./harness.mjs";

let base, browser;

useSite((site) => ({ base, browser } = site));

for (const scheme of ["light", "dark"]) {
  for (const width of scheme === "light" ? [280, 320, 800] : [320, 800]) {
    test(`the gallery embedded ${width} px wide (${scheme}) fits its iframe and links to the full page`, { timeout: 180_000 }, async () => {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: width + 40, height: 900 } });
      try {
        const page = await context.newPage();
        const problems = recordProblems(page);
        const src = `${base}/#/gallery?embed&seed=3`;
        await page.setContent(`<!DOCTYPE html><body style="margin:20px">
          <p>A tutorial paragraph above the demo.</p>
          <iframe id="demo" src="${src}" style="width:${width}px;height:200px;border:1px solid #888"></iframe>
          <script>
            window.heights = [];
            addEventListener("message", (e) => {
              const m = e.data;
              if (m && m.source === "gan-playground" && m.version === 1 && m.type === "height") {
                window.heights.push(m.height);
                document.getElementById("demo").style.height = m.height + "px";
              }
            });
          </script></body>`);
        const frame = page.frameLocator("#demo");
        await frame.locator("#gallery[data-first-grid-ms]").waitFor({ timeout: 120_000 });
        // Wait for the height to settle: the same for half a second.
        await page.waitForFunction(() => {
          const h = window.heights;
          if (!h.length) return false;
          if (window.lastHeight !== h.at(-1)) {
            window.lastHeight = h.at(-1);
            window.since = performance.now();
          }
          return performance.now() - window.since > 500;
        }, null, { timeout: 30_000, polling: 100 });
        // No playground chrome; the link opens the same setup in the full page.
        assert.equal(await frame.locator("header").count(), 0);
        assert.equal(await frame.locator("footer").count(), 0);
        const link = await frame.locator("#open-full").getAttribute("href");
        assert.equal(link, `${base}/#/gallery?seed=3`);
        // The host sized the iframe to the reported height, which is the content's.
        const last = await page.evaluate(() => window.heights.at(-1));
        const content = await frame.locator("body").evaluate((b) => Math.ceil(b.getBoundingClientRect().height));
        // Nothing is wider than the frame.
        const overflow = await frame.locator("body").evaluate((b) => b.scrollWidth - b.clientWidth);
        assert.ok(overflow <= 0, `${overflow} px wider than the frame`);
        assert.ok(Math.abs(last - content) <= 2, `reported ${last}, content ${content}`);
        assert.ok(content > 300, `content height ${content}`);
        const iframe = await page.locator("#demo").evaluate((f) => f.getBoundingClientRect().height);
        assert.ok(Math.abs(iframe - last - 2) <= 2, `iframe ${iframe} for ${last}`);
        await page.screenshot({ path: join(ARTIFACTS, `embed-gallery-${width}-${scheme}.png`), fullPage: true });
        // The gallery writes its seed into the address; a reload stays embedded.
        await frame.locator("body").evaluate(() => location.reload());
        await frame.locator("#gallery[data-first-grid-ms]").waitFor({ timeout: 120_000 });
        assert.equal(await frame.locator("header").count(), 0, "still embedded after a reload");
        assert.match(await frame.locator("body").evaluate(() => location.hash), /embed/);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }
}

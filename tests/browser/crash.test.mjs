// Browser test: when the background worker itself fails (here its script throws as it loads,
// as a broken deploy or a crash would), the view says so and how to recover, instead of
// waiting forever.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";

let base, browser;

useSite((site) => ({ base, browser } = site));

test("a worker that fails gets a message saying to reload, and the view stays", { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  await page.route("**/worker_loader-*", (route) =>
    route.fulfill({ contentType: "text/javascript", body: 'throw new Error("simulated crash");' }),
  );
  await page.goto(`${base}/#/superres`);
  await page.locator("#sr-error").waitFor({ timeout: 30_000 });
  const message = await page.locator("#sr-error").innerText();
  assert.match(message, /background worker stopped/);
  assert.match(message, /simulated crash/);
  assert.match(message, /reload/);
  // The view is still there, with its controls disabled rather than waiting for an answer.
  assert.equal(await page.locator("#sr-train").isDisabled(), true);
  await page.close();
});

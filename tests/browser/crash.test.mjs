// Browser test: when the background worker itself fails (its script throws as it loads, as a
// broken deploy would, or later, as a crash would), the view says so and how to recover,
// instead of waiting forever. The page starts the threaded CPU worker here (a module worker) or
// the single-thread one (`threads=1`, a classic worker): both are checked, and a script that
// cannot be fetched at all.
//
// Run: node --test tests/browser/   (after `trunk build --release`)
import { test } from "node:test";
import assert from "node:assert/strict";
import { useSite } from "./harness.mjs";

let base, browser;

useSite((site) => ({ base, browser } = site));

const cases = [
  ["throws as it loads", "", 'throw new Error("simulated crash");'],
  ["throws as it loads (single-thread worker)", "threads=1", 'throw new Error("simulated crash");'],
  ["crashes once started", "", 'setTimeout(() => { throw new Error("simulated crash"); });'],
  ["cannot be fetched (HTTP 404)", "", null],
];

for (const [what, query, body] of cases) {
  test(`a worker that ${what} gets a message saying to reload, and the view stays`, { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    // Served with the real loader's headers (the page is cross-origin isolated: a worker script
    // without them would be refused before it could throw).
    await page.route(/\/worker(_mt)?_loader-/, async (route) =>
      body === null ? route.fulfill({ status: 404, body: "not found" }) : route.fulfill({ response: await route.fetch(), body }),
    );
    await page.goto(`${base}/?${query}#/superres`);
    await page.locator("#sr-error").waitFor({ timeout: 30_000 });
    const message = await page.locator("#sr-error").innerText();
    assert.match(message, /background worker stopped/);
    assert.match(message, /reload/);
    // A script that never ran carries no message (a plain error event); one that threw, its own.
    assert.match(message, body === null ? /its script could not be loaded or run/ : /simulated crash/);
    // The view is still there, with its controls disabled rather than waiting for an answer.
    assert.equal(await page.locator("#sr-train").isDisabled(), true);
    await page.close();
  });
}

// A service worker for hosts that cannot send headers (GitHub Pages): it adds the two headers
// that make the page cross-origin isolated (COOP same-origin, COEP require-corp) to the site's
// own responses, so from the next visit on the page may share memory with worker threads and
// trains on every core (the threaded CPU worker). It changes nothing else: no cache, no
// rewriting; requests to other origins pass through untouched. The page registers it
// (www/boot.js) only when it is not isolated already.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (new URL(request.url).origin !== self.location.origin) return;
  // A request the browser may only answer from its cache cannot be re-fetched by us.
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.status === 0 || response.type === "opaqueredirect") return response;
      const headers = new Headers(response.headers);
      headers.set("Cross-Origin-Opener-Policy", "same-origin");
      headers.set("Cross-Origin-Embedder-Policy", "require-corp");
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});

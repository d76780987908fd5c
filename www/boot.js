// Trunk initializer of the page's wasm (index.html, data-initializer): a progress bar while it
// downloads, before any Rust runs, and a message if it cannot start.
export default function () {
  // A host that does not send COOP/COEP: a service worker adds them (www/isolate-sw.js), so the
  // next visit is cross-origin isolated and trains on every core. This visit is not held up.
  if (!self.crossOriginIsolated && self.isSecureContext && "serviceWorker" in navigator) {
    navigator.serviceWorker.register("./isolate-sw.js").catch((e) => console.warn("no service worker for cross-origin isolation:", e));
  }
  let box;
  return {
    onStart() {
      box = document.createElement("div");
      box.id = "boot";
      box.className = "boot";
      box.setAttribute("role", "status");
      box.innerHTML = '<p>Loading GAN Playground…</p><progress id="boot-progress" aria-label="Loading the page"></progress>';
      document.body.append(box);
    },
    onProgress({ current, total }) {
      const bar = box?.querySelector("progress");
      if (bar && total && current <= total) {
        bar.max = total;
        bar.value = current;
      }
    },
    onSuccess() {
      box?.remove();
    },
    onFailure(error) {
      if (box) box.querySelector("p").textContent = `GAN Playground could not start (${error}). Reload the page to try again.`;
    },
  };
}

// Development: no caching, so a rebuilt app is always the one that runs. Publishing replaces this file with
// service-worker.published.js.
self.addEventListener("fetch", () => { });

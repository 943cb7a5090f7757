// Keeps the tablet app for offline reloads: the app's files (fingerprinted, listed in service-worker-assets.js at
// publish) are cached when the worker installs; a reload with the hall Wi-Fi down still starts the app, which then
// says it is reconnecting. Live data (/api, the hub, health) always goes to the network.
self.importScripts("./service-worker-assets.js");

const cacheName = "congressvote-" + self.assetsManifest.version;
const cached = [/\.dll$/, /\.pdb$/, /\.wasm$/, /\.html$/, /\.js$/, /\.json$/, /\.css$/, /\.svg$/, /\.dat$/, /\.blat$/];
const never = [/^service-worker\.js$/, /\.br$/, /\.gz$/];

self.addEventListener("install", event => event.waitUntil((async () => {
    const requests = self.assetsManifest.assets
        .filter(asset => cached.some(pattern => pattern.test(asset.url)) && !never.some(pattern => pattern.test(asset.url)))
        .map(asset => new Request(asset.url, { integrity: asset.hash, cache: "no-cache" }));
    const cache = await caches.open(cacheName);
    await cache.addAll(requests);
    await self.skipWaiting();
})()));

self.addEventListener("activate", event => event.waitUntil((async () => {
    for (const key of await caches.keys()) {
        if (key.startsWith("congressvote-") && key !== cacheName) {
            await caches.delete(key);
        }
    }
    await self.clients.claim();
})()));

self.addEventListener("fetch", event => {
    const request = event.request;
    const url = new URL(request.url);
    if (request.method !== "GET" || url.origin !== self.location.origin
        || url.pathname.startsWith("/api/") || url.pathname.startsWith("/hubs/") || url.pathname.startsWith("/health/")) {
        return; // live data: the network only
    }

    event.respondWith((async () => {
        const cache = await caches.open(cacheName);
        if (request.mode === "navigate") {
            // Pages: the network first (a new version is picked up), the cached shell when the hall is offline.
            try {
                return await fetch(request);
            } catch {
                return (await cache.match("index.html")) ?? Response.error();
            }
        }

        return (await cache.match(request)) ?? fetch(request);
    })());
});

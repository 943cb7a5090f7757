// The interface language is a per-device choice, kept across reloads.
// The page's lang attribute follows it, so screen readers and hyphenation use the right language.
document.documentElement.lang = localStorage.getItem("congressvote.lang") === "en" ? "en" : "vi";
window.congressCulture = {
    get: () => localStorage.getItem("congressvote.lang"),
    set: (value) => localStorage.setItem("congressvote.lang", value)
};

// Downloads what a POST returns (badge sheets and badges are issued by the request, so they cannot be GET links).
// Returns null on success, else the server's refusal code.
window.congressFiles = {
    post: async (url, json, fallbackName) => {
        const response = await fetch(url, {
            method: "POST",
            credentials: "same-origin",
            headers: json ? { "content-type": "application/json", "X-CongressVote": "1" } : { "X-CongressVote": "1" },
            body: json ?? null
        });
        if (!response.ok) {
            try { return (await response.json()).code || "server_error"; } catch { return "server_error"; }
        }
        const blob = await response.blob();
        const disposition = response.headers.get("content-disposition") || "";
        const match = /filename\*=UTF-8''([^;]+)/i.exec(disposition) || /filename="?([^";]+)"?/i.exec(disposition);
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = match ? decodeURIComponent(match[1]) : fallbackName;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 30000);
        return null;
    }
};

// A stable id for this browser, so a tablet session is bound to its device. crypto.randomUUID needs HTTPS;
// getRandomValues works on a plain-HTTP hall LAN too.
window.congressDevice = {
    id: () => {
        let id = localStorage.getItem("congressvote.device");
        if (!id) {
            const bytes = crypto.getRandomValues(new Uint8Array(16));
            id = Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
            localStorage.setItem("congressvote.device", id);
        }
        return id;
    },
    name: () => navigator.userAgent.slice(0, 120)
};

// The check-in desk: camera scanning with jsQR (shipped with the app), and an input that keeps focus for
// USB scanners that type the badge URL followed by Enter.
window.congressScanner = {
    stream: null,
    timer: null,
    keepFocus: (element) => {
        const refocus = () => setTimeout(() => {
            const active = document.activeElement;
            const typing = active && active !== element && (active.tagName === "INPUT" || active.tagName === "SELECT" || active.tagName === "TEXTAREA");
            if (!typing && document.body.contains(element)) element.focus();
        }, 150);
        element.addEventListener("blur", refocus);
        element.focus();
    },
    start: async (video, dotnet) => {
        // Browsers allow the camera only on HTTPS or on the server itself.
        if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return "unavailable";
        if (typeof jsQR === "undefined") {
            // Loaded on the desk only: tablets never pay for the decoder.
            await new Promise((resolve, reject) => {
                const script = document.createElement("script");
                script.src = "lib/jsqr/jsQR.js";
                script.onload = resolve;
                script.onerror = reject;
                document.head.appendChild(script);
            });
        }
        try {
            window.congressScanner.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        } catch (e) {
            return "denied";
        }
        video.srcObject = window.congressScanner.stream;
        await video.play();
        const canvas = document.createElement("canvas");
        const context = canvas.getContext("2d", { willReadFrequently: true });
        let last = "", lastAt = 0;
        window.congressScanner.timer = setInterval(() => {
            if (video.readyState < 2) return;
            canvas.width = video.videoWidth;
            canvas.height = video.videoHeight;
            context.drawImage(video, 0, 0, canvas.width, canvas.height);
            const image = context.getImageData(0, 0, canvas.width, canvas.height);
            const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
            // The same badge held in front of the camera is read once every few seconds, not 10 times a second.
            if (code && (code.data !== last || Date.now() - lastAt > 4000)) {
                last = code.data;
                lastAt = Date.now();
                dotnet.invokeMethodAsync("OnScanned", code.data);
            }
        }, 150);
        return null;
    },
    stop: () => {
        clearInterval(window.congressScanner.timer);
        if (window.congressScanner.stream) window.congressScanner.stream.getTracks().forEach(t => t.stop());
        window.congressScanner.stream = null;
    }
};

// The app's files are kept for offline reloads. Browsers allow service workers only in secure contexts: over HTTPS
// (deploy/make-cert.sh) or on this machine itself; on a plain-HTTP hall LAN the browser's HTTP cache does it instead
// (every framework file is fingerprinted and served as immutable).
if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("service-worker.js").catch(() => { });
}

// The console's keyboard shortcuts: single keys, ignored while the operator types in a field or holds a modifier,
// so a shortcut never fires by accident inside a form.
window.congressShortcuts = {
    keys: ["o", "n", "m", "c", "p", "1", "2", "3", "4", "5", "6", "7", "?", "Escape"],
    handler: null,
    attach: (owner) => {
        window.congressShortcuts.detach();
        const handler = (event) => {
            if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
            const target = event.target;
            if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
            const key = event.key === "Escape" ? "Escape" : event.key.toLowerCase();
            if (!window.congressShortcuts.keys.includes(key)) return;
            event.preventDefault();
            owner.invokeMethodAsync("OnShortcut", key).catch(() => {});
        };
        document.addEventListener("keydown", handler);
        window.congressShortcuts.handler = handler;
    },
    detach: () => {
        if (window.congressShortcuts.handler) document.removeEventListener("keydown", window.congressShortcuts.handler);
        window.congressShortcuts.handler = null;
    },
    // A confirmation that appears takes the focus, so Enter confirms and the operator's hands stay on the keyboard.
    focus: (selector) => document.querySelector(selector)?.focus()
};

// The interface language is a per-device choice, kept across reloads.
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

// The interface language is a per-device choice, kept across reloads.
window.congressCulture = {
    get: () => localStorage.getItem("congressvote.lang"),
    set: (value) => localStorage.setItem("congressvote.lang", value)
};

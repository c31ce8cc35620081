// The zenwire playground: boots the wasm package, then wires the views.
// Modules by concern live in ./lib (state/storage, model picker, chat view,
// compare view, Markdown, settings, errors).

import { h, icon } from "./lib/dom.js";
import { loadZen } from "./lib/zen.js";
import { AppState } from "./lib/state.js";
import { ModelPicker } from "./lib/model-picker.js";
import { SettingsDialog, applyTheme, effectiveTheme } from "./lib/settings.js";
import { ChatView } from "./lib/chat-view.js";
import { CompareView } from "./lib/compare-view.js";

const app = document.getElementById("app");
const toastEl = document.getElementById("toast");
const announcer = document.getElementById("announcer");

let toastTimer = 0;
function toast(text) {
  toastEl.textContent = text;
  toastEl.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toastEl.hidden = true), 4000);
}

function announce(text) {
  // Re-setting the same text would not be announced again.
  announcer.textContent = "";
  requestAnimationFrame(() => (announcer.textContent = text));
}

async function boot() {
  const state = new AppState(window.location);
  applyTheme(state.settings.theme);
  try {
    await loadZen();
  } catch {
    app.replaceChildren(
      h(
        "div",
        { class: "fatal", role: "alert" },
        h("h1", {}, "The playground could not start"),
        h("p", {}, "Its engine (the zenwire WebAssembly package) did not load. Reload the page; if this keeps happening, the site was deployed without running `make www`."),
      ),
    );
    return;
  }

  const picker = new ModelPicker({ missingCredential: (info) => state.missingCredential(info) });
  const settings = new SettingsDialog(state, toast);
  const ctx = { state, picker, settings, toast, announce };
  const chat = new ChatView(ctx);
  const compare = new CompareView(ctx);

  const tab = (id, label, iconName) =>
    h("button", { type: "button", class: "tab", id: `tab-${id}`, "aria-controls": `view-${id}`, dataset: { view: id }, onclick: () => (location.hash = id === "chat" ? "" : id) }, icon(iconName, 16), label);
  const tabs = [tab("chat", "Chat", "chat"), tab("compare", "Compare", "columns")];
  const connection = h("button", { type: "button", class: "conn-pill", onclick: () => settings.open() });
  const themeButton = h("button", { type: "button", class: "btn-ghost btn-icon", id: "theme-toggle" });
  const renderTheme = () => {
    const dark = effectiveTheme(state.settings.theme) === "dark";
    themeButton.replaceChildren(icon(dark ? "sun" : "moon"));
    themeButton.setAttribute("aria-label", dark ? "Switch to light theme" : "Switch to dark theme");
    themeButton.title = themeButton.getAttribute("aria-label");
  };
  themeButton.addEventListener("click", () => {
    state.settings.theme = effectiveTheme(state.settings.theme) === "dark" ? "light" : "dark";
    state.saveSettings();
    applyTheme(state.settings.theme);
    renderTheme();
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", renderTheme);
  const renderConnection = () => {
    const c = state.connection();
    connection.replaceChildren(h("span", { class: `conn-dot conn-${c.mode}` }), h("span", { class: "conn-label" }, c.label), h("span", { class: "conn-short" }, c.mode === "key" ? "Own key" : "Relay"));
    connection.setAttribute("aria-label", `Connection: ${c.label}. Open settings`);
  };
  state.addEventListener("connection", renderConnection);

  const header = h(
    "header",
    { class: "topbar" },
    h("a", { class: "brand", href: "./", "aria-label": "zenwire playground, home" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, "z"), h("span", { class: "brand-name" }, "zenwire"), h("span", { class: "brand-sub" }, "playground")),
    h("nav", { class: "tabs", "aria-label": "Mode" }, tabs),
    h("span", { class: "spacer" }),
    connection,
    themeButton,
    h("button", { type: "button", class: "btn-ghost btn-icon", "aria-label": "Settings", title: "Settings", onclick: () => settings.open() }, icon("gear")),
  );
  const views = { chat, compare };
  const viewName = () => (location.hash === "#compare" ? "compare" : "chat");
  const currentView = () => views[viewName()];

  const main = h("main", { class: "main", id: "main" }, chat.el, compare.el);
  // The skip link moves focus itself: following "#main" would change the
  // hash, which is the route (it would leave compare mode).
  const skip = h("a", { class: "skip-link", href: "#main", onclick: (e) => (e.preventDefault(), currentView().composer.focus()) }, "Skip to the message box");
  app.replaceChildren(skip, header, main);

  const route = () => {
    const view = viewName();
    chat.el.hidden = view !== "chat";
    compare.el.hidden = view !== "compare";
    for (const t of tabs) t.setAttribute("aria-current", t.dataset.view === view ? "page" : "false");
    document.title = view === "compare" ? "Compare models · zenwire playground" : "zenwire playground";
    currentView().composer.focus();
  };
  window.addEventListener("hashchange", route);

  // Esc closes the conversations drawer, else stops the answer in flight
  // (dialogs close themselves first).
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented || document.querySelector("dialog[open]")) return;
    if (currentView().escape()) e.preventDefault();
  });

  picker.setModels(state.models);
  state.addEventListener("models", () => picker.setModels(state.models, state.modelsNote));
  renderTheme();
  renderConnection();
  route();
  document.body.dataset.ready = "true";
  await state.refreshModels();
  document.body.dataset.models = "loaded";
}

boot();

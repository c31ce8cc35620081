// Settings: where requests go (a relay, or the person's own Zen key kept only
// in this browser), the theme, and conversation export / import.

import { h, icon } from "./dom.js";
import { loadRelayToken, loadZenKey, exportConversations, parseImport } from "./storage.js";
import { ZEN_DIRECT_URL } from "./zen.js";

/** Applies "system" | "light" | "dark" to the page. */
export function applyTheme(theme) {
  const root = document.documentElement;
  if (theme === "light" || theme === "dark") root.dataset.theme = theme;
  else delete root.dataset.theme;
}

/** The theme actually showing (resolves "system"). */
export function effectiveTheme(theme) {
  if (theme === "light" || theme === "dark") return theme;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export class SettingsDialog {
  /** @param state AppState; @param toast (text) => void */
  constructor(state, toast) {
    this.state = state;
    this.toast = toast;
    const field = (label, control, help) => {
      const id = control.id;
      return h("div", { class: "field" }, h("label", { for: id }, label), control, help ? h("p", { class: "field-help", id: `${id}-help` }, help) : null);
    };
    this.relayRadio = h("input", { type: "radio", name: "connection", value: "relay", id: "conn-relay" });
    this.keyRadio = h("input", { type: "radio", name: "connection", value: "key", id: "conn-key" });
    this.relayUrl = h("input", { type: "url", class: "input", id: "relay-url", placeholder: state.defaultRelay, autocomplete: "off", spellcheck: "false", "aria-describedby": "relay-url-help" });
    this.relayToken = h("input", { type: "password", class: "input", id: "relay-token", placeholder: "Optional", autocomplete: "off", "aria-describedby": "relay-token-help" });
    this.zenKey = h("input", { type: "password", class: "input", id: "zen-key", placeholder: "sk-…", autocomplete: "off", "aria-describedby": "zen-key-help" });
    this.theme = h(
      "select",
      { class: "input", id: "theme-select" },
      h("option", { value: "system" }, "Same as the system"),
      h("option", { value: "light" }, "Light"),
      h("option", { value: "dark" }, "Dark"),
    );
    this.importInput = h("input", { type: "file", accept: "application/json,.json", class: "sr-only", id: "import-file", tabindex: "-1" });
    this.importInput.addEventListener("change", () => this.importFile());

    this.relayFields = h(
      "div",
      { class: "conn-fields" },
      field("Relay URL", this.relayUrl, `Leave empty for this site's relay (${state.defaultRelay}).`),
      field("Relay token", this.relayToken, "Only needed for paid models on a relay that requires a token."),
    );
    this.keyFields = h(
      "div",
      { class: "conn-fields" },
      field("Your OpenCode Zen API key", this.zenKey, `Stored only in this browser (localStorage) and sent only to ${ZEN_DIRECT_URL}. Never included in exports. Anyone with access to this browser profile can read it.`),
      h("button", { type: "button", class: "btn btn-sm btn-quiet", onclick: () => (this.zenKey.value = "") }, "Forget my key"),
    );
    const sync = () => {
      this.relayFields.hidden = !this.relayRadio.checked;
      this.keyFields.hidden = !this.keyRadio.checked;
    };
    this.relayRadio.addEventListener("change", sync);
    this.keyRadio.addEventListener("change", sync);
    this.sync = sync;

    this.dialog = h(
      "dialog",
      { class: "dialog settings", "aria-labelledby": "settings-title" },
      h(
        "form",
        { method: "dialog", onsubmit: (e) => this.save(e) },
        h(
          "div",
          { class: "dialog-head" },
          h("h2", { id: "settings-title" }, "Settings"),
          h("button", { type: "button", class: "btn-ghost btn-icon", "aria-label": "Close settings", onclick: () => this.dialog.close() }, icon("close")),
        ),
        h(
          "fieldset",
          { class: "group" },
          h("legend", {}, "Connection"),
          h(
            "div",
            { class: "segmented" },
            h("label", { class: "segment" }, this.relayRadio, h("span", {}, "Relay")),
            h("label", { class: "segment" }, this.keyRadio, h("span", {}, "Use my own Zen key")),
          ),
          this.relayFields,
          this.keyFields,
        ),
        h("fieldset", { class: "group" }, h("legend", {}, "Appearance"), field("Theme", this.theme)),
        h(
          "fieldset",
          { class: "group" },
          h("legend", {}, "Conversations"),
          h("p", { class: "field-help" }, "Kept in this browser only. Export them to a JSON file, or import a file exported here."),
          h(
            "div",
            { class: "row" },
            h("button", { type: "button", class: "btn btn-sm", onclick: () => this.exportFile() }, icon("download", 16), "Export JSON"),
            h("label", { class: "btn btn-sm", for: "import-file", tabindex: "0", role: "button", onkeydown: (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), this.importInput.click()) }, icon("upload", 16), "Import JSON"),
            this.importInput,
          ),
        ),
        h(
          "div",
          { class: "dialog-foot" },
          h("button", { type: "button", class: "btn btn-quiet", onclick: () => this.dialog.close() }, "Cancel"),
          h("button", { type: "submit", class: "btn btn-primary" }, "Save"),
        ),
      ),
    );
    document.body.append(this.dialog);
  }

  open() {
    const s = this.state.settings;
    this.relayRadio.checked = s.connection !== "key";
    this.keyRadio.checked = s.connection === "key";
    this.relayUrl.value = s.relayUrl;
    this.relayToken.value = loadRelayToken();
    this.zenKey.value = loadZenKey();
    this.theme.value = s.theme;
    this.sync();
    this.dialog.showModal();
  }

  save(e) {
    e.preventDefault();
    const relayUrl = this.relayUrl.value.trim();
    if (relayUrl) {
      try {
        const u = new URL(relayUrl);
        if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("scheme");
      } catch {
        this.relayUrl.setCustomValidity("Enter a full http(s) URL, e.g. https://relay.example.com/zen/v1");
        this.relayUrl.reportValidity();
        this.relayUrl.addEventListener("input", () => this.relayUrl.setCustomValidity(""), { once: true });
        return;
      }
    }
    const connection = this.keyRadio.checked ? "key" : "relay";
    this.state.settings.theme = this.theme.value;
    applyTheme(this.theme.value);
    this.state.setConnection({ connection, relayUrl, relayToken: this.relayToken.value.trim(), zenKey: this.zenKey.value.trim() });
    this.dialog.close();
    this.toast("Settings saved");
  }

  exportFile() {
    const text = exportConversations(this.state.conversations);
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const a = h("a", { href: url, download: `zenwire-conversations-${new Date().toISOString().slice(0, 10)}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async importFile() {
    const file = this.importInput.files?.[0];
    this.importInput.value = "";
    if (!file) return;
    try {
      const list = parseImport(await file.text());
      const ok = this.state.importConversations(list);
      this.toast(ok ? `Imported ${list.length} conversation${list.length === 1 ? "" : "s"}` : "Imported, but this browser's storage is full");
    } catch (err) {
      this.toast(`Import failed: ${err.message}`);
    }
  }
}

// The model picker: the catalog merged with the gateway's /models, free
// models first, the rest grouped by maker, with prices, context and
// capabilities; models the gateway does not list are greyed out.

import { h, icon } from "./dom.js";
import { fmtPrice, fmtTokensShort } from "./format.js";

const PROVIDERS = {
  opencode: "OpenCode",
  openai: "OpenAI",
  anthropic: "Anthropic",
  google: "Google",
  zhipu: "Zhipu (GLM)",
  moonshot: "Moonshot (Kimi)",
  qwen: "Qwen",
  xai: "xAI",
  minimax: "MiniMax",
};
const PROVIDER_ORDER = ["opencode", "anthropic", "openai", "google", "xai", "moonshot", "zhipu", "qwen", "minimax"];

/** Human name of a model maker. */
export function providerName(id) {
  return PROVIDERS[id] ?? (id ? id[0].toUpperCase() + id.slice(1) : "Other models");
}

/** Groups for display: [{title, models}] — free first, then by maker. */
export function groupModels(models) {
  const byName = (a, b) => a.name.localeCompare(b.name);
  const free = models.filter((m) => m.free).sort((a, b) => Number(a.unavailable) - Number(b.unavailable) || byName(a, b));
  const groups = free.length ? [{ id: "free", title: "Free — no key needed", models: free }] : [];
  const paid = new Map();
  for (const m of models) {
    if (m.free) continue;
    const p = m.provider || "other";
    if (!paid.has(p)) paid.set(p, []);
    paid.get(p).push(m);
  }
  const rank = (p) => (PROVIDER_ORDER.indexOf(p) + 1 || 99);
  for (const p of [...paid.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
    groups.push({ id: p, title: providerName(p), models: paid.get(p).sort((a, b) => Number(a.unavailable) - Number(b.unavailable) || byName(a, b)) });
  }
  return groups;
}

/** One-line summary of a model's prices and context, e.g. "$3 in · $15 out per 1M · 200K context". */
export function modelSummary(m) {
  const parts = [];
  if (m.free) parts.push("Free");
  else if (m.prices) parts.push(`${fmtPrice(m.prices.input)} in · ${fmtPrice(m.prices.output)} out per 1M`);
  const ctx = fmtTokensShort(m.limits?.context);
  if (ctx) parts.push(`${ctx} context`);
  return parts.join(" · ");
}

function capabilityBadges(m) {
  const c = m.capabilities ?? {};
  const out = [];
  if (m.free) out.push(h("span", { class: "badge badge-free" }, "Free"));
  if (c.reasoning) out.push(h("span", { class: "badge" }, "reasoning"));
  if (c.tools) out.push(h("span", { class: "badge" }, "tools"));
  if (c.attachments) out.push(h("span", { class: "badge" }, "images"));
  if (m.status) out.push(h("span", { class: "badge badge-warn" }, m.status));
  if (m.unknown) out.push(h("span", { class: "badge badge-muted" }, "not in catalog"));
  return out;
}

/**
 * The model picker: a dialog with a search field that controls the list of
 * models (the WAI-ARIA combobox pattern with a grouped listbox). Focus stays
 * in the search field; ↑/↓ move the active option (skipping those that
 * cannot be picked), Enter picks it, Esc closes, typing filters.
 */
export class ModelPicker {
  /** @param opts.missingCredential (ModelInfo) => "" or what this connection lacks to use it */
  constructor({ missingCredential = () => "" } = {}) {
    this.models = [];
    this.note = "";
    this.onPick = null;
    this.missingCredential = missingCredential;
    this.search = h("input", {
      type: "search",
      class: "input picker-search",
      placeholder: "Search models",
      "aria-label": "Search models",
      autocomplete: "off",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "true",
      "aria-controls": "picker-listbox",
    });
    this.search.addEventListener("input", () => this.renderList());
    this.search.addEventListener("keydown", (e) => this.onKey(e));
    this.list = h("div", { class: "picker-list", id: "picker-listbox", role: "listbox", "aria-label": "Models" });
    this.noteEl = h("p", { class: "picker-note", role: "status" });
    this.titleEl = h("h2", { id: "picker-title" }, "Choose a model");
    this.dialog = h(
      "dialog",
      { class: "dialog picker", "aria-labelledby": "picker-title" },
      h(
        "div",
        { class: "dialog-head" },
        this.titleEl,
        h("button", { type: "button", class: "btn-ghost btn-icon", "aria-label": "Close", onclick: () => this.dialog.close() }, icon("close")),
      ),
      h("div", { class: "picker-searchbar" }, icon("search", 16), this.search),
      this.noteEl,
      this.list,
    );
    this.dialog.addEventListener("click", (e) => {
      if (e.target === this.dialog) this.dialog.close(); // backdrop click
    });
    document.body.append(this.dialog);
  }

  /** Replaces the list; `note` explains where it came from when not live. */
  setModels(models, note = "") {
    this.models = models;
    this.note = note;
    if (this.dialog.open) this.renderList();
  }

  /** Opens the picker; `onPick(id)` runs when a model is chosen. */
  open({ selected, title = "Choose a model", onPick, exclude = [] }) {
    this.selected = selected;
    this.exclude = new Set(exclude);
    this.onPick = onPick;
    this.titleEl.textContent = title;
    this.search.value = "";
    this.renderList();
    this.dialog.showModal();
    this.search.focus();
    this.active?.scrollIntoView({ block: "center" });
  }

  /** The options that can be picked, in list order. */
  get enabledOptions() {
    return [...this.list.querySelectorAll('[role="option"]:not([aria-disabled="true"])')];
  }

  /** Makes `option` the active one (or none). */
  setActive(option) {
    this.active?.setAttribute("aria-selected", "false");
    this.active = option ?? null;
    if (option) {
      option.setAttribute("aria-selected", "true");
      this.search.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else this.search.removeAttribute("aria-activedescendant");
  }

  onKey(e) {
    const options = this.enabledOptions;
    const at = options.indexOf(this.active);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const next = e.key === "ArrowDown" ? (at < 0 ? 0 : Math.min(at + 1, options.length - 1)) : Math.max(at - 1, 0);
      this.setActive(options[next]);
    } else if (e.key === "Enter" && this.active) {
      e.preventDefault();
      this.pick(this.active.dataset.model);
    }
  }

  pick(id) {
    this.dialog.close();
    this.onPick?.(id);
  }

  renderList() {
    const q = this.search.value.trim().toLowerCase();
    const match = (m) => !q || `${m.id} ${m.name} ${m.provider ?? ""} ${providerName(m.provider)}`.toLowerCase().includes(q);
    const groups = groupModels(this.models.filter(match));
    this.noteEl.textContent = this.note;
    this.noteEl.hidden = !this.note;
    this.active = null;
    this.search.removeAttribute("aria-activedescendant");
    if (!groups.length) {
      this.list.replaceChildren(h("p", { class: "picker-empty" }, `No model matches “${this.search.value}”.`));
      return;
    }
    this.list.replaceChildren(
      ...groups.map((g) =>
        h(
          "ul",
          { class: "picker-group", role: "group", "aria-labelledby": `picker-group-${g.id}` },
          h("li", { class: "picker-group-title", id: `picker-group-${g.id}`, role: "presentation" }, g.title),
          g.models.map((m) => this.option(m)),
        ),
      ),
    );
    // Active at first: while searching the first match, else the current model.
    const current = this.enabledOptions.find((o) => o.dataset.model === this.selected);
    this.setActive(q ? this.enabledOptions[0] : current);
  }

  option(m) {
    const taken = this.exclude.has(m.id) && m.id !== this.selected;
    const disabled = m.unavailable || taken;
    const missing = disabled ? "" : this.missingCredential(m);
    const why = m.unavailable ? "Not offered by this relay right now" : taken ? "Already in the comparison" : missing ? `Needs ${missing}, and none is set: add it in Settings` : "";
    return h(
      "li",
      {
        class: `model-option${m.unavailable ? " is-unavailable" : ""}${m.id === this.selected ? " is-current" : ""}${missing ? " is-locked" : ""}`,
        role: "option",
        id: `picker-option-${m.id.replace(/[^\w-]/g, "_")}`,
        "aria-selected": "false",
        "aria-disabled": disabled ? "true" : null,
        dataset: { model: m.id },
        onclick: () => disabled || this.pick(m.id),
      },
      h(
        "span",
        { class: "model-option-top" },
        h("span", { class: "model-name" }, m.name || m.id),
        m.id === this.selected ? h("span", { class: "badge badge-current" }, "current") : null,
        capabilityBadges(m),
        missing ? h("span", { class: "badge badge-warn" }, `needs ${missing.replace(/^(a|your) /, "")}`) : null,
      ),
      h("span", { class: "model-option-meta" }, h("code", { class: "model-id" }, m.id), h("span", {}, modelSummary(m))),
      why ? h("span", { class: "model-option-why" }, why) : null,
    );
  }
}

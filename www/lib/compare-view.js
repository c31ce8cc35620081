// Compare mode: one prompt to 2–4 models at once, streaming side by side,
// each column with its own numbers. Columns keep their own history, so a
// follow-up question goes to every model with its own earlier answers.

import { h, icon } from "./dom.js";
import { ConversationView } from "./conversation.js";
import { Composer } from "./composer.js";
import { modelSummary } from "./model-picker.js";
import { newConversation } from "./storage.js";
import { Action } from "./errors.js";
import { credentialNotice } from "./state.js";

const MIN = 2;
const MAX = 4;

export class CompareView {
  /** @param ctx `{state, picker, settings, toast, announce}` */
  constructor(ctx) {
    this.ctx = ctx;
    this.columns = [];
    this.grid = h("div", { class: "compare-grid", id: "compare-grid" });
    this.addButton = h("button", { type: "button", class: "btn btn-sm", id: "compare-add", onclick: () => this.addColumn() }, icon("plus", 16), "Add model");
    this.composer = new Composer({
      label: "Prompt for every model",
      placeholder: "Ask all models the same thing…",
      onSend: (text) => this.send(text),
      onStop: () => this.stop(),
    });
    this.el = h(
      "section",
      { class: "compare", id: "view-compare", "aria-label": "Compare models", hidden: true },
      h(
        "div",
        { class: "toolbar compare-toolbar" },
        h("div", { class: "compare-intro" }, h("h2", {}, "Compare models"), h("p", {}, "One prompt, up to four models, streaming side by side.")),
        h("span", { class: "spacer" }),
        this.addButton,
        h("button", { type: "button", class: "btn btn-sm btn-quiet", onclick: () => this.clear() }, "Clear answers"),
      ),
      this.grid,
      h("div", { class: "composer-wrap" }, this.composer.el),
    );
    for (const id of ctx.state.settings.compareModels.slice(0, MAX)) this.addColumn(id, false);
    ctx.state.addEventListener("models", () => this.columns.forEach((c) => this.renderHead(c)));
    ctx.state.addEventListener("connection", () => this.columns.forEach((c) => c.conv.messages.length || c.view.render()));
  }

  get busy() {
    return this.columns.some((c) => c.view.busy);
  }

  saveModels() {
    this.ctx.state.settings.compareModels = this.columns.map((c) => c.conv.model);
    this.ctx.state.saveSettings();
  }

  addColumn(model, pick = true) {
    if (this.columns.length >= MAX) return;
    const create = (id) => {
      const list = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-relevant": "additions" });
      const scroller = h("div", { class: "scroller" }, list);
      const head = h("div", { class: "compare-col-head" });
      const el = h("section", { class: "compare-col" }, head, scroller);
      const col = { el, head, list, conv: newConversation(id) };
      col.view = new ConversationView({
        list,
        scroller,
        env: {
          client: () => this.ctx.state.client(),
          connection: () => this.ctx.state.connection(),
          modelInfo: (m) => this.ctx.state.modelInfo(m),
          modelLabel: (m) => this.ctx.state.modelLabel(m),
          onAction: (action) => {
            if (action === Action.Settings) this.ctx.settings.open();
            else if (action === Action.PickModel) this.changeModel(col);
          },
        },
        empty: () => this.emptyColumn(col),
        onBusy: () => this.composer.setBusy(this.busy),
        announce: this.ctx.announce,
      });
      col.view.setConversation(col.conv);
      this.columns.push(col);
      this.grid.append(el);
      this.layout();
      this.saveModels();
    };
    if (model) create(model);
    else if (pick) {
      this.ctx.picker.open({
        title: "Add a model to compare",
        exclude: this.columns.map((c) => c.conv.model),
        onPick: create,
      });
    }
  }

  removeColumn(col) {
    if (this.columns.length <= MIN) return;
    col.view.stop();
    this.columns = this.columns.filter((c) => c !== col);
    col.el.remove();
    this.layout();
    this.saveModels();
    this.composer.setBusy(this.busy);
  }

  changeModel(col) {
    this.ctx.picker.open({
      selected: col.conv.model,
      title: "Model for this column",
      exclude: this.columns.map((c) => c.conv.model),
      onPick: (id) => {
        col.conv.model = id;
        this.renderHead(col);
        if (!col.conv.messages.length) col.view.render();
        this.saveModels();
      },
    });
  }

  layout() {
    this.grid.style.setProperty("--cols", String(this.columns.length));
    this.addButton.disabled = this.columns.length >= MAX;
    this.columns.forEach((c, i) => this.renderHead(c, i));
  }

  renderHead(col, index = this.columns.indexOf(col)) {
    const info = this.ctx.state.modelInfo(col.conv.model);
    const name = info.name || col.conv.model;
    col.el.setAttribute("aria-label", `Column ${index + 1}: ${name}`);
    col.list.setAttribute("aria-label", `Answers from ${name}`);
    col.head.replaceChildren(
      h(
        "button",
        { type: "button", class: "model-button model-button-sm", "aria-label": `Column ${index + 1} model: ${name}. Change`, onclick: () => this.changeModel(col) },
        h("span", { class: "model-button-name" }, name, info.free ? h("span", { class: "badge badge-free" }, "Free") : null),
        h("span", { class: "model-button-meta" }, modelSummary(info)),
        icon("chevron", 14),
      ),
      h(
        "button",
        { type: "button", class: "btn-ghost btn-icon btn-xs", "aria-label": `Remove ${name} from the comparison`, disabled: this.columns.length <= MIN, onclick: () => this.removeColumn(col) },
        icon("close", 16),
      ),
    );
  }

  send(text) {
    if (this.busy) return false;
    let sent = false;
    for (const c of this.columns) sent = c.view.send(text) || sent;
    this.composer.setBusy(this.busy);
    return sent;
  }

  /** Stops every column. */
  stop() {
    if (!this.busy) return false;
    for (const c of this.columns) c.view.stop();
    return true;
  }

  /** Esc: stops every column. */
  escape() {
    return this.stop();
  }

  /** What an empty column says: where answers appear, or why none can. */
  emptyColumn(col) {
    const info = this.ctx.state.modelInfo(col.conv.model);
    const missing = this.ctx.state.missingCredential(info);
    return h("p", { class: `compare-empty${missing ? " is-blocked" : ""}` }, missing ? credentialNotice(info.name || info.id, missing) : "Answers appear here.");
  }

  clear() {
    for (const c of this.columns) {
      c.view.stop();
      c.conv = newConversation(c.conv.model);
      c.view.setConversation(c.conv);
    }
    this.composer.setBusy(false);
  }
}

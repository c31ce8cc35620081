// Chat mode: the conversation list, the model bar, per-chat settings, the
// message log and the composer.

import { h, icon } from "./dom.js";
import { ConversationView } from "./conversation.js";
import { Composer } from "./composer.js";
import { ParamsPanel } from "./params.js";
import { modelSummary } from "./model-picker.js";
import { newConversation } from "./storage.js";
import { fmtRelative } from "./format.js";
import { Action } from "./errors.js";
import { RELAY_TOKEN, credentialNotice } from "./state.js";

const SUGGESTIONS = [
  "Explain how HTTP streaming works, with a small code example.",
  "Write a haiku about a pickle that learned to code.",
  "What are three good questions to ask before choosing an AI model?",
];

export class ChatView {
  /** @param ctx `{state, picker, settings, toast, announce}` */
  constructor(ctx) {
    this.ctx = ctx;
    const { state } = ctx;

    this.convList = h("ul", { class: "conv-list", role: "list" });
    this.sidebar = h(
      "aside",
      { class: "sidebar", id: "sidebar", "aria-label": "Conversations" },
      h("button", { type: "button", class: "btn btn-block", id: "new-chat", onclick: () => this.newChat() }, icon("plus", 16), "New chat"),
      h("h2", { class: "sidebar-title" }, "Recent"),
      h("nav", { "aria-label": "Saved conversations" }, this.convList),
      h("p", { class: "sidebar-foot" }, "Saved in this browser only."),
    );

    this.menuButton = h("button", { type: "button", class: "btn-ghost btn-icon only-narrow", "aria-label": "Show conversations", "aria-controls": "sidebar", "aria-expanded": "false", onclick: () => this.toggleSidebar() }, icon("menu"));
    this.modelButton = h("button", { type: "button", class: "model-button", id: "model-button", "aria-haspopup": "dialog", onclick: () => this.pickModel() });
    // At phone width only the icon shows; the label stays for screen readers.
    this.paramsButton = h("button", { type: "button", class: "btn btn-sm btn-quiet", title: "Settings for this chat", "aria-expanded": "false", "aria-controls": "params-panel", onclick: () => this.toggleParams() }, icon("sliders", 16), h("span", { class: "sr-only-narrow" }, "Settings for this chat"));
    this.params = new ParamsPanel((conv) => this.persist(conv, true));

    this.list = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation", id: "chat-log" });
    this.scroller = h("div", { class: "scroller" }, this.list);
    this.composer = new Composer({
      label: "Message",
      onSend: (text) => this.conversation.send(text),
      onStop: () => this.conversation.stop(),
    });

    this.conversation = new ConversationView({
      list: this.list,
      scroller: this.scroller,
      env: {
        client: () => state.client(),
        connection: () => state.connection(),
        modelInfo: (id) => state.modelInfo(id),
        modelLabel: (id) => state.modelLabel(id),
        onAction: (action) => this.onAction(action),
      },
      empty: () => this.emptyState(),
      onChange: (conv, { final }) => this.persist(conv, final),
      onBusy: (busy, conv) => {
        if (conv === this.conv) this.composer.setBusy(busy);
        this.renderConversations();
      },
      announce: ctx.announce,
    });

    this.el = h(
      "div",
      { class: "chat-layout", id: "view-chat" },
      this.sidebar,
      h("div", { class: "sidebar-scrim", onclick: () => this.toggleSidebar(false) }),
      h(
        "section",
        { class: "chat-main", "aria-label": "Chat" },
        h("div", { class: "toolbar" }, this.menuButton, this.modelButton, h("span", { class: "spacer" }), this.paramsButton),
        this.params.el,
        this.scroller,
        h("div", { class: "composer-wrap" }, this.composer.el),
      ),
    );

    state.addEventListener("models", () => {
      this.refreshModelBar();
      // Stored answers were labelled before the names arrived.
      if (!this.conversation.busy && this.conv?.messages.length) this.conversation.render();
      this.renderConversations();
    });
    state.addEventListener("conversations", () => this.renderConversations());
    state.addEventListener("connection", () => this.refreshModelBar());

    const active = state.conversations.find((c) => c.id === state.settings.activeConversation);
    this.open(active ?? newConversation(state.settings.model));
  }

  get conv() {
    return this.conversation.conv;
  }

  /** Shows `conv`. */
  open(conv) {
    this.conversation.setConversation(conv);
    this.ctx.state.settings.activeConversation = conv.messages.length ? conv.id : null;
    this.ctx.state.saveSettings();
    this.refreshModelBar();
    this.renderConversations();
    this.composer.setBusy(this.conversation.busy);
  }

  /** A new, empty chat; an answer still streaming goes on in its own conversation. */
  newChat() {
    const s = this.ctx.state;
    const current = this.conv;
    this.open(newConversation(current?.model ?? s.settings.model, current ? { ...current.params } : {}));
    this.toggleSidebar(false);
    this.composer.focus();
  }

  persist(conv, final) {
    if (!conv.messages.length) return;
    conv.updatedAt = Date.now();
    const ok = this.ctx.state.saveConversation(conv);
    if (this.ctx.state.settings.activeConversation !== conv.id && conv === this.conv) {
      this.ctx.state.settings.activeConversation = conv.id;
      this.ctx.state.saveSettings();
    }
    if (!ok && final) this.ctx.toast("This browser's storage is full — export and delete old conversations.");
  }

  refreshModelBar() {
    const conv = this.conv;
    if (!conv) return;
    const info = this.ctx.state.modelInfo(conv.model);
    this.modelButton.replaceChildren(
      h("span", { class: "model-button-name" }, info.name || conv.model, info.free ? h("span", { class: "badge badge-free" }, "Free") : null),
      h("span", { class: "model-button-meta" }, modelSummary(info) || conv.model),
      icon("chevron", 16),
    );
    this.modelButton.setAttribute("aria-label", `Model: ${info.name || conv.model}. Change model`);
    this.params.bind(conv, info);
    this.composer.setPlaceholder(`Message ${info.name || conv.model}…`);
    if (!conv.messages.length) this.conversation.render();
  }

  pickModel() {
    this.ctx.picker.open({
      selected: this.conv.model,
      onPick: (id) => {
        this.conv.model = id;
        this.ctx.state.settings.model = id;
        this.ctx.state.saveSettings();
        this.refreshModelBar();
        this.persist(this.conv, true);
        this.composer.focus();
      },
    });
  }

  toggleParams(force) {
    const open = force ?? this.params.el.hidden;
    this.params.el.hidden = !open;
    this.paramsButton.setAttribute("aria-expanded", String(open));
  }

  get sidebarOpen() {
    return this.el.classList.contains("sidebar-open");
  }

  toggleSidebar(force) {
    const open = force ?? !this.sidebarOpen;
    const wasOpen = this.sidebarOpen;
    this.el.classList.toggle("sidebar-open", open);
    this.menuButton.setAttribute("aria-expanded", String(open));
    if (open) this.sidebar.querySelector("button")?.focus();
    else if (wasOpen && this.sidebar.contains(document.activeElement)) this.menuButton.focus();
  }

  onAction(action) {
    if (action === Action.Settings) this.ctx.settings.open();
    else if (action === Action.PickModel) this.pickModel();
  }

  /** Esc: close the conversations drawer (phone width), else stop the answer in flight. */
  escape() {
    if (this.sidebarOpen && getComputedStyle(this.menuButton).display !== "none") {
      this.toggleSidebar(false);
      return true;
    }
    if (this.conversation.busy) {
      this.conversation.stop();
      return true;
    }
    return false;
  }

  emptyState() {
    const { state } = this.ctx;
    const info = state.modelInfo(this.conv?.model ?? "");
    const name = info.name || info.id;
    const missing = state.missingCredential(info);
    return h(
      "div",
      { class: "empty" },
      h("h1", { class: "empty-title" }, "What would you like to ask?"),
      h(
        "p",
        { class: "empty-sub" },
        `You are talking to ${name}`,
        info.free && !missing ? " — free, no key needed." : ".",
        " Answers stream in live, with time to first token, speed, tokens and cost.",
      ),
      // Said before anything is sent, not after a failed request.
      missing
        ? h(
            "div",
            { class: "notice", role: "note" },
            icon("alert", 16),
            h("p", {}, credentialNotice(name, missing)),
            h(
              "div",
              { class: "notice-actions" },
              h("button", { type: "button", class: "btn btn-sm", onclick: () => this.ctx.settings.open() }, "Open settings"),
              missing === RELAY_TOKEN ? h("button", { type: "button", class: "btn btn-sm btn-quiet", onclick: () => this.pickModel() }, "Choose a free model") : null,
            ),
          )
        : null,
      h(
        "ul",
        { class: "suggestions", role: "list" },
        SUGGESTIONS.map((s) =>
          h("li", {}, h("button", { type: "button", class: "suggestion", onclick: () => this.conversation.send(s) }, s)),
        ),
      ),
    );
  }

  renderConversations() {
    const { state } = this.ctx;
    const current = this.conv?.id;
    if (!state.conversations.length) {
      this.convList.replaceChildren(h("li", { class: "conv-empty" }, "No conversations yet."));
      return;
    }
    this.convList.replaceChildren(
      ...state.conversations.map((c) =>
        h(
          "li",
          { class: `conv-item${c.id === current ? " is-active" : ""}` },
          h(
            "button",
            {
              type: "button",
              class: "conv-open",
              "aria-current": c.id === current ? "true" : null,
              onclick: () => {
                if (c.id !== this.conv?.id) this.open(c);
                this.toggleSidebar(false);
                this.composer.focus();
              },
            },
            h("span", { class: "conv-title" }, c.title || "New chat"),
            h("span", { class: "conv-meta" }, `${state.modelLabel(c.model)} · ${this.conversation.isStreaming(c) ? "answering…" : fmtRelative(c.updatedAt)}`),
          ),
          h(
            "button",
            {
              type: "button",
              class: "btn-ghost btn-icon btn-xs conv-delete",
              "aria-label": `Delete conversation “${c.title || "New chat"}”`,
              onclick: () => {
                if (!confirm(`Delete “${c.title || "New chat"}”?`)) return;
                this.conversation.stop(c);
                state.deleteConversation(c.id);
                if (c.id === this.conv?.id) this.newChat();
              },
            },
            icon("trash", 14),
          ),
        ),
      ),
    );
  }
}

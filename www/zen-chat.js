// <zen-chat>: a chat box any page can embed with one script tag.
//
//   <script type="module" src="https://your-relay.example/zen-chat.js"></script>
//   <zen-chat model="big-pickle" system-prompt="You answer questions about our docs."></zen-chat>
//
// Attributes: relay-url (default: the relay that served this script, /zen/v1),
// model (default big-pickle), token (relay token, for paid models),
// system-prompt. Same rendering code as the playground, in a shadow root.

import { h, icon } from "./lib/dom.js";
import { loadZen, makeClient, modelInfo, sameOriginRelay } from "./lib/zen.js";
import { ConversationView } from "./lib/conversation.js";
import { Composer } from "./lib/composer.js";
import { newConversation } from "./lib/storage.js";

const STYLES = `
:host { display: block; font-family: var(--font); font-size: 15px; color: var(--text); }
.frame { display: flex; flex-direction: column; height: var(--zen-chat-height, 520px); border: 1px solid var(--border);
  border-radius: 14px; background: var(--bg); overflow: hidden; box-shadow: var(--shadow); }
.head { display: flex; align-items: center; gap: 8px; padding: 10px 14px; border-bottom: 1px solid var(--border); background: var(--surface); }
.title { font-weight: 650; font-size: 14px; }
.meta { font-size: 12px; color: var(--muted); }
.spacer { flex: 1; }
.scroller { flex: 1; min-height: 0; overflow-y: auto; }
.messages { padding: 16px; gap: 16px; }
.composer-wrap { padding: 8px 12px 10px; border-top: 1px solid var(--border); }
.composer-hint { display: none; }
.hello { margin: 20px auto; color: var(--muted); text-align: center; font-size: 14px; line-height: 1.5; max-width: 340px; }
.powered { font-size: 11px; color: var(--faint); text-align: right; padding: 0 14px 8px; }
.powered a { color: inherit; }
*, *::before, *::after { box-sizing: border-box; }
`;

class ZenChat extends HTMLElement {
  static observedAttributes = ["relay-url", "model", "token", "system-prompt"];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.client = null;
  }

  connectedCallback() {
    if (this.built) return;
    this.built = true;
    const root = this.shadowRoot;
    const css = h("link", { rel: "stylesheet", href: new URL("./chat.css", import.meta.url).href });
    this.titleEl = h("span", { class: "title" });
    this.metaEl = h("span", { class: "meta" });
    const newChat = h("button", { type: "button", class: "btn-ghost btn-xs", "aria-label": "Start over", onclick: () => this.reset() }, icon("refresh", 14), h("span", {}, "New"));
    const list = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Chat" });
    const scroller = h("div", { class: "scroller" }, list);
    this.composer = new Composer({ label: "Message", onSend: (t) => this.view.send(t), onStop: () => this.view.stop() });
    this.view = new ConversationView({
      list,
      scroller,
      env: {
        client: () => this.getClient(),
        connection: () => this.connection,
        modelInfo: (id) => modelInfo(id),
        modelLabel: (id) => modelInfo(id).name || id,
      },
      empty: () => h("p", { class: "hello" }, "Ask anything. Answers stream in as they are written."),
      onBusy: (busy) => this.composer.setBusy(busy),
    });
    const frame = h(
      "div",
      { class: "frame", part: "frame" },
      h("div", { class: "head" }, this.titleEl, this.metaEl, h("span", { class: "spacer" }), newChat),
      scroller,
      h("div", { class: "composer-wrap" }, this.composer.el),
      h("div", { class: "powered" }, "Powered by zenwire · OpenCode Zen"),
    );
    // Shared styles first, so this element's own rules win.
    root.append(css, h("style", {}, STYLES), frame);
    frame.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.view.busy) {
        e.preventDefault();
        this.view.stop();
      }
    });
    this.ready = loadZen().then(
      () => {
        this.reset();
        this.dataset.ready = "true";
      },
      () => {
        list.replaceChildren(h("p", { class: "hello" }, "This chat could not load its engine. Reload the page to try again."));
      },
    );
  }

  attributeChangedCallback(name) {
    if (name === "relay-url" || name === "token") this.client = null;
    if (!this.view?.conv) return;
    if (name === "model") {
      this.view.conv.model = this.model;
      this.renderHead();
    } else if (name === "system-prompt") {
      this.view.conv.system = this.getAttribute("system-prompt") ?? "";
    }
  }

  get model() {
    return this.getAttribute("model") || "big-pickle";
  }

  /** Where requests go: the relay-url attribute, else the relay that served this script. */
  get connection() {
    return { mode: "relay", baseUrl: this.getAttribute("relay-url") || sameOriginRelay(import.meta.url), apiKey: this.getAttribute("token") || "" };
  }

  getClient() {
    this.client ??= makeClient(this.connection);
    return this.client;
  }

  renderHead() {
    const info = modelInfo(this.model);
    this.titleEl.textContent = info.name || this.model;
    this.metaEl.textContent = info.free ? "free model" : "";
    this.composer.setPlaceholder(`Message ${info.name || this.model}…`);
  }

  /** Starts a new conversation. */
  reset() {
    this.view.stopAll();
    const conv = newConversation(this.model);
    conv.system = this.getAttribute("system-prompt") ?? "";
    this.view.setConversation(conv);
    this.composer.setBusy(false);
    this.renderHead();
  }
}

if (!customElements.get("zen-chat")) customElements.define("zen-chat", ZenChat);

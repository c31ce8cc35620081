// A conversation on screen: user turns, streamed answers, stop, regenerate,
// edit-and-resend. Used by the chat view, each compare column and <zen-chat>.
// An answer streams on when another conversation is shown (New chat, or one
// from the list): it is written into its own conversation, which shows it
// live again when opened.

import { h, icon, copyText } from "./dom.js";
import { AnswerView, newAnswer, pendingStats, streamInto } from "./answer.js";
import { enableCodeCopy } from "./markdown.js";

/** A demo tool offered when the person turns tools on (nothing runs it). */
export const DEMO_TOOL = {
  name: "get_weather",
  description: "Current weather for a city.",
  parameters: { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"] },
};

/**
 * The unified request for `conv` on `info` (a ModelInfo). Settings the model
 * does not support are left out, so they never cause a request error.
 */
export function buildRequest(conv, info) {
  const caps = info?.capabilities ?? {};
  const messages = [];
  for (const m of conv.messages) {
    if (m.role === "user") {
      messages.push({ role: "user", content: m.content });
    } else if (m.role === "assistant" && m.content) {
      const turn = { role: "assistant", content: m.content };
      // Chat models that interleave reasoning need it back, from themselves only.
      if (caps.interleavedReasoning && m.reasoning && m.model === conv.model) turn.reasoning = m.reasoning;
      messages.push(turn);
    }
    // Answers without text (failed, stopped early, tool-call only) are left
    // out: the person's question simply stands again.
  }
  const p = conv.params ?? {};
  const req = { model: conv.model, messages };
  if (conv.system?.trim()) req.system = conv.system;
  if (caps.temperature && Number.isFinite(p.temperature)) req.temperature = p.temperature;
  if (Number.isFinite(p.maxOutputTokens) && p.maxOutputTokens > 0) req.maxOutputTokens = Math.floor(p.maxOutputTokens);
  if (caps.reasoning && p.effort) req.reasoning = { effort: p.effort };
  if (caps.tools && p.demoTool) req.tools = [DEMO_TOOL];
  return req;
}

/** Title from the first question. */
export function titleFor(text) {
  const line = text.trim().split("\n")[0].replace(/\s+/g, " ");
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || "New chat";
}

export class ConversationView {
  /**
   * @param opts.list      element (role=log) that holds the messages
   * @param opts.scroller  the scrolling ancestor (kept pinned to the bottom)
   * @param opts.env       `{client(), connection(), modelInfo(id), modelLabel(id), onAction(action), copy?}`;
   *                       `connection()` → `{mode: "relay" | "key", baseUrl, apiKey}`
   * @param opts.empty     () => Node shown when there are no messages
   * @param opts.onChange  (conv, {final}) after every change worth saving
   * @param opts.onBusy    (busy, conv) when an answer of `conv` starts / ends
   * @param opts.announce  (text) for the screen-reader status region
   */
  constructor(opts) {
    this.opts = opts;
    this.conv = null;
    this.views = [];
    this.streams = new Map(); // conversation → AbortController of its answer in flight
    this.pinned = true;
    enableCodeCopy(opts.list, (t) => this.copy(t));
    opts.scroller.addEventListener("scroll", () => {
      const s = opts.scroller;
      this.pinned = s.scrollHeight - s.scrollTop - s.clientHeight < 80;
    });
  }

  copy(text) {
    return (this.opts.env.copy ?? copyText)(text);
  }

  /** True while an answer of the shown conversation streams. */
  get busy() {
    return this.isStreaming(this.conv);
  }

  /** True while an answer of `conv` streams (shown or not). */
  isStreaming(conv) {
    return this.streams.has(conv);
  }

  /** Shows `conv`; an answer of the one shown before streams on. */
  setConversation(conv) {
    this.conv = conv;
    this.render();
    this.scrollToEnd(true);
  }

  render() {
    for (const v of this.views) v?.dispose?.();
    this.views = [];
    const list = this.opts.list;
    if (!this.conv || this.conv.messages.length === 0) {
      list.replaceChildren(this.opts.empty?.() ?? "");
      return;
    }
    const nodes = this.conv.messages.map((m, i) => (m.role === "user" ? this.userNode(m, i) : this.answerNode(m, i)));
    list.replaceChildren(...nodes);
  }

  userNode(m, index) {
    const el = h("article", { class: "msg msg-user", "aria-label": "You" });
    el.append(
      h("div", { class: "user-text" }, m.content),
      h(
        "div",
        { class: "msg-actions" },
        h(
          "button",
          { type: "button", class: "btn-ghost btn-xs", "aria-label": "Edit and resend this message", dataset: { action: "edit" }, onclick: () => this.beginEdit(index, el) },
          icon("edit", 14),
          h("span", { class: "btn-label" }, "Edit"),
        ),
      ),
    );
    this.views[index] = null;
    return el;
  }

  answerNode(record, index) {
    const view = new AnswerView(record, {
      modelLabel: this.opts.env.modelLabel,
      isFree: (id) => !!this.opts.env.modelInfo(id)?.free,
      isLast: () => !this.busy && this.conv?.messages.at(-1) === record,
      onAction: (action, v, button) => this.onAnswerAction(action, v, button),
    });
    this.views[index] = view;
    return view.el;
  }

  async onAnswerAction(action, view, button) {
    if (action === "copy") {
      const ok = await this.copy(view.record.content);
      const label = button?.querySelector(".btn-label");
      if (label) {
        label.textContent = ok ? "Copied" : "Copy failed";
        setTimeout(() => (label.textContent = "Copy"), 1500);
      }
    } else if (action === "regenerate" || action === "retry") {
      this.regenerate();
    } else if (action === "stop") {
      this.stop();
    } else {
      this.opts.env.onAction?.(action);
    }
  }

  beginEdit(index, el) {
    if (this.busy) return;
    const original = this.conv.messages[index]?.content ?? "";
    const area = h("textarea", { class: "edit-area", rows: 3, "aria-label": "Edit your message" });
    area.value = original;
    const cancel = () => this.render();
    const save = () => {
      const text = area.value.trim();
      if (text) this.editAndResend(index, text);
    };
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        save();
      } else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        cancel();
      }
    });
    el.replaceChildren(
      area,
      h(
        "div",
        { class: "edit-actions" },
        h("button", { type: "button", class: "btn btn-sm btn-quiet", onclick: cancel }, "Cancel"),
        h("button", { type: "button", class: "btn btn-sm btn-primary", onclick: save }, "Send"),
      ),
    );
    el.classList.add("is-editing");
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  /** Sends `text` as the next user turn and streams the answer. */
  send(text) {
    if (this.busy || !this.conv) return false;
    const content = String(text ?? "").trim();
    if (!content) return false;
    if (!this.conv.title) this.conv.title = titleFor(content);
    this.conv.messages.push({ role: "user", content });
    this.respond();
    return true;
  }

  /** Drops the last answer and asks again. */
  regenerate() {
    if (this.busy || !this.conv) return;
    while (this.conv.messages.at(-1)?.role === "assistant") this.conv.messages.pop();
    if (this.conv.messages.length === 0) return this.render();
    this.respond();
  }

  /** Replaces user turn `index` with `text`, drops everything after it, resends. */
  editAndResend(index, text) {
    if (this.busy || !this.conv || this.conv.messages[index]?.role !== "user") return;
    this.conv.messages.splice(index);
    if (index === 0) this.conv.title = titleFor(text);
    this.conv.messages.push({ role: "user", content: text });
    this.respond();
  }

  /** Stops the answer of `conv` (the request is aborted; the server sees it). */
  stop(conv = this.conv) {
    this.streams.get(conv)?.abort();
  }

  /** Stops every answer in flight. */
  stopAll() {
    for (const controller of this.streams.values()) controller.abort();
  }

  async respond() {
    const conv = this.conv;
    const env = this.opts.env;
    const info = env.modelInfo(conv.model);
    const record = newAnswer(conv.model);
    record.stats = pendingStats();
    const controller = new AbortController();
    this.streams.set(conv, controller);
    const request = buildRequest(conv, info);
    conv.messages.push(record);
    conv.updatedAt = Date.now();
    this.render();
    this.pinned = true;
    this.scrollToEnd(true);
    this.opts.onBusy?.(true, conv);
    this.opts.onChange?.(conv, { final: false });
    this.opts.announce?.("Answer started");

    let client;
    try {
      client = env.client();
    } catch (err) {
      client = {
        stream: () => {
          throw err;
        },
      };
    }
    const { mode, baseUrl, apiKey } = env.connection();
    await streamInto(record, {
      client,
      request,
      signal: controller.signal,
      where: { mode, baseUrl, credential: !!apiKey, free: !!info?.free },
      onUpdate: () => this.refresh(record),
    });
    this.streams.delete(conv);
    conv.updatedAt = Date.now();
    this.refresh(record);
    this.opts.onBusy?.(false, conv);
    this.opts.onChange?.(conv, { final: true });
    if (this.conv === conv) this.opts.announce?.(record.error ? `Error: ${record.error.title}` : record.stopped ? "Answer stopped" : "Answer complete");
  }

  /** Re-renders the answer `record` if it is on screen. */
  refresh(record) {
    const view = this.views.find((v) => v?.record === record);
    if (!view) return;
    view.update();
    // Called once per animation frame while an answer streams: scroll now,
    // in this frame, instead of asking for another one.
    if (this.pinned) this.opts.scroller.scrollTop = this.opts.scroller.scrollHeight;
  }

  scrollToEnd(force = false) {
    if (!force && !this.pinned) return;
    const s = this.opts.scroller;
    requestAnimationFrame(() => (s.scrollTop = s.scrollHeight));
  }
}

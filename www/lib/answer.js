// One assistant answer: streams events from the wasm client into a plain
// record (what is stored), and renders that record — reasoning, tool calls as
// they form, sanitized Markdown, live numbers, errors. The same code renders
// stored answers, chat, compare columns and <zen-chat>.

import { h, icon } from "./dom.js";
import { renderMarkdown } from "./markdown.js";
import { describeError, isAbort, Action } from "./errors.js";
import { fmtInt, fmtMs, fmtUsd } from "./format.js";
import { estimate } from "./zen.js";

/** A fresh assistant record for `model`. */
export function newAnswer(model) {
  return {
    role: "assistant",
    model,
    content: "",
    reasoning: "",
    refusal: "",
    toolCalls: [],
    stopped: false,
    finish: "",
    stats: null,
    error: null,
  };
}

/** Live-numbers record of an answer about to stream (so it shows as busy at once). */
export function pendingStats() {
  return { ttftMs: undefined, durationMs: undefined, tokensPerSec: undefined, usage: emptyUsage(), estimate: null, estimateComplete: false, billed: null, live: true, approx: true };
}

const emptyUsage = () => ({ inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null });

/**
 * Streams `request` into `record`, calling `onUpdate()` after every batch of
 * events. Resolves when the answer ended — normally, stopped (`signal`
 * aborted → record.stopped) or failed (record.error) — never rejects.
 */
export async function streamInto(record, { client, request, signal, onUpdate, isFree = false }) {
  const started = performance.now();
  let firstAt = null;
  let lastAt = null;
  let deltas = 0;
  const stats = pendingStats();
  record.stats = stats;
  const first = () => {
    if (firstAt == null) {
      firstAt = performance.now();
      stats.ttftMs = firstAt - started;
    }
  };
  const tool = (index) => {
    let t = record.toolCalls.find((c) => c.index === index);
    if (!t) {
      t = { index, id: "", name: "", raw: "", done: false, invalid: "" };
      record.toolCalls.push(t);
    }
    return t;
  };
  const refreshSpeed = () => {
    const out = stats.usage.outputTokens;
    stats.approx = !Number.isFinite(out);
    const tokens = Number.isFinite(out) ? out : deltas;
    const seconds = firstAt != null && lastAt != null ? (lastAt - firstAt) / 1000 : 0;
    stats.tokensPerSec = seconds > 0.05 && tokens > 1 ? tokens / seconds : undefined;
  };

  try {
    const stream = client.stream(request, { signal });
    for await (const ev of stream) {
      lastAt = performance.now();
      if (typeof ev.choice === "number" && ev.choice !== 0) continue; // one choice is ever requested
      switch (ev.type) {
        case "textDelta":
          first();
          deltas++;
          record.content += ev.text;
          break;
        case "reasoningDelta":
          first();
          deltas++;
          record.reasoning += ev.text;
          break;
        case "refusalDelta":
          first();
          record.refusal += ev.text;
          break;
        case "toolCallStart": {
          first();
          const t = tool(ev.index);
          t.id = ev.id;
          t.name = ev.name;
          break;
        }
        case "toolCallDelta":
          deltas++;
          tool(ev.index).raw += ev.argumentsDelta;
          break;
        case "toolCall": {
          const t = tool(ev.index);
          t.id = ev.id;
          t.name = ev.name;
          t.raw = JSON.stringify(ev.arguments, null, 2) ?? "";
          t.done = true;
          break;
        }
        case "toolCallInvalid": {
          const t = tool(ev.index);
          t.id = ev.id;
          t.name = ev.name;
          t.raw = ev.rawArguments;
          t.invalid = ev.reason || "invalid arguments";
          t.done = true;
          break;
        }
        case "usage":
          for (const k of Object.keys(stats.usage)) if (Number.isFinite(ev[k])) stats.usage[k] = ev[k];
          break;
        case "cost":
          stats.billed = ev.usd;
          break;
        case "finish":
          record.finish = ev.reason;
          break;
        case "error":
          record.error = { ...describeError(ev), at: Date.now() };
          break;
        default:
          break;
      }
      refreshSpeed();
      onUpdate?.();
    }
  } catch (err) {
    if (isAbort(err, signal)) record.stopped = true;
    else record.error = { ...describeError(err), at: Date.now() };
  } finally {
    stats.live = false;
    stats.durationMs = performance.now() - started;
    refreshSpeed();
    const anyUsage = Object.values(stats.usage).some((v) => v != null);
    const e = anyUsage ? estimate(record.model, stats.usage) : null;
    if (e) {
      stats.estimate = e.total;
      // Unreported cache counts mean "no cache use"; only missing input or
      // output counts (or prices) make the estimate a lower bound.
      stats.estimateComplete = !e.missing.some((m) => /^(input|output)/.test(m));
    } else if (isFree && anyUsage) {
      stats.estimate = "0";
      stats.estimateComplete = true;
    }
    for (const t of record.toolCalls) t.done = true;
    onUpdate?.();
  }
}

/** Renders one assistant record; call `update()` as the record changes. */
export class AnswerView {
  /**
   * @param record  the assistant record
   * @param opts    `{modelLabel(id), onAction(action, view), isLast(): bool}`
   */
  constructor(record, opts) {
    this.record = record;
    this.opts = opts;
    this.renderedContent = null;
    this.reasoningToggled = false;
    this.frame = 0;
    this.countdown = 0;

    this.status = h("span", { class: "msg-status" });
    this.reasoningMeta = h("span", { class: "reasoning-meta" });
    this.reasoningText = h("div", { class: "reasoning-text" });
    this.reasoning = h(
      "details",
      { class: "reasoning", hidden: true },
      h("summary", {}, icon("chevron", 14), h("span", {}, "Reasoning"), this.reasoningMeta),
      this.reasoningText,
    );
    this.reasoning.addEventListener("toggle", () => {
      if (this.programmaticToggle) this.programmaticToggle = false;
      else this.reasoningToggled = true;
    });
    this.tools = h("div", { class: "tool-calls" });
    this.body = h("div", { class: "md answer-body" });
    this.refusal = h("p", { class: "refusal", hidden: true });
    this.errorSlot = h("div", { class: "error-slot" });
    this.stats = h("dl", { class: "stats", "aria-label": "Numbers for this answer" });
    this.actions = h("div", { class: "msg-actions" });
    this.el = h(
      "article",
      { class: "msg msg-assistant", "aria-label": "Answer" },
      h("div", { class: "msg-head" }, h("span", { class: "model-tag" }, opts.modelLabel(record.model)), this.status),
      this.reasoning,
      this.tools,
      this.body,
      this.refusal,
      this.errorSlot,
      this.stats,
      this.actions,
    );
    this.update();
  }

  /** Re-renders on the next animation frame (many events, one paint). */
  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.update();
    });
  }

  /** Re-renders now. */
  update() {
    const r = this.record;
    const streaming = !!r.stats?.live;
    this.el.classList.toggle("is-streaming", streaming);
    this.el.setAttribute("aria-busy", streaming ? "true" : "false");
    this.status.textContent = streaming ? (r.content || r.reasoning ? "Writing…" : "Waiting for the first token…") : r.stopped ? "Stopped" : "";
    this.status.dataset.state = streaming ? "streaming" : r.stopped ? "stopped" : "";

    // Reasoning: open while the model thinks, folded once the answer starts
    // (unless the person opened or closed it themselves).
    if (r.reasoning) {
      this.reasoning.hidden = false;
      this.reasoningText.textContent = r.reasoning;
      const words = r.reasoning.trim().split(/\s+/).length;
      this.reasoningMeta.textContent = streaming && !r.content ? "thinking…" : `${fmtInt(words)} words`;
      if (!this.reasoningToggled) {
        const open = streaming && !r.content;
        if (this.reasoning.open !== open) {
          this.programmaticToggle = true;
          this.reasoning.open = open;
        }
      }
    }

    this.renderTools();

    if (this.renderedContent !== r.content) {
      this.renderedContent = r.content;
      this.body.replaceChildren(renderMarkdown(r.content));
    }
    this.body.hidden = !r.content && !streaming;

    this.refusal.hidden = !r.refusal;
    this.refusal.textContent = r.refusal ? `Refused: ${r.refusal}` : "";

    this.renderError();
    this.renderStats();
    this.renderActions(streaming);
  }

  renderTools() {
    const calls = this.record.toolCalls;
    const key = JSON.stringify(calls);
    if (key === this.toolsKey) return;
    this.toolsKey = key;
    this.tools.replaceChildren(
      ...calls.map((t) =>
        h(
          "div",
          { class: `tool-call${t.invalid ? " is-invalid" : ""}${t.done ? "" : " is-forming"}` },
          h(
            "div",
            { class: "tool-call-head" },
            icon("tool", 14),
            h("span", {}, "Tool call "),
            h("code", {}, t.name || "…"),
            h("span", { class: "tool-call-state" }, t.invalid ? `not valid: ${t.invalid}` : t.done ? "ready — the playground does not run tools" : "forming…"),
          ),
          h("pre", { class: "tool-call-args" }, t.raw || " "),
        ),
      ),
    );
  }

  renderError() {
    const e = this.record.error;
    const key = e ? `${e.kind}|${e.at}` : "";
    if (key === this.errorKey) return;
    this.errorKey = key;
    clearInterval(this.countdown);
    if (!e) {
      this.errorSlot.replaceChildren();
      return;
    }
    const buttons = [];
    let retry = null;
    for (const action of e.actions ?? []) {
      if (action === Action.Retry) {
        retry = h("button", { type: "button", class: "btn btn-sm", onclick: () => this.opts.onAction(Action.Retry, this) }, "Retry");
        buttons.push(retry);
      } else if (action === Action.Settings) {
        buttons.push(h("button", { type: "button", class: "btn btn-sm btn-quiet", onclick: () => this.opts.onAction(Action.Settings, this) }, "Open settings"));
      } else if (action === Action.PickModel) {
        buttons.push(h("button", { type: "button", class: "btn btn-sm btn-quiet", onclick: () => this.opts.onAction(Action.PickModel, this) }, "Choose another model"));
      }
    }
    const countdown = h("p", { class: "error-countdown", hidden: true });
    const card = h(
      "div",
      { class: "error-card", role: "alert", dataset: { kind: e.kind } },
      h("div", { class: "error-title" }, icon("alert", 16), h("strong", {}, e.title)),
      e.body ? h("p", { class: "error-body" }, e.body) : null,
      e.detail ? h("p", { class: "error-detail" }, `Gateway said: ${e.detail}`) : null,
      countdown,
      buttons.length ? h("div", { class: "error-actions" }, buttons) : null,
    );
    this.errorSlot.replaceChildren(card);

    // A live countdown only for an error that just happened (not a stored one).
    if (e.retryAfter && e.at && retry) {
      const until = e.at + e.retryAfter * 1000;
      card.dataset.retryAfter = String(e.retryAfter);
      card.dataset.retrySource = e.retryAfterKnown ? "server" : "default";
      const tick = () => {
        const left = Math.ceil((until - Date.now()) / 1000);
        if (left > 0 && this.el.isConnected !== false) {
          countdown.hidden = false;
          countdown.textContent = `You can retry in ${left} s`;
          countdown.dataset.seconds = String(left);
          retry.disabled = true;
          retry.textContent = `Retry in ${left} s`;
        } else {
          clearInterval(this.countdown);
          countdown.textContent = "You can retry now.";
          countdown.dataset.seconds = "0";
          retry.disabled = false;
          retry.textContent = "Retry now";
        }
      };
      tick();
      this.countdown = setInterval(tick, 250);
    }
  }

  renderStats() {
    const s = this.record.stats;
    // An answer that failed before any output has no numbers worth showing.
    if (!s || (this.record.error && s.ttftMs == null && !s.live)) {
      this.stats.hidden = true;
      return;
    }
    this.stats.hidden = false;
    const u = s.usage ?? {};
    const items = [];
    const add = (label, value, title) => items.push(h("div", { class: "stat", title }, h("dt", {}, label), h("dd", {}, value)));
    add("First token", s.ttftMs != null ? fmtMs(s.ttftMs) : s.live ? "…" : "—", "Time from sending to the first token");
    if (s.tokensPerSec != null) add("Speed", `${s.approx ? "≈" : ""}${s.tokensPerSec.toFixed(s.tokensPerSec < 10 ? 1 : 0)} tok/s`, "Output tokens per second after the first token");
    if (u.inputTokens != null) add("Input", fmtInt(u.inputTokens), "Uncached input tokens");
    if (u.outputTokens != null) add("Output", fmtInt(u.outputTokens), "Output tokens (reasoning included)");
    if (u.reasoningTokens) add("Reasoning", fmtInt(u.reasoningTokens), "Output tokens spent on reasoning");
    if (u.cacheReadTokens || u.cacheWriteTokens) add("Cache", `${fmtInt(u.cacheReadTokens ?? 0)} read · ${fmtInt(u.cacheWriteTokens ?? 0)} write`, "Prompt-cache tokens");
    if (!s.live && s.estimate != null) {
      const free = this.opts.isFree?.(this.record.model) && Number(s.estimate) === 0;
      add("Est. cost", free ? "free" : `${s.estimateComplete ? "" : "≥ "}${fmtUsd(s.estimate)}`, "Estimated from the catalog's prices");
    }
    if (s.billed != null) add("Billed", fmtUsd(s.billed), "What Zen reported it charged");
    if (!s.live && s.durationMs != null) add("Total", fmtMs(s.durationMs), "Whole request, start to end");
    this.stats.replaceChildren(...items);
  }

  renderActions(streaming) {
    const r = this.record;
    const buttons = [];
    if (!streaming && r.content) {
      buttons.push(
        h("button", { type: "button", class: "btn-ghost btn-xs", "aria-label": "Copy answer", onclick: (e) => this.opts.onAction("copy", this, e.currentTarget) }, icon("copy", 14), h("span", { class: "btn-label" }, "Copy")),
      );
    }
    // After an error with a Retry button, that button is the way to ask again.
    const hasRetry = r.error?.actions?.includes(Action.Retry);
    if (!streaming && this.opts.isLast() && !hasRetry) {
      buttons.push(
        h("button", { type: "button", class: "btn-ghost btn-xs", "aria-label": "Regenerate answer", dataset: { action: "regenerate" }, onclick: () => this.opts.onAction("regenerate", this) }, icon("refresh", 14), h("span", { class: "btn-label" }, "Regenerate")),
      );
    }
    this.actions.replaceChildren(...buttons);
  }

  /** Stops timers (the view is being removed). */
  dispose() {
    clearInterval(this.countdown);
    if (this.frame) cancelAnimationFrame(this.frame);
  }
}

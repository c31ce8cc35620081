// One assistant answer: streams it from the wasm client into a plain record
// (what is stored), and renders that record — reasoning, tool calls as they
// form, sanitized Markdown, live numbers, waits, errors. The same code
// renders stored answers, chat, compare columns and <zen-chat>.
//
// What the answer says — text, reasoning, refusal, tool calls (finished and
// still forming), usage, cost, finish reason, a stream error — comes from the
// package's own accumulator (`stream.message()`), read at each render and at
// the end. From the events themselves the page takes only what that message
// does not hold: when the first token came (and how many deltas since, for
// the speed).

import { h, icon } from "./dom.js";
import { MarkdownView } from "./markdown.js";
import { describeError, isAbort, Action, autoRetryDelay, waitTitle, fetchFailureCause } from "./errors.js";
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

/**
 * Live-numbers record of an answer about to stream (so it shows as busy at
 * once). `live` exists only while it streams: when it started, the tool
 * calls still forming (as the message last read had them), and the
 * automatic retry being waited for.
 */
export function pendingStats() {
  return {
    ttftMs: undefined,
    durationMs: undefined,
    tokensPerSec: undefined,
    usage: emptyUsage(),
    estimate: null,
    estimateComplete: false,
    billed: null,
    approx: true,
    partial: false,
    inputEstimated: false,
    live: { startedAt: Date.now(), forming: [], wait: null },
  };
}

const emptyUsage = () => ({ inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null });

/** Rough token count of text the server never counted for us (≈ 4 characters a token). */
const approxTokens = (chars) => Math.ceil(chars / 4);

/** The stored form of a finished tool call from `message().choices[].toolCalls`. */
function toolCallRecord(t) {
  return {
    index: t.index,
    id: t.id,
    name: t.name,
    raw: t.invalid ? t.invalid.rawArguments : (JSON.stringify(t.arguments, null, 2) ?? ""),
    invalid: t.invalid ? t.invalid.reason || "invalid arguments" : "",
  };
}

/**
 * Copies what the package accumulated into `record`. Calls still forming are
 * shown as such while the answer streams (`live`); once it `ended`, one still
 * forming was cut off, and is kept as what arrived, marked so nobody takes it
 * for a call to run.
 */
function takeMessage(record, m, where, ended = false) {
  const c = m.choices.find((x) => x.index === 0) ?? { text: "", reasoning: "", toolCalls: [], finishReason: null };
  record.content = c.text;
  record.reasoning = c.reasoning;
  record.refusal = c.refusal ?? "";
  record.toolCalls = c.toolCalls.map(toolCallRecord);
  const forming = (c.formingToolCalls ?? []).map((t) => ({ index: t.index, id: t.id, name: t.name, raw: t.rawArguments }));
  if (ended) record.toolCalls.push(...forming.map((t) => ({ ...t, invalid: "cut off before its arguments were complete" })));
  else if (record.stats.live) record.stats.live.forming = forming.map((t) => ({ ...t, forming: true }));
  record.finish = c.finishReason ?? "";
  record.stats.usage = { ...emptyUsage(), ...m.usage };
  record.stats.billed = m.cost;
  if (m.error && !record.error) record.error = { ...describeError({ ...m.error, type: "error" }, where), at: Date.now() };
}

const sleep = (ms, signal) =>
  new Promise((done) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), done()), { once: true });
  });

/** Fewest milliseconds between two renders of a streaming answer. */
const MIN_RENDER_INTERVAL_MS = 50;
/** Most of the main thread that rendering a streaming answer may take. */
const RENDER_SHARE = 0.1;

/**
 * Paces the renders of a streaming answer: each on an animation frame, at
 * most one per MIN_RENDER_INTERVAL_MS (text that grows 20 times a second
 * reads as smoothly as at 60), and far enough apart that rendering — the
 * page's own work and the browser's style, layout and paint after it, which
 * grow with a very long answer — takes at most RENDER_SHARE of the main thread.
 */
class RenderPacer {
  constructor(render) {
    this.render = render;
    this.frame = 0;
    this.timer = 0;
    this.next = 0; // no render before this time
  }

  /** Asks for a render soon. */
  request() {
    if (this.frame || this.timer) return;
    const onFrame = () => (this.frame = requestAnimationFrame(() => this.now()));
    const wait = this.next - performance.now();
    if (wait > 0) this.timer = setTimeout(onFrame, wait);
    else onFrame();
  }

  /** Renders now, and measures what that cost. */
  now() {
    this.cancel();
    const began = performance.now();
    this.render();
    // A task queued now runs after this frame's style, layout and paint.
    setTimeout(() => {
      const cost = performance.now() - began;
      this.next = began + Math.max(MIN_RENDER_INTERVAL_MS, cost / RENDER_SHARE);
    });
  }

  cancel() {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.frame = this.timer = 0;
  }
}

/**
 * Streams `request` into `record`, calling `onUpdate()` while events arrive
 * (paced by a RenderPacer), at every wait, and at the end.
 * Resolves when the answer ended — normally, stopped (`signal` aborted →
 * record.stopped) or failed (record.error) — never rejects.
 *
 * The client is made not to retry by itself (`maxRetries: 0`): a retryable
 * failure before any output is retried here, after a wait that the answer
 * shows with its countdown and a Stop button (see `autoRetryDelay`).
 *
 * @param opts.where  where the request goes (see errors.js), for the words of errors
 */
export async function streamInto(record, { client, request, signal, onUpdate, where = {} }) {
  const started = performance.now();
  const stats = record.stats ?? pendingStats();
  record.stats = stats;
  const live = stats.live;
  let firstAt = null;
  let lastAt = null;
  let deltas = 0;
  let stream = null;
  const renders = new RenderPacer(() => {
    if (stream) takeMessage(record, stream.message(), where);
    refreshSpeed();
    onUpdate?.();
  });
  const refreshSpeed = () => {
    const out = stats.usage.outputTokens;
    stats.approx = !Number.isFinite(out);
    const tokens = Number.isFinite(out) ? out : deltas;
    const seconds = firstAt != null && lastAt != null ? (lastAt - firstAt) / 1000 : 0;
    stats.tokensPerSec = seconds > 0.05 && tokens > 1 ? tokens / seconds : undefined;
  };
  const output = (counted = true) => {
    if (firstAt == null) {
      firstAt = performance.now();
      stats.ttftMs = firstAt - started;
    }
    if (counted) deltas++;
  };

  try {
    for (let retries = 0; ; retries++) {
      try {
        stream = client.stream(request, { signal });
        for await (const ev of stream) {
          lastAt = performance.now();
          if (typeof ev.choice === "number" && ev.choice !== 0) continue; // one choice is ever requested
          switch (ev.type) {
            case "textDelta":
            case "reasoningDelta":
              output();
              break;
            case "refusalDelta":
              output(false);
              break;
            case "toolCallStart":
              output(false);
              break;
            case "toolCallDelta":
              output();
              break;
            case "error":
              // A retryable error before any output (an overloaded provider
              // opening its stream with it) is retried like an HTTP error.
              if (firstAt == null && ev.retryable) throw ev;
              break;
            default:
              break;
          }
          renders.request();
        }
        break;
      } catch (err) {
        const delay = firstAt == null && !signal?.aborted ? autoRetryDelay(err, retries) : null;
        if (delay == null) throw err;
        live.wait = { title: waitTitle(err, where), until: Date.now() + delay };
        stream = null;
        renders.now();
        await sleep(delay, signal);
        live.wait = null;
        if (signal?.aborted) throw err;
      }
    }
  } catch (err) {
    if (isAbort(err, signal)) record.stopped = true;
    else {
      const cause = err?.kind === "network" ? (firstAt != null ? "dropped" : await fetchFailureCause(where.baseUrl)) : undefined;
      record.error = { ...describeError(err, { ...where, cause }), at: Date.now() };
    }
  } finally {
    renders.cancel();
    if (stream) takeMessage(record, stream.message(), where, true);
    delete stats.live;
    stats.durationMs = performance.now() - started;
    refreshSpeed();
    finishEstimate(record, request, deltas, where);
    onUpdate?.();
  }
}

/**
 * The cost estimate once the answer ended. A stopped or broken answer has no
 * final usage from the server: its output is estimated from what arrived
 * (its input too, unless the server reported it when the stream began), and
 * its numbers are marked partial.
 */
function finishEstimate(record, request, deltas, where) {
  const stats = record.stats;
  const u = stats.usage;
  const arrived = record.content.length + record.reasoning.length + record.toolCalls.reduce((n, t) => n + t.raw.length, 0);
  if ((record.stopped || record.error) && arrived > 0) {
    stats.partial = true;
    u.outputTokens = Math.max(u.outputTokens ?? 0, deltas, approxTokens(arrived));
    if (u.inputTokens == null) {
      stats.inputEstimated = true;
      u.inputTokens = approxTokens(JSON.stringify(request.messages ?? []).length + (request.system?.length ?? 0));
    }
  }
  if (!Object.values(u).some((v) => v != null)) return;
  const e = estimate(record.model, u);
  if (e) {
    stats.estimate = e.total;
    // Unreported cache counts mean "no cache use"; only missing input or
    // output counts (or prices) make the estimate a lower bound.
    stats.estimateComplete = !stats.partial && !e.missing.some((m) => /^(input|output)/.test(m));
  } else if (where.free) {
    stats.estimate = "0";
    stats.estimateComplete = !stats.partial;
  }
}

/** A silent wait for the first token longer than this shows its seconds. */
const SHOW_WAITING_AFTER_MS = 2000;

/** Renders one assistant record; call `update()` as the record changes. */
export class AnswerView {
  /**
   * @param record  the assistant record
   * @param opts    `{modelLabel(id), onAction(action, view), isLast(): bool, isFree(id): bool}`;
   *                actions: "retry", "settings", "pickModel", "copy", "regenerate", "stop"
   */
  constructor(record, opts) {
    this.record = record;
    this.opts = opts;
    this.reasoningToggled = false;
    this.ticker = 0;

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
    this.markdown = new MarkdownView(this.body);
    this.refusal = h("p", { class: "refusal", hidden: true });
    // The countdown's seconds change as text data, not as new nodes, so the
    // conversation's live region announces the wait once, not every second.
    this.waitText = document.createTextNode("");
    this.waitSeconds = document.createTextNode("");
    this.waitNotice = h(
      "div",
      { class: "wait-notice", hidden: true },
      icon("clock", 16),
      h("span", { class: "wait-text" }, this.waitText, " — retrying in ", this.waitSeconds),
      h("button", { type: "button", class: "btn btn-sm", onclick: () => this.opts.onAction("stop", this) }, "Stop"),
    );
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
      this.waitNotice,
      this.errorSlot,
      this.stats,
      this.actions,
    );
    this.update();
  }

  /** Re-renders now. */
  update() {
    const r = this.record;
    const live = r.stats?.live;
    const streaming = !!live;
    this.el.classList.toggle("is-streaming", streaming);
    this.el.setAttribute("aria-busy", streaming ? "true" : "false");
    this.renderStatus();

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
    this.markdown.update(r.content);
    this.body.hidden = !r.content && !streaming;

    this.refusal.hidden = !r.refusal;
    this.refusal.textContent = r.refusal ? `Refused: ${r.refusal}` : "";

    this.renderError();
    this.renderStats();
    this.renderActions(streaming);

    // The seconds of a wait (or of a long wait for the first token) tick on.
    const ticking = streaming && (live.wait || r.stats.ttftMs == null);
    if (ticking && !this.ticker) this.ticker = setInterval(() => this.renderStatus(), 250);
    else if (!ticking && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = 0;
    }
  }

  /** The status next to the model name, and the countdown of a retry. */
  renderStatus() {
    const r = this.record;
    const live = r.stats?.live;
    const wait = live?.wait;
    this.waitNotice.hidden = !wait;
    if (wait) {
      this.waitText.data = wait.title;
      this.waitSeconds.data = `${Math.max(0, Math.ceil((wait.until - Date.now()) / 1000))} s`;
    }
    let text = "";
    if (live && r.stats.ttftMs == null) {
      const waited = Date.now() - live.startedAt;
      text = wait ? "Waiting" : waited > SHOW_WAITING_AFTER_MS ? `Waiting for the first token… ${Math.floor(waited / 1000)} s` : "Waiting for the first token…";
    } else if (live) text = "Writing…";
    else if (r.stopped) text = "Stopped";
    if (this.status.textContent !== text) this.status.textContent = text;
    this.status.dataset.state = live ? "streaming" : r.stopped ? "stopped" : "";
  }

  renderTools() {
    const calls = [...this.record.toolCalls, ...(this.record.stats?.live?.forming ?? [])];
    const key = JSON.stringify(calls);
    if (key === this.toolsKey) return;
    this.toolsKey = key;
    this.tools.replaceChildren(
      ...calls.map((t) =>
        h(
          "div",
          { class: `tool-call${t.invalid ? " is-invalid" : ""}${t.forming ? " is-forming" : ""}` },
          h(
            "div",
            { class: "tool-call-head" },
            icon("tool", 14),
            h("span", {}, "Tool call "),
            h("code", {}, t.name || "…"),
            h("span", { class: "tool-call-state" }, t.invalid ? `not valid: ${t.invalid}` : t.forming ? "forming…" : "ready — the playground does not run tools"),
          ),
          h("pre", { class: "tool-call-args" }, t.raw || " "),
        ),
      ),
    );
  }

  renderError() {
    const e = this.record.error;
    const key = e ? `${e.kind}|${e.at}|${e.title}` : "";
    if (key === this.errorKey) return;
    this.errorKey = key;
    if (!e) {
      this.errorSlot.replaceChildren();
      return;
    }
    const LABELS = { [Action.Retry]: "Retry", [Action.Settings]: "Open settings", [Action.PickModel]: "Choose another model" };
    // Every error offers Retry (also a stored one, whose actions were not kept).
    const actions = [Action.Retry, ...(e.actions ?? []).filter((a) => a !== Action.Retry && LABELS[a])];
    const buttons = actions.map((action) =>
      h("button", { type: "button", class: `btn btn-sm${action === Action.Retry ? "" : " btn-quiet"}`, onclick: () => this.opts.onAction(action, this) }, LABELS[action]),
    );
    this.errorSlot.replaceChildren(
      h(
        "div",
        { class: "error-card", role: "alert", dataset: { kind: e.kind } },
        h("div", { class: "error-title" }, icon("alert", 16), h("strong", {}, e.title)),
        e.body ? h("p", { class: "error-body" }, e.body) : null,
        e.detail ? h("p", { class: "error-detail" }, e.detailFrom ? `${e.detailFrom} said: ${e.detail}` : `Details: ${e.detail}`) : null,
        h("div", { class: "error-actions" }, buttons),
      ),
    );
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
    // The counts of a stopped answer are estimated from what arrived.
    if (u.inputTokens != null) add("Input", `${s.inputEstimated ? "≈ " : ""}${fmtInt(u.inputTokens)}`, s.inputEstimated ? "Estimated from the request's length" : "Uncached input tokens");
    if (u.outputTokens != null) add("Output", `${s.partial ? "≈ " : ""}${fmtInt(u.outputTokens)}`, s.partial ? "Estimated from the text that arrived" : "Output tokens (reasoning included)");
    if (u.reasoningTokens) add("Reasoning", fmtInt(u.reasoningTokens), "Output tokens spent on reasoning");
    if (u.cacheReadTokens || u.cacheWriteTokens) add("Cache", `${fmtInt(u.cacheReadTokens ?? 0)} read · ${fmtInt(u.cacheWriteTokens ?? 0)} write`, "Prompt-cache tokens");
    if (!s.live && s.estimate != null) {
      const free = this.opts.isFree?.(this.record.model) && Number(s.estimate) === 0;
      const bound = s.partial ? "≈ " : s.estimateComplete ? "" : "≥ ";
      add("Est. cost", free ? "free" : `${bound}${fmtUsd(s.estimate)}`, "Estimated from the catalog's prices");
    }
    if (s.billed != null) add("Billed", fmtUsd(s.billed), "What Zen reported it charged");
    if (!s.live && s.durationMs != null) add("Total", fmtMs(s.durationMs), "Whole request, start to end");
    if (s.partial) add("Partial", this.record.stopped ? "stopped early" : "ended early", "The server never reported this answer's usage: the counts and cost are estimated from what arrived");
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
    // After an error, its card's Retry is the way to ask again.
    if (!streaming && this.opts.isLast() && !r.error) {
      buttons.push(
        h("button", { type: "button", class: "btn-ghost btn-xs", "aria-label": "Regenerate answer", dataset: { action: "regenerate" }, onclick: () => this.opts.onAction("regenerate", this) }, icon("refresh", 14), h("span", { class: "btn-label" }, "Regenerate")),
      );
    }
    this.actions.replaceChildren(...buttons);
  }

  /** Stops timers (the view is being removed). */
  dispose() {
    clearInterval(this.ticker);
    this.ticker = 0;
  }
}

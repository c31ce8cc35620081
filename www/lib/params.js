// Per-conversation settings: system prompt, and the sampling / reasoning
// controls the current model accepts (from ModelInfo.capabilities) — the
// others are not shown, and the panel says which ones are not available.

import { h } from "./dom.js";
import { fmtInt } from "./format.js";

export class ParamsPanel {
  /** @param onChange (conv) after an edit */
  constructor(onChange) {
    this.onChange = onChange;
    this.el = h("section", { class: "params", id: "params-panel", "aria-label": "Chat settings", hidden: true });
  }

  /** Renders the controls for `conv` on model `info`. */
  bind(conv, info) {
    this.conv = conv;
    const caps = info?.capabilities ?? {};
    const p = conv.params ?? (conv.params = {});
    const changed = () => this.onChange(conv);

    const system = h("textarea", { id: "param-system", class: "input", rows: 3, placeholder: "e.g. You are a concise assistant. Answer in British English." });
    system.value = conv.system ?? "";
    system.addEventListener("input", () => {
      conv.system = system.value;
      changed();
    });
    const fields = [h("div", { class: "field field-wide" }, h("label", { for: "param-system" }, "System prompt"), system)];

    if (caps.temperature) {
      const out = h("output", { for: "param-temperature", class: "param-value" });
      const range = h("input", { type: "range", id: "param-temperature", min: 0, max: 2, step: 0.1 });
      const reset = h("button", { type: "button", class: "btn-ghost btn-xs" }, "Default");
      const show = () => {
        const set = Number.isFinite(p.temperature);
        range.value = String(set ? p.temperature : 1);
        out.textContent = set ? p.temperature.toFixed(1) : "default";
        range.classList.toggle("is-default", !set);
        reset.hidden = !set;
      };
      range.addEventListener("input", () => {
        p.temperature = Number(range.value);
        show();
        changed();
      });
      reset.addEventListener("click", () => {
        p.temperature = undefined;
        show();
        changed();
      });
      show();
      fields.push(h("div", { class: "field" }, h("div", { class: "field-label-row" }, h("label", { for: "param-temperature" }, "Temperature"), out, reset), range));
    }

    // The limit goes below the field, not in its placeholder: a narrow
    // field (phone width) would cut it off.
    const maxLimit = info?.limits?.output || undefined;
    const maxTokens = h("input", { type: "number", id: "param-max-tokens", class: "input", min: 1, max: maxLimit, step: 1, inputmode: "numeric", placeholder: "Model default", "aria-describedby": maxLimit ? "param-max-tokens-help" : null });
    if (Number.isFinite(p.maxOutputTokens)) maxTokens.value = String(p.maxOutputTokens);
    maxTokens.addEventListener("input", () => {
      const n = Number.parseInt(maxTokens.value, 10);
      p.maxOutputTokens = Number.isFinite(n) && n > 0 ? (maxLimit ? Math.min(n, maxLimit) : n) : undefined;
      changed();
    });
    fields.push(
      h(
        "div",
        { class: "field" },
        h("label", { for: "param-max-tokens" }, "Max output tokens"),
        maxTokens,
        maxLimit ? h("p", { class: "field-help", id: "param-max-tokens-help" }, `Up to ${fmtInt(maxLimit)} for this model.`) : null,
      ),
    );

    if (caps.reasoning) {
      const effort = h(
        "select",
        { id: "param-effort", class: "input" },
        h("option", { value: "" }, "Model default"),
        ["minimal", "low", "medium", "high"].map((v) => h("option", { value: v }, v[0].toUpperCase() + v.slice(1))),
      );
      effort.value = p.effort ?? "";
      effort.addEventListener("change", () => {
        p.effort = effort.value || undefined;
        changed();
      });
      fields.push(h("div", { class: "field" }, h("label", { for: "param-effort" }, "Reasoning effort"), effort));
    }

    if (caps.tools) {
      const box = h("input", { type: "checkbox", id: "param-tool" });
      box.checked = p.demoTool === true;
      box.addEventListener("change", () => {
        p.demoTool = box.checked;
        changed();
      });
      fields.push(
        h(
          "div",
          { class: "field field-check" },
          box,
          h("label", { for: "param-tool" }, "Offer a demo tool ", h("code", {}, "get_weather"), h("span", { class: "field-help" }, " — tool calls are shown as they form; nothing runs them")),
        ),
      );
    }

    const missing = [];
    if (!caps.temperature) missing.push("temperature");
    if (!caps.reasoning) missing.push("reasoning effort");
    if (!caps.tools) missing.push("tools");
    const grid = h("div", { class: "params-grid" }, fields);
    if (missing.length) this.el.replaceChildren(grid, h("p", { class: "field-help params-note" }, `${info?.name ?? conv.model} does not take: ${missing.join(", ")}.`));
    else this.el.replaceChildren(grid);
  }
}

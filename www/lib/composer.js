// The message box: Enter sends, Shift+Enter adds a line, the button turns
// into Stop while an answer streams. Esc-to-stop is wired by the owner (it
// applies to the whole view, not only the textarea).

import { h, icon } from "./dom.js";

let uid = 0;

export class Composer {
  /**
   * @param opts.placeholder  textarea placeholder
   * @param opts.onSend       (text) => boolean — true when the text was taken
   * @param opts.onStop       () => void
   * @param opts.label        accessible label of the textarea
   */
  constructor(opts) {
    this.opts = opts;
    const id = `composer-input-${++uid}`;
    this.input = h("textarea", {
      id,
      class: "composer-input",
      rows: 1,
      placeholder: opts.placeholder ?? "Message",
      autocomplete: "off",
      enterkeyhint: "send",
    });
    this.sendButton = h("button", { type: "submit", class: "btn btn-primary btn-icon composer-send", "aria-label": "Send message", title: "Send (Enter)" }, icon("send"));
    this.stopButton = h("button", { type: "button", class: "btn btn-danger btn-icon composer-stop", "aria-label": "Stop generating", title: "Stop (Esc)", hidden: true, onclick: () => opts.onStop() }, icon("stop"));
    this.hint = h("p", { class: "composer-hint", id: `${id}-hint` }, "Enter to send · Shift+Enter for a new line · Esc to stop");
    this.input.setAttribute("aria-describedby", this.hint.id);
    this.el = h(
      "form",
      { class: "composer", onsubmit: (e) => (e.preventDefault(), this.submit()) },
      h("label", { class: "sr-only", for: id }, opts.label ?? "Message"),
      h("div", { class: "composer-box" }, this.input, this.sendButton, this.stopButton),
      this.hint,
    );
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.autosize());
  }

  submit() {
    if (this.busy) return;
    const text = this.input.value;
    if (!text.trim()) return;
    if (this.opts.onSend(text) !== false) {
      this.input.value = "";
      this.autosize();
    }
  }

  /** Switches between Send and Stop. */
  setBusy(busy) {
    this.busy = busy;
    const hadFocus = this.el.contains(document.activeElement) || this.el.getRootNode().activeElement === this.stopButton;
    this.sendButton.hidden = busy;
    this.stopButton.hidden = !busy;
    if (hadFocus && !busy && this.el.getRootNode().activeElement !== this.input) this.input.focus();
  }

  setPlaceholder(text) {
    this.input.placeholder = text;
  }

  focus() {
    this.input.focus();
  }

  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 240)}px`;
  }
}

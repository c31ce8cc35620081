// Markdown rendering for model output. Model output is untrusted: raw HTML in
// it is shown as text (never parsed), images become plain links (no requests
// to third-party hosts just by reading an answer), and the generated HTML goes
// through DOMPurify before it reaches the DOM.

import { Marked } from "../vendor/marked.esm.js";
import createDOMPurify from "../vendor/purify.es.mjs";
import { h, icon } from "./dom.js";

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    // Raw HTML blocks and inline tags in the answer: shown literally.
    html({ text }) {
      return escapeHtml(text);
    },
    // Images: a link to the image instead of loading it.
    image({ href, text }) {
      if (!/^https?:\/\//i.test(href ?? "")) return escapeHtml(text || "");
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
  },
});

// A private DOMPurify instance so its hooks never affect other code on an
// embedding page.
const purify = createDOMPurify(window);
purify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});
const PURIFY_CONFIG = {
  RETURN_DOM_FRAGMENT: true,
  FORBID_TAGS: ["style", "img", "svg", "math", "form", "input", "button", "textarea", "select", "iframe", "video", "audio"],
  FORBID_ATTR: ["style", "id", "name"],
};

/**
 * Markdown text → a sanitized DocumentFragment, with every code block wrapped
 * in a frame that has a language label and a copy button (the button carries
 * `data-action="copy-code"`; the container handles the click). The whole text
 * in one pass: what `MarkdownView` must produce from the same text.
 */
export function renderMarkdown(text) {
  try {
    return fragmentOf(marked.parse(String(text ?? ""), { async: false }));
  } catch {
    return plainFragment(text);
  }
}

/**
 * Markdown that grows — a streaming answer — shown in `el` in time linear in
 * its length. Blocks that can no longer change are rendered once and kept;
 * only the open tail is lexed and rendered again on each `update(text)`. The
 * DOM equals `renderMarkdown(text)` of the same text at every step.
 *
 * What "can no longer change" means: a block followed by a blank line and
 * two more blocks. The last block may still be half a line that turns into
 * something else ("2" becomes "2. item", joining the list before it), so the
 * last two blocks stay open; and the settled part ends at a blank line,
 * because what follows a blank line lexes the same without what precedes it
 * (marked merges an indented line or a link definition into a paragraph
 * right before it). Link reference definitions are the one thing that
 * reaches back: a new one re-renders the whole text once.
 */
export class MarkdownView {
  constructor(el) {
    this.el = el;
    this.clear();
  }

  /** Empties the view. */
  clear() {
    this.text = "";
    this.settledLength = 0; // of `text`, rendered for good
    this.links = Object.create(null); // reference definitions in the settled part
    this.open = []; // the nodes of the open tail
    this.el.replaceChildren();
  }

  /** Shows `text` (usually the previous text with more at its end). */
  update(value) {
    const text = normalize(value);
    if (text === this.text) return;
    if (!text.startsWith(this.text.slice(0, this.settledLength))) this.clear();
    this.text = text;
    let tokens;
    const lexer = new marked.Lexer(marked.defaults);
    Object.assign(lexer.tokens.links, this.links);
    try {
      tokens = lexer.lex(text.slice(this.settledLength));
    } catch {
      this.clear();
      this.text = text;
      this.settledLength = text.length;
      this.el.replaceChildren(plainFragment(text));
      return;
    }
    const fresh = Object.keys(lexer.tokens.links).filter((label) => !(label in this.links));
    if (fresh.length && this.settledLength > 0) {
      this.clear();
      this.update(text);
      return;
    }
    let cut = settledCount(tokens);
    const settledDefs = new Set(tokens.slice(0, cut).flatMap((t) => (t.type === "def" ? [t.tag] : [])));
    // A definition still being written may change its links' targets.
    if (fresh.some((label) => !settledDefs.has(label))) cut = 0;
    for (const label of settledDefs) this.links[label] ??= lexer.tokens.links[label];

    for (const node of this.open) node.remove();
    if (cut > 0) {
      const settled = tokens.slice(0, cut);
      this.el.append(fragmentOf(marked.parser(settled)));
      this.settledLength += settled.reduce((n, t) => n + t.raw.length, 0);
    }
    const open = fragmentOf(marked.parser(tokens.slice(cut)));
    this.open = [...open.childNodes];
    this.el.append(open);
  }
}

/** How many leading tokens are settled: up to the last blank line followed by two blocks. */
function settledCount(tokens) {
  let blocks = 0;
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (tokens[i].type !== "space") blocks++;
    else if (blocks >= 2) return i + 1;
  }
  return 0;
}

/** marked reads CR LF and CR as LF; so do the offsets here. */
function normalize(text) {
  const s = String(text ?? "");
  return s.includes("\r") ? s.replace(/\r\n?/g, "\n") : s;
}

function fragmentOf(html) {
  const frag = purify.sanitize(html, PURIFY_CONFIG);
  for (const pre of frag.querySelectorAll("pre")) decorateCodeBlock(pre);
  return frag;
}

/** A parser bug must not lose the answer: plain text instead. */
function plainFragment(text) {
  const frag = document.createDocumentFragment();
  frag.append(h("p", { class: "plain" }, String(text ?? "")));
  return frag;
}

function decorateCodeBlock(pre) {
  const code = pre.querySelector("code");
  const lang = /(?:^|\s)language-([\w+#.-]{1,32})/.exec(code?.className ?? "")?.[1] ?? "";
  const frame = h("div", { class: "codeblock" });
  const bar = h(
    "div",
    { class: "codeblock-bar" },
    h("span", { class: "codeblock-lang" }, lang || "text"),
    h(
      "button",
      { type: "button", class: "btn-ghost btn-xs", dataset: { action: "copy-code" }, "aria-label": "Copy code" },
      icon("copy", 14),
      h("span", { class: "btn-label" }, "Copy"),
    ),
  );
  pre.replaceWith(frame);
  frame.append(bar, pre);
}

/** Handles clicks on code-block copy buttons inside `container`. */
export function enableCodeCopy(container, copy) {
  container.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-action="copy-code"]') : null;
    if (!button) return;
    const code = button.closest(".codeblock")?.querySelector("pre")?.textContent ?? "";
    const ok = await copy(code);
    const label = button.querySelector(".btn-label");
    if (label) {
      label.textContent = ok ? "Copied" : "Copy failed";
      setTimeout(() => (label.textContent = "Copy"), 1500);
    }
  });
}

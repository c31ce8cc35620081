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
 * `data-action="copy-code"`; the container handles the click).
 */
export function renderMarkdown(text) {
  let html;
  try {
    html = marked.parse(String(text ?? ""), { async: false });
  } catch {
    // A parser bug must not lose the answer: fall back to plain text.
    const frag = document.createDocumentFragment();
    frag.append(h("p", { class: "plain" }, String(text ?? "")));
    return frag;
  }
  const frag = purify.sanitize(html, PURIFY_CONFIG);
  for (const pre of frag.querySelectorAll("pre")) decorateCodeBlock(pre);
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

// Everything the playground keeps lives in this browser's localStorage:
// settings, conversations, and — separately, never exported — secrets.

import { Action } from "./errors.js";

const SETTINGS_KEY = "zenwire.playground.settings.v1";
const CONVERSATIONS_KEY = "zenwire.playground.conversations.v1";
const ZEN_KEY_KEY = "zenwire.playground.zenKey";
const RELAY_TOKEN_KEY = "zenwire.playground.relayToken";

/** Export file marker, checked on import. */
export const EXPORT_FORMAT = "zenwire-playground-conversations";

const DEFAULT_SETTINGS = {
  connection: "relay", // "relay" | "key"
  relayUrl: "", // "" = same origin /zen/v1
  theme: "system", // "system" | "light" | "dark"
  model: "big-pickle",
  compareModels: ["big-pickle", "grok-code", "gpt-5-nano"],
  activeConversation: null,
};

function read(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw == null ? null : JSON.parse(raw);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    // Quota exceeded or storage disabled (private mode): the session still works.
    return false;
  }
}

/** Settings with defaults for anything missing or malformed. */
export function loadSettings() {
  const s = read(SETTINGS_KEY);
  const out = { ...DEFAULT_SETTINGS };
  if (s && typeof s === "object") {
    if (s.connection === "relay" || s.connection === "key") out.connection = s.connection;
    if (typeof s.relayUrl === "string") out.relayUrl = s.relayUrl;
    if (["system", "light", "dark"].includes(s.theme)) out.theme = s.theme;
    if (typeof s.model === "string" && s.model) out.model = s.model;
    if (Array.isArray(s.compareModels)) {
      const ids = s.compareModels.filter((m) => typeof m === "string" && m).slice(0, 4);
      if (ids.length >= 2) out.compareModels = ids;
    }
    if (typeof s.activeConversation === "string") out.activeConversation = s.activeConversation;
  }
  return out;
}

/** Saves settings; returns false when storage refused. */
export function saveSettings(settings) {
  return write(SETTINGS_KEY, settings);
}

/** The person's own Zen key ("" when none). */
export function loadZenKey() {
  return localStorage.getItem(ZEN_KEY_KEY) ?? "";
}

/** Stores (or, with "", forgets) the person's own Zen key. */
export function saveZenKey(key) {
  if (key) localStorage.setItem(ZEN_KEY_KEY, key);
  else localStorage.removeItem(ZEN_KEY_KEY);
}

/** The relay token ("" when none). */
export function loadRelayToken() {
  return localStorage.getItem(RELAY_TOKEN_KEY) ?? "";
}

/** Stores (or, with "", forgets) the relay token. */
export function saveRelayToken(token) {
  if (token) localStorage.setItem(RELAY_TOKEN_KEY, token);
  else localStorage.removeItem(RELAY_TOKEN_KEY);
}

/** A new random id. */
export function newId() {
  return crypto.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** A fresh conversation. */
export function newConversation(model, params = {}) {
  const now = Date.now();
  return { id: newId(), title: "", model, system: "", params: { ...params }, messages: [], createdAt: now, updatedAt: now };
}

/** All stored conversations, newest first (malformed entries dropped). */
export function loadConversations() {
  const list = read(CONVERSATIONS_KEY);
  if (!Array.isArray(list)) return [];
  return list.map(cleanConversation).filter(Boolean).sort((a, b) => b.updatedAt - a.updatedAt);
}

/** Saves conversations; returns false when storage refused (e.g. full). */
export function saveConversations(list) {
  return write(CONVERSATIONS_KEY, list.filter((c) => c.messages.length > 0));
}

/** The export file's content. */
export function exportConversations(list) {
  return JSON.stringify(
    { format: EXPORT_FORMAT, version: 1, exportedAt: new Date().toISOString(), conversations: list.filter((c) => c.messages.length) },
    null,
    2,
  );
}

/**
 * Parses an export file. Returns the valid conversations (fields checked one
 * by one; nothing else is kept) or throws an Error with a readable message.
 */
export function parseImport(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error("This file is not JSON.");
  }
  const list = Array.isArray(doc) ? doc : doc?.format === EXPORT_FORMAT ? doc.conversations : null;
  if (!Array.isArray(list)) throw new Error("This file is not a zenwire playground export.");
  const out = list.map(cleanConversation).filter(Boolean);
  if (list.length && !out.length) throw new Error("No valid conversations in this file.");
  return out;
}

const str = (v, max = 1_000_000) => (typeof v === "string" ? v.slice(0, max) : "");
const num = (v) => (Number.isFinite(v) ? v : undefined);

function cleanConversation(c) {
  if (!c || typeof c !== "object" || !Array.isArray(c.messages)) return null;
  const messages = c.messages.map(cleanMessage).filter(Boolean);
  const now = Date.now();
  const p = c.params && typeof c.params === "object" ? c.params : {};
  return {
    id: str(c.id, 100) || newId(),
    title: str(c.title, 200),
    model: str(c.model, 200) || "big-pickle",
    system: str(c.system),
    params: {
      temperature: num(p.temperature),
      maxOutputTokens: num(p.maxOutputTokens),
      effort: ["minimal", "low", "medium", "high"].includes(p.effort) ? p.effort : undefined,
      demoTool: p.demoTool === true,
    },
    messages,
    createdAt: num(c.createdAt) ?? now,
    updatedAt: num(c.updatedAt) ?? now,
  };
}

function cleanMessage(m) {
  if (!m || typeof m !== "object") return null;
  if (m.role === "user") return { role: "user", content: str(m.content) };
  if (m.role !== "assistant") return null;
  const out = {
    role: "assistant",
    model: str(m.model, 200),
    content: str(m.content),
    reasoning: str(m.reasoning),
    refusal: str(m.refusal),
    stopped: m.stopped === true,
    finish: str(m.finish, 40),
    toolCalls: Array.isArray(m.toolCalls)
      ? m.toolCalls
          .filter((t) => t && typeof t === "object")
          .map((t) => ({ index: num(t.index) ?? 0, id: str(t.id, 200), name: str(t.name, 200), raw: str(t.raw), invalid: str(t.invalid, 500) }))
      : [],
    stats: null,
    error: null,
  };
  if (m.stats && typeof m.stats === "object") {
    const s = m.stats;
    const u = s.usage && typeof s.usage === "object" ? s.usage : {};
    const count = (v) => (Number.isFinite(v) ? v : null);
    out.stats = {
      ttftMs: num(s.ttftMs),
      durationMs: num(s.durationMs),
      tokensPerSec: num(s.tokensPerSec),
      usage: {
        inputTokens: count(u.inputTokens),
        outputTokens: count(u.outputTokens),
        cacheReadTokens: count(u.cacheReadTokens),
        cacheWriteTokens: count(u.cacheWriteTokens),
        reasoningTokens: count(u.reasoningTokens),
      },
      estimate: str(s.estimate, 40) || null,
      estimateComplete: s.estimateComplete === true,
      billed: str(s.billed, 40) || null,
      partial: s.partial === true,
      inputEstimated: s.inputEstimated === true,
    };
  }
  if (m.error && typeof m.error === "object") {
    const e = m.error;
    out.error = {
      kind: str(e.kind, 40) || "unknown",
      title: str(e.title, 200),
      body: str(e.body, 500),
      detail: str(e.detail, 300),
      detailFrom: str(e.detailFrom, 40),
      actions: Array.isArray(e.actions) ? e.actions.filter((a) => Object.values(Action).includes(a)) : [],
    };
  }
  return out;
}

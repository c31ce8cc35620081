// App-wide state: settings, stored conversations, the connection (relay or
// the person's own key), the client and the model list. Views listen for
// "models", "connection" and "conversations" events.

import * as store from "./storage.js";
import { ZEN_DIRECT_URL, fetchModels, makeClient, modelInfo as catalogInfo, sameOriginRelay, normalizeBaseUrl } from "./zen.js";

/** What `missingCredential` names. */
export const RELAY_TOKEN = "a relay token";
export const ZEN_KEY = "your Zen API key";

/** The sentence saying that `name` cannot be used without `missing`. */
export function credentialNotice(name, missing) {
  return missing === RELAY_TOKEN
    ? `${name} is a paid model: this relay needs a relay token for it, and none is set. Add one in Settings, or choose a free model.`
    : `No Zen API key is set for the “own key” connection, so nothing can be sent yet. Add your key in Settings.`;
}

export class AppState extends EventTarget {
  constructor(location) {
    super();
    this.settings = store.loadSettings();
    this.conversations = store.loadConversations();
    this.models = [];
    this.modelsNote = "";
    this.defaultRelay = sameOriginRelay(location.href);
    // `?relay=<url>` points this page load at another relay (or straight at
    // a Zen-compatible API) without changing saved settings.
    const param = new URL(location.href).searchParams.get("relay");
    this.relayOverride = param ? normalizeBaseUrl(param) : "";
    this.clientCache = null;
  }

  /** `{mode, baseUrl, apiKey, label}` the next request uses. */
  connection() {
    if (this.settings.connection === "key") {
      const key = store.loadZenKey();
      return { mode: "key", baseUrl: ZEN_DIRECT_URL, apiKey: key, label: key ? "Your Zen key" : "Your Zen key (not set)" };
    }
    const baseUrl = this.relayOverride || normalizeBaseUrl(this.settings.relayUrl) || this.defaultRelay;
    return { mode: "relay", baseUrl, apiKey: store.loadRelayToken(), label: baseUrl === this.defaultRelay ? "Relay (this site)" : `Relay ${new URL(baseUrl).host}` };
  }

  /**
   * What this connection lacks to use model `info` (a ModelInfo): "" when
   * nothing, else RELAY_TOKEN (a paid model on a relay without a token) or
   * ZEN_KEY (the own-key connection without a key).
   */
  missingCredential(info) {
    const c = this.connection();
    if (c.apiKey) return "";
    if (c.mode === "key") return ZEN_KEY;
    return info?.free ? "" : RELAY_TOKEN;
  }

  /** The client for the current connection (re-created when it changes). */
  client() {
    const c = this.connection();
    const key = `${c.baseUrl}\n${c.apiKey}`;
    if (this.clientCache?.key !== key) this.clientCache = { key, client: makeClient(c) };
    return this.clientCache.client;
  }

  /** Fetches the model list for the current connection. */
  async refreshModels() {
    const { models, live, error } = await fetchModels(this.client());
    this.models = models;
    this.modelsNote = live ? "" : `Could not load the model list from ${this.connection().baseUrl}${error?.message ? ` (${error.message.split("\n")[0]})` : ""} — showing the built-in catalog.`;
    this.dispatchEvent(new Event("models"));
  }

  /** ModelInfo for `id`: the merged list, else the catalog (or its fallback). */
  modelInfo(id) {
    return this.models.find((m) => m.id === id) ?? catalogInfo(id);
  }

  /** Display name of a model. */
  modelLabel(id) {
    const m = this.models.find((x) => x.id === id);
    return m?.name || id;
  }

  saveSettings() {
    store.saveSettings(this.settings);
  }

  /** Changes the connection settings and secrets; refreshes models. */
  setConnection({ connection, relayUrl, relayToken, zenKey }) {
    this.settings.connection = connection;
    this.settings.relayUrl = normalizeBaseUrl(relayUrl);
    store.saveRelayToken(relayToken);
    if (zenKey !== undefined) store.saveZenKey(zenKey);
    this.saveSettings();
    this.dispatchEvent(new Event("connection"));
    this.refreshModels();
  }

  /** Adds or updates `conv` in the stored list; returns false when storage is full. */
  saveConversation(conv) {
    const i = this.conversations.findIndex((c) => c.id === conv.id);
    if (i >= 0) this.conversations[i] = conv;
    else if (conv.messages.length) this.conversations.unshift(conv);
    this.conversations.sort((a, b) => b.updatedAt - a.updatedAt);
    const ok = store.saveConversations(this.conversations);
    this.dispatchEvent(new Event("conversations"));
    return ok;
  }

  deleteConversation(id) {
    this.conversations = this.conversations.filter((c) => c.id !== id);
    store.saveConversations(this.conversations);
    this.dispatchEvent(new Event("conversations"));
  }

  /** Merges imported conversations (same id: the imported one wins). */
  importConversations(list) {
    const ids = new Set(list.map((c) => c.id));
    this.conversations = [...list, ...this.conversations.filter((c) => !ids.has(c.id))].sort((a, b) => b.updatedAt - a.updatedAt);
    const ok = store.saveConversations(this.conversations);
    this.dispatchEvent(new Event("conversations"));
    return ok;
  }
}

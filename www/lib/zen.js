// The zenwire wasm package: loaded once, shared by the app and <zen-chat>.

import init, { ZenClient, models as catalogModels, model as catalogModel, estimateCost } from "../pkg/zenwire.js";

/** Zen itself, for "use my own key". */
export const ZEN_DIRECT_URL = "https://opencode.ai/zen/v1";

let ready = null;

/** Loads the wasm module (once); resolves when the package is usable. */
export function loadZen() {
  ready ??= init({ module_or_path: new URL("../pkg/zenwire_bg.wasm", import.meta.url) });
  return ready;
}

/** The relay on the origin that served `base`: `<origin>/zen/v1`. */
export function sameOriginRelay(base) {
  return new URL("/zen/v1", base).href;
}

/** Trims a base URL so endpoint paths can be appended. */
export function normalizeBaseUrl(url) {
  return String(url ?? "").trim().replace(/\/+$/, "");
}

/**
 * A client for `{baseUrl, apiKey}`. It never retries by itself: its retries
 * wait silently (a rate limit's retry-after can be a minute), so the page
 * retries instead, showing the wait with a countdown and Stop (answer.js).
 */
export function makeClient({ baseUrl, apiKey }) {
  return new ZenClient({ baseUrl: normalizeBaseUrl(baseUrl), apiKey: apiKey || undefined, maxRetries: 0 });
}

/** The built-in catalog (used when the models list cannot be fetched). */
export function builtInModels() {
  return catalogModels();
}

/** Catalog entry for `id`, or a fallback entry with `unknown: true`. */
export function modelInfo(id) {
  return catalogModel(id);
}

/** Estimated cost of `usage` on `model` (decimal USD strings), or null. */
export function estimate(model, usage) {
  try {
    return estimateCost(model, usage);
  } catch {
    return null;
  }
}

/**
 * `GET /models` merged with the catalog. Falls back to the catalog alone
 * (and says so) when the list cannot be fetched.
 */
export async function fetchModels(client) {
  try {
    return { models: await client.listModels(), live: true, error: null };
  } catch (error) {
    return { models: builtInModels(), live: false, error };
  }
}

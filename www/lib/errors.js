// Turns a failure (a ZenError from the wasm client, an in-stream error event,
// or anything unexpected) into words that fit the situation — `where` the
// request went: `{mode: "relay" | "key", baseUrl, credential: bool (a relay
// token or Zen key was sent), free: bool (the model), cause?}`, the cause
// being what `fetchFailureCause` found for a request the browser failed
// without an HTTP answer. The own-key connection talks to Zen directly, so
// its words never mention a relay. Stacks are never shown; the server's own
// message is kept as a secondary detail. Every error offers Retry, and the
// other actions that can fix it.

/** Wait before retrying a rate limit whose retry-after the browser cannot read. */
export const DEFAULT_RATE_LIMIT_WAIT_S = 5;
/** Automatic retries of one answer before any output, each shown with its countdown. */
export const MAX_AUTO_RETRIES = 3;
/** Longest wait retried automatically; a longer one ends in an error card. */
export const MAX_AUTO_WAIT_S = 60;

/** What the person can do about an error. */
export const Action = Object.freeze({ Retry: "retry", Settings: "settings", PickModel: "pickModel" });

/** Who answered (or should have): "Zen" or "the relay". */
const server = (where) => (where?.mode === "key" ? "Zen" : "the relay");
const Server = (where) => (where?.mode === "key" ? "Zen" : "The relay");
const hostOf = (url) => {
  try {
    return new URL(url).host;
  } catch {
    return String(url ?? "");
  }
};

/** A 429 from the relay's own limits, or Zen's passed on (in key mode always Zen's). */
function rateLimitSource(err, where) {
  return where?.mode !== "key" && err?.errorType !== "RateLimitError" ? "the relay" : "Zen";
}

/** "42 s", "3 min 20 s", "5 h 12 min". */
export function fmtWait(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
}

/** The words for a request the browser failed without an HTTP answer. */
function fetchFailure(cause, where) {
  const host = hostOf(where?.baseUrl);
  const origin = globalThis.location?.origin ?? "this page";
  const key = where?.mode === "key";
  switch (cause) {
    case "offline":
      return { title: "You are offline", body: "This browser has no network connection. Reconnect, then retry." };
    case "mixed":
      return {
        title: "The browser blocked a plain-HTTP request",
        body: `This page was loaded over HTTPS, so the browser refuses to send your messages to ${where?.baseUrl} (http://). Use the relay's https:// address in Settings.`,
        actions: [Action.Settings],
      };
    case "cors":
      return key
        ? {
            title: "Zen does not accept requests from this page",
            body: `Zen answered, but without permission (CORS) for pages on ${origin}, so the browser withheld its answer: your key cannot be used from here. Choose another connection in Settings.`,
            actions: [Action.Settings],
          }
        : {
            title: `The relay at ${host} does not accept requests from this page`,
            body: `It answered, but without permission (CORS) for this page's origin, ${origin}, so the browser withheld its answer. Add ${origin} to the relay's ALLOWED_ORIGINS, or open the playground that the relay serves itself.`,
            actions: [Action.Settings],
          };
    case "unreachable":
      return key
        ? {
            title: `Could not reach Zen at ${host}`,
            body: "Nothing answered. Check your internet connection, and whether a firewall, VPN or browser extension blocks it, then retry.",
          }
        : {
            title: `Could not reach the relay at ${host}`,
            body: `Nothing answered at ${where?.baseUrl}: the address may be wrong, the relay down, or the connection blocked (firewall, VPN, browser extension). Check the relay URL in Settings, then retry.`,
            actions: [Action.Settings],
          };
    default:
      return {
        title: "The connection broke",
        body: `The connection to ${server(where)} broke before the answer was complete. Retry.`,
      };
  }
}

/** Title, body and extra actions for an error of `kind` (undefined for an unknown kind). */
function words(kind, err, where) {
  const key = where?.mode === "key";
  const pickFree = "or choose a free model";
  switch (kind) {
    case "rateLimit": {
      const wait = Number.isFinite(err?.retryAfter) && err.retryAfter > 0 ? ` It asks to wait ${fmtWait(err.retryAfter)}; retry after that.` : " Wait a little, then retry.";
      return { title: `Rate limited by ${rateLimitSource(err, where)}`, body: `Too many requests right now.${wait}` };
    }
    case "auth":
      if (key) {
        return where?.credential
          ? { title: "Zen did not accept your API key", body: "Check the key in Settings (copy it again from opencode.ai).", actions: [Action.Settings] }
          : { title: "No Zen API key set", body: "Add your OpenCode Zen API key in Settings.", actions: [Action.Settings] };
      }
      if (where?.credential && err?.status === 403) {
        return { title: "Your relay token does not allow this", body: "The relay accepted your token, but not for this request (model or page). Choose another model, or get a token that allows it.", actions: [Action.PickModel, Action.Settings] };
      }
      if (where?.credential) {
        return {
          title: "The relay did not accept your relay token",
          body: where.free
            ? "It may be mistyped, expired or revoked. Replace it in Settings — or remove it, if this relay lets anyone use its free models."
            : "It may be mistyped, expired or revoked. Replace it in Settings.",
          actions: [Action.Settings],
        };
      }
      return where?.free
        ? { title: "This relay needs a relay token", body: "It serves no one without a token, not even free models. Add your token in Settings.", actions: [Action.Settings] }
        : { title: "This model needs a relay token", body: `Paid models on this relay need a relay token. Add one in Settings, ${pickFree}.`, actions: [Action.Settings, Action.PickModel] };
    case "credits":
      return key
        ? { title: "Out of credits", body: `Your Zen account has no credits left. Top it up at opencode.ai, ${pickFree}.`, actions: [Action.PickModel] }
        : { title: "Out of credits", body: `The Zen account behind this relay has no credits left. Its owner can top it up at opencode.ai; meanwhile choose a free model.`, actions: [Action.PickModel] };
    case "monthlyLimit":
      return { title: "Monthly spending limit reached", body: `The Zen workspace ${key ? "of your key" : "behind this relay"} hit its monthly limit. It can be raised at opencode.ai; meanwhile choose a free model.`, actions: [Action.PickModel] };
    case "userLimit":
      return { title: "Spending limit reached", body: `The personal limit ${key ? "of your key" : "of this relay's key"} in its Zen workspace is used up. The workspace owner can raise it; meanwhile choose a free model.`, actions: [Action.PickModel] };
    case "freeUsageLimit":
      return key
        ? { title: "Free allowance used up", body: "Your free allowance is used up for now. Try again later, or choose a paid model (your key pays for it).", actions: [Action.PickModel] }
        : { title: "Free allowance used up", body: "This relay's free allowance is used up for now. Try again later, or add a relay token in Settings to use a paid model.", actions: [Action.Settings, Action.PickModel] };
    case "freeTier":
      return key
        ? { title: "Zen refused its free tier here", body: "Zen serves its free models only to some clients (region, account or app). Choose a paid model: your key pays for it.", actions: [Action.PickModel] }
        : { title: "Zen refused its free tier here", body: "Zen serves its free models only to some clients (region, account or app). Add a relay token in Settings to use a paid model.", actions: [Action.Settings, Action.PickModel] };
    case "model":
      return { title: key ? "Zen does not offer this model" : "This relay does not serve this model", body: "Choose another model.", actions: [Action.PickModel] };
    case "overloaded":
      return { title: "The model is overloaded", body: "Its provider is busy right now. Retry in a moment, or choose another model.", actions: [Action.PickModel] };
    case "server":
      return { title: `${Server(where)} had a problem`, body: "Something failed on the server side. Retrying usually helps." };
    case "timeout":
      return { title: "The answer took too long", body: `Nothing arrived from ${server(where)} for a long time, so the request was given up.` };
    case "network":
      return fetchFailure(where?.cause, where);
    case "invalidRequest":
      return { title: "The request was not accepted", body: "A setting of this chat is not valid for this model. Change it in the chat's settings, or choose another model.", actions: [Action.PickModel] };
    case "notFound":
      return key
        ? { title: "Zen did not find this", body: "Zen answered “not found” for this model. Choose another model.", actions: [Action.PickModel] }
        : { title: "Not found", body: "The relay URL does not point at a Zen API. Check it in Settings.", actions: [Action.Settings] };
    case "protocol":
      return { title: "The answer could not be read", body: "The stream was not in the expected format. Retrying may help." };
    case "aborted":
      return { title: "Stopped", body: "" };
    default:
      return undefined;
  }
}

const UNKNOWN = { title: "Something went wrong", body: "The request failed for an unknown reason." };

/**
 * A plain, storable description of an error for `where` (see above):
 * `{kind, title, body, detail, detailFrom, status, retryAfter, actions}`.
 * `actions` always starts with Retry.
 */
export function describeError(err, where = {}) {
  const known = typeof err?.kind === "string" ? words(err.kind, err, where) : undefined;
  const kind = known ? err.kind : "unknown";
  const w = known ?? UNKNOWN;
  // Only the first line of a message, and never a stack. A message from an
  // HTTP answer or a stream event is the server's words; the browser's own
  // ("Failed to fetch") is replaced by the explanation above.
  const raw = typeof err?.message === "string" ? err.message.split("\n")[0].slice(0, 300) : "";
  const fromServer = Number.isFinite(err?.status) || err?.type === "error";
  const detail = kind === "network" || raw === w.title ? "" : raw;
  return {
    kind,
    title: w.title,
    body: w.body,
    detail,
    detailFrom: detail ? (fromServer ? Server(where) : "") : "",
    status: Number.isFinite(err?.status) ? err.status : undefined,
    retryAfter: Number.isFinite(err?.retryAfter) && err.retryAfter > 0 ? Math.ceil(err.retryAfter) : undefined,
    actions: [Action.Retry, ...(w.actions ?? [])],
  };
}

/**
 * The wait (ms) before retrying `err` automatically, or null to show it.
 * Only retryable errors before any output, at most MAX_AUTO_RETRIES times,
 * and only waits up to MAX_AUTO_WAIT_S: the page waits visibly, with a
 * countdown and Stop, instead of the client waiting silently. A failed
 * fetch is explained instead (retrying an unreachable address does not help).
 */
export function autoRetryDelay(err, retriesSoFar) {
  if (!err?.retryable || err.kind === "network" || retriesSoFar >= MAX_AUTO_RETRIES) return null;
  const asked = Number.isFinite(err.retryAfter) && err.retryAfter > 0 ? err.retryAfter : null;
  const seconds = asked ?? (err.kind === "rateLimit" ? DEFAULT_RATE_LIMIT_WAIT_S : 2 ** retriesSoFar);
  return seconds <= MAX_AUTO_WAIT_S ? Math.ceil(seconds * 1000) : null;
}

/** What the countdown of an automatic retry says before "— retrying in N s". */
export function waitTitle(err, where) {
  if (err?.kind === "rateLimit") return `Rate limited by ${rateLimitSource(err, where)}`;
  return describeError(err, where).title;
}

/**
 * Why a request to `baseUrl` failed without any HTTP answer, as far as a
 * page can tell — the browser reports all of these as the same TypeError:
 * `offline` (the browser knows it has no network), `mixed` (an HTTPS page
 * may not call plain HTTP), `cors` (a no-cors probe of the same server gets
 * an answer, so it is up but did not allow this origin), `unreachable`
 * (nothing answers: wrong address, server down, blocked), or `dropped`
 * (the same-origin server answers now: the connection broke).
 */
export async function fetchFailureCause(baseUrl) {
  if (globalThis.navigator?.onLine === false) return "offline";
  let target;
  try {
    target = new URL(baseUrl, globalThis.location?.href);
  } catch {
    return "unreachable";
  }
  const page = globalThis.location;
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(target.hostname);
  if (page?.protocol === "https:" && target.protocol === "http:" && !loopback) return "mixed";
  try {
    await fetch(`${target.href.replace(/\/+$/, "")}/models`, { mode: "no-cors", cache: "no-store", credentials: "omit", signal: AbortSignal.timeout(5000) });
  } catch {
    return globalThis.navigator?.onLine === false ? "offline" : "unreachable";
  }
  return target.origin === page?.origin ? "dropped" : "cors";
}

/** True for the error a Stop / cancel produces. */
export function isAbort(err, signal) {
  return err?.kind === "aborted" || err?.name === "AbortError" || signal?.aborted === true;
}

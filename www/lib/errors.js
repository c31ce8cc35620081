// Turns a failure (a ZenError from the wasm client, an in-stream error event,
// or anything unexpected) into words a person understands. Stacks are never
// shown; the server's own message is kept as a secondary detail.

/** Cool-down shown for a rate limit whose retry-after the browser cannot read. */
export const DEFAULT_RATE_LIMIT_WAIT_S = 5;

/** What the person can do about an error. */
export const Action = Object.freeze({ Retry: "retry", Settings: "settings", PickModel: "pickModel" });

const KINDS = {
  rateLimit: {
    title: "Too many requests right now",
    body: "The gateway asked us to slow down. You can retry when the countdown ends.",
    actions: [Action.Retry],
  },
  credits: {
    title: "Out of credits",
    body: "The Zen account behind this connection has no credits left. Top it up at opencode.ai, or pick a free model.",
    actions: [Action.PickModel, Action.Settings],
  },
  monthlyLimit: {
    title: "Monthly spending limit reached",
    body: "This Zen workspace hit its monthly limit. Raise it at opencode.ai, or pick a free model.",
    actions: [Action.PickModel],
  },
  userLimit: {
    title: "Your spending limit was reached",
    body: "Your personal limit in this Zen workspace is used up. Ask the workspace owner, or pick a free model.",
    actions: [Action.PickModel],
  },
  freeUsageLimit: {
    title: "Free allowance used up",
    body: "You have used the free allowance for now. Try again later, or use your own Zen key in Settings.",
    actions: [Action.Retry, Action.Settings],
  },
  freeTier: {
    title: "The free tier refused this request",
    body: "Free models are not available for this request (region, account or usage rules). Use your own Zen key or a paid model.",
    actions: [Action.Settings, Action.PickModel],
  },
  model: {
    title: "This model is not available here",
    body: "The relay or your key does not allow this model. Pick another one.",
    actions: [Action.PickModel],
  },
  auth: {
    title: "Not signed in to Zen",
    body: "The relay token or Zen key was missing or rejected. Check them in Settings — or pick a free model.",
    actions: [Action.Settings, Action.PickModel],
  },
  overloaded: {
    title: "The model is overloaded",
    body: "Its provider is busy right now. Retry in a moment or try another model.",
    actions: [Action.Retry, Action.PickModel],
  },
  server: {
    title: "The gateway had a problem",
    body: "Something failed on the server side. Retrying usually helps.",
    actions: [Action.Retry],
  },
  timeout: {
    title: "The answer took too long",
    body: "No data arrived for a long time, so the request was given up.",
    actions: [Action.Retry],
  },
  network: {
    title: "Network connection lost",
    body: "The connection to the relay dropped or could not be made. Check your connection (and the relay URL in Settings), then retry.",
    actions: [Action.Retry, Action.Settings],
  },
  invalidRequest: {
    title: "The request was not accepted",
    body: "A setting of this chat is not valid for the model.",
    actions: [Action.PickModel],
  },
  notFound: {
    title: "Not found",
    body: "The relay URL does not point at a Zen API. Check it in Settings.",
    actions: [Action.Settings],
  },
  protocol: {
    title: "The answer could not be read",
    body: "The stream was not in the expected format. Retrying may help.",
    actions: [Action.Retry],
  },
  aborted: { title: "Stopped", body: "", actions: [Action.Retry] },
  unknown: {
    title: "Something went wrong",
    body: "The request failed for an unknown reason.",
    actions: [Action.Retry],
  },
};

/**
 * A plain, storable description of an error:
 * `{kind, title, body, detail, status, retryAfter, actions}`.
 */
export function describeError(err) {
  const kind = typeof err?.kind === "string" && KINDS[err.kind] ? err.kind : "unknown";
  const known = KINDS[kind];
  let retryAfter = Number.isFinite(err?.retryAfter) && err.retryAfter > 0 ? Math.ceil(err.retryAfter) : undefined;
  // A browser only sees `retry-after` when the server lists it in
  // Access-Control-Expose-Headers; without it a rate limit still gets a short
  // cool-down rather than an invitation to hammer the gateway.
  const retryAfterKnown = retryAfter !== undefined;
  if (kind === "rateLimit" && !retryAfterKnown) retryAfter = DEFAULT_RATE_LIMIT_WAIT_S;
  // Only the first line of a message, and never a stack: a ZenError message
  // is the server's words; anything else is a bug in the page, kept short.
  const raw = typeof err?.message === "string" ? err.message.split("\n")[0].slice(0, 300) : "";
  return {
    kind,
    title: known.title,
    body: known.body,
    detail: raw && raw !== known.title ? raw : "",
    status: Number.isFinite(err?.status) ? err.status : undefined,
    retryAfter,
    retryAfterKnown,
    actions: [...known.actions],
  };
}

/** True for the error a Stop / cancel produces. */
export function isAbort(err, signal) {
  return err?.kind === "aborted" || err?.name === "AbortError" || signal?.aborted === true;
}

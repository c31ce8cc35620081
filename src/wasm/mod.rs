//! The JavaScript binding (wasm32 only): the one JS-aware part of zenwire.
//! Thin glue over the core — request building, decoding, the catalog, cost
//! and the client's retry/delivery decisions all live in plain modules with
//! native tests; this module moves values across the boundary and does the
//! host I/O (fetch, timers, abort). The steps written in JS are real modules
//! beside it: `host.js` (host calls), `stream.js` (the `ZenStream`
//! iterator), `event_tape.js` (events into objects). The TypeScript below is
//! the contract: the exact shape of every value crossing the boundary
//! (tests/ts type-checks the documented usage, tests/event_shapes.rs checks
//! it against the values the Rust writes).

mod api;
mod cancel;
mod client;
mod convert;
mod decoder;
mod errors;
mod event_tape;
mod host;
mod stream;
mod transport;
mod waiter;

pub use api::{build_request, decode_response, estimate_cost, model, models, parse_error};
pub use client::ZenClient;
pub use decoder::JsStreamDecoder;

use wasm_bindgen::prelude::wasm_bindgen;

/// talc, with the last freed block kept for the next allocation of its
/// layout (`crate::spare_alloc`).
#[global_allocator]
static ALLOCATOR: crate::spare_alloc::Spare<talc::wasm::WasmDynamicTalc> =
    crate::spare_alloc::Spare::new(talc::wasm::new_wasm_dynamic_allocator());

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** The four wire formats Zen serves. */
export type WireFormat = "chat" | "responses" | "messages" | "gemini";

/** What kind of failure an error is. */
export type ErrorKind =
  | "auth" | "credits" | "monthlyLimit" | "userLimit" | "model" | "rateLimit"
  | "freeUsageLimit" | "freeTier" | "invalidRequest" | "notFound" | "overloaded"
  | "server" | "timeout" | "aborted" | "network" | "protocol" | "unknown";

/** Why a choice stopped, normalized across formats. */
export type FinishReason =
  | "stop" | "length" | "toolCalls" | "contentFilter" | "refusal" | "error" | "other";

/** Token counts (Zen semantics: input excludes cache reads/writes, output includes reasoning); null = not reported. */
export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
}

/** One unified stream event. */
export type ZenEvent =
  | { type: "start"; id: string | null; model: string | null }
  | { type: "textDelta"; choice: number; text: string }
  | { type: "reasoningDelta"; choice: number; text: string }
  | { type: "reasoningSignature"; choice: number; signature: string }
  | { type: "reasoningRedacted"; choice: number; data: string }
  | { type: "refusalDelta"; choice: number; text: string }
  | { type: "toolCallStart"; choice: number; index: number; id: string; name: string }
  | { type: "toolCallDelta"; choice: number; index: number; argumentsDelta: string }
  | { type: "toolCall"; choice: number; index: number; id: string; name: string; arguments: unknown }
  | { type: "toolCallInvalid"; choice: number; index: number; id: string; name: string; rawArguments: string; reason: string }
  | ({ type: "usage" } & Usage)
  | { type: "cost"; usd: string }
  | { type: "finish"; choice: number; reason: FinishReason; raw: string | null }
  | { type: "error"; kind: ErrorKind; message: string; retryable: boolean };

/** A finished tool call; `invalid` is set when it must not be executed. */
export interface ToolCall {
  index: number;
  id: string;
  name: string;
  arguments: unknown;
  invalid?: { rawArguments: string; reason: string };
}

/**
 * A tool call begun but not finished: its arguments so far. While a stream
 * runs, a call still arriving; in the message of a stream that was cut
 * (stopped, or broken before its end), a call it cut off. Never to be
 * executed: a finished call moves to `toolCalls`.
 */
export interface FormingToolCall {
  index: number;
  id: string;
  name: string;
  rawArguments: string;
}

/** Reasoning to replay verbatim in a later turn. */
export type ReasoningBlock =
  | { type: "thinking"; text: string; signature: string | null }
  | { type: "redacted"; data: string };

/** Everything one choice produced. */
export interface Choice {
  index: number;
  text: string;
  reasoning: string;
  signature: string | null;
  reasoningBlocks?: ReasoningBlock[];
  refusal?: string;
  toolCalls: ToolCall[];
  formingToolCalls?: FormingToolCall[];
  finishReason: FinishReason | null;
  rawFinishReason: string | null;
}

/** The final (or so-far) message of a response. */
export interface Message {
  id: string | null;
  model: string | null;
  choices: Choice[];
  usage: Usage;
  cost: string | null;
  error: { kind: ErrorKind; message: string; retryable: boolean } | null;
}

/** Message content: text, or text and image parts. */
export type Content =
  | string
  | Array<
      | { type: "text"; text: string }
      | { type: "image"; url?: string; mediaType?: string; data?: string }
    >;

/** One turn of a unified request. */
export type RequestMessage =
  | { role: "user"; content: Content }
  | {
      role: "assistant";
      content?: Content | null;
      toolCalls?: { id: string; name: string; arguments?: unknown }[];
      reasoning?: string | null;
      reasoningBlocks?: ReasoningBlock[];
    }
  | { role: "tool"; toolCallId?: string | null; name?: string | null; content: Content; isError?: boolean };

/** A provider-neutral request (unknown top-level fields are rejected). */
export interface UnifiedRequest {
  model: string;
  system?: string | null;
  messages: RequestMessage[];
  tools?: { name: string; description?: string | null; parameters?: unknown }[];
  toolChoice?: "auto" | "none" | "required" | { name: string } | null;
  maxOutputTokens?: number | null;
  temperature?: number | null;
  topP?: number | null;
  stop?: string | string[] | null;
  reasoning?: { effort?: "minimal" | "low" | "medium" | "high" | null; budgetTokens?: number | null } | null;
  /** Ignored by ZenClient (stream() streams, complete() does not); used by buildRequest. */
  stream?: boolean;
  /** Provider-specific body fields, merged last (JSON Merge Patch). */
  extra?: Record<string, unknown> | null;
}

/** buildRequest options. */
export interface BuildOptions {
  baseUrl?: string;
  apiKey?: string | null;
}

/** A ready-to-send HTTP request. */
export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** Prices in USD per 1M tokens, decimal strings. */
export interface Prices {
  input: string;
  output: string;
  cacheRead: string | null;
  cacheWrite: string | null;
}

/** Everything zenwire knows about a model. */
export interface ModelInfo {
  id: string;
  name: string;
  format: WireFormat;
  free: boolean;
  prices: Prices;
  pricesOver200k: Prices | null;
  limits: { context: number; output: number };
  capabilities: {
    reasoning: boolean;
    tools: boolean;
    attachments: boolean;
    temperature: boolean;
    interleavedReasoning: boolean;
  };
  unknown: boolean;
  unavailable: boolean;
  provider?: string;
  status?: string;
}

/** A count or price the estimate did without (counted as 0). */
export type MissingCostInput =
  | "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens"
  | "inputPrice" | "outputPrice" | "cacheReadPrice" | "cacheWritePrice";

/** What a response costs by the catalog's prices (exact decimal USD strings). */
export interface CostEstimate {
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
  total: string;
  tierOver200k: boolean;
  missing: MissingCostInput[];
}

/** Every error zenwire throws: a real Error with typed fields. */
export interface ZenError extends Error {
  name: "ZenError";
  kind: ErrorKind;
  /** HTTP status, when the error came from a response. */
  status: number | undefined;
  /** Seconds the server asked to wait. */
  retryAfter: number | undefined;
  retryable: boolean;
  /** The upstream provider Zen named, if any. */
  provider: string | undefined;
  /** The body's error type verbatim (e.g. "CreditsError"). */
  errorType: string | undefined;
  /** The body's error code verbatim (e.g. "invalid_api_key"). */
  code: string | undefined;
}

/** ZenClient options. */
export interface ZenClientOptions {
  /** Default "https://opencode.ai/zen/v1". */
  baseUrl?: string;
  apiKey?: string | null;
  /** Default globalThis.fetch. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Default 300000. */
  firstByteTimeoutMs?: number;
  /** Default 300000. */
  idleTimeoutMs?: number;
  /** Default 3. */
  maxRetries?: number;
  /** Send only the headers Zen's CORS allows; default: detected (page or browser worker). */
  browser?: boolean;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** What `ZenClient.stream()` returns: `for await (const ev of stream)`. */
export interface ZenStream extends AsyncIterableIterator<ZenEvent> {
  /**
   * The next event: `{value, done: false}`, or `{done: true}` at the end.
   * Rejects with a ZenError when the stream fails, times out or is
   * cancelled; every later call is done.
   */
  next(): Promise<IteratorResult<ZenEvent, undefined>>;
  /** Ends the iteration early (what `break` in `for await` calls): cancels the request. */
  return(): Promise<IteratorResult<ZenEvent, undefined>>;
  /** The message accumulated so far (final once the iteration ended). */
  message(): Message;
  /** Aborts the request at once; a pending or later `next()` throws a ZenError of kind `aborted`. */
  cancel(): void;
  [Symbol.asyncIterator](): ZenStream;
}
"#;

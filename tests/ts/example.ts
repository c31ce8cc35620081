// A realistic use of the zenwire web package from TypeScript, type-checked
// against the generated declarations (pkg/zenwire.d.ts) by `make test-ts`.
// The `@ts-expect-error` lines prove the declarations reject wrong usage:
// if one of them stopped being an error, tsc would fail.
import init, {
  ZenClient,
  StreamDecoder,
  buildRequest,
  estimateCost,
  model,
  models,
  parseError,
  type Message,
  type UnifiedRequest,
  type ZenError,
  type ZenEvent,
} from "../../pkg/zenwire.js";

await init();

/** True when `e` is a ZenError thrown by zenwire (a real Error with a `kind`). */
function isZenError(e: unknown): e is ZenError {
  return e instanceof Error && typeof (e as { kind?: unknown }).kind === "string";
}

const client = new ZenClient({
  baseUrl: "http://127.0.0.1:8787/zen/v1",
  apiKey: "zen-key",
  firstByteTimeoutMs: 30_000,
  maxRetries: 2,
});

const request: UnifiedRequest = {
  model: "claude-sonnet-4-5",
  system: "You are terse.",
  messages: [{ role: "user", content: "What is the weather in Paris?" }],
  tools: [
    {
      name: "get_weather",
      description: "Current weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  ],
  maxOutputTokens: 1024,
  reasoning: { effort: "low" },
};

/** Streams one answer, printing text as it arrives; returns the final message. */
async function ask(signal: AbortSignal): Promise<Message | undefined> {
  let text = "";
  let stream: ReturnType<typeof client.stream>;
  try {
    // Inside the try: a request that cannot be built (no key for a paid
    // model, an invalid field) may throw here already.
    stream = client.stream(request, { signal });
    for await (const ev of stream) {
      switch (ev.type) {
        case "textDelta":
          text += ev.text;
          break;
        case "reasoningDelta":
          console.debug("thinking:", ev.text);
          break;
        case "toolCall": {
          // `arguments` is parsed JSON; `id` must be echoed in the tool result.
          const args: unknown = ev.arguments;
          console.log(`call ${ev.id}: ${ev.name}`, args);
          break;
        }
        case "toolCallInvalid":
          console.warn(`not executing ${ev.name}: ${ev.reason} (${ev.rawArguments})`);
          break;
        case "usage": {
          const inTokens: number | null | undefined = ev.inputTokens;
          console.log("input tokens", inTokens);
          break;
        }
        case "cost":
          console.log(`Zen billed $${ev.usd}`);
          break;
        case "finish":
          console.log(`choice ${ev.choice} finished: ${ev.reason}`);
          break;
        case "error":
          console.error(`stream error (${ev.kind}, retryable=${ev.retryable}): ${ev.message}`);
          break;
        default:
          break;
      }
    }
  } catch (err) {
    if (!isZenError(err)) throw err;
    switch (err.kind) {
      case "aborted":
        return undefined;
      case "auth":
      case "credits":
        console.error(`fix your account: ${err.message}`);
        return undefined;
      case "rateLimit":
        console.error(`slow down, retry after ${err.retryAfter ?? "?"} s (HTTP ${err.status ?? "-"})`);
        return undefined;
      default:
        throw err;
    }
  }
  const message = stream.message();
  console.log(text === message.choices[0]?.text);
  return message;
}

const controller = new AbortController();
const message = await ask(controller.signal);
if (message) {
  const cost = estimateCost(request.model, message.usage);
  console.log(`estimated $${cost.total}; Zen said $${message.cost ?? "?"}`);
}

const nonStreaming: Message = await client.complete({ model: "big-pickle", messages: [{ role: "user", content: "Hi" }] });
console.log(nonStreaming.choices.length);

// Low level: the HTTP request for any sender, and a decoder for its body.
const http = buildRequest({ ...request, stream: true }, { apiKey: "zen-key" });
const res = await fetch(http.url, { method: http.method, headers: http.headers, body: http.body });
if (!res.ok) {
  const err = parseError(res.status, res.headers, await res.text());
  console.error(err.kind, err.message, err.retryable);
} else if (res.body) {
  const decoder = new StreamDecoder(model(request.model).format);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const events: ZenEvent[] = decoder.push(value);
    for (const ev of events) if (ev.type === "textDelta") console.log(ev.text);
  }
  decoder.finish();
  console.log(decoder.message().usage.outputTokens);
  decoder.free();
}

for (const m of models()) if (m.free) console.log(m.id, m.prices.input, m.limits.context);
const listed = await client.listModels();
console.log(listed.filter((m) => m.unavailable).map((m) => m.id));

// ---- Wrong usage the declarations must reject ----

// @ts-expect-error "openai" is not a wire format ("chat" | "responses" | "messages" | "gemini").
new StreamDecoder("openai");

// @ts-expect-error a misspelled field (`mesages`) is not a UnifiedRequest.
client.stream({ model: "glm-4.6", mesages: [{ role: "user", content: "Hi" }] });

// @ts-expect-error `role` is one of "user" | "assistant" | "tool".
buildRequest({ model: "glm-4.6", messages: [{ role: "system", content: "Hi" }] });

function wrongEventField(ev: ZenEvent): string {
  if (ev.type === "textDelta") {
    // @ts-expect-error a textDelta carries `text`, not `delta`.
    return ev.delta;
  }
  return "";
}
console.log(wrongEventField);

function wrongKind(err: ZenError): boolean {
  // @ts-expect-error "rate_limit" is not an ErrorKind (it is "rateLimit").
  return err.kind === "rate_limit";
}
console.log(wrongKind);

// @ts-expect-error estimateCost takes Usage, not a number of tokens.
estimateCost("glm-4.6", 1000);

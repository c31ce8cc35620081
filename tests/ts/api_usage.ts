// Type-checks the published declarations (pkg/zenwire.d.ts) against the way
// the JS API is meant to be used (js-api-spec.md). `make check-types`.
import init, {
  StreamDecoder, ZenClient, buildRequest, decodeResponse, estimateCost, model, models, parseError,
  type ZenEvent, type Message, type ZenError, type ModelInfo, type CostEstimate, type HttpRequest,
  type UnifiedRequest,
} from "../../pkg/zenwire.js";

export async function demo(out: { textContent: string }): Promise<Message> {
  await init();
  const client = new ZenClient({ baseUrl: "http://127.0.0.1:8787/zen/v1", maxRetries: 2, fetch: (u, i) => fetch(u, i) });
  const req: UnifiedRequest = { model: "big-pickle", messages: [{ role: "user", content: "Hi" }], reasoning: { effort: "low" } };
  const ctrl = new AbortController();
  const stream = client.stream(req, { signal: ctrl.signal });
  for await (const ev of stream) {
    if (ev.type === "textDelta") out.textContent += ev.text;
    else if (ev.type === "toolCall") console.log(ev.name, ev.arguments);
    else if (ev.type === "usage") console.log(ev.inputTokens, ev.reasoningTokens);
    else if (ev.type === "error") console.log(ev.kind, ev.retryable);
  }
  stream.cancel();
  const d = new StreamDecoder("chat");
  const evs: ZenEvent[] = d.push(new Uint8Array([100, 97]));
  evs.push(...d.finish());
  d.free();
  const http: HttpRequest = buildRequest(req, { apiKey: "k" });
  const h: string | undefined = http.headers["content-type"];
  const all: ModelInfo[] = models();
  const one: ModelInfo = model("gpt-5.1");
  const cost: CostEstimate = estimateCost(one.id, { inputTokens: 10, outputTokens: 5 });
  const e: ZenError = parseError(429, new Headers(), "");
  const secs: number | undefined = e.retryAfter;
  try {
    await client.complete(req);
  } catch (err) {
    const z = err as ZenError;
    if (z.kind === "rateLimit" && z.status === 429) console.log(z.message, z.retryable, z.provider);
  }
  console.log(h, all.length, cost.total, secs, decodeResponse("chat", "{}").choices.length);
  const listed: ModelInfo[] = await client.listModels();
  console.log(listed.filter((m) => m.unavailable).length);
  return stream.message();
}

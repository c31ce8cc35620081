// Test-side JS for tests/wasm_browser.rs: what an application would write
// (`for await`, `break`, AbortController, fetch of mock-zen's recording API).

export async function collect(stream, opts) {
  const events = [];
  let error = null;
  try {
    for await (const ev of stream) {
      events.push(ev);
      if (opts && opts.cancelAfterText && ev.type === "textDelta") {
        setTimeout(() => stream.cancel(), 30);
      }
      if (opts && opts.abortAfterText && ev.type === "textDelta") {
        setTimeout(() => opts.abortAfterText.abort(), 30);
      }
      if (opts && opts.breakAfterText && ev.type === "textDelta") break;
    }
  } catch (e) {
    error = e;
  }
  return { events, error, message: stream.message(), isError: error instanceof Error,
           selfIterator: stream[Symbol.asyncIterator]() === stream };
}
export async function getJson(url) {
  const r = await fetch(url);
  return r.json();
}
export function newAbortController() { return new AbortController(); }
export function abortLater(ctrl, ms) { setTimeout(() => ctrl.abort(), ms); }
export function countingFetch() {
  const seen = [];
  const f = (url, init) => { seen.push({ url, method: init.method, headers: init.headers }); return fetch(url, init); };
  return { fetch: f, seen };
}
export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

// Builds a batch of stream events from the tape src/wasm/event_tape.rs
// writes into wasm memory: `count` numbers (f64) at byte offset `at` — per
// event its tag, its indexes and the UTF-16 length of each of its strings —
// and all the strings as one UTF-8 text of `textLen` bytes at `textAt`.
// Tags (event_tape.rs has the same list): 0 = an event written as JSON text
// (the rare kinds), 1–10 = the kinds built here. NaN in place of a string's
// length or a count stands for `null`. The objects must equal
// `JSON.parse` of `Event::write_json`, members in the same order
// (tests/wasm_browser.rs compares them on every fixture).

// `ignoreBOM`: a text that begins with U+FEFF keeps it (the default strips it).
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

// Views of the wasm memory, renewed when it grew (a new ArrayBuffer).
let heap;
let nums;

/**
 * The events on the tape, as an array of event objects. Never throws: a JSON text
 * that does not parse (a zenwire bug) becomes an `error` event, as every
 * other problem of a stream does.
 */
export function events_from_tape(memory, at, count, textAt, textLen) {
  if (heap !== memory.buffer) {
    heap = memory.buffer;
    nums = new Float64Array(heap);
  }
  const text = textLen === 0 ? "" : utf8.decode(new Uint8Array(heap, textAt, textLen));
  const out = [];
  let i = at / 8;
  let pos = 0;
  const end = i + count;
  const str = () => text.slice(pos, (pos += nums[i++]));
  const optStr = () => (Number.isNaN(nums[i]) ? (i++, null) : str());
  const countOrNull = () => {
    const n = nums[i++];
    return Number.isNaN(n) ? null : n;
  };
  while (i < end) {
    let e;
    switch (nums[i++]) {
      case 0:
        e = parseEvent(str());
        break;
      case 1:
        e = { type: "textDelta", choice: nums[i++], text: str() };
        break;
      case 2:
        e = { type: "reasoningDelta", choice: nums[i++], text: str() };
        break;
      case 3:
        e = { type: "reasoningSignature", choice: nums[i++], signature: str() };
        break;
      case 4:
        e = { type: "reasoningRedacted", choice: nums[i++], data: str() };
        break;
      case 5:
        e = { type: "refusalDelta", choice: nums[i++], text: str() };
        break;
      case 6:
        e = { type: "toolCallStart", choice: nums[i++], index: nums[i++], id: str(), name: str() };
        break;
      case 7:
        e = { type: "toolCallDelta", choice: nums[i++], index: nums[i++], argumentsDelta: str() };
        break;
      case 8:
        e = { type: "start", id: optStr(), model: optStr() };
        break;
      case 9:
        e = { type: "usage", inputTokens: countOrNull(), outputTokens: countOrNull(), cacheReadTokens: countOrNull(), cacheWriteTokens: countOrNull(), reasoningTokens: countOrNull() };
        break;
      default:
        e = { type: "finish", choice: nums[i++], reason: str(), raw: optStr() };
    }
    out.push(e);
  }
  return out;
}

function parseEvent(json) {
  try {
    return JSON.parse(json);
  } catch (err) {
    return { type: "error", kind: "protocol", message: `zenwire could not hand an event to JavaScript: ${err.message}`, retryable: false };
  }
}

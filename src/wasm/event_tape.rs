//! Handing a call's events to JS as a tape: numbers (what each event is,
//! its indexes, the length of each of its strings) in one `f64` array and
//! every string in one UTF-8 text, both read straight out of wasm memory by
//! one JS function (`event_tape.js`) that decodes the text once and builds
//! the objects.
//!
//! Why not one JSON text and `JSON.parse`, as everything else crosses: at
//! small network reads most pushes complete a single small delta, and V8's
//! `JSON.parse` costs ~250 ns for a 50-byte array however little it holds
//! (plus ~70 ns for decoding the text), while an object literal costs a few
//! ns. The deltas that make up nearly every stream take the tape's fast
//! path, and so do the three that every stream has (start, usage, finish:
//! at ~1 µs a `JSON.parse` each they were a tenth of a short stream's
//! set-up in Node). The rarer events (tool calls, cost, errors) still go as
//! their JSON text (`Event::write_json`), parsed one at a time in the same
//! pass.
//!
//! The objects must equal `JSON.parse` of `Event::write_json`, members in
//! the same order: tests/wasm_browser.rs compares the two on every fixture.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::event::Event;
use crate::json_write::JsonWriter;

// Tags, as `event_tape.js` reads them. `AS_JSON`: an event written as JSON text.
const AS_JSON: f64 = 0.0;
const TEXT_DELTA: f64 = 1.0;
const REASONING_DELTA: f64 = 2.0;
const REASONING_SIGNATURE: f64 = 3.0;
const REASONING_REDACTED: f64 = 4.0;
const REFUSAL_DELTA: f64 = 5.0;
const TOOL_CALL_START: f64 = 6.0;
const TOOL_CALL_DELTA: f64 = 7.0;
const START: f64 = 8.0;
const USAGE: f64 = 9.0;
const FINISH: f64 = 10.0;

/// The length that stands for `null` in place of an optional string's, and
/// the number that stands for an absent count: NaN, which no length or
/// count is.
const NULL: f64 = f64::NAN;

#[wasm_bindgen(module = "/src/wasm/event_tape.js")]
extern "C" {
    fn events_from_tape(
        memory: JsValue,
        at: usize,
        count: usize,
        text_at: usize,
        text_len: usize,
    ) -> JsValue;
}

/// Above this, the tape's buffers are given back after a call: one huge
/// batch (a long tool-call argument) should not pin its memory for the rest
/// of the stream, while ordinary batches keep reusing the allocations.
const KEEP_CAPACITY: usize = 256 * 1024;

/// The buffers a decoder or stream reuses for every hand-over.
#[derive(Default)]
pub(crate) struct EventTape {
    nums: Vec<f64>,
    text: String,
    /// Scratch for the events that go as JSON.
    json: String,
}

impl EventTape {
    /// `events` as a JS array of event objects.
    pub(crate) fn hand_over(&mut self, events: &[Event]) -> JsValue {
        self.nums.clear();
        self.text.clear();
        for event in events {
            self.write(event);
        }
        let array = events_from_tape(
            wasm_bindgen::memory(),
            self.nums.as_ptr() as usize,
            self.nums.len(),
            self.text.as_ptr() as usize,
            self.text.len(),
        );
        if self.text.capacity() > KEEP_CAPACITY || self.json.capacity() > KEEP_CAPACITY {
            *self = EventTape::default();
        }
        array
    }

    fn write(&mut self, event: &Event) {
        match event {
            Event::TextDelta { choice, text } => self.choice_text(TEXT_DELTA, *choice, text),
            Event::ReasoningDelta { choice, text } => {
                self.choice_text(REASONING_DELTA, *choice, text);
            }
            Event::ReasoningSignature { choice, signature } => {
                self.choice_text(REASONING_SIGNATURE, *choice, signature);
            }
            Event::ReasoningRedacted { choice, data } => {
                self.choice_text(REASONING_REDACTED, *choice, data);
            }
            Event::RefusalDelta { choice, text } => self.choice_text(REFUSAL_DELTA, *choice, text),
            Event::ToolCallStart {
                choice,
                index,
                id,
                name,
            } => {
                self.nums
                    .extend([TOOL_CALL_START, f64::from(*choice), f64::from(*index)]);
                self.string(id);
                self.string(name);
            }
            Event::ToolCallDelta {
                choice,
                index,
                arguments_delta,
            } => {
                self.nums
                    .extend([TOOL_CALL_DELTA, f64::from(*choice), f64::from(*index)]);
                self.string(arguments_delta);
            }
            Event::Start { id, model } => {
                self.nums.push(START);
                self.opt_string(id.as_deref());
                self.opt_string(model.as_deref());
            }
            // The counts in `Usage::write_members`' order.
            Event::Usage(usage) => self.nums.extend([
                USAGE,
                count(usage.input_tokens),
                count(usage.output_tokens),
                count(usage.cache_read_tokens),
                count(usage.cache_write_tokens),
                count(usage.reasoning_tokens),
            ]),
            Event::Finish {
                choice,
                reason,
                raw,
            } => {
                self.choice_text(FINISH, *choice, reason.as_str());
                self.opt_string(raw.as_deref());
            }
            _ => {
                let mut w = JsonWriter::with_buffer(std::mem::take(&mut self.json));
                event.write_json(&mut w);
                let json = w.finish();
                self.nums.push(AS_JSON);
                self.string(&json);
                self.json = json;
            }
        }
    }

    fn choice_text(&mut self, tag: f64, choice: u32, text: &str) {
        self.nums.extend([tag, f64::from(choice)]);
        self.string(text);
    }

    /// [`EventTape::string`], or [`NULL`] in place of the length for `None`.
    fn opt_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.nums.push(NULL),
        }
    }

    /// Appends `s` to the text and its length, in the UTF-16 units JS
    /// slices the decoded text by, to the numbers.
    fn string(&mut self, s: &str) {
        self.text.push_str(s);
        self.nums.push(utf16_len(s) as f64);
    }
}

/// A count as the tape carries it: the number `JSON.parse` makes of its
/// decimal text (both round to the nearest double), or [`NULL`].
fn count(n: Option<u64>) -> f64 {
    n.map_or(NULL, |n| n as f64)
}

/// The length of `s` in UTF-16 code units: one per UTF-8 sequence, two for
/// the four-byte ones (outside the BMP).
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.bytes()
        .map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

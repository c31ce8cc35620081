//! SSE push decoder: `text/event-stream` framing as specified by the WHATWG HTML
//! standard, §9.2.6 "Interpreting an event stream"
//! (<https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation>).
//!
//! [`SseDecoder`] is sans-IO: feed it the response body in pieces of any size with
//! [`SseDecoder::push`] (appends the owned [`SseItem`]s those bytes complete to
//! a `Vec`) or [`SseDecoder::push_with`] (hands each item to a callback as soon
//! as it is complete, borrowed: [`SseItemRef`], zero-copy). The output never
//! depends on where the body was split.
//!
//! Design notes:
//!
//! * **Bytes, not text.** Lines are split on raw bytes (CR, LF and CRLF are ASCII
//!   and never occur inside a multi-byte UTF-8 sequence), field values are kept as
//!   bytes and decoded once per event at dispatch, so a character split across two
//!   pieces is never corrupted. Invalid UTF-8 becomes U+FFFD
//!   ([`String::from_utf8_lossy`] semantics), exactly as the spec's UTF-8 decode
//!   would. Valid text (the normal case) is checked with SIMD (`simdutf8`), once
//!   per piece from its first whole event on, since a line inside valid text is
//!   valid text.
//! * **Linear time.** Every input byte is examined once by the line scanner
//!   (`memchr2`, or a byte loop for a short tail). A line that arrives whole
//!   inside one piece is parsed straight from the caller's slice (no copy); the
//!   commonest event, one `data` line followed by the blank line, is handed to
//!   the callback as a `&str` into that slice. Other events borrow from the
//!   decoder's reused buffers, so a warmed-up decoder frames without
//!   allocating. Only the unfinished tail of a piece is kept, and later pieces
//!   are scanned from their own start, so bytes already kept are never
//!   rescanned. An unfinished `data` line's value goes
//!   straight into the reused data buffer (amortised doubling); other kept
//!   lines into one reused line buffer. Never `old + new` string concatenation,
//!   which is what makes naive parsers quadratic when a large `data:` line
//!   arrives in many small pieces.
//! * **Bounded memory.** An event whose pending line plus buffered data exceeds
//!   [`SseOptions::max_event_size`] is reported once as
//!   [`SseError::EventTooLarge`], discarded, and the rest of it is skipped without
//!   being buffered up to the next blank line.
//! * **End of body.** See [`SseDecoder::finish`]: lenient by default (real
//!   recordings often lack the final blank line), spec-exact with
//!   [`SseOptions::strict`].

use crate::error::ErrorKind;
use crate::event::Event;
use crate::word_scan::{equal_bytes, scan};

/// The UTF-8 byte order mark the spec strips once from the start of the stream.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// A kept line buffer bigger than this is released after use instead of being
/// reused, so one huge line does not pin its memory for the rest of the stream.
const LINE_BUFFER_KEEP: usize = 64 << 10;

/// Options for [`SseDecoder`].
#[derive(Debug, Clone)]
pub struct SseOptions {
    /// Largest event accepted, in bytes: the line being read plus the `data`
    /// and `event` buffered so far for the current event. Default 16 MiB.
    pub max_event_size: usize,
    /// Follow the spec at end of body: discard an event not ended by a blank line.
    pub strict: bool,
    /// Surface `:` comment lines as [`SseItem::Comment`] (default `true`);
    /// `false` drops them without allocating.
    pub comments: bool,
}

impl Default for SseOptions {
    fn default() -> Self {
        SseOptions {
            max_event_size: 16 << 20,
            strict: false,
            comments: true,
        }
    }
}

/// A dispatched SSE event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, `None` when absent or empty (the spec's "message").
    pub event: Option<String>,
    /// Data lines joined with `\n`.
    pub data: String,
    /// The last event id at dispatch, `None` if no `id:` was ever seen.
    pub id: Option<String>,
    /// A valid `retry:` given within this event, in milliseconds.
    pub retry: Option<u64>,
}

/// A dispatched SSE event, borrowed: what [`SseDecoder::push_with`] hands
/// over. The strings point into the piece just pushed or into the decoder's
/// reused buffers, so framing an event allocates nothing; call
/// [`into_owned`](Self::into_owned) to keep it past the callback.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SseEventRef<'a> {
    /// The `event:` field, `None` when absent or empty (the spec's "message").
    pub event: Option<&'a str>,
    /// Data lines joined with `\n`.
    pub data: &'a str,
    /// The last event id at dispatch, `None` if no `id:` was ever seen.
    pub id: Option<&'a str>,
    /// A valid `retry:` given within this event, in milliseconds.
    pub retry: Option<u64>,
}

impl SseEventRef<'_> {
    /// The event with its own strings.
    pub fn into_owned(self) -> SseEvent {
        SseEvent {
            event: self.event.map(str::to_owned),
            data: self.data.to_owned(),
            id: self.id.map(str::to_owned),
            retry: self.retry,
        }
    }
}

impl SseEvent {
    /// The borrowed view of this event, as [`WireDecoder`](crate::wire::WireDecoder)s take it.
    pub fn view(&self) -> SseEventRef<'_> {
        SseEventRef {
            event: self.event.as_deref(),
            data: &self.data,
            id: self.id.as_deref(),
            retry: self.retry,
        }
    }
}

impl<'a> From<&'a SseEvent> for SseEventRef<'a> {
    fn from(event: &'a SseEvent) -> Self {
        event.view()
    }
}

/// A decoding error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseError {
    /// An event grew beyond the size limit and was discarded.
    EventTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl std::fmt::Display for SseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SseError::EventTooLarge { limit } => {
                write!(f, "SSE event larger than {limit} bytes discarded")
            }
        }
    }
}

impl std::error::Error for SseError {}

impl SseError {
    /// The unified error event for this error.
    pub fn into_event(self) -> Event {
        Event::Error {
            kind: ErrorKind::Protocol,
            message: self.to_string(),
            retryable: false,
        }
    }
}

/// What the decoder yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItem {
    /// A dispatched event.
    Event(SseEvent),
    /// A `:` comment line: the text after the colon, with one leading space
    /// removed (the same rule as field values), e.g. `: keep-alive` → `keep-alive`.
    Comment(String),
    /// A decoding error.
    Error(SseError),
}

/// What the decoder hands to the callback of [`SseDecoder::push_with`]: an
/// [`SseItem`] whose strings are borrowed (see [`SseEventRef`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseItemRef<'a> {
    /// A dispatched event.
    Event(SseEventRef<'a>),
    /// A `:` comment line, as in [`SseItem::Comment`].
    Comment(&'a str),
    /// A decoding error.
    Error(SseError),
}

impl SseItemRef<'_> {
    /// The item with its own strings.
    pub fn into_owned(self) -> SseItem {
        match self {
            SseItemRef::Event(event) => SseItem::Event(event.into_owned()),
            SseItemRef::Comment(text) => SseItem::Comment(text.to_owned()),
            SseItemRef::Error(err) => SseItem::Error(err),
        }
    }
}

impl SseItem {
    /// The borrowed view of this item.
    pub fn view(&self) -> SseItemRef<'_> {
        match self {
            SseItem::Event(event) => SseItemRef::Event(event.view()),
            SseItem::Comment(text) => SseItemRef::Comment(text),
            SseItem::Error(err) => SseItemRef::Error(err.clone()),
        }
    }
}

/// Counters for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SseStats {
    /// Bytes examined by the line scanner (including a stripped BOM). Each
    /// input byte is examined exactly once, so this equals the bytes pushed.
    pub bytes_scanned: u64,
    /// Most bytes retained for one event: its pending (unfinished) line plus
    /// the data and event type buffered so far. Never above
    /// [`SseOptions::max_event_size`].
    pub buffer_high_water: usize,
}

/// Progress through the optional leading byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// At stream start; this many BOM bytes have matched so far (0..=2).
    Bom(usize),
    /// Past the BOM check.
    Body,
}

/// Push decoder for `text/event-stream`.
///
/// One decoder follows one event source: after [`finish`](Self::finish) it is
/// ready for the next response body of the same source (a reconnection), and
/// keeps [`last_event_id`](Self::last_event_id) and
/// [`reconnection_time`](Self::reconnection_time) as the spec's `EventSource`
/// does. [`reset`](Self::reset) forgets those too.
#[derive(Debug)]
pub struct SseDecoder {
    options: SseOptions,
    start: Start,
    /// The unfinished line carried over from earlier pieces (already scanned).
    line: Vec<u8>,
    /// The last line ended with CR at the end of a piece: a LF opening the next
    /// piece is the second half of a CRLF, not an empty line.
    after_cr: bool,
    /// The current line is a `data` line that did not end in its piece; its
    /// value goes straight into `data` (then `line` is empty).
    data_line: Option<DataLine>,
    /// Discarding an oversized event until the next blank line.
    skipping: bool,
    /// While skipping: the current (skipped) line has content, so the next
    /// line end does not make a blank line.
    skipped_line_has_bytes: bool,
    /// The spec's data buffer, as bytes (decoded at dispatch). Reused from
    /// event to event, so an event spread over pieces needs no allocation
    /// besides its own `String`.
    data: Vec<u8>,
    /// The spec's event type buffer, as bytes.
    event_type: Vec<u8>,
    /// Holds the U+FFFD-substituted text of a data buffer or comment that
    /// is not valid UTF-8, for the borrowed item to point into. Reused.
    lossy_data: String,
    /// The same for an event type that is not valid UTF-8.
    lossy_event: String,
    /// The spec's "last event ID buffer": set by `id:`, never reset by dispatch.
    id_buffer: Option<String>,
    /// The event source's "last event ID string": `id_buffer` committed at the
    /// last blank line (what a reconnection sends as `Last-Event-ID`).
    last_event_id: Option<String>,
    /// `id_buffer` changed since it was last committed.
    id_dirty: bool,
    /// A valid `retry:` seen in the current event.
    event_retry: Option<u64>,
    /// The event source's reconnection time (ms), set by any valid `retry:`.
    reconnection_time: Option<u64>,
    /// Where the current event began: `stats.bytes_scanned` just past the
    /// last event boundary (see [`partial_event_len`](Self::partial_event_len)).
    event_start: u64,
    stats: SseStats,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::with_options(SseOptions::default())
    }
}

impl SseDecoder {
    /// A decoder with default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder with `options`.
    pub fn with_options(options: SseOptions) -> Self {
        SseDecoder {
            options,
            start: Start::Bom(0),
            line: Vec::new(),
            after_cr: false,
            data_line: None,
            skipping: false,
            skipped_line_has_bytes: false,
            data: Vec::new(),
            event_type: Vec::new(),
            lossy_data: String::new(),
            lossy_event: String::new(),
            id_buffer: None,
            last_event_id: None,
            id_dirty: false,
            event_retry: None,
            reconnection_time: None,
            event_start: 0,
            stats: SseStats::default(),
        }
    }

    /// The options this decoder was built with.
    pub fn options(&self) -> &SseOptions {
        &self.options
    }

    /// The event source's last event ID: the `id:` value committed by the most
    /// recent event boundary (blank line), `None` if never set. This is what a
    /// client sends as `Last-Event-ID` when it reconnects.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// The reconnection time in milliseconds from the most recent valid
    /// `retry:` field anywhere in the stream, `None` if none was seen.
    pub fn reconnection_time(&self) -> Option<u64> {
        self.reconnection_time
    }

    /// Counters: bytes scanned and buffer high water.
    pub fn stats(&self) -> SseStats {
        self.stats
    }

    /// How many of the bytes pushed so far belong to an event not complete
    /// yet: those after the last event boundary (the end of the last blank
    /// line; a stripped BOM counts as the first event's). 0 right after a
    /// blank line and after [`finish`](Self::finish). A caller that passes
    /// the body on only up to event boundaries holds back exactly these
    /// last bytes. Kept as the lines are framed, so asking costs nothing.
    pub fn partial_event_len(&self) -> u64 {
        self.stats.bytes_scanned - self.event_start
    }

    /// Forgets everything, including the last event ID, the reconnection time
    /// and the counters, as if newly built with the same options.
    pub fn reset(&mut self) {
        *self = Self::with_options(self.options.clone());
    }

    /// Decodes a piece of the body, appending the items it completes to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<SseItem>) {
        self.push_with(chunk, |item| out.push(item.into_owned()));
    }

    /// Decodes a piece of the body, handing each item it completes to `emit`
    /// as soon as it is complete: the same items in the same order as
    /// [`push`](Self::push), borrowed instead of owned and not collected.
    ///
    /// Zero-copy: the `data` of an event that lies whole in `chunk` with
    /// one `data` line (the usual shape) points straight into `chunk`; any
    /// other text points into buffers the decoder reuses, so once they have
    /// grown no event allocates.
    pub fn push_with(&mut self, chunk: &[u8], mut emit: impl FnMut(SseItemRef<'_>)) {
        self.decode(chunk, &mut emit);
    }

    /// End of body: flushes what is pending, then readies the decoder for the
    /// next body of the same event source.
    ///
    /// * Lenient (default): real servers and recordings often end without the
    ///   final blank line, sometimes without the final newline. An unterminated
    ///   last line is treated as a complete line, and a pending event (data
    ///   lines not yet followed by a blank line) is dispatched as if the blank
    ///   line had arrived.
    /// * Strict ([`SseOptions::strict`]): the spec — "any pending data must be
    ///   discarded": the unfinished line and event are dropped and an `id:` of
    ///   that event is not committed to [`last_event_id`](Self::last_event_id).
    ///
    /// Afterwards the framing state is reset (a new body may start with its own
    /// BOM); the last event ID and reconnection time persist, as they do across
    /// an `EventSource` reconnection. Call [`reset`](Self::reset) to forget them.
    pub fn finish(&mut self, out: &mut Vec<SseItem>) {
        self.finish_with(|item| out.push(item.into_owned()));
    }

    /// [`finish`](Self::finish), handing the items to `emit` instead of a `Vec`.
    pub fn finish_with(&mut self, mut emit: impl FnMut(SseItemRef<'_>)) {
        let emit = &mut emit;
        if let Start::Bom(matched) = self.start {
            // A body shorter than a BOM that began like one: those bytes are content.
            let prefix = BOM.get(..matched).unwrap_or_default();
            self.start = Start::Body;
            self.partial_line(prefix, emit);
        }
        if self.skipping {
            // The oversized event was already reported and discarded; the end of
            // the body then ends it like a blank line would (lenient) or not at
            // all (strict), which only matters for its `id:`.
            self.line.clear();
            self.clear_event();
        }
        if self.options.strict {
            // Spec: "Once the end of the file is reached, any pending data must be
            // discarded. (If the file ends in the middle of an event, before the
            // final empty line, the incomplete event is not dispatched.)"
            self.line.clear();
            self.clear_event();
            self.id_buffer.clone_from(&self.last_event_id);
            self.id_dirty = false;
        } else {
            // Lenient: the unterminated last line counts as complete (its size
            // was checked as it arrived)...
            if self.data_line.take().is_some() {
                self.data.push(b'\n');
                self.note_held(0);
            } else if !self.line.is_empty() {
                let line = std::mem::take(&mut self.line);
                self.process_buffered_line(line, emit);
            }
            // ...and the pending event is dispatched as if a blank line followed.
            self.dispatch(emit);
        }
        self.start = Start::Bom(0);
        self.after_cr = false;
        self.event_start = self.stats.bytes_scanned;
        self.skipping = false;
        self.skipped_line_has_bytes = false;
        self.release_line_buffer();
    }

    /// The line scanner behind [`push`](Self::push) and [`push_with`](Self::push_with).
    fn decode<E: FnMut(SseItemRef<'_>)>(&mut self, chunk: &[u8], emit: &mut E) {
        let mut input = chunk;
        if let Start::Bom(matched) = self.start {
            input = self.strip_bom(matched, input, emit);
            if input.is_empty() {
                return;
            }
        }
        if self.after_cr && !input.is_empty() {
            // "CRLF" is one line end even when split across pieces: the CR already
            // ended the line, so a LF opening this piece is consumed, not a blank
            // line. (An empty piece leaves the question open.)
            self.after_cr = false;
            if let Some((&b'\n', rest)) = input.split_first() {
                if self.event_start == self.stats.bytes_scanned {
                    // The CR ended a blank line: its LF is part of the boundary.
                    self.event_start += 1;
                }
                self.stats.bytes_scanned += 1;
                input = rest;
            }
        }
        // The rest of the piece from its first whole event on, as text, as
        // far as it is valid UTF-8 (found at that event). One long SIMD pass
        // costs less than one per event, and a line inside valid text is
        // valid (lines split only at ASCII bytes), so the whole events inside
        // it are copied out without another check. Pieces that only continue
        // a long line, and short pieces, skip this.
        let mut text: Option<(usize, &str)> = None;
        let piece = input;
        while let Some(&first) = input.first() {
            // A line end at the very start (a blank line, or the end of a line
            // begun in an earlier piece) needs no scan: blank lines are every
            // other line of a typical stream, and a `memchr2` call costs more
            // than this test.
            let found = if first == b'\n' || first == b'\r' {
                Some(0)
            } else {
                find_line_end(input)
            };
            let Some(end) = found else {
                // No line end: keep the tail for the next piece (never rescanned).
                self.stats.bytes_scanned += input.len() as u64;
                self.partial_line(input, emit);
                return;
            };
            // `end` is inside `input`. (Checked and `matches!` below rather
            // than `split_at` and `==`: in the wasm build at opt-level "z"
            // those stayed out-of-line calls, once per line.)
            let (line, rest) = input.split_at_checked(end).unwrap_or((input, &[]));
            // `rest` starts with the CR or LF that ended the line.
            let mut next = 1;
            if matches!(rest.first(), Some(b'\r')) {
                // Spec: "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF)
                // character pair, a single U+000A LINE FEED (LF) character
                // not preceded by a U+000D CARRIAGE RETURN (CR) character,
                // and a single U+000D CARRIAGE RETURN (CR) character not
                // followed by a U+000A LINE FEED (LF) character" all end a line.
                match rest.get(1) {
                    Some(b'\n') => next = 2,
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
            let after = rest.get(next..).unwrap_or_default();
            // Where `line` starts in `piece`.
            let at = piece.len() - input.len();
            if let Some(blank) = self.whole_event(line, after, &mut text, at, input, emit) {
                self.stats.bytes_scanned += (end + next + blank) as u64;
                self.event_start = self.stats.bytes_scanned;
                input = after.get(blank..).unwrap_or_default();
                continue;
            }
            self.stats.bytes_scanned += (end + next) as u64;
            input = after;
            self.complete_line(line, emit);
        }
    }

    /// Fast path for the most common event shape: one `data` line, whole in
    /// the current piece and directly followed by the blank line that ends
    /// the event. Its value is handed over straight from the caller's slice
    /// (no copy, no buffering). Returns the length
    /// of the blank line's line end, or `None` (nothing done) when the general
    /// path must handle the line.
    /// `line` starts at `at` in the piece, `rest` is the piece from there on,
    /// and `text` the validated text of the piece from a given offset on.
    #[inline]
    fn whole_event<'a, E: FnMut(SseItemRef<'_>)>(
        &mut self,
        line: &[u8],
        after: &[u8],
        text: &mut Option<(usize, &'a str)>,
        at: usize,
        rest: &'a [u8],
        emit: &mut E,
    ) -> Option<usize> {
        let after_colon = after_data_prefix(line)?;
        if !self.data.is_empty()
            || !self.line.is_empty()
            || self.skipping
            || self.data_line.is_some()
            || self.over_limit(line.len())
        {
            return None;
        }
        let blank = match after {
            [b'\r', b'\n', ..] => 2,
            [b'\n', ..] | [b'\r', _, ..] => 1,
            [b'\r'] => {
                // A CR ending the piece: a LF opening the next one completes it.
                self.after_cr = true;
                1
            }
            _ => return None,
        };
        let value = strip_optional_space(after_colon);
        // What the general path would hold: the value and its LF.
        self.note_held(value.len() + 1);
        if text.is_none() && rest.len() >= PREVALIDATE_MIN {
            *text = Some((at, valid_prefix(rest)));
        }
        // The value's place in the validated text, if it lies inside it.
        let valid = text.and_then(|(from, text)| {
            let start = at.checked_sub(from)? + (line.len() - value.len());
            text.get(start..start + value.len())
        });
        let retry = self.start_dispatch();
        let data = match valid {
            Some(valid) => valid,
            None => utf8_view(value, &mut self.lossy_data),
        };
        // An `event:` line may have preceded the data line.
        let event = (!self.event_type.is_empty())
            .then(|| utf8_view(&self.event_type, &mut self.lossy_event));
        emit(SseItemRef::Event(SseEventRef {
            event,
            data,
            id: self.last_event_id.as_deref(),
            retry,
        }));
        self.event_type.clear();
        self.release_lossy();
        Some(blank)
    }

    /// Consumes a (possibly partial) leading BOM; returns the rest of `input`.
    fn strip_bom<'a, E: FnMut(SseItemRef<'_>)>(
        &mut self,
        mut matched: usize,
        input: &'a [u8],
        emit: &mut E,
    ) -> &'a [u8] {
        let mut used = 0;
        for &byte in input {
            if BOM.get(matched) != Some(&byte) {
                break;
            }
            matched += 1;
            used += 1;
            if matched == BOM.len() {
                break;
            }
        }
        self.stats.bytes_scanned += used as u64;
        let rest = input.get(used..).unwrap_or_default();
        if matched == BOM.len() {
            // Spec: "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order
            // Mark (BOM), if any." — one only, only at stream start.
            self.start = Start::Body;
        } else if rest.is_empty() {
            // The piece ended inside a possible BOM: decide with the next piece.
            self.start = Start::Bom(matched);
        } else {
            // Not a BOM: the bytes matched so far are ordinary line content
            // (none of them is CR or LF).
            self.start = Start::Body;
            self.partial_line(BOM.get(..matched).unwrap_or_default(), emit);
        }
        rest
    }

    /// Bytes of a line whose end has not arrived yet.
    fn partial_line<E: FnMut(SseItemRef<'_>)>(&mut self, bytes: &[u8], emit: &mut E) {
        if bytes.is_empty() {
            return;
        }
        if self.skipping {
            self.skipped_line_has_bytes = true;
            return;
        }
        if let Some(open) = self.data_line {
            self.extend_data_line(open, bytes, emit);
            return;
        }
        // Checked before buffering, so memory never exceeds the limit.
        if self.over_limit(self.line.len().saturating_add(bytes.len())) {
            self.line.clear();
            self.too_large(true, emit);
            return;
        }
        if self.line.is_empty() {
            if let Some(value) = after_data_prefix(bytes) {
                // An unfinished `data` line: its value goes straight into the
                // data buffer, so a large payload is copied once, not
                // collected in the line buffer and moved again.
                self.open_data_line(value);
                return;
            }
        }
        self.line.extend_from_slice(bytes);
        if after_data_prefix(&self.line).is_some() {
            // The `data:` prefix itself arrived in pieces (a few bytes at most
            // sit in the line buffer): continue as above.
            let mut line = std::mem::take(&mut self.line);
            self.open_data_line(line.get(DATA_PREFIX.len()..).unwrap_or_default());
            line.clear();
            self.line = line;
            return;
        }
        self.note_held(self.line.len());
    }

    /// Starts a `data` line that did not end in its piece; `after_colon` is
    /// what followed `data:` so far.
    fn open_data_line(&mut self, after_colon: &[u8]) {
        let (value, open) = match after_colon.split_first() {
            // Spec: "If value starts with a U+0020 SPACE character, remove it."
            Some((b' ', value)) => (value, DataLine::after_space()),
            Some(_) => (after_colon, DataLine::without_space()),
            // The optional space may open the next piece.
            None => (after_colon, DataLine::space_pending()),
        };
        self.data.extend_from_slice(value);
        self.data_line = Some(open);
        self.note_held(0);
    }

    /// More bytes of the open `data` line (its end has not arrived yet).
    fn extend_data_line<E: FnMut(SseItemRef<'_>)>(
        &mut self,
        open: DataLine,
        bytes: &[u8],
        emit: &mut E,
    ) {
        let (open, value) = open.strip_space(bytes);
        // The value so far is in the data buffer; with the prefix it is the
        // line an unbuffered parser would hold, checked against the limit.
        if self.over_limit(open.prefix.saturating_add(value.len())) {
            self.too_large(true, emit);
            return;
        }
        self.data.extend_from_slice(value);
        self.data_line = Some(open);
        self.note_held(0);
    }

    /// A line whose end was just found; `tail` is its part in the current piece.
    fn complete_line<E: FnMut(SseItemRef<'_>)>(&mut self, tail: &[u8], emit: &mut E) {
        if self.skipping {
            if tail.is_empty() && !self.skipped_line_has_bytes {
                // The blank line ending the discarded event: resume normal parsing.
                // It is still an event boundary (the discarded event never dispatches).
                self.skipping = false;
                self.dispatch(emit);
            }
            self.skipped_line_has_bytes = false;
            return;
        }
        if let Some(open) = self.data_line.take() {
            // The end of a `data` line begun in an earlier piece.
            let (open, value) = open.strip_space(tail);
            if self.over_limit(open.prefix.saturating_add(value.len())) {
                self.too_large(false, emit);
                return;
            }
            self.data.extend_from_slice(value);
            self.data.push(b'\n');
            self.note_held(0);
            return;
        }
        if self.line.is_empty() {
            // Fast path: the whole line is in the caller's slice; parse it in place.
            if self.over_limit(tail.len()) {
                self.too_large(false, emit);
                return;
            }
            self.process_line(tail, emit);
        } else {
            if self.over_limit(self.line.len().saturating_add(tail.len())) {
                self.line.clear();
                self.too_large(false, emit);
                return;
            }
            let mut line = std::mem::take(&mut self.line);
            line.extend_from_slice(tail);
            self.note_held(line.len());
            self.process_buffered_line(line, emit);
        }
    }

    /// Whether an event holding `line_len` line bytes besides its buffers is too big.
    #[inline]
    fn over_limit(&self, line_len: usize) -> bool {
        line_len
            .saturating_add(self.data.len())
            .saturating_add(self.event_type.len())
            > self.options.max_event_size
    }

    /// Reports the current event as too large, discards it and skips to the next
    /// blank line. `mid_line`: the line that overflowed has not ended yet.
    #[cold]
    fn too_large<E: FnMut(SseItemRef<'_>)>(&mut self, mid_line: bool, emit: &mut E) {
        emit(SseItemRef::Error(SseError::EventTooLarge {
            limit: self.options.max_event_size,
        }));
        // Emptied, not freed unless large, like after any event: the buffer
        // stays within the limit, and a reused one keeps framing allocation-free.
        self.clear_event();
        self.skipping = true;
        self.skipped_line_has_bytes = mid_line;
        self.release_line_buffer();
    }

    /// Records how many bytes the current event holds (`line_len` + buffers).
    #[inline]
    fn note_held(&mut self, line_len: usize) {
        let held = line_len + self.data.len() + self.event_type.len();
        if held > self.stats.buffer_high_water {
            self.stats.buffer_high_water = held;
        }
    }

    /// Processes a line that was assembled in `self.line`'s buffer, then gives
    /// the buffer back for reuse.
    fn process_buffered_line<E: FnMut(SseItemRef<'_>)>(&mut self, mut line: Vec<u8>, emit: &mut E) {
        self.process_line(&line, emit);
        line.clear();
        self.line = line;
        self.release_line_buffer();
    }

    /// Drops an unusually large line buffer instead of keeping it for reuse.
    #[inline]
    fn release_line_buffer(&mut self) {
        if self.line.capacity() > LINE_BUFFER_KEEP {
            self.line = Vec::new();
        }
    }

    /// Spec §9.2.6: process one complete line (without its line end).
    #[inline]
    fn process_line<E: FnMut(SseItemRef<'_>)>(&mut self, line: &[u8], emit: &mut E) {
        // The `data` field first: it is most lines of a stream, and its known
        // prefix spares the search for the colon.
        if let Some(after_colon) = after_data_prefix(line) {
            let value = strip_optional_space(after_colon);
            self.append_data(value);
            return;
        }
        match line.split_first() {
            // Spec: "If the line is empty (a blank line) — Dispatch the event."
            None => self.dispatch(emit),
            // Spec: "If the line starts with a U+003A COLON character (:) — Ignore
            // the line." We surface it instead (gateways send `: keep-alive`,
            // `: OPENROUTER PROCESSING`), stripping one leading space like a value.
            Some((b':', comment)) => {
                if self.options.comments {
                    let text = strip_optional_space(comment);
                    emit(SseItemRef::Comment(utf8_view(text, &mut self.lossy_data)));
                }
            }
            Some(_) => match memchr::memchr(b':', line) {
                // Spec: "If the line contains a U+003A COLON character (:) — Collect
                // the characters on the line before the first U+003A COLON character
                // (:), and let field be that string. Collect the characters on the
                // line after the first U+003A COLON character (:), and let value be
                // that string. If value starts with a U+0020 SPACE character, remove
                // it from value. Process the field using the steps described below,
                // using field as the field name and value as the field value."
                Some(colon) => {
                    let (field, rest) = line.split_at(colon);
                    let value = rest.get(1..).unwrap_or_default();
                    let value = strip_optional_space(value);
                    self.process_field(field, value);
                }
                // Spec: "Otherwise, the string is not empty but does not contain a
                // U+003A COLON character (:) — Process the field using the steps
                // described below, using the whole line as the field name, and the
                // empty string as the field value."
                None => self.process_field(line, b""),
            },
        }
    }

    /// Spec §9.2.6, field "data": "Append the field value to the data buffer,
    /// then append a single U+000A LINE FEED (LF) character to the data buffer."
    #[inline]
    fn append_data(&mut self, value: &[u8]) {
        self.data.extend_from_slice(value);
        self.data.push(b'\n');
        self.note_held(0);
    }

    /// Spec §9.2.6: "the steps to process the field given a field name and a
    /// field value". Field names are compared exactly (case-sensitive).
    fn process_field(&mut self, field: &[u8], value: &[u8]) {
        match field {
            // Spec: "If the field name is "event" — Set the event type buffer to
            // the field value."
            b"event" => {
                self.event_type.clear();
                self.event_type.extend_from_slice(value);
                self.note_held(0);
            }
            // Spec: "If the field name is "data" — Append the field value to the
            // data buffer, then append a single U+000A LINE FEED (LF) character to
            // the data buffer." (`data` alone, without a colon, lands here.)
            b"data" => self.append_data(value),
            // Spec: "If the field name is "id" — If the field value does not
            // contain U+0000 NULL, then set the last event ID buffer to the field
            // value. Otherwise, ignore the field." (UTF-8 encodes U+0000 only as
            // the byte 0x00, so checking bytes is exact.)
            b"id" if memchr::memchr(0, value).is_none() => {
                let id = self.id_buffer.get_or_insert_with(String::new);
                id.clear();
                id.push_str(&String::from_utf8_lossy(value));
                self.id_dirty = true;
            }
            // Spec: "If the field name is "retry" — If the field value consists of
            // only ASCII digits, then interpret the field value as an integer in
            // base ten, and set the event stream's reconnection time to that
            // integer. Otherwise, ignore the field." An empty value is not a
            // number. Values beyond u64 saturate.
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                let ms = value.iter().fold(0u64, |acc, d| {
                    acc.saturating_mul(10)
                        .saturating_add(u64::from(d.wrapping_sub(b'0')))
                });
                self.reconnection_time = Some(ms);
                self.event_retry = Some(ms);
            }
            // Spec: "Otherwise — The field is ignored." (Also an `id` containing
            // NUL and a `retry` that is not all digits: "Otherwise, ignore the field.")
            _ => {}
        }
    }

    /// Spec §9.2.6 "dispatch the event" (at a blank line, or a lenient finish).
    fn dispatch<E: FnMut(SseItemRef<'_>)>(&mut self, emit: &mut E) {
        // An event boundary: the next event starts after the bytes so far.
        self.event_start = self.stats.bytes_scanned;
        // Step 2: "If the data buffer is an empty string, set the data buffer and
        // the event type buffer to the empty string and return."
        if self.data.is_empty() {
            self.commit_id();
            self.clear_event();
            return;
        }
        // Step 3: "If the data buffer's last character is a U+000A LINE FEED (LF)
        // character, then remove the last character from the data buffer."
        // (Every data line ends with one, so it always is.)
        let retry = self.start_dispatch();
        let text = self.data.split_last().map_or(&[][..], |(_, text)| text);
        let data = utf8_view(text, &mut self.lossy_data);
        // Steps 4-6: the event; type "message" (here `None`) unless the event
        // type buffer is non-empty; lastEventId = the last event ID string.
        let event = (!self.event_type.is_empty())
            .then(|| utf8_view(&self.event_type, &mut self.lossy_event));
        emit(SseItemRef::Event(SseEventRef {
            event,
            data,
            id: self.last_event_id.as_deref(),
            retry,
        }));
        // Step 7: "Set the data buffer and the event type buffer to the empty
        // string." (A large data buffer is released, not kept for reuse.)
        self.clear_event();
        self.release_lossy();
    }

    /// Dispatch step 1 (commit the id), and the event's `retry:` taken for
    /// the event being dispatched.
    #[inline]
    fn start_dispatch(&mut self) -> Option<u64> {
        self.commit_id();
        self.event_retry.take()
    }

    /// Drops unusually large lossy-text buffers instead of keeping them.
    #[inline]
    fn release_lossy(&mut self) {
        if self.lossy_data.capacity() > LINE_BUFFER_KEEP {
            self.lossy_data = String::new();
        }
        if self.lossy_event.capacity() > LINE_BUFFER_KEEP {
            self.lossy_event = String::new();
        }
    }

    /// Dispatch step 1: "Set the last event ID string of the event source to
    /// the value of the last event ID buffer. The buffer does not get reset."
    #[inline]
    fn commit_id(&mut self) {
        if self.id_dirty {
            self.last_event_id.clone_from(&self.id_buffer);
            self.id_dirty = false;
        }
    }

    /// Empties the per-event buffers without dispatching.
    fn clear_event(&mut self) {
        self.data.clear();
        if self.data.capacity() > LINE_BUFFER_KEEP {
            self.data = Vec::new();
        }
        self.data_line = None;
        self.event_type.clear();
        self.event_retry = None;
    }
}

/// The first CR or LF in `bytes`. Short inputs (the tail of a line split
/// into small pieces, an `event:` line) are scanned byte by byte, which
/// costs less than setting up a vectorized `memchr2`.
#[cfg(not(target_arch = "wasm32"))]
#[inline]
fn find_line_end(bytes: &[u8]) -> Option<usize> {
    const SHORT: usize = 16;
    if bytes.len() <= SHORT {
        bytes.iter().position(|&b| b == b'\n' || b == b'\r')
    } else {
        memchr::memchr2(b'\r', b'\n', bytes)
    }
}

/// The first CR or LF in `bytes`, for wasm: `memchr` has no SIMD there
/// (the package is built without `simd128`) and falls back to 32-bit
/// `usize` words; wasm has native 64-bit integers, so eight bytes a step.
#[cfg(target_arch = "wasm32")]
#[inline]
fn find_line_end(bytes: &[u8]) -> Option<usize> {
    find_line_end_by_words(bytes)
}

/// The first CR or LF in `bytes`, eight bytes at a time
/// ([`crate::word_scan`]).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn find_line_end_by_words(bytes: &[u8]) -> Option<usize> {
    let at = scan(
        bytes,
        0,
        |w| equal_bytes(w, b'\n') | equal_bytes(w, b'\r'),
        |b| b == b'\n' || b == b'\r',
    );
    (at < bytes.len()).then_some(at)
}

/// Pieces shorter than this are not validated as a whole up front.
const PREVALIDATE_MIN: usize = 128;

/// The longest prefix of `bytes` that is valid UTF-8 (all of it, normally;
/// less when the piece ends inside a character or holds invalid bytes).
fn valid_prefix(bytes: &[u8]) -> &str {
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return text;
    }
    let valid = match simdutf8::compat::from_utf8(bytes) {
        Ok(text) => return text,
        Err(err) => err.valid_up_to(),
    };
    bytes
        .get(..valid)
        .and_then(|b| simdutf8::basic::from_utf8(b).ok())
        .unwrap_or_default()
}

/// The start of a `data` field line.
const DATA_PREFIX: &[u8] = b"data:";

/// What follows `data:` if `line` starts with it. A slice pattern, so the
/// compiler compares the five bytes inline instead of calling `memcmp`
/// (`strip_prefix` does), which showed in profiles: most lines are tested.
#[inline(always)]
fn after_data_prefix(line: &[u8]) -> Option<&[u8]> {
    match line {
        [b'd', b'a', b't', b'a', b':', rest @ ..] => Some(rest),
        _ => None,
    }
}

/// A field value without its optional leading space (spec: "If value starts
/// with a U+0020 SPACE character, remove it from value").
#[inline(always)]
fn strip_optional_space(value: &[u8]) -> &[u8] {
    match value {
        [b' ', rest @ ..] => rest,
        _ => value,
    }
}

/// A `data` line whose end has not arrived yet: its value so far is already
/// in the data buffer.
#[derive(Debug, Clone, Copy)]
struct DataLine {
    /// Bytes of the line before the value (`data:` and the optional space).
    /// Not held, but counted toward the size limit like the rest of the line,
    /// so the limit does not depend on where the body was split.
    prefix: usize,
    /// The line so far is exactly `data:`: a space opening the next bytes is
    /// the optional one and is dropped.
    space_pending: bool,
}

impl DataLine {
    fn after_space() -> Self {
        DataLine {
            prefix: DATA_PREFIX.len() + 1,
            space_pending: false,
        }
    }

    fn without_space() -> Self {
        DataLine {
            prefix: DATA_PREFIX.len(),
            space_pending: false,
        }
    }

    fn space_pending() -> Self {
        DataLine {
            prefix: DATA_PREFIX.len(),
            space_pending: true,
        }
    }

    /// Applies the pending optional space to the next `bytes` of the line,
    /// returning the updated state and the value bytes.
    #[inline]
    fn strip_space(self, bytes: &[u8]) -> (Self, &[u8]) {
        if !self.space_pending {
            return (self, bytes);
        }
        match bytes.split_first() {
            Some((b' ', value)) => (DataLine::after_space(), value),
            Some(_) => (DataLine::without_space(), bytes),
            // Nothing yet (a line end right after `data:`): still undecided,
            // which only matters for an unfinished line.
            None => (self, bytes),
        }
    }
}

/// Bytes as text, replacing invalid UTF-8 with U+FFFD (the spec's UTF-8
/// decode, [`String::from_utf8_lossy`] semantics). Valid text, the normal
/// case, is checked with SIMD and borrowed as is; otherwise the replaced
/// text is written into `lossy` (reused, so no allocation once grown).
#[inline]
fn utf8_view<'a>(bytes: &'a [u8], lossy: &'a mut String) -> &'a str {
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return text;
    }
    lossy.clear();
    for chunk in bytes.utf8_chunks() {
        lossy.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            lossy.push(char::REPLACEMENT_CHARACTER);
        }
    }
    lossy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(pieces: &[&[u8]], options: SseOptions) -> Vec<SseItem> {
        let mut d = SseDecoder::with_options(options);
        let mut out = Vec::new();
        for p in pieces {
            d.push(p, &mut out);
        }
        d.finish(&mut out);
        out
    }

    fn data(items: &[SseItem]) -> Vec<&str> {
        items
            .iter()
            .filter_map(|i| match i {
                SseItem::Event(e) => Some(e.data.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn word_line_end_scan_finds_the_first_cr_or_lf() {
        // Every position in and around a word, every byte value nearby
        // (false alarms of the bit trick sit next to a hit).
        for len in 0..40 {
            for at in 0..=len {
                for (end, filler) in [(b'\n', b'a'), (b'\r', 0x0C), (b'\n', 0xFF), (b'\r', 0x0E)] {
                    let mut bytes = vec![filler; len];
                    if let Some(b) = bytes.get_mut(at) {
                        *b = end;
                    }
                    let expected = bytes.iter().position(|&b| b == b'\n' || b == b'\r');
                    assert_eq!(find_line_end_by_words(&bytes), expected, "{bytes:?}");
                    // A later CR/LF never hides the first one.
                    bytes.extend_from_slice(b"\r\n");
                    let expected = bytes.iter().position(|&b| b == b'\n' || b == b'\r');
                    assert_eq!(find_line_end_by_words(&bytes), expected, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn data_prefix_and_optional_space_split_across_pieces() {
        let cases: [(&[&[u8]], &str); 6] = [
            (&[b"data:", b" x\n\n"], "x"),
            (&[b"data:", b"  x\n\n"], " x"),
            (&[b"data:", b"x\n\n"], "x"),
            (&[b"dat", b"a: x", b"y\n\n"], "xy"),
            (&[b"data:", b"\n\n"], ""),
            (&[b"data:", b" "], ""),
        ];
        for (pieces, expected) in cases {
            let items = decode(pieces, SseOptions::default());
            assert_eq!(data(&items), [expected], "{pieces:?}");
        }
    }

    #[test]
    fn push_with_and_finish_with_match_push_and_finish() {
        let body: &[u8] = b"\xEF\xBB\xBF: hi\r\nevent: e\rid: 1\ndata: a\r\n\r\ndata:b\n\n\
            data\ndata: c\r\rretry: 5\ndata: \xFF\n\ndata: tail";
        for piece in [1, 2, 3, 5, 8, 13, body.len()] {
            let mut vec_decoder = SseDecoder::new();
            let mut by_vec = Vec::new();
            let mut cb_decoder = SseDecoder::new();
            let mut by_callback = Vec::new();
            for p in body.chunks(piece) {
                vec_decoder.push(p, &mut by_vec);
                cb_decoder.push_with(p, |item| by_callback.push(item.into_owned()));
            }
            vec_decoder.finish(&mut by_vec);
            cb_decoder.finish_with(|item| by_callback.push(item.into_owned()));
            assert_eq!(by_callback, by_vec, "pieces of {piece}");
            assert_eq!(cb_decoder.stats(), vec_decoder.stats());
            assert_eq!(
                data(&by_vec),
                ["a", "b", "\nc", "\u{FFFD}", "tail"],
                "pieces of {piece}"
            );
        }
    }

    #[test]
    fn whole_events_in_long_pieces_with_split_and_invalid_utf8() {
        // Pieces long enough to be validated up front, cut inside a two-byte
        // character, with invalid bytes in one event.
        let long = "é".repeat(100);
        let body = format!("data: {long}\n\ndata: a\u{FFFD}b\n\n").into_bytes();
        let mut body = body;
        body.extend_from_slice(b"data: x\xFFy\r\n\r\ndata: z\r");
        let expected = [long.as_str(), "a\u{FFFD}b", "x\u{FFFD}y", "z"];
        for cut in [0, 7, 8, 150, 201, 202, 203, body.len() - 1] {
            let (head, tail) = body.split_at(cut);
            let items = decode(&[head, tail], SseOptions::default());
            assert_eq!(data(&items), expected, "cut at {cut}");
        }
    }

    #[test]
    fn data_lines_split_across_pieces_are_joined() {
        let items = decode(
            &[b"data: ab", b"c\ndata:", b" d\n", b"\n"],
            SseOptions::default(),
        );
        assert_eq!(data(&items), ["abc\nd"]);
    }

    #[test]
    fn blank_line_commits_id_even_without_data() {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        d.push(b"id: 7\n\n", &mut out);
        assert!(out.is_empty());
        assert_eq!(d.last_event_id(), Some("7"));
    }

    #[test]
    fn strict_finish_does_not_commit_pending_id() {
        let mut d = SseDecoder::with_options(SseOptions {
            strict: true,
            ..SseOptions::default()
        });
        let mut out = Vec::new();
        d.push(b"id: 1\ndata: a\n\nid: 2\ndata: b\n", &mut out);
        d.finish(&mut out);
        assert_eq!(data(&out), ["a"]);
        assert_eq!(d.last_event_id(), Some("1"));
        // The next body of the same source continues from the committed id.
        d.push(b"data: c\n\n", &mut out);
        match out.last() {
            Some(SseItem::Event(e)) => assert_eq!(e.id.as_deref(), Some("1")),
            other => panic!("expected an event, got {other:?}"),
        }
    }

    #[test]
    fn retry_saturates_instead_of_overflowing() {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        d.push(b"retry: 99999999999999999999999\n\n", &mut out);
        assert_eq!(d.reconnection_time(), Some(u64::MAX));
    }

    #[test]
    fn reset_forgets_id_retry_and_counters() {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        d.push(b"id: 1\nretry: 5\ndata: x\n\n", &mut out);
        d.reset();
        assert_eq!(d.last_event_id(), None);
        assert_eq!(d.reconnection_time(), None);
        assert_eq!(d.stats(), SseStats::default());
    }

    #[test]
    fn comments_can_be_disabled() {
        let items = decode(
            &[b": keep-alive\ndata: x\n\n"],
            SseOptions {
                comments: false,
                ..SseOptions::default()
            },
        );
        assert_eq!(items.len(), 1);
        assert_eq!(data(&items), ["x"]);
    }
}

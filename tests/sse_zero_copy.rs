//! The borrowed SSE API (`push_with` / `finish_with`): where event text
//! points (into the caller's piece or the decoder's own buffers), that it
//! agrees with the owned API, and that a warmed-up decoder frames events
//! without allocating. Its own test binary, because it installs a counting
//! global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use zenwire::sse::{SseDecoder, SseEvent, SseEventRef, SseItem, SseItemRef};

/// Counts allocations made by the current thread while counting is on, so
/// tests running in parallel on other threads do not disturb the count.
struct CountingAlloc;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation() {
    // `try_with`: the allocator may run while thread-locals are torn down.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter only touches `const` thread-locals, which never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Allocations made by `f` on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

/// Whether `text` lies inside `piece`.
fn inside(text: &str, piece: &[u8]) -> bool {
    let range = piece.as_ptr_range();
    let start = text.as_ptr();
    range.start <= start && start.wrapping_add(text.len()) <= range.end
}

/// Event data from one piece pushed whole, with whether each borrows from it.
fn borrowed_data(piece: &[u8]) -> Vec<(String, bool)> {
    let mut d = SseDecoder::new();
    let mut seen = Vec::new();
    d.push_with(piece, |item| {
        if let SseItemRef::Event(ev) = item {
            seen.push((ev.data.to_owned(), inside(ev.data, piece)));
        }
    });
    d.finish_with(|item| {
        if let SseItemRef::Event(ev) = item {
            seen.push((ev.data.to_owned(), inside(ev.data, piece)));
        }
    });
    seen
}

#[test]
fn single_line_events_whole_in_the_piece_borrow_from_it() {
    // Short pieces (validated per event) and long ones (validated up front),
    // with and without a preceding `event:`/`id:` line, LF and CRLF.
    let long = "x".repeat(300);
    let body = format!(
        "data: a\n\nevent: e\r\nid: 1\r\ndata: {{\"b\":1}}\r\n\r\ndata:{long}\n\ndata: é\n\n"
    );
    let seen = borrowed_data(body.as_bytes());
    let expected = [("a", true), ("{\"b\":1}", true), (&long, true), ("é", true)];
    assert_eq!(seen.len(), expected.len());
    for ((data, borrowed), (want, want_borrowed)) in seen.iter().zip(expected) {
        assert_eq!((data.as_str(), *borrowed), (want, want_borrowed));
    }
    let short = borrowed_data(b"data: a\n\n");
    assert_eq!(short, [("a".to_owned(), true)]);
}

#[test]
fn other_events_come_from_the_decoders_buffers() {
    // Several data lines, invalid UTF-8 (replaced), and the lenient finish of
    // an event without its blank line cannot point into the input.
    let seen = borrowed_data(b"data: a\ndata: b\n\ndata: x\xFFy\n\ndata: tail");
    assert_eq!(
        seen,
        [
            ("a\nb".to_owned(), false),
            ("x\u{FFFD}y".to_owned(), false),
            ("tail".to_owned(), false),
        ]
    );
}

#[test]
fn event_split_across_pieces_is_whole_and_correct() {
    let body = b"event: delta\nid: 7\nretry: 30\ndata: {\"t\":\"h\xC3\xA9\"}\n\n: ping\n\n";
    for size in 1..body.len() {
        let mut d = SseDecoder::new();
        let mut items = Vec::new();
        for piece in body.chunks(size) {
            d.push_with(piece, |item| items.push(item.into_owned()));
        }
        d.finish_with(|item| items.push(item.into_owned()));
        assert_eq!(
            items,
            [
                SseItem::Event(SseEvent {
                    event: Some("delta".into()),
                    data: "{\"t\":\"hé\"}".into(),
                    id: Some("7".into()),
                    retry: Some(30),
                }),
                SseItem::Comment("ping".into()),
            ],
            "pieces of {size}"
        );
    }
}

#[test]
fn owned_and_borrowed_views_round_trip() {
    let items = [
        SseItem::Event(SseEvent {
            event: Some("e".into()),
            data: "d".into(),
            id: Some("1".into()),
            retry: Some(5),
        }),
        SseItem::Event(SseEvent::default()),
        SseItem::Comment("c".into()),
        SseItem::Error(zenwire::sse::SseError::EventTooLarge { limit: 3 }),
    ];
    for item in items {
        assert_eq!(item.view().into_owned(), item);
    }
    let event = SseEvent {
        data: "x".into(),
        ..SseEvent::default()
    };
    let view = SseEventRef::from(&event);
    assert_eq!(
        view,
        SseEventRef {
            event: None,
            data: "x",
            id: None,
            retry: None
        }
    );
}

#[test]
fn warmed_up_decoder_frames_without_allocating() {
    // Every kind of event the decoder builds text for: single and multi-line
    // data, event types, ids (inherited by later events), retry, comments,
    // invalid UTF-8 in data, event type and comment, an event too large.
    let mut body = Vec::new();
    body.extend_from_slice(b": keep-alive\nid: 1\nevent: start\ndata: {\"a\":1}\n\n");
    body.extend_from_slice(b"data: one\ndata: two\nretry: 10\n\n");
    body.extend_from_slice(b"event: \xFEbad\ndata: x\xFFy\n\n: \xFF\n\n");
    body.extend_from_slice(format!("data: {}\n\n", "z".repeat(2000)).as_bytes());
    body.extend_from_slice(format!("data: {}\n\n", "q".repeat(5000)).as_bytes());
    body.extend_from_slice(b"data: last");
    let options = zenwire::sse::SseOptions {
        max_event_size: 4096,
        ..Default::default()
    };
    for size in [1, 7, 64, 4096, body.len()] {
        let mut d = SseDecoder::with_options(options.clone());
        let mut events = 0;
        let mut data_bytes = 0;
        let mut errors = 0;
        let mut pass = |d: &mut SseDecoder| {
            let mut tally = |item: SseItemRef<'_>| match item {
                SseItemRef::Event(ev) => {
                    events += 1;
                    data_bytes += ev.data.len();
                }
                SseItemRef::Comment(_) => {}
                SseItemRef::Error(_) => errors += 1,
            };
            for piece in body.chunks(size) {
                d.push_with(piece, &mut tally);
            }
            d.finish_with(&mut tally);
        };
        // The first body grows the buffers; the second, on the same decoder
        // (a reconnection), must not allocate at all.
        pass(&mut d);
        let during = allocations(|| pass(&mut d));
        assert_eq!(during, 0, "allocations in pieces of {size}");
        assert_eq!(
            (events, errors),
            (10, 2),
            "two passes of 5 events and 1 error"
        );
        assert_eq!(data_bytes, 2 * (7 + 7 + 5 + 2000 + 4));
    }
}

//! Fuzz the SSE push decoder: any bytes, split anywhere, with or without a size
//! limit, in lenient and strict mode, must never panic and must decode exactly
//! like the whole body pushed at once, through the owned (`push`) and the
//! borrowed (`push_with`) API alike.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zenwire::sse::{SseDecoder, SseItem, SseOptions, SseStats};

/// Pushes `pieces`, finishes, returns the items, last id, retry and counters.
/// Also runs the borrowed API on a second decoder and checks it agrees.
fn run(
    pieces: &[&[u8]],
    options: &SseOptions,
) -> ((Vec<SseItem>, Option<String>, Option<u64>), SseStats) {
    let mut decoder = SseDecoder::with_options(options.clone());
    let mut items = Vec::new();
    let mut borrowing = SseDecoder::with_options(options.clone());
    let mut borrowed = Vec::new();
    for piece in pieces {
        decoder.push(piece, &mut items);
        borrowing.push_with(piece, |item| borrowed.push(item.into_owned()));
    }
    decoder.finish(&mut items);
    borrowing.finish_with(|item| borrowed.push(item.into_owned()));
    assert_eq!(borrowed, items, "push_with and push disagree");
    assert_eq!(borrowing.stats(), decoder.stats());
    let last_id = decoder.last_event_id().map(str::to_owned);
    (
        (items, last_id, decoder.reconnection_time()),
        decoder.stats(),
    )
}

fuzz_target!(|input: &[u8]| {
    // Byte 0 picks the size limit, byte 1 seeds the split points; the rest is the body.
    let (limit, seed, body) = match input {
        [l, s, rest @ ..] => (*l, *s, rest),
        _ => return,
    };
    let max_event_size = if limit & 0x80 == 0 {
        usize::MAX
    } else {
        usize::from(limit & 0x7f)
    };

    // Split points from a tiny linear congruential generator, so every input
    // maps to one deterministic chunking.
    let mut pieces = Vec::new();
    let mut rest = body;
    let mut state = u32::from(seed) | 1;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let len = (state >> 16) as usize % (rest.len() + 1);
        let (head, tail) = rest.split_at(len);
        pieces.push(head);
        rest = tail;
    }

    for strict in [false, true] {
        let options = SseOptions {
            max_event_size,
            strict,
            ..SseOptions::default()
        };
        let (whole, whole_stats) = run(&[body], &options);
        let (split, split_stats) = run(&pieces, &options);
        assert_eq!(
            split, whole,
            "chunking changed the result (strict={strict})"
        );
        assert_eq!(whole_stats.bytes_scanned, body.len() as u64);
        assert_eq!(split_stats.bytes_scanned, body.len() as u64);
        assert!(split_stats.buffer_high_water <= max_event_size);
    }

    // Lenient finish = the spec applied to the body plus its missing blank line.
    if max_event_size == usize::MAX {
        let lenient = run(&[body], &SseOptions::default()).0;
        let terminated = [body, b"\n\n"].concat();
        let strict = SseOptions {
            strict: true,
            ..SseOptions::default()
        };
        assert_eq!(lenient, run(&[&terminated], &strict).0);
    }
});

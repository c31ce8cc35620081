//! Runs one decoder over one benchmark corpus, for profiling on a busy
//! machine where wall-clock benchmarks are noise. Instruction counts from
//! callgrind are deterministic, so before/after comparisons need no quiet
//! machine:
//!
//! ```text
//! cargo build --release --example framing_profile
//! valgrind --tool=callgrind --toggle-collect='framing_profile::measured_pass' \
//!     target/release/examples/framing_profile zenwire chat 64 2
//! ```
//!
//! Arguments: `IMPL CORPUS PIECE [PASSES]` with IMPL one of `zenwire` (the
//! SSE framing via `push_with`, borrowed events), `zenwire-vec` (via `push`
//! into a `Vec` of owned events),
//! `sse-stream`, `decode` (the full `StreamDecoder`); CORPUS a key of the
//! bench corpus (`chat`, `responses`, `messages`, `gemini-image`); PIECE the
//! piece size in bytes, 0 for the whole body. It prints the best pass's MiB/s
//! (the fastest of PASSES timed passes is the least disturbed one).

#[path = "../benches/corpus/mod.rs"]
#[allow(dead_code)]
mod corpus;

use std::convert::Infallible;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use futures::executor::block_on;
use futures::StreamExt;
use sse_stream::SseByteStream;
use zenwire::{SseDecoder, SseItem, SseItemRef, StreamDecoder};

/// What is run.
#[derive(Clone, Copy)]
enum Imp {
    Zenwire,
    ZenwireVec,
    SseStream,
    Decode,
}

/// Events and data bytes seen, so no work is optimized away.
#[derive(Default)]
struct Tally {
    events: usize,
    data: usize,
}

impl Tally {
    /// A borrowed item, from `push_with`.
    fn item(&mut self, item: SseItemRef<'_>) {
        if let SseItemRef::Event(ev) = item {
            self.events += 1;
            self.data += ev.data.len();
        }
    }

    /// An owned item, from `push`.
    fn owned(&mut self, item: SseItem) {
        if let SseItem::Event(ev) = item {
            self.events += 1;
            self.data += ev.data.len();
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("framing_profile: {e}");
            eprintln!("usage: framing_profile zenwire|zenwire-vec|sse-stream|decode CORPUS PIECE [PASSES]");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let [imp, key, piece, rest @ ..] = args else {
        return Err("missing arguments".into());
    };
    let imp = match imp.as_str() {
        "zenwire" => Imp::Zenwire,
        "zenwire-vec" => Imp::ZenwireVec,
        "sse-stream" => Imp::SseStream,
        "decode" => Imp::Decode,
        other => return Err(format!("unknown implementation {other:?}")),
    };
    let piece: usize = piece.parse().map_err(|e| format!("piece {piece:?}: {e}"))?;
    let passes: usize = match rest.first() {
        Some(p) => p.parse().map_err(|e| format!("passes {p:?}: {e}"))?,
        None => 1,
    };
    let root = corpus::shared_fixtures().ok_or("shared fixtures not found")?;
    let corpora = corpus::load(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let corpus = corpora
        .iter()
        .find(|c| c.key == key.as_str())
        .ok_or_else(|| format!("no corpus {key:?}"))?;
    let mut tally = Tally::default();
    let mut best = f64::INFINITY;
    for _ in 0..passes {
        let start = Instant::now();
        measured_pass(imp, corpus, piece, &mut tally);
        best = best.min(start.elapsed().as_secs_f64());
    }
    let tally = black_box(tally);
    println!(
        "{key} piece {piece}: {} events, {} data bytes, {} bytes/pass, best pass {:.1} MiB/s",
        tally.events,
        tally.data,
        corpus.bytes(),
        corpus.bytes() as f64 / 1048576.0 / best
    );
    Ok(())
}

/// One pass over every body of `corpus`, fed in pieces of `piece` bytes.
#[inline(never)]
fn measured_pass(imp: Imp, corpus: &corpus::Corpus, piece: usize, t: &mut Tally) {
    for body in &corpus.bodies {
        let size = if piece == 0 {
            body.bytes.len().max(1)
        } else {
            piece
        };
        let pieces = body.bytes.chunks(size);
        match imp {
            Imp::Zenwire => {
                let mut dec = SseDecoder::new();
                for p in pieces {
                    dec.push_with(p, |item| t.item(item));
                }
                dec.finish_with(|item| t.item(item));
            }
            Imp::ZenwireVec => {
                let mut dec = SseDecoder::new();
                let mut items = Vec::new();
                for p in pieces {
                    dec.push(p, &mut items);
                    items.drain(..).for_each(|item| t.owned(item));
                }
                dec.finish(&mut items);
                items.drain(..).for_each(|item| t.owned(item));
            }
            Imp::SseStream => {
                let mut s =
                    SseByteStream::new(futures::stream::iter(pieces.map(Ok::<_, Infallible>)));
                block_on(async {
                    while let Some(item) = s.next().await {
                        if let Ok(ev) = item {
                            t.events += 1;
                            t.data += ev.data.as_ref().map_or(0, String::len);
                        }
                    }
                });
            }
            Imp::Decode => {
                let mut dec = StreamDecoder::new(corpus.format);
                let mut out = Vec::new();
                for p in pieces {
                    dec.push(p, &mut out);
                    t.events += out.len();
                    out.clear();
                }
                dec.finish(&mut out);
                t.events += out.len();
                t.data += dec.into_message().text().len();
            }
        }
    }
}

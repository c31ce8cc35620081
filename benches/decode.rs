//! Decoding throughput: zenwire's SSE framing against `sse-stream` and
//! `eventsource-stream`, and zenwire's full decode (framing + wire format +
//! accumulator), over every streaming recording in the shared fixtures, fed in
//! pieces of several sizes.
//!
//! `cargo bench --bench decode` runs the criterion groups `framing` and
//! `decode`, then prints a markdown table (its own short timing loop, since
//! criterion reports no ratios) of MiB/s per corpus × piece size. Run as a test
//! (`cargo test --benches`) it only decodes every corpus once as a smoke check.
//!
//! A case whose single pass takes longer than [`PROBE_LIMIT`] is reported as a
//! collapse and not benchmarked further: feeding a 1.7 MB event in 7-byte
//! pieces to a decoder that rescans its buffer on every piece is quadratic.
//!
//! What each framer does per pass, so that the comparison is like for like:
//!
//! * All three hand over each event's data as UTF-8 validated text
//!   (zenwire and `eventsource-stream` replace invalid bytes, `sse-stream`
//!   rejects them), the same events (counts are printed after the table),
//!   and the consumer does the same with each: counts it, adds its data
//!   length to a checksum and drops it at once. The difference is what the
//!   API hands over: zenwire a borrowed `&str` (its zero-copy API: pointing
//!   into the piece, or into the decoder's reused buffer when the event
//!   spans pieces), the other two an owned `String` per event, which they
//!   build whatever the caller needs. Every framer reads each data byte at
//!   least twice (line scan, UTF-8 validation); only the copy and the
//!   allocation are what zenwire's API saves. A caller who needs ownership
//!   pays them back with `into_owned` (`framing_profile zenwire-vec`).
//! * zenwire (`SseDecoder::push_with`, a plain call per piece): WHATWG rules
//!   including `Last-Event-ID` inheritance (borrowed, no clone per event),
//!   the size limit, counters, lenient finish.
//! * `sse-stream` 0.3 (`SseByteStream` over `futures::stream::iter`, driven by
//!   `block_on`): the same line scan (`memchr2`, scalar for short tails), data
//!   lines validated with `simdutf8`, comments dropped unallocated (the corpus
//!   has none), no id inheritance, no size limit. Its parser is private, so
//!   one future poll per event is the cheapest way to drive it and is part of
//!   its cost as any caller sees it.
//! * `eventsource-stream` 0.2: a `nom` line parser over a `String` buffer,
//!   driven the same way.

mod corpus;

use std::cell::Cell;
use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use eventsource_stream::Eventsource;
use futures::executor::block_on;
use futures::StreamExt;
use sse_stream::SseByteStream;
use zenwire::{SseDecoder, SseItemRef, StreamDecoder};

use corpus::Corpus;

/// Longest one pass of one case may take before it counts as a collapse.
const PROBE_LIMIT: Duration = Duration::from_secs(1);
/// Time the report's own loop spends on each case.
const REPORT_TIME: Duration = Duration::from_millis(250);
/// Probe limit in smoke (test) mode, where the build is unoptimized.
const SMOKE_LIMIT: Duration = Duration::from_millis(200);

/// How the body is split before it is fed to a decoder.
#[derive(Clone, Copy, PartialEq)]
enum Piece {
    /// The whole body at once.
    Whole,
    /// Pieces of this many bytes.
    Bytes(usize),
}

impl Piece {
    const ALL: [Piece; 4] = [
        Piece::Whole,
        Piece::Bytes(4096),
        Piece::Bytes(64),
        Piece::Bytes(7),
    ];

    fn label(self) -> String {
        match self {
            Piece::Whole => "whole".to_owned(),
            Piece::Bytes(n) => n.to_string(),
        }
    }

    fn split(self, body: &[u8]) -> std::slice::Chunks<'_, u8> {
        match self {
            Piece::Whole => body.chunks(body.len().max(1)),
            Piece::Bytes(n) => body.chunks(n),
        }
    }
}

/// What is measured.
#[derive(Clone, Copy, PartialEq)]
enum Imp {
    /// zenwire's `SseDecoder` alone.
    Zenwire,
    /// `sse-stream`'s `SseByteStream`.
    SseStream,
    /// `eventsource-stream`'s `EventStream`.
    EventsourceStream,
    /// zenwire's full `StreamDecoder`.
    ZenwireDecode,
}

impl Imp {
    const FRAMING: [Imp; 3] = [Imp::Zenwire, Imp::SseStream, Imp::EventsourceStream];
    const ALL: [Imp; 4] = [
        Imp::Zenwire,
        Imp::SseStream,
        Imp::EventsourceStream,
        Imp::ZenwireDecode,
    ];

    fn name(self) -> &'static str {
        match self {
            Imp::Zenwire => "zenwire",
            Imp::SseStream => "sse-stream",
            Imp::EventsourceStream => "eventsource-stream",
            Imp::ZenwireDecode => "zenwire-decode",
        }
    }
}

/// What one pass produced, so that no decoder's work can be optimized away
/// and the implementations can be compared for agreement.
#[derive(Default, Clone, Copy)]
struct Tally {
    /// Events (SSE events, or unified events for the full decode).
    events: usize,
    /// Bytes of event data seen (a cheap checksum).
    data: usize,
    /// Bytes fed to the decoder.
    fed: usize,
    /// The pass hit its deadline before the input ended.
    stopped: bool,
}

/// Feeds `body` in pieces, counting what is fed and giving up once `deadline`
/// passes (checked per piece, only when a deadline is set).
fn pieces<'a>(
    body: &'a [u8],
    piece: Piece,
    deadline: Option<Instant>,
    fed: &'a Cell<usize>,
    stopped: &'a Cell<bool>,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    piece
        .split(body)
        .take_while(move |_| {
            let late = deadline.is_some_and(|d| Instant::now() >= d);
            stopped.set(stopped.get() || late);
            !late
        })
        .inspect(move |p| fed.set(fed.get() + p.len()))
}

/// One pass of `imp` over every body of `corpus`.
fn run(imp: Imp, corpus: &Corpus, piece: Piece, deadline: Option<Instant>) -> Tally {
    let fed = Cell::new(0);
    let stopped = Cell::new(false);
    let mut t = Tally::default();
    for body in &corpus.bodies {
        if stopped.get() {
            break;
        }
        let input = pieces(&body.bytes, piece, deadline, &fed, &stopped);
        match imp {
            Imp::Zenwire => {
                // The streaming API: each event is handed over (borrowed),
                // counted and dropped as soon as it is framed, like the items
                // polled from the stream decoders below.
                let mut dec = SseDecoder::new();
                let mut tally = |item: SseItemRef<'_>| {
                    if let SseItemRef::Event(ev) = item {
                        t.events += 1;
                        t.data += ev.data.len();
                    }
                };
                for p in input {
                    dec.push_with(p, &mut tally);
                }
                dec.finish_with(&mut tally);
            }
            Imp::SseStream => {
                let mut s =
                    SseByteStream::new(futures::stream::iter(input.map(Ok::<_, Infallible>)));
                block_on(async {
                    while let Some(item) = s.next().await {
                        if let Ok(ev) = item {
                            t.events += 1;
                            t.data += ev.data.as_ref().map_or(0, String::len);
                        }
                    }
                });
            }
            Imp::EventsourceStream => {
                let mut s = futures::stream::iter(input.map(Ok::<_, Infallible>)).eventsource();
                block_on(async {
                    while let Some(item) = s.next().await {
                        if let Ok(ev) = item {
                            t.events += 1;
                            t.data += ev.data.len();
                        }
                    }
                });
            }
            Imp::ZenwireDecode => {
                let mut dec = StreamDecoder::new(corpus.format);
                let mut events = Vec::new();
                for p in input {
                    dec.push(p, &mut events);
                    t.events += events.len();
                    events.clear();
                }
                dec.finish(&mut events);
                t.events += events.len();
                t.data += dec.into_message().text().len();
            }
        }
    }
    t.fed = fed.get();
    t.stopped = stopped.get();
    black_box(t)
}

/// One measured case.
struct Case<'a> {
    corpus: &'a Corpus,
    piece: Piece,
    imp: Imp,
    /// The first (probe) pass.
    probe: Tally,
    probe_time: Duration,
    /// MiB/s from the report loop, once measured.
    mib_s: Option<f64>,
}

impl Case<'_> {
    fn collapsed(&self) -> bool {
        self.probe.stopped
    }
}

fn mib_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / time.as_secs_f64().max(1e-9)
}

/// One bounded pass of every implementation over every corpus at each of
/// `pieces`: a warm-up, and the detector of collapsing cases.
fn probe_all<'a>(corpora: &'a [Corpus], pieces: &[Piece], limit: Duration) -> Vec<Case<'a>> {
    let mut cases = Vec::new();
    for corpus in corpora {
        for &piece in pieces {
            for imp in Imp::ALL {
                let start = Instant::now();
                let probe = run(imp, corpus, piece, Some(start + limit));
                cases.push(Case {
                    corpus,
                    piece,
                    imp,
                    probe,
                    probe_time: start.elapsed(),
                    mib_s: None,
                });
            }
        }
    }
    cases
}

fn criterion_groups(c: &mut Criterion, cases: &[Case]) {
    for (group_name, imps) in [
        ("framing", &Imp::FRAMING[..]),
        ("decode", &[Imp::ZenwireDecode][..]),
    ] {
        let mut group = c.benchmark_group(group_name);
        // Flat sampling: a slow case (large body in tiny pieces) still finishes
        // in about `measurement_time` instead of the linear mode's 55 passes.
        group.sampling_mode(SamplingMode::Flat);
        for case in cases.iter().filter(|c| imps.contains(&c.imp)) {
            if case.collapsed() {
                continue;
            }
            group.throughput(Throughput::Bytes(case.corpus.bytes() as u64));
            let id = BenchmarkId::new(
                format!("{}/{}", case.corpus.key, case.imp.name()),
                case.piece.label(),
            );
            group.bench_function(id, |b| {
                b.iter(|| run(case.imp, case.corpus, case.piece, None))
            });
        }
        group.finish();
    }
}

/// The report's own timing: repeated passes for about [`REPORT_TIME`].
fn measure(cases: &mut [Case]) {
    for case in cases.iter_mut().filter(|c| !c.collapsed()) {
        let start = Instant::now();
        let mut passes = 0usize;
        while passes < 2 || start.elapsed() < REPORT_TIME {
            run(case.imp, case.corpus, case.piece, None);
            passes += 1;
        }
        case.mib_s = Some(mib_per_s(case.corpus.bytes() * passes, start.elapsed()));
    }
}

fn cell(case: Option<&Case>) -> String {
    match case {
        Some(Case { mib_s: Some(v), .. }) => format!("{v:.1}"),
        Some(c) if c.collapsed() => {
            let share = 100.0 * c.probe.fed as f64 / c.corpus.bytes().max(1) as f64;
            format!(
                "collapse: {share:.0}% in {:.0} s",
                c.probe_time.as_secs_f64()
            )
        }
        _ => "–".to_owned(),
    }
}

fn ratio(zen: Option<&Case>, other: Option<&Case>) -> String {
    match (zen, other) {
        (Some(z), Some(o)) => match (z.mib_s, o.mib_s) {
            (Some(a), Some(b)) => format!("{:.2}×", a / b.max(1e-9)),
            // The other decoder collapsed: its probe rate bounds it from above.
            (Some(a), None) if o.collapsed() => {
                let bound = mib_per_s(o.probe.fed, o.probe_time);
                format!("> {:.0}×", a / bound.max(1e-9))
            }
            _ => "–".to_owned(),
        },
        _ => "–".to_owned(),
    }
}

fn report(corpora: &[Corpus], cases: &[Case]) {
    let find = |corpus: &Corpus, piece: Piece, imp: Imp| {
        cases
            .iter()
            .find(|c| std::ptr::eq(c.corpus, corpus) && c.piece == piece && c.imp == imp)
    };
    println!();
    println!("### Decoding throughput (MiB/s, higher is better)");
    println!();
    println!(
        "| corpus | piece | zenwire SSE | sse-stream | eventsource-stream | zenwire / sse-stream | zenwire full decode |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for corpus in corpora {
        for piece in Piece::ALL {
            let zen = find(corpus, piece, Imp::Zenwire);
            let sse = find(corpus, piece, Imp::SseStream);
            println!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                corpus.label(),
                piece.label(),
                cell(zen),
                cell(sse),
                cell(find(corpus, piece, Imp::EventsourceStream)),
                ratio(zen, sse),
                cell(find(corpus, piece, Imp::ZenwireDecode)),
            );
        }
    }
    println!();
    println!("SSE events per pass (whole body; the framers should agree):");
    for corpus in corpora {
        let counts: Vec<String> = Imp::FRAMING
            .iter()
            .filter_map(|&imp| find(corpus, Piece::Whole, imp))
            .map(|c| format!("{} {}", c.imp.name(), c.probe.events))
            .collect();
        let unified = find(corpus, Piece::Whole, Imp::ZenwireDecode).map_or(0, |c| c.probe.events);
        let files: Vec<&str> = corpus.bodies.iter().map(|b| b.name.as_str()).collect();
        println!(
            "- {}: {}; unified events {unified} (files: {})",
            corpus.key,
            counts.join(", "),
            files.join(", ")
        );
    }
}

/// Whether cargo asked for a benchmark run (`cargo bench` passes `--bench`;
/// `cargo test --benches` does not), mirroring criterion's own rule.
fn benchmark_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list")
}

fn main() {
    let bench = benchmark_mode();
    let Some(root) = corpus::shared_fixtures() else {
        eprintln!(
            "decode bench: shared fixtures not found (set ZENWIRE_SHARED_FIXTURES to the fixtures directory)"
        );
        if bench {
            std::process::exit(1);
        }
        return;
    };
    let corpora = match corpus::load(&root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("decode bench: cannot read {}: {e}", root.display());
            std::process::exit(1);
        }
    };

    if !bench {
        // Smoke run: every implementation over every corpus once, bounded.
        let cases = probe_all(&corpora, &[Piece::Whole, Piece::Bytes(64)], SMOKE_LIMIT);
        println!(
            "decode bench (test mode): {} cases decoded once",
            cases.len()
        );
        return;
    }

    let mut cases = probe_all(&corpora, &Piece::ALL, PROBE_LIMIT);
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    criterion_groups(&mut c, &cases);
    c.final_summary();

    measure(&mut cases);
    report(&corpora, &cases);
}

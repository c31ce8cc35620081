//! `decode` — decodes a recorded (or live, piped) Zen streaming response body
//! into zenwire's unified events, one JSON object per line.
//!
//! ```text
//! cargo run --release --example decode -- --format chat response.sse
//! curl -sN … | cargo run --release --example decode -- --format messages -
//! ```
//!
//! The input is read and decoded piece by piece, never as a whole, and stdout
//! is flushed after every piece, so an endless stream piped in is decoded live.
//! Run with `--help` for the options and the output format.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, ErrorKind as IoErrorKind, Read, Write};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use zenwire::sse::{SseDecoder, SseOptions};
use zenwire::wire::{AnyWireDecoder, WireDecoder};
use zenwire::{Event, Message, SseItem, StreamDecoder, WireFormat};

const HELP: &str = "\
decode — decode a Zen streaming response body into zenwire events

USAGE:
    decode --format <chat|responses|messages|gemini> [OPTIONS] FILE
    decode --sse [OPTIONS] FILE

FILE is the response body (SSE text); `-` reads standard input.

OPTIONS:
    --format <F>   Wire format of the body: chat (Chat Completions), responses
                   (OpenAI Responses), messages (Anthropic Messages), gemini.
                   Required unless --sse is given.
    --chunk <N>    Feed the decoder exact N-byte pieces (the last may be shorter),
                   to check that decoding does not depend on how the body is split.
                   Without it, each read of up to 64 KiB is fed as it arrives.
    --sse          Print the raw SSE items instead of unified events.
    --strict       Follow the SSE spec to the letter at end of input: drop a last
                   event that no blank line ended (default: dispatch it).
    --no-message   Do not accumulate or print the final message. Memory then stays
                   constant however long the stream runs (the message otherwise
                   grows with the text it collects).
    -h, --help     Print this help.

OUTPUT (one JSON object per line, stdout flushed after every input piece):
    default   each unified event, e.g. {\"type\":\"textDelta\",\"choice\":0,\"text\":\"Hi\"},
              then, last, {\"type\":\"message\",…} with the accumulated message.
    --sse     {\"event\":…,\"data\":…,\"id\":…,\"retry\":…} for each dispatched event
              (absent fields are null), {\"comment\":\"…\"} for each comment line,
              and a unified error event {\"type\":\"error\",…} for a framing error.

A malformed stream is reported as error events and exits 0. An unreadable
input, an output failure or bad options exit non-zero with a one-line message.";

/// Size of one read when `--chunk` is not given.
const DEFAULT_PIECE: usize = 64 * 1024;

/// Exit code for bad command-line usage (the BSD `EX_USAGE` convention).
const EXIT_USAGE: u8 = 2;

/// What the command line asks for.
#[derive(Debug, PartialEq)]
enum Cli {
    /// `--help`.
    Help,
    /// Decode an input.
    Run(Options),
}

/// A validated command line.
#[derive(Debug, PartialEq)]
struct Options {
    /// What to print.
    output: Output,
    /// `--chunk N`: exact piece size.
    chunk: Option<NonZeroUsize>,
    /// `--strict`.
    strict: bool,
    /// Where the body comes from.
    input: Input,
}

/// What to print.
#[derive(Debug, PartialEq)]
enum Output {
    /// Unified events of `format`, then the message when `message` is set.
    Events { format: WireFormat, message: bool },
    /// Raw SSE items.
    Sse,
}

/// The input to decode.
#[derive(Debug, PartialEq)]
enum Input {
    /// `-`.
    Stdin,
    /// A file path.
    File(PathBuf),
}

impl Input {
    /// How the input is named in messages.
    fn name(&self) -> String {
        match self {
            Input::Stdin => "standard input".to_owned(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// Parses the arguments after the program name.
fn parse_args<I: IntoIterator<Item = OsString>>(args: I) -> Result<Cli, String> {
    let mut format: Option<WireFormat> = None;
    let mut chunk = None;
    let mut sse = false;
    let mut strict = false;
    let mut message = true;
    let mut files: Vec<OsString> = Vec::new();
    let mut args = args.into_iter();
    let mut only_files = false;

    while let Some(arg) = args.next() {
        if only_files {
            files.push(arg);
            continue;
        }
        // A non-UTF-8 argument can only be a file name.
        let Some(text) = arg.to_str() else {
            files.push(arg);
            continue;
        };
        // `--name=value` and `--name value` are both accepted.
        let (name, inline) = match text.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (text, None),
        };
        let mut value = |flag: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or_else(|| format!("{flag} needs a value")),
            }
        };
        match name {
            "-h" | "--help" => return Ok(Cli::Help),
            "--format" => format = Some(value("--format")?.parse::<WireFormat>()?),
            "--chunk" => {
                let raw = value("--chunk")?;
                let n = raw.parse::<NonZeroUsize>().map_err(|_| {
                    format!("--chunk needs a whole number of bytes ≥ 1, got {raw:?}")
                })?;
                chunk = Some(n);
            }
            "--sse" | "--strict" | "--no-message" if inline.is_some() => {
                return Err(format!("{name} takes no value"));
            }
            "--sse" => sse = true,
            "--strict" => strict = true,
            "--no-message" => message = false,
            "--" => only_files = true,
            "-" => files.push(arg),
            _ if name.starts_with('-') => return Err(format!("unknown option {name}")),
            _ => files.push(arg),
        }
    }

    let input = match files.len() {
        0 => return Err("missing FILE (use - for standard input)".to_owned()),
        1 => match files.pop() {
            Some(f) if f == "-" => Input::Stdin,
            Some(f) => Input::File(PathBuf::from(f)),
            None => return Err("missing FILE (use - for standard input)".to_owned()),
        },
        _ => return Err("give exactly one FILE".to_owned()),
    };
    let output = match (sse, format) {
        // The format plays no part in SSE framing, so it is accepted and ignored.
        (true, _) => Output::Sse,
        (false, Some(format)) => Output::Events { format, message },
        (false, None) => {
            return Err("missing --format <chat|responses|messages|gemini>".to_owned());
        }
    };
    Ok(Cli::Run(Options {
        output,
        chunk,
        strict,
        input,
    }))
}

/// Something that consumes body pieces and prints what they decode to.
trait Sink {
    /// Decodes one piece, writing the resulting lines.
    fn push(&mut self, piece: &[u8], out: &mut dyn Write) -> io::Result<()>;
    /// End of input: writes the remaining lines.
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()>;
}

/// Prints unified events and, at the end, the accumulated message.
struct EventSink {
    decoder: StreamDecoder,
    events: Vec<Event>,
}

impl Sink for EventSink {
    fn push(&mut self, piece: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.decoder.push(piece, &mut self.events);
        write_events(&mut self.events, out)
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.decoder.finish(&mut self.events);
        write_events(&mut self.events, out)?;
        write_message(self.decoder.message(), out)
    }
}

/// Prints unified events without keeping a message, for constant memory.
/// `StreamDecoder` always accumulates, so this wires the SSE and wire decoders
/// together itself, handling SSE items exactly as `StreamDecoder` does.
struct EventOnlySink {
    sse: SseDecoder,
    wire: AnyWireDecoder,
    items: Vec<SseItem>,
    events: Vec<Event>,
}

impl EventOnlySink {
    fn drain(&mut self, out: &mut dyn Write) -> io::Result<()> {
        for item in self.items.drain(..) {
            match item {
                SseItem::Event(ev) => self.wire.on_event(&ev.view(), &mut self.events),
                SseItem::Comment(_) => {}
                SseItem::Error(err) => self.events.push(err.into_event()),
            }
        }
        write_events(&mut self.events, out)
    }
}

impl Sink for EventOnlySink {
    fn push(&mut self, piece: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.sse.push(piece, &mut self.items);
        self.drain(out)
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.sse.finish(&mut self.items);
        self.drain(out)?;
        self.wire.finish(&mut self.events);
        write_events(&mut self.events, out)
    }
}

/// Prints raw SSE items.
struct SseSink {
    decoder: SseDecoder,
    items: Vec<SseItem>,
}

impl Sink for SseSink {
    fn push(&mut self, piece: &[u8], out: &mut dyn Write) -> io::Result<()> {
        self.decoder.push(piece, &mut self.items);
        write_sse_items(&mut self.items, out)
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.decoder.finish(&mut self.items);
        write_sse_items(&mut self.items, out)
    }
}

/// The sink the options ask for.
fn make_sink(opts: &Options) -> Box<dyn Sink> {
    let sse_options = SseOptions {
        strict: opts.strict,
        ..SseOptions::default()
    };
    match opts.output {
        Output::Events {
            format,
            message: true,
        } => Box::new(EventSink {
            decoder: StreamDecoder::with_options(format, sse_options),
            events: Vec::new(),
        }),
        Output::Events {
            format,
            message: false,
        } => Box::new(EventOnlySink {
            sse: SseDecoder::with_options(sse_options),
            wire: AnyWireDecoder::new(format),
            items: Vec::new(),
            events: Vec::new(),
        }),
        Output::Sse => Box::new(SseSink {
            decoder: SseDecoder::with_options(sse_options),
            items: Vec::new(),
        }),
    }
}

/// Writes each event as a JSON line and empties `events`.
fn write_events(events: &mut Vec<Event>, out: &mut dyn Write) -> io::Result<()> {
    for ev in events.drain(..) {
        serde_json::to_writer(&mut *out, &ev)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes the message as one JSON line tagged `"type":"message"` first, like
/// the events. Splicing the tag into the serialized text keeps it first without
/// relying on the map order of `serde_json::Value`.
fn write_message(message: &Message, out: &mut dyn Write) -> io::Result<()> {
    let json = serde_json::to_string(message)?;
    match json.strip_prefix('{') {
        Some("}") => out.write_all(b"{\"type\":\"message\"}\n"),
        Some(fields) => writeln!(out, "{{\"type\":\"message\",{fields}"),
        // A struct always serializes as an object; anything else is a bug
        // worth seeing verbatim rather than hiding.
        None => writeln!(out, "{json}"),
    }
}

/// One dispatched SSE event as printed by `--sse`.
#[derive(Serialize)]
struct SseEventLine<'a> {
    event: Option<&'a str>,
    data: &'a str,
    id: Option<&'a str>,
    retry: Option<u64>,
}

/// One SSE comment as printed by `--sse`.
#[derive(Serialize)]
struct SseCommentLine<'a> {
    comment: &'a str,
}

/// Writes each SSE item as a JSON line and empties `items`.
fn write_sse_items(items: &mut Vec<SseItem>, out: &mut dyn Write) -> io::Result<()> {
    for item in items.drain(..) {
        match item {
            SseItem::Event(ev) => serde_json::to_writer(
                &mut *out,
                &SseEventLine {
                    event: ev.event.as_deref(),
                    data: &ev.data,
                    id: ev.id.as_deref(),
                    retry: ev.retry,
                },
            )?,
            SseItem::Comment(text) => {
                serde_json::to_writer(&mut *out, &SseCommentLine { comment: &text })?
            }
            SseItem::Error(err) => serde_json::to_writer(&mut *out, &err.into_event())?,
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Why decoding stopped early.
#[derive(Debug)]
enum Failure {
    /// The input could not be read.
    Read(io::Error),
    /// The output could not be written.
    Write(io::Error),
}

/// Feeds `input` to `sink` piece by piece, flushing `out` after each piece so
/// a consumer of a live stream sees events as soon as they are decoded.
///
/// With `chunk`, every piece but the last is exactly that long (reads are
/// joined until it is full); without, each read of up to 64 KiB is a piece,
/// so nothing waits for more input than has arrived.
fn pump(
    input: &mut dyn Read,
    chunk: Option<NonZeroUsize>,
    sink: &mut dyn Sink,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let size = chunk.map_or(DEFAULT_PIECE, NonZeroUsize::get);
    let mut buf = vec![0u8; size];
    loop {
        let filled = if chunk.is_some() {
            read_full(input, &mut buf)?
        } else {
            read_some(input, &mut buf)?
        };
        let Some(piece) = buf.get(..filled).filter(|p| !p.is_empty()) else {
            break;
        };
        sink.push(piece, out).map_err(Failure::Write)?;
        out.flush().map_err(Failure::Write)?;
        if chunk.is_some() && filled < size {
            break; // read_full stops short only at end of input
        }
    }
    sink.finish(out).map_err(Failure::Write)?;
    out.flush().map_err(Failure::Write)
}

/// One read, retried on interruption; 0 means end of input.
fn read_some(input: &mut dyn Read, buf: &mut [u8]) -> Result<usize, Failure> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == IoErrorKind::Interrupted => continue,
            other => return other.map_err(Failure::Read),
        }
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(input: &mut dyn Read, buf: &mut [u8]) -> Result<usize, Failure> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|r| !r.is_empty()) {
        match read_some(input, rest)? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args_os().skip(1)) {
        Ok(Cli::Help) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Ok(Cli::Run(opts)) => opts,
        Err(msg) => {
            eprintln!("decode: {msg} (see --help)");
            return ExitCode::from(EXIT_USAGE);
        }
    };

    let stdin = io::stdin();
    let mut input: Box<dyn Read> = match &opts.input {
        Input::Stdin => Box::new(stdin.lock()),
        Input::File(path) => match File::open(path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                eprintln!("decode: cannot open {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let mut sink = make_sink(&opts);

    match pump(&mut input, opts.chunk, sink.as_mut(), &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`decode … | head`): nothing left to do.
        Err(Failure::Write(e)) if e.kind() == IoErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Write(e)) => {
            eprintln!("decode: cannot write output: {e}");
            ExitCode::FAILURE
        }
        Err(Failure::Read(e)) => {
            eprintln!("decode: cannot read {}: {e}", opts.input.name());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zenwire::sse::SseError;
    use zenwire::{ErrorKind, FinishReason, SseEvent};

    fn args(list: &[&str]) -> Result<Cli, String> {
        parse_args(list.iter().map(OsString::from))
    }

    fn run_opts(list: &[&str]) -> Options {
        match args(list) {
            Ok(Cli::Run(opts)) => opts,
            other => panic!("expected options for {list:?}, got {other:?}"),
        }
    }

    #[test]
    fn parses_a_full_command_line() {
        let opts = run_opts(&["--format", "messages", "--chunk=7", "--strict", "body.sse"]);
        assert_eq!(
            opts,
            Options {
                output: Output::Events {
                    format: WireFormat::Messages,
                    message: true
                },
                chunk: NonZeroUsize::new(7),
                strict: true,
                input: Input::File(PathBuf::from("body.sse")),
            }
        );
    }

    #[test]
    fn dash_is_stdin_and_sse_needs_no_format() {
        let opts = run_opts(&["--sse", "-"]);
        assert_eq!(opts.output, Output::Sse);
        assert_eq!(opts.input, Input::Stdin);
        assert_eq!(opts.chunk, None);
        assert!(!opts.strict);
    }

    #[test]
    fn double_dash_allows_a_file_named_like_an_option() {
        let opts = run_opts(&["--format=gemini", "--no-message", "--", "--sse"]);
        assert_eq!(
            opts.output,
            Output::Events {
                format: WireFormat::Gemini,
                message: false
            }
        );
        assert_eq!(opts.input, Input::File(PathBuf::from("--sse")));
    }

    #[test]
    fn help_wins() {
        assert_eq!(args(&["-h"]), Ok(Cli::Help));
        assert_eq!(args(&["x", "--help"]), Ok(Cli::Help));
    }

    #[test]
    fn rejects_bad_command_lines_with_a_reason() {
        let cases: &[(&[&str], &str)] = &[
            (&["f"], "missing --format"),
            (&["--format", "chat"], "missing FILE"),
            (&["--format", "chat", "a", "b"], "exactly one FILE"),
            (&["--format", "grpc", "f"], "unknown wire format"),
            (&["--format"], "--format needs a value"),
            (&["--format", "chat", "--chunk", "0", "f"], "--chunk needs"),
            (&["--format", "chat", "--chunk", "-3", "f"], "--chunk needs"),
            (
                &["--format", "chat", "--chunks", "3", "f"],
                "unknown option --chunks",
            ),
            (
                &["--format", "chat", "--sse=yes", "f"],
                "--sse takes no value",
            ),
        ];
        for (line, want) in cases {
            match args(line) {
                Err(msg) => assert!(msg.contains(want), "{line:?}: {msg:?} lacks {want:?}"),
                Ok(cli) => panic!("{line:?} was accepted as {cli:?}"),
            }
        }
    }

    /// Records the pieces it is fed and writes one marker line per piece.
    #[derive(Default)]
    struct Recorder {
        pieces: Vec<Vec<u8>>,
        finished: bool,
    }

    impl Sink for Recorder {
        fn push(&mut self, piece: &[u8], out: &mut dyn Write) -> io::Result<()> {
            self.pieces.push(piece.to_vec());
            out.write_all(b"piece\n")
        }
        fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
            self.finished = true;
            out.write_all(b"end\n")
        }
    }

    /// A reader that hands out at most `step` bytes per read, like a pipe.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            let (head, tail) = self.data.split_at(n);
            buf[..n].copy_from_slice(head);
            self.data = tail;
            Ok(n)
        }
    }

    /// Counts flushes, and how many lines had been written at each.
    #[derive(Default)]
    struct FlushLog {
        written: Vec<u8>,
        lines_at_flush: Vec<usize>,
    }

    impl Write for FlushLog {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            let lines = self.written.iter().filter(|&&b| b == b'\n').count();
            self.lines_at_flush.push(lines);
            Ok(())
        }
    }

    #[test]
    fn chunk_feeds_exact_pieces_even_from_a_trickling_reader() {
        let body: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut sink = Recorder::default();
        let mut out = FlushLog::default();
        let mut input = Trickle {
            data: &body,
            step: 3,
        };
        pump(&mut input, NonZeroUsize::new(64), &mut sink, &mut out).unwrap();
        let sizes: Vec<usize> = sink.pieces.iter().map(Vec::len).collect();
        assert_eq!(sizes.len(), 16); // 15 × 64 + 40
        assert!(sizes[..15].iter().all(|&n| n == 64));
        assert_eq!(sizes[15], 1000 - 15 * 64);
        assert_eq!(sink.pieces.concat(), body);
        assert!(sink.finished);
    }

    #[test]
    fn default_feeds_each_read_as_it_arrives_and_flushes_each_time() {
        let body = b"data: one\n\ndata: two\n\n";
        let mut sink = Recorder::default();
        let mut out = FlushLog::default();
        let mut input = Trickle {
            data: body,
            step: 5,
        };
        pump(&mut input, None, &mut sink, &mut out).unwrap();
        assert_eq!(sink.pieces.len(), body.len().div_ceil(5));
        assert_eq!(sink.pieces.concat(), body);
        // One flush after every piece (its line already written), one at the end.
        let expected: Vec<usize> = (1..=sink.pieces.len() + 1).collect();
        assert_eq!(out.lines_at_flush, expected);
        assert!(out.written.ends_with(b"piece\nend\n"));
    }

    #[test]
    fn empty_input_still_finishes() {
        let mut sink = Recorder::default();
        let mut out = FlushLog::default();
        pump(&mut io::empty(), NonZeroUsize::new(4), &mut sink, &mut out).unwrap();
        assert!(sink.pieces.is_empty());
        assert!(sink.finished);
        assert_eq!(out.written, b"end\n");
    }

    #[test]
    fn read_errors_and_write_errors_are_told_apart() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(IoErrorKind::BrokenPipe))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut sink = Recorder::default();
        let read = pump(&mut Broken, None, &mut sink, &mut FlushLog::default());
        assert!(matches!(read, Err(Failure::Read(e)) if e.to_string() == "disk on fire"));
        let write = pump(&mut &b"abc"[..], None, &mut sink, &mut Broken);
        assert!(matches!(write, Err(Failure::Write(e)) if e.kind() == IoErrorKind::BrokenPipe));
    }

    fn lines(bytes: &[u8]) -> Vec<serde_json::Value> {
        std::str::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn events_print_as_tagged_json_lines() {
        let mut events = vec![
            Event::TextDelta {
                choice: 0,
                text: "Hi \"there\"\n".into(),
            },
            Event::Finish {
                choice: 0,
                reason: FinishReason::Stop,
                raw: Some("stop".into()),
            },
        ];
        let mut out = Vec::new();
        write_events(&mut events, &mut out).unwrap();
        assert!(events.is_empty());
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("{\"type\":\"textDelta\","), "{text}");
        let got = lines(&out);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0]["text"], "Hi \"there\"\n");
        assert_eq!(got[1]["type"], "finish");
        assert_eq!(got[1]["reason"], "stop");
    }

    #[test]
    fn message_line_is_tagged_first_and_complete() {
        let mut message = Message {
            id: Some("resp_1".into()),
            cost: Some("0.00001400".into()),
            ..Message::default()
        };
        message.choice_mut(0).text.push_str("Hello");
        let mut out = Vec::new();
        write_message(&message, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(
            text.starts_with("{\"type\":\"message\",\"id\":\"resp_1\""),
            "{text}"
        );
        assert_eq!(text.matches('\n').count(), 1);
        let got = &lines(&out)[0];
        assert_eq!(got["choices"][0]["text"], "Hello");
        assert_eq!(got["cost"], "0.00001400");
        // Everything but the tag is the message itself.
        let mut without_tag = got.clone();
        without_tag.as_object_mut().unwrap().remove("type");
        assert_eq!(without_tag, serde_json::to_value(&message).unwrap());
    }

    #[test]
    fn sse_items_print_with_every_field() {
        let mut items = vec![
            SseItem::Event(SseEvent {
                event: Some("message_start".into()),
                data: "{\"a\":1}\nline 2".into(),
                id: Some("7".into()),
                retry: Some(1500),
            }),
            SseItem::Event(SseEvent {
                data: "x".into(),
                ..SseEvent::default()
            }),
            SseItem::Comment(" keep-alive".into()),
            SseItem::Error(SseError::EventTooLarge { limit: 10 }),
        ];
        let mut out = Vec::new();
        write_sse_items(&mut items, &mut out).unwrap();
        assert!(items.is_empty());
        let got = lines(&out);
        assert_eq!(
            got[0],
            serde_json::json!({"event": "message_start", "data": "{\"a\":1}\nline 2", "id": "7", "retry": 1500})
        );
        assert_eq!(
            got[1],
            serde_json::json!({"event": null, "data": "x", "id": null, "retry": null})
        );
        assert_eq!(got[2], serde_json::json!({"comment": " keep-alive"}));
        assert_eq!(got[3]["type"], "error");
        assert_eq!(
            got[3]["kind"],
            serde_json::to_value(ErrorKind::Protocol).unwrap()
        );
        assert_eq!(got.len(), 4);
    }

    /// Runs the real decoder pipeline over `body` in pieces of `chunk`.
    fn decode_with(list: &[&str], body: &[u8]) -> Vec<u8> {
        let opts = run_opts(list);
        let mut sink = make_sink(&opts);
        let mut out = Vec::new();
        pump(&mut &body[..], opts.chunk, sink.as_mut(), &mut out).unwrap();
        out
    }

    const CHAT_BODY: &[u8] = b"data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\n\
: keep-alive\n\n\
data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n\
data: [DONE]\n\n";

    #[test]
    fn output_does_not_depend_on_piece_size() {
        for mode in [["--format", "chat"], ["--sse", "--strict"]] {
            let whole = decode_with(&[mode[0], mode[1], "-"], CHAT_BODY);
            for n in ["1", "2", "7", "64"] {
                let split = decode_with(&[mode[0], mode[1], "--chunk", n, "-"], CHAT_BODY);
                assert_eq!(split, whole, "{mode:?} --chunk {n}");
            }
        }
    }

    #[test]
    fn event_output_ends_with_exactly_one_message_line() {
        let out = decode_with(&["--format", "chat", "-"], CHAT_BODY);
        let got = lines(&out);
        let tags: Vec<&str> = got.iter().filter_map(|v| v["type"].as_str()).collect();
        assert_eq!(tags.len(), got.len(), "every line is tagged");
        assert_eq!(tags.iter().filter(|&&t| t == "message").count(), 1);
        assert_eq!(tags.last(), Some(&"message"));

        let bare = decode_with(&["--format", "chat", "--no-message", "-"], CHAT_BODY);
        let mut expected = out.clone();
        // Same events, only the message line missing.
        let cut = expected[..expected.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        expected.truncate(cut);
        assert_eq!(bare, expected);
    }
}

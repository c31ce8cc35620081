//! The `decode` example as a process: exit codes, one-line errors, stdin.
//! Its decoding and output logic is unit-tested inside examples/decode.rs;
//! this checks only what needs a real process.

mod common;

use std::process::Output;

use common::text;

/// Runs `cargo run --example decode -- ARGS` with `stdin` piped in.
fn decode(args: &[&str], stdin: &[u8]) -> Output {
    common::run_example("decode", args, stdin)
}

#[test]
fn failures_exit_non_zero_with_one_line() {
    let cases: [(&[&str], i32, &str); 3] = [
        (
            &["--format", "chat", "no/such/file.sse"],
            1,
            "decode: cannot open no/such/file.sse: ",
        ),
        (&["--format", "chat", "src"], 1, "decode: cannot read src: "),
        (&["--format", "grpc", "-"], 2, "decode: unknown wire format"),
    ];
    for (args, code, prefix) in cases {
        let out = decode(args, b"");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(err.starts_with(prefix), "{args:?}: {err:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn decodes_a_body_piped_to_stdin() {
    let body = b"data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    let out = decode(&["--format", "chat", "--chunk", "5", "-"], body);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let last = lines.last().expect("at least the message line");
    assert_eq!(last["type"], "message");
    assert!(last["choices"].is_array());
    assert!(lines.iter().all(|l| l["type"].is_string()));
}

#[test]
fn sse_mode_and_help() {
    let out = decode(&["--sse", "-"], b": hello\n\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty());

    let help = decode(&["--help"], b"");
    assert!(help.status.success());
    let usage = text(&help.stdout);
    for flag in ["--format", "--chunk", "--sse", "--strict", "--no-message"] {
        assert!(usage.contains(flag), "help lacks {flag}");
    }
}

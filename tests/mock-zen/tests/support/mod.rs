//! Test helpers: start the mock-zen binary on a free port and talk to it with
//! a minimal HTTP/1.1 client that decodes chunked bodies and counts reads.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The valid key the mock is started with.
pub const KEY: &str = "zen-test-key";

/// A running mock, killed on drop.
pub struct Mock {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Mock {
    /// Starts the mock with a short default pacing.
    pub fn start() -> Mock {
        Mock::start_with(&["--delay-ms", "2"])
    }

    /// Starts the mock with extra arguments (port 0, quiet).
    pub fn start_with(args: &[&str]) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mock-zen"))
            .args(["--port", "0", "--quiet", "--max-stall-ms", "20000"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn mock-zen");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read banner");
        let port = line
            .trim()
            .strip_prefix("mock-zen listening on http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected banner {line:?}"));
        Mock { child, port }
    }

    /// Connects and sends one request (`Connection: close`).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> TcpStream {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(&request_bytes(method, path, headers, body, true))
            .unwrap();
        s
    }

    /// One whole request/response.
    pub fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let mut s = self.send(method, path, headers, body);
        read_response(&mut s)
    }

    /// POST of a JSON value.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Resp {
        self.call("POST", path, headers, body.to_string().as_bytes())
    }

    /// Every recorded request.
    pub fn records(&self) -> Vec<Value> {
        let r = self.call("GET", "/__mock/requests", &[], b"");
        assert_eq!(r.status, 200);
        match r.json() {
            Value::Array(a) => a,
            other => panic!("not a list: {other}"),
        }
    }

    /// The newest record.
    pub fn last(&self) -> Value {
        let r = self.call("GET", "/__mock/requests/last", &[], b"");
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    /// Polls the newest record until `pred` holds (at most ~5 s of polling;
    /// the condition, not the time, is what tests assert).
    pub fn wait_last(&self, pred: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..500 {
            let r = self.call("GET", "/__mock/requests/last", &[], b"");
            if r.status == 200 && pred(&r.json()) {
                return r.json();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("condition never held; last record: {}", self.last());
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Serialises a request.
pub fn request_bytes(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    close: bool,
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if close {
        head.push_str("connection: close\r\n");
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A response as received.
#[derive(Debug)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The decoded body.
    pub body: Vec<u8>,
    /// Socket reads that returned body bytes.
    pub reads: usize,
    /// Body ended properly (chunked terminator, or EOF without chunking).
    pub complete: bool,
}

impl Resp {
    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Body as (lossy) text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("bad JSON {e}: {}", self.text()))
    }

    /// Body as SSE events.
    pub fn sse(&self) -> Vec<Sse> {
        parse_sse(&self.text())
    }
}

/// Reads the head of a response; returns status, headers, leftover bytes.
pub fn read_head(s: &mut TcpStream) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut chunk).expect("read head");
        assert!(
            n > 0,
            "EOF before response head: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..end].to_vec()).expect("ascii head");
    let rest = buf[end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, rest)
}

/// Reads a whole response, decoding chunked transfer encoding.
pub fn read_response(s: &mut TcpStream) -> Resp {
    let (status, headers, mut raw) = read_head(s);
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let mut reads = 0;
    let mut chunk = [0u8; 65536];
    let mut body = Vec::new();
    let mut complete = false;
    loop {
        if chunked {
            // Decode every whole chunk buffered so far.
            while let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") {
                let size_text = String::from_utf8_lossy(&raw[..line_end]).to_string();
                let size = usize::from_str_radix(size_text.trim(), 16).expect("chunk size");
                if raw.len() < line_end + 2 + size + 2 {
                    break;
                }
                body.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
                raw.drain(..line_end + 2 + size + 2);
                if size == 0 {
                    complete = true;
                    break;
                }
            }
            if complete || status == 204 {
                complete = true;
                break;
            }
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => {
                if !chunked {
                    body.append(&mut raw);
                    complete = true;
                }
                break;
            }
            Ok(n) => {
                reads += 1;
                raw.extend_from_slice(&chunk[..n]);
            }
        }
    }
    Resp {
        status,
        headers,
        body,
        reads,
        complete,
    }
}

/// One SSE event.
#[derive(Debug, Clone, PartialEq)]
pub struct Sse {
    /// `event:` field.
    pub event: Option<String>,
    /// Data lines joined by `\n`.
    pub data: String,
}

impl Sse {
    /// The data as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("bad data JSON {e}: {}", self.data))
    }
}

/// Splits an SSE body (LF line endings, as the mock sends) into events.
pub fn parse_sse(text: &str) -> Vec<Sse> {
    text.split("\n\n")
        .filter(|block| !block.is_empty())
        .map(|block| {
            let mut ev = Sse {
                event: None,
                data: String::new(),
            };
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    ev.event = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    if !ev.data.is_empty() {
                        ev.data.push('\n');
                    }
                    ev.data.push_str(v);
                } else {
                    panic!("unexpected SSE line {line:?}");
                }
            }
            ev
        })
        .collect()
}

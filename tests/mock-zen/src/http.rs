//! Minimal HTTP/1.1 server side: reading one request (httparse) and writing a
//! response, chunked, with pacing that notices a client hang-up.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Largest request head accepted (431 beyond).
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted (413 beyond).
pub const MAX_BODY: usize = 8 * 1024 * 1024;
/// How often a pause checks whether the client went away. Small enough that
/// an abort is recorded well within 100 ms.
const POLL: Duration = Duration::from_millis(10);

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Method, e.g. `POST`.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Query string without `?` (empty when absent).
    pub query: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// HTTP/1.1 (chunked responses, keep-alive by default) vs 1.0.
    pub http11: bool,
}

impl Request {
    /// First value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the client wants the connection kept open afterwards.
    pub fn keep_alive(&self) -> bool {
        let conn = self.header("connection").unwrap_or("").to_ascii_lowercase();
        if self.http11 {
            !conn.contains("close")
        } else {
            conn.contains("keep-alive")
        }
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The client closed (or idled out) between requests: not an error.
    Closed,
    /// The request is malformed or too large: answer with this status, then close.
    Bad(u16, &'static str),
}

/// Reads one request from `stream`; `buf` carries bytes already read past the
/// previous request (pipelining) and keeps what is read past this one.
pub fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Request, ReadError> {
    let mut chunk = [0u8; 8192];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 96];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(buf) {
            Ok(httparse::Status::Complete(head_len)) => {
                let request = Request {
                    method: req.method.unwrap_or("").to_string(),
                    path: String::new(),
                    query: String::new(),
                    headers: req
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_ascii_lowercase(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect(),
                    body: Vec::new(),
                    http11: req.version == Some(1),
                };
                let target = req.path.unwrap_or("/").to_string();
                return finish_request(stream, buf, head_len, request, &target);
            }
            Ok(httparse::Status::Partial) => {
                if buf.len() > MAX_HEAD {
                    return Err(ReadError::Bad(431, "request head too large"));
                }
            }
            Err(httparse::Error::TooManyHeaders) => {
                return Err(ReadError::Bad(431, "too many headers"))
            }
            Err(_) => return Err(ReadError::Bad(400, "malformed HTTP request")),
        }
        match stream.read(&mut chunk) {
            Ok(0) if buf.is_empty() => return Err(ReadError::Closed),
            Ok(0) => return Err(ReadError::Bad(400, "connection closed mid-request")),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(ReadError::Closed),
        }
    }
}

fn finish_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    head_len: usize,
    mut request: Request,
    target: &str,
) -> Result<Request, ReadError> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    request.path = path.to_string();
    request.query = query.to_string();
    if request
        .header("transfer-encoding")
        .is_some_and(|te| !te.eq_ignore_ascii_case("identity"))
    {
        // Clients send fixed bodies with a length; a streamed request body is
        // not something Zen's callers do.
        return Err(ReadError::Bad(
            411,
            "chunked request bodies are not supported",
        ));
    }
    let len = match request.header("content-length") {
        None => 0,
        Some(v) => v
            .trim()
            .parse::<usize>()
            .map_err(|_| ReadError::Bad(400, "invalid content-length"))?,
    };
    if len > MAX_BODY {
        return Err(ReadError::Bad(413, "request body too large"));
    }
    buf.drain(..head_len.min(buf.len()));
    let mut chunk = [0u8; 16384];
    while buf.len() < len {
        match stream.read(&mut chunk) {
            Ok(0) => return Err(ReadError::Bad(400, "connection closed mid-body")),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(ReadError::Closed),
        }
    }
    request.body = buf.drain(..len).collect();
    Ok(request)
}

/// Writes one response and keeps score of what happened to it: bytes sent,
/// whether the client went away (`cancelled`), whether it ended normally.
#[derive(Debug)]
pub struct Responder<'a> {
    stream: &'a mut TcpStream,
    chunked: bool,
    /// Status sent in the head, 0 until then.
    pub status: u16,
    /// Bytes written to the socket (head and body).
    pub bytes_sent: u64,
    /// The client closed the connection or a write failed before the end.
    pub cancelled: bool,
    /// The response ended normally (terminator written).
    pub completed: bool,
}

/// The client is gone: stop producing output.
#[derive(Debug)]
pub struct Gone;

impl<'a> Responder<'a> {
    /// A responder on `stream`; `http11` selects chunked framing.
    pub fn new(stream: &'a mut TcpStream, http11: bool) -> Self {
        Responder {
            stream,
            chunked: http11,
            status: 0,
            bytes_sent: 0,
            cancelled: false,
            completed: false,
        }
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), Gone> {
        if self.cancelled {
            return Err(Gone);
        }
        match self
            .stream
            .write_all(bytes)
            .and_then(|_| self.stream.flush())
        {
            Ok(()) => {
                self.bytes_sent += bytes.len() as u64;
                Ok(())
            }
            Err(_) => {
                self.cancelled = true;
                Err(Gone)
            }
        }
    }

    /// Sends the status line and headers (plus the CORS header every response
    /// carries). The body follows via [`Responder::chunk`].
    pub fn head(&mut self, status: u16, headers: &[(&str, String)]) -> Result<(), Gone> {
        self.status = status;
        let mut head = format!(
            "HTTP/1.1 {status} {}\r\naccess-control-allow-origin: *\r\n",
            reason(status)
        );
        for (name, value) in headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        if status != 204 && status != 304 {
            if self.chunked {
                head.push_str("transfer-encoding: chunked\r\n");
            } else {
                head.push_str("connection: close\r\n");
            }
        }
        head.push_str("\r\n");
        self.raw(head.as_bytes())
    }

    /// Sends one body piece as its own chunk (one write, so one network read
    /// on the other side, given TCP_NODELAY and pacing).
    pub fn chunk(&mut self, bytes: &[u8]) -> Result<(), Gone> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.chunked {
            let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
            framed.extend_from_slice(bytes);
            framed.extend_from_slice(b"\r\n");
            self.raw(&framed)
        } else {
            self.raw(bytes)
        }
    }

    /// Sends the first half of a chunk whose size line promises all of
    /// `bytes`, leaving the body truncated mid-chunk (for `reset`).
    pub fn partial_chunk(&mut self, bytes: &[u8]) -> Result<(), Gone> {
        let half = bytes.get(..bytes.len() / 2).unwrap_or_default();
        if self.chunked {
            let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
            framed.extend_from_slice(half);
            self.raw(&framed)
        } else {
            self.raw(half)
        }
    }

    /// Ends the body (chunked terminator) and marks the response completed.
    pub fn end(&mut self) -> Result<(), Gone> {
        if self.chunked && self.status != 204 && self.status != 304 {
            self.raw(b"0\r\n\r\n")?;
        }
        self.completed = true;
        Ok(())
    }

    /// A whole response: head, one chunk, end.
    pub fn send(
        &mut self,
        status: u16,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<(), Gone> {
        self.head(status, headers)?;
        self.chunk(body)?;
        self.end()
    }

    /// Drops the connection now (both directions), as a crashed upstream would.
    pub fn drop_connection(&mut self) {
        // Ignored: the socket may already be dead, which is the same outcome.
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }

    /// Waits `ms` milliseconds, watching for the client closing the
    /// connection; returns `Err(Gone)` (and marks `cancelled`) as soon as it does.
    pub fn pause(&mut self, ms: u64) -> Result<(), Gone> {
        if self.cancelled {
            return Err(Gone);
        }
        let deadline = Instant::now() + Duration::from_millis(ms);
        let mut probe = [0u8; 1];
        loop {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let wait = (deadline - now).min(POLL);
            if self.stream.set_read_timeout(Some(wait)).is_err() {
                std::thread::sleep(wait);
                continue;
            }
            match self.stream.peek(&mut probe) {
                Ok(0) => {
                    self.cancelled = true;
                    break;
                }
                // The client sent more (a pipelined request); nothing to learn.
                Ok(_) => std::thread::sleep(wait),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(_) => {
                    self.cancelled = true;
                    break;
                }
            }
        }
        // Restore blocking reads for the next request on this connection.
        let _ = self.stream.set_read_timeout(crate::IDLE_TIMEOUT);
        if self.cancelled {
            Err(Gone)
        } else {
            Ok(())
        }
    }
}

/// Reason phrase for the statuses the mock sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        529 => "Overloaded",
        _ => "Status",
    }
}

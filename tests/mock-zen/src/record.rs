//! What the mock received, kept in memory for `GET /__mock/requests`.

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

/// One request and what became of its response.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// Sequence number, from 1.
    pub id: u64,
    /// Unix time the request arrived, in milliseconds.
    pub started_at_ms: u64,
    /// HTTP method.
    pub method: String,
    /// Path (without query).
    pub path: String,
    /// Query string (without `?`).
    pub query: String,
    /// Headers, names lower-cased; repeated headers joined with ", ".
    pub headers: BTreeMap<String, String>,
    /// The body as JSON; a string when it is not JSON; null when empty.
    pub body: Value,
    /// Wire format of the endpoint, when it is a model endpoint.
    pub format: Option<String>,
    /// Model asked for, when known.
    pub model: Option<String>,
    /// Whether a stream was asked for.
    pub stream: bool,
    /// The scenario applied (`echo` by default).
    pub scenario: String,
    /// Status sent (0 if none was).
    pub status: u16,
    /// Bytes written to the client.
    pub bytes_sent: u64,
    /// The client went away before the response ended.
    pub cancelled: bool,
    /// The response ended normally.
    pub completed: bool,
    /// Milliseconds from arrival to the end of the response.
    pub duration_ms: u64,
}

/// The request log, shared by all connection threads.
#[derive(Debug, Default)]
pub struct Recorder {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    records: Vec<Record>,
}

impl Recorder {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a record half-written in
        // a way that matters to a test log, so recover from poisoning.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores `record` with a fresh id and returns the id.
    pub fn add(&self, mut record: Record) -> u64 {
        let mut inner = self.lock();
        inner.next_id += 1;
        record.id = inner.next_id;
        inner.records.push(record);
        inner.next_id
    }

    /// Applies `f` to the record `id` if it still exists (it may have been cleared).
    pub fn update(&self, id: u64, f: impl FnOnce(&mut Record)) {
        let mut inner = self.lock();
        if let Some(r) = inner.records.iter_mut().rev().find(|r| r.id == id) {
            f(r);
        }
    }

    /// All records, oldest first.
    pub fn all(&self) -> Vec<Record> {
        self.lock().records.clone()
    }

    /// The newest record.
    pub fn last(&self) -> Option<Record> {
        self.lock().records.last().cloned()
    }

    /// Forgets every record (ids keep counting up).
    pub fn clear(&self) {
        self.lock().records.clear();
    }
}

/// Headers as a map, joining repeats the way HTTP allows.
pub fn header_map(headers: &[(String, String)]) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        map.entry(name.clone())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(value);
            })
            .or_insert_with(|| value.clone());
    }
    map
}

/// The body as recorded: JSON if it parses, else lossy text, null if empty.
pub fn body_value(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

//! Rendering a [`Plan`] in each wire format: the SSE frames of a stream, the
//! non-streaming JSON body, the in-stream error and Zen's cost trailer.

mod chat;
mod gemini;
mod messages;
mod responses;

use crate::config::Format;
use crate::plan::Plan;
use serde_json::Value;

/// One SSE event as sent on the wire (ends with a blank line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The event bytes.
    pub bytes: Vec<u8>,
    /// It carries an output text delta (fault scenarios cut after these).
    pub text: bool,
}

/// `data: <json>\n\n`.
pub(crate) fn data(value: &Value) -> Frame {
    Frame {
        bytes: format!("data: {value}\n\n").into_bytes(),
        text: false,
    }
}

/// `event: <name>\ndata: <json>\n\n`.
pub(crate) fn event(name: &str, value: &Value) -> Frame {
    Frame {
        bytes: format!("event: {name}\ndata: {value}\n\n").into_bytes(),
        text: false,
    }
}

/// Marks a frame as carrying output text.
pub(crate) fn text(mut frame: Frame) -> Frame {
    frame.text = true;
    frame
}

/// The stream's events up to (not including) Zen's cost trailer.
pub fn stream(format: Format, plan: &Plan) -> Vec<Frame> {
    match format {
        Format::Chat => chat::stream(plan),
        Format::Responses => responses::stream(plan),
        Format::Messages => messages::stream(plan),
        Format::Gemini => gemini::stream(plan),
    }
}

/// The non-streaming body, with Zen's top-level `cost`.
pub fn body(format: Format, plan: &Plan) -> Value {
    let mut v = match format {
        Format::Chat => chat::body(plan),
        Format::Responses => responses::body(plan),
        Format::Messages => messages::body(plan),
        Format::Gemini => gemini::body(plan),
    };
    if let Some(obj) = v.as_object_mut() {
        obj.insert("cost".into(), Value::String(plan.cost.clone()));
    }
    v
}

/// Zen's cost trailer appended after the upstream stream ends, written by
/// hand so its key order matches Zen's bytes exactly (serde_json sorts keys).
pub fn cost_trailer(format: Format, plan: &Plan, cost: &str) -> Frame {
    let q = |s: &str| Value::String(s.to_string()).to_string();
    let bytes = match format {
        Format::Chat => format!(
            "data: {{\"id\":{},\"object\":\"chat.completion.chunk\",\"created\":{},\"model\":{},\"choices\":[],\"cost\":{}}}\n\n",
            q(&format!("chatcmpl-{}", plan.uid)),
            plan.created,
            q(&plan.model),
            q(cost)
        ),
        _ => format!("event: ping\ndata: {{\"type\":\"ping\",\"cost\":{}}}\n\n", q(cost)),
    };
    Frame {
        bytes: bytes.into_bytes(),
        text: false,
    }
}

/// The upstream "overloaded" error as it appears inside a 200 stream.
/// `seq` is the Responses sequence number to use.
pub fn overloaded_frames(format: Format, plan: &Plan, seq: u64) -> Vec<Frame> {
    match format {
        Format::Chat => chat::overloaded(),
        Format::Responses => responses::overloaded(plan, seq),
        Format::Messages => messages::overloaded(),
        Format::Gemini => gemini::overloaded(),
    }
}

/// The upstream "overloaded" error for a non-streaming request: status and body.
pub fn overloaded_body(format: Format) -> (u16, Value) {
    match format {
        Format::Chat | Format::Responses => (529, chat::overloaded_error()),
        Format::Messages => (529, messages::overloaded_error()),
        Format::Gemini => (503, gemini::overloaded_error()),
    }
}

/// An error reported inside a 200 stream, in the format's own shape, with
/// `message` as its text. `seq` is the Responses sequence number to use.
pub fn error_frame(format: Format, seq: u64, message: &str) -> Frame {
    use serde_json::json;
    match format {
        Format::Chat => data(
            &json!({"error": {"message": message, "type": "server_error",
            "param": null, "code": null}}),
        ),
        Format::Responses => event(
            "error",
            &json!({"type": "error", "code": "server_error", "message": message,
                "param": null, "sequence_number": seq}),
        ),
        Format::Messages => event(
            "error",
            &json!({"type": "error", "error": {"type": "api_error", "message": message}}),
        ),
        Format::Gemini => data(&json!({"error": {"code": 500, "message": message,
            "status": "INTERNAL"}})),
    }
}

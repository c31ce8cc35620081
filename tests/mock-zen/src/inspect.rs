//! Reads what the mock needs out of a request body of each wire format: the
//! last user text, whether reasoning and a tool call are wanted.

use crate::config::Format;
use serde_json::Value;

/// What a request asks for, format-independent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ask {
    /// `body.model` (Gemini: the URL), if any.
    pub model: Option<String>,
    /// Stream flag (`!!body.stream`; Gemini: URL suffix, set by the caller).
    pub stream: bool,
    /// Text of the last message when it is a user message.
    pub user_text: Option<String>,
    /// Text of a tool result when the last message carries one.
    pub tool_result: Option<String>,
    /// Reasoning was requested.
    pub reasoning: bool,
    /// Name of the first declared tool.
    pub first_tool: Option<String>,
}

/// Inspects `body` of `format`. Never fails: missing pieces stay empty.
pub fn inspect(format: Format, body: &Value) -> Ask {
    let mut ask = Ask {
        model: body
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string),
        stream: truthy(body.get("stream")),
        ..Ask::default()
    };
    match format {
        Format::Chat => chat(body, &mut ask),
        Format::Responses => responses(body, &mut ask),
        Format::Messages => messages(body, &mut ask),
        Format::Gemini => gemini(body, &mut ask),
    }
    ask
}

/// JavaScript `!!value`, as Zen computes the stream flag.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Joins the text of a string or an array of typed parts whose type is one of `kinds`.
fn text_of(content: Option<&Value>, kinds: &[&str]) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter(|p| str_at(p, "type").is_none_or(|t| kinds.contains(&t)))
            .filter_map(|p| str_at(p, "text"))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn effort_on(v: Option<&Value>) -> bool {
    match v {
        Some(Value::String(s)) => s != "none",
        Some(Value::Object(_)) => true,
        Some(Value::Bool(b)) => *b,
        _ => false,
    }
}

fn chat(body: &Value, ask: &mut Ask) {
    ask.reasoning = effort_on(body.get("reasoning_effort"))
        || body
            .get("reasoning")
            .is_some_and(|r| r.is_object() && str_at(r, "effort") != Some("none"))
        || body
            .get("thinking")
            .and_then(|t| str_at(t, "type"))
            .is_some_and(|t| t == "enabled");
    ask.first_tool = body
        .get("tools")
        .and_then(|t| t.get(0))
        .and_then(|t| t.get("function"))
        .and_then(|f| str_at(f, "name"))
        .map(str::to_string);
    if let Some(last) = body
        .get("messages")
        .and_then(Value::as_array)
        .and_then(|m| m.last())
    {
        match str_at(last, "role") {
            Some("user") => ask.user_text = Some(text_of(last.get("content"), &["text"])),
            Some("tool") => ask.tool_result = Some(text_of(last.get("content"), &["text"])),
            _ => {}
        }
    }
}

fn responses(body: &Value, ask: &mut Ask) {
    ask.reasoning = body
        .get("reasoning")
        .is_some_and(|r| r.is_object() && str_at(r, "effort") != Some("none"));
    ask.first_tool = body
        .get("tools")
        .and_then(Value::as_array)
        .and_then(|t| t.iter().find(|t| str_at(t, "type") == Some("function")))
        .and_then(|t| str_at(t, "name"))
        .map(str::to_string);
    match body.get("input") {
        Some(Value::String(s)) => ask.user_text = Some(s.clone()),
        Some(Value::Array(items)) => {
            if let Some(last) = items.last() {
                match (str_at(last, "type"), str_at(last, "role")) {
                    (Some("function_call_output"), _) => {
                        ask.tool_result = Some(match last.get("output") {
                            Some(Value::String(s)) => s.clone(),
                            Some(other) => other.to_string(),
                            None => String::new(),
                        })
                    }
                    (None | Some("message"), Some("user")) => {
                        ask.user_text = Some(text_of(last.get("content"), &["input_text", "text"]))
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn messages(body: &Value, ask: &mut Ask) {
    ask.reasoning = body
        .get("thinking")
        .and_then(|t| str_at(t, "type"))
        .is_some_and(|t| t == "enabled" || t == "adaptive");
    ask.first_tool = body
        .get("tools")
        .and_then(|t| t.get(0))
        .and_then(|t| str_at(t, "name"))
        .map(str::to_string);
    let Some(last) = body
        .get("messages")
        .and_then(Value::as_array)
        .and_then(|m| m.last())
    else {
        return;
    };
    if str_at(last, "role") != Some("user") {
        return;
    }
    let results: Vec<&Value> = last
        .get("content")
        .and_then(Value::as_array)
        .map(|blocks| {
            blocks
                .iter()
                .filter(|b| str_at(b, "type") == Some("tool_result"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(result) = results.first() {
        ask.tool_result = Some(text_of(result.get("content"), &["text"]));
    } else {
        ask.user_text = Some(text_of(last.get("content"), &["text"]));
    }
}

fn gemini(body: &Value, ask: &mut Ask) {
    let thinking = body
        .get("generationConfig")
        .and_then(|g| g.get("thinkingConfig"));
    ask.reasoning = thinking
        .and_then(|t| t.get("includeThoughts"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    ask.first_tool = body
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            t.get("functionDeclarations")
                .or_else(|| t.get("function_declarations"))
        })
        .filter_map(|d| d.get(0))
        .find_map(|d| str_at(d, "name"))
        .map(str::to_string);
    let Some(last) = body
        .get("contents")
        .and_then(Value::as_array)
        .and_then(|c| c.last())
    else {
        return;
    };
    if str_at(last, "role").is_some_and(|r| r != "user") {
        return;
    }
    let parts = last
        .get("parts")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if let Some(resp) = parts.iter().find_map(|p| p.get("functionResponse")) {
        ask.tool_result = Some(
            resp.get("response")
                .map(Value::to_string)
                .unwrap_or_default(),
        );
    } else {
        ask.user_text = Some(
            parts
                .iter()
                .filter_map(|p| str_at(p, "text"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chat_request() {
        let a = inspect(
            Format::Chat,
            &json!({"model":"glm-4.6","stream":true,"reasoning_effort":"high",
                "tools":[{"type":"function","function":{"name":"lookup"}}],
                "messages":[{"role":"system","content":"x"},
                    {"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url"}]}]}),
        );
        assert_eq!(a.model.as_deref(), Some("glm-4.6"));
        assert!(a.stream && a.reasoning);
        assert_eq!(a.user_text.as_deref(), Some("hi"));
        assert_eq!(a.first_tool.as_deref(), Some("lookup"));
    }

    #[test]
    fn tool_results_are_not_user_text() {
        let a = inspect(
            Format::Messages,
            &json!({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"42"}]}]}),
        );
        assert_eq!((a.user_text, a.tool_result.as_deref()), (None, Some("42")));
        let a = inspect(
            Format::Responses,
            &json!({"input":[{"type":"function_call_output","call_id":"c","output":"7"}]}),
        );
        assert_eq!(a.tool_result.as_deref(), Some("7"));
    }

    #[test]
    fn gemini_and_responses_shapes() {
        let a = inspect(
            Format::Gemini,
            &json!({"contents":[{"role":"user","parts":[{"text":"a"},{"text":"b"}]}],
                "tools":[{"functionDeclarations":[{"name":"f"}]}],
                "generationConfig":{"thinkingConfig":{"includeThoughts":true}}}),
        );
        assert_eq!(a.user_text.as_deref(), Some("a\nb"));
        assert_eq!(a.first_tool.as_deref(), Some("f"));
        assert!(a.reasoning);
        let a = inspect(
            Format::Responses,
            &json!({"input":"plain","stream":1,"reasoning":{"effort":"none"}}),
        );
        assert_eq!(a.user_text.as_deref(), Some("plain"));
        assert!(a.stream && !a.reasoning);
    }

    #[test]
    fn junk_is_empty() {
        for v in [
            json!(null),
            json!([1, 2]),
            json!({"messages": "x", "contents": 3}),
        ] {
            for f in [
                Format::Chat,
                Format::Responses,
                Format::Messages,
                Format::Gemini,
            ] {
                assert_eq!(inspect(f, &v).user_text, None);
            }
        }
    }
}

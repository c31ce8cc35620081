//! Input that the body's size cannot bound. The reservation assumes at most
//! one input token per body byte; that holds for text and inline images,
//! but not for what the provider fetches, expands or keeps itself:
//!
//! * [`Allowance::Media`] — documents/PDFs (each page becomes text and an
//!   image), files and media named by URL or file id, non-image inline
//!   media (audio, video, PDF), and content parts the relay does not know;
//! * [`Allowance::ServerTools`] — tools the provider runs (web search and
//!   fetch, URL context, code execution, MCP, computer use, image
//!   generation…) and replayed results of such tools;
//! * [`Allowance::Stateful`] — references to state the provider keeps
//!   (`previous_response_id`, `conversation`, stored prompts, item
//!   references, Gemini `cachedContent`).
//!
//! [`find`] reports the first use of each kind with where it was found, so
//! a refusal can say what to remove. Unknown kinds of parts, items and
//! tools count as unbounded: refusing a harmless newcomer costs a retry,
//! admitting a costly one costs money.

use serde_json::{Map, Value};
use zenwire::wire::WireFormat;

use crate::token::Allowance;

/// One use of unbounded input: its kind and where in the body it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// What kind of input.
    pub kind: Allowance,
    /// Where, e.g. `messages[0].content[1] (image by URL)`.
    pub at: String,
}

/// Every kind of unbounded input `body` (a request of `format`) uses, first
/// occurrence of each, in the order [`Allowance::Media`],
/// [`Allowance::ServerTools`], [`Allowance::Stateful`].
pub fn find(format: WireFormat, body: &Map<String, Value>) -> Vec<Use> {
    let mut found = Found::default();
    match format {
        WireFormat::Chat => chat(body, &mut found),
        WireFormat::Responses => responses(body, &mut found),
        WireFormat::Messages => messages(body, &mut found),
        WireFormat::Gemini => gemini(body, &mut found),
    }
    found.0
}

#[derive(Default)]
struct Found(Vec<Use>);

impl Found {
    fn add(&mut self, kind: Allowance, at: impl FnOnce() -> String) {
        if !self.0.iter().any(|u| u.kind == kind) {
            self.0.push(Use { kind, at: at() });
            self.0.sort_by_key(|u| u.kind as u8);
        }
    }
}

fn items(v: Option<&Value>) -> impl Iterator<Item = (usize, &Value)> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().enumerate())
        .into_iter()
        .flatten()
}

fn kind_of(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or_default()
}

/// A URL the provider would have to fetch (anything but inline `data:`).
fn fetched(url: Option<&Value>) -> bool {
    let url = match url {
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Object(o)) => o.get("url").and_then(Value::as_str).unwrap_or_default(),
        _ => return false,
    };
    !url.trim_start()
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("data:"))
}

/// A tool list where every entry's `type` is one of `client` (or absent when
/// `untyped_ok`): anything else is a provider-side tool.
fn tools(body: &Map<String, Value>, client: &[&str], untyped_ok: bool, found: &mut Found) {
    for (i, t) in items(body.get("tools")) {
        let kind = t.get("type").and_then(Value::as_str);
        let ok = match kind {
            None => untyped_ok,
            Some(k) => client.contains(&k),
        };
        if !ok {
            found.add(Allowance::ServerTools, || {
                format!("tools[{i}] (type {})", kind.unwrap_or("missing"))
            });
        }
    }
}

// ---- Chat Completions ------------------------------------------------------

fn chat(body: &Map<String, Value>, found: &mut Found) {
    for (m, msg) in items(body.get("messages")) {
        for (p, part) in items(msg.get("content")) {
            let at = || format!("messages[{m}].content[{p}]");
            match kind_of(part) {
                "text" | "refusal" | "input_audio" => {}
                "image_url" if !fetched(part.get("image_url")) => {}
                "image_url" => found.add(Allowance::Media, || format!("{} (image by URL)", at())),
                "file" => found.add(Allowance::Media, || format!("{} (file)", at())),
                other => found.add(Allowance::Media, || {
                    format!("{} (part type {other:?})", at())
                }),
            }
        }
    }
    tools(body, &["function", "custom"], false, found);
    if body.contains_key("web_search_options") {
        found.add(Allowance::ServerTools, || "web_search_options".into());
    }
}

// ---- Responses -------------------------------------------------------------

fn responses_part(part: &Value, at: &dyn Fn() -> String, found: &mut Found) {
    match kind_of(part) {
        "input_text" | "output_text" | "refusal" | "input_audio" | "summary_text"
        | "reasoning_text" => {}
        "input_image" if part.get("file_id").is_none() && !fetched(part.get("image_url")) => {}
        "input_image" => found.add(Allowance::Media, || {
            format!("{} (image by URL or file id)", at())
        }),
        "input_file" => found.add(Allowance::Media, || format!("{} (file)", at())),
        other => found.add(Allowance::Media, || {
            format!("{} (part type {other:?})", at())
        }),
    }
}

fn responses(body: &Map<String, Value>, found: &mut Found) {
    for key in ["previous_response_id", "conversation", "prompt"] {
        if body.get(key).is_some_and(|v| !v.is_null()) {
            found.add(Allowance::Stateful, || key.to_owned());
        }
    }
    for (i, item) in items(body.get("input")) {
        let at = || format!("input[{i}]");
        let kind = match item.get("type").and_then(Value::as_str) {
            // An item without a type is a message when it has a role.
            None if item.get("role").is_some() => "message",
            None => "",
            Some(k) => k,
        };
        match kind {
            "message" => {
                for (p, part) in items(item.get("content")) {
                    responses_part(part, &|| format!("input[{i}].content[{p}]"), found);
                }
            }
            "function_call" | "custom_tool_call" | "reasoning" => {}
            "function_call_output" | "custom_tool_call_output" => {
                for (p, part) in items(item.get("output")) {
                    responses_part(part, &|| format!("input[{i}].output[{p}]"), found);
                }
            }
            "item_reference" => {
                found.add(Allowance::Stateful, || format!("{} (item_reference)", at()))
            }
            other => found.add(Allowance::ServerTools, || {
                format!("{} (item type {other:?})", at())
            }),
        }
    }
    tools(body, &["function", "custom"], false, found);
}

// ---- Anthropic Messages ----------------------------------------------------

fn messages_block(block: &Value, at: &dyn Fn() -> String, found: &mut Found) {
    let source = || block.get("source").map(kind_of).unwrap_or_default();
    match kind_of(block) {
        "text" | "thinking" | "redacted_thinking" | "tool_use" | "search_result" => {}
        "image" if source() == "base64" => {}
        "image" => found.add(Allowance::Media, || {
            format!("{} (image source {:?})", at(), source())
        }),
        "document" => found.add(Allowance::Media, || format!("{} (document)", at())),
        "tool_result" => {
            for (c, inner) in items(block.get("content")) {
                messages_block(inner, &|| format!("{}.content[{c}]", at()), found);
            }
        }
        "server_tool_use" | "mcp_tool_use" | "mcp_tool_result" | "container_upload" => found
            .add(Allowance::ServerTools, || {
                format!("{} ({})", at(), kind_of(block))
            }),
        other if other.ends_with("_tool_result") => {
            found.add(Allowance::ServerTools, || format!("{} ({other})", at()))
        }
        other => found.add(Allowance::Media, || {
            format!("{} (block type {other:?})", at())
        }),
    }
}

fn messages(body: &Map<String, Value>, found: &mut Found) {
    for (b, block) in items(body.get("system")) {
        messages_block(block, &|| format!("system[{b}]"), found);
    }
    for (m, msg) in items(body.get("messages")) {
        for (b, block) in items(msg.get("content")) {
            messages_block(block, &|| format!("messages[{m}].content[{b}]"), found);
        }
    }
    tools(body, &["custom"], true, found);
    for key in ["mcp_servers", "container"] {
        if body.get(key).is_some_and(|v| !v.is_null()) {
            found.add(Allowance::ServerTools, || key.to_owned());
        }
    }
}

// ---- Gemini ----------------------------------------------------------------

fn gemini_parts(content: &Value, at: &str, found: &mut Found) {
    for (p, part) in items(content.get("parts")) {
        let Some(part) = part.as_object() else {
            continue;
        };
        let here = || format!("{at}.parts[{p}]");
        for key in part.keys() {
            match key.as_str() {
                "text" | "thought" | "thoughtSignature" | "functionCall" | "functionResponse" => {}
                "inlineData" => {
                    let mime = part
                        .get("inlineData")
                        .and_then(|d| d.get("mimeType"))
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    if !mime.starts_with("image/") {
                        found.add(Allowance::Media, || format!("{} (inline {mime:?})", here()));
                    }
                }
                "executableCode" | "codeExecutionResult" => {
                    found.add(Allowance::ServerTools, || format!("{} ({key})", here()))
                }
                other => found.add(Allowance::Media, || format!("{} ({other})", here())),
            }
        }
    }
}

fn gemini(body: &Map<String, Value>, found: &mut Found) {
    if let Some(system) = body.get("systemInstruction") {
        gemini_parts(system, "systemInstruction", found);
    }
    for (c, content) in items(body.get("contents")) {
        gemini_parts(content, &format!("contents[{c}]"), found);
    }
    for (t, tool) in items(body.get("tools")) {
        for key in tool.as_object().into_iter().flat_map(Map::keys) {
            if key != "functionDeclarations" {
                found.add(Allowance::ServerTools, || format!("tools[{t}].{key}"));
            }
        }
    }
    if body.get("cachedContent").is_some_and(|v| !v.is_null()) {
        found.add(Allowance::Stateful, || "cachedContent".into());
    }
}

/// The first snake_case field name at a level of a Gemini body whose keys
/// are the API's own (the body, `generationConfig`, each content part and
/// each tool), with its path. Google's JSON parser accepts `max_output_tokens`
/// for `maxOutputTokens` and so on, so a field the relay reads or caps under
/// its camelCase name could otherwise reach the model under the other one.
pub fn gemini_snake_case_field(body: &Map<String, Value>) -> Option<String> {
    let snake = |m: &Map<String, Value>, at: &str| {
        m.keys()
            .find(|k| k.contains('_'))
            .map(|k| format!("{at}{k}"))
    };
    if let Some(hit) = snake(body, "") {
        return Some(hit);
    }
    if let Some(hit) = body
        .get("generationConfig")
        .and_then(Value::as_object)
        .and_then(|g| snake(g, "generationConfig."))
    {
        return Some(hit);
    }
    let contents = items(body.get("contents"))
        .map(|(c, v)| (format!("contents[{c}]"), v))
        .chain(
            body.get("systemInstruction")
                .map(|v| ("systemInstruction".to_owned(), v)),
        );
    for (at, content) in contents {
        for (p, part) in items(content.get("parts")) {
            if let Some(hit) = part
                .as_object()
                .and_then(|m| snake(m, &format!("{at}.parts[{p}].")))
            {
                return Some(hit);
            }
        }
    }
    items(body.get("tools")).find_map(|(t, tool)| {
        tool.as_object()
            .and_then(|m| snake(m, &format!("tools[{t}].")))
    })
}

//! Validation of a unified request against a model, before any body is
//! built. Errors name the offending field path, e.g. `messages[2].content`.
//! The rules mirror what the four APIs enforce, so a request that passes here
//! is not rejected upstream for its shape.

use super::types::{
    Content, ContentPart, ImagePart, ImageSource, RequestMessage, ToolChoice, ToolChoiceMode,
};
use super::{reasoning_applies, RequestError, UnifiedRequest};
use crate::catalog::ModelInfo;
use crate::json_input::Path;
use crate::wire::WireFormat;

type Result<T = ()> = std::result::Result<T, RequestError>;

fn err(path: impl Into<String>, reason: impl Into<String>) -> RequestError {
    RequestError::invalid(path, reason)
}

/// [`err`] at a path built as the walk descends (rendered only here, when
/// there is an error to report).
#[inline(never)]
fn err_at(path: &Path<'_>, reason: impl Into<String>) -> RequestError {
    RequestError::invalid(path.text(), reason)
}

/// A set of names as a sorted list: requests hold few tools and calls, and
/// a `HashSet` would bring hashbrown and SipHash (~4 KB) into the wasm
/// package for these checks alone. Lookups are binary searches.
#[derive(Default)]
struct NameSet<'r>(Vec<&'r str>);

impl<'r> NameSet<'r> {
    /// Adds `name`; false if it was already there.
    fn insert(&mut self, name: &'r str) -> bool {
        match self.0.binary_search(&name) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, name);
                true
            }
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.0.binary_search(&name).is_ok()
    }
}

/// Checks every field of `req` for `model`.
pub(crate) fn validate(req: &UnifiedRequest, model: &ModelInfo) -> Result {
    validate_model(req, model)?;
    if req.messages.is_empty() {
        return Err(err("messages", "empty"));
    }
    validate_tools(req, model)?;
    validate_messages(req, model)?;
    validate_sampling(req, model)?;
    validate_reasoning(req, model)
}

fn validate_model(req: &UnifiedRequest, model: &ModelInfo) -> Result {
    if req.model.is_empty() {
        return Err(err("model", "empty"));
    }
    if req.model != model.id {
        return Err(err(
            "model",
            format!(
                "the request names {:?} but the model info is for {:?}",
                req.model, model.id
            ),
        ));
    }
    // Gemini puts the id in the URL path; the other formats in the body, but
    // an id with spaces or controls is never a real model.
    let url_safe = req
        .model
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !url_safe {
        return Err(err(
            "model",
            "may only contain ASCII letters, digits, '.', '_' and '-'",
        ));
    }
    Ok(())
}

/// `^[a-zA-Z0-9_-]{1,64}$`, the tool-name rule shared by the four APIs.
pub(crate) fn is_valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

const TOOL_NAME_RULE: &str = "must match ^[a-zA-Z0-9_-]{1,64}$";

fn validate_tools(req: &UnifiedRequest, model: &ModelInfo) -> Result {
    if !req.tools.is_empty() && !model.capabilities.tools && !model.unknown {
        return Err(err(
            "tools",
            format!("model {} does not support tools", model.id),
        ));
    }
    let mut seen = NameSet::default();
    let tools = Path::Root.key("tools");
    for (i, tool) in req.tools.iter().enumerate() {
        if !is_valid_tool_name(&tool.name) {
            return Err(err_at(&tools.index(i).key("name"), TOOL_NAME_RULE));
        }
        if !seen.insert(tool.name.as_str()) {
            return Err(err_at(
                &tools.index(i).key("name"),
                format!("duplicate tool name {:?}", tool.name),
            ));
        }
        if !tool.parameters.is_object() {
            return Err(err_at(
                &tools.index(i).key("parameters"),
                "must be a JSON Schema object",
            ));
        }
    }
    match &req.tool_choice {
        Some(ToolChoice::Mode(ToolChoiceMode::Required)) if req.tools.is_empty() => {
            Err(err("toolChoice", "\"required\" needs at least one tool"))
        }
        Some(ToolChoice::Named { name }) if !seen.contains(name) => Err(err(
            "toolChoice.name",
            format!("no tool named {name:?} in tools"),
        )),
        _ => Ok(()),
    }
}

fn validate_messages(req: &UnifiedRequest, model: &ModelInfo) -> Result {
    // Call ids of the most recent assistant turn that are still waiting for
    // their result, with that turn's index (for the error path).
    let mut open: Vec<(&str, &str, usize, usize)> = Vec::new();
    let mut answered = NameSet::default();
    let mut all_ids = NameSet::default();
    let mut prev_role: Option<&str> = None;

    let messages = Path::Root.key("messages");
    for (i, msg) in req.messages.iter().enumerate() {
        let path = messages.index(i);
        match msg {
            RequestMessage::User { content } => {
                require_answered(&open, &answered)?;
                open.clear();
                validate_content(content, &path, model, Where::User)?;
                prev_role = Some("user");
            }
            RequestMessage::Assistant {
                content,
                tool_calls,
                reasoning,
                reasoning_blocks,
            } => {
                require_answered(&open, &answered)?;
                open.clear();
                answered.0.clear();
                let has_text = match content {
                    Some(c) => validate_content(c, &path, model, Where::Assistant)?,
                    None => false,
                };
                let has_reasoning = reasoning.as_deref().is_some_and(|r| !r.is_empty())
                    || !reasoning_blocks.is_empty();
                if !has_text && tool_calls.is_empty() && !has_reasoning {
                    return Err(err_at(
                        &path,
                        "assistant turn has no content, tool calls or reasoning",
                    ));
                }
                for (k, call) in tool_calls.iter().enumerate() {
                    let calls = path.key("toolCalls");
                    let cpath = calls.index(k);
                    if call.id.is_empty() {
                        return Err(err_at(&cpath.key("id"), "empty"));
                    }
                    if !all_ids.insert(call.id.as_str()) {
                        return Err(err_at(
                            &cpath.key("id"),
                            format!("duplicate call id {:?}", call.id),
                        ));
                    }
                    if !is_valid_tool_name(&call.name) {
                        return Err(err_at(&cpath.key("name"), TOOL_NAME_RULE));
                    }
                    if !call.arguments.is_object() {
                        return Err(err_at(&cpath.key("arguments"), "must be a JSON object"));
                    }
                    open.push((&call.id, &call.name, i, k));
                }
                prev_role = Some("assistant");
            }
            RequestMessage::Tool {
                tool_call_id,
                name,
                content,
                ..
            } => {
                let id = tool_call_id
                    .as_deref()
                    .ok_or_else(|| err_at(&path.key("toolCallId"), "missing"))?;
                if !matches!(prev_role, Some("assistant" | "tool")) {
                    return Err(err_at(
                        &path,
                        "a tool result must directly follow the assistant turn that made the call",
                    ));
                }
                let call = open.iter().find(|(cid, ..)| *cid == id).ok_or_else(|| {
                    err_at(
                        &path.key("toolCallId"),
                        format!("no call {id:?} in the preceding assistant turn"),
                    )
                })?;
                if !answered.insert(id) {
                    return Err(err_at(
                        &path.key("toolCallId"),
                        format!("call {id:?} already has a result"),
                    ));
                }
                if let Some(n) = name {
                    if *n != call.1 {
                        return Err(err_at(
                            &path.key("name"),
                            format!("{n:?} does not match the call's tool {:?}", call.1),
                        ));
                    }
                }
                validate_content(content, &path, model, Where::ToolResult)?;
                prev_role = Some("tool");
            }
        }
    }
    require_answered(&open, &answered)
}

/// Every call of the last assistant turn must have its result before the
/// conversation moves on (all four APIs reject a dangling call).
fn require_answered(open: &[(&str, &str, usize, usize)], answered: &NameSet<'_>) -> Result {
    match open.iter().find(|(id, ..)| !answered.contains(id)) {
        Some((id, _, i, k)) => Err(err_at(
            &Path::Root
                .key("messages")
                .index(*i)
                .key("toolCalls")
                .index(*k),
            format!("no tool result for call {id:?}"),
        )),
        None => Ok(()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Where {
    User,
    Assistant,
    ToolResult,
}

/// Validates message content; returns whether it has any text. Empty text is
/// refused except in tool results (a tool may legitimately print nothing) and
/// in assistant turns (a turn that only called tools has none).
fn validate_content(
    content: &Content,
    path: &Path<'_>,
    model: &ModelInfo,
    at: Where,
) -> Result<bool> {
    let cpath = path.key("content");
    match content {
        Content::Text(t) => {
            if t.is_empty() && at == Where::User {
                return Err(err_at(&cpath, "empty"));
            }
            Ok(!t.is_empty())
        }
        Content::Parts(parts) => {
            if parts.is_empty() && at == Where::User {
                return Err(err_at(&cpath, "empty"));
            }
            for (j, part) in parts.iter().enumerate() {
                let ppath = cpath.index(j);
                match part {
                    ContentPart::Text { text } => {
                        if text.is_empty() {
                            return Err(err_at(&ppath.key("text"), "empty"));
                        }
                    }
                    ContentPart::Image(img) => validate_image(img, &ppath, model, at)?,
                }
            }
            Ok(parts.iter().any(|p| matches!(p, ContentPart::Text { .. })))
        }
    }
}

fn validate_image(img: &ImagePart, path: &Path<'_>, model: &ModelInfo, at: Where) -> Result {
    match at {
        Where::Assistant => {
            return Err(err_at(path, "images are not allowed in assistant turns"));
        }
        Where::ToolResult if model.format != WireFormat::Messages => {
            return Err(err_at(
                path,
                format!(
                    "images in tool results are not supported by the {} format",
                    model.format
                ),
            ));
        }
        _ => {}
    }
    if !model.capabilities.attachments && !model.unknown {
        return Err(err_at(
            path,
            format!("model {} does not accept images", model.id),
        ));
    }
    match (&img.url, &img.media_type, &img.data) {
        (Some(url), _, None) if url.starts_with("data:") => match img.source() {
            Some(ImageSource::Base64 { media_type, data }) => {
                check_inline(media_type, data, &path.key("url"))?;
            }
            _ => {
                return Err(err_at(
                    &path.key("url"),
                    "a data: URL must have the form data:image/<type>;base64,<data>",
                ));
            }
        },
        (Some(url), _, None) => {
            let ok = ["https://", "http://"].iter().any(|p| url.starts_with(p))
                && !url.chars().any(|c| c.is_control() || c.is_whitespace());
            if !ok {
                return Err(err_at(
                    &path.key("url"),
                    "must be an https:, http: or data: URL",
                ));
            }
            if let Some(mt) = &img.media_type {
                if !is_image_media_type(mt) {
                    return Err(err_at(
                        &path.key("mediaType"),
                        "must be an image type such as image/png",
                    ));
                }
            }
        }
        (None, Some(mt), Some(data)) => {
            if !is_image_media_type(mt) {
                return Err(err_at(
                    &path.key("mediaType"),
                    "must be an image type such as image/png",
                ));
            }
            check_inline(mt, data, &path.key("data"))?;
        }
        (None, None, Some(_)) => {
            return Err(err_at(&path.key("mediaType"), "required with data"));
        }
        _ => {
            return Err(err_at(
                path,
                "give either url, or mediaType and data (base64)",
            ));
        }
    }
    Ok(())
}

fn check_inline(media_type: &str, data: &str, path: &Path<'_>) -> Result {
    if !is_image_media_type(media_type) {
        return Err(err_at(
            path,
            "media type must be an image type such as image/png",
        ));
    }
    if data.is_empty() {
        return Err(err_at(path, "empty image data"));
    }
    if !is_base64(data) {
        return Err(err_at(path, "image data is not base64"));
    }
    Ok(())
}

fn is_image_media_type(mt: &str) -> bool {
    mt.strip_prefix("image/").is_some_and(|sub| {
        !sub.is_empty()
            && sub
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
    })
}

/// Standard base64 alphabet with at most two trailing `=`. Only the alphabet
/// is checked (not the length), which is what stops a URL or a data: prefix
/// passed by mistake; decoding is left to the provider.
fn is_base64(data: &str) -> bool {
    let body = data.trim_end_matches('=');
    data.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn validate_sampling(req: &UnifiedRequest, model: &ModelInfo) -> Result {
    if let Some(max) = req.max_output_tokens {
        if max == 0 {
            return Err(err("maxOutputTokens", "must be at least 1"));
        }
        let limit = model.limits.output;
        if limit > 0 && max > limit {
            return Err(err(
                "maxOutputTokens",
                format!("{max} exceeds the output limit of {} ({limit})", model.id),
            ));
        }
    }
    // Anthropic's range is 0–1; the others take 0–2. The bound is named as
    // text too: formatting an f64 would link core's float printer (~20 KB of
    // wasm) for this one message.
    let (max_temperature, max_text) = if model.format == WireFormat::Messages {
        (1.0, "1")
    } else {
        (2.0, "2")
    };
    if let Some(t) = req.temperature {
        if !(t.is_finite() && (0.0..=max_temperature).contains(&t)) {
            return Err(err(
                "temperature",
                format!(
                    "must be between 0 and {max_text} on the {} format",
                    model.format
                ),
            ));
        }
    }
    if let Some(p) = req.top_p {
        if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
            return Err(err("topP", "must be between 0 and 1"));
        }
    }
    if let Some(stop) = &req.stop {
        if model.format == WireFormat::Responses {
            return Err(err("stop", "not supported by the responses format"));
        }
        let list = stop.as_slice();
        if list.is_empty() {
            return Err(err("stop", "empty"));
        }
        for (i, s) in list.iter().enumerate() {
            if s.is_empty() {
                return Err(err_at(&Path::Root.key("stop").index(i), "empty"));
            }
        }
    }
    Ok(())
}

fn validate_reasoning(req: &UnifiedRequest, model: &ModelInfo) -> Result {
    let Some(r) = &req.reasoning else {
        return Ok(());
    };
    match (r.effort, r.budget_tokens) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(err("reasoning", "give either effort or budgetTokens"));
        }
        (None, Some(0)) => return Err(err("reasoning.budgetTokens", "must be at least 1")),
        _ => {}
    }
    if !reasoning_applies(model) || model.format != WireFormat::Messages {
        return Ok(());
    }
    // Anthropic extended thinking: minimum budget, and sampling / forced tool
    // use are restricted while it is on.
    if r.budget_tokens.is_some_and(|b| b < 1024) {
        return Err(err(
            "reasoning.budgetTokens",
            "must be at least 1024 on the messages format",
        ));
    }
    if req.temperature.is_some_and(|t| t != 1.0) {
        return Err(err(
            "temperature",
            "must be unset or 1 when reasoning is enabled on the messages format",
        ));
    }
    if req.top_p.is_some_and(|p| p < 0.95) {
        return Err(err(
            "topP",
            "must be unset or between 0.95 and 1 when reasoning is enabled on the messages format",
        ));
    }
    if matches!(
        req.tool_choice,
        Some(ToolChoice::Named { .. } | ToolChoice::Mode(ToolChoiceMode::Required))
    ) {
        return Err(err(
            "toolChoice",
            "forcing tool use is not allowed with reasoning on the messages format",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::validate;
    use crate::catalog::Catalog;
    use crate::request::UnifiedRequest;

    /// The `(path, reason)` validation gives for `request` on glm-4.6, or
    /// `None` when it passes.
    fn check(request: serde_json::Value) -> Option<(String, String)> {
        let mut request = request;
        request["model"] = json!("glm-4.6");
        let req: UnifiedRequest = serde_json::from_value(request).ok()?;
        let model = Catalog::builtin().resolve(&req.model);
        match validate(&req, &model) {
            Ok(()) => None,
            Err(crate::request::RequestError::Invalid { path, reason }) => Some((path, reason)),
            Err(other) => Some((String::new(), other.to_string())),
        }
    }

    fn call(id: &str, name: &str) -> serde_json::Value {
        json!({"id": id, "name": name, "arguments": {}})
    }

    #[test]
    fn tool_names_and_call_ids_are_checked_as_sets() {
        let tools = json!([{"name": "zeta"}, {"name": "alpha"}, {"name": "mid"}]);
        // A named choice is found among unsorted tools.
        let ok = json!({
            "tools": tools,
            "toolChoice": {"name": "alpha"},
            "messages": [
                {"role": "user", "content": "a"},
                {"role": "assistant", "toolCalls": [call("c2", "zeta"), call("c1", "mid")]},
                {"role": "tool", "toolCallId": "c1", "content": "x"},
                {"role": "tool", "toolCallId": "c2", "content": "y"},
                {"role": "assistant", "toolCalls": [call("c0", "alpha")]},
                {"role": "tool", "toolCallId": "c0", "content": "z"}
            ]
        });
        assert_eq!(check(ok), None);

        let missing = json!({"tools": tools, "toolChoice": {"name": "beta"}, "messages": [{"role": "user", "content": "a"}]});
        assert_eq!(
            check(missing),
            Some((
                "toolChoice.name".into(),
                "no tool named \"beta\" in tools".into()
            ))
        );

        let twice = json!({"tools": [{"name": "b"}, {"name": "a"}, {"name": "b"}], "messages": [{"role": "user", "content": "a"}]});
        assert_eq!(
            check(twice),
            Some(("tools[2].name".into(), "duplicate tool name \"b\"".into()))
        );

        // A call id may not come back in a later turn.
        let reused = json!({"messages": [
            {"role": "user", "content": "a"},
            {"role": "assistant", "toolCalls": [call("c1", "f")]},
            {"role": "tool", "toolCallId": "c1", "content": "x"},
            {"role": "assistant", "toolCalls": [call("c0", "f"), call("c1", "f")]}
        ]});
        assert_eq!(
            check(reused),
            Some((
                "messages[3].toolCalls[1].id".into(),
                "duplicate call id \"c1\"".into()
            ))
        );

        // One result per call.
        let answered_twice = json!({"messages": [
            {"role": "user", "content": "a"},
            {"role": "assistant", "toolCalls": [call("c1", "f"), call("c2", "f")]},
            {"role": "tool", "toolCallId": "c1", "content": "x"},
            {"role": "tool", "toolCallId": "c1", "content": "y"}
        ]});
        assert_eq!(
            check(answered_twice),
            Some((
                "messages[3].toolCallId".into(),
                "call \"c1\" already has a result".into()
            ))
        );

        // Every call of a turn needs its result, whatever the order.
        let unanswered = json!({"messages": [
            {"role": "user", "content": "a"},
            {"role": "assistant", "toolCalls": [call("c2", "f"), call("c1", "f")]},
            {"role": "tool", "toolCallId": "c1", "content": "x"},
            {"role": "user", "content": "b"}
        ]});
        assert_eq!(
            check(unanswered),
            Some((
                "messages[1].toolCalls[0]".into(),
                "no tool result for call \"c2\"".into()
            ))
        );
    }
}

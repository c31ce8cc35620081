//! Every `Event` variant and every part of a `Message` through every place
//! its JSON shape is written down: the serde derives, the hand-written
//! writers (`output_json`, what the JS binding hands to `JSON.parse`), the
//! readers that take the shapes back as input (`Usage::from_json`, an
//! assistant turn's `toolCalls` / `reasoningBlocks`), and the TypeScript
//! declarations in `src/wasm/mod.rs` (the package's `.d.ts`), read here by a
//! small checker for the subset of TypeScript they use. The JS objects the
//! event tape builds are compared with these writers in the browser suite
//! (tests/wasm_browser.rs), over fixtures that hold every variant.

mod common;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use zenwire::error::ErrorKind;
use zenwire::event::{
    Choice, FormingToolCall, InvalidToolCall, ReasoningBlock, StreamError, ToolCall,
};
use zenwire::request::{RequestMessage, UnifiedRequest};
use zenwire::{Event, FinishReason, Message, Usage};

/// One sample of every event variant, optional members set and unset.
fn every_event() -> Vec<Event> {
    let usage_full = Usage {
        input_tokens: Some(12),
        output_tokens: Some(34),
        cache_read_tokens: Some(5),
        cache_write_tokens: Some(6),
        reasoning_tokens: Some(7),
    };
    vec![
        Event::Start {
            id: Some("resp_1".into()),
            model: Some("glm-4.6".into()),
        },
        Event::Start {
            id: None,
            model: None,
        },
        Event::TextDelta {
            choice: 0,
            text: "Hel\"lo\n".into(),
        },
        Event::ReasoningDelta {
            choice: 1,
            text: "think".into(),
        },
        Event::ReasoningSignature {
            choice: 0,
            signature: "sig".into(),
        },
        Event::ReasoningRedacted {
            choice: 0,
            data: "opaque".into(),
        },
        Event::RefusalDelta {
            choice: 0,
            text: "no".into(),
        },
        Event::ToolCallStart {
            choice: 0,
            index: 2,
            id: "call_1".into(),
            name: "lookup".into(),
        },
        Event::ToolCallDelta {
            choice: 0,
            index: 2,
            arguments_delta: "{\"q\":".into(),
        },
        Event::ToolCall {
            choice: 0,
            index: 2,
            id: "call_1".into(),
            name: "lookup".into(),
            arguments: json!({"q": "zen", "n": [1, 2.5, -8e-84], "deep": {"ok": true, "none": null}}),
        },
        Event::ToolCallInvalid {
            choice: 0,
            index: 3,
            id: "call_2".into(),
            name: "lookup".into(),
            raw_arguments: "{\"q\":".into(),
            reason: "cut by the output limit".into(),
        },
        Event::Usage(usage_full),
        Event::Usage(Usage::default()),
        Event::Cost {
            usd: "0.00001400".into(),
        },
        Event::Finish {
            choice: 0,
            reason: FinishReason::ToolCalls,
            raw: Some("tool_calls".into()),
        },
        Event::Finish {
            choice: 0,
            reason: FinishReason::Other,
            raw: None,
        },
        Event::Error {
            kind: ErrorKind::Overloaded,
            message: "Overloaded".into(),
            retryable: true,
        },
    ]
}

/// A message with every optional part present, and an empty one.
fn every_message() -> Vec<Message> {
    let full = Message {
        id: Some("resp_1".into()),
        model: Some("claude-haiku-4-5".into()),
        choices: vec![
            Choice {
                index: 0,
                text: "answer".into(),
                reasoning: "thought".into(),
                signature: Some("sig".into()),
                reasoning_blocks: vec![
                    ReasoningBlock::Thinking {
                        text: "thought".into(),
                        signature: Some("sig".into()),
                    },
                    ReasoningBlock::Thinking {
                        text: "more".into(),
                        signature: None,
                    },
                    ReasoningBlock::Redacted {
                        data: "opaque".into(),
                    },
                ],
                refusal: "partly refused".into(),
                tool_calls: vec![
                    ToolCall {
                        index: 0,
                        id: "call_1".into(),
                        name: "lookup".into(),
                        arguments: json!({"q": "zen"}),
                        invalid: None,
                    },
                    ToolCall {
                        index: 1,
                        id: "call_2".into(),
                        name: "lookup".into(),
                        arguments: Value::Null,
                        invalid: Some(InvalidToolCall {
                            raw_arguments: "{\"q\":".into(),
                            reason: "not JSON".into(),
                        }),
                    },
                ],
                forming_tool_calls: vec![FormingToolCall {
                    index: 2,
                    id: "call_3".into(),
                    name: "lookup".into(),
                    raw_arguments: "{\"q\":\"ze".into(),
                }],
                finish_reason: Some(FinishReason::ToolCalls),
                raw_finish_reason: Some("tool_use".into()),
            },
            Choice {
                index: 1,
                ..Choice::default()
            },
        ],
        usage: Usage {
            input_tokens: Some(1),
            output_tokens: Some(2),
            cache_read_tokens: None,
            cache_write_tokens: Some(3),
            reasoning_tokens: None,
        },
        cost: Some("0.5".into()),
        error: Some(StreamError {
            kind: ErrorKind::Server,
            message: "boom".into(),
            retryable: true,
        }),
    };
    vec![full, Message::default()]
}

#[test]
fn every_event_variant_is_written_read_and_declared_alike() {
    let decls = Declarations::parse(&ts_declarations());
    let mut types = Vec::new();
    for ev in every_event() {
        let serde_text = serde_json::to_string(&ev).unwrap();
        let written = ev.to_json();
        assert_eq!(written, serde_text, "output_json vs serde");
        let back: Event = serde_json::from_str(&written).unwrap();
        assert_eq!(back, ev, "read back: {written}");
        let value: Value = serde_json::from_str(&written).unwrap();
        if let Err(why) = decls.check(&value, "ZenEvent") {
            panic!("{written} is not a ZenEvent as declared: {why}");
        }
        if let Event::Usage(usage) = &ev {
            assert_eq!(&Usage::from_json(&written).unwrap(), usage);
        }
        types.push(value["type"].as_str().unwrap().to_owned());
    }
    // Every variant of the declared union was checked, and nothing else;
    // the list the fixture tests use is the same.
    let mut declared = decls.variant_tags("ZenEvent");
    declared.sort();
    types.sort();
    types.dedup();
    assert_eq!(types, declared);
    let mut listed = common::event_types::EVENT_TYPES.map(str::to_owned).to_vec();
    listed.sort();
    assert_eq!(listed, declared);
}

#[test]
fn every_message_part_is_written_read_and_declared_alike() {
    let decls = Declarations::parse(&ts_declarations());
    for message in every_message() {
        let written = message.to_json();
        assert_eq!(written, serde_json::to_string(&message).unwrap());
        let back: Message = serde_json::from_str(&written).unwrap();
        assert_eq!(back, message);
        let value: Value = serde_json::from_str(&written).unwrap();
        if let Err(why) = decls.check(&value, "Message") {
            panic!("{written} is not a Message as declared: {why}");
        }
        assert_eq!(
            Usage::from_json(&value["usage"].to_string()).unwrap(),
            message.usage
        );
        // A choice's tool calls and reasoning blocks, fed back as the
        // assistant turn of the next request, read as they were written.
        for choice in &value["choices"].as_array().unwrap()[..] {
            let turn = json!({
                "role": "assistant",
                "content": choice["text"],
                "toolCalls": choice["toolCalls"].as_array().unwrap().iter()
                    .map(|c| json!({"id": c["id"], "name": c["name"], "arguments": c["arguments"]}))
                    .collect::<Vec<_>>(),
                "reasoningBlocks": choice.get("reasoningBlocks").cloned().unwrap_or(json!([])),
            });
            let request =
                json!({"model": "glm-4.6", "messages": [{"role": "user", "content": "hi"}, turn]});
            let read = UnifiedRequest::from_json(&request.to_string()).unwrap();
            let RequestMessage::Assistant {
                tool_calls,
                reasoning_blocks,
                ..
            } = &read.messages[1]
            else {
                panic!("not an assistant turn");
            };
            let index = choice["index"].as_u64().unwrap() as usize;
            let original = &message.choices[index];
            assert_eq!(reasoning_blocks, &original.reasoning_blocks);
            let ids: Vec<&str> = tool_calls.iter().map(|c| c.id.as_str()).collect();
            let expected: Vec<&str> = original.tool_calls.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(ids, expected);
        }
    }
}

#[test]
fn the_declaration_checker_rejects_what_the_declarations_do_not_allow() {
    let decls = Declarations::parse(&ts_declarations());
    for (bad, why) in [
        (
            json!({"type": "textDelta", "choice": 0}),
            "a missing member",
        ),
        (
            json!({"type": "textDelta", "choice": 0, "text": "x", "extra": 1}),
            "an undeclared member",
        ),
        (
            json!({"type": "textDelta", "choice": "0", "text": "x"}),
            "a string for a number",
        ),
        (
            json!({"type": "finish", "choice": 0, "reason": "done", "raw": null}),
            "a string outside its union",
        ),
        (json!({"type": "nope"}), "an unknown variant"),
    ] {
        assert!(decls.check(&bad, "ZenEvent").is_err(), "accepted {why}");
    }
}

// ----------------------------------------------------------------------
// The declarations: the TypeScript text of src/wasm/mod.rs, and a checker
// for the subset of TypeScript it uses (primitives, string literals, named
// types, unions, intersections, arrays, object types with optional members).

fn ts_declarations() -> String {
    let source = include_str!("../src/wasm/mod.rs");
    let start = source
        .find("const TS_TYPES: &'static str = r#\"")
        .expect("TS_TYPES in src/wasm/mod.rs");
    let text = &source[start..];
    let open = text.find("r#\"").unwrap() + 3;
    let close = text.find("\"#;").unwrap();
    strip_comments(&text[open..close])
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("/*") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("*/").expect("comment end") + at + 2;
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

struct Declarations(BTreeMap<String, String>);

impl Declarations {
    /// `export type Name = …;` and `export interface Name { … }` (as the
    /// object type `{ … }`), by name.
    fn parse(text: &str) -> Declarations {
        let mut decls = BTreeMap::new();
        let mut rest = text;
        while let Some(at) = rest.find("export ") {
            rest = &rest[at + "export ".len()..];
            if let Some(after) = rest.strip_prefix("type ") {
                let eq = after.find('=').unwrap();
                let name = after[..eq].trim().to_owned();
                let body = &after[eq + 1..];
                let end = top_level_end(body, ';');
                decls.insert(name, body[..end].trim().to_owned());
                rest = &body[end..];
            } else if let Some(after) = rest.strip_prefix("interface ") {
                let open = after.find('{').unwrap();
                let name = after[..open].split_whitespace().next().unwrap().to_owned();
                let body = &after[open..];
                let end = matching_close(body) + 1;
                decls.insert(name, body[..end].to_owned());
                rest = &body[end..];
            }
        }
        Declarations(decls)
    }

    /// The `type` tags of the object variants of union `name`.
    fn variant_tags(&self, name: &str) -> Vec<String> {
        split_top(&self.0[name], '|')
            .into_iter()
            .filter_map(|variant| {
                let at = variant.find("type: \"")? + "type: \"".len();
                let tag = &variant[at..];
                Some(tag[..tag.find('"')?].to_owned())
            })
            .collect()
    }

    /// Whether `value` is of the TypeScript type `ty`; why not otherwise.
    fn check(&self, value: &Value, ty: &str) -> Result<(), String> {
        let ty = strip_parens(ty.trim());
        let alternatives = split_top(ty, '|');
        if alternatives.len() > 1 {
            let mut why = Vec::new();
            for alt in &alternatives {
                match self.check(value, alt) {
                    Ok(()) => return Ok(()),
                    Err(e) => why.push(e),
                }
            }
            return Err(format!("none of `{ty}` fits {value}: {}", why.join("; ")));
        }
        let parts = split_top(ty, '&');
        if parts.len() > 1 {
            let mut members = Vec::new();
            for part in &parts {
                members.extend(self.members(part)?);
            }
            return self.check_object(value, &members);
        }
        if let Some(element) = ty.strip_suffix("[]") {
            let items = value.as_array().ok_or(format!("{value} is not an array"))?;
            return items.iter().try_for_each(|item| self.check(item, element));
        }
        let fits = match ty {
            "string" => value.is_string(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "unknown" => true,
            literal if literal.starts_with('"') => {
                value.as_str() == Some(&literal[1..literal.len() - 1])
            }
            object if object.starts_with('{') => {
                return self.check_object(value, &self.members(object)?)
            }
            name => match self.0.get(name) {
                Some(decl) => return self.check(value, decl).map_err(|e| format!("{name}: {e}")),
                None => return Err(format!("no declaration of `{name}`")),
            },
        };
        if fits {
            Ok(())
        } else {
            Err(format!("{value} is not `{ty}`"))
        }
    }

    /// The members (name, optional, type) of an object type or a named one.
    fn members(&self, ty: &str) -> Result<Vec<(String, bool, String)>, String> {
        let ty = strip_parens(ty.trim());
        if !ty.starts_with('{') {
            let decl = self.0.get(ty).ok_or(format!("no declaration of `{ty}`"))?;
            return self.members(decl);
        }
        let inner = &ty[1..ty.len() - 1];
        let mut members = Vec::new();
        for member in split_members(inner) {
            let colon = member.find(':').ok_or(format!("member `{member}`"))?;
            let (name, optional) = match member[..colon].trim() {
                n if n.ends_with('?') => (n.trim_end_matches('?').to_owned(), true),
                n => (n.to_owned(), false),
            };
            members.push((name, optional, member[colon + 1..].trim().to_owned()));
        }
        Ok(members)
    }

    fn check_object(
        &self,
        value: &Value,
        members: &[(String, bool, String)],
    ) -> Result<(), String> {
        let object = value
            .as_object()
            .ok_or(format!("{value} is not an object"))?;
        for key in object.keys() {
            if !members.iter().any(|(name, _, _)| name == key) {
                return Err(format!("member `{key}` is not declared"));
            }
        }
        for (name, optional, ty) in members {
            match object.get(name) {
                Some(member) => self
                    .check(member, ty)
                    .map_err(|e| format!("member `{name}`: {e}"))?,
                None if *optional => {}
                None => return Err(format!("member `{name}` is missing")),
            }
        }
        Ok(())
    }
}

/// `ty` without parentheses around all of it.
fn strip_parens(ty: &str) -> &str {
    if ty.starts_with('(') && matching_close(ty) == ty.len() - 1 {
        strip_parens(ty[1..ty.len() - 1].trim())
    } else {
        ty
    }
}

/// The index of the bracket closing the one `text` starts with.
fn matching_close(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' | '(' | '[' | '<' => depth += 1,
            '}' | ')' | ']' | '>' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced: {text}");
}

/// Where `sep` first occurs outside brackets and string literals (or the end).
fn top_level_end(text: &str, sep: char) -> usize {
    let mut depth = 0i32;
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '{' | '(' | '[' | '<' => depth += 1,
            '}' | ')' | ']' | '>' => depth -= 1,
            c if c == sep && depth == 0 => return i,
            _ => {}
        }
    }
    text.len()
}

/// `text` split at `sep` outside brackets and strings, parts trimmed, empty
/// parts (a leading `|`) dropped.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let end = top_level_end(rest, sep);
        let part = rest[..end].trim();
        if !part.is_empty() {
            parts.push(part);
        }
        if end == rest.len() {
            return parts;
        }
        rest = &rest[end + 1..];
    }
}

/// The members of an object type's body: separated by `;` or line ends.
fn split_members(body: &str) -> Vec<&str> {
    split_top(body, ';')
        .into_iter()
        .flat_map(|m| split_top(m, '\n'))
        .collect()
}

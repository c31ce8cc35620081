//! Google Gemini (`google`, `:streamGenerateContent?alt=sse`): `data:` frames
//! of GenerateContentResponse; thought parts, a `thoughtSignature` on the first
//! answer part, function calls as whole `functionCall` parts (Gemini does not
//! stream arguments), usageMetadata and finishReason on the last frame.

use super::{data, text, Frame};
use crate::plan::Plan;
use serde_json::{json, Value};

fn usage(plan: &Plan) -> Value {
    json!({
        "promptTokenCount": plan.input_tokens,
        "candidatesTokenCount": plan.output_tokens - plan.reasoning_tokens,
        "thoughtsTokenCount": plan.reasoning_tokens,
        "totalTokenCount": plan.input_tokens + plan.output_tokens,
    })
}

fn response(plan: &Plan, parts: Vec<Value>, last: bool) -> Value {
    let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
    let mut v = json!({"candidates": [], "modelVersion": plan.model,
        "responseId": format!("mock{}", plan.uid)});
    if last {
        candidate["finishReason"] = json!("STOP");
        v["usageMetadata"] = usage(plan);
    }
    v["candidates"] = json!([candidate]);
    v
}

fn function_call(plan: &Plan) -> Option<Value> {
    plan.tool.as_ref().map(|t| {
        let args: Value = serde_json::from_str(&t.arguments).unwrap_or_else(|_| json!({}));
        json!({"functionCall": {"name": t.name, "args": args}})
    })
}

/// Every answer part in order, the signature on the first non-thought part.
fn parts(plan: &Plan, streaming: bool) -> Vec<Vec<Value>> {
    let mut frames: Vec<Vec<Value>> = Vec::new();
    if streaming {
        for d in &plan.reasoning {
            frames.push(vec![json!({"text": d, "thought": true})]);
        }
        for d in &plan.text {
            frames.push(vec![json!({"text": d})]);
        }
    } else {
        if !plan.reasoning.is_empty() {
            frames.push(vec![
                json!({"text": plan.full_reasoning(), "thought": true}),
            ]);
        }
        if !plan.text.is_empty() {
            frames.push(vec![json!({"text": plan.full_text()})]);
        }
    }
    frames.extend(function_call(plan).map(|c| vec![c]));
    if !plan.reasoning.is_empty() {
        let first_answer = frames
            .iter_mut()
            .flatten()
            .find(|p| p.get("thought").is_none());
        if let Some(part) = first_answer {
            part["thoughtSignature"] = json!(plan.signature);
        }
    }
    frames
}

pub(super) fn stream(plan: &Plan) -> Vec<Frame> {
    let frames = parts(plan, true);
    let n = frames.len();
    let answer_start = plan.reasoning.len();
    frames
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let frame = data(&response(plan, p, i + 1 == n));
            let is_text = i >= answer_start && i < answer_start + plan.text.len();
            if is_text {
                text(frame)
            } else {
                frame
            }
        })
        .collect()
}

pub(super) fn body(plan: &Plan) -> Value {
    let all: Vec<Value> = parts(plan, false).into_iter().flatten().collect();
    response(plan, all, true)
}

/// Google's error shape (also how an SSE stream reports one).
pub(super) fn overloaded_error() -> Value {
    json!({"error": {"code": 503, "message": "The model is overloaded. Please try again later.",
        "status": "UNAVAILABLE"}})
}

pub(super) fn overloaded() -> Vec<Frame> {
    vec![data(&overloaded_error())]
}

//! Anthropic Messages (`anthropic`): message_start, content blocks (thinking
//! with signature_delta, text, tool_use with input_json_delta), message_delta,
//! message_stop.

use super::{event, text, Frame};
use crate::plan::Plan;
use serde_json::{json, Value};

fn stop_reason(plan: &Plan) -> &'static str {
    if plan.tool.is_some() {
        "tool_use"
    } else {
        "end_turn"
    }
}

fn usage(plan: &Plan, output: u64) -> Value {
    json!({"input_tokens": plan.input_tokens, "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0, "output_tokens": output})
}

fn block_delta(index: u64, delta: Value) -> Frame {
    event(
        "content_block_delta",
        &json!({"type": "content_block_delta", "index": index, "delta": delta}),
    )
}

pub(super) fn stream(plan: &Plan) -> Vec<Frame> {
    let mut out = vec![
        event(
            "message_start",
            &json!({"type": "message_start", "message": {"id": format!("msg_{}", plan.uid),
                "type": "message", "role": "assistant", "content": [], "model": plan.model,
                "stop_reason": null, "stop_sequence": null, "usage": usage(plan, 1)}}),
        ),
        event("ping", &json!({"type": "ping"})),
    ];
    let mut index = 0u64;
    let mut open = |out: &mut Vec<Frame>, block: Value| {
        out.push(event(
            "content_block_start",
            &json!({"type": "content_block_start", "index": index, "content_block": block}),
        ));
        index += 1;
        index - 1
    };
    let close = |out: &mut Vec<Frame>, i: u64| {
        out.push(event(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": i}),
        ));
    };
    if !plan.reasoning.is_empty() {
        let i = open(
            &mut out,
            json!({"type": "thinking", "thinking": "", "signature": ""}),
        );
        for d in &plan.reasoning {
            out.push(block_delta(
                i,
                json!({"type": "thinking_delta", "thinking": d}),
            ));
        }
        out.push(block_delta(
            i,
            json!({"type": "signature_delta", "signature": plan.signature}),
        ));
        close(&mut out, i);
    }
    if !plan.text.is_empty() {
        let i = open(&mut out, json!({"type": "text", "text": ""}));
        for d in &plan.text {
            out.push(text(block_delta(
                i,
                json!({"type": "text_delta", "text": d}),
            )));
        }
        close(&mut out, i);
    }
    if let Some(tool) = &plan.tool {
        let i = open(
            &mut out,
            json!({"type": "tool_use", "id": format!("toolu_{}", tool.call_id), "name": tool.name, "input": {}}),
        );
        for f in &tool.fragments {
            out.push(block_delta(
                i,
                json!({"type": "input_json_delta", "partial_json": f}),
            ));
        }
        close(&mut out, i);
    }
    out.push(event(
        "message_delta",
        &json!({"type": "message_delta", "delta": {"stop_reason": stop_reason(plan), "stop_sequence": null},
            "usage": {"output_tokens": plan.output_tokens}}),
    ));
    out.push(event("message_stop", &json!({"type": "message_stop"})));
    out
}

pub(super) fn body(plan: &Plan) -> Value {
    let mut content = Vec::new();
    if !plan.reasoning.is_empty() {
        content.push(json!({"type": "thinking", "thinking": plan.full_reasoning(), "signature": plan.signature}));
    }
    if !plan.text.is_empty() {
        content.push(json!({"type": "text", "text": plan.full_text()}));
    }
    if let Some(tool) = &plan.tool {
        let input: Value = serde_json::from_str(&tool.arguments).unwrap_or_else(|_| json!({}));
        content.push(
            json!({"type": "tool_use", "id": format!("toolu_{}", tool.call_id),
            "name": tool.name, "input": input}),
        );
    }
    json!({
        "id": format!("msg_{}", plan.uid), "type": "message", "role": "assistant",
        "model": plan.model, "content": content, "stop_reason": stop_reason(plan),
        "stop_sequence": null, "usage": usage(plan, plan.output_tokens),
    })
}

/// Anthropic's error body (also its in-stream `event: error` payload).
pub(super) fn overloaded_error() -> Value {
    json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
}

pub(super) fn overloaded() -> Vec<Frame> {
    vec![event("error", &overloaded_error())]
}

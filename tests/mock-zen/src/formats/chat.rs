//! OpenAI Chat Completions (`oa-compat`) as Zen forwards it: chunks, a usage
//! chunk with `choices: []` (Zen forces `include_usage`), then `[DONE]`.

use super::{data, text, Frame};
use crate::plan::Plan;
use serde_json::{json, Value};

fn chunk(plan: &Plan, choices: Value) -> Value {
    json!({
        "id": format!("chatcmpl-{}", plan.uid),
        "object": "chat.completion.chunk",
        "created": plan.created,
        "model": plan.model,
        "choices": choices,
    })
}

fn delta(plan: &Plan, delta: Value, finish: Value) -> Frame {
    data(&chunk(
        plan,
        json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]),
    ))
}

fn usage(plan: &Plan) -> Value {
    json!({
        "prompt_tokens": plan.input_tokens,
        "completion_tokens": plan.output_tokens,
        "total_tokens": plan.input_tokens + plan.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
    })
}

fn finish_reason(plan: &Plan) -> &'static str {
    if plan.tool.is_some() {
        "tool_calls"
    } else {
        "stop"
    }
}

pub(super) fn stream(plan: &Plan) -> Vec<Frame> {
    let mut out = vec![delta(
        plan,
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    for r in &plan.reasoning {
        out.push(delta(plan, json!({"reasoning_content": r}), Value::Null));
    }
    for t in &plan.text {
        out.push(text(delta(plan, json!({"content": t}), Value::Null)));
    }
    if let Some(tool) = &plan.tool {
        out.push(delta(
            plan,
            json!({"tool_calls": [{"index": 0, "id": format!("call_{}", tool.call_id),
                "type": "function", "function": {"name": tool.name, "arguments": ""}}]}),
            Value::Null,
        ));
        for f in &tool.fragments {
            out.push(delta(
                plan,
                json!({"tool_calls": [{"index": 0, "function": {"arguments": f}}]}),
                Value::Null,
            ));
        }
    }
    out.push(delta(plan, json!({}), json!(finish_reason(plan))));
    let mut usage_chunk = chunk(plan, json!([]));
    usage_chunk["usage"] = usage(plan);
    out.push(data(&usage_chunk));
    out.push(Frame {
        bytes: b"data: [DONE]\n\n".to_vec(),
        text: false,
    });
    out
}

pub(super) fn body(plan: &Plan) -> Value {
    let mut message = json!({"role": "assistant", "content": plan.full_text(), "refusal": null});
    if !plan.reasoning.is_empty() {
        message["reasoning_content"] = json!(plan.full_reasoning());
    }
    if let Some(tool) = &plan.tool {
        message["content"] = Value::Null;
        message["tool_calls"] = json!([{"id": format!("call_{}", tool.call_id), "type": "function",
            "function": {"name": tool.name, "arguments": tool.arguments}}]);
    }
    json!({
        "id": format!("chatcmpl-{}", plan.uid),
        "object": "chat.completion",
        "created": plan.created,
        "model": plan.model,
        "choices": [{"index": 0, "message": message, "logprobs": null,
            "finish_reason": finish_reason(plan)}],
        "usage": usage(plan),
    })
}

/// OpenAI-compatible upstreams report an in-stream failure as a `data:`
/// object with an `error` key, then end the stream.
pub(super) fn overloaded_error() -> Value {
    json!({"error": {"message": "Error from provider: Overloaded", "type": "overloaded_error",
        "param": null, "code": "overloaded"}})
}

pub(super) fn overloaded() -> Vec<Frame> {
    vec![data(&overloaded_error())]
}

//! OpenAI Responses (`openai`): typed `event:` frames with sequence numbers,
//! reasoning summary deltas, message text deltas, function-call argument deltas.

use super::{event, text, Frame};
use crate::plan::Plan;
use serde_json::{json, Value};

/// Builds the frames while numbering them.
struct Seq {
    n: u64,
    out: Vec<Frame>,
}

impl Seq {
    fn frame(&mut self, mut value: Value) -> Frame {
        let name = value["type"].as_str().unwrap_or("unknown").to_string();
        value["sequence_number"] = json!(self.n);
        self.n += 1;
        event(&name, &value)
    }

    fn push(&mut self, value: Value) {
        let frame = self.frame(value);
        self.out.push(frame);
    }

    /// Pushes a frame carrying output text.
    fn push_text(&mut self, value: Value) {
        let frame = text(self.frame(value));
        self.out.push(frame);
    }
}

fn ids(plan: &Plan) -> (String, String, String, String) {
    (
        format!("resp_{}", plan.uid),
        format!("rs_{}", plan.uid),
        format!("msg_{}", plan.uid),
        format!("fc_{}", plan.uid),
    )
}

fn reasoning_item(plan: &Plan) -> Value {
    let (_, rs, _, _) = ids(plan);
    json!({"id": rs, "type": "reasoning", "summary": [{"type": "summary_text", "text": plan.full_reasoning()}]})
}

fn message_item(plan: &Plan, status: &str, text: &str) -> Value {
    let (_, _, msg, _) = ids(plan);
    let content = if status == "in_progress" {
        json!([])
    } else {
        json!([{"type": "output_text", "annotations": [], "logprobs": [], "text": text}])
    };
    json!({"id": msg, "type": "message", "status": status, "role": "assistant", "content": content})
}

fn call_item(plan: &Plan, status: &str, arguments: &str) -> Option<Value> {
    let (_, _, _, fc) = ids(plan);
    plan.tool.as_ref().map(|t| {
        json!({"id": fc, "type": "function_call", "status": status, "arguments": arguments,
            "call_id": format!("call_{}", t.call_id), "name": t.name})
    })
}

fn output(plan: &Plan) -> Vec<Value> {
    let mut items = Vec::new();
    if !plan.reasoning.is_empty() {
        items.push(reasoning_item(plan));
    }
    if !plan.text.is_empty() || plan.tool.is_none() {
        items.push(message_item(plan, "completed", &plan.full_text()));
    }
    if let Some(tool) = &plan.tool {
        items.extend(call_item(plan, "completed", &tool.arguments));
    }
    items
}

fn response(plan: &Plan, status: &str, output: Vec<Value>, usage: bool) -> Value {
    let (resp, _, _, _) = ids(plan);
    json!({
        "id": resp, "object": "response", "created_at": plan.created, "status": status,
        "background": false, "error": null, "incomplete_details": null, "instructions": null,
        "max_output_tokens": null, "model": plan.model, "output": output,
        "parallel_tool_calls": true, "previous_response_id": null,
        "reasoning": {"effort": if plan.reasoning.is_empty() { Value::Null } else { json!("medium") },
            "summary": if plan.reasoning.is_empty() { Value::Null } else { json!("auto") }},
        "store": false, "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto", "tools": [], "truncation": "disabled",
        "usage": if usage { json!({
            "input_tokens": plan.input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": plan.output_tokens,
            "output_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
            "total_tokens": plan.input_tokens + plan.output_tokens,
        }) } else { Value::Null },
        "metadata": {},
    })
}

pub(super) fn stream(plan: &Plan) -> Vec<Frame> {
    let (_, rs, msg, fc) = ids(plan);
    let mut s = Seq {
        n: 0,
        out: Vec::new(),
    };
    s.push(json!({"type": "response.created", "response": response(plan, "in_progress", vec![], false)}));
    s.push(json!({"type": "response.in_progress", "response": response(plan, "in_progress", vec![], false)}));
    let mut index = 0u64;
    if !plan.reasoning.is_empty() {
        s.push(
            json!({"type": "response.output_item.added", "output_index": index,
            "item": {"id": rs, "type": "reasoning", "summary": []}}),
        );
        s.push(json!({"type": "response.reasoning_summary_part.added", "item_id": rs,
            "output_index": index, "summary_index": 0, "part": {"type": "summary_text", "text": ""}}));
        for d in &plan.reasoning {
            s.push(
                json!({"type": "response.reasoning_summary_text.delta", "item_id": rs,
                "output_index": index, "summary_index": 0, "delta": d}),
            );
        }
        let full = plan.full_reasoning();
        s.push(
            json!({"type": "response.reasoning_summary_text.done", "item_id": rs,
            "output_index": index, "summary_index": 0, "text": full}),
        );
        s.push(json!({"type": "response.reasoning_summary_part.done", "item_id": rs,
            "output_index": index, "summary_index": 0, "part": {"type": "summary_text", "text": full}}));
        s.push(json!({"type": "response.output_item.done", "output_index": index, "item": reasoning_item(plan)}));
        index += 1;
    }
    if !plan.text.is_empty() || plan.tool.is_none() {
        s.push(
            json!({"type": "response.output_item.added", "output_index": index,
            "item": message_item(plan, "in_progress", "")}),
        );
        s.push(json!({"type": "response.content_part.added", "item_id": msg, "output_index": index,
            "content_index": 0, "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}}));
        for d in &plan.text {
            s.push_text(json!({"type": "response.output_text.delta", "item_id": msg,
                "output_index": index, "content_index": 0, "delta": d, "logprobs": []}));
        }
        let full = plan.full_text();
        s.push(
            json!({"type": "response.output_text.done", "item_id": msg, "output_index": index,
            "content_index": 0, "text": full, "logprobs": []}),
        );
        s.push(json!({"type": "response.content_part.done", "item_id": msg, "output_index": index,
            "content_index": 0, "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": full}}));
        s.push(
            json!({"type": "response.output_item.done", "output_index": index,
            "item": message_item(plan, "completed", &full)}),
        );
        index += 1;
    }
    if let Some(tool) = &plan.tool {
        s.push(
            json!({"type": "response.output_item.added", "output_index": index,
            "item": call_item(plan, "in_progress", "")}),
        );
        for f in &tool.fragments {
            s.push(
                json!({"type": "response.function_call_arguments.delta", "item_id": fc,
                "output_index": index, "delta": f}),
            );
        }
        s.push(
            json!({"type": "response.function_call_arguments.done", "item_id": fc,
            "output_index": index, "arguments": tool.arguments}),
        );
        s.push(
            json!({"type": "response.output_item.done", "output_index": index,
            "item": call_item(plan, "completed", &tool.arguments)}),
        );
    }
    s.push(json!({"type": "response.completed", "response": response(plan, "completed", output(plan), true)}));
    s.out
}

pub(super) fn body(plan: &Plan) -> Value {
    response(plan, "completed", output(plan), true)
}

/// OpenAI's in-stream failure: `event: error` then `response.failed`.
pub(super) fn overloaded(plan: &Plan, seq: u64) -> Vec<Frame> {
    let error = json!({"type": "server_error", "code": "server_is_overloaded",
        "message": "Error from provider: Overloaded", "param": null});
    let mut failed = response(plan, "failed", vec![], false);
    failed["error"] =
        json!({"code": "server_is_overloaded", "message": "Error from provider: Overloaded"});
    let mut s = Seq {
        n: seq,
        out: Vec::new(),
    };
    s.push(json!({"type": "error", "error": error}));
    s.push(json!({"type": "response.failed", "response": failed}));
    s.out
}

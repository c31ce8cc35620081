"""The official `openai` and `anthropic` Python SDKs, unmodified, against the
relay: only the base URL and the API key (a relay token) differ from Zen.

Run by tests/relay/suites/sdks_python.mjs with RELAY_URL and RELAY_TOKEN set;
prints one JSON line per check (what the SDK produced) and exits non-zero on
the first mismatch.
"""

import json
import os
import sys

import anthropic
import openai

BASE = os.environ["RELAY_URL"]
TOKEN = os.environ["RELAY_TOKEN"]


def report(name, **fields):
    print(json.dumps({"check": name, **fields}), flush=True)


def expect(name, got, want):
    if got != want:
        report(name, ok=False, got=got, want=want)
        sys.exit(1)
    report(name, ok=True, text=got)


oa = openai.OpenAI(api_key=TOKEN, base_url=f"{BASE}/zen/v1", max_retries=0)
# The Anthropic SDK appends /v1/messages itself, as with Zen's own base URL.
an = anthropic.Anthropic(api_key=TOKEN, base_url=f"{BASE}/zen", max_retries=0)

# Chat completions, streamed, with usage in the last chunk.
text, usage, chunks = "", None, 0
stream = oa.chat.completions.create(
    model="big-pickle",
    stream=True,
    stream_options={"include_usage": True},
    messages=[{"role": "user", "content": "hello from python openai"}],
)
for chunk in stream:
    chunks += 1
    if chunk.choices and chunk.choices[0].delta.content:
        text += chunk.choices[0].delta.content
    if chunk.usage:
        usage = chunk.usage
expect("openai chat stream", text, "You said: hello from python openai")
if chunks < 3 or usage is None or not usage.completion_tokens:
    report("openai chat usage", ok=False, chunks=chunks, usage=str(usage))
    sys.exit(1)

# Responses, streamed.
text, status = "", None
for event in oa.responses.create(model="gpt-5.1", input="hello python responses", stream=True):
    if event.type == "response.output_text.delta":
        text += event.delta
    elif event.type == "response.completed":
        status = event.response.status
expect("openai responses stream", text, "You said: hello python responses")
expect("openai responses status", status, "completed")

# Messages, streamed (raw events), then the stream helper.
text, stop = "", None
for event in an.messages.create(
    model="claude-sonnet-4-5",
    max_tokens=100,
    stream=True,
    messages=[{"role": "user", "content": "hello python anthropic"}],
):
    if event.type == "content_block_delta" and event.delta.type == "text_delta":
        text += event.delta.text
    elif event.type == "message_delta":
        stop = event.delta.stop_reason
expect("anthropic messages stream", text, "You said: hello python anthropic")
expect("anthropic stop reason", stop, "end_turn")
with an.messages.stream(
    model="claude-sonnet-4-5", max_tokens=10, messages=[{"role": "user", "content": "python helper"}]
) as s:
    expect("anthropic stream helper", s.get_final_text(), "You said: python helper")

# A refusal arrives as the SDK's own typed error.
try:
    oa.chat.completions.create(model="glm-4.6", messages=[{"role": "user", "content": "x"}])
    report("openai refusal", ok=False, got="no error")
    sys.exit(1)
except openai.PermissionDeniedError as e:
    expect("openai refusal", (e.status_code, e.code), (403, "model_not_allowed"))

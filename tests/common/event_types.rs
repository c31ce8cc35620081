//! The `type` of every `zenwire::Event` variant as JS and JSON see it
//! (tests/event_shapes.rs checks this list against the TypeScript
//! declarations). A file of its own so that the browser suite, which does not
//! build the rest of `common`, can include it too; the Node suite
//! (tests/node/decoder.test.mjs) reads the list from this text.

pub const EVENT_TYPES: [&str; 14] = [
    "start",
    "textDelta",
    "reasoningDelta",
    "reasoningSignature",
    "reasoningRedacted",
    "refusalDelta",
    "toolCallStart",
    "toolCallDelta",
    "toolCall",
    "toolCallInvalid",
    "usage",
    "cost",
    "finish",
    "error",
];

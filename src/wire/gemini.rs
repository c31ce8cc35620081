//! Gemini wire decoder (placeholder until its implementation lands).

use crate::event::Event;
use crate::sse::SseEvent;
use crate::wire::WireDecoder;

/// Decodes Gemini SSE events into unified events.
#[derive(Debug, Default)]
pub struct GeminiDecoder {}

impl WireDecoder for GeminiDecoder {
    fn on_event(&mut self, _event: &SseEvent, _out: &mut Vec<Event>) {}
    fn finish(&mut self, _out: &mut Vec<Event>) {}
}

//! Messages wire decoder (placeholder until its implementation lands).

use crate::event::Event;
use crate::sse::SseEvent;
use crate::wire::WireDecoder;

/// Decodes Messages SSE events into unified events.
#[derive(Debug, Default)]
pub struct MessagesDecoder {}

impl WireDecoder for MessagesDecoder {
    fn on_event(&mut self, _event: &SseEvent, _out: &mut Vec<Event>) {}
    fn finish(&mut self, _out: &mut Vec<Event>) {}
}

//! A call's cancellation: by `stream.cancel()`, the iterator's `return()` or
//! the caller's `AbortSignal`. It aborts the attempt in flight and ends a
//! pause before a retry at once, so the step pending then fails as
//! `aborted`; later steps see [`Cancel::is_cancelled`].
//!
//! Plain state rather than an `AbortController` of the call's own that each
//! attempt listens to: in Node a controller with a listener costs ~10 µs,
//! more than the rest of a short stream's set-up.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::transport::on_abort;

/// The caller's signal and the listener it calls.
type Following = (AbortSignal, Closure<dyn FnMut()>);

pub(crate) struct Cancel {
    cancelled: Cell<bool>,
    /// `{cancelled}`: the stream's JS side reads it before it hands out an
    /// event (a property read, where asking wasm would be a call).
    flag: Object,
    /// Aborts the attempt in flight (its controller's bound `abort`).
    attempt: RefCell<Option<Function>>,
    /// Ends the pause in progress (its promise's `reject`).
    pause: RefCell<Option<Function>>,
    /// The caller's signal and the listener it calls, until the call ends.
    caller: RefCell<Option<Following>>,
}

impl Cancel {
    pub(crate) fn new() -> Cancel {
        let flag = Object::new();
        let _ = Reflect::set(&flag, &"cancelled".into(), &JsValue::FALSE);
        Cancel {
            cancelled: Cell::new(false),
            flag,
            attempt: RefCell::new(None),
            pause: RefCell::new(None),
            caller: RefCell::new(None),
        }
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }

    /// The `{cancelled}` object the stream's JS side reads.
    pub(crate) fn flag(&self) -> &Object {
        &self.flag
    }

    /// Cancels the call (once; later calls do nothing). The caller's
    /// signal stays followed until the call ends: this may run inside its
    /// listener.
    pub(crate) fn cancel(&self) {
        if self.cancelled.replace(true) {
            return;
        }
        let _ = Reflect::set(&self.flag, &"cancelled".into(), &JsValue::TRUE);
        let abort = self.attempt.borrow_mut().take();
        let pause = self.pause.borrow_mut().take();
        for end in [abort, pause].iter().flatten() {
            let _ = end.call0(&JsValue::UNDEFINED);
        }
    }

    /// The attempt now in flight is aborted by calling `abort`.
    pub(crate) fn attempt(&self, abort: &Function) {
        *self.attempt.borrow_mut() = Some(abort.clone());
    }

    /// A pause is in progress (`Some(reject)`, which ends it) or over.
    pub(crate) fn pause(&self, end: Option<Function>) {
        *self.pause.borrow_mut() = end;
    }

    /// Cancels when the caller's `signal` aborts (now, if it already has),
    /// by `listener`, which must not own this `Cancel` (this holds it).
    pub(crate) fn follow(
        &self,
        signal: AbortSignal,
        listener: Closure<dyn FnMut()>,
    ) -> Result<(), JsValue> {
        if signal.aborted() {
            self.cancel();
            return Ok(());
        }
        on_abort(&signal, listener.as_ref().unchecked_ref())?;
        *self.caller.borrow_mut() = Some((signal, listener));
        Ok(())
    }

    /// The call is over: stop listening to the caller's signal.
    pub(crate) fn release(&self) {
        if let Some((signal, listener)) = self.caller.borrow_mut().take() {
            let _ = signal
                .remove_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
        }
    }
}

impl Drop for Cancel {
    /// A call dropped before it ended (its stream was let go) must not
    /// leave a listener that calls into freed memory.
    fn drop(&mut self) {
        self.release();
    }
}

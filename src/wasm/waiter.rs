//! Awaiting JS promises with two callbacks made once per call.
//!
//! `JsFuture` makes a pair of closures for every promise it awaits (a JS
//! function each, registered for finalization): for a stream read in small
//! pieces, more than the rest of what a read costs the client. A call
//! awaits one host promise at a time (send, read, pause), so one pair of
//! callbacks serves all of them: they put the outcome in a slot and wake the
//! task waiting on it.

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use js_sys::Promise;
use wasm_bindgen::prelude::*;

/// Where the callbacks leave the outcome of the promise being awaited.
#[derive(Default)]
struct Slot {
    settled: Option<Result<JsValue, JsValue>>,
    waker: Option<Waker>,
}

/// Awaits JS promises, one at a time.
pub(crate) struct Waiter {
    slot: Rc<RefCell<Slot>>,
    on_fulfilled: Closure<dyn FnMut(JsValue)>,
    on_rejected: Closure<dyn FnMut(JsValue)>,
}

impl Waiter {
    pub(crate) fn new() -> Waiter {
        let slot = Rc::new(RefCell::new(Slot::default()));
        let settle = |fulfilled: bool| {
            let slot = slot.clone();
            Closure::new(move |value: JsValue| {
                let waker = {
                    let mut slot = slot.borrow_mut();
                    slot.settled = Some(if fulfilled { Ok(value) } else { Err(value) });
                    slot.waker.take()
                };
                if let Some(waker) = waker {
                    waker.wake();
                }
            })
        };
        Waiter {
            on_fulfilled: settle(true),
            on_rejected: settle(false),
            slot,
        }
    }

    /// What `promise` settles to: `Ok` with its value, `Err` with the
    /// reason it was rejected with.
    ///
    /// One wait at a time per `Waiter`, and each awaited until it completes
    /// (never dropped half-way): the callbacks cannot tell two promises
    /// apart. The calls that own a `Waiter` await their host steps one after
    /// another and always to the end, so this holds.
    pub(crate) async fn wait(&self, promise: &Promise) -> Result<JsValue, JsValue> {
        let _ = promise.then2(&self.on_fulfilled, &self.on_rejected);
        poll_fn(|cx| {
            let mut slot = self.slot.borrow_mut();
            match slot.settled.take() {
                Some(settled) => Poll::Ready(settled),
                None => {
                    slot.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }
}

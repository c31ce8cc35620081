// The async iterator `ZenClient.stream()` returns (made by src/wasm/stream.rs).
// It hands out the events of one network read from an array and calls into
// wasm (`call.pull()`) only when that array is empty, so `for await` costs a
// resolved promise per event, and one wasm call and one await per read.

/** `{value: undefined, done: true}`: the end of the iteration. */
function done() {
  return { value: undefined, done: true };
}

export class ZenStream {
  /** The wasm side (`StreamCall`: pull, messageJson, cancel, finish) until
   *  the iteration ends; undefined after. */
  #call;
  /** The final message as JSON text, once `#call` is finished. */
  #message;
  /** `{cancelled}`, set by the wasm side (see the constructor). */
  #flag;
  /** The events of the last pull, and the index of the next to hand out. */
  #events = [];
  #next = 0;
  /** The promise of the pull in flight; the next `next()` waits for it. */
  #pending;
  /** Ended, failed or returned: every later `next()` is done. */
  #done = false;

  /**
   * @param call the wasm side of the stream
   * @param flag `{cancelled}`, true once the call is cancelled (`cancel()`
   *   or the caller's signal): the events not handed out yet are dropped
   *   then, and the next pull rejects with an `aborted` ZenError.
   */
  constructor(call, flag) {
    this.#call = call;
    this.#flag = flag;
  }

  /** The next event: `{value, done: false}`, or `{done: true}` at the end. */
  next() {
    if (this.#pending !== undefined) {
      // Overlapping calls are served in order, each after the one before.
      const after = () => this.next();
      return this.#pending.then(after, after);
    }
    if (this.#next < this.#events.length && !this.#flag.cancelled) {
      return Promise.resolve({ value: this.#events[this.#next++], done: false });
    }
    if (this.#done) return Promise.resolve(done());
    return this.#pull();
  }

  /** Ends the iteration early (what `break` in `for await` calls): cancels the request. */
  return() {
    this.#done = true;
    this.#events = [];
    // A pull in flight fails as aborted, and finishes the call then.
    if (this.#pending === undefined) this.#finish();
    else this.#call.cancel();
    return Promise.resolve(done());
  }

  /** The message accumulated so far (final once the iteration ended). */
  message() {
    return JSON.parse(this.#call === undefined ? this.#message : this.#call.messageJson());
  }

  /** Aborts the request at once; a pending or later `next()` throws an `aborted` ZenError. */
  cancel() {
    this.#call?.cancel();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  #pull() {
    this.#events = [];
    this.#pending = new Promise((resolve, reject) => {
      this.#call.pull(
        (events) => {
          this.#pending = undefined;
          if (events.length === 0) this.#done = true;
          if (this.#done) {
            this.#finish();
            resolve(done());
          } else {
            this.#events = events;
            this.#next = 1;
            resolve({ value: events[0], done: false });
          }
        },
        (error) => {
          this.#pending = undefined;
          this.#done = true;
          this.#finish();
          reject(error);
        },
      );
    });
    return this.#pending;
  }

  /** The call is over: keep its final message, free its wasm side. */
  #finish() {
    if (this.#call === undefined) return;
    this.#message = this.#call.finish();
    this.#call = undefined;
  }
}

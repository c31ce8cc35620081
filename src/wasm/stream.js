// The async iterator `ZenClient.stream()` returns (made by src/wasm/stream.rs).
// It reads the response body itself, as a user's own loop around
// `StreamDecoder.push` does: per network read one `reader.read()` and one
// wasm call (`push`) that decodes the bytes and returns the events they
// complete, which `next()` hands out from that array. So `for await` costs a
// resolved promise per event, and one await and one wasm call per read.
// Everything else — connecting and retrying, the timers, what a failure
// means — is the wasm side's (`StreamCall`, src/wasm/client.rs): this file
// only moves bytes and events.

/** `{value: undefined, done: true}`: the end of an iteration or a read. */
function done() {
  return { value: undefined, done: true };
}

export class ZenStream {
  /** The wasm side (`StreamCall`) until the iteration ends; undefined after. */
  #call;
  /** The final message as JSON text, once `#call` is finished. */
  #message;
  /** `{cancelled}`, set by the wasm side (see the constructor). */
  #flag;
  /** The idle timeout: the longest wait for each read after the first. */
  #idleMs;
  /** The events of the last read, and the index of the next to hand out. */
  #events = [];
  #next = 0;
  /** The promise of the pull in flight; the next `next()` waits for it. */
  #pending;
  /** Ended, failed or returned: every later `next()` is done. */
  #done = false;
  /** The body ended: nothing more to read. */
  #ended = false;
  /** The body reader of the attempt in flight: undefined until it is
   *  connected, null for a response without a body. */
  #reader;
  /** The attempt's timer (`WaitTimer`, host.js), and whether its first
   *  read (under the first-byte timeout, which the wasm side ends) is still
   *  to come. */
  #timer;
  #first = true;

  /**
   * @param call the wasm side of the stream
   * @param flag `{cancelled}`, true once the call is cancelled (`cancel()`
   *   or the caller's signal): the events not handed out yet are dropped
   *   then, and the next pull fails with an `aborted` ZenError.
   * @param idleMs the idle timeout
   */
  constructor(call, flag, idleMs) {
    this.#call = call;
    this.#flag = flag;
    this.#idleMs = idleMs;
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
    this.#events = [];
    this.#pending = this.#pull();
    return this.#pending;
  }

  /** Ends the iteration early (what `break` in `for await` calls): cancels the request. */
  return() {
    this.#done = true;
    this.#events = [];
    if (this.#call !== undefined && !this.#ended) this.#call.cancel();
    // A pull in flight fails as aborted, and finishes the call then.
    if (this.#pending === undefined) this.#finish();
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

  /**
   * The first event of the next read that completes any, or the end: reads
   * (connecting first when needed) until a read completes events or the
   * body ends. Throws the ZenError the call failed with. One async function
   * for the whole pull: a helper awaited per read would cost every read a
   * promise and a turn of the microtask queue more (−4 % of a stream's
   * instructions, callgrind).
   */
  async #pull() {
    const call = this.#call;
    try {
      while (!this.#ended) {
        // A cancelled call connects no more: that fails as aborted.
        if (this.#reader === undefined || this.#flag.cancelled) await this.#connect();
        const timer = this.#first ? undefined : this.#timer;
        let read;
        timer?.start(this.#idleMs);
        try {
          // A response without a body reads as ended at once.
          read = this.#reader === null ? done() : await this.#reader.read();
          // A fetch of another realm (Miniflare, a polyfill) gives chunks that
          // fail `instanceof Uint8Array`: any object is taken as one.
          if (!read.done && (typeof read.value !== "object" || read.value === null)) {
            throw new TypeError("body chunk is not a Uint8Array");
          }
        } catch (error) {
          call.failed(error); // throws, unless the call is to connect again
          this.#reader = undefined;
          continue;
        } finally {
          timer?.stop();
        }
        this.#first = false;
        const events = read.done ? call.end() : call.push(read.value);
        if (events === undefined) {
          // A retry: this attempt is over.
          this.#reader = undefined;
          continue;
        }
        this.#ended = read.done;
        if (events === null) continue;
        // Returned meanwhile: the iteration is over.
        if (this.#done) break;
        this.#events = events;
        this.#next = 1;
        return { value: events[0], done: false };
      }
      this.#done = true;
      this.#finish();
      return done();
    } catch (error) {
      this.#done = true;
      this.#finish();
      throw error;
    } finally {
      this.#pending = undefined;
    }
  }

  /** Connects (again): the body reader and timer of a new attempt. */
  #connect() {
    return new Promise((resolve, reject) => {
      this.#call.connect((reader, timer) => {
        this.#reader = reader;
        this.#timer = timer;
        this.#first = true;
        resolve();
      }, reject);
    });
  }

  /** The call is over: keep its final message, free its wasm side. */
  #finish() {
    if (this.#call === undefined) return;
    this.#message = this.#call.finish();
    this.#call = undefined;
  }
}

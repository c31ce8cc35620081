// The ZenError contract check shared by the Node tests.
import assert from "node:assert/strict";

/** Every ErrorKind string of the JS API. */
export const ERROR_KINDS = new Set([
  "auth", "credits", "monthlyLimit", "userLimit", "model", "rateLimit", "freeUsageLimit", "freeTier",
  "invalidRequest", "notFound", "overloaded", "server", "timeout", "aborted", "network", "protocol", "unknown",
]);

/** Asserts `err` is a ZenError as the spec defines it (of `kind` when given) and returns it. */
export function assertZenError(err, kind) {
  assert.ok(err instanceof Error, `not an Error: ${err}`);
  assert.equal(typeof err.stack, "string", "has a stack");
  assert.ok(ERROR_KINDS.has(err.kind), `unknown kind ${err.kind} (message: ${err.message})`);
  if (kind !== undefined) assert.equal(err.kind, kind, `kind (message: ${err.message})`);
  assert.equal(typeof err.message, "string");
  assert.ok(err.message.length > 0, "has a message");
  assert.equal(typeof err.retryable, "boolean");
  assert.ok(err.status === undefined || Number.isInteger(err.status), "status is a number or undefined");
  assert.ok(err.retryAfter === undefined || typeof err.retryAfter === "number", "retryAfter is seconds or undefined");
  return err;
}

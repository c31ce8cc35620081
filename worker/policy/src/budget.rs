//! Reservation math: before forwarding, the worst case a request can cost;
//! after the stream, what it did cost (from the usage read off the stream).

use serde::{Deserialize, Serialize};
use zenwire::catalog::ModelInfo;
use zenwire::cost::{estimate, Usd};
use zenwire::event::Usage;

use crate::body::Prepared;
use crate::dialect::{Refusal, RefusalKind};

/// An amount of spend: USD and tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spend {
    /// US dollars.
    pub usd: Usd,
    /// Tokens (input, cache and output).
    pub tokens: u64,
}

/// Input tokens assumed for a body of `bytes` bytes. A token of a BPE
/// vocabulary covers at least one byte of text, so the body length bounds
/// the prompt's tokens from above (the JSON syntax around it only adds
/// slack). Over-reserving is safe: settlement returns the difference.
pub fn input_token_bound(bytes: usize) -> u64 {
    bytes as u64
}

/// The worst case `prepared` can cost: every input token at the dearest
/// input rate (plain or cache write) and the full output cap for every
/// choice. `budgeted` says a USD budget applies: then a model without a
/// usable price is refused, since its spend could not be bounded.
pub fn worst_case(prepared: &Prepared, budgeted: bool) -> Result<Spend, Refusal> {
    let mut input = input_token_bound(prepared.body_bytes);
    if prepared.unbounded_input {
        // Media, provider tools or provider-kept state: the body says
        // nothing about the input, the context window bounds it.
        let context = prepared.model.limits.context;
        if budgeted && context == 0 {
            return Err(Refusal::new(
                RefusalKind::Forbidden,
                "model_context_unknown",
                format!(
                    "model {} has no known context window, so a spending budget cannot be enforced for input the request's size does not bound",
                    prepared.model.id
                ),
            ));
        }
        input = input.max(context);
    }
    let output = prepared.max_output_tokens.saturating_mul(prepared.choices);
    let plain = estimate(
        &prepared.model,
        &Usage {
            input_tokens: Some(input),
            output_tokens: Some(output),
            cache_read_tokens: Some(0),
            cache_write_tokens: Some(0),
            reasoning_tokens: None,
        },
    );
    let cached = estimate(
        &prepared.model,
        &Usage {
            input_tokens: Some(0),
            output_tokens: Some(output),
            cache_read_tokens: Some(0),
            cache_write_tokens: Some(input),
            reasoning_tokens: None,
        },
    );
    if budgeted && !prepared.model.free && !plain.is_complete() {
        return Err(Refusal::new(
            RefusalKind::Forbidden,
            "model_unpriced",
            format!(
                "model {} has no known price, so a spending budget cannot be enforced for it",
                prepared.model.id
            ),
        ));
    }
    let usd = if prepared.model.free {
        Usd::ZERO
    } else if cached.is_complete() {
        plain.total.max(cached.total)
    } else {
        plain.total
    };
    Ok(Spend {
        usd,
        tokens: input.saturating_add(output),
    })
}

/// What a finished request cost. `billed` (Zen's own cost frame/field,
/// which comes after the stream's end) wins over the catalog estimate from
/// `usage`. `complete` says the response's terminal frame was seen, so
/// `usage` is final; a response cut before it (the client left, the
/// upstream broke or went silent) is charged at least the `reserved` worst
/// case: its interim usage (Messages' `message_start` reports one output
/// token) says nothing about what the provider bills, and cutting a stream
/// must never make spending cheaper.
pub fn actual(
    model: &ModelInfo,
    usage: &Usage,
    billed: Option<&str>,
    complete: bool,
    reserved: Spend,
) -> Spend {
    let billed_usd = billed.and_then(|b| Usd::parse(b).ok());
    if billed_usd.is_none() && !complete {
        let seen = estimate(model, usage).total;
        return Spend {
            usd: if model.free {
                Usd::ZERO
            } else {
                seen.max(reserved.usd)
            },
            tokens: usage_tokens(usage).max(reserved.tokens),
        };
    }
    if usage.is_empty() && billed_usd.is_none() {
        return reserved;
    }
    let tokens = usage_tokens(usage);
    let usd = match billed_usd {
        Some(b) => b,
        None if model.free => Usd::ZERO,
        None => {
            let e = estimate(model, usage);
            // Missing output count: assume the reservation's output.
            if usage.output_tokens.is_none() {
                e.total.max(reserved.usd)
            } else {
                e.total
            }
        }
    };
    Spend {
        usd,
        tokens: match (usage.is_empty(), billed_usd) {
            (false, _) => tokens,
            // Billed nothing and reported nothing: nothing was generated
            // (an error before output, with Zen's "0" cost frame).
            (true, Some(b)) if b == Usd::ZERO => 0,
            (true, _) => reserved.tokens,
        },
    }
}

/// Every token `usage` counts (input, output, cache reads and writes).
fn usage_tokens(usage: &Usage) -> u64 {
    [
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_read_tokens,
        usage.cache_write_tokens,
    ]
    .into_iter()
    .flatten()
    .fold(0u64, u64::saturating_add)
}

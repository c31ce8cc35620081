//! Typed errors: the kind of every failure zenwire can report.

use serde::{Deserialize, Serialize};

/// What kind of failure an error is. Serialized camelCase (`"rateLimit"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// Missing, invalid or blocked API key.
    Auth,
    /// No balance or no payment method.
    Credits,
    /// The workspace's monthly spending limit was reached.
    MonthlyLimit,
    /// The member's spending limit was reached.
    UserLimit,
    /// The model is unknown, disabled or not served on this endpoint.
    Model,
    /// Too many requests.
    RateLimit,
    /// The free models' daily quota is used up.
    FreeUsageLimit,
    /// The free tier refused this client.
    FreeTier,
    /// The request was malformed.
    InvalidRequest,
    /// Not found.
    NotFound,
    /// The provider is overloaded.
    Overloaded,
    /// A server-side failure.
    Server,
    /// No answer in time.
    Timeout,
    /// The caller cancelled.
    Aborted,
    /// The connection failed or broke.
    Network,
    /// The response could not be decoded (malformed or oversized stream data).
    Protocol,
    /// Anything else.
    Unknown,
}

impl ErrorKind {
    /// Whether an error of this kind may succeed when retried.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimit
                | ErrorKind::Overloaded
                | ErrorKind::Server
                | ErrorKind::Timeout
                | ErrorKind::Network
        )
    }
}

//! Routing: which endpoint a method and path name. Only Zen's own paths are
//! forwarded; everything else is the relay's (health, admin) or not found.

use zenwire::wire::WireFormat;

/// The API path prefix, the same as Zen's so only the base URL changes.
pub const API_PREFIX: &str = "/zen/v1";
/// Longest Gemini model id accepted in a path.
const MAX_MODEL_ID_LEN: usize = 128;

/// An inference endpoint (a POST that spends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /zen/v1/chat/completions`.
    Chat,
    /// `POST /zen/v1/responses`.
    Responses,
    /// `POST /zen/v1/messages`.
    Messages,
    /// `POST /zen/v1/models/{model}:generateContent` or `:streamGenerateContent`.
    Gemini {
        /// The model named in the path.
        model: String,
        /// `:streamGenerateContent`.
        stream: bool,
    },
}

impl Endpoint {
    /// The wire format (and so dialect) the endpoint speaks.
    pub fn format(&self) -> WireFormat {
        match self {
            Endpoint::Chat => WireFormat::Chat,
            Endpoint::Responses => WireFormat::Responses,
            Endpoint::Messages => WireFormat::Messages,
            Endpoint::Gemini { .. } => WireFormat::Gemini,
        }
    }

    /// The path below the upstream base URL (Gemini streams ask for SSE).
    pub fn upstream_path(&self) -> String {
        match self {
            Endpoint::Gemini { model, stream } => {
                zenwire::catalog::endpoint_path(WireFormat::Gemini, model, *stream)
            }
            other => zenwire::catalog::endpoint_path(other.format(), "", false),
        }
    }

    /// Short name for logs.
    pub fn name(&self) -> &'static str {
        self.format().as_str()
    }
}

/// The admin operations (guarded by the admin secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminOp {
    /// `GET /admin/usage?sub=…` — a subject's counters.
    Usage,
    /// `POST /admin/tokens` — mint a token.
    MintToken,
    /// `POST /admin/revoke` — revoke a subject's tokens issued so far.
    Revoke,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// An inference call.
    Api(Endpoint),
    /// `GET /zen/v1/models`.
    ListModels,
    /// `OPTIONS` on an API path: a CORS preflight. Carries the dialect of the
    /// path for error answers.
    Preflight(WireFormat),
    /// `GET /healthz`.
    Health,
    /// `/admin/*`.
    Admin(AdminOp),
    /// A known path with the wrong method; `allow` lists the right ones.
    MethodNotAllowed {
        /// Dialect for the error body.
        format: WireFormat,
        /// Value of the `Allow` header.
        allow: &'static str,
    },
    /// An API path that does not exist or a malformed Gemini path.
    ApiNotFound(WireFormat),
    /// Anything else: static assets (the playground) or 404.
    Other,
}

/// A known API path: its endpoint (`None` for the models list), dialect and
/// allowed methods.
type KnownPath = (Option<Endpoint>, WireFormat, &'static str);

/// What an API path names, ignoring the method: `None` for an unknown path,
/// `Err(dialect)` for a malformed Gemini path.
fn api_path(rest: &str) -> Option<Result<KnownPath, WireFormat>> {
    Some(Ok(match rest {
        "/chat/completions" => (Some(Endpoint::Chat), WireFormat::Chat, "POST, OPTIONS"),
        "/responses" => (
            Some(Endpoint::Responses),
            WireFormat::Responses,
            "POST, OPTIONS",
        ),
        "/messages" => (
            Some(Endpoint::Messages),
            WireFormat::Messages,
            "POST, OPTIONS",
        ),
        "/models" => (None, WireFormat::Chat, "GET, OPTIONS"),
        _ => {
            let spec = rest.strip_prefix("/models/")?;
            return Some(
                parse_gemini(spec).map(|e| (Some(e), WireFormat::Gemini, "POST, OPTIONS")),
            );
        }
    }))
}

fn parse_gemini(spec: &str) -> Result<Endpoint, WireFormat> {
    let (model, method) = spec.rsplit_once(':').ok_or(WireFormat::Gemini)?;
    let stream = match method {
        "streamGenerateContent" => true,
        "generateContent" => false,
        _ => return Err(WireFormat::Gemini),
    };
    let valid = !model.is_empty()
        && model.len() <= MAX_MODEL_ID_LEN
        && model
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !valid {
        return Err(WireFormat::Gemini);
    }
    Ok(Endpoint::Gemini {
        model: model.to_owned(),
        stream,
    })
}

/// Routes `method` + `path` (no query string).
pub fn route(method: &str, path: &str) -> Route {
    if path == "/healthz" {
        return match method {
            "GET" | "HEAD" => Route::Health,
            _ => Route::MethodNotAllowed {
                format: WireFormat::Chat,
                allow: "GET, HEAD",
            },
        };
    }
    if let Some(op) = path.strip_prefix("/admin/") {
        let (want, op) = match op {
            "usage" => ("GET", AdminOp::Usage),
            "tokens" => ("POST", AdminOp::MintToken),
            "revoke" => ("POST", AdminOp::Revoke),
            _ => return Route::ApiNotFound(WireFormat::Chat),
        };
        return if method == want {
            Route::Admin(op)
        } else {
            Route::MethodNotAllowed {
                format: WireFormat::Chat,
                allow: want,
            }
        };
    }
    let Some(rest) = path.strip_prefix(API_PREFIX) else {
        return Route::Other;
    };
    if rest.is_empty() || rest == "/" {
        return Route::ApiNotFound(WireFormat::Chat);
    }
    let (endpoint, format, allow) = match api_path(rest) {
        None => return Route::ApiNotFound(WireFormat::Chat),
        Some(Err(format)) => {
            return if method == "OPTIONS" {
                Route::Preflight(format)
            } else {
                Route::ApiNotFound(format)
            }
        }
        Some(Ok(found)) => found,
    };
    match (method, endpoint) {
        ("OPTIONS", _) => Route::Preflight(format),
        ("POST", Some(e)) => Route::Api(e),
        ("GET" | "HEAD", None) => Route::ListModels,
        _ => Route::MethodNotAllowed { format, allow },
    }
}

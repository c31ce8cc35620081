//! The answer to one request, independent of wire format: reasoning and text
//! deltas, an optional tool call, usage and Zen's cost string.

use crate::config::Model;
use crate::inspect::Ask;

/// A tool call to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// Function name (the first declared tool).
    pub name: String,
    /// Call id (`call_…` / `toolu_…` style, format modules add prefixes).
    pub call_id: String,
    /// The complete arguments JSON.
    pub arguments: String,
    /// `arguments` split into the fragments a stream sends.
    pub fragments: Vec<String>,
}

/// Everything a format module needs to render a response.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Model id echoed back.
    pub model: String,
    /// Unix seconds of the request.
    pub created: u64,
    /// Unique hex suffix for ids of this response.
    pub uid: String,
    /// Reasoning deltas (empty when not requested or not supported).
    pub reasoning: Vec<String>,
    /// Opaque signature closing the reasoning (Anthropic/Gemini).
    pub signature: String,
    /// Text deltas.
    pub text: Vec<String>,
    /// Tool call, when one is made.
    pub tool: Option<ToolCall>,
    /// Prompt tokens (≈ request bytes / 4).
    pub input_tokens: u64,
    /// Output tokens (one per delta, reasoning included).
    pub output_tokens: u64,
    /// Reasoning share of the output tokens.
    pub reasoning_tokens: u64,
    /// USD charged, as Zen formats it (`toFixed(8)`, "0" when free).
    pub cost: String,
}

impl Plan {
    /// The whole text answer.
    pub fn full_text(&self) -> String {
        self.text.concat()
    }

    /// The whole reasoning text.
    pub fn full_reasoning(&self) -> String {
        self.reasoning.concat()
    }
}

/// Inputs that shape a plan besides the request itself.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Make a tool call if any tool is declared (`x-mock-tool-call: 1`).
    pub force_tool: bool,
    /// Exactly this many text deltas (`long:N`, `slow`, `markdown:N`).
    pub deltas: Option<usize>,
    /// With `deltas`: the deltas make up a Markdown document (`markdown:N`)
    /// instead of `word1 word2 …`.
    pub markdown: bool,
    /// Request body size, for the input-token estimate.
    pub body_len: usize,
    /// Sequence number making ids unique.
    pub seq: u64,
    /// Unix seconds now.
    pub now: u64,
}

/// Builds the answer for `ask` from `model`.
pub fn build(model: &Model, ask: &Ask, shape: &Shape) -> Plan {
    let user_text = ask.user_text.as_deref().map(strip_mock_command);
    let wants_tool = ask.first_tool.is_some()
        && (shape.force_tool
            || (ask.tool_result.is_none()
                && user_text
                    .as_deref()
                    .is_some_and(|t| t.to_lowercase().contains("use tool"))));
    let uid = format!("{:08x}{:08x}", shape.now, shape.seq);
    let tool = match (&ask.first_tool, wants_tool) {
        (Some(name), true) => {
            let arguments =
                serde_json::json!({ "input": user_text.clone().unwrap_or_default() }).to_string();
            Some(ToolCall {
                name: name.clone(),
                call_id: format!("mock{uid}"),
                fragments: split_fixed(&arguments, 8),
                arguments,
            })
        }
        _ => None,
    };
    let text = match (shape.deltas, &tool) {
        (Some(n), _) if shape.markdown => markdown_deltas(n),
        (Some(n), _) => (1..=n).map(|i| format!("word{i} ")).collect(),
        (None, Some(_)) => Vec::new(),
        (None, None) => {
            let answer = match (&ask.tool_result, &user_text) {
                (Some(result), _) => format!("Tool result: {result}"),
                (None, Some(t)) if !t.trim().is_empty() => format!("You said: {t}"),
                _ => "You said nothing.".to_string(),
            };
            split_words(&answer)
        }
    };
    let reasoning = if ask.reasoning && model.reasoning {
        let thought = match &tool {
            Some(t) => format!(
                "The user asked me to use a tool, so I will call {}.",
                t.name
            ),
            None => "The user wants an echo, so I will repeat their words.".to_string(),
        };
        split_words(&thought)
    } else {
        Vec::new()
    };
    let tool_tokens = tool.as_ref().map_or(0, |t| t.fragments.len());
    let input_tokens = (shape.body_len as u64 / 4).max(1);
    let output_tokens = (reasoning.len() + text.len() + tool_tokens).max(1) as u64;
    let cost = if model.free {
        "0".to_string()
    } else {
        let usd = (input_tokens as f64 * model.price[0] + output_tokens as f64 * model.price[1])
            / 1_000_000.0;
        format!("{usd:.8}")
    };
    Plan {
        model: model.id.clone(),
        created: shape.now,
        signature: format!("mocksig{uid}"),
        uid,
        reasoning_tokens: reasoning.len() as u64,
        reasoning,
        text,
        tool,
        input_tokens,
        output_tokens,
        cost,
    }
}

/// `n` word-sized deltas of a long Markdown document: numbered sections, each
/// with a heading, prose with inline marks and a link, a nested list, a code
/// fence with a blank line inside, a table, nested quotes and an ordered list
/// (split at whitespace, so fences and table rows span several deltas).
pub fn markdown_deltas(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    for k in 1.. {
        let section = format!(
            "## Section {k}\n\n\
             Here is **bold**, *emphasis*, `inline code` and a [link](https://example.com/{k}), \
             then enough plain words to make a line of prose wrap at least once on a phone.\n\n\
             - first item\n- second item with `code`\n  - nested item\n- third item\n\n\
             ```rust\nfn section_{k}() -> u32 {{\n    let x = {k};\n\n    x * 2\n}}\n```\n\n\
             | column | value | note |\n|---|---:|---|\n| alpha | {k} | first |\n| beta | {} | second |\n\n\
             > A quote about section {k}\n> > and a nested one\n\n\
             1. one\n2. two\n3. three\n\n",
            k * 2
        );
        for word in split_words(&section) {
            if out.len() == n {
                return out;
            }
            out.push(word);
        }
    }
    out
}

/// Drops a leading `/mock <scenario>` line from a user message.
pub fn strip_mock_command(text: &str) -> String {
    match text.strip_prefix("/mock ") {
        Some(rest) => rest
            .split_once('\n')
            .map(|(_, after)| after.to_string())
            .unwrap_or_default(),
        None => text.to_string(),
    }
}

/// The scenario named by a leading `/mock <scenario>` line, if any.
pub fn mock_command(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("/mock ")?;
    Some(rest.split(['\n', ' ']).next().unwrap_or(""))
}

/// Splits into words (each keeping its trailing whitespace); words longer
/// than 12 characters are cut into 8-character pieces.
pub fn split_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_space = false;
    for c in text.chars() {
        if !c.is_whitespace() && in_space {
            out.extend(split_long(&word));
            word.clear();
        }
        in_space = c.is_whitespace();
        word.push(c);
    }
    if !word.is_empty() {
        out.extend(split_long(&word));
    }
    out
}

fn split_long(word: &str) -> Vec<String> {
    if word.chars().count() > 12 {
        split_fixed(word, 8)
    } else {
        vec![word.to_string()]
    }
}

/// Splits into pieces of `n` characters (the last may be shorter).
pub fn split_fixed(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Format;

    fn model(free: bool) -> Model {
        Model {
            id: "m".into(),
            format: Format::Chat,
            free,
            reasoning: true,
            price: [1.0, 10.0],
        }
    }

    #[test]
    fn words_split_losslessly() {
        let t = "You said: hello  wonderful supercalifragilistic world\n";
        let parts = split_words(t);
        assert_eq!(parts.concat(), t);
        assert!(parts.iter().all(|p| p.trim().chars().count() <= 12));
        assert_eq!(split_words("").len(), 0);
        assert_eq!(split_fixed("héllo wörld", 4).concat(), "héllo wörld");
    }

    #[test]
    fn echo_plan_and_cost() {
        let ask = Ask {
            user_text: Some("hi there".into()),
            ..Ask::default()
        };
        let shape = Shape {
            body_len: 400,
            seq: 1,
            now: 1,
            ..Shape::default()
        };
        let p = build(&model(false), &ask, &shape);
        assert_eq!(p.full_text(), "You said: hi there");
        assert_eq!((p.input_tokens, p.output_tokens), (100, 4));
        assert_eq!(p.cost, "0.00014000");
        assert_eq!(build(&model(true), &ask, &shape).cost, "0");
    }

    #[test]
    fn tool_only_when_asked() {
        let mut ask = Ask {
            user_text: Some("please USE TOOL now".into()),
            first_tool: Some("f".into()),
            reasoning: true,
            ..Ask::default()
        };
        let p = build(&model(false), &ask, &Shape::default());
        let tool = p.tool.clone().unwrap();
        assert_eq!(tool.arguments, r#"{"input":"please USE TOOL now"}"#);
        assert_eq!(tool.fragments.concat(), tool.arguments);
        assert!(p.text.is_empty() && !p.reasoning.is_empty());
        ask.user_text = Some("no".into());
        assert!(build(&model(false), &ask, &Shape::default()).tool.is_none());
    }

    #[test]
    fn markdown_deltas_are_exact_and_varied() {
        let d = markdown_deltas(500);
        assert_eq!(d.len(), 500);
        let text = d.concat();
        for piece in [
            "## Section 2",
            "```rust",
            "|---|---:|---|",
            "> > and",
            "  - nested",
            "1. one",
        ] {
            assert!(text.contains(piece), "{piece}");
        }
        assert!(d.iter().all(|w| !w.is_empty()));
    }

    #[test]
    fn mock_commands() {
        assert_eq!(mock_command("/mock slow\nhello"), Some("slow"));
        assert_eq!(mock_command("/mock long:3 rest"), Some("long:3"));
        assert_eq!(mock_command("hello"), None);
        assert_eq!(strip_mock_command("/mock slow\nhello"), "hello");
        assert_eq!(strip_mock_command("/mock slow"), "");
    }
}

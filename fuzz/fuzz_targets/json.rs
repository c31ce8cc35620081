//! Fuzz the JSON pull reader: any text must never panic, and the reader must
//! accept exactly what serde_json accepts (outside its two documented
//! differences: lone surrogate escapes, and numbers too large for an f64,
//! which are still numbers to a syntax check), with `raw` giving back the
//! document's exact text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zenwire::json::Reader;

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let mut r = Reader::new(text);
    let raw = r.raw();
    let ours = raw.is_ok() && r.end().is_ok();
    if let Ok(raw) = raw {
        let start = text.trim_start_matches([' ', '\t', '\n', '\r']);
        assert!(start.starts_with(raw), "raw is not the value's text");
    }
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    let documented = text.contains("\\u")
        || theirs
            .as_ref()
            .is_err_and(|e| e.to_string().contains("out of range") || e.to_string().contains("recursion limit"));
    if !documented {
        assert_eq!(ours, theirs.is_ok(), "reader and serde_json disagree on {text:?}");
    }
});

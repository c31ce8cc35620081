//! Fuzz the request parser the JS binding uses: any text must never panic,
//! what it accepts the serde derive must accept too, as an equal request
//! (the other way round does not hold: from_json refuses serde's quirks of a
//! struct written as an array of its fields and an enum written as a map), and a
//! parsed request must build or be refused with a typed error for every model
//! of the catalog, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zenwire::catalog::Catalog;
use zenwire::request::{BuildOptions, UnifiedRequest};

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let ours = UnifiedRequest::from_json(text);
    // serde refuses lone surrogates and very deep values the reader accepts;
    // those inputs are not compared.
    if let (Ok(ours), false) = (&ours, text.contains("\\u")) {
        match serde_json::from_str::<UnifiedRequest>(text) {
            Ok(theirs) => assert_eq!(ours, &theirs, "the two parsers disagree on {text:?}"),
            Err(e) if e.to_string().contains("recursion limit") => {}
            Err(e) => panic!("from_json accepted what serde refuses ({e}): {text:?}"),
        }
    }
    if let Ok(req) = ours {
        for model in Catalog::builtin().models() {
            let mut req = req.clone();
            req.model = model.id.clone();
            let _ = zenwire::request::build(&req, model, &BuildOptions::with_key("k"));
        }
    }
});

//! The browser test embeds the stream fixtures one by one (no filesystem in
//! a browser); this checks that it lists every one of them.

use std::fs;
use std::path::Path;

#[test]
fn browser_test_lists_every_stream_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let browser_test = fs::read_to_string(root.join("wasm_browser.rs")).unwrap();
    let mut count = 0;
    for format in ["chat", "responses", "messages", "gemini"] {
        for entry in fs::read_dir(root.join("fixtures").join(format)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if !name.ends_with(".sse") {
                continue;
            }
            count += 1;
            let line = format!("fixture!(\"{format}\", \"{name}\")");
            assert!(
                browser_test.contains(&line),
                "tests/wasm_browser.rs does not list {format}/{name}"
            );
        }
    }
    assert!(count >= 4, "found only {count} stream fixtures");
}

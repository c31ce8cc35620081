//! Fuzz the Messages wire decoder through `StreamDecoder` (see wire_common.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zenwire::WireFormat;

mod wire_common;

fuzz_target!(|data: &[u8]| wire_common::check(WireFormat::Messages, data));

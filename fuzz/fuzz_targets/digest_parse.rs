#![no_main]
//! See `layerwise_core::fuzz::digest_parse`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| layerwise_core::fuzz::digest_parse(data));

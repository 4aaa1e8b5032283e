#![no_main]
//! See `layerwise_core::fuzz::decompress`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| layerwise_core::fuzz::decompress(data));

#![no_main]
//! See `layerwise_core::fuzz::json_models`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| layerwise_core::fuzz::json_models(data));

#![no_main]
//! See `layerwise_core::fuzz::layer_apply`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| layerwise_core::fuzz::layer_apply(data));

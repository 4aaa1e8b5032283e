#![no_main]
//! See `layerwise_core::fuzz::tar_entries`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| layerwise_core::fuzz::tar_entries(data));

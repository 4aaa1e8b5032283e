#![no_main]
//! See `layerwise_core::fuzz::archive_import`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| layerwise_core::fuzz::archive_import(data));

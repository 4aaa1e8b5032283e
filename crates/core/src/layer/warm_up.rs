//! Warming up a fresh WASM instance's hot code before the first import needs it.
//!
//! A browser compiles WASM with a quick baseline compiler first and optimizes a function only
//! once it has run for a while, and only for its next call. A layer's first 4 MiB chunk is one
//! long call into sha256 and the inflater, so on a fresh worker it ran entirely in the baseline
//! code, several times slower. Running a small layer through every step many times at start
//! makes the browser optimize them while the user is still choosing a file.

use std::io::Write;

use super::LayerReader;
use crate::tar::TarWriter;

/// Bytes of the warm-up layer's one file.
const FILE_LEN: usize = 64 * 1024;
/// How many times the warm-up layer is read, in chunks of [`CHUNK`].
const ROUNDS: usize = 48;
const CHUNK: usize = 4096;

/// Reads a small gzip layer [`ROUNDS`] times; returns how many entries it found each time (one),
/// so the work cannot be optimized away.
pub fn warm_up() -> usize {
    let data: Vec<u8> = (0..FILE_LEN).map(|i| (i * 7 % 251) as u8).collect();
    let tar = TarWriter::new().file("warm-up", &data, 0o644).finish();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let blob = match gzip.write_all(&tar).and_then(|()| gzip.finish()) {
        Ok(blob) => blob,
        Err(_) => return 0,
    };
    let mut found = 0;
    for _ in 0..ROUNDS {
        let mut reader = LayerReader::new(blob.len() as u64);
        if blob.chunks(CHUNK).all(|c| reader.update(c).is_ok()) {
            found = reader.finish().map_or(0, |s| s.entries.len());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_warm_up_layer_reads_as_one_file() {
        assert_eq!(super::warm_up(), 1);
    }
}

//! Precompressing the built app: `layerwise-server` serves `X.br` or `X.gz` in place of `X` to a
//! browser that accepts them, so the page's first load is what brotli makes of it. Done once per
//! build, at the strongest settings, rather than per request.

use std::io::Write;
use std::path::Path;

/// The kinds of file the server sends compressed.
const TEXT_LIKE: [&str; 5] = ["wasm", "js", "css", "html", "svg"];

/// Writes `X.br` and `X.gz` beside every such file of `dist` (trunk replaces the whole folder on
/// each build, so none is left from an earlier one).
pub(crate) fn dist(dist: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for path in entries.flatten().map(|e| e.path()) {
        if !path.extension().is_some_and(|x| TEXT_LIKE.iter().any(|t| x == *t)) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        write(&path, "br", &brotli(&bytes)?)?;
        write(&path, "gz", &gzip(&bytes)?)?;
    }
    Ok(())
}

/// Brotli at quality 11 with the largest window: what a CDN's static precompression uses.
pub(crate) fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out)
}

/// gzip at level 9.
pub(crate) fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

fn write(path: &Path, suffix: &str, bytes: &[u8]) -> Result<(), String> {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    std::fs::write(&name, bytes).map_err(|e| format!("{}: {e}", Path::new(&name).display()))
}

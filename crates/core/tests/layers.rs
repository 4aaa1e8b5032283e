//! Layer blobs as real compressors write them: gzip (several members), zstd (several frames,
//! skippable frames, checksums, long windows), fed in chunks of every size.

use std::io::Write;
use std::process::{Command, Stdio};

use layerwise_core::digest::Digest;
use layerwise_core::layer::{BlobReader, KeptBlob, LayerError, LayerReader, LayerSummary, Stopwatch, TarReader, TarSummary};
use layerwise_core::store::BlobBuilder;
use layerwise_core::media_type::Compression;
use layerwise_core::tar::TarWriter;

fn sample_tar() -> Vec<u8> {
    let mut rng = 0x2545f4914f6cdd1du64;
    let noise: Vec<u8> = (0..300_000)
        .map(|_| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % 7) as u8 + b'a'
        })
        .collect();
    TarWriter::new().dir("etc").file("etc/hosts", b"127.0.0.1 localhost\n", 0o644).file("data/noise.txt", &noise, 0o644).finish()
}

/// Runs a real compressor over `input`.
fn tool(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("compressor installed");
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "{program} {args:?} failed");
    out.stdout
}

fn read_in_chunks(blob: &[u8], chunk: usize) -> Result<LayerSummary, LayerError> {
    let mut reader = LayerReader::new(blob.len() as u64);
    for c in blob.chunks(chunk) {
        reader.update(c)?;
    }
    reader.finish()
}

fn assert_reads_as(blob: &[u8], tar: &[u8], compression: Compression) {
    for chunk in [1, 7, 4096, 1 << 20] {
        let s = read_in_chunks(blob, chunk).unwrap_or_else(|e| panic!("chunks of {chunk}: {e}"));
        assert_eq!(s.diff_id, Digest::of(tar), "chunks of {chunk}");
        assert_eq!(s.digest, Digest::of(blob));
        assert_eq!(s.compression, compression);
        assert_eq!(s.entries.len(), 3);
        assert_eq!(s.size, 20 + 300_000);
    }
}

#[test]
fn gzip_with_several_members_reads_every_member_as_docker_does() {
    let tar = sample_tar();
    let (a, b) = tar.split_at(100_000);
    let mut blob = tool("gzip", &["-c"], a);
    blob.extend(tool("gzip", &["-c", "-9"], b));
    assert_reads_as(&blob, &tar, Compression::Gzip);
}

#[test]
fn zstd_frames_skippable_frames_and_checksums_read_back() {
    let tar = sample_tar();
    assert_reads_as(&tool("zstd", &["-q", "-c"], &tar), &tar, Compression::Zstd);
    assert_reads_as(&tool("zstd", &["-q", "-c", "--no-check", "-19"], &tar), &tar, Compression::Zstd);
    let (a, b) = tar.split_at(123_457);
    let mut frames = vec![0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5];
    frames.extend(tool("zstd", &["-q", "-c"], a));
    frames.extend(tool("zstd", &["-q", "-c", "--long=27"], b));
    assert_reads_as(&frames, &tar, Compression::Zstd);
}

#[test]
fn xz_and_bzip2_streams_read_back_in_chunks_of_any_size_and_are_kept_as_the_plain_tar() {
    let tar = sample_tar();
    let (a, b) = tar.split_at(123_457);
    let mut xz = tool("xz", &["-c", "-q"], a);
    xz.extend([0; 4]);
    xz.extend(tool("xz", &["-c", "-q", "--check=sha256", "-9"], b));
    let mut bz = tool("bzip2", &["-c", "-q"], a);
    bz.extend(tool("bzip2", &["-c", "-q", "-1"], b));
    for (blob, compression) in [(xz, Compression::Xz), (bz, Compression::Bzip2)] {
        assert_reads_as(&blob, &tar, compression);
        let kept = read_in_chunks(&blob, 4096).unwrap().kept();
        assert_eq!((kept.digest, kept.blob_size, kept.compression, kept.came_as), (Digest::of(&tar), tar.len() as u64, Compression::None, Some(compression)));
        for chunk in [1, 3, 65_536] {
            let mut stored = KeptBlob::new(Vec::new());
            blob.chunks(chunk).for_each(|c| stored.append(c));
            assert!(stored.finish().unwrap() == tar, "{compression:?} kept from chunks of {chunk}");
        }
    }
}

#[test]
fn a_zstd_frame_with_a_bad_checksum_is_refused() {
    let tar = sample_tar();
    let mut blob = tool("zstd", &["-q", "-c"], &tar);
    let last = blob.len() - 1;
    blob[last] ^= 0xff;
    let err = read_in_chunks(&blob, 4096).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
}

#[test]
fn a_zstd_window_over_128_mib_is_refused_before_it_is_allocated() {
    let tar = sample_tar();
    let blob = tool("zstd", &["-q", "-c", "--long=30", "--zstd=wlog=30"], &tar);
    let err = read_in_chunks(&blob, 4096).unwrap_err();
    assert!(err.to_string().contains("window"), "{err}");
}

#[test]
fn truncated_compressed_layers_are_refused() {
    let tar = sample_tar();
    for (name, blob) in [("gzip", tool("gzip", &["-c"], &tar)), ("zstd", tool("zstd", &["-q", "-c"], &tar))] {
        for cut in [10, blob.len() / 2, blob.len() - 1] {
            assert!(read_in_chunks(&blob[..cut], 4096).is_err(), "{name} cut at {cut} was accepted");
        }
    }
}

#[test]
fn a_zstd_bomb_is_refused_at_its_budget() {
    // 3 GiB of zeros in a tar entry compress to a few hundred KiB: far past 1000×, so the layer
    // gets the 1 GiB floor and is refused there. (gzip cannot pass 1032:1, so its bombs are
    // bounded by the ratio.)
    let header = layerwise_core::tar::header("zeros", b'0', 3 << 30, 0o644, None);
    let mut child = Command::new("zstd").args(["-q", "-c", "-1"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        stdin.write_all(&header).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..(3 << 10) {
            stdin.write_all(&zeros).unwrap();
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let err = read_in_chunks(&out.stdout, 1 << 20).unwrap_err();
    assert!(matches!(err, LayerError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("decompression bomb"), "{err}");
}

/// The blob side and the tar side apart, the tar side's findings carried as JSON as between
/// the browser's two workers, in other chunk sizes on each side.
fn read_apart(blob: &[u8], blob_chunk: usize, tar_chunk: usize) -> Result<LayerSummary, LayerError> {
    let mut blob_side = BlobReader::new(Vec::new());
    for c in blob.chunks(blob_chunk) {
        blob_side.update(c)?;
    }
    let (found, tar) = blob_side.finish()?;
    let mut tar_side = TarReader::new(layerwise_core::layer::uncompressed_budget(blob.len() as u64));
    for c in tar.chunks(tar_chunk) {
        tar_side.update(c)?;
    }
    let json = serde_json::to_string(&tar_side.finish()?).unwrap();
    Ok(found.join(serde_json::from_str::<TarSummary>(&json).unwrap()))
}

#[test]
fn the_two_sides_apart_find_what_one_reader_finds() {
    let tar = sample_tar();
    for blob in [tool("gzip", &["-c"], &tar), tar.clone(), tool("zstd", &["-c", "-q"], &tar)] {
        let whole = read_in_chunks(&blob, 1 << 20).unwrap();
        for (blob_chunk, tar_chunk) in [(1, 4096), (7, 1), (1 << 20, 1 << 20)] {
            assert_eq!(read_apart(&blob, blob_chunk, tar_chunk).unwrap(), whole, "chunks {blob_chunk}/{tar_chunk}");
        }
    }
    let mut escaping = TarWriter::new().file(".wh..", b"x", 0o644).finish();
    escaping = tool("gzip", &["-c"], &escaping);
    let (one, apart) = (read_in_chunks(&escaping, 512).unwrap_err(), read_apart(&escaping, 512, 512).unwrap_err());
    assert!(matches!(one, LayerError::Unsafe(_)), "{one}");
    assert_eq!(LayerError::Reported(apart.to_string()).to_string(), one.to_string());
}

#[test]
fn timed_sides_count_their_time_and_find_the_same() {
    use std::sync::atomic::{AtomicU64, Ordering};
    static TICKS: AtomicU64 = AtomicU64::new(0);
    fn tick() -> f64 {
        TICKS.fetch_add(1, Ordering::Relaxed) as f64
    }
    let blob = tool("gzip", &["-c"], &sample_tar());
    let mut blob_side = BlobReader::new(Vec::new()).timed(Stopwatch::new(tick));
    for c in blob.chunks(4096) {
        blob_side.update(c).unwrap();
    }
    let (found, tar) = blob_side.finish().unwrap();
    let mut tar_side = TarReader::new(u64::MAX).timed(Stopwatch::new(tick));
    tar_side.update(&tar).unwrap();
    let summary = tar_side.finish().unwrap();
    assert!(found.hash_ms > 0.0 && summary.hash_ms > 0.0 && summary.index_ms > 0.0, "{found:?} {} {}", summary.hash_ms, summary.index_ms);
    assert_eq!(found.join(summary), read_in_chunks(&blob, 1 << 20).unwrap());
}

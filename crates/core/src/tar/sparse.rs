//! GNU tar's PAX sparse files (formats 0.0, 0.1 and 1.0), read as Go's `archive/tar` reads them:
//! the entry stores only its data fragments, and the file reads as zeros everywhere else.
//!
//! The old GNU type `S` is not read: docker's extraction refuses it ("unhandled tar header type
//! 83"), so no layer docker loads holds one.

use super::{TarError, MAX_EXTENSION_BYTES};

/// One stored run of a sparse file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fragment {
    /// Where the run starts in the file.
    pub offset: u64,
    /// How many bytes it holds (never 0).
    pub len: u64,
}

/// The `GNU.sparse.*` records of one PAX header. Empty values count as absent, as Go compares
/// them with `""`, except 0.0's offsets and lengths, which must parse.
#[derive(Default)]
pub(super) struct SparseRecords {
    major: Option<Vec<u8>>,
    minor: Option<Vec<u8>>,
    pub(super) name: Option<Vec<u8>>,
    size: Option<Vec<u8>>,
    realsize: Option<Vec<u8>>,
    numblocks: Option<Vec<u8>>,
    map: Option<Vec<u8>>,
    /// 0.0's repeated `GNU.sparse.offset` and `GNU.sparse.numbytes` values, in order.
    pairs: Vec<Vec<u8>>,
}

/// Where a sparse file's map is.
pub(super) enum MapAt {
    /// In the PAX records (0.0 and 0.1).
    Records(Vec<Fragment>),
    /// In the first blocks of the entry's data (1.0).
    Data,
}

/// A sparse file found in a PAX header.
pub(super) struct SparseFile {
    /// The file's size, holes included.
    pub(super) realsize: u64,
    pub(super) map: MapAt,
}

impl SparseRecords {
    /// Takes one PAX record if it is a `GNU.sparse.*` one; `false` otherwise.
    ///
    /// # Errors
    /// `()` when 0.0's offsets and lengths do not alternate or hold a comma (Go's `ErrHeader`).
    pub(super) fn take(&mut self, key: &[u8], value: &[u8]) -> Result<bool, ()> {
        let Some(name) = key.strip_prefix(b"GNU.sparse.") else { return Ok(false) };
        let kept = (!value.is_empty()).then(|| value.to_vec());
        match name {
            b"offset" | b"numbytes" => {
                let want_offset = self.pairs.len().is_multiple_of(2);
                if want_offset != (name == b"offset") || value.contains(&b',') {
                    return Err(());
                }
                self.pairs.push(value.to_vec());
            }
            b"major" => self.major = kept,
            b"minor" => self.minor = kept,
            b"name" => self.name = kept,
            b"size" => self.size = kept,
            b"realsize" => self.realsize = kept,
            b"numblocks" => self.numblocks = kept,
            b"map" => self.map = kept,
            _ => {}
        }
        Ok(true)
    }

    /// The sparse file these records describe, `None` when they describe none (no records, or a
    /// version Go does not know: such an entry is a plain file).
    ///
    /// # Errors
    /// A reason when a size or the 0.x map does not parse.
    pub(super) fn file(&self, size: u64) -> Result<Option<SparseFile>, String> {
        let map = if self.pairs.is_empty() { self.map.clone() } else { Some(self.pairs.join(&b',')) };
        let data_map = match (self.major.as_deref(), self.minor.as_deref()) {
            (Some(b"0"), Some(b"0" | b"1")) => false,
            (Some(b"1"), Some(b"0")) => true,
            (None, None) if map.is_some() => false,
            _ => return Ok(None),
        };
        let realsize = match self.size.as_deref().or(self.realsize.as_deref()) {
            Some(v) => number(v).ok_or_else(|| format!("its size `{}` is not a number", String::from_utf8_lossy(v)))?,
            None => size,
        };
        let map = if data_map { MapAt::Data } else { MapAt::Records(records_map(self.numblocks.as_deref(), map.as_deref().unwrap_or_default())?) };
        Ok(Some(SparseFile { realsize, map }))
    }
}

/// A decimal as Go's `strconv.ParseInt(s, 10, 64)` reads it, non-negative.
fn number(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.parse::<u64>().ok().filter(|&n| i64::try_from(n).is_ok())
}

/// 0.0 and 0.1: `numblocks` pairs in `GNU.sparse.map` (Go's `readGNUSparseMap0x1`).
fn records_map(numblocks: Option<&[u8]>, map: &[u8]) -> Result<Vec<Fragment>, String> {
    let count = numblocks.and_then(number).ok_or("GNU.sparse.numblocks is absent or not a number")?;
    let values: Vec<&[u8]> = if map.is_empty() { Vec::new() } else { map.split(|&b| b == b',').collect() };
    if values.len() as u64 != count.saturating_mul(2) {
        return Err(format!("GNU.sparse.numblocks says {count} fragments and the map holds {} numbers", values.len()));
    }
    pairs(&values)
}

/// Offset and length pairs; the callers pass an even count (a lone last value is ignored).
fn pairs(values: &[&[u8]]) -> Result<Vec<Fragment>, String> {
    values
        .chunks_exact(2)
        .map(|p| match (number(p[0]), number(p[1])) {
            (Some(offset), Some(len)) => Ok(Fragment { offset, len }),
            _ => Err(format!("the map holds `{},{}`, which are not two numbers", String::from_utf8_lossy(p[0]), String::from_utf8_lossy(p[1]))),
        })
        .collect()
}

/// 1.0's map, read block by block from the start of the entry's data (Go's
/// `readGNUSparseMap1x0`): a count, then that many offset and length pairs, one number per line.
#[derive(Default)]
pub(super) struct DataMap {
    bytes: Vec<u8>,
    lines: usize,
    /// The fragment count, once its line is complete.
    count: Option<usize>,
}

impl DataMap {
    /// Takes the next 512-byte block; returns the fragments once the map is complete.
    ///
    /// # Errors
    /// A reason when the count is not a number or the map grows past [`MAX_EXTENSION_BYTES`].
    pub(super) fn push(&mut self, block: &[u8]) -> Result<Option<Vec<Fragment>>, String> {
        if (self.bytes.len() + block.len()) as u64 > MAX_EXTENSION_BYTES {
            return Err(format!("its map in the data is over {MAX_EXTENSION_BYTES} bytes"));
        }
        self.bytes.extend_from_slice(block);
        self.lines += block.iter().filter(|&&b| b == b'\n').count();
        let mut lines = self.bytes.split(|&b| b == b'\n');
        if self.count.is_none() && self.lines >= 1 {
            let first = lines.next().unwrap_or_default();
            let count = number(first).and_then(|n| usize::try_from(n).ok()).ok_or_else(|| format!("its map's count `{}` is not a number", String::from_utf8_lossy(first)))?;
            self.count = Some(count);
        }
        let Some(count) = self.count else { return Ok(None) };
        if self.lines < count.saturating_mul(2).saturating_add(1) {
            return Ok(None);
        }
        let values: Vec<&[u8]> = self.bytes.split(|&b| b == b'\n').skip(1).take(count * 2).collect();
        pairs(&values).map(Some)
    }

    /// How many bytes of the data the map has taken (whole blocks).
    pub(super) fn len(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// Checks a map as Go's `validateSparseEntries` and its reader do: fragments in order, apart,
/// inside `realsize`, and holding exactly the `stored` bytes that follow the map. Drops empty
/// fragments (GNU tar ends every map with one at the file's end).
///
/// # Errors
/// [`TarError::SparseMap`].
pub(super) fn checked(fragments: Vec<Fragment>, realsize: u64, stored: u64, offset: u64, path: &str) -> Result<Vec<Fragment>, TarError> {
    let bad = |reason: String| TarError::SparseMap { offset, path: crate::text::clip(path, 200), reason };
    let mut end = 0u64;
    let mut sum = 0u64;
    for f in &fragments {
        let stop = f.offset.checked_add(f.len).filter(|&s| i64::try_from(s).is_ok()).ok_or_else(|| bad(format!("the fragment at {} overflows", f.offset)))?;
        if f.offset < end {
            return Err(bad(format!("the fragment at {} overlaps the one before or is out of order", f.offset)));
        }
        if stop > realsize {
            return Err(bad(format!("the fragment at {} ends past the file's size of {realsize} bytes", f.offset)));
        }
        end = stop;
        sum += f.len;
    }
    if sum != stored {
        return Err(bad(format!("its fragments hold {sum} bytes and the entry stores {stored}")));
    }
    Ok(fragments.into_iter().filter(|f| f.len > 0).collect())
}

/// One piece of a file's content, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// Bytes of the tar stream, `from..to`.
    Stored {
        /// First byte, in the tar stream.
        from: u64,
        /// One past the last.
        to: u64,
    },
    /// This many zero bytes (a hole).
    Zeros(u64),
}

/// The first `limit` bytes of a file whose stored bytes start at `data_offset` in the tar, as
/// pieces in file order: one stored piece for a plain file; fragments and holes for a sparse one.
pub(super) fn pieces(data_offset: u64, size: u64, sparse: Option<&[Fragment]>, limit: u64) -> Vec<Piece> {
    let limit = limit.min(size);
    let Some(fragments) = sparse else {
        return if limit == 0 { Vec::new() } else { vec![Piece::Stored { from: data_offset, to: data_offset + limit }] };
    };
    let (mut out, mut at, mut stored) = (Vec::new(), 0u64, data_offset);
    for f in fragments {
        if at >= limit {
            break;
        }
        if f.offset > at {
            out.push(Piece::Zeros(f.offset.min(limit) - at));
        }
        let take = f.len.min(limit.saturating_sub(f.offset));
        if take > 0 {
            out.push(Piece::Stored { from: stored, to: stored + take });
        }
        stored += f.len;
        at = f.offset + f.len;
    }
    if at < limit {
        out.push(Piece::Zeros(limit - at));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: fn(u64, u64) -> Fragment = |offset, len| Fragment { offset, len };

    #[test]
    fn pieces_put_fragments_between_holes_and_stop_at_the_limit() {
        let map = [F(4, 2), F(10, 3)];
        let all = pieces(100, 16, Some(&map), u64::MAX);
        assert_eq!(all, [Piece::Zeros(4), Piece::Stored { from: 100, to: 102 }, Piece::Zeros(4), Piece::Stored { from: 102, to: 105 }, Piece::Zeros(3)]);
        assert_eq!(pieces(100, 16, Some(&map), 5), [Piece::Zeros(4), Piece::Stored { from: 100, to: 101 }]);
        assert_eq!(pieces(100, 16, Some(&map), 8), [Piece::Zeros(4), Piece::Stored { from: 100, to: 102 }, Piece::Zeros(2)]);
        assert_eq!(pieces(100, 7, Some(&[]), u64::MAX), [Piece::Zeros(7)]);
        assert_eq!(pieces(100, 7, None, 3), [Piece::Stored { from: 100, to: 103 }]);
        assert!(pieces(100, 0, None, 3).is_empty());
    }

    #[test]
    fn a_map_must_be_in_order_inside_the_file_and_hold_what_is_stored() {
        assert_eq!(checked(vec![F(0, 2), F(5, 0)], 5, 2, 0, "f").unwrap(), [F(0, 2)]);
        for (map, stored) in [(vec![F(3, 2), F(0, 1)], 3), (vec![F(0, 4), F(2, 1)], 5), (vec![F(4, 2)], 2), (vec![F(0, 2)], 3), (vec![F(u64::MAX, 2)], 2)] {
            assert!(matches!(checked(map, 5, stored, 0, "f"), Err(TarError::SparseMap { .. })));
        }
    }

    #[test]
    fn the_data_map_is_read_across_blocks() {
        let mut text = b"2\n0\n".to_vec();
        text.resize(512, b'0');
        *text.last_mut().unwrap() = b'1';
        let mut m = DataMap::default();
        assert_eq!(m.push(&text).unwrap(), None);
        let mut rest = b"\n9\n3\n".to_vec();
        rest.resize(512, 0);
        // The first line after `0` is 508 zeros then `1`: the length 1.
        assert_eq!(m.push(&rest).unwrap(), Some(vec![F(0, 1), F(9, 3)]));
        assert_eq!(m.len(), 1024);
        assert!(DataMap::default().push(b"x\n").is_err());
    }
}

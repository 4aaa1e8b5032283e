//! Decoding one 512-byte ustar / GNU / PAX header block.

use super::TarError;

/// The fields of a header block, before extensions are applied.
pub(super) struct RawHeader {
    pub(super) name: Vec<u8>,
    pub(super) mode: u32,
    pub(super) uid: u64,
    pub(super) gid: u64,
    pub(super) size: u64,
    pub(super) mtime: i64,
    pub(super) typeflag: u8,
    pub(super) linkname: Vec<u8>,
}

/// True when every byte of the block is zero.
pub(super) fn is_zero_block(block: &[u8]) -> bool {
    block.iter().all(|&b| b == 0)
}

/// Decodes a header block at `offset` (used in errors).
pub(super) fn decode(block: &[u8], offset: u64) -> Result<RawHeader, TarError> {
    let num = |range: std::ops::Range<usize>, field: &'static str| {
        parse_number(&block[range]).ok_or(TarError::Number { offset, field })
    };
    verify_checksum(block, offset)?;
    let magic = &block[257..263];
    let posix = magic == b"ustar\0";
    let mut name = cstr(&block[0..100]).to_vec();
    if posix {
        let prefix = cstr(&block[345..500]);
        if !prefix.is_empty() {
            let mut full = prefix.to_vec();
            full.push(b'/');
            full.extend_from_slice(&name);
            name = full;
        }
    }
    let mode = num(100..108, "mode")?;
    let size = num(124..136, "size")?;
    Ok(RawHeader {
        name,
        mode: u32::try_from(mode & 0o7777_7777).unwrap_or(0), // ok: masked to fit
        uid: num(108..116, "uid")?,
        gid: num(116..124, "gid")?,
        size,
        mtime: i64::try_from(num(136..148, "mtime")?).map_err(|_| TarError::Number { offset, field: "mtime" })?,
        typeflag: block[156],
        linkname: cstr(&block[157..257]).to_vec(),
    })
}

/// The bytes up to the first NUL.
pub(super) fn cstr(field: &[u8]) -> &[u8] {
    field.iter().position(|&b| b == 0).map_or(field, |n| &field[..n])
}

/// Go accepts the checksum as the unsigned or the signed sum of the block, with the checksum field
/// counted as spaces.
fn verify_checksum(block: &[u8], offset: u64) -> Result<(), TarError> {
    let stored = parse_number(&block[148..156]).ok_or(TarError::Checksum(offset))?;
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    if stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed) {
        Ok(())
    } else {
        Err(TarError::Checksum(offset))
    }
}

/// Octal (NUL/space padded) or GNU base-256; negative base-256 values are refused.
pub(super) fn parse_number(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        if field[0] == 0xff {
            return None;
        }
        let mut v: u64 = u64::from(field[0] & 0x7f);
        for &b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    let trimmed: &[u8] = {
        let s = field.iter().position(|&b| b != b' ' && b != 0).unwrap_or(field.len());
        let e = field.iter().rposition(|&b| b != b' ' && b != 0).map_or(s, |e| e + 1);
        &field[s..e]
    };
    if trimmed.is_empty() {
        return Some(0);
    }
    let mut v: u64 = 0;
    for &b in trimmed {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        v = v.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_octal_with_padding_and_base256() {
        assert_eq!(parse_number(b"0000644\0"), Some(0o644));
        assert_eq!(parse_number(b"  644 \0"), Some(0o644));
        assert_eq!(parse_number(b"\0\0\0\0"), Some(0));
        assert_eq!(parse_number(&[0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]), Some(1 << 32));
        assert_eq!(parse_number(b"0009"), None);
        assert_eq!(parse_number(&[0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), None);
    }
}

//! A file's first bytes as the viewer shows them: text when they read as UTF-8 without NULs,
//! else a hex dump in `hexdump -C`'s layout.

/// What the viewer shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    /// Text.
    Text(String),
    /// `hexdump -C` lines.
    Hex(Vec<String>),
}

/// The preview of `bytes`, the start of a file (a character cut at the end is not held
/// against it); at most `max_hex_lines` lines of hex.
pub fn preview(bytes: &[u8], max_hex_lines: usize) -> Preview {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => Some(s),
        // Cut mid-character at the end: the rest is text.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok(),
        Err(_) => None,
    };
    match text.filter(|t| !t.contains('\0')) {
        Some(t) => Preview::Text(t.to_owned()),
        None => Preview::Hex(hexdump(bytes, max_hex_lines)),
    }
}

/// `hexdump -C` lines: offset, sixteen bytes in two groups of eight, and the printable ones.
pub fn hexdump(bytes: &[u8], max_lines: usize) -> Vec<String> {
    bytes
        .chunks(16)
        .take(max_lines)
        .enumerate()
        .map(|(n, row)| {
            let mut hex = String::with_capacity(50);
            for (i, b) in row.iter().enumerate() {
                if i == 8 {
                    hex.push(' ');
                }
                hex.push_str(&format!("{b:02x} "));
            }
            let ascii: String = row.iter().map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }).collect();
            format!("{:08x}  {hex:<49} |{ascii}|", n * 16)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_stays_text_and_binary_is_dumped_as_hexdump_does() {
        assert_eq!(preview("héllo\n".as_bytes(), 10), Preview::Text("héllo\n".into()));
        // A character cut by the size cap.
        assert_eq!(preview(&"hé".as_bytes()[..2], 10), Preview::Text("h".into()));
        // `printf '\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0AB' | hexdump -C`
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0AB";
        assert_eq!(
            preview(elf, 10),
            Preview::Hex(vec![
                "00000000  7f 45 4c 46 02 01 01 00  00 00 00 00 00 00 00 00  |.ELF............|".into(),
                "00000010  41 42                                             |AB|".into(),
            ])
        );
    }
}

//! A tar reader that never reads by itself: it says which bytes it needs next.
//!
//! [`TarWalker`] drives random-access reading (an archive `File` sliced in the browser: it jumps
//! over file contents without reading them); [`TarStream`] wraps it for bytes that arrive as a
//! stream (a layer being decompressed). Both follow Go's `archive/tar`, the reader docker uses:
//! PAX records override header fields (a PAX `size` always wins), GNU long names and links are
//! honoured, a header's checksum is verified, and header-only types (links, directories,
//! devices, FIFOs) carry no data whatever their size field says.
//!
//! We do not use the `tar` crate here: it reads from `std::io::Read`, which would make the
//! browser hold or re-read whole layers; a push/pull state machine lets the caller own the I/O.

mod header;
mod sparse;
mod stream;
mod walker;
mod writer;

pub use sparse::{Fragment, Piece};
pub use stream::{TarEvent, TarStream};
pub use walker::{Need, TarWalker};
pub use writer::{header, header_at, headers, padding, Meta, TarWriter};

/// The largest PAX or GNU long-name extension accepted (Go's `archive/tar` uses 1 MiB).
pub const MAX_EXTENSION_BYTES: u64 = 1024 * 1024;
/// The longest entry path accepted (Linux `PATH_MAX`).
pub const MAX_PATH_BYTES: usize = 4096;

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A regular file (`0`, NUL or `7`).
    File,
    /// A hard link to an earlier entry (`1`).
    Hardlink,
    /// A symbolic link (`2`).
    Symlink,
    /// A character device (`3`).
    CharDevice,
    /// A block device (`4`).
    BlockDevice,
    /// A directory (`5`).
    Directory,
    /// A named pipe (`6`).
    Fifo,
}

impl EntryKind {
    /// The kind for a typeflag; `None` for extension headers and unknown types.
    pub fn from_typeflag(t: u8) -> Option<Self> {
        Some(match t {
            b'0' | 0 | b'7' => Self::File,
            b'1' => Self::Hardlink,
            b'2' => Self::Symlink,
            b'3' => Self::CharDevice,
            b'4' => Self::BlockDevice,
            b'5' => Self::Directory,
            b'6' => Self::Fifo,
            _ => return None,
        })
    }

    /// True for the types whose data section is always empty, whatever the size field says.
    pub fn is_header_only(self) -> bool {
        !matches!(self, Self::File)
    }
}

/// One entry of a tar archive, with its extensions applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// The path as written in the archive (PAX or GNU long names applied).
    pub path: String,
    /// What the entry is.
    pub kind: EntryKind,
    /// The size as the header (or a PAX record) states it, holes included for a sparse file;
    /// docker adds these up as a layer's size. A regular file's content is this long.
    pub size: u64,
    /// Permission and mode bits.
    pub mode: u32,
    /// Owner user ID.
    pub uid: u64,
    /// Owner group ID.
    pub gid: u64,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
    /// Target of a symlink or hard link.
    pub link: Option<String>,
    /// Where the entry's data starts in the tar stream.
    pub data_offset: u64,
    /// How many bytes of data the tar stores for it (0 for header-only types; a sparse file's
    /// fragments, its map excluded; otherwise `size`).
    pub data_len: u64,
    /// A sparse file's fragments, in order: they hold the `data_len` bytes stored, and the
    /// rest of its `size` bytes are zeros. `None` for every other entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sparse: Option<Vec<Fragment>>,
}

impl Entry {
    /// How long its content is: a sparse file's `size`, otherwise the bytes stored.
    pub fn content_len(&self) -> u64 {
        if self.sparse.is_some() {
            self.size
        } else {
            self.data_len
        }
    }

    /// The first `limit` bytes of its content as pieces of the tar stream and holes.
    pub fn pieces(&self, limit: u64) -> Vec<Piece> {
        sparse::pieces(self.data_offset, self.content_len(), self.sparse.as_deref(), limit)
    }
}

/// Why a tar stream was refused. Every variant names the offset of the bad header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TarError {
    /// The header checksum does not match.
    #[error("invalid tar header at offset {0}: bad checksum")]
    Checksum(u64),
    /// A numeric field is not octal or base-256.
    #[error("invalid tar header at offset {offset}: field `{field}` is not a number")]
    Number {
        /// Header offset.
        offset: u64,
        /// Field name.
        field: &'static str,
    },
    /// A zero block followed by a non-zero one.
    #[error("invalid tar header at offset {0}: a zero block is followed by data")]
    StrayZeroBlock(u64),
    /// An extension header is bigger than allowed.
    #[error("tar extension header at offset {offset} is {size} bytes, over the limit of {MAX_EXTENSION_BYTES} bytes")]
    ExtensionTooLarge {
        /// Header offset.
        offset: u64,
        /// Its size.
        size: u64,
    },
    /// A PAX record is malformed.
    #[error("invalid PAX record in the tar header at offset {0}")]
    Pax(u64),
    /// A path is longer than allowed.
    #[error("tar entry at offset {offset} has a path of {len} bytes, over the limit of {MAX_PATH_BYTES} bytes")]
    PathTooLong {
        /// Header offset.
        offset: u64,
        /// Path length.
        len: usize,
    },
    /// A typeflag this reader does not know.
    #[error("tar entry `{path}` at offset {offset} has an unsupported type `{flag}`")]
    UnsupportedType {
        /// Header offset.
        offset: u64,
        /// The entry's path.
        path: String,
        /// The typeflag, as a character.
        flag: char,
    },
    /// An old GNU sparse file (type `S`), which docker's extraction refuses.
    #[error("tar entry `{path}` at offset {offset} is an old GNU sparse file (type `S`), which docker cannot extract either (\"unhandled tar header type 83\")")]
    OldGnuSparse {
        /// Header offset.
        offset: u64,
        /// The entry's path.
        path: String,
    },
    /// A PAX sparse file whose map Go's `archive/tar` refuses.
    #[error("tar entry `{path}` at offset {offset} is a sparse file with a bad map: {reason}")]
    SparseMap {
        /// Header offset.
        offset: u64,
        /// The entry's path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Sizes that overflow 64 bits.
    #[error("tar entry at offset {0} has a size that overflows")]
    Overflow(u64),
    /// The stream ended inside an entry or an extension.
    #[error("tar stream is truncated: it ends at offset {at} inside an entry that needs {needed} more bytes")]
    Truncated {
        /// Where the stream ended.
        at: u64,
        /// How many bytes were still expected.
        needed: u64,
    },
}

/// Rounds `n` up to the next multiple of the 512-byte block.
pub(crate) fn padded(n: u64) -> Option<u64> {
    n.checked_add(511).map(|x| x & !511)
}

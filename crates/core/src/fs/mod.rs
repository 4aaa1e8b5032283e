//! The filesystem view of layers: paths as docker resolves them, whiteouts, and the merged
//! filesystem of an image with what each layer changed.
//!
//! The rules follow the classic docker store's unpacker (moby `go-archive`), since that is the
//! docker Layerwise matches: names are cleaned as Go's `filepath.Clean` does; an entry, a hard
//! link target or a symlink target that climbs above the root is refused ("breakout"); an
//! absolute name or target stays under the root; whiteouts must name something.

mod merged;
mod path;
mod secrets;
mod tree;
mod whiteout;

pub use merged::{LayerChanges, MergedFs, Node, Waste};
pub use path::{check_entry, clean, in_root, UnsafeEntry};
pub use secrets::looks_secret;
pub use tree::{Row, SortBy, Tree};
pub use whiteout::{classify as classify_whiteout, Whiteout, OPAQUE, WHITEOUT_PREFIX};

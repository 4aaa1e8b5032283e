//! Everything that can be wrong with an archive, each naming the file or digest at fault.

use crate::digest::Digest;
use crate::layer::LayerError;
use crate::reference::ReferenceError;
use crate::spec::JsonError;
use crate::tar::TarError;

use super::SourceError;

/// Why an archive was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// Reading failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The outer tar is broken.
    #[error("the archive is not a valid tar: {0}")]
    Tar(#[from] TarError),
    /// The whole archive is compressed and does not decompress.
    #[error("the archive is {format}-compressed as a whole and does not decompress: {reason}")]
    Decompress {
        /// `gzip` or `zstd`.
        format: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// A compressed archive holds more metadata than is kept in memory to plan the import.
    #[error("the archive's JSON files add up to more than {0} bytes")]
    TooMuchMetadata(u64),
    /// Neither `manifest.json` nor `index.json`.
    #[error("this is not an image archive: it has no `manifest.json` and no `index.json` (it holds {0})")]
    NotAnImage(String),
    /// A file the metadata points at is absent.
    #[error("`{path}` is named by {wanted_by} but is not in the archive")]
    Missing {
        /// The missing path.
        path: String,
        /// Which document names it.
        wanted_by: String,
    },
    /// A foreign (non-distributable) layer is not in the archive.
    #[error("foreign layer {diff_id} is not in the archive: it is meant to be fetched from {urls}, which Layerwise does not do (non-distributable layers are not fetched)")]
    ForeignLayerMissing {
        /// The layer.
        diff_id: Digest,
        /// Where its descriptor says it lives.
        urls: String,
    },
    /// A file the metadata points at is a sparse file: holes are read in layers, not in the
    /// archive around them.
    #[error("`{0}` is stored in the archive as a sparse file, which Layerwise reads inside layers but not as a file of the archive itself")]
    SparseMember(String),
    /// A path resolves through too many links, or in a loop.
    #[error("`{0}` is a link that does not resolve to a file in the archive (a loop, or more than 40 hops)")]
    BadLink(String),
    /// A JSON document is malformed.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// Nothing to import (`manifest.json` is `[]` or `null`, or an index lists nothing).
    #[error("the archive holds no images")]
    NoImages,
    /// A file is larger than a metadata file may be.
    #[error("`{path}` is {size} bytes, over the limit of {limit} bytes for a metadata file")]
    TooBig {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// More layers than any runtime would stack.
    #[error("{image} has {count} layers, over the limit of {limit}")]
    TooManyLayers {
        /// Which image.
        image: String,
        /// Its layer count.
        count: usize,
        /// [`super::MAX_LAYERS`].
        limit: usize,
    },
    /// Config and manifest disagree on the layer count.
    #[error("image {image} lists {layers} layers but its config has {diff_ids} diff_ids")]
    LayerCount {
        /// Which image.
        image: String,
        /// Layers in the manifest.
        layers: usize,
        /// diff_ids in the config.
        diff_ids: usize,
    },
    /// Content does not hash to the digest that names it.
    #[error("{what} has sha256 {actual}, but {expected} was expected")]
    DigestMismatch {
        /// What was hashed.
        what: String,
        /// The digest that names it.
        expected: Digest,
        /// The digest of its bytes.
        actual: Digest,
    },
    /// Content is not the size its descriptor says.
    #[error("{what} is {actual} bytes, but its descriptor says {expected}")]
    SizeMismatch {
        /// What was measured.
        what: String,
        /// The declared size.
        expected: u64,
        /// The real size.
        actual: u64,
    },
    /// A layer's uncompressed digest is not the config's diff_id.
    #[error("layer {index} (`{path}`) uncompresses to {actual}, but the config says diff_id {expected}")]
    DiffIdMismatch {
        /// Position of the layer, 0 = base.
        index: usize,
        /// Where the layer is in the archive.
        path: String,
        /// The config's diff_id.
        expected: Digest,
        /// What the bytes give.
        actual: Digest,
    },
    /// A pre-1.10 archive (`repositories` and v1 folders) that moby's legacy loader would refuse.
    #[error("pre-1.10 archive: {0}")]
    Legacy(String),
    /// A layer blob is broken.
    #[error("layer `{path}`: {source}")]
    Layer {
        /// Where the layer is in the archive.
        path: String,
        /// What is wrong with it.
        source: LayerError,
    },
    /// A tag in the metadata is not a valid reference.
    #[error("tag `{tag}` in {wanted_by}: {source}")]
    BadTag {
        /// The tag as written.
        tag: String,
        /// Which document holds it.
        wanted_by: String,
        /// Why it is invalid.
        source: ReferenceError,
    },
    /// The chosen platform is not in a multi-platform index.
    #[error("the archive has no image for {wanted}: it has {available} (and {absent} more platforms whose blobs are not in the archive)")]
    NoSuchPlatform {
        /// The platform asked for.
        wanted: String,
        /// The platforms whose blobs are present.
        available: String,
        /// How many platforms the index lists without their blobs.
        absent: usize,
    },
    /// `oci-layout` is missing or not version 1.0.0.
    #[error("{0}")]
    Layout(String),
    /// Indexes nest deeper than allowed.
    #[error("{what} is nested more than {limit} indexes deep")]
    TooDeep {
        /// Where the limit was hit.
        what: String,
        /// The limit.
        limit: usize,
    },
    /// A descriptor of a kind this version does not import.
    #[error("{what} has media type `{media_type}`, which is not an image manifest or index")]
    UnsupportedMediaType {
        /// Which descriptor.
        what: String,
        /// Its media type.
        media_type: String,
    },
    /// A digest string in the metadata is invalid.
    #[error("{what}: {source}")]
    BadDigest {
        /// Where the digest was found.
        what: String,
        /// Why it is invalid.
        source: crate::digest::DigestError,
    },
}

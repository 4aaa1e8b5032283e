//! Media types of manifests, configs and layers, and how a layer blob is compressed.
//!
//! The names are those of the OCI image spec (`media-types.md`) and of Docker's schema 2
//! (`manifest-v2-2.md`); the two are interchangeable where the table there says so.

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI uncompressed layer.
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
/// OCI gzip layer.
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// OCI zstd layer.
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
/// Docker schema 2 manifest.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image config.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// Docker uncompressed layer.
pub const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";
/// Docker gzip layer.
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// How a layer blob is compressed, told by its first bytes (containerd and docker do the same
/// and ignore the declared media type when they disagree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip (RFC 1952), possibly several members.
    Gzip,
    /// zstd (RFC 8878).
    Zstd,
    /// xz (several streams, as `xz -d` reads them). Not an image-spec compression: docker reads
    /// such layers and keeps them as plain tars, and so does Layerwise ([`Compression::is_kept`]).
    Xz,
    /// bzip2 (several streams, as Go's reader takes them). Kept decompressed, as xz.
    Bzip2,
}

impl Compression {
    /// Recognises gzip, zstd, xz and bzip2 by magic number (moby `DetectCompression` reads the
    /// same four; four bytes tell them apart); anything else is taken as a plain tar, which the
    /// tar parser then accepts or refuses.
    pub fn sniff(head: &[u8]) -> Self {
        if head.starts_with(&[0x1f, 0x8b]) {
            Self::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) || is_zstd_skippable(head) {
            Self::Zstd
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X']) {
            Self::Xz
        } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
            Self::Bzip2
        } else {
            Self::None
        }
    }

    /// Whether a layer blob compressed this way is stored as it came. xz and bzip2 have no
    /// media type in the image-spec or Docker's schema 2, so nothing downstream of an export
    /// could be told what such a blob is: their layers are stored as the plain tar (whose digest
    /// is the diff_id), as docker stores them and saves them.
    pub fn is_kept(self) -> bool {
        matches!(self, Self::None | Self::Gzip | Self::Zstd)
    }

    /// The OCI layer media type for a blob compressed this way (a blob not
    /// [kept](Self::is_kept) is stored as a plain tar, so that is its type).
    pub fn oci_layer_type(self) -> &'static str {
        match self {
            Self::None | Self::Xz | Self::Bzip2 => OCI_LAYER_TAR,
            Self::Gzip => OCI_LAYER_GZIP,
            Self::Zstd => OCI_LAYER_ZSTD,
        }
    }

    /// The Docker schema 2 media type for a blob compressed this way (zstd has only an OCI one;
    /// a blob not [kept](Self::is_kept) is stored as a plain tar).
    pub fn docker_layer_type(self) -> &'static str {
        match self {
            Self::None | Self::Xz | Self::Bzip2 => DOCKER_LAYER_TAR,
            Self::Gzip => DOCKER_LAYER_GZIP,
            Self::Zstd => OCI_LAYER_ZSTD,
        }
    }
}

/// zstd skippable frames start with `0x184D2A5?` little-endian.
fn is_zstd_skippable(head: &[u8]) -> bool {
    head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18]
}

/// True for the media types of an image manifest (OCI or Docker schema 2).
pub fn is_manifest(media_type: &str) -> bool {
    media_type == OCI_MANIFEST || media_type == DOCKER_MANIFEST
}

/// True for the media types of an index or a manifest list.
pub fn is_index(media_type: &str) -> bool {
    media_type == OCI_INDEX || media_type == DOCKER_MANIFEST_LIST
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_magic_not_by_name() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
        assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Compression::Zstd);
        assert_eq!(Compression::sniff(&[0x5e, 0x2a, 0x4d, 0x18]), Compression::Zstd);
        assert_eq!(Compression::sniff(&[0xfd, b'7', b'z', b'X', b'Z', 0]), Compression::Xz);
        assert_eq!(Compression::sniff(b"BZh91AY&SY"), Compression::Bzip2);
        assert_eq!(Compression::sniff(b"BZh0"), Compression::None);
        assert_eq!(Compression::sniff(b"etc/\0\0\0"), Compression::None);
        assert_eq!(Compression::sniff(&[]), Compression::None);
    }
}

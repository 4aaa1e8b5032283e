//! Integration tests of the core, on archives made by real tools.

// Helpers: fixtures made at test time by umoci, skopeo and podman, and the shared real archives.
mod common;
// Importing archives made by real tools: formats, sharing, sizes, tags.
mod import_generated;
// The real archives of ../shared/fixtures: each imports, or is refused for its known reason.
mod import_shared;
// Broken archives: a clear error, and the store left as it was.
mod import_broken;
// Garbage collection beside running imports.
mod store_gc;
// Layer blobs made by real compressors.
mod layers;
// Multi-platform archives and the platform choice.
mod platforms;
// Our tar reading agrees with GNU tar and Python tarfile on every accepted layer.
mod parser_agreement;
// The merged filesystem against umoci unpack.
mod merged_fs;
// docker save: archives every tool loads.
mod export;
// docker commit: edited images unpack as edited and load in podman.
mod commit;
// Files and folders read back out of stored layers.
mod extract;
// Sparse files GNU tar wrote, read back as dockerd extracts them.
mod extract_sparse;
// The Dockerfile an edit session shows builds the same change (buildah).
mod dockerfile;
// The bad-input corpus: hostile archives and mutations of real ones, each with the error it must give.
mod corpus;

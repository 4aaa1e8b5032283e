//! The blob a layer is stored as: the bytes as they came, except for compressions outside the
//! image-spec (xz, bzip2), whose layers are stored as the plain tar (see
//! [`Compression::is_kept`]).

use std::io::{self, Write};

use super::{LayerSummary, SNIFF_LEN};
use crate::decompress::PushDecoder;
use crate::media_type::Compression;
use crate::store::{BlobBuilder, StoreError};

impl LayerSummary {
    /// The summary of the blob as stored: for a layer that came in a compression not kept, the
    /// plain tar (its digest is the diff_id), with [`LayerSummary::came_as`] saying how it came.
    pub fn kept(self) -> Self {
        if self.compression.is_kept() {
            return self;
        }
        Self { digest: self.diff_id.clone(), blob_size: self.tar_size, came_as: Some(self.compression), compression: Compression::None, ..self }
    }
}

/// A [`BlobBuilder`] in front of the store's: takes a layer blob as it came and builds the blob
/// as stored, decompressing it when its compression is not kept. The bytes were (or are being)
/// verified by a [`LayerReader`](super::LayerReader) too; a decoding error here ends in
/// [`BlobBuilder::finish`].
pub struct KeptBlob<B: BlobBuilder> {
    head: Vec<u8>,
    /// The store's builder, until the compression is known.
    builder: Option<B>,
    decoder: Option<PushDecoder<Appender<B>>>,
    error: Option<io::Error>,
}

/// Writes into a [`BlobBuilder`].
struct Appender<B>(B);

impl<B: BlobBuilder> Write for Appender<B> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.append(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<B: BlobBuilder> KeptBlob<B> {
    /// Builds into `builder`.
    pub fn new(builder: B) -> Self {
        Self { head: Vec::new(), builder: Some(builder), decoder: None, error: None }
    }

    fn start(&mut self) {
        let Some(builder) = self.builder.take() else { return };
        let sniffed = Compression::sniff(&self.head);
        let compression = if sniffed.is_kept() { Compression::None } else { sniffed };
        let head = std::mem::take(&mut self.head);
        Self::push(&mut self.error, self.decoder.insert(PushDecoder::new(compression, Appender(builder))), &head);
    }

    fn push(error: &mut Option<io::Error>, decoder: &mut PushDecoder<Appender<B>>, bytes: &[u8]) {
        if error.is_none() {
            *error = decoder.push(bytes).err();
        }
    }
}

impl<B: BlobBuilder> BlobBuilder for KeptBlob<B> {
    type Data = B::Data;

    fn append(&mut self, bytes: &[u8]) {
        if let Some(decoder) = &mut self.decoder {
            return Self::push(&mut self.error, decoder, bytes);
        }
        self.head.extend_from_slice(bytes);
        if self.head.len() >= SNIFF_LEN {
            self.start();
        }
    }

    fn finish(mut self) -> Result<B::Data, StoreError> {
        self.start();
        let decoded = match (self.error, self.decoder) {
            (None, Some(decoder)) => decoder.finish(),
            (Some(e), _) => Err(e),
            // Only before `start`, which has run.
            (None, None) => Err(io::Error::other("no bytes")),
        };
        let Appender(builder) = decoded.map_err(|e| StoreError::Backend(format!("the layer did not decompress as it did when verified: {e}")))?;
        builder.finish()
    }
}

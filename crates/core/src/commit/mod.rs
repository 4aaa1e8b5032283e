//! `docker commit`: an edit session's changes become a new layer, config, manifest and image.

mod instruction;

pub use instruction::{apply as apply_instruction, InstructionError};

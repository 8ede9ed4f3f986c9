//! Pre-flight: the page-header screen ([`crate::preflight`]) run on a chunk before any decoder
//! it guards sees it. It reads the chunk's page headers with limits, and either refuses the
//! chunk (its own finding, `screen`: the guarded decoders never see it) or finds where the
//! pages the chunk's `num_values` call for lie, which the guarded decoders then read, and no
//! further. Decoders that screen pages themselves (the raw path) are not guarded.

use std::sync::OnceLock;

use crate::decode::{ChunkBytes, DecodeError};
use crate::preflight::Screen;

/// The screen's verdict on one chunk, reached once however many decoders it guards.
pub(super) struct ChunkScreen<'a> {
    screen: Option<&'a Screen<'a>>,
    row_group: usize,
    leaf: usize,
    verdict: OnceLock<Result<Option<ChunkBytes>, DecodeError>>,
}

impl<'a> ChunkScreen<'a> {
    /// The screen (if the file has one) for the chunk of `leaf` in `row_group`.
    pub fn new(screen: Option<&'a Screen<'a>>, row_group: usize, leaf: usize) -> Self {
        Self {
            screen,
            row_group,
            leaf,
            verdict: OnceLock::new(),
        }
    }

    /// Where a guarded decoder reads the chunk's pages (`None`: where the footer says), or
    /// why it is not to read them at all.
    pub fn verdict(&self) -> Result<Option<ChunkBytes>, DecodeError> {
        self.verdict
            .get_or_init(|| match self.screen {
                None => Ok(None),
                Some(screen) => screen
                    .check(self.row_group, self.leaf)
                    .map_err(|refusal| DecodeError::Screened(refusal.to_string())),
            })
            .clone()
    }

    /// Screens the chunks of `leaves`, which a guarded decoder reads along with this one: a
    /// refused one refuses this chunk to that decoder too.
    pub fn clear_also(&self, leaves: &[usize]) -> Result<(), DecodeError> {
        let Some(screen) = self.screen else {
            return Ok(());
        };
        for &leaf in leaves {
            screen.check(self.row_group, leaf).map_err(|refusal| {
                DecodeError::Screened(format!(
                    "the reader reads {} along with this column (a map's keys with its values), and its chunk was refused: {refusal}",
                    screen.leaf_path(leaf)
                ))
            })?;
        }
        Ok(())
    }
}

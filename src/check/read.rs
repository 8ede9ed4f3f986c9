//! Stages 3 and 4, read and decode per witness: each witness's chunk opened for decoding a
//! window of rows at a time (the guarded decoders behind the pre-flight screen), and the
//! windows taken in step. The leader decides how many rows a window holds (it ends a window
//! at a page boundary) and decodes the next window while the others decode the current one.

use rayon::prelude::*;

use super::results::Standing;
use super::screen::ChunkScreen;
use super::Witness;
use crate::decode::{ChunkWindows, DecodeError, DecodedChunk, WindowRows};
use crate::timings::timed;
use crate::witness_list::WitnessRole;

/// One witness's chunk while it is being read.
pub(super) enum Seat<'w> {
    /// Windows still to come.
    Reading(Box<dyn ChunkWindows + 'w>),
    /// The witness failed on the chunk (or on an earlier one of the column): no more windows.
    Failed(DecodeError),
    /// A dump or an old version that does not hold the column: it is not compared with it.
    NotCovered,
}

impl<'w> Seat<'w> {
    /// Opens `witness`'s chunk of `leaf` in `row_group`, unless the column already `failed`
    /// on it.
    fn open(
        witness: &Witness<'w>,
        row_group: usize,
        leaf: usize,
        failed: bool,
        screen: &ChunkScreen<'_>,
    ) -> Self {
        if failed {
            return Self::Failed(DecodeError::Failed(
                "skipped after an earlier failure".into(),
            ));
        }
        let decoder = witness.decoder;
        let opened = match witness.role {
            // The guarded decoder reads the pages the screen read, from the bytes where it
            // found them, and no further.
            WitnessRole::Decoder { screened: true } => match screen
                .verdict()
                .and_then(|bytes| screen.clear_also(&decoder.also_reads(leaf)).map(|()| bytes))
            {
                Err(refused) => Err(refused),
                Ok(Some(bytes)) => decoder.windows_in(row_group, leaf, bytes),
                Ok(None) => decoder.windows(row_group, leaf),
            },
            WitnessRole::Leader | WitnessRole::Decoder { screened: false } => {
                decoder.windows(row_group, leaf)
            }
            // A column the dump or the old version does not hold is simply not compared with it.
            WitnessRole::Dump(_) | WitnessRole::Version => {
                return decoder
                    .windows(row_group, leaf)
                    .map_or(Self::NotCovered, Self::Reading)
            }
        };
        opened.map_or_else(Self::Failed, Self::Reading)
    }

    /// The next window of `rows` rows. A decoder's error takes it out of the run for the rest
    /// of the chunk, keeping the error; a dump's leaves it without rows for this window.
    fn next(&mut self, role: WitnessRole, rows: WindowRows) -> Option<DecodedChunk> {
        let Self::Reading(windows) = self else {
            return None;
        };
        // Every witness's rows are walked by the comparison and the fingerprint: a window
        // whose levels do not hold together is that witness's error, not a crash of the run.
        let checked = windows.next_window(rows).and_then(|window| match window {
            Some(window) => match window.slice.check_shape() {
                Ok(()) => Ok(Some(window)),
                Err(broken) => Err(DecodeError::Failed(format!(
                    "decoded rows that do not hold together: {broken}"
                ))),
            },
            None => Ok(None),
        });
        match checked {
            Ok(window) => window,
            Err(_) if matches!(role, WitnessRole::Dump(_)) => None,
            Err(e) => {
                *self = Self::Failed(e);
                None
            }
        }
    }

    /// How the witness ended the chunk.
    pub fn standing(self) -> Standing {
        match self {
            Self::Reading(_) => Standing::Decoded,
            Self::Failed(e) => Standing::Failed(e),
            Self::NotCovered => Standing::NotCovered,
        }
    }
}

/// Every witness's chunk being read, in the witness list's order.
pub(super) struct Seats<'w, 'l> {
    witnesses: &'l [Witness<'w>],
    leader: usize,
    seats: Vec<Seat<'w>>,
    /// The leader's window decoded ahead.
    ahead: Option<DecodedChunk>,
    /// How many rows the leader's windows are to hold, at least.
    window_rows: usize,
}

impl<'w, 'l> Seats<'w, 'l> {
    /// Opens every witness's chunk in parallel (a witness whose column already failed is
    /// skipped) and decodes the leader's first window. Adds the seconds each witness took to
    /// `seconds`.
    pub fn open(
        witnesses: &'l [Witness<'w>],
        leader: usize,
        (row_group, leaf): (usize, usize),
        failed: &[bool],
        screen: &ChunkScreen<'_>,
        window_rows: usize,
        seconds: &mut [f64],
    ) -> Self {
        let opened: Vec<(Seat<'w>, f64)> = witnesses
            .par_iter()
            .zip(failed)
            .map(|(witness, &failed)| {
                timed(|| Seat::open(witness, row_group, leaf, failed, screen))
            })
            .collect();
        let mut seats = Vec::with_capacity(opened.len());
        for (i, (seat, took)) in opened.into_iter().enumerate() {
            seconds[i] += took;
            seats.push(seat);
        }
        let mut this = Self {
            witnesses,
            leader,
            seats,
            ahead: None,
            window_rows,
        };
        let (first, took) =
            timed(|| this.seats[leader].next(WitnessRole::Leader, WindowRows::About(window_rows)));
        seconds[leader] += took;
        this.ahead = first;
        this
    }

    /// The next window of every witness, in list order (`None` where a witness gave none), or
    /// `None` once no witness gives rows. The leader's window was decoded ahead; while the
    /// others decode theirs, as many rows, it decodes its next.
    pub fn next(&mut self, seconds: &mut [f64]) -> Option<Vec<Option<DecodedChunk>>> {
        let leader = self.leader;
        let lead = self.ahead.take();
        let rows = lead.as_ref().map_or(self.window_rows, |w| w.slice.rows);
        let leading = lead.is_some();
        let window_rows = self.window_rows;
        let witnesses = self.witnesses;
        let (before, rest) = self.seats.split_at_mut(leader);
        let (lead_seat, after) = rest.split_first_mut().expect("the leader's seat");
        let (others, (following, lead_seconds)) = rayon::join(
            || {
                before
                    .iter_mut()
                    .enumerate()
                    .chain(
                        after
                            .iter_mut()
                            .enumerate()
                            .map(|(i, s)| (leader + 1 + i, s)),
                    )
                    .map(|(i, seat)| {
                        let role = witnesses[i].role;
                        (i, timed(|| seat.next(role, WindowRows::Exactly(rows))))
                    })
                    .collect::<Vec<_>>()
            },
            || {
                timed(|| {
                    leading
                        .then(|| {
                            lead_seat.next(WitnessRole::Leader, WindowRows::About(window_rows))
                        })
                        .flatten()
                })
            },
        );
        self.ahead = following;
        // The last attempt's seconds count too: a decoder may fail after a long search.
        seconds[leader] += lead_seconds;
        let mut windows: Vec<Option<DecodedChunk>> = (0..self.seats.len()).map(|_| None).collect();
        windows[leader] = lead;
        for (i, (window, took)) in others {
            seconds[i] += took;
            windows[i] = window;
        }
        windows.iter().any(Option::is_some).then_some(windows)
    }

    /// How each witness ended the chunk.
    pub fn standings(self) -> Vec<Standing> {
        self.seats.into_iter().map(Seat::standing).collect()
    }
}

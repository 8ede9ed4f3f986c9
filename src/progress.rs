//! The progress bar on stderr, drawn only on a terminal and only for work long enough to
//! watch.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::check::Progress;

/// Work (rows × columns) below which no progress bar is drawn: it would only flicker.
const PROGRESS_MIN_WORK: u64 = 2_000_000;

struct Bar(ProgressBar);

impl Progress for Bar {
    fn advance(&self, rows: u64) {
        self.0.inc(rows);
    }
}

/// A progress bar for `total` values when `show` and the work is long enough; else none.
pub fn progress_bar(show: bool, total: u64) -> Box<dyn Progress> {
    if !show || total < PROGRESS_MIN_WORK {
        return Box::new(());
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} values ({eta})",
        )
        .expect("the template is valid"),
    );
    Box::new(Bar(bar))
}

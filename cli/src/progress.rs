//! Progress on stderr for long work (run, sweep, sensitivity): what is running, how far, time
//! elapsed and an estimate of the time left; a sweep shows one line per point. Drawn only when
//! stderr is a terminal (`--progress auto`) or when asked (`--progress always`), never on stdout,
//! and cleared when the work is done, so what stdout carries (tables, JSON) is unchanged.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// When to draw progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum When {
    /// When stderr is a terminal.
    Auto,
    /// Always, even into a file or a pipe.
    Always,
    /// Never.
    Never,
}

/// Steps a bar counts (the work's fraction done, in thousandths).
const STEPS: u64 = 1000;

/// The bars of one command.
pub(crate) struct Progress {
    multi: MultiProgress,
    bars: Vec<(ProgressBar, AtomicBool)>,
}

impl Progress {
    /// One bar per label (a run or sensitivity study has one, a sweep one per point).
    pub(crate) fn new(when: When, labels: &[String]) -> Progress {
        let target = match when {
            When::Never => ProgressDrawTarget::hidden(),
            When::Auto if !std::io::stderr().is_terminal() => ProgressDrawTarget::hidden(),
            When::Auto => ProgressDrawTarget::stderr_with_hz(10),
            // A terminal-like target draws whether or not stderr is a terminal.
            When::Always => ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::stderr()), 10),
        };
        let multi = MultiProgress::with_draw_target(target);
        let style =
            ProgressStyle::with_template("{msg:<28!} [{bar:30}] {percent:>3} %  {elapsed:>4} elapsed, ETA {eta:>4}")
                .expect("the progress template is valid")
                .progress_chars("=> ");
        let bars = labels
            .iter()
            .map(|l| {
                let bar = multi.add(ProgressBar::new(STEPS).with_style(style.clone()).with_message(l.clone()));
                bar.tick();
                (bar, AtomicBool::new(false))
            })
            .collect();
        Progress { multi, bars }
    }

    /// Bar `i` is `fraction` (0..1) done; its clock starts at its first report.
    pub(crate) fn set(&self, i: usize, fraction: f64) {
        let Some((bar, started)) = self.bars.get(i) else { return };
        if !started.swap(true, Ordering::Relaxed) {
            bar.reset();
            // Earlier bars are done once a later one starts (a sweep runs its points in order).
            for (b, _) in &self.bars[..i] {
                b.finish();
            }
        }
        let pos = (fraction.clamp(0.0, 1.0) * STEPS as f64) as u64;
        if pos > bar.position() {
            bar.set_position(pos);
        }
        if pos >= STEPS && !bar.is_finished() {
            // Done: its clock stops, and the next bar's starts.
            bar.finish();
            if let Some((next, started)) = self.bars.get(i + 1)
                && !started.swap(true, Ordering::Relaxed)
            {
                next.reset();
            }
        }
    }

    /// Clears every bar.
    pub(crate) fn finish(&self) {
        for (b, _) in &self.bars {
            b.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}

impl Drop for Progress {
    /// An error part-way leaves no half-drawn bar behind.
    fn drop(&mut self) {
        self.finish();
    }
}

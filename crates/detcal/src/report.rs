/*!
How a pipeline tells its caller what it is doing: progress counters through a [`Reporter`] the
caller gives it (a terminal's progress bars, or nothing), and messages through `tracing`, which
the caller routes (to stderr, and to the job's log with [`crate::repo::joblog::forward`]).

Pipelines never print: what they found comes back as a typed report for the caller to show.
*/

/// A counter of work done, shown by the caller as it likes.
pub trait Progress: Send + Sync {
    /// Sets the count of work done.
    fn set(&self, done: u64);
    /// The count set last.
    fn position(&self) -> u64;
    /// Ends the counter (a progress bar is cleared).
    fn finish(&self);
}

/// What a pipeline receives to report its progress.
pub trait Reporter: Sync {
    /// A new counter of `what`, with `total` units of work (0: not known ahead).
    fn progress(&self, total: u64, what: &str) -> Box<dyn Progress>;
}

/// A counter that only keeps its count.
#[derive(Debug, Default)]
pub struct Counter(std::sync::atomic::AtomicU64);

impl Progress for Counter {
    fn set(&self, done: u64) {
        self.0.store(done, std::sync::atomic::Ordering::Relaxed);
    }

    fn position(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn finish(&self) {}
}

/// A reporter that shows nothing (tests, library use, output not on a terminal).
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Reporter for Quiet {
    fn progress(&self, _total: u64, _what: &str) -> Box<dyn Progress> {
        Box::new(Counter::default())
    }
}

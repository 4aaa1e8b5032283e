//! Timing the parts of a layer's reading, for the benchmarks' stage tables.

/// Adds up the time spent in parts of the work when it has a clock (milliseconds, e.g. the
/// browser's `performance.now`); without one it times nothing and costs nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stopwatch {
    clock: Option<fn() -> f64>,
}

impl Stopwatch {
    /// A stopwatch reading `clock`.
    pub fn new(clock: fn() -> f64) -> Self {
        Self { clock: Some(clock) }
    }

    /// Runs `f`, adding the time it took to `total`.
    pub fn time<T>(&self, total: &mut f64, f: impl FnOnce() -> T) -> T {
        let Some(clock) = self.clock else { return f() };
        let started = clock();
        let result = f();
        *total += clock() - started;
        result
    }
}

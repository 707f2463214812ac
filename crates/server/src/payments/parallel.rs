//! Work over a million payments on every core: the items cut into as many runs as the machine
//! has cores, each run worked on its own thread, the results given back in the items' order.

/// `f` over `items` in runs, one per core (a single run below `min` items or on one core); the
/// results in the items' order.
pub fn in_runs<T: Sync, R: Send>(items: &[T], min: usize, f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if items.len() < min.max(2) {
        return vec![f(items)];
    }
    in_n_runs(items, cores, f)
}

/// `f` over `items` in `runs` runs on their own threads (one run for 1), in the items' order.
pub fn in_n_runs<T: Sync, R: Send>(items: &[T], runs: usize, f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    if runs < 2 || items.len() < 2 {
        return vec![f(items)];
    }
    let size = items.len().div_ceil(runs);
    let f = &f;
    std::thread::scope(|s| {
        let runs: Vec<_> = items.chunks(size).map(|run| s.spawn(move || f(run))).collect();
        runs.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_runs_come_back_in_order_and_cover_every_item() {
        let items: Vec<u32> = (0..100_001).collect();
        let sums = super::in_n_runs(&items, 3, |run| (run[0], run.iter().map(|x| u64::from(*x)).sum::<u64>()));
        assert_eq!(sums.len(), 3, "three runs whatever the machine");
        assert!(sums.windows(2).all(|w| w[0].0 < w[1].0), "in the items' order");
        assert_eq!(sums.iter().map(|s| s.1).sum::<u64>(), (0..100_001u64).sum::<u64>());
        assert_eq!(super::in_runs(&items[..5], 10, <[u32]>::len), vec![5], "a short list in one run");
    }
}

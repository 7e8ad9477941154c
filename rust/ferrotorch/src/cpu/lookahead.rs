//! CPU kernels: the schedule of a right-looking blocked factorization with a look-ahead of one
//! panel (the LU of `cpu/lu.rs`, the QR of `cpu/qr.rs`).
//!
//! The columns are factored in panels. After panel k is factored, one thread applies it to
//! panel k+1 and factors that panel at once, while the other threads apply panel k to the
//! remaining columns (the trailing update, one product per thread). A panel's factorization
//! cannot use a second thread well; this way it overlaps the products instead of stalling them.
//! The look-ahead thread also takes a share of the trailing update, sized so that every thread
//! finishes together (measured in docs/ARCHITECTURE.md, "LU": a dynamic split into fixed
//! chunks was 15-25% slower, since each chunk's product packs the panel again).

/// Runs the factorization of the columns `0..n` whose panels of `panel` columns cover
/// `0..panels_end` (columns past it, in a wide matrix, are only updated):
/// `factor(j, w)` factors the panel at columns `j..j + w` once every earlier panel has been
/// applied to it, and `update(j, w, c0, cw)` applies that panel to the columns `c0..c0 + cw`.
/// `panel_cost` is a panel's factorization time in columns of update per column. Calls of one
/// step run on up to `threads` pool threads at once, each on its own columns.
pub(crate) fn run(
    n: usize,
    panels_end: usize,
    panel: usize,
    threads: usize,
    panel_cost: f64,
    factor: impl Fn(usize, usize) + Sync,
    update: impl Fn(usize, usize, usize, usize) + Sync,
) {
    let panels_end = panels_end.min(n);
    if panels_end == 0 {
        return;
    }
    let threads = threads.max(2);
    factor(0, panel.min(panels_end));
    let mut j = 0;
    // Each step applies the panel at j to every later column.
    while j < panels_end && j + panel.min(panels_end - j) < n {
        let w = panel.min(panels_end - j);
        let jn = j + w;
        // The next panel, if any, and the columns after it.
        let nw = if jn < panels_end { panel.min(panels_end - jn) } else { 0 };
        let r0 = jn + nw;
        let rest = n - r0;
        // Equal shares of work; the look-ahead thread takes what is left of its share.
        let own_load = (1.0 + panel_cost) * nw as f64;
        let share = (rest as f64 + own_load) / threads as f64;
        let own = if nw == 0 { 0 } else { ((share - own_load).max(0.0) as usize).min(rest) };
        let others = rest - own;
        let per = others.div_ceil(if nw == 0 { threads } else { threads - 1 }).max(1);
        let update = &update;
        rayon::scope(|s| {
            for c in (r0..r0 + others).step_by(per) {
                let cw = per.min(r0 + others - c);
                s.spawn(move |_| update(j, w, c, cw));
            }
            if nw > 0 {
                update(j, w, jn, nw);
                factor(jn, nw);
            }
            if own > 0 {
                update(j, w, r0 + others, own);
            }
        });
        j = jn;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn every_panel_is_applied_to_every_later_column_once_and_in_order() {
        // Records the calls; checks each column gets panels 0, 1, … in order before (for a
        // panel column) its own factorization, on square and wide shapes and 2-4 threads.
        for &(n, end, panel) in &[
            (10, 10, 3),
            (64, 64, 64),
            (65, 65, 64),
            (300, 300, 64),
            (300, 130, 48),
            (100, 70, 64),
            (5, 1, 4),
        ] {
            for threads in [2, 3, 4] {
                let log = Mutex::new(vec![Vec::new(); n]); // per column: panels applied, then "factored"
                run(
                    n,
                    end,
                    panel,
                    threads,
                    1.5,
                    |j, w| (j..j + w).for_each(|c| log.lock().unwrap()[c].push(usize::MAX - j)),
                    |j, _, c0, cw| (c0..c0 + cw).for_each(|c| log.lock().unwrap()[c].push(j)),
                );
                let log = log.into_inner().unwrap();
                for (c, calls) in log.iter().enumerate() {
                    let before = (c.min(end) / panel) * panel; // the panels left of c's own
                    let mut want: Vec<usize> = (0..before.min(end)).step_by(panel).collect();
                    if c < end {
                        want.push(usize::MAX - before);
                    } else {
                        want = (0..end).step_by(panel).collect();
                    }
                    assert_eq!(calls, &want, "n={n} end={end} panel={panel} threads={threads} column {c}");
                }
            }
        }
    }
}

//! Containing panics of the parsing library.
//!
//! calamine can panic on malformed input (cargo fuzz found an out-of-range slice in its xls
//! container parser). Only calls into calamine run under `guarded`, so that a panic there
//! becomes a "damaged workbook" error while a panic in this crate's own code still surfaces.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; a panic inside it gives `None`.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    let outer = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(outer));
    result.ok()
}

/// Whether the current thread is inside a guarded call (for panic hooks).
pub fn in_guarded_call() -> bool {
    GUARDED.with(Cell::get)
}

/// Installs a panic hook that stays quiet about panics that a guarded call contains, and
/// reports every other panic as before. The binary calls this at start.
pub fn quiet_guarded_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !in_guarded_call() {
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_becomes_none_and_the_flag_is_restored() {
        assert_eq!(guarded(|| 7), Some(7));
        let caught = guarded(|| {
            assert!(in_guarded_call());
            panic!("calamine-like failure")
        });
        assert_eq!(caught, None::<()>);
        assert!(!in_guarded_call());
    }
}

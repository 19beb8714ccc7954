//! Raw bytes into the workbook reader: it must return forms or an error, never panic or hang.
//! Panics that declform contains inside calamine (a damaged-workbook error) are not crashes;
//! any other panic aborts, as libFuzzer expects.
#![no_main]

use declform::ReadOptions;
use libfuzzer_sys::fuzz_target;
use std::sync::Once;

static HOOK: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if !declform::in_contained_call() {
                eprintln!("{info}");
                std::process::abort();
            }
        }));
    });
    let opts = ReadOptions {
        max_inflated_bytes: 16 * 1024 * 1024,
        ..ReadOptions::default()
    };
    for name in ["f.xlsx", "f.ods", "f.xlsb"] {
        let _ = declform::read(data.to_vec(), name, &opts);
    }
});

//! Raw bytes into the flat-table CSV reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = declform::read(data.to_vec(), "f.csv", &Default::default());
});

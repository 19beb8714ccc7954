//! Raw bytes into the workbook reader: it must return forms or an error, never panic or hang.
#![no_main]

use declform::reader::{ReadOptions, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        max_inflated_bytes: 16 * 1024 * 1024,
        ..ReadOptions::default()
    };
    for name in ["f.xlsx", "f.ods", "f.xlsb"] {
        let _ = read_bytes(data.to_vec(), name, &opts);
    }
});

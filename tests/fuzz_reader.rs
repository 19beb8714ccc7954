//! Structured fuzzing of the reader: valid forms with cells mutated, deleted, shifted or
//! filled with junk. The reader reads a form or returns a located error; it never panics.

mod common;
use common::*;
use declform::ErrorKind;
use declform::layout::{Layout, LayoutKind};
use declform::reader::{ReadOptions, read_bytes};
use declform::writer::{Formats, write_form};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Mutation {
    Delete,
    Junk(String),
    Number(f64),
    Label(&'static str),
}

const LABELS: [&str; 10] = [
    "项目名称",
    "一级指标",
    "其他资金",
    "绩效指标",
    "项目资金(万元)",
    "年度总目标",
    "财政项目支出绩效目标申报表",
    "(2024年度)",
    "三级指标",
    "填报单位：某单位",
];

fn mutation() -> impl Strategy<Value = (u32, u16, Mutation)> {
    let kind = prop_oneof![
        Just(Mutation::Delete),
        "[\\PC]{0,12}".prop_map(Mutation::Junk),
        any::<f64>().prop_map(Mutation::Number),
        (0..LABELS.len()).prop_map(|i| Mutation::Label(LABELS[i])),
    ];
    (0u32..40, 0u16..8, kind)
}

fn mutated_workbook(
    form: usize,
    origin: u32,
    kind: LayoutKind,
    mutations: &[(u32, u16, Mutation)],
) -> Vec<u8> {
    let seed = seed();
    let mut wb = declform::writer::new_workbook();
    let ws = wb.add_worksheet();
    write_form(
        ws,
        &seed.forms[form % seed.forms.len()],
        Layout::get(kind),
        &Formats::default(),
        origin,
    )
    .unwrap();
    for (r, c, m) in mutations {
        let r = r + origin;
        match m {
            Mutation::Delete => {
                ws.write_blank(r, *c, &rust_xlsxwriter::Format::new())
                    .unwrap();
            }
            Mutation::Junk(s) => {
                ws.write_string(r, *c, s).unwrap();
            }
            Mutation::Number(f) if f.is_finite() => {
                ws.write_number(r, *c, *f).unwrap();
            }
            Mutation::Number(_) => {}
            Mutation::Label(l) => {
                ws.write_string(r, *c, *l).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_forms_read_or_fail_with_a_location(
        form in 0usize..10,
        origin in 0u32..5,
        layout in prop_oneof![Just(LayoutKind::Y2024), Just(LayoutKind::Y2026)],
        mutations in proptest::collection::vec(mutation(), 0..12),
    ) {
        let bytes = mutated_workbook(form, origin, layout, &mutations);
        let started = std::time::Instant::now();
        let result = read_bytes(bytes, "fuzz.xlsx", &ReadOptions::default());
        // A hang detector, not a benchmark.
        prop_assert!(started.elapsed().as_secs() < 10);
        match result {
            Ok(read) => {
                prop_assert!(!read.forms.is_empty());
                for n in &read.notices {
                    prop_assert_eq!(&n.location.file, "fuzz.xlsx");
                }
            }
            Err(e) => {
                prop_assert_eq!(&e.location.file, "fuzz.xlsx");
                match e.kind {
                    ErrorKind::BadAmount | ErrorKind::BadDate => {
                        prop_assert!(e.location.sheet.is_some() && e.location.cell.is_some(), "{}", e);
                        prop_assert!(e.location.label.is_some(), "{}", e);
                    }
                    ErrorKind::NoForm => {}
                    other => prop_assert!(false, "unexpected error kind {:?}: {}", other, e),
                }
            }
        }
    }
}

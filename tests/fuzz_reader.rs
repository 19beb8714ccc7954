//! Structured fuzzing of the reader: valid forms with cells mutated, deleted, shifted or
//! filled with junk. The reader reads a form or returns a located error; it never panics.
//! Unmutated forms read back exactly, and "no form" is only an answer when a mutation hit
//! what makes a form a form (its 项目名称 label or its indicator header row) or planted an
//! indicator header label of its own.

mod common;
use common::*;
use declform::layout::{Layout, LayoutKind};
use declform::read as read_bytes;
use declform::{ErrorKind, Field, ReadOptions};
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
    let form = &seed.forms[form % seed.forms.len()];
    let bytes = declform::write_workbook(std::slice::from_ref(form), Some(kind)).unwrap();
    let mut wb = editable_workbook(&bytes, origin);
    let ws = wb.worksheet_from_index(0).unwrap();
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
        let original = &seed().forms[form % 10];
        // Where the form's defining labels stand (the seed forms have no extra rows).
        let l = Layout::get(layout);
        let anchor = (origin + l.field(Field::ProjectName).unwrap().label_at.row, 0u16);
        let header_row = origin + l.indicators.header_row - 1;
        let structural = mutations.iter().any(|(r, c, m)| {
            let r = r + origin;
            (r, *c) == anchor
                || r == header_row
                // A 一级指标 label anywhere starts an indicator header of its own.
                || matches!(m, Mutation::Label("一级指标"))
                // A goal label reads the cell below it as its goal: right above 项目名称's
                // label or the indicator header, it takes that label as a value.
                || (matches!(m, Mutation::Label("年度总目标"))
                    && ((r + 1, *c) == anchor || r + 1 == header_row))
        });
        let started = std::time::Instant::now();
        let result = read_bytes(bytes, "fuzz.xlsx", &ReadOptions::default());
        // A hang detector, not a benchmark.
        prop_assert!(started.elapsed().as_secs() < 10);
        match result {
            Ok(read) => {
                prop_assert!(!read.forms.is_empty());
                for n in &read.notices {
                    prop_assert_eq!(n.location().file_name(), "fuzz.xlsx");
                }
                if mutations.is_empty() {
                    prop_assert_eq!(without_source(read.forms), vec![original.clone()]);
                }
            }
            Err(e) => {
                prop_assert_eq!(e.file(), "fuzz.xlsx");
                match e.kind() {
                    ErrorKind::BadAmount | ErrorKind::BadDate => {
                        prop_assert!(e.sheet().is_some() && e.cell().is_some(), "{}", e);
                        prop_assert!(e.label().is_some(), "{}", e);
                        prop_assert!(e.field().is_some(), "{}", e);
                    }
                    // A mutated unit label (项目资金(万元)) may contradict another: the cell is named.
                    ErrorKind::BadUnit => {
                        prop_assert!(e.sheet().is_some() && e.cell().is_some(), "{}", e);
                    }
                    ErrorKind::NoForm => {
                        prop_assert!(structural, "no form, but no mutation hit a label: {} {:?}", e, mutations);
                    }
                    other => prop_assert!(false, "unexpected error kind {:?}: {}", other, e),
                }
            }
        }
    }
}

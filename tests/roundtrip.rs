//! model → xlsx → model is the identity.

mod common;
use common::*;
use declform::LayoutKind;
use declform::{Amount, Form, Funds, Indicator};
use proptest::prelude::*;

fn roundtrip(forms: &[Form], layout: Option<LayoutKind>) -> Vec<Form> {
    let bytes = declform::write_workbook(forms, layout).unwrap();
    let read = declform::read(bytes, "p.xlsx", &Default::default()).unwrap();
    without_source(read.forms)
}

#[test]
fn seed_forms_round_trip_exactly_in_both_layouts() {
    let seed = seed().forms;
    assert_eq!(roundtrip(&seed, None), seed);
    // In the 2026 grid a 2024 form reads back the same (project_nature stays null).
    assert_eq!(roundtrip(&seed, Some(LayoutKind::Y2026)), seed);
}

#[test]
fn samples_read_back_as_the_seed() {
    let seed = seed().forms;
    let mut read = Vec::new();
    for (name, picks) in common::samples::SPLIT {
        let forms = read_forms(&root().join("samples").join(name));
        assert_eq!(forms.len(), picks.len());
        for (form, &i) in forms.into_iter().zip(picks) {
            assert_eq!(form, seed[i], "{name}");
            read.push(i);
        }
    }
    read.sort();
    assert_eq!(read, (0..10).collect::<Vec<_>>());
}

#[test]
fn regenerating_the_samples_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    common::samples::write_samples(&seed().forms, dir.path()).unwrap();
    for (name, _) in common::samples::SPLIT {
        let committed = std::fs::read(root().join("samples").join(name)).unwrap();
        let fresh = std::fs::read(dir.path().join(name)).unwrap();
        assert!(
            committed == fresh,
            "samples/{name} differs from what make_samples writes: run `cargo run --example make_samples`"
        );
    }
}

// ---- generators ----

fn cjk_text(max: usize) -> impl Strategy<Value = String> {
    // Chinese, full-width punctuation, Latin, digits, brackets, inner spaces/line breaks, and
    // what XML escapes (`&<>"'`, and `_x0041_`, which a workbook would read as "A").
    proptest::string::string_regex(&format!(
        "([\u{4e00}-\u{9fa5}a-zA-Z0-9，。、“”（）()%≥≤=:：\\- \n&<>\"'_]|_x00[0-9A-F]{{2}}_){{0,{max}}}"
    ))
    .unwrap()
    .prop_map(|s| s.trim().to_string())
    .prop_filter("not a label", |s| {
        !declform::is_label(s) && !s.contains("年度")
    })
}

/// Values that read like labels: a form may name a project 项目名称, an indicator
/// 财政拨款（万元）, a target 单位; in a value position they are values.
fn label_like() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        "项目名称",
        "财政拨款（万元）",
        "其他资金",
        "年度目标（%）",
        "单位",
        "项目资金总额",
        "其中：财政资金",
        "主管部门",
        "实施单位",
        "三级指标",
        "指标值",
        "计量单位",
        "项目资金(元)",
        "金额单位：元",
        "（万元）",
        "(2024年度)",
    ])
    .prop_map(str::to_string)
}

fn name_text() -> impl Strategy<Value = String> {
    prop_oneof![4 => cjk_text(30), 1 => label_like()]
}

fn amount() -> impl Strategy<Value = Option<Amount>> {
    prop_oneof![
        Just(None),
        (0i64..10_000_000_000, 0u32..4)
            .prop_map(|(n, s)| Some(Amount::new(rust_decimal::Decimal::new(n, s)))),
        // Many digits: more than a float carries.
        (0i128..(i128::from(u64::MAX) * 1000), 0u32..6).prop_map(|(n, s)| {
            rust_decimal::Decimal::try_from_i128_with_scale(n, s)
                .ok()
                .map(Amount::new)
        }),
    ]
}

fn date() -> impl Strategy<Value = Option<chrono::NaiveDate>> {
    prop_oneof![
        Just(None),
        (1990i32..2100, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d)),
    ]
}

/// Indicator rows as forms have them: groups of 一级指标, each with groups of 二级指标 (an
/// empty 二级 only first in its group), empty categories and repeats allowed.
fn indicators() -> impl Strategy<Value = Vec<Indicator>> {
    let level1 = prop_oneof![
        Just("产出指标".to_string()),
        Just("成本指标".to_string()),
        Just("效益指标".to_string()),
        Just("满意度指标".to_string()),
        // 项目名称 in the first column starts a new form.
        name_text().prop_filter("non-empty", |s| !s.is_empty() && s != "项目名称"),
    ];
    let level2_group = (
        prop_oneof![
            Just("数量指标".to_string()),
            Just("社会效益指标".to_string()),
            name_text()
        ],
        proptest::collection::vec(
            (
                name_text(),
                prop_oneof![4 => cjk_text(12), 1 => label_like()],
                indicator_extra(),
            ),
            1..4,
        ),
    );
    let group = (level1, proptest::collection::vec(level2_group, 1..4));
    proptest::collection::vec(group, 0..5).prop_map(|groups| {
        let mut rows = Vec::new();
        for (l1, l2s) in groups {
            let mut l2s = l2s;
            // An empty 二级 only as the first 二级 group of its 一级 group.
            for g in l2s.iter_mut().skip(1) {
                if g.0.is_empty() {
                    g.0 = "质量指标".into();
                }
            }
            for (l2, items) in l2s {
                for (l3, target, extra) in items {
                    rows.push(Indicator {
                        level1: l1.clone(),
                        level2: l2.clone(),
                        level3: l3,
                        target,
                        extra,
                    });
                }
            }
        }
        rows
    })
}

/// An indicator's `extra`: the columns of the 一体化 grid and other headers (no spaces, not
/// a label), values that are not empty (an empty cell is no entry).
fn indicator_extra() -> impl Strategy<Value = indexmap::IndexMap<String, String>> {
    let key = prop_oneof![
        Just("指标值设定依据".to_string()),
        Just("计算公式".to_string()),
        Just("权重".to_string()),
        Just("备注".to_string()),
        cjk_text(6).prop_map(|s| s.split_whitespace().collect::<String>()),
    ]
    .prop_filter("a header", |k| !k.is_empty() && !declform::is_label(k));
    proptest::collection::vec(
        (
            key,
            cjk_text(20).prop_filter("non-empty", |v| !v.is_empty()),
        ),
        0..3,
    )
    .prop_map(|pairs| pairs.into_iter().collect())
}

fn extra() -> impl Strategy<Value = indexmap::IndexMap<String, String>> {
    proptest::collection::vec(
        (
            cjk_text(10).prop_filter("a label", |s| !s.is_empty() && !s.contains([':', '：'])),
            cjk_text(20),
        ),
        0..4,
    )
    .prop_map(|pairs| pairs.into_iter().collect())
}

prop_compose! {
    fn form()(
        year in proptest::option::of(1990i32..2100),
        names in proptest::collection::vec(name_text(), 4),
        nature in proptest::option::of(prop_oneof![Just("经常性项目".to_string()), name_text().prop_filter("non-empty", |s| !s.is_empty())]),
        dates in (date(), date()),
        amounts in proptest::collection::vec(amount(), 7),
        goals in (
            prop_oneof![4 => cjk_text(200), 1 => label_like()],
            prop_oneof![4 => cjk_text(200), 1 => label_like()],
        ),
        indicators in indicators(),
        extra in extra(),
    ) -> Form {
        let [project_name, project_category, department, implementing_unit] = names.try_into().unwrap();
        let a = |i: usize| amounts[i];
        Form {
            year,
            project_name,
            project_category,
            project_nature: nature,
            department,
            implementing_unit,
            start_date: dates.0,
            end_date: dates.1,
            funds: Funds {
                total: a(0), total_fiscal: a(1), total_other: a(2), annual_total: a(3),
                annual_appropriation: a(4), annual_carryover: a(5), annual_other: a(6),
            },
            overall_goal: goals.0,
            annual_goal: goals.1,
            indicators,
            extra,
            source: None,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_forms_round_trip_through_xlsx(forms in proptest::collection::vec(form(), 1..4)) {
        prop_assert_eq!(roundtrip(&forms, None), forms);
    }

    #[test]
    fn any_form_round_trips_in_the_2026_grid(form in form()) {
        prop_assert_eq!(roundtrip(std::slice::from_ref(&form), Some(LayoutKind::Y2026)), vec![form]);
    }

    #[test]
    fn any_form_round_trips_in_the_split_grid(form in form(), quantitative in proptest::collection::vec(quantitative_target(), 0..4)) {
        let mut form = form;
        for (i, t) in form.indicators.iter_mut().zip(quantitative) {
            i.target = t;
        }
        prop_assert_eq!(roundtrip(std::slice::from_ref(&form), Some(LayoutKind::Split)), vec![form]);
    }
}

fn via_docx(forms: &[Form], layout: Option<LayoutKind>) -> Vec<Form> {
    let bytes = declform::write_docx(forms, layout).unwrap();
    let read = declform::read(bytes, "p.docx", &Default::default()).unwrap();
    without_source(read.forms)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_forms_round_trip_through_docx(forms in proptest::collection::vec(form(), 1..4)) {
        prop_assert_eq!(via_docx(&forms, None), forms);
    }

    #[test]
    fn any_form_round_trips_through_docx_in_the_split_grid(form in form(), quantitative in proptest::collection::vec(quantitative_target(), 0..4)) {
        let mut form = form;
        for (i, t) in form.indicators.iter_mut().zip(quantitative) {
            i.target = t;
        }
        prop_assert_eq!(via_docx(std::slice::from_ref(&form), Some(LayoutKind::Split)), vec![form]);
    }
}

/// Through a merged workbook: its form sheets' XML is written by `write::sheet_xml`, not by
/// rust_xlsxwriter, so any form must come back from it as from `write_workbook`.
fn via_merge(forms: &[Form]) -> Vec<Form> {
    let bytes = declform::merge(forms).unwrap().to_bytes().unwrap();
    let read = declform::read(bytes, "合并.xlsx", &Default::default()).unwrap();
    without_source(read.forms)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_forms_round_trip_through_a_merged_workbook(forms in proptest::collection::vec(form(), 1..4)) {
        prop_assert_eq!(via_merge(&forms), forms);
    }
}

#[test]
fn seed_forms_and_wild_fixtures_round_trip_through_docx() {
    let seed = seed().forms;
    assert_eq!(via_docx(&seed, Some(LayoutKind::Y2026)), seed);
    for name in [
        "w01_yitihua_split.xlsx",
        "w02_provincial.xlsx",
        "w03_mixed.xlsx",
    ] {
        let forms = without_source(read_forms(&root().join("tests/fixtures/wild").join(name)));
        assert_eq!(via_docx(&forms, None), forms, "{name}");
    }
}

/// Quantitative targets as the split grid splits them: sign, number, unit (or none).
fn quantitative_target() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("≥"), Just("≤"), Just("="), Just(">"), Just("<")],
        "[0-9]{1,4}(\\.[0-9]{1,2})?",
        prop_oneof![
            Just(String::new()),
            Just("人".to_string()),
            Just("%".to_string()),
            Just("元/人·月".to_string())
        ],
    )
        .prop_map(|(op, n, u)| declform::target::join(op, &n, &u))
}

#[test]
fn seed_forms_round_trip_exactly_in_the_split_grid() {
    let seed = seed().forms;
    assert_eq!(roundtrip(&seed, Some(LayoutKind::Split)), seed);
}

#[test]
fn wild_fixtures_round_trip_through_the_split_grid() {
    for name in [
        "w01_yitihua_split.xlsx",
        "w02_provincial.xlsx",
        "w03_mixed.xlsx",
    ] {
        let forms = without_source(read_forms(&root().join("tests/fixtures/wild").join(name)));
        assert_eq!(roundtrip(&forms, Some(LayoutKind::Split)), forms, "{name}");
        assert_eq!(roundtrip(&forms, None), forms, "{name}");
    }
}

// ---- the flat table ----

fn via_csv(forms: &[Form]) -> Vec<Form> {
    let mut bytes = Vec::new();
    write_csv(forms, &mut bytes).unwrap();
    read_csv(&bytes, "p.csv").unwrap()
}

fn via_flat_xlsx(forms: &[Form]) -> Vec<Form> {
    let bytes = declform::flat_xlsx(forms).unwrap();
    let read = declform::read(bytes, "p.xlsx", &Default::default()).unwrap();
    without_source(read.forms)
}

#[test]
fn seed_forms_round_trip_through_the_flat_table() {
    let seed = seed().forms;
    assert_eq!(via_csv(&seed), seed);
    assert_eq!(via_flat_xlsx(&seed), seed);
}

/// Forms as the flat table can carry them: a project name (a form without one and without
/// indicators would be a blank line), no two forms of one project, and extra
/// values that are not empty (an empty cell reads as "no such field").
fn flat_forms() -> impl Strategy<Value = Vec<Form>> {
    let fixed: Vec<String> = flat_headers();
    proptest::collection::vec(form(), 1..4).prop_map(move |mut forms| {
        for (i, f) in forms.iter_mut().enumerate() {
            if f.project_name.is_empty() {
                f.project_name = format!("项目{i}");
            }
            f.extra.retain(|k, v| !v.is_empty() && !fixed.contains(k));
        }
        for i in 1..forms.len() {
            while forms[..i]
                .iter()
                .any(|f| f.project_name == forms[i].project_name)
            {
                forms[i].project_name.push('乙');
            }
        }
        forms
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_forms_round_trip_through_csv(forms in flat_forms()) {
        prop_assert_eq!(via_csv(&forms), forms);
    }

    #[test]
    fn any_forms_round_trip_through_the_flat_xlsx(forms in flat_forms()) {
        prop_assert_eq!(via_flat_xlsx(&forms), forms);
    }
}

//! The layout description in templates/ covers the model exactly.

use declform::layout::{Layout, LayoutKind};
use declform::{Form, Indicator};
use std::collections::BTreeMap;

/// The model's leaf fields, from its JSON form (so a new model field shows up here).
fn model_fields() -> Vec<String> {
    let form = Form {
        indicators: vec![Indicator::default()],
        ..Form::default()
    };
    let value = serde_json::to_value(&form).unwrap();
    let mut out = Vec::new();
    for (k, v) in value.as_object().unwrap() {
        match k.as_str() {
            "funds" => out.extend(v.as_object().unwrap().keys().map(|a| format!("funds.{a}"))),
            "indicators" => out.extend(
                v[0].as_object()
                    .unwrap()
                    .keys()
                    .map(|a| format!("indicators.{a}")),
            ),
            _ => out.push(k.clone()),
        }
    }
    out
}

#[test]
fn every_model_field_appears_in_each_layout_exactly_once() {
    let fields = model_fields();
    assert_eq!(fields.len(), 22, "{fields:?}");
    for kind in LayoutKind::ALL {
        let l = Layout::get(kind);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut see = |f: String| *seen.entry(f).or_default() += 1;
        see("year".into());
        see("extra".into());
        for c in &l.fields {
            if let Some(f) = &c.field {
                see(f.key().to_string());
            }
        }
        for f in &l.extra.fields {
            see(f.field.key().to_string());
        }
        for c in &l.indicators.columns {
            see(format!("indicators.{}", c.field));
        }
        for f in &fields {
            assert_eq!(seen.get(f), Some(&1), "layout {kind}: {f}");
        }
        assert_eq!(
            seen.len(),
            fields.len(),
            "layout {kind} names a field the model lacks: {seen:?}"
        );
    }
}

#[test]
fn layout_areas_stay_inside_the_grid_and_do_not_overlap() {
    for kind in LayoutKind::ALL {
        let l = Layout::get(kind);
        let mut taken = std::collections::HashSet::new();
        let mut areas = vec![l.title.at, l.year.at];
        for c in &l.fields {
            areas.push(c.label_at);
            areas.extend(c.at);
        }
        for a in areas {
            assert!(a.last_col < l.columns(), "{kind}: {a:?} outside the grid");
            for r in a.row..=a.last_row {
                for c in a.col..=a.last_col {
                    assert!(taken.insert((r, c)), "{kind}: cell ({r},{c}) used twice");
                }
            }
        }
    }
}

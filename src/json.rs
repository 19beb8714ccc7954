//! The JSON document (`{"forms": [...]}`) in and out, with errors that name the form and field.
//!

use crate::error::{Error, ErrorKind, Location, Result};
use crate::layout::chinese_name;
use crate::model::Document;
use serde_path_to_error::Segment;

/// Parses a document. Its errors name no file: [`crate::read`] adds it.
pub fn from_str(text: &str) -> Result<Document> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::new(
            ErrorKind::BadJson,
            Location::default(),
            format!(
                "不是有效的 JSON（第{}行第{}列：{}）",
                e.line(),
                e.column(),
                describe_json_error(&e)
            ),
        )
    })?;
    serde_path_to_error::deserialize::<_, Document>(&value).map_err(|e| {
        let segments: Vec<&Segment> = e.path().iter().collect();
        let mut location = Location::default();
        let mut label = String::new();
        if let [Segment::Map { key }, Segment::Seq { index }, rest @ ..] = segments.as_slice()
            && key == "forms"
        {
            let name = value
                .get("forms")
                .and_then(|f| f.get(*index))
                .and_then(|f| f.get(crate::field::Field::ProjectName.key()))
                .and_then(|n| n.as_str())
                .unwrap_or("");
            label = format!("第{}张表「{}」", index + 1, name);
            let keys: Vec<&str> = rest
                .iter()
                .filter_map(|s| match s {
                    Segment::Map { key } => Some(key.as_str()),
                    _ => None,
                })
                .collect();
            match (keys.as_slice(), rest.get(1)) {
                (["indicators", field @ ..], Some(Segment::Seq { index: row })) => {
                    label.push_str(&format!("{}第{}行", chinese_name("indicators"), row + 1));
                    if let Some(f) = field.first() {
                        label.push_str(&chinese_name(f));
                    }
                }
                ([], _) => {}
                (keys, _) => label.push_str(&chinese_name(&keys.join("."))),
            }
        } else if !segments.is_empty() {
            label = e.path().to_string();
        }
        if !label.is_empty() {
            location = location.label(label);
        }
        Error::new(ErrorKind::BadJson, location, describe_json_error(e.inner()))
    })
}

/// serde_json's message without its " at line X column Y" tail, in Chinese where common.
fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    };
    if let Some(field) = text
        .strip_prefix("missing field `")
        .and_then(|t| t.strip_suffix('`'))
    {
        return format!("缺少字段 {field}（{}）", chinese_name(field));
    }
    if let Some(rest) = text.strip_prefix("invalid type: ") {
        return format!("类型不对：{rest}");
    }
    text
}

/// The document as pretty-printed JSON with Chinese unescaped, ending in a newline.
pub fn to_string(doc: &Document) -> String {
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`from_str`] in the file `a.json`, as the reader names it.
    fn parse(text: &str) -> Result<Document> {
        from_str(text).map_err(|e| e.in_file("a.json"))
    }

    fn form_with(field: &str, value: &str) -> String {
        let mut f = serde_json::json!({
            "year": 2024, "project_name": "乙", "project_category": "", "project_nature": null,
            "department": "", "implementing_unit": "", "start_date": null, "end_date": null,
            "funds": {"total": "1.00"}, "overall_goal": "", "annual_goal": "",
            "indicators": [{"level1": "产出指标", "level2": "", "level3": "", "target": ""}],
            "extra": {}
        });
        let v: serde_json::Value = serde_json::from_str(value).unwrap();
        let mut slot = &mut f;
        for part in field.split('.') {
            slot = match part.parse::<usize>() {
                Ok(i) => &mut slot[i],
                Err(_) => &mut slot[part],
            };
        }
        *slot = v;
        format!("{{\"forms\": [{f}]}}")
    }

    #[test]
    fn bad_amount_names_form_and_field() {
        let e = parse(&form_with("funds.total", "\"四十二万\"")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadJson);
        assert_eq!(
            e.to_string(),
            "a.json 第1张表「乙」项目资金总额: \"四十二万\" 不是金额（应为十进制数字字符串，如 \"2646000.00\"）"
        );
    }

    #[test]
    fn float_amount_is_refused() {
        let e = parse(&form_with("funds.total", "1.5")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.json 第1张表「乙」项目资金总额: 类型不对：floating point `1.5`, expected a string"
        );
    }

    #[test]
    fn indicator_field_is_named() {
        let e = parse(&form_with("indicators.0.target", "5")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.json 第1张表「乙」绩效指标第1行年度指标值: 类型不对：integer `5`, expected a string"
        );
    }

    #[test]
    fn malformed_json() {
        let e = parse("{\"forms\": [").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.json: 不是有效的 JSON（第1行第11列：EOF while parsing a list）"
        );
    }

    #[test]
    fn unknown_keys_are_ignored_and_missing_nature_is_null() {
        let text = form_with("source", "{\"file\": \"x.xlsx\", \"zzz\": 1}");
        let doc = parse(&text).unwrap();
        assert_eq!(doc.forms[0].project_nature, None);
        assert_eq!(
            doc.forms[0].source.as_ref().unwrap().place.file_name(),
            "x.xlsx"
        );
    }

    /// A form's `source` keeps the model's shape (`file`, then `sheet`, `cell` and `origin`
    /// where there are any) now that it holds a [`Location`]; a bad one is named as before.
    #[test]
    fn a_source_keeps_its_json_shape() {
        let text = r#"{"file":"b.json","origin":{"file":"a.xlsx","sheet":"表1","cell":"A1"}}"#;
        let doc = parse(&form_with("source", text)).unwrap();
        let source = doc.forms[0].source.as_ref().unwrap();
        assert_eq!(source.place, Location::file("b.json"));
        let origin = source.origin.as_deref().unwrap();
        assert_eq!(origin.place.to_string(), "a.xlsx!表1!A1");
        assert_eq!(serde_json::to_string(source).unwrap(), text);
        let e = parse(&form_with("source", r#"{"sheet":"表1"}"#)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.json 第1张表「乙」source: 缺少字段 file（file）"
        );
        let e = parse(&form_with("source", "1")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.json 第1张表「乙」source: 类型不对：integer `1`, expected struct Source"
        );
        let e = parse(&form_with("source", "[]")).unwrap_err();
        assert_eq!(
            e.message(),
            "invalid length 0, expected struct Source with 4 elements"
        );
    }

    #[test]
    fn extra_keys_keep_their_order() {
        // Sheet and column order, not sorted: 联系电话 sorts before 项目负责人, 备注 before 权重.
        let text = form_with("extra", "{\"项目负责人\": \"张三\", \"联系电话\": \"1\"}");
        let doc = parse(&text).unwrap();
        let keys: Vec<&str> = doc.forms[0].extra.keys().map(String::as_str).collect();
        assert_eq!(keys, ["项目负责人", "联系电话"]);
        let text = form_with(
            "indicators.0.extra",
            "{\"权重\": \"10\", \"备注\": \"含社区\"}",
        );
        let doc = parse(&text).unwrap();
        let keys: Vec<&str> = doc.forms[0].indicators[0]
            .extra
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["权重", "备注"]);
    }
}

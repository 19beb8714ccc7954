use super::*;

fn doc(body: &str) -> Doc {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    read_document(xml.as_bytes()).unwrap()
}

fn text(d: &Doc, row: u32, col: u16) -> String {
    d.grid.get(row, col).map(|v| v.text()).unwrap_or_default()
}

fn p(t: &str) -> String {
    format!("<w:p><w:r><w:t>{t}</w:t></w:r></w:p>")
}

fn tc(props: &str, content: &str) -> String {
    format!("<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>")
}

#[test]
fn spans_vertical_merges_and_grid_before_become_merges_on_grid_columns() {
    let d = doc(&format!(
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>\
             <w:tr>{}{}{}</w:tr>\
             <w:tr>{}{}{}</w:tr>\
             <w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>{}{}</w:tr></w:tbl>",
        tc(r#"<w:vMerge w:val="restart"/>"#, &p("绩效指标")),
        tc(r#"<w:gridSpan w:val="2"/>"#, &p("一级")),
        tc("", &p("值")),
        tc("<w:vMerge/>", "<w:p/>"),
        tc("", &p("b")),
        tc(r#"<w:gridSpan w:val="2"/>"#, &p("c")),
        tc(r#"<w:gridSpan w:val="2"/>"#, &p("d")),
        tc("", &p("e")),
    ));
    let g = &d.grid;
    assert_eq!(text(&d, 0, 0), "绩效指标");
    assert_eq!(g.last_row_of(0, 0), 1);
    assert_eq!(g.last_col_of(0, 1), 2);
    assert_eq!(text(&d, 0, 3), "值");
    assert_eq!((text(&d, 1, 1), text(&d, 1, 2)), ("b".into(), "c".into()));
    assert_eq!(g.last_col_of(1, 2), 3);
    // gridBefore skips a column: the row's first cell starts at B.
    assert_eq!((text(&d, 2, 1), text(&d, 2, 3)), ("d".into(), "e".into()));
    assert_eq!(g.merge_at(2, 0), None);
    // The older horizontal merge: a continued cell widens the one on its left.
    let h = doc(&format!(
        "<w:tbl><w:tr>{}{}{}</w:tr></w:tbl>",
        tc(r#"<w:hMerge w:val="restart"/>"#, &p("合")),
        tc("<w:hMerge/>", "<w:p/>"),
        tc("", &p("右"))
    ));
    assert_eq!((h.grid.last_col_of(0, 0), text(&h, 0, 2)), (1, "右".into()));
    assert_eq!(
        d.places.name(1, 2),
        Some(("表格1".to_string(), "第2行第3格".to_string()))
    );
    assert_eq!(
        d.places.name(2, 3),
        Some(("表格1".to_string(), "第3行第2格".to_string()))
    );
}

#[test]
fn cell_text_joins_paragraphs_breaks_and_tabs_and_leaves_deleted_text_out() {
    let cell = r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
              <w:r><w:t xml:space="preserve">a </w:t></w:r><w:r><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t></w:r>
              <w:del><w:r><w:delText>删去</w:delText></w:r></w:del><w:ins><w:r><w:t>加上</w:t></w:r></w:ins>
              <w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>
              <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>1</w:t></w:r>
              <w:r><w:br w:type="page"/><w:t>&amp;&#x4E00;</w:t></w:r></w:p>
              <w:p><w:r><w:t>第二段</w:t></w:r></w:p>"#;
    let d = doc(&format!("<w:tbl><w:tr>{}</w:tr></w:tbl>", tc("", cell)));
    assert_eq!(text(&d, 0, 0), "a \tb\nc加上1&一\n第二段");
}

#[test]
fn only_the_paragraphs_right_above_a_table_are_rows_and_tables_stack() {
    let table = |t: &str| {
        format!(
            "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
            tc("", &p(t)),
            tc("", &p("x"))
        )
    };
    let d = doc(&format!(
        "{}{}{}{}{}<w:p/>{}{}{}{}{}",
        p("填报说明"),
        p("一"),
        p("二"),
        p("三"),
        p("四"),
        p("标题"),
        table("表一"),
        p("中间"),
        table("表二"),
        p("末尾"),
    ));
    // Four paragraphs above the first table (the first two lines of 填报说明 left out),
    // its row, the paragraph between, the second table; the last paragraph left out.
    let rows: Vec<String> = (0..8).map(|r| text(&d, r, 0)).collect();
    assert_eq!(rows, ["二", "三", "四", "标题", "表一", "中间", "表二", ""]);
    assert_eq!(d.grid.last_col_of(3, 0), 1, "a paragraph spans its table");
    assert_eq!(
        d.places.name(3, 0),
        Some(("表格1".to_string(), "上方第1段".to_string()))
    );
    assert_eq!(
        d.places.name(5, 1),
        Some(("表格2".to_string(), "上方第1段".to_string()))
    );
    assert_eq!(
        d.places.name_from(Some("表格1"), 6, 1).as_deref(),
        Some("表格2第1行第2格")
    );
    assert_eq!(
        d.places.name_from(Some("表格2"), 6, 1).as_deref(),
        Some("第1行第2格")
    );
}

#[test]
fn a_nested_table_is_read_as_lines_of_its_cell_with_a_notice() {
    let inner = format!(
        "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}</w:tr></w:tbl>",
        tc("", &p("甲")),
        tc("", &p("乙")),
        tc("", &p("丙"))
    );
    let d = doc(&format!(
        "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
        tc("", &format!("{}{inner}<w:p/>", p("外"))),
        tc("", &p("右"))
    ));
    assert_eq!(text(&d, 0, 0), "外\n甲\t乙\n丙");
    assert_eq!(text(&d, 0, 1), "右");
    assert_eq!(d.notices.len(), 1);
    assert_eq!(d.notices[0].0, (0, 0));
}

#[test]
fn placeholder_text_of_a_content_control_is_not_data() {
    let sdt = |plc: &str, t: &str| {
        format!(
            "<w:sdt><w:sdtPr><w:alias w:val=\"x\"/>{plc}</w:sdtPr><w:sdtContent>\
                 <w:r><w:t>{t}</w:t></w:r></w:sdtContent></w:sdt>"
        )
    };
    let d = doc(&format!(
        "<w:tbl><w:tr>{}{}{}</w:tr></w:tbl>",
        tc(
            "",
            &format!(
                "<w:p>{}</w:p>",
                sdt("<w:showingPlcHdr/>", "单击或点击此处输入文字。")
            )
        ),
        tc("", &format!("<w:p>{}</w:p>", sdt("", "填了"))),
        tc(
            "",
            &format!(
                "<w:p>{}<w:r><w:t>后</w:t></w:r></w:p>",
                sdt("<w:showingPlcHdr w:val=\"0\"/>", "前")
            )
        )
    ));
    assert_eq!(text(&d, 0, 0), "");
    assert_eq!(text(&d, 0, 1), "填了");
    assert_eq!(text(&d, 0, 2), "前后");
}

#[test]
fn symbols_are_read_as_their_characters_and_unknown_ones_get_a_notice() {
    let sym = |font: &str, ch: &str| {
        format!("<w:p><w:r><w:sym w:font=\"{font}\" w:char=\"{ch}\"/><w:t>37</w:t></w:r></w:p>")
    };
    let d = doc(&format!(
        "<w:tbl><w:tr>{}{}{}{}{}</w:tr></w:tbl>",
        tc("", &sym("Symbol", "F0A3")),
        tc("", &sym("Symbol", "F0B3")),
        tc("", &sym("Symbol", "B1")),
        tc("", &sym("宋体", "2264")),
        tc("", &sym("Wingdings", "F0FC")),
    ));
    let got: Vec<String> = (0..5).map(|c| text(&d, 0, c)).collect();
    assert_eq!(got, ["≤37", "≥37", "±37", "≤37", "\u{FFFD}37"]);
    assert_eq!(d.notices.len(), 1);
    assert_eq!(d.notices[0].0, (0, 4));
    assert!(
        d.notices[0].1.contains("Wingdings 字体 F0FC"),
        "{}",
        d.notices[0].1
    );
    for (code, want) in [
        ("F0B4", '×'),
        ("F0B8", '÷'),
        ("F0B9", '≠'),
        ("F0BB", '≈'),
        ("F061", 'α'),
    ] {
        assert_eq!(symbol(Some("Symbol"), Some(code)), Ok(want));
    }
    assert!(symbol(Some("Symbol"), Some("F0F0")).is_err());
    assert!(symbol(None, Some("zz")).is_err());
}

#[test]
fn a_row_deleted_with_tracked_changes_is_left_out() {
    let d = doc(&format!(
        "<w:tbl><w:tr>{}</w:tr>\
             <w:tr><w:trPr><w:del w:id=\"1\" w:author=\"a\"/></w:trPr>{}</w:tr>\
             <w:tr><w:trPr><w:ins w:id=\"2\" w:author=\"a\"/></w:trPr>{}</w:tr></w:tbl>",
        tc("", &p("一")),
        tc("", &p("删去的行")),
        tc("", &p("三")),
    ));
    assert_eq!((text(&d, 0, 0), text(&d, 1, 0)), ("一".into(), "三".into()));
    assert_eq!(
        d.places.name(1, 0),
        Some(("表格1".to_string(), "第2行第1格".to_string()))
    );
}

#[test]
fn text_repeated_in_a_vertical_merge_is_one_value_and_sheet_headings_are_left_out() {
    let d = doc(&format!(
        "{}{}<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
        p("Sheet 1: 政府购买服务人员专项经费"),
        p("填报单位：办公室"),
        tc(r#"<w:vMerge w:val="restart"/>"#, &p("5,246,207.06")),
        tc("", &p("a")),
        tc("<w:vMerge/>", &p("5,246,207.06")),
        tc(r#"<w:vMerge w:val="restart"/>"#, &p("b")),
        tc("<w:vMerge/>", &p("5,246,207.06")),
        tc("<w:vMerge/>", &p("不同")),
    ));
    // The heading is left out; the other paragraph is row 0.
    assert_eq!(text(&d, 0, 0), "填报单位：办公室");
    assert_eq!(text(&d, 1, 0), "5,246,207.06");
    assert_eq!(d.grid.last_row_of(1, 0), 3);
    assert_eq!(
        (text(&d, 2, 0), text(&d, 3, 0)),
        (String::new(), String::new())
    );
    // Different text in a continuation cell stays, for the covered-cell rule.
    assert_eq!(text(&d, 3, 1), "不同");
    assert!(is_sheet_heading("工作表 2：残疾人就业保障金"));
    assert!(!is_sheet_heading("Sheets: x") && !is_sheet_heading("填报单位：Sheet 1"));
}

#[test]
fn the_tables_in_a_frame_of_one_cell_are_read_as_tables() {
    let inner = |t: &str| {
        format!(
            "<w:tbl><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
            tc("", &p(t)),
            tc("", &p("x")),
            tc("", &p("y")),
            tc("", &p("z"))
        )
    };
    let d = doc(&format!(
        "{}<w:tbl><w:tr>{}</w:tr></w:tbl>",
        p("前"),
        tc(
            "",
            &format!(
                "{}{}{}{}{}",
                p("标题"),
                inner("甲"),
                p("中"),
                inner("乙"),
                "<w:p/>"
            )
        )
    ));
    let rows: Vec<String> = (0..7).map(|r| text(&d, r, 0)).collect();
    assert_eq!(rows, ["前", "标题", "甲", "y", "中", "乙", "y"]);
    assert_eq!(text(&d, 2, 1), "x");
    assert!(d.notices.is_empty());
    assert_eq!(
        d.places.name(5, 1),
        Some(("表格2".to_string(), "第1行第2格".to_string()))
    );
    // A cell with a nested table in a table of more cells stays one cell.
    let d = doc(&format!(
        "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
        tc("", &inner("甲")),
        tc("", &p("右"))
    ));
    assert_eq!(text(&d, 0, 0), "甲\tx\ny\tz");
    assert_eq!(d.notices.len(), 1);
}

#[test]
fn huge_spans_and_broken_xml_are_faults_or_bounded_not_panics() {
    let d = doc(&format!(
        "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
        tc(r#"<w:gridSpan w:val="4294967295"/>"#, &p("宽")),
        tc("", &p("外"))
    ));
    assert_eq!(text(&d, 0, 0), "宽");
    assert_eq!(d.grid.last_col_of(0, 0), 16_383);
    for bad in ["<w:tbl><w:tr>", "<w:p><w:r><w:t>&bogus;</w:t></w:r></w:p>"] {
        let xml = format!(
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{bad}</w:body></w:document>"#
        );
        assert!(matches!(
            read_document(xml.as_bytes()),
            Err(Fault::Broken(_))
        ));
    }
    let many = format!(
        "<w:tbl>{}</w:tbl>",
        format!("<w:tr>{}</w:tr>", tc(r#"<w:gridSpan w:val="16384"/>"#, "")).repeat(1300)
    );
    let xml = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{many}</w:body></w:document>"#
    );
    assert!(matches!(
        read_document(xml.as_bytes()),
        Err(Fault::TooManyCells)
    ));
}

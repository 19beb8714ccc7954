//! A deterministic corpus of department workbooks for benchmarks (not a user command).
//!
//! `cargo run --release --example gen_corpus -- OUT_DIR [WORKBOOKS] [FORMS_PER_WORKBOOK]`
//!
//! Forms are realistic in size: 11–33 indicator rows, goals of 80–300 Chinese characters,
//! amounts that add up. Every 20th workbook writes its amounts as text (`1,234.00`), as
//! hand-made sheets do; `--xls K` also saves the first K workbooks as .xls with LibreOffice.

use chrono::NaiveDate;
use declform::layout::{Layout, LayoutKind, Taxonomy};
use declform::{Amount, Field, Form, Funds, Indicator};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const DEPARTMENTS: [&str; 12] = [
    "上海市某区司法局",
    "上海市某区教育局",
    "上海市某区卫生健康委员会",
    "上海市某区民政局",
    "上海市某区财政局",
    "上海市某区文化和旅游局",
    "上海市某区生态环境局",
    "上海市某区交通委员会",
    "上海市某区农业农村委员会",
    "上海市某区体育局",
    "上海市某区退役军人事务局",
    "上海市某区应急管理局",
];
const SUBJECTS: [&str; 12] = [
    "社区矫正",
    "人民调解",
    "法律援助",
    "校舍维修",
    "基层医疗",
    "养老服务",
    "公共文化",
    "河道整治",
    "道路养护",
    "农田水利",
    "全民健身",
    "应急物资",
];
const KINDS: [&str; 8] = [
    "专项经费",
    "运行维护费",
    "购买服务费",
    "工作津贴",
    "设备购置",
    "房屋租赁费",
    "信息化建设",
    "培训经费",
];
const PHRASES: [&str; 10] = [
    "进一步加强基层治理能力建设，",
    "提高公共服务质量和效率，",
    "保障项目按计划有序推进，",
    "严格执行预算管理和政府采购规定，",
    "确保资金使用规范、安全、有效，",
    "切实维护人民群众合法权益，",
    "完善长效管理机制，",
    "加强部门协同配合，",
    "推动相关工作提质增效，",
    "持续提升服务对象满意度。",
];
const QUALITATIVE: [&str; 8] = [
    "一致",
    "及时",
    "规范",
    "充分",
    "良好",
    "提高",
    "无差错",
    "符合要求",
];
const UNITS: [&str; 6] = ["人", "件", "%", "平方米", "次", "小时"];

fn text(rng: &mut ChaCha8Rng, min_chars: usize, max_chars: usize) -> String {
    let target = rng.random_range(min_chars..=max_chars);
    let mut s = String::new();
    while s.chars().count() < target {
        s.push_str(PHRASES[rng.random_range(0..PHRASES.len())]);
    }
    s.chars().take(target).collect()
}

fn amount(cents: i64) -> Amount {
    Amount::new(Decimal::new(cents, 2))
}

/// One realistic form, fully determined by `rng`.
pub fn form(rng: &mut ChaCha8Rng, n: usize) -> Form {
    let taxonomy = Taxonomy::get();
    let total = rng.random_range(1_000_000i64..5_000_000_000);
    let other = if rng.random_bool(0.2) {
        rng.random_range(0..total / 4)
    } else {
        0
    };
    let annual = total - rng.random_range(0..total / 3);
    let carry = if rng.random_bool(0.2) {
        rng.random_range(0..annual / 5)
    } else {
        0
    };
    // Every 二级指标 of the taxonomy gets 1–3 indicators: 11–33 rows, all checks passing.
    let mut indicators = Vec::new();
    for level in &taxonomy.levels {
        for level2 in &level.level2 {
            for _ in 0..rng.random_range(1..=3) {
                let target = if rng.random_bool(0.5) {
                    let op = ["≥", "≤", "="][rng.random_range(0..3)];
                    let unit = UNITS[rng.random_range(0..UNITS.len())];
                    let value = if unit == "%" {
                        rng.random_range(60..=100)
                    } else {
                        rng.random_range(1..5000)
                    };
                    format!("{op}{value}.00({unit})")
                } else {
                    QUALITATIVE[rng.random_range(0..QUALITATIVE.len())].to_string()
                };
                let name = format!(
                    "{}{}{}",
                    SUBJECTS[rng.random_range(0..SUBJECTS.len())],
                    level2.trim_end_matches("指标"),
                    indicators.len() + 1
                );
                indicators.push(Indicator::new(&level.level1, level2, &name, &target));
            }
        }
    }
    Form {
        year: Some(2025),
        project_name: format!(
            "{}{}（{n}）",
            SUBJECTS[rng.random_range(0..SUBJECTS.len())],
            KINDS[rng.random_range(0..KINDS.len())]
        ),
        project_category: taxonomy.project_categories
            [rng.random_range(0..taxonomy.project_categories.len())]
        .clone(),
        project_nature: None,
        department: DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())].to_string(),
        implementing_unit: DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())].to_string(),
        start_date: NaiveDate::from_ymd_opt(2025, 1, 1),
        end_date: NaiveDate::from_ymd_opt(2025, 12, 31),
        funds: Funds {
            total: Some(amount(total)),
            total_fiscal: Some(amount(total - other)),
            total_other: (other > 0).then(|| amount(other)),
            annual_total: Some(amount(annual)),
            annual_appropriation: Some(amount(annual - carry)),
            annual_carryover: (carry > 0).then(|| amount(carry)),
            annual_other: None,
        },
        overall_goal: text(rng, 80, 300),
        annual_goal: text(rng, 80, 300),
        indicators,
        extra: Default::default(),
        source: None,
    }
}

fn write_workbook(path: &Path, forms: &[Form], text_amounts: bool) -> anyhow::Result<()> {
    let mut bytes = declform::write_workbook(forms, None)?;
    if text_amounts {
        bytes = amounts_as_text(&bytes, forms)?;
    }
    std::fs::write(path, bytes)?;
    Ok(())
}

/// The workbook with every amount cell rewritten as text (`2,646,000.00`), as hand-made
/// sheets hold them. The corpus's forms are 2024-grid forms without extra rows, so each
/// amount stands where `templates/layout-2024.json` puts it.
fn amounts_as_text(bytes: &[u8], forms: &[Form]) -> anyhow::Result<Vec<u8>> {
    let layout = Layout::get(LayoutKind::Y2024);
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i)?;
        let name = entry.name()?.to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        let sheet = name
            .strip_prefix("xl/worksheets/sheet")
            .and_then(|n| n.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(form) = sheet.and_then(|n| forms.get(n - 1)) {
            let mut xml = String::from_utf8(data)?;
            for field in Field::AMOUNTS {
                let (Some(a), Some(cell)) = (form.funds.get(field), layout.field(field)) else {
                    continue;
                };
                let Some(at) = cell.at else { continue };
                let r = format!("{}{}", (b'A' + at.col as u8) as char, at.row + 1);
                let open = format!("<c r=\"{r}\"");
                if let Some(start) = xml.find(&open) {
                    let end = start + xml[start..].find("</c>").unwrap_or(0) + 4;
                    let style = xml[start..end]
                        .split(" s=\"")
                        .nth(1)
                        .and_then(|t| t.split('"').next())
                        .map(|s| format!(" s=\"{s}\""))
                        .unwrap_or_default();
                    let f: f64 = a.to_string().parse()?;
                    let text = format_thousands(f);
                    xml.replace_range(
                        start..end,
                        &format!("<c r=\"{r}\"{style} t=\"inlineStr\"><is><t>{text}</t></is></c>"),
                    );
                }
            }
            data = xml.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())?;
        out.write_all(&data)?;
    }
    Ok(out.finish()?.into_inner())
}

fn format_thousands(f: f64) -> String {
    let s = format!("{f:.2}");
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{out}.{frac}")
}

/// Writes a deterministic benchmark corpus.
#[derive(clap::Parser)]
struct Args {
    /// The folder to write into.
    #[arg(default_value = "corpus")]
    out: PathBuf,
    /// How many workbooks.
    #[arg(default_value_t = 1000)]
    workbooks: usize,
    /// Forms per workbook.
    #[arg(default_value_t = 10)]
    forms: usize,
    /// Save the first K workbooks as .xls with LibreOffice.
    #[arg(long, default_value_t = 0)]
    xls: usize,
}

fn main() -> anyhow::Result<()> {
    let Args {
        out,
        workbooks,
        forms: per,
        xls,
    } = clap::Parser::parse();
    std::fs::create_dir_all(&out)?;
    let mut rng = ChaCha8Rng::seed_from_u64(20_250_101);
    for w in 0..workbooks {
        let forms: Vec<Form> = (0..per).map(|i| form(&mut rng, w * per + i)).collect();
        let path = out.join(format!("部门{w:05}.xlsx"));
        write_workbook(&path, &forms, w % 20 == 19)?;
    }
    if xls > 0 {
        let files: Vec<PathBuf> = (0..xls.min(workbooks))
            .map(|w| out.join(format!("部门{w:05}.xlsx")))
            .collect();
        let status = std::process::Command::new("soffice")
            .args(["--headless", "--convert-to", "xls", "--outdir"])
            .arg(&out)
            .args(&files)
            .output()?;
        anyhow::ensure!(status.status.success(), "soffice failed");
        for f in files {
            std::fs::remove_file(f)?; // the .xls replaces its .xlsx
        }
    }
    println!(
        "{} 个工作簿、每个 {per} 张表 → {}",
        workbooks,
        out.display()
    );
    Ok(())
}

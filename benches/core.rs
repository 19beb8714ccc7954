//! Criterion benchmarks of the core steps on one realistic form (a seed form).
//! `cargo bench` runs them; timings stay out of `cargo test`.

use criterion::{Criterion, criterion_group, criterion_main};
use declform::target::Target;
use declform::{ReadOptions, read as read_bytes};
use std::hint::black_box;

fn seed() -> Vec<declform::Form> {
    let bytes = include_bytes!("../samples/seed-forms-2024.json").to_vec();
    read_bytes(bytes, "seed.json", &ReadOptions::default())
        .unwrap()
        .forms
}

fn benches(c: &mut Criterion) {
    let forms = seed();
    let one = &forms[..1];
    let bytes = declform::write_workbook(one, None).unwrap();
    let opts = ReadOptions::default();

    c.bench_function("read one form (xlsx)", |b| {
        b.iter(|| read_bytes(black_box(bytes.clone()), "b.xlsx", &opts).unwrap())
    });
    c.bench_function("write one form (xlsx)", |b| {
        b.iter(|| declform::write_workbook(black_box(one), None).unwrap())
    });
    // The ten seed forms as a Word document (tests/fixtures/docx, made by python-docx) and
    // as the workbook the writer makes of them: the same forms, read from either.
    let docx = include_bytes!("../tests/fixtures/docx/one-form-per-table.docx").to_vec();
    let xlsx = declform::write_workbook(&forms, None).unwrap();
    c.bench_function("read the ten seed forms (docx)", |b| {
        b.iter(|| read_bytes(black_box(docx.clone()), "seeds.docx", &opts).unwrap())
    });
    c.bench_function("read the ten seed forms (xlsx)", |b| {
        b.iter(|| read_bytes(black_box(xlsx.clone()), "seeds.xlsx", &opts).unwrap())
    });
    // Writing them: as a Word document and as a workbook.
    c.bench_function("write the ten seed forms (docx)", |b| {
        b.iter(|| declform::write_docx(black_box(&forms), None).unwrap())
    });
    c.bench_function("write the ten seed forms (xlsx)", |b| {
        b.iter(|| declform::write_workbook(black_box(&forms), None).unwrap())
    });
    let targets: Vec<&str> = forms
        .iter()
        .flat_map(|f| f.indicators.iter().map(|i| i.target.as_str()))
        .collect();
    c.bench_function("parse the seed targets", |b| {
        b.iter(|| {
            targets
                .iter()
                .map(|t| Target::parse(black_box(t)))
                .collect::<Vec<_>>()
        })
    });
    let read = read_bytes(bytes.clone(), "b.xlsx", &opts).unwrap().forms;
    c.bench_function("check one form", |b| {
        b.iter(|| declform::check(black_box(&read[..1])))
    });
}

criterion_group!(core, benches);
criterion_main!(core);

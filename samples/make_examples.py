#!/usr/bin/env python3
"""Makes the example inputs under samples/二上/ and samples/有误/ from the shipped samples,
with declform itself (standard library only; declform must be on the PATH, or name it in
$DECLFORM). What each file is: samples/README.md. Run from the repository root:

    cargo build && DECLFORM=target/debug/declform python3 samples/make_examples.py

The README's and docs/使用说明.md's examples run on these files (tests/readme.rs).
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

DECLFORM = os.environ.get("DECLFORM", "declform")


def declform(*args):
    subprocess.run([DECLFORM, *args], check=True, stderr=subprocess.DEVNULL)


def read_forms(path, tmp):
    out = os.path.join(tmp, "forms.json")
    declform("convert", path, "-o", out)
    with open(out, encoding="utf-8") as f:
        forms = json.load(f)["forms"]
    for form in forms:
        form.pop("source", None)
    return forms


def write_workbook(forms, path, tmp):
    src = os.path.join(tmp, "edited.json")
    with open(src, "w", encoding="utf-8") as f:
        json.dump({"forms": forms}, f, ensure_ascii=False, indent=2)
    if os.path.exists(path):
        os.remove(path)
    declform("convert", src, "-o", path)


def by_name(forms, name):
    return next(f for f in forms if f["project_name"] == name)


def second_round(tmp):
    """人民调解科 as resubmitted after the first review round (二上)."""
    forms = read_forms("samples/人民调解科.xlsx", tmp)
    f = by_name(forms, "村(居)委专职调解岗位工作津贴")
    for key in ["total", "total_fiscal", "annual_total", "annual_appropriation"]:
        f["funds"][key] = "2695000.00"
    for ind in f["indicators"]:
        if ind["level3"] == "维持调解员人数":
            ind["target"] = "≤500.00(人)"
        if ind["level1"] == "成本指标" and not ind["level3"]:
            ind["level3"] = "人均补贴标准"
            ind["target"] = "≤450.00(元/人·月)"
    by_name(forms, "医患纠纷办案补贴")["extra"]["联系电话"] = "021-56781234"
    f = by_name(forms, "专职调解员工作津贴")
    f["indicators"] = [
        i
        for i in f["indicators"]
        if not (i["level2"] == "质量指标" and i["level3"] == "工作完成及时性")
    ]
    forms = [f for f in forms if f["project_name"] != "医患纠纷专家咨询费"]
    new = copy.deepcopy(by_name(forms, "人民调解员办案补贴"))
    new["project_name"] = "人民调解员业务培训费"
    new["project_category"] = "其他运转类"
    for key in ["total", "total_fiscal", "annual_total", "annual_appropriation"]:
        new["funds"][key] = "120000.00"
    goal = "组织全区人民调解员参加业务培训，提高调解员依法调解、规范调解的能力，提升矛盾纠纷化解水平。"
    new["overall_goal"] = goal
    new["annual_goal"] = goal
    new["indicators"] = [
        {"level1": "产出指标", "level2": "数量指标", "level3": "培训场次", "target": "≥12.00(场)"},
        {"level1": "产出指标", "level2": "数量指标", "level3": "培训人次", "target": "≥600.00(人次)"},
        {"level1": "产出指标", "level2": "质量指标", "level3": "培训考核合格率", "target": "≥95.00(%)"},
        {"level1": "产出指标", "level2": "时效指标", "level3": "培训完成及时性", "target": "及时"},
        {"level1": "成本指标", "level2": "", "level3": "人均培训成本", "target": "≤200.00(元/人次)"},
        {"level1": "效益指标", "level2": "社会效益指标", "level3": "调解员业务能力", "target": "提高"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "参训人员满意度", "target": "≥90.00(%)"},
    ]
    forms.append(new)
    os.makedirs("samples/二上", exist_ok=True)
    write_workbook(forms, "samples/二上/人民调解科.xlsx", tmp)


def faulty(tmp):
    """Files with the mistakes a clerk meets, for the error examples."""
    os.makedirs("samples/有误", exist_ok=True)

    # A JSON document whose amount is written in words.
    seed = json.load(open("samples/seed-forms-2024.json", encoding="utf-8"))
    form = copy.deepcopy(seed["forms"][0])
    form["funds"]["total"] = "二百六十四万"
    with open("samples/有误/金额写成汉字.json", "w", encoding="utf-8") as f:
        json.dump({"forms": [form]}, f, ensure_ascii=False, indent=2)
        f.write("\n")

    # A workbook whose third form has 项目资金总额 typed as words (a text cell in C6).
    path = "samples/有误/金额写成汉字.xlsx"
    with zipfile.ZipFile("samples/社区矫正中心.xlsx") as src, zipfile.ZipFile(
        path, "w", zipfile.ZIP_DEFLATED
    ) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":
                text = data.decode("utf-8")
                text, n = re.subn(
                    r'<c r="C6"( s="\d+")><v>[^<]*</v></c>',
                    r'<c r="C6"\1 t="inlineStr"><is><t>五十七万六千</t></is></c>',
                    text,
                )
                assert n == 1, "C6 not found"
                data = text.encode("utf-8")
            dst.writestr(item, data)

    # Not a workbook at all: a text file whose name ends in .xlsx.
    with open("samples/有误/不是表格.xlsx", "w", encoding="utf-8") as f:
        f.write("这是一个文本文件，只是文件名以 .xlsx 结尾。\n")

    # A workbook that holds no form: a contact list.
    rows = [["科室", "联系人", "联系电话"], ["人民调解科", "张三", "021-56781234"], ["办公室", "李四", "021-56785678"]]
    cells = "".join(
        '<row r="%d">%s</row>'
        % (
            r + 1,
            "".join(
                '<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % ("ABC"[c], r + 1, v)
                for c, v in enumerate(row)
            ),
        )
        for r, row in enumerate(rows)
    )
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="联系人" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>%s</sheetData></worksheet>" % cells,
    }
    with zipfile.ZipFile("samples/有误/不是申报表.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text.encode("utf-8"))

    # A workbook with an opening password: the test fixture tests/fixtures/hostile/encrypted.xlsx
    # (made with msoffcrypto-tool).
    shutil.copyfile("tests/fixtures/hostile/encrypted.xlsx", "samples/有误/设有密码.xlsx")

    # Readable, but `check` finds 错误: two forms of 办公室 with planted mistakes.
    forms = read_forms("samples/办公室.xlsx", tmp)
    a, b = forms
    a["funds"]["total_fiscal"] = "5146207.06"  # 5,246,207.06 = 5,146,207.06 + nothing
    a["end_date"] = "2023-12-31"  # before 2024-01-01
    for ind in a["indicators"]:
        if ind["level3"] == "政府购买服务人员数量":
            ind["target"] = "≤XX(人)"
    a["indicators"].append(
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "工作人员满意度", "target": "≥120.00(%)"}
    )
    b["implementing_unit"] = ""
    b["funds"]["annual_total"] = "230986.00"  # above the 220,986.00 of the project
    b["indicators"] = [i for i in b["indicators"] if i["level1"] != "满意度指标"]
    write_workbook(forms, "samples/有误/填写有误.xlsx", tmp)


def main():
    if not os.path.exists("samples/seed-forms-2024.json"):
        sys.exit("run from the repository root")
    with tempfile.TemporaryDirectory() as tmp:
        second_round(tmp)
        faulty(tmp)


if __name__ == "__main__":
    main()

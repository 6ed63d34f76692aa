"""Make the three Word templates in templates/ (run once; afterwards the .docx files are the source and the
zone union may edit them in Word or WPS, keeping the {{ … }} placeholders).

    python tools/make_templates.py

Official look: A4, title in 黑体 二号, body in 仿宋 (East-Asian font set with w:eastAsia and the language
zh-CN, so no CJK text falls back to a Japanese face), labels in 宋体 bold, 盖章 and 年 月 日 blocks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent.parent / "templates"
BODY_FONT, LABEL_FONT, TITLE_FONT = "仿宋", "宋体", "黑体"


def set_fonts(rpr_parent, east_asia: str, ascii_font: str = "Times New Roman") -> None:
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), ascii_font)
    fonts.set(qn("w:eastAsia"), east_asia)
    for hint in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(hint), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def new_document(landscape: bool = False) -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.top_margin = section.bottom_margin = Cm(2.0 if landscape else 1.5)
    section.left_margin = section.right_margin = Cm(2.0 if landscape else 2.5)
    # document defaults and the styles used: East-Asian font and zh-CN everywhere
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr_default):
        if child.tag in (qn("w:rFonts"), qn("w:lang")):
            rpr_default.remove(child)
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), "Times New Roman")
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    rpr_default.insert(0, fonts)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr_default.append(lang)
    for name in ("Normal", "Table Grid"):
        style = doc.styles[name]
        set_fonts(style.element, BODY_FONT)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    doc.core_properties.author = "天津滨海高新技术产业开发区总工会"
    doc.core_properties.title = ""
    doc.core_properties.created = doc.core_properties.modified = dt.datetime(2021, 6, 1)
    doc.core_properties.last_modified_by = "天津滨海高新技术产业开发区总工会"
    doc.core_properties.revision = 1
    return doc


def run(paragraph, text: str, font: str = BODY_FONT, size: float = 12, bold: bool = False):
    r = paragraph.add_run(text)
    r.font.size = Pt(size)
    r.font.bold = bold
    set_fonts(r._r, font)
    return r


def para(
    doc_or_cell,
    text: str = "",
    font: str = BODY_FONT,
    size: float = 12,
    bold: bool = False,
    align=WD_ALIGN_PARAGRAPH.LEFT,
    before: float = 0,
    after: float = 0,
):
    p = doc_or_cell.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_before = Pt(before)
    p.paragraph_format.space_after = Pt(after)
    if text:
        run(p, text, font, size, bold)
    return p


def heading(doc, attachment: str, title: str, landscape: bool = False) -> None:
    first = doc.paragraphs[0] if doc.paragraphs else para(doc)
    run(first, attachment, TITLE_FONT, 16)
    para(doc, title, TITLE_FONT, 20, align=WD_ALIGN_PARAGRAPH.CENTER, before=2, after=4)


def cell_text(
    cell,
    text: str,
    font: str = BODY_FONT,
    size: float = 12,
    bold: bool = False,
    align=WD_ALIGN_PARAGRAPH.LEFT,
) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.alignment = align
    run(p, text, font, size, bold)


def label(cell, text: str) -> None:
    cell_text(cell, text, LABEL_FONT, 12, True, WD_ALIGN_PARAGRAPH.CENTER)


def row_height(row, cm: float) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(int(cm * 567)))
    height.set(qn("w:hRule"), "atLeast")
    tr_pr.append(height)


def no_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def widths(table, cms: list[float]) -> None:
    """Column widths in the grid (what LibreOffice and WPS read) and on every cell (what Word reads)."""
    table.autofit = False
    for column, w in zip(table.columns, cms):
        column.width = Cm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, cms):
            cell.width = Cm(w)


def opinion_block(table, title: str, signer: str, height: float = 2.6) -> None:
    row = table.add_row()
    row_height(row, height)
    no_split(row)
    label(row.cells[0], title)
    merged = row.cells[1].merge(row.cells[-1])
    merged.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    p = merged.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run(p, f"{signer}（盖章）        ")
    p2 = merged.add_paragraph()
    p2.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p2.paragraph_format.space_after = Pt(4)
    run(p2, "年      月      日        ")


def pair_row(
    table, a: str, va: str, b: str | None = None, vb: str | None = None, height: float = 0.8
) -> None:
    row = table.add_row()
    row_height(row, height)
    no_split(row)
    label(row.cells[0], a)
    if b is None:
        cell_text(row.cells[1].merge(row.cells[3]), va)
    else:
        cell_text(row.cells[1], va)
        label(row.cells[2], b)
        cell_text(row.cells[3], vb or "")


def year_line(doc) -> None:
    """申报年度, 填表日期 and the activity period (set by the zone union's call) above an application form."""
    para(
        doc,
        "申报年度：{{ year }} 年                                        填表日期：{{ filed_on }}",
        size=12,
        after=0,
    )
    para(doc, "活动期间：{{ period }}", size=12, after=3)


def contact_and_bank_rows(table) -> None:
    """The contact and the union's bank account, as both application forms ask for them."""
    pair_row(table, "联系人", "{{ contact_name }}", "联系电话", "{{ contact_phone }}")
    pair_row(table, "开户银行", "{{ bank_name }}", "银行账号", "{{ bank_account }}")


def form_table(doc):
    table = doc.add_table(rows=0, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def innovation_form() -> None:
    doc = new_document()
    heading(doc, "附件1.1", "高新区职工创新创效鼓励金申请表")
    year_line(doc)
    t = form_table(doc)
    pair_row(t, "单位名称", "{{ applicant_name }}", height=0.7)
    pair_row(t, "统一社会信用代码", "{{ credit_code }}", "职工人数", "{{ employees }}", height=0.7)
    pair_row(t, "工会名称", "{{ union_name }}", height=0.7)
    pair_row(t, "单位地址", "{{ address }}", height=0.7)
    contact_and_bank_rows(t)
    pair_row(
        t,
        "补贴情形",
        "{{ case_count_box }} 情形一：企业（基层工会）制定激励职工创新创效的方案且对创新创效成果突出的职工"
        "予以奖励，按被采纳条数申报\n"
        "{{ case_bonus_box }} 情形二：企业制定激励职工创新创效制度且企业行政发放专项奖金，按每项奖金申报"
        "（最高奖励3万元）\n"
        "（二者不可同时申报）",
        height=1.9,
    )
    pair_row(t, "被采纳项目数", "{{ item_count }} 项", "奖励总额", "{{ bonus_total }}", height=0.7)
    pair_row(t, "评审会议", "{{ meetings }}", height=1.0)
    pair_row(t, "申请金额", "小写：{{ amount }}\n大写：{{ amount_capital }}", height=1.0)
    pair_row(t, "计算说明", "{{ award_lines }}", height=1.1)
    opinion_block(t, "单位意见", "单位", height=1.7)
    opinion_block(t, "工会意见", "工会", height=1.7)
    opinion_block(t, "高新区总工会\n审核意见", "高新区总工会", height=1.9)
    note_row(
        t,
        "注：1. 补贴情形只能选择一种；2. 申请金额依据《天津滨海高新技术产业开发区职工创新创效鼓励金实施办法"
        "（试行）》（附件1）四、补贴办法计算，以高新区职工创新评审委员会审核结果为准；3. 奖励总额为基层工会"
        "（情形一）或企业行政（情形二）奖励职工的金额合计，与附件1.2一致；4. 本表一式两份。",
    )
    widths(t, [4.0, 5.5, 2.9, 3.6])
    doc.save(OUT / "附件1.1-职工创新创效鼓励金申请表.docx")


def note_row(table, text: str, size: float = 10) -> None:
    """The form's 注 as the table's last row, without side and bottom borders: it never leaves the table."""
    row = table.add_row()
    no_split(row)
    cell = row.cells[0].merge(row.cells[-1])
    cell_text(cell, text, size=size)
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    tc_pr.append(borders)


def project_summary() -> None:
    doc = new_document(landscape=True)
    heading(doc, "附件1.2", "被采纳的职工创新创效项目汇总明细", landscape=True)
    para(
        doc,
        "填报单位（盖章）：{{ applicant_name }}                    补贴情形：{{ case_title }}"
        "                    申报年度：{{ year }} 年",
        size=12,
        after=4,
    )
    headers = [
        "序号",
        "项目名称",
        "类别",
        "提出人",
        "所在部门",
        "采纳日期",
        "实施效果",
        "奖励金额（元）",
        "鼓励金（元）",
        "评审会议",
    ]
    cms = [1.1, 4.8, 1.7, 2.1, 2.3, 2.4, 4.1, 2.3, 2.1, 2.8]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers):
        cell_text(cell, text, LABEL_FONT, 10.5, True, WD_ALIGN_PARAGRAPH.CENTER)
    repeat_header(table.rows[0])
    no_split(table.rows[0])
    start = table.add_row()
    cell_text(start.cells[0], "{%tr for item in items %}", size=10.5)
    body = table.add_row()
    no_split(body)
    fields = [
        "seq",
        "name",
        "category",
        "proposer",
        "department",
        "adopted_on",
        "effect",
        "bonus",
        "award",
        "meeting",
    ]
    centred = {"seq", "category", "adopted_on", "meeting"}
    for cell, field in zip(body.cells, fields):
        align = (
            WD_ALIGN_PARAGRAPH.RIGHT
            if field in ("bonus", "award")
            else (WD_ALIGN_PARAGRAPH.CENTER if field in centred else WD_ALIGN_PARAGRAPH.LEFT)
        )
        cell_text(cell, f"{{{{ item.{field} }}}}", size=10.5, align=align)
    end = table.add_row()
    cell_text(end.cells[0], "{%tr endfor %}", size=10.5)
    sub_start = table.add_row()
    cell_text(sub_start.cells[0], "{%tr for s in subtotals %}", size=10.5)
    sub = table.add_row()
    no_split(sub)
    cell_text(sub.cells[0].merge(sub.cells[7]), "{{ s.label }}", size=10.5, align=WD_ALIGN_PARAGRAPH.RIGHT)
    cell_text(sub.cells[8], "{{ s.amount }}", size=10.5, align=WD_ALIGN_PARAGRAPH.RIGHT)
    sub_end = table.add_row()
    cell_text(sub_end.cells[0], "{%tr endfor %}", size=10.5)
    total = table.add_row()
    no_split(total)
    cell_text(total.cells[0].merge(total.cells[1]), "合计", LABEL_FONT, 10.5, True, WD_ALIGN_PARAGRAPH.CENTER)
    cell_text(total.cells[2].merge(total.cells[6]), "共 {{ item_count }} 项", size=10.5)
    cell_text(total.cells[7], "{{ bonus_total }}", size=10.5, align=WD_ALIGN_PARAGRAPH.RIGHT)
    cell_text(total.cells[8], "{{ award_total }}", size=10.5, align=WD_ALIGN_PARAGRAPH.RIGHT)
    note_row(
        table,
        "填表人：{{ contact_name }}            联系电话：{{ contact_phone }}"
        "            填表日期：{{ filed_on }}\n"
        "注：奖励金额为基层工会（情形一）或企业行政（情形二）奖励职工的金额；鼓励金按《天津滨海高新技术产业开发区"
        "职工创新创效鼓励金实施办法（试行）》（附件1）四、补贴办法计算：情形一按被采纳条数（四（一）），"
        "情形二逐项计算（四（二））；评审会议填采纳该项目的评审会议日期。",
        size=10.5,
    )
    widths(table, cms)
    doc.save(OUT / "附件1.2-被采纳的职工创新创效项目汇总明细.docx")


def studio_form() -> None:
    doc = new_document()
    heading(doc, "附件2.1", "创新工作室鼓励金申请表")
    year_line(doc)
    t = form_table(doc)
    pair_row(t, "工作室名称", "{{ studio_name }}", height=0.7)
    pair_row(t, "命名级别", "{{ level }}", "命名时间", "{{ named_on }}", height=0.7)
    pair_row(t, "领衔人", "{{ leader }}", "成员人数", "{{ members }}", height=0.7)
    pair_row(t, "所在单位", "{{ applicant_name }}", height=0.7)
    pair_row(t, "统一社会信用代码", "{{ credit_code }}", "职工人数", "{{ employees }}", height=0.7)
    pair_row(t, "工会名称", "{{ union_name }}", height=0.7)
    contact_and_bank_rows(t)
    pair_row(
        t,
        "申报类别",
        "{{ new_box }} 当年新命名创新工作室鼓励金\n"
        "{{ annual_box }} 年度综合评比鼓励金（申请档次：{{ tier }}）",
        height=1.0,
    )
    pair_row(t, "年度计划\n完成情况", "{{ plan_completion }}", height=1.0)
    pair_row(t, "本年度课题/\n攻关项目", "{{ projects }}", height=1.0)
    pair_row(t, "创新成果及\n推广应用", "{{ results }}", height=1.0)
    pair_row(t, "专利/重大专项", "{{ patents }}", height=0.9)
    pair_row(t, "申请金额", "小写：{{ amount }}\n大写：{{ amount_capital }}", height=1.0)
    pair_row(t, "计算说明", "{{ award_lines }}", height=1.1)
    opinion_block(t, "单位意见", "单位", height=1.3)
    opinion_block(t, "工会意见", "工会", height=1.3)
    opinion_block(t, "高新区总工会\n审核意见", "高新区总工会", height=1.4)
    note_row(
        t,
        "注：新命名滨海新区级及以上工作室请附上级工会命名文件；年度综合评比档次由高新区职工创新评审委员会依据"
        "《劳模和工匠人才创新工作室鼓励金实施办法（试行）》（附件2）四（二）评定。",
    )
    widths(t, [4.0, 5.5, 2.9, 3.6])
    doc.save(OUT / "附件2.1-创新工作室鼓励金申请表.docx")


if __name__ == "__main__":
    innovation_form()
    project_summary()
    studio_form()
    print("templates written to", OUT)

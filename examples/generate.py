"""Regenerate the bundled example applications (their evidence files are committed; run this only to change
them).

    python examples/generate.py

Needs a CJK font (Debian: fonts-noto-cjk) to draw the Chinese text on the synthetic scans and photos.
Output is deterministic: the same script gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import shutil
import time
from decimal import Decimal
from pathlib import Path

from assembler.identifiers import credit_code_check_char, org_code_check_char
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]


def credit_code(prefix8: str, org_body: str) -> str:
    """A valid 统一社会信用代码 from its first 8 characters and an 8-character organisation-code body."""
    first17 = prefix8 + org_body + org_code_check_char(org_body)
    return first17 + credit_code_check_char(first17)


def font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=2 if "Noto" in path else 0)
    raise SystemExit("需要中文字体：apt-get install fonts-noto-cjk")


def stamp(draw: ImageDraw.ImageDraw, center: tuple[int, int], text: str) -> None:
    x, y = center
    draw.ellipse((x - 110, y - 110, x + 110, y + 110), outline=(200, 30, 30), width=7)
    draw.text((x, y - 10), "★", font=font(60), fill=(200, 30, 30), anchor="mm")
    draw.text((x, y + 60), text[:10], font=font(22), fill=(200, 30, 30), anchor="mm")


def scan_pdf(path: Path, title: str, lines: list[str], seal: str | None = None) -> None:
    """A one-page A4 'scan' (grey image at 100 dpi) saved as PDF, like a stamped document from a scanner."""
    page = Image.new("RGB", (827, 1169), (250, 250, 246))
    draw = ImageDraw.Draw(page)
    draw.text((413, 110), title, font=font(34), fill=(20, 20, 20), anchor="mm")
    y = 190
    for line in lines:
        draw.text((90, y), line, font=font(22), fill=(30, 30, 30))
        y += 40
    if seal:
        stamp(draw, (620, min(y + 140, 1000)), seal)
    page = page.convert("L")
    buf = io.BytesIO()
    fixed = time.gmtime(1774000000)  # Pillow takes a struct_time here
    page.save(buf, "PDF", resolution=100.0, quality=60, creationDate=fixed, modDate=fixed, producer="scanner")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())


def photo(path: Path, caption: str, seed: int, when: dt.datetime, orientation: int = 1) -> None:
    """A small synthetic on-site photo (people at a table, a projected slide) with camera EXIF."""
    rng = random.Random(seed)
    w, h = 960, 720
    im = Image.new("RGB", (w, h), (rng.randint(170, 200), rng.randint(170, 190), rng.randint(150, 180)))
    draw = ImageDraw.Draw(im)
    draw.rectangle((200, 60, 760, 330), fill=(235, 240, 250), outline=(90, 90, 90), width=4)
    draw.text((480, 190), caption, font=font(34), fill=(180, 20, 20), anchor="mm")
    draw.rectangle((120, 470, 840, 560), fill=(120, 80, 50))
    for i in range(8):
        cx = 150 + i * 90 + rng.randint(-10, 10)
        draw.ellipse((cx - 25, 395, cx + 25, 445), fill=(60 + rng.randint(0, 40), 50, 40))
        draw.rectangle((cx - 35, 445, cx + 35, 480), fill=(rng.randint(20, 60), rng.randint(40, 90), 120))
    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"
    exif[0x0110] = "P40"
    exif[0x0112] = orientation
    exif[0x0132] = when.strftime("%Y:%m:%d %H:%M:%S")
    if orientation == 6:  # stored as the sensor saw it: rotated; viewers turn it upright by the tag
        im = im.transpose(Image.Transpose.ROTATE_90)
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "JPEG", quality=55, exif=exif.tobytes())


def screenshot(path: Path, title: str, lines: list[str]) -> None:
    """A web-notice screenshot as PNG (the 网络公示 of the measures)."""
    im = Image.new("RGB", (900, 620), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, 900, 60), fill=(190, 30, 40))
    draw.text((20, 30), "企业内网 · 公告栏", font=font(24), fill="white", anchor="lm")
    draw.text((450, 110), title, font=font(28), fill=(20, 20, 20), anchor="mm")
    for i, line in enumerate(lines):
        draw.text((50, 160 + 34 * i), line, font=font(19), fill=(40, 40, 40))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.quantize(64).save(path, "PNG", optimize=True)


def policy_docx(path: Path, company: str, title: str, clauses: list[str]) -> None:
    """The incentive policy as a Word file (as enterprises usually keep it)."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "仿宋"
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    doc.add_heading(title, level=1)
    doc.add_paragraph(f"{company}（2025 年修订）")
    for i, clause in enumerate(clauses, start=1):
        doc.add_paragraph(f"第{'一二三四五六七八九十'[i - 1]}条  {clause}")
    doc.core_properties.created = dt.datetime(2025, 1, 6, 9, 0, 0)
    doc.core_properties.modified = dt.datetime(2025, 1, 6, 9, 0, 0)
    doc.core_properties.last_modified_by = company
    doc.core_properties.author = company
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)


FAMILY = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "春梅",
    "国庆",
    "红梅",
    "立新",
    "晓东",
    "文博",
    "子涵",
    "雨轩",
    "浩然",
    "嘉怡",
]
TOPICS = [
    "数控刀具快换夹具",
    "冷却液回收过滤装置",
    "装配线防错工装",
    "叉车充电区安全改造",
    "焊接烟尘收集罩",
    "来料检验抽样优化",
    "包装纸箱尺寸标准化",
    "空压机余热回收",
    "工位照明节能改造",
    "模具快速换模方法",
    "设备点检二维码",
    "废料分类回收流程",
    "仓库货位可视化看板",
    "喷涂线挂具改进",
    "扭矩扳手校验台",
    "车间物流路线优化",
    "夹具定位销防磨损",
    "检具通止规改进",
    "电柜散热风道改造",
    "车床排屑器防卡料",
    "员工培训微课",
    "物料齐套预警表",
    "首件检验记录电子化",
    "油品更换周期优化",
]
DEPARTMENTS = [
    "机加车间",
    "装配车间",
    "质量部",
    "设备部",
    "仓储物流部",
    "生产管理部",
    "安全环保部",
    "研发中心",
]
CATEGORIES = ["小发明", "小创造", "小革新", "小设计", "小建议"]


def ledger_rows(
    n: int, seed: int, start: dt.date, meetings: list[dt.date], bonuses: list[Decimal]
) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        meeting = meetings[i * len(meetings) // n]
        rows.append(
            {
                "序号": i + 1,
                "项目名称": f"{rng.choice(TOPICS)}（{i + 1:03d}）",
                "类别": rng.choice(CATEGORIES),
                "提出人": rng.choice(FAMILY) + rng.choice(GIVEN),
                "所在部门": rng.choice(DEPARTMENTS),
                "采纳日期": meeting,
                "实施效果": f"年节约成本约 {rng.randint(1, 30)} 万元"
                if rng.random() < 0.6
                else "降低作业强度，消除安全隐患",
                "奖励金额（元）": bonuses[i % len(bonuses)],
                "评审会议": meeting,
            }
        )
    return rows


def meeting_evidence(
    root: Path, company: str, date: dt.date, title: str, items: int, seed: int, rotated: bool = False
) -> None:
    folder = root / "4-评审会议" / f"{date.isoformat()} {title}"
    scan_pdf(
        folder / f"{title}纪要.pdf",
        f"{title}会议纪要",
        [
            f"时间：{date.year}年{date.month}月{date.day}日 14:00",
            f"地点：{company}三楼会议室",
            "参加人员：公司工会、技术部、生产部、质量部评审组成员及高新区总工会代表",
            "会议议程：对本期征集的合理化建议和“五小”成果逐项评审。",
            f"评审结果：采纳 {items} 项，名单附后并予以公示。",
            "会议要求：各部门抓好落地实施，按制度兑现奖励。",
        ],
        seal=f"{company[:6]}工会",
    )
    photo(
        folder / "现场照片1.jpg",
        title,
        seed,
        dt.datetime.combine(date, dt.time(14, 20)),
        orientation=6 if rotated else 1,
    )
    photo(folder / "现场照片2.jpg", "评审现场", seed + 1, dt.datetime.combine(date, dt.time(15, 5)))


def write_yaml(path: Path, text: str) -> None:
    path.write_text(text.strip() + "\n", encoding="utf-8")


def innovation_count(root: Path) -> None:
    company = "天津滨海示例精密机械有限公司"
    code = credit_code("91120116", "MA05K3R7")
    meetings = [dt.date(2026, 3, 18), dt.date(2026, 6, 12)]
    rows = ledger_rows(37, 1, dt.date(2026, 3, 1), meetings, [Decimal(200), Decimal(300), Decimal(500)])
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ws.append(list(rows[0]))
    for row in rows:
        ws.append(list(row.values()))
        ws.cell(ws.max_row, 6).number_format = "yyyy-mm-dd"
        ws.cell(ws.max_row, 9).number_format = "yyyy-mm-dd"
    ws.append(["合计", None, None, None, None, None, None, sum(r["奖励金额（元）"] for r in rows), None])
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 6, 15, 10, 0, 0)
    wb.save(root / "ledger.xlsx")
    write_yaml(
        root / "application.yaml",
        f"""
# 示例：职工创新创效鼓励金 · 情形一（按被采纳项目条数）——37 条，属 31–50 条档，3000 元
measures: "2021"
year: 2026
scheme: innovation
applicant:
  name: {company}
  credit_code: "{code}"
  union: {company}工会委员会
  address: 天津市滨海高新区华苑产业区海泰发展六道 6 号
  employees: 286
  contact: {{name: 刘晓东, phone: "022-58001234"}}
  bank: {{name: 中国工商银行天津华苑支行, account: "0302 0912 0910 0123 456"}}
innovation:
  case: count
  projects: ledger.xlsx
  meetings:
    - date: 2026-03-18
      title: 一季度五小成果评审会
      reported_on: 2026-03-11       # 向高新区总工会报备的日期
      attended_by: 高新区总工会 王建国  # 总工会派员参加
    - {{date: 2026-06-12, title: 二季度合理化建议评审会, reported_on: 2026-06-05}}
""",
    )
    policy_docx(
        root / "2-激励制度" / "职工创新创效激励办法.docx",
        company,
        "职工创新创效激励办法",
        [
            "为激励职工立足岗位开展“五小”活动，制定本办法。",
            "公司工会设立评审小组，每季度组织评审。",
            "被采纳的建议按效果给予 200–500 元物质奖励。",
            "评审结果在公司内网公示五个工作日。",
        ],
    )
    for i, (date, title) in enumerate(zip(meetings, ["一季度五小成果评审会", "二季度合理化建议评审会"])):
        meeting_evidence(root, company, date, title, [19, 18][i], seed=10 + i * 7, rotated=i == 0)
    screenshot(
        root / "4-评审会议" / "评审结果公示（内网截图）.png",
        "关于合理化建议评审结果的公示",
        [f"{i + 1}. {r['项目名称']}  {r['提出人']}" for i, r in enumerate(rows[:12])]
        + ["……（共 37 项）", "公示期：2026年6月15日至6月19日"],
    )
    scan_pdf(
        root / "5-奖励签收单" / "物质奖励签收单.pdf",
        "职工创新创效物质奖励签收单",
        [f"{r['提出人']}    {r['项目名称'][:10]}    已领取    签字：{r['提出人']}" for r in rows[:20]],
        seal=f"{company[:6]}工会",
    )
    scan_pdf(
        root / "6-工会经费凭证" / "2025年度工会经费缴纳凭证.pdf",
        "税收完税证明（工会经费）",
        [
            "纳税人名称：" + company,
            "税款所属时期：2025-01-01 至 2025-12-31",
            "品目：工会经费",
            "实缴金额：143,000.00 元",
        ],
        seal="国家税务总局天津",
    )


def innovation_bonus(root: Path) -> None:
    company = "天津高新区示例电子科技股份有限公司"
    code = credit_code("91120116", "MA07L9PX")
    meetings = [dt.date(2026, 3, 20), dt.date(2026, 5, 22), dt.date(2026, 6, 19)]
    bonuses = [
        Decimal(v) for v in ("800", "600", "1200", "2000", "650", "1000", "1500", "880", "350.50", "100")
    ]
    rows = ledger_rows(120, 2, dt.date(2026, 3, 1), meetings, bonuses)
    with (root / "ledger.csv").open(
        "w", encoding="gb18030", newline=""
    ) as fh:  # as Excel saves on Chinese Windows
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    write_yaml(
        root / "application.yaml",
        f"""
# 示例：职工创新创效鼓励金 · 情形二（按企业行政专项奖金）——120 项，按项计算超过 3 万元，按上限 30,000 元
# 台账 ledger.csv 为 Excel 在中文 Windows 上“另存为 CSV”得到的 GBK 编码文件。
measures: "2021"
year: 2026
scheme: innovation
applicant:
  name: {company}
  credit_code: "{code}"
  union: {company}工会
  address: 天津市滨海高新区塘沽海洋科技园宁海路 88 号
  employees: 1520
  contact: {{name: 陈雨轩, phone: "13920001234"}}
  bank: {{name: 中国银行天津滨海分行, account: "2729 6500 1234"}}
innovation:
  case: bonus
  projects: ledger.csv
  meetings:
    - {{date: 2026-03-20, title: 一季度创新创效成果评审会, reported_on: 2026-03-13}}
    - {{date: 2026-05-22, title: 二季度创新创效成果评审会, reported_on: 2026-05-15,
       attended_by: 高新区总工会 李红}}
    - {{date: 2026-06-19, title: 上半年优秀成果复评会, reported_on: 2026-06-12}}
""",
    )
    scan_pdf(
        root / "2-激励制度" / "职工创新创效专项奖励制度.pdf",
        "职工创新创效专项奖励制度",
        [
            "第一条 公司行政设立职工创新创效专项奖金。",
            "第二条 奖金按项目效益分四档：100、300、500、1000 元。",
            "第三条 奖金由财务部经银行代发至职工工资卡。",
        ],
        seal=company[:8],
    )
    for i, date in enumerate(meetings):
        title = ["一季度创新创效成果评审会", "二季度创新创效成果评审会", "上半年优秀成果复评会"][i]
        meeting_evidence(root, company, date, title, 40, seed=30 + i * 5)
    scan_pdf(
        root / "4-评审会议" / "张贴公告照片-评审结果公告.pdf",
        "创新创效成果评审结果公告",
        [f"{r['序号']}. {r['项目名称']}  {r['提出人']}  {r['所在部门']}" for r in rows[:18]]
        + ["……共 120 项"],
        seal=company[:8],
    )
    scan_pdf(
        root / "5-银行流水" / "专项奖金代发银行流水.pdf",
        "中国银行 对公账户交易明细（代发工资-创新奖金）",
        [
            f"2026-07-{10 + i:02d}  代发  {r['提出人']}  {r['奖励金额（元）']}"
            for i, r in enumerate(rows[:18])
        ],
        seal="中国银行业务专用章",
    )
    scan_pdf(
        root / "6-工会经费凭证" / "2025年工会经费缴费凭证.pdf",
        "工会经费缴费凭证",
        ["缴费单位：" + company, "所属期：2025 年度", "金额：612,400.00 元"],
        seal="国家税务总局天津",
    )
    photo(root / "7-其他佐证材料" / "成果展示活动.jpg", "创新成果展", 77, dt.datetime(2026, 4, 2, 10, 0))


def studio(root: Path) -> None:
    company = "天津示例新能源装备有限公司"
    code = credit_code("91120116", "MA06P2W1")
    write_yaml(
        root / "application.yaml",
        f"""
# 示例：劳模和工匠人才创新工作室鼓励金——新命名滨海新区级（匹配 10,000 元）+ 年度评比申请 5000 元档，
# 合计申请 15,000 元（申请（待核定）：匹配金额由评审人员核实，档次由评审委员会评定）
measures: "2021"
year: 2026
scheme: studio
applicant:
  name: {company}
  credit_code: "{code}"
  union: {company}工会委员会
  address: 天津市滨海高新区渤龙湖科技园汇祥道 12 号
  employees: 430
  contact: {{name: 赵国庆, phone: "022-66201888"}}
  bank: {{name: 天津银行滨海高新区支行, account: "1020 3040 5060 7080"}}
studio:
  name: 赵建华劳模创新工作室
  leader: 赵建华
  level: binhai
  members: 12
  named_on: 2026-04-28
  new: true
  matched_amount: 10000
  annual: true
  tier: 5000
  tier_reasons: [plan, patents]
  projects:
    - 风电变桨轴承在线监测攻关
    - {{title: 叶片根部螺栓预紧力一致性课题, description: 公司 2026 年第 3 号立项}}
  results:
    - {{title: 变桨轴承润滑状态监测装置, description: 已在 3 条产线推广，年减少停机 60 小时}}
  patents:
    - {{title: 一种变桨轴承润滑状态监测装置, number: ZL202520123456.7, kind: 实用新型专利}}
""",
    )
    scan_pdf(
        root / "2-年度工作计划" / "2026年度工作计划.pdf",
        "赵建华劳模创新工作室 2026 年度工作计划",
        [
            "一、工作目标：完成 2 项攻关课题，形成 1 项专利。",
            "二、重点项目：风电变桨轴承在线监测攻关。",
            "三、人才培养：开展师带徒 6 对，技能培训 12 次。",
            "四、保障措施：公司每年投入 20 万元。",
        ],
        seal=company[:8],
    )
    scan_pdf(
        root / "3-进度与成果" / "课题完成进度报告.pdf",
        "课题完成进度及成果报告",
        [
            "风电变桨轴承在线监测攻关：已完成样机并通过验收。",
            "叶片根部螺栓预紧力一致性课题：完成 70%。",
            "成果：变桨轴承润滑状态监测装置，在 3 条产线推广。",
        ],
        seal=company[:8],
    )
    photo(root / "3-进度与成果" / "成果应用现场.jpg", "成果应用现场", 91, dt.datetime(2026, 6, 3, 9, 30))
    scan_pdf(
        root / "3-进度与成果" / "滨海新区总工会命名文件.pdf",
        "关于命名滨海新区劳模和工匠人才创新工作室的决定",
        [
            "赵建华劳模创新工作室（天津示例新能源装备有限公司）",
            "命名日期：2026年4月28日",
            "按规定给予一次性匹配鼓励金 10,000 元。",
        ],
        seal="滨海新区总工会",
    )
    scan_pdf(
        root / "4-专利与重大专项" / "专利证书 ZL202520123456.7.pdf",
        "实用新型专利证书",
        ["专利号：ZL 2025 2 0123456.7", "发明名称：一种变桨轴承润滑状态监测装置", "专利权人：" + company],
        seal="国家知识产权局",
    )
    scan_pdf(
        root / "5-工会经费凭证" / "2025年度工会经费缴纳凭证.pdf",
        "工会经费缴纳凭证",
        ["缴费单位：" + company, "所属期：2025 年度", "金额：201,600.00 元"],
        seal="国家税务总局天津",
    )


def main() -> None:
    for name, build in [
        ("innovation-count", innovation_count),
        ("innovation-bonus", innovation_bonus),
        ("studio", studio),
    ]:
        root = HERE / name
        if root.exists():
            shutil.rmtree(root)
        root.mkdir()
        build(root)
        print(f"{root}: {sum(f.stat().st_size for f in root.rglob('*') if f.is_file()) // 1024} KB")


if __name__ == "__main__":
    main()

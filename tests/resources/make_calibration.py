"""Make the near-duplicate calibration set in tests/resources/calibration/ (run from the repository root:
`python tests/resources/make_calibration.py`). Everything is drawn with Pillow and numpy from fixed seeds,
no photo is copied, so the same Pillow gives the same bytes.

`pairs.json` lists each pair with `same` (true: the second file is the first re-used — re-encoded, resized,
cropped, turned, screenshotted or scanned again — and must be found; false: an honest look-alike that must
not be flagged) and what was done. tests/core/test_similar_calibration.py computes recall and false alarms.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent / "calibration"
W, H = 640, 480


def _save(im: Image.Image, name: str, quality: int = 88) -> str:
    path = OUT / name
    if name.endswith(".jpg"):
        im.convert("RGB").save(path, "JPEG", quality=quality, optimize=False, progressive=False)
    else:
        im.save(path, "PNG", optimize=False)
    return name


def _texture(
    rng: np.random.Generator, w: int, h: int, base: tuple[int, int, int], spread: int
) -> Image.Image:
    """A wall or floor: a colour with a smooth random shading (real photos are never flat)."""
    small = rng.normal(0, spread, (6, 8, 1))
    shade = np.asarray(
        Image.fromarray(small[:, :, 0].astype(np.float32)).resize((w, h), Image.Resampling.BICUBIC)
    )
    arr = np.clip(np.array(base, dtype=np.float64)[None, None, :] + shade[:, :, None], 0, 255)
    return Image.fromarray(arr.astype(np.uint8), "RGB")


def _text_lines(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    box: tuple[int, int, int, int],
    lines: int,
    colour: tuple[int, int, int],
    height: int = 6,
) -> None:
    """Lines of 'text': runs of small glyph-like blocks of random widths."""
    x0, y0, x1, y1 = box
    step = (y1 - y0) / max(lines, 1)
    for i in range(lines):
        y = int(y0 + i * step + step / 4)
        x = x0 + int(rng.integers(0, 12))
        end = x1 - int(rng.integers(0, (x1 - x0) // 3))
        while x < end:
            g = int(rng.integers(height - 2, height + 3))
            draw.rectangle([x, y, x + g, y + height], fill=colour)
            if rng.random() < 0.5:
                draw.line([x + 1, y + height // 2, x + g - 1, y + height // 2], fill=(255, 255, 255))
            x += g + int(rng.integers(2, 5)) + (8 if rng.random() < 0.1 else 0)


def meeting_room(
    seed: int, seats: list[int], screen_seed: int, wall: tuple[int, int, int] = (190, 180, 165)
) -> Image.Image:
    """A meeting room: wall, screen with a title, a table, people in the given seats (0–9)."""
    rng = np.random.default_rng(seed)
    im = _texture(rng, W, H, wall, 10)
    floor = _texture(rng, W, H // 3, (120, 100, 80), 8)
    im.paste(floor, (0, H - H // 3))
    d = ImageDraw.Draw(im)
    d.rectangle([150, 40, 490, 200], fill=(235, 238, 245), outline=(80, 80, 80), width=3)
    _text_lines(d, np.random.default_rng(screen_seed), (180, 80, 460, 170), 3, (170, 30, 30), 9)
    d.rectangle([60, 300, 580, 360], fill=(120, 80, 50))
    d.rectangle([40, 20, 110, 250], fill=(200, 190, 150), outline=(140, 130, 100), width=2)  # a door
    people = np.random.default_rng(seed + 1000)
    for s in seats:
        x = 80 + s * 52
        shirt = tuple(int(v) for v in people.integers(20, 160, 3))
        d.rectangle([x - 20, 262, x + 20, 305], fill=shirt)
        d.ellipse([x - 15, 226, x + 15, 258], fill=tuple(int(v) for v in people.integers(40, 110, 3)))
    return im.filter(ImageFilter.GaussianBlur(0.7))


def receipt_form(names: list[str] | None, seed: int) -> Image.Image:
    """A printed 签收单: title, table grid; `names` fills rows with 'handwriting' strokes (None: blank)."""
    im = Image.new("RGB", (W, int(W * 1.414)), (250, 250, 248))
    d = ImageDraw.Draw(im)
    _text_lines(d, np.random.default_rng(7), (200, 40, 440, 70), 1, (20, 20, 20), 12)
    top, rows = 120, 14
    for r in range(rows + 1):
        d.line([50, top + r * 50, 590, top + r * 50], fill=(30, 30, 30), width=2)
    for x in (50, 120, 300, 450, 590):
        d.line([x, top, x, top + rows * 50], fill=(30, 30, 30), width=2)
    _text_lines(d, np.random.default_rng(8), (60, top + 15, 580, top + 40), 1, (20, 20, 20), 10)
    if names:
        rng = np.random.default_rng(seed)
        for r, _ in enumerate(names, start=1):
            y = top + r * 50 + 25
            for col in ((130, 290), (310, 440), (460, 580)):
                pts = [(col[0] + i * (col[1] - col[0]) / 10, y + rng.normal(0, 7)) for i in range(11)]
                d.line(pts, fill=(20, 30, 120), width=3)
    return im


def template_page(seed: int) -> Image.Image:
    """A page of a unit's document template (letterhead, red line, body text) with its own text."""
    im = Image.new("RGB", (W, int(W * 1.414)), (252, 252, 252))
    d = ImageDraw.Draw(im)
    _text_lines(d, np.random.default_rng(1), (180, 40, 460, 80), 1, (200, 20, 20), 18)
    d.line([50, 100, 590, 100], fill=(200, 20, 20), width=3)
    _text_lines(d, np.random.default_rng(seed), (70, 130, 570, 860), 30, (25, 25, 25), 8)
    return im


def reencode(im: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    im.convert("RGB").save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def crop(im: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = im.size
    return im.crop((round(w * left), round(h * top), round(w * (1 - right)), round(h * (1 - bottom))))


def rotate(im: Image.Image, degrees: float) -> Image.Image:
    """Turned slightly, then cropped to hide the corners (as a phone's straighten tool does)."""
    turned = im.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=False)
    return crop(turned, 0.03, 0.03, 0.03, 0.03)


def screenshot(im: Image.Image) -> Image.Image:
    """A phone screenshot of the photo: shown letterboxed on black with a status bar and a toolbar."""
    phone = Image.new("RGB", (720, 1280), (0, 0, 0))
    shown = im.resize((720, 540), Image.Resampling.LANCZOS)
    phone.paste(shown, (0, 370))
    d = ImageDraw.Draw(phone)
    d.rectangle([0, 0, 720, 60], fill=(0, 0, 0))
    _text_lines(d, np.random.default_rng(3), (20, 20, 200, 40), 1, (230, 230, 230), 10)
    _text_lines(d, np.random.default_rng(4), (260, 1180, 460, 1210), 1, (230, 230, 230), 12)
    return phone


def rescan(im: Image.Image, seed: int, skew: float = 0.6) -> Image.Image:
    """Printed and scanned again: slightly turned, blurred, grainy, a little darker, on a larger sheet."""
    rng = np.random.default_rng(seed)
    turned = im.convert("L").rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=250)
    soft = turned.filter(ImageFilter.GaussianBlur(1.2))
    arr = np.asarray(soft, dtype=np.float64) * 0.93 + rng.normal(0, 6, soft.size[::-1])
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    w, h = out.size
    return out.resize((int(w * 1.3), int(h * 1.3)), Image.Resampling.BILINEAR)


def _glyph(d: ImageDraw.ImageDraw, x: int, y: int, ch: str, size: int, colour: int) -> None:
    """One character of a drawn 'typeface': strokes on a 5 × 5 grid chosen by the character's code, so
    that each character always looks the same and two characters look different (no font file)."""
    if ch == " ":
        return
    rng = np.random.default_rng(ord(ch))
    step = size / 4
    width = max(1, round(size / 9))
    for _ in range(int(rng.integers(4, 9))):
        a = (int(rng.integers(0, 5)), int(rng.integers(0, 5)))
        b = (a[0], int(rng.integers(0, 5))) if rng.random() < 0.5 else (int(rng.integers(0, 5)), a[1])
        if rng.random() < 0.25:
            b = (int(rng.integers(0, 5)), int(rng.integers(0, 5)))
        d.line([x + a[0] * step, y + a[1] * step, x + b[0] * step, y + b[1] * step], fill=colour, width=width)


def _write(d: ImageDraw.ImageDraw, x: int, y: int, text: str, size: int, colour: int = 25) -> None:
    for i, ch in enumerate(text):
        _glyph(d, x + round(i * size * 1.15), y, ch, size, colour)


MINUTES = [
    "时间：{date} 14:00",
    "地点：示例公司三楼会议室",
    "参加人员：公司工会、技术部、生产部、质量部评审组成员",
    "会议议程：对本期征集的合理化建议和五小成果逐项评审。",
    "评审结果：采纳 {number} 项，名单附后并予以公示。",
    "会议要求：各部门抓好落地实施，按制度兑现奖励。",
]


def minutes_page(title: str, date: str, number: str, scale: float = 1.0) -> Image.Image:
    """A page of meeting minutes on one template (A4 at 100 dpi, or `scale` times that, as a page rendered
    from a document would be): a title, six lines of which the date and a number vary, and a seal."""
    w, h = round(827 * scale), round(1169 * scale)
    im = Image.new("L", (w, h), 250)
    d = ImageDraw.Draw(im)
    s = round(22 * scale)
    _write(d, round((413 - len(title) * 17) * scale), round(92 * scale), title, round(30 * scale), 20)
    for i, line in enumerate(MINUTES):
        _write(d, round(90 * scale), round((190 + i * 40) * scale), line.format(date=date, number=number), s)
    cx, cy = round(620 * scale), round(560 * scale)
    r = round(100 * scale)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=110, width=max(2, round(6 * scale)))
    _write(d, cx - round(70 * scale), cy + round(40 * scale), "示例公司工会", round(20 * scale), 110)
    return im


def scanned(
    im: Image.Image,
    seed: int,
    skew: float,
    blur: float = 1.0,
    noise: float = 6.0,
    light: float = 0.0,
    gain: float = 0.93,
    cut: tuple[float, float, float, float] = (0, 0, 0, 0),
    scale: float = 1.0,
) -> Image.Image:
    """Printed and scanned again, the ways a scanner differs: turned by `skew`°, blurred, grainy, lighter
    or darker (`gain`, `light`), a border cut off (`cut`: shares of left, top, right, bottom), resized."""
    rng = np.random.default_rng(seed)
    turned = im.convert("L").rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=250)
    soft = turned.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(soft, dtype=np.float64) * gain + light + rng.normal(0, noise, soft.size[::-1])
    out = crop(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), *cut)
    w, h = out.size
    return out.resize((round(w * scale), round(h * scale)), Image.Resampling.BILINEAR)


def main() -> None:
    """Write the images and pairs.json."""
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    pairs: list[dict[str, object]] = []

    def pair(a: str, b: str, same: bool, what: str) -> None:
        pairs.append({"a": a, "b": b, "same": same, "what": what})

    photo = _save(meeting_room(11, [0, 1, 2, 4, 5, 7, 8], 21), "meeting.jpg", 92)
    base = Image.open(OUT / photo)
    for q in (30, 55, 75):
        pair(photo, _save(reencode(base, q), f"meeting-q{q}.jpg", q), True, f"JPEG 质量 {q} 重新保存")
    pair(
        photo, _save(base.resize((320, 240), Image.Resampling.LANCZOS), "meeting-half.jpg"), True, "缩小一半"
    )
    pair(
        photo,
        _save(base.resize((160, 120), Image.Resampling.LANCZOS), "meeting-tiny.png"),
        True,
        "缩小为 1/4",
    )
    pair(
        photo,
        _save(base.resize((1280, 960), Image.Resampling.BICUBIC), "meeting-double.jpg"),
        True,
        "放大一倍",
    )
    for name, box in {
        "crop2": (0.02, 0.0, 0.0, 0.02),
        "crop5": (0.05, 0.05, 0.0, 0.0),
        "crop10": (0.0, 0.0, 0.10, 0.0),
        "crop10b": (0.05, 0.05, 0.05, 0.05),
        "crop8wechat": (0.0, 0.08, 0.0, 0.0),
    }.items():
        pair(photo, _save(crop(base, *box), f"meeting-{name}.jpg", 80), True, f"裁剪 {name}")
    for deg in (1.0, -2.0):
        pair(photo, _save(rotate(base, deg), f"meeting-rot{deg:+.0f}.jpg"), True, f"旋转 {deg}°")
    pair(photo, _save(screenshot(base), "meeting-screenshot.png"), True, "手机截图")
    pair(
        photo,
        _save(reencode(crop(base, 0.03, 0.0, 0.03, 0.0).resize((480, 384)), 60), "meeting-wechat.jpg", 60),
        True,
        "微信转发：裁剪、缩放、压缩",
    )

    form = _save(receipt_form(["a", "b", "c", "d", "e", "f"], 31), "receipt-2025.png")
    sheet = Image.open(OUT / form)
    pair(form, _save(rescan(sheet, 41), "receipt-2025-rescan.jpg", 85), True, "签收单重新打印扫描")
    pair(
        form,
        _save(rescan(sheet, 42, -0.8), "receipt-2025-rescan2.jpg", 70),
        True,
        "签收单再次扫描（反向倾斜）",
    )
    tpl = _save(template_page(51), "letter-a.png")
    pair(tpl, _save(rescan(Image.open(OUT / tpl), 43), "letter-a-rescan.jpg", 80), True, "同一页再次扫描")

    # honest look-alikes: none may be flagged
    pair(
        photo,
        _save(meeting_room(12, [1, 2, 3, 5, 6, 8, 9], 22), "meeting-other.jpg"),
        False,
        "同一会议室、另一次会议（人员位置不同、屏幕标题不同）",
    )
    pair(
        photo,
        _save(meeting_room(11, [0, 2, 3, 4, 6, 7, 9], 21), "meeting-moved.jpg"),
        False,
        "同一会议室、同一标题，人员换了座位",
    )
    pair(
        photo,
        _save(meeting_room(13, [0, 1, 2, 4, 5, 7, 8], 23), "meeting-next.jpg"),
        False,
        "同一会议室、同样座位，另一次会议的屏幕标题",
    )
    pair(
        form,
        _save(receipt_form(["a", "b", "c", "d", "e", "f"], 32), "receipt-2026.png"),
        False,
        "同一空白签收单，另一年由其他人签字",
    )
    pair(form, _save(receipt_form(None, 0), "receipt-blank.png"), False, "空白签收单与已签的签收单")
    pair(
        _save(receipt_form(["a", "b", "c"], 33), "receipt-short.png"),
        "receipt-2026.png",
        False,
        "同一表格，签字人数不同",
    )
    pair(tpl, _save(template_page(52), "letter-b.png"), False, "同一公文模板，另一份文件")
    pair("letter-b.png", _save(template_page(53), "letter-c.png"), False, "同一公文模板，第三份文件")

    # meeting minutes on one template: re-scans found, pages differing in one line not flagged
    minutes = _save(minutes_page("一季度创新创效成果评审会会议纪要", "2026年3月18日", "12"), "minutes.png")
    page = Image.open(OUT / minutes)
    for name, what, scan in (
        ("blur", "模糊、噪点、倾斜 1.5°", dict(seed=61, skew=1.5, blur=1.2, noise=7.0, scale=1.3)),
        ("light", "另一台扫描仪：偏亮、反向倾斜", dict(seed=62, skew=-0.8, gain=0.85, light=40.0, scale=0.9)),
        ("dark", "偏暗、裁掉页边", dict(seed=63, skew=0.4, gain=0.8, cut=(0.04, 0.03, 0.02, 0.05))),
    ):
        pair(
            minutes,
            _save(scanned(page, **scan), f"minutes-{name}.jpg", 75),
            True,
            f"会议纪要再次扫描：{what}",
        )
    rendered = minutes_page("一季度创新创效成果评审会会议纪要", "2026年3月18日", "12", 1.5)
    printed = scanned(rendered, 64, skew=-1.2, blur=1.5, noise=6.0, gain=0.9, scale=0.75)
    pair(
        _save(rendered, "minutes-rendered.png"),
        _save(printed, "minutes-printed.jpg", 80),
        True,
        "文档渲染页与其打印扫描件",
    )
    for name, (title, date, number), what in (
        ("date", ("一季度创新创效成果评审会会议纪要", "2026年6月12日", "12"), "同一模板，只有日期不同"),
        (
            "title",
            ("二季度创新创效成果评审会会议纪要", "2026年3月18日", "12"),
            "同一模板，只有标题（一字）不同",
        ),
        ("number", ("一季度创新创效成果评审会会议纪要", "2026年3月18日", "17"), "同一模板，只有一个数字不同"),
    ):
        pair(minutes, _save(minutes_page(title, date, number), f"minutes-{name}.png"), False, what)
    other = scanned(Image.open(OUT / "minutes-date.png"), 65, skew=0.9, blur=1.2, noise=7.0, scale=1.3)
    pair("minutes-blur.jpg", _save(other, "minutes-date-scan.jpg", 75), False, "只有日期不同的两页，各自扫描")
    (OUT / "pairs.json").write_text(json.dumps(pairs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

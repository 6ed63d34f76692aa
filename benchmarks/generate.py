"""Make a large synthetic application for the benchmarks (not used by the tests).

    python benchmarks/generate.py OUT --photos 40

40 twelve-megapixel photos with EXIF (some rotated), 30 PDFs of 1–20 pages, 6 Word files and a
300-row ledger, built on a copy of examples/innovation-count so that it passes `check`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import struct
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent


def base_photo(seed: int) -> bytes:
    """A 4000×3000 camera-like JPEG: smooth lit surfaces (a room, a table, people-sized blobs) with hard
    edges between them, surface texture, a little lens blur, sensor noise of 2–3 grey levels, saved as a
    camera does (quality 90, EXIF with make, model, date and — for every fifth — the 90° orientation)."""
    import numpy as np
    from PIL import ImageFilter

    rng = random.Random(seed)
    w, h = 4000, 3000
    small = Image.new("RGB", (w // 8, h // 8))
    draw = ImageDraw.Draw(small)
    top = (rng.randrange(150, 220), rng.randrange(150, 220), rng.randrange(140, 210))
    for y in range(h // 8):  # a wall lit from above, darker towards the floor
        shade = 1 - 0.45 * y / (h // 8)
        draw.line([(0, y), (w // 8, y)], fill=tuple(int(c * shade) for c in top))
    draw.rectangle((0, int(h / 8 * 0.62), w // 8, h // 8), fill=(rng.randrange(80, 140),) * 3)  # floor
    for _ in range(12):  # tables, screens, people: flat regions with sharp borders
        x, y = rng.randrange(w // 8), rng.randrange(h // 8)
        colour = (rng.randrange(30, 230), rng.randrange(30, 230), rng.randrange(30, 230))
        size = (rng.randrange(20, 160), rng.randrange(20, 120))
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + size[0], y + size[1]), fill=colour)
        else:
            draw.ellipse((x, y, x + size[0], y + size[1]), fill=colour)
    im = small.resize((w, h), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(1.2))
    texture = Image.effect_noise((w // 3, h // 3), 60).resize((w, h), Image.Resampling.BICUBIC)
    im = Image.blend(im, Image.merge("RGB", (texture,) * 3), 0.12)  # surfaces: fabric, wood, paper
    noise = np.random.default_rng(seed).normal(0, 2.5, (h, w, 1))
    pixels = np.clip(np.asarray(im, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    im = Image.fromarray(pixels, "RGB")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Canon", "EOS 90D", 6 if seed % 5 == 0 else 1
    exif[0x0132] = "2026:03:18 14:20:00"
    from io import BytesIO

    buf = BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def unique(jpeg: bytes, tag: str) -> bytes:
    """The same picture with a JPEG comment segment, so every file has its own content hash."""
    comment = tag.encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + jpeg[2:]


def text_pdf(path: Path, pages: int, seed: int) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    pdf.set_font("helvetica", size=11)
    rng = random.Random(seed)
    for _ in range(pages):
        pdf.add_page()
        for _ in range(45):
            pdf.cell(
                0, 5.5, " ".join(f"w{rng.randrange(10000)}" for _ in range(12)), new_x="LMARGIN", new_y="NEXT"
            )
    pdf.output(str(path))


def word_file(path: Path, seed: int) -> None:
    from docx import Document

    doc = Document()
    doc.add_heading(f"会议材料 {seed}", level=1)
    for i in range(60):
        doc.add_paragraph(f"第 {i + 1} 段：职工创新创效活动开展情况说明，合理化建议采纳与落实。" * 3)
    doc.save(path)


def generate(out: Path, photos: int) -> None:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(ROOT / "examples" / "innovation-count", out)
    meeting = next((out / "4-评审会议").glob("2026-03-18*"))
    bases = [base_photo(s) for s in range(min(photos, 8))]
    for i in range(photos):
        (meeting / f"现场照片{i + 3:03d}.jpg").write_bytes(unique(bases[i % len(bases)], f"photo {i}"))
    other = out / "7-其他佐证材料"
    other.mkdir(exist_ok=True)
    for i in range(30):
        text_pdf(other / f"佐证材料{i + 1:02d}.pdf", 1 + (i * 7) % 20, i)
    for i in range(6):
        word_file(other / f"会议材料{i + 1}.docx", i)
    lines = ["序号,项目名称,类别,提出人,所在部门,采纳日期,实施效果,奖励金额,评审会议"]
    lines += [
        f"{i},改进项目{i:03d},小革新,职工{i % 40},机加车间,2026-03-18,节约成本,{200 + i % 500},2026-03-18"
        for i in range(1, 301)
    ]
    (out / "ledger.csv").write_text("\n".join(lines), encoding="utf-8")
    text = (
        (out / "application.yaml")
        .read_text(encoding="utf-8")
        .replace("projects: ledger.xlsx", "projects: ledger.csv")
    )
    (out / "application.yaml").write_text(text, encoding="utf-8")
    (out / "ledger.xlsx").unlink()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--photos", type=int, default=40)
    args = parser.parse_args()
    generate(args.out, args.photos)

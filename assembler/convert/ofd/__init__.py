"""OFD (GB/T 33190) to PDF: e-invoices, receipts and sealed documents rendered as they look in an OFD reader.

An OFD file is a zip of XML parts: `OFD.xml` names the document root (`Doc_0/Document.xml`), which lists
the pages (`Content.xml`), the resources (fonts, images, composite units), templates, annotations and
attachments; `Signs/` holds the electronic seals. This module reads those parts with the standard
library and writes the PDF with pikepdf (content streams written here, fonts subset with fontTools,
both already dependencies):

- coordinates are millimetres with the origin at the top left and Y down; each page gets one matrix
  that maps them to PDF points with Y up, so every object is drawn in OFD's own coordinates;
- text is placed glyph by glyph (TextCode X/Y, DeltaX/DeltaY with the `g` shorthand, CGTransform glyph
  ids) in the file's embedded TrueType/OpenType font, or in the system CJK font (assembler/system/fonts.py)
  when none is embedded or the embedded one lacks the glyph; a ToUnicode map keeps the text searchable;
- paths (AbbreviatedData M S L Q B A C/Z), images, composite units, templates, the annotation layer;
- the seal pictures of signatures: SES v1 (GM/T 0031) and v4 (GB/T 38540) seals keep the picture inside
  the ASN.1 of SignedValue.dat (or Seal.esl); it is drawn at the StampAnnot boundary, and a picture that
  is itself an OFD is rendered recursively.

Why not a ready converter: PyMuPDF is AGPL, and the Java/JS OFD readers are not Python; none of the small
Python ones draws the seals of SES signatures, which are what makes an invoice or ruling valid.

Untrusted input: the zip is bounded (part count, part size, total size, compression ratio), XML with a
DTD is refused, images are bounded by pixel count, recursion into seal OFDs by depth. Problems raise
`InputError` with a Chinese message; the output bytes are deterministic (no dates, /ID from content).

The parts: `package` (the zip), `document` (pages, resources), `fonts` and `writer` (PDF output),
`images` and `paint` (drawing), `seals` (SES seal pictures), `invoice` (structured data), `render` (the
entry points re-exported here).
"""

from assembler.convert.ofd.common import CACHE_KIND, CONVERTER_VERSION
from assembler.convert.ofd.document import ofd_page_count
from assembler.convert.ofd.invoice import read_structured
from assembler.convert.ofd.render import ofd_page_pictures, render_ofd
from assembler.convert.ofd.seals import find_seal_picture

__all__ = [
    "CACHE_KIND",
    "CONVERTER_VERSION",
    "find_seal_picture",
    "ofd_page_count",
    "ofd_page_pictures",
    "read_structured",
    "render_ofd",
]

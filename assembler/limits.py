"""The limits on what applicants and reviewers send in, in one place (README.md, "Limits", gives each
one's measured cost). Bounds that only guard one reader's own walk (how deep verify follows a page tree,
how many objects one page digest visits, how much text the cross-checks read) stay beside that reader.

Inputs come from applicants and reviewers; a zip bomb, a sparse multi-gigabyte "scan", a
240-megapixel PNG or a ledger of 40,000 rows must be refused at `check` time, before anything is
decoded, with a message that names the file and the limit — never found out by `build` after
minutes and gigabytes. Each limit is checked where the input is first seen: the zip directory
(sources.py), each file's header (evidence.py), the image decoder (convert/images.py), the ledger
reader (ledger.py) and the web app's upload (workspace.py).

Pure constants: imports nothing.
"""

from __future__ import annotations

from decimal import Decimal

MB = 1000 * 1000  # decimal, as every size the tool shows or takes ("20MB" is 20,000,000 bytes everywhere)

# -- a zip of an application (sources.ZipSource, workspace.unpack_zip) ---------------------------------
ZIP_MAX_TOTAL_BYTES = 2000 * MB  # everything unpacked; a real application is a few hundred MB at most
ZIP_MAX_RATIO = 100  # unpacked / packed per member above ZIP_RATIO_FLOOR (a PDF or photo compresses < 2×)
ZIP_RATIO_FLOOR = 10 * MB  # small members may compress well (text, blank scans); the ratio applies above
ZIP_MAX_MEMBERS = 10_000

# -- one evidence file (evidence.inspect) --------------------------------------------------------------
FILE_MAX_BYTES = 512 * MB  # a 1,000-page scan at 300 dpi is ~125 MB
PDF_MAX_PAGES = 2_000
PDF_MAX_STREAM_BYTES = 70_000_000  # one stream as stored: pypdf refuses a /Length over 75 MB (the self-audit)
PDF_MAX_DECODED_BYTES = 400_000_000  # one flate stream decoded (build digests every page): a 100 MP RGB image
PDF_MAX_TREE_DEPTH = 32  # /Pages nested in /Pages: real files use 1–6 levels; pypdf stops at 100, qpdf sooner
IMAGE_MAX_PIXELS = 100_000_000  # a 108 MP phone photo is 12000×9000; a 240 MP PNG took build to 5.1 GB

# -- the ledger behind 附件1.2 (ledger.py) ------------------------------------------------------------
LEDGER_MAX_ROWS = 5_000  # 附件1.2 goes through LibreOffice: 5,000 rows build in ~2 min; 10,000 time out
LEDGER_MAX_BYTES = 50 * MB
LEDGER_MAX_COLUMNS = 60  # columns read per row: a sheet claiming to reach column XFD is not padded to 16,384

# -- a spreadsheet given as evidence (evidence.py): LibreOffice prints every row and every sheet -----------
SHEET_MAX_ROWS = 20_000  # rows of all sheets together, counted from the sheet XML without loading it
SHEET_MAX_SHEETS = 100  # a 1,024-sheet .xlsx took LibreOffice 15.7 s and 1.5 GB
SHEET_MAX_CELLS = 1_000_000  # cells of all sheets together
SHEET_MAX_STYLES = 20_000  # cell styles: a style explosion makes LibreOffice allocate per style and cell

# -- amounts (identifiers.parse_money) ----------------------------------------------------------------
AMOUNT_MAX_YUAN = Decimal(100_000_000)  # 1 亿元: no single bonus or matched amount comes near it

# -- the web app (web/app.py, workspace.py) -----------------------------------------------------------
UPLOAD_MAX_BYTES = 512 * MB  # one request


def human_bytes(n: int) -> str:
    """A size for a Chinese message: 512 MB, 2 GB."""
    if n >= 1000 * MB and n % (1000 * MB) == 0:
        return f"{n // (1000 * MB)} GB"
    return f"{n / MB:.0f} MB"


# OFD files (e-invoices, receipts, sealed documents): a zip of XML parts, read part by part
OFD_MAX_PARTS = 20_000
OFD_MAX_PART_BYTES = 200 * MB
OFD_MAX_TOTAL_BYTES = 1000 * MB
OFD_MAX_XML_BYTES = 64 * MB  # one XML part: the largest real page content is a few MB
OFD_MAX_RATIO = 100  # unpacked / packed per part above OFD_RATIO_FLOOR; real OFD parts compress < 30×
OFD_RATIO_FLOOR = 2 * MB
OFD_MAX_OBJECTS_PER_PAGE = (
    50_000  # drawn objects of one page (its layers and templates): a dense invoice has ~2,000
)

# -- LibreOffice (convert/soffice.py): one conversion's address space and wall time --------------------
SOFFICE_MAX_MEMORY = 4000 * MB  # RLIMIT_AS of the soffice process; a real 300-page report stays under 1.5 GB
SOFFICE_SECONDS_PER_FILE = 120  # the call's timeout is this times the number of files (at least 300 s)

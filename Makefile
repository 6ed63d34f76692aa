# Two commands do all set-up on a fresh Debian/Ubuntu machine (as root, or with sudo for apt):
#   make demo   — installs what is needed, then checks the three bundled examples and builds their dossiers in out/
#   make test   — installs what is needed, then runs the whole test suite
PYTHON ?= python3
APT_PACKAGES = libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk fonts-wqy-zenhei fonts-dejavu-core poppler-utils qpdf chromium
APT_PACKAGES += jbig2dec fonts-liberation2  # JBIG2 scans inside PDFs; Times New Roman/Arial/Courier New metrics
# the Windows bundle: the installer (nsis), its smoke test under Wine, and the test's stand-in DLL (mingw-w64)
WINDOWS_APT_PACKAGES = nsis wine wine64 gcc-mingw-w64-x86-64-win32
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-packages python-packages demo test lint benchmark windows windows-packages

setup: system-packages windows-packages python-packages

system-packages:
	@if command -v soffice >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" && \
	    command -v pdftoppm >/dev/null 2>&1 && command -v qpdf >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 && \
	    command -v jbig2dec >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Liberation Serif" && \
	    [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  echo "LibreOffice, CJK fonts, poppler, qpdf and Chromium present"; \
	else \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi

python-packages:
	$(PYTHON) -m pip install -q hatchling
	$(PYTHON) -m pip install -q -e ".[test,lint]"

demo: system-packages python-packages  # the Windows tool-chain is needed by the tests only
	@mkdir -p out
	@for example in innovation-count innovation-bonus studio; do \
	  echo "== dossier check examples/$$example"; dossier check examples/$$example || exit $$?; \
	  dossier build examples/$$example -o out/$$example.pdf || exit $$?; \
	done

test: setup
	$(PYTHON) -m pytest -q -n 2

# ruff (lint + format) and mypy, as CI runs them; `pre-commit install` runs the same before each commit
lint: python-packages
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

benchmark: setup
	$(PYTHON) -m pip install -q -e ".[bench]"
	$(PYTHON) benchmarks/run.py --photos 40 --scale 20 200 --repeat 3

# Windows: dist/dossier-<version>-win64-setup.exe (per-user installer) and dist/dossier-<version>-win64.zip,
# built on Linux from packaging/windows/requirements-win64.txt (see docs/windows.md)
windows-packages:
	@if command -v makensis >/dev/null 2>&1 && command -v wine >/dev/null 2>&1 && \
	    command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then \
	  echo "nsis, Wine and mingw-w64 present"; \
	else \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(WINDOWS_APT_PACKAGES); \
	fi

windows: windows-packages python-packages
	$(PYTHON) packaging/windows/build.py

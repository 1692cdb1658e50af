#!/usr/bin/env bash
# Installs the Debian packages sipas needs, when missing.
#   scripts/install-deps.sh          what building and running sipas needs (libxlsxwriter; Pango, Cairo,
#                                    libqrencode and the Noto fonts for printed forms; Leptonica, poppler
#                                    and zbar for scanned ones)
#   scripts/install-deps.sh --test   also what the tests need (R with the survey package, as the peer;
#                                    tmux, Chromium and selenium to drive the kiosks; openpyxl;
#                                    LibreOffice to recalculate the workbook; PostgreSQL, whose throwaway
#                                    cluster the store tests start: scripts/pg/cluster.sh)
#   scripts/install-deps.sh --bench  also what the benchmarks need (hyperfine, GNU time, R data.table)
set -euo pipefail
packages=(libxlsxwriter-dev pkg-config libpango1.0-dev libcairo2-dev libqrencode-dev fonts-noto-core
          libleptonica-dev libpoppler-glib-dev libzbar-dev)
# --test: fonts-crosextra-carlito has Calibri's metrics, so LibreOffice lays out and prints the
# workbook (Calibri 11) as Excel does; without it Noto Sans stands in, wider, and text is cut.
for arg in "$@"; do
  case "$arg" in
    --test) packages+=(r-base-core r-cran-survey r-cran-yaml r-cran-jsonlite locales tmux chromium chromium-driver fonts-noto-core
                       libreoffice-calc-nogui poppler-utils fonts-dejavu fonts-crosextra-carlito zbar-tools postgresql) ;;
    --bench) packages+=(r-base-core r-cran-survey r-cran-data.table hyperfine time wrk sqlite3) ;;
    *) echo "unknown option $arg (expected --test or --bench)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Tests write workbooks under a decimal-comma locale to prove numbers stay locale-independent.
if [[ " $* " == *" --test "* ]] && ! locale -a 2>/dev/null | grep -qi '^vi_VN.utf8$'; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo localedef -i vi_VN -f UTF-8 vi_VN.UTF-8
fi
# Tests read workbooks back with openpyxl (an independent implementation of the format), drive
# the web kiosk in Chromium with selenium, and draw marks on rendered forms with Pillow and numpy
# (scripts/omr/make_corpus.py).
if [[ " $* " == *" --test "* ]] && ! python3 -c "import openpyxl, selenium, PIL, numpy" 2>/dev/null; then
  python3 -m pip install --quiet openpyxl selenium Pillow numpy 2>/dev/null || python3 -m pip install --quiet --break-system-packages openpyxl selenium Pillow numpy
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "Swift 6.1 or later is needed (https://www.swift.org/install/); 'swift' is not on PATH." >&2
  exit 1
fi

#!/usr/bin/env bash
# Makes `import geosim` (the module built in build/python) and
# `import geosim_analysis` (analysis/) work for /usr/bin/python3 from any
# folder, with no PyPI: writes geosim.pth, naming both folders of this
# checkout, into the interpreter's site-packages folder
# (/usr/local/lib/python3.11/dist-packages on Debian 12). Python reads .pth
# files at start-up, so nothing else is needed; rebuilding updates the module
# in place. Run by scripts/build.sh; run it again after moving the checkout.
#   GEOSIM_BUILD_DIR    the build folder (default: build/ of this checkout)
#   GEOSIM_PYTHON_SITE  where to write geosim.pth (default: site-packages)
# Needs root (or sudo) for the default folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${GEOSIM_BUILD_DIR:-$root/build}")
python=/usr/bin/python3
site=${GEOSIM_PYTHON_SITE:-$("$python" -c 'import site; print(site.getsitepackages()[0])')}

content="$build/python
$root/analysis"
sudo=""
if [ ! -w "$site" ] && [ -e "$site" -o ! -w "$(dirname "$site")" ] && [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo mkdir -p "$site"
printf '%s\n' "$content" | $sudo tee "$site/geosim.pth" > /dev/null
echo "install-python: $site/geosim.pth -> $build/python, $root/analysis"

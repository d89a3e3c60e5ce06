#!/usr/bin/env bash
# Make sure the system packages the project needs are present.
#   ensure-system-deps.sh node   -> Node.js + npm (to vendor Leaflet's assets)
#   ensure-system-deps.sh test   -> PostGIS, Chromium, GDAL tools, fonts, Java (for the test suite)
# As root on Debian/Ubuntu it installs what is missing with apt-get; otherwise it says
# exactly what to install and fails.
set -euo pipefail

want=()
need() { # need CHECK_COMMAND PACKAGE...
  if ! eval "$1" >/dev/null 2>&1; then shift; want+=("$@"); fi
}

case "${1:-test}" in
  node)
    need "command -v npm" nodejs npm
    ;;
  test)
    need "test -x /usr/lib/postgresql/15/bin/initdb" postgresql-15
    need "test -f /usr/share/postgresql/15/extension/postgis.control" postgresql-15-postgis-3
    need "command -v chromium" chromium
    need "command -v ogrinfo" gdal-bin
    need "test -f /usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py" python3-gdal
    need "fc-list | grep -qi dejavu" fonts-dejavu-core
    need "command -v pdftoppm" poppler-utils
    need "command -v java" default-jre-headless  # ODK Validate, bundled with pyxform
    ;;
  *) echo "usage: $0 node|test" >&2; exit 64 ;;
esac

[ ${#want[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${want[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
else
  echo "Missing system packages: ${want[*]}" >&2
  echo "Install them with: sudo apt-get install ${want[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# Install NeuroCanvas into the desktop's menus for this user: the .desktop entry, the
# icon at every size (hicolor theme), the AppStream metainfo and the .ncproj file type.
#
#   packaging/install-desktop.sh                        the `neurocanvas` on PATH
#   packaging/install-desktop.sh --exec /opt/NeuroCanvas/neurocanvas   a desktop bundle
#
# Installs under $XDG_DATA_HOME (default ~/.local/share); DATA_HOME=/usr/local/share
# (as root) installs for everyone. Nothing else is touched; run it again to update.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
icons="$root/resources/icons"
data_home="${DATA_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}}"
exec_path="neurocanvas"
if [ "${1:-}" = "--exec" ]; then
  [ $# -eq 2 ] || { echo "usage: $0 [--exec PATH-OF-THE-neurocanvas-COMMAND]" >&2; exit 2; }
  exec_path="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
  [ -x "$exec_path" ] || { echo "error: $exec_path is not an executable" >&2; exit 1; }
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--exec PATH-OF-THE-neurocanvas-COMMAND]" >&2
  exit 2
fi
case "$exec_path" in
  *[[:space:]]*) echo "error: the command's path may not contain spaces: $exec_path" >&2; exit 1;;
esac

install -d "$data_home/applications" "$data_home/metainfo" "$data_home/mime/packages" \
  "$data_home/icons/hicolor/scalable/apps"
sed -e "s|^Exec=neurocanvas |Exec=$exec_path |" -e "s|^TryExec=neurocanvas$|TryExec=$exec_path|" \
  "$here/neurocanvas.desktop" > "$data_home/applications/neurocanvas.desktop"
install -m 644 "$here/io.neurocanvas.NeuroCanvas.metainfo.xml" "$data_home/metainfo/"
install -m 644 "$here/neurocanvas-mime.xml" "$data_home/mime/packages/neurocanvas.xml"
install -m 644 "$icons/neurocanvas.svg" "$data_home/icons/hicolor/scalable/apps/neurocanvas.svg"
for png in "$icons"/neurocanvas-*.png; do
  size="$(basename "$png" .png)"; size="${size#neurocanvas-}"
  install -d "$data_home/icons/hicolor/${size}x${size}/apps"
  install -m 644 "$png" "$data_home/icons/hicolor/${size}x${size}/apps/neurocanvas.png"
done

# Refresh the desktop's caches where the tools exist (a bare system has none of them).
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data_home/applications" || true
command -v update-mime-database >/dev/null && update-mime-database "$data_home/mime" || true
# (an icon cache only where one is kept already: a stale one would hide new icons)
if [ -f "$data_home/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null; then
  gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true
fi
echo "NeuroCanvas is in the applications menu (installed under $data_home, Exec=$exec_path)"

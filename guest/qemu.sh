#!/bin/bash
# guest/qemu.sh
# Prints a directory holding `qemu-system-x86_64` and QEMU's C vhost-user GPU backend
# `vhost-user-gpu` of the same release, able to run vhost-user-gpu-pci under TCG.
#
# Debian 12's QEMU 7.2 refuses vhost-user-gpu-pci unless KVM is in use ("vhost
# initialization failed: requires kvm"), and KVM does not work on these machines (no
# vmx; guests crawl). QEMU 10 from bookworm-backports has no such check. Its packages are
# fetched with a private apt source list, lists dir and cache (the system's apt
# configuration, its package lists and its QEMU stay as they are), unpacked with
# dpkg-deb -x, and run through a wrapper that points QEMU at its own modules and data.
# The shared libraries come from the system's qemu-system-x86/-gui 7.2 packages.
# A QEMU >= 9 on the PATH is used as it is. Cached in $NEEP_GUEST_DIR/qemu.
# Env: NEEP_GUEST_DIR, NEEP_QEMU_VERSION (a bookworm-backports version to pin).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

Q=$NEEP_GUEST_DIR/qemu
works() { [ -x "$Q/vhost-user-gpu" ] && "$Q/qemu-system-x86_64" --version >/dev/null 2>&1; }
if works; then echo "$Q"; exit 0; fi

need_pkgs qemu-system-x86 qemu-system-gui
lock_cache qemu
if works; then echo "$Q"; exit 0; fi
rm -rf "$Q"; mkdir -p "$Q"

major=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([0-9]*\)\..*/\1/p')
if [ "${major:-0}" -ge 9 ] && [ -x /usr/lib/qemu/vhost-user-gpu ]; then
    ln -s "$(command -v qemu-system-x86_64)" "$Q/qemu-system-x86_64"
    ln -s /usr/lib/qemu/vhost-user-gpu "$Q/vhost-user-gpu"
    log "system QEMU $major.x can run vhost-user-gpu without KVM"
    echo "$Q"; exit 0
fi

APT=$Q/apt
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$Q/debs"
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror:-http://deb.debian.org/debian} bookworm-backports main" \
    > "$APT/sources.list"
OPTS=(-o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=$APT/none"
      -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache")
log "fetching the bookworm-backports package list (private apt lists in $APT)"
apt-get -q "${OPTS[@]}" update >&2 || skip "apt-get update of bookworm-backports failed (no network?)"
V=${NEEP_QEMU_VERSION:-$(apt-cache "${OPTS[@]}" madison qemu-system-x86 | awk -F' *\\| *' '/bookworm-backports/ {print $2; exit}')}
[ -n "$V" ] || die "bookworm-backports has no qemu-system-x86"
log "QEMU $V from bookworm-backports"
id _apt >/dev/null 2>&1 && chown _apt "$Q/debs"
(cd "$Q/debs" && apt-get -q "${OPTS[@]}" download qemu-system-x86="$V" qemu-system-common="$V" \
    qemu-system-data="$V" qemu-system-gui="$V" >&2) || skip "apt-get download of QEMU $V failed (no network?)"
for deb in "$Q"/debs/*.deb; do dpkg-deb -x "$deb" "$Q/root"; done
rm -rf "$Q/debs"

R=$Q/root
# only what a headless run with a virtio GPU loads (audio and GUI modules may lack libraries)
missing=$(for f in "$R/usr/bin/qemu-system-x86_64" "$R/usr/lib/qemu/vhost-user-gpu" \
                   "$R"/usr/lib/x86_64-linux-gnu/qemu/hw-display-virtio-gpu*.so; do
              ldd "$f" 2>/dev/null | awk '/not found/ {print $1}'; done | sort -u | paste -sd' ')
[ -z "$missing" ] || log "WARNING: QEMU $V lacks shared libraries: $missing"
cat > "$Q/qemu-system-x86_64" <<EOT
#!/bin/sh
# QEMU $V from bookworm-backports, unpacked by guest/qemu.sh (not installed)
QEMU_MODULE_DIR="$R/usr/lib/x86_64-linux-gnu/qemu" exec "$R/usr/bin/qemu-system-x86_64" -L "$R/usr/share/qemu" "\$@"
EOT
chmod +x "$Q/qemu-system-x86_64"
ln -s "$R/usr/lib/qemu/vhost-user-gpu" "$Q/vhost-user-gpu"
works || die "the unpacked QEMU $V does not start: $("$Q/qemu-system-x86_64" --version 2>&1 | tail -1)"
log "$("$Q/qemu-system-x86_64" --version | head -1)"
echo "$Q"

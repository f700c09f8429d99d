#!/bin/bash
# guest/build.sh [--3d] [--force]
# Builds neep's demo guest from Debian packages and the host's gcc, and prints the
# directory that holds it:
#   kernel             the kernel of Debian's linux-image-amd64 (apt-get download +
#                      dpkg-deb -x into a scratch dir; /boot and dpkg's database untouched),
#                      as the ELF inside the bzImage when it has a PVH entry, else the bzImage
#   initramfs.cpio.gz  busybox-static, the virtio-gpu module chain, src/init, and two static
#                      programs built here: fbdraw (pattern.h on /dev/fb0) and kmsbench
#   guest.env          what went in (package versions, modules)
# With --3d, the 3D guest (in guest3d-<hash>): the same, plus Mesa's EGL/GBM/GLES2 and its
# virgl driver, kmscube, glmark2-es2-drm, and gl3d (scene3d.h through GBM/EGL/GLES2),
# built here against the same Debian packages and copied with every library they load;
# its initramfs is an uncompressed initramfs.cpio (unpacking 200 MB of gzip under TCG
# would cost more than reading it).
# The result lives in $NEEP_GUEST_DIR/guest-<hash> (default dir /var/cache/neep-guest);
# the hash covers build.sh, src/ and the package versions, so a second run with
# nothing changed only checks and prints. Installs the packages it needs (root).
# Env: NEEP_GUEST_DIR, NEEP_GUEST_KERNEL=linux-image-6.1.0-NN-amd64 to pin the kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FORCE=0 GL=0
for arg in "$@"; do
    case "$arg" in
    --force) FORCE=1 ;;
    --3d) GL=1 ;;
    *) sed -n '2,19p' "$0" >&2; exit 2 ;;
    esac
done

need_pkgs busybox-static cpio kmod gzip gcc binutils libc6-dev libdrm-dev python3
# Mesa's libraries come from the same Debian release as the host's gcc and headers, so
# what gl3d is linked against is what the guest loads.
GL_PKGS=(libgl1-mesa-dri libegl1 libegl-mesa0 libgbm1 libgles2 libegl-dev libgles-dev libgbm-dev kmscube
         glmark2-es2-drm glmark2-data)
[ $GL = 0 ] || need_pkgs "${GL_PKGS[@]}"

# What to build from: the kernel package linux-image-amd64 (a metapackage) depends on, its
# version, and a hash over everything that goes into the guest.
plan() {
    KPKG=${NEEP_GUEST_KERNEL:-$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -1)}
    KDEB=
    [ -n "$KPKG" ] && KDEB=$(apt-cache policy "$KPKG" 2>/dev/null | sed -n 's/^ *Candidate: //p')
    [ -n "$KDEB" ] && [ "$KDEB" != "(none)" ] || return 1
    KREL=${KPKG#linux-image-}
    local hash
    hash=$( { cat "$GUEST_SRC/build.sh" "$GUEST_SRC"/src/*
              echo "$KPKG=$KDEB busybox=$(dpkg-query -W -f='${Version}' busybox-static)"
              echo "gcc=$(gcc -dumpfullversion) libc=$(dpkg-query -W -f='${Version}' libc6-dev)"
              [ $GL = 0 ] || dpkg-query -W -f='${Package}=${Version}\n' "${GL_PKGS[@]}"; } |
            sha256sum | cut -c1-16)
    VARIANT=guest
    [ $GL = 0 ] || VARIANT=guest3d
    G=$NEEP_GUEST_DIR/$VARIANT-$hash
    DEB=$NEEP_GUEST_DIR/debs/${KPKG}_${KDEB//:/%3a}_amd64.deb
}
built() { [ $FORCE = 0 ] && [ -s "$G/kernel" ] && [ -s "$G/guest.env" ] &&
          { [ -s "$G/initramfs.cpio.gz" ] || [ -s "$G/initramfs.cpio" ]; }; }
# apt-get download drops root for the _apt user, who must be able to write the target dir
download() { (cd "$NEEP_GUEST_DIR/debs" && apt-get download -q "$KPKG=$KDEB" >&2) && [ -s "$DEB" ]; }

plan || { apt_update_once; plan; } || die "apt knows no kernel for linux-image-amd64 ${NEEP_GUEST_KERNEL:-}"
if built; then log "guest up to date: $G"; echo "$G"; exit 0; fi
lock_cache build
# another run may have built it while this one waited for the lock
if built; then echo "$G"; exit 0; fi

mkdir -p "$NEEP_GUEST_DIR/debs"
id _apt >/dev/null 2>&1 && chown _apt "$NEEP_GUEST_DIR/debs"
if [ ! -s "$DEB" ]; then
    log "apt-get download $KPKG=$KDEB"
    # stale package lists may name a kernel the mirror no longer has: refresh, plan again
    download || { apt_update_once && plan && { built || download; }; } ||
        skip "cannot download $KPKG=$KDEB (no network?)"
    if built; then echo "$G"; exit 0; fi
fi
for f in "$NEEP_GUEST_DIR"/debs/*.deb; do [ "$f" = "$DEB" ] || rm -f "$f"; done

WORK=$(mktemp -d "$NEEP_GUEST_DIR/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/initramfs
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,etc/neep}
for prog in fbdraw kmsbench; do
    gcc -O2 -static -Wall -Wextra -I/usr/include/libdrm -o "$ROOT/bin/$prog" "$GUEST_SRC/src/$prog.c"
done
log "unpacking $(basename "$DEB")"
dpkg-deb -x "$DEB" "$WORK/kernel"
depmod -b "$WORK/kernel" "$KREL"

# ---- initramfs tree ----
cp /bin/busybox "$ROOT/bin/busybox"
ldd "$ROOT/bin/busybox" >/dev/null 2>&1 && die "/bin/busybox is dynamically linked; busybox-static must provide it"
install -m 0755 "$GUEST_SRC/src/init" "$ROOT/init"
# the kernel opens /dev/console for /init before anything is mounted
[ "$(id -u)" = 0 ] && mknod -m 600 "$ROOT/dev/console" c 5 1

# modprobe's view of each dependency chain ("insmod PATH" lines, in load order; one module
# per call, as further words are module parameters), turned into the list /init loads;
# modules built into the kernel print "builtin" and need nothing
MODULES=()
while read -r verb path _; do
    [ "$verb" = insmod ] || continue
    rel=${path#"$WORK/kernel"}
    case " ${MODULES[*]:-} " in *" ${rel%.xz} "*) continue ;; esac
    mkdir -p "$ROOT$(dirname "$rel")"
    case "$rel" in
    *.ko.xz) xz -dc "$path" > "$ROOT${rel%.xz}"; rel=${rel%.xz} ;;
    *.ko) cp "$path" "$ROOT$rel" ;;
    *) die "unexpected module file $rel" ;;
    esac
    MODULES+=("$rel")
done < <(for m in virtio_pci virtio_gpu; do modprobe -d "$WORK/kernel" -S "$KREL" --show-depends "$m"; done)
printf '%s\n' "${MODULES[@]}" | grep -q '/virtio-gpu.ko$' ||
    grep -q '/virtio-gpu.ko' "$WORK/kernel/lib/modules/$KREL/modules.builtin" ||
    die "$KPKG has no virtio-gpu driver"
printf '%s\n' "${MODULES[@]}" > "$ROOT/etc/neep/modules"

# ---- the 3D userspace: gl3d, kmscube, glmark2, Mesa, and every library they load ----
if [ $GL = 1 ]; then
    mkdir -p "$ROOT/usr/bin" "$ROOT/usr/lib/x86_64-linux-gnu/dri" "$ROOT/lib64" "$ROOT/usr/share/glvnd"
    ln -s usr/lib "$ROOT/lib"
    gcc -O2 -Wall -Wextra -I/usr/include/libdrm -o "$ROOT/usr/bin/gl3d" "$GUEST_SRC/src/gl3d.c" \
        -lEGL -lGLESv2 -lgbm -ldrm
    cp /usr/bin/kmscube /usr/bin/glmark2-es2-drm "$ROOT/usr/bin/"
    MULTIARCH=/usr/lib/x86_64-linux-gnu
    # Loaded with dlopen, so ldd of the programs does not name them: glvnd's EGL vendor
    # (libEGL_mesa, found through its JSON file) and the DRI driver GBM and EGL pick by the
    # kernel driver's name
    cp "$MULTIARCH/dri/virtio_gpu_dri.so" "$ROOT$MULTIARCH/dri/"
    cp -r /usr/share/glvnd/egl_vendor.d "$ROOT/usr/share/glvnd/"
    cp -r /usr/share/glmark2 "$ROOT/usr/share/"
    DLOPENED=("$MULTIARCH/libEGL_mesa.so.0" "$MULTIARCH/dri/virtio_gpu_dri.so")
    for lib in $(ldd "$ROOT"/usr/bin/* "${DLOPENED[@]}" 2>/dev/null |
                 awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u) \
               "${DLOPENED[0]}"; do
        cp -L "$lib" "$ROOT$MULTIARCH/$(basename "$lib")"
    done
    missing=$(ldd "$ROOT"/usr/bin/* "${DLOPENED[@]}" | awk '/not found/ {print $1}' | sort -u | paste -sd' ')
    [ -z "$missing" ] || die "libraries not found for the 3D guest: $missing"
    ln -s ../usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$ROOT/lib64/ld-linux-x86-64.so.2"
fi

# sorted names, fixed owner and no timestamps in gzip: the same inputs give the same bytes
mkdir -p "$WORK/out"
if [ $GL = 1 ]; then
    (cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio -o -0 -H newc -R 0:0 --quiet) > "$WORK/out/initramfs.cpio"
else
    (cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio -o -0 -H newc -R 0:0 --quiet | gzip -9 -n) \
        > "$WORK/out/initramfs.cpio.gz"
fi
# Under TCG a bzImage spends seconds decompressing itself (Debian's is xz). The ELF kernel
# inside it can be started directly at its PVH entry point (Xen ELF note 18,
# PHYS32_ENTRY), which QEMU does for an ELF -kernel: that boots about 4 s sooner here.
BOOT=bzimage
python3 - "$WORK/kernel/boot/vmlinuz-$KREL" "$WORK/vmlinux" <<'PY' &&
import lzma, sys
image = open(sys.argv[1], "rb").read()
start = image.find(b"\xfd7zXZ\x00")
if start < 0:
    sys.exit(1)
elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(image[start:])
if elf[:4] != b"\x7fELF":
    sys.exit(1)
open(sys.argv[2], "wb").write(elf)
PY
    LC_ALL=C readelf -n "$WORK/vmlinux" | grep -A1 '^ *Xen ' | grep -q 'note type: (0x00000012)' && BOOT=pvh
if [ $BOOT = pvh ]; then
    mv "$WORK/vmlinux" "$WORK/out/kernel"
else
    cp "$WORK/kernel/boot/vmlinuz-$KREL" "$WORK/out/kernel"
fi
cat > "$WORK/out/guest.env" <<EOT
KERNEL_PACKAGE=$KPKG
KERNEL_VERSION=$KDEB
KERNEL_RELEASE=$KREL
KERNEL_BOOT=$BOOT
GL=$GL
BUSYBOX_VERSION=$(dpkg-query -W -f='${Version}' busybox-static)
MODULES="$(for m in "${MODULES[@]}"; do basename "$m" .ko; done | paste -sd' ')"
EOT
rm -rf "$G"
mv "$WORK/out" "$G"
# older builds are of no further use
for old in "$NEEP_GUEST_DIR/$VARIANT"-*; do [ "$old" = "$G" ] || rm -rf "$old"; done
log "guest built: $G ($KPKG $KDEB, initramfs $(du -k "$G"/initramfs.cpio* | cut -f1) KiB)"
echo "$G"

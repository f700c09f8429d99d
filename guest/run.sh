#!/bin/bash
# guest/run.sh --socket SOCK [options] [-- QEMU-ARGS...]
# Boots the demo guest in QEMU (TCG) with its GPU served by a vhost-user backend that
# already listens on SOCK (QEMU is the socket's client). Runs in the foreground (exec).
#   --socket SOCK    the vhost-user GPU backend's unix socket
#   --builtin        QEMU's own virtio-gpu-pci instead (no backend), for comparison
#   --qmp PATH       QMP socket QEMU listens on (default: no QMP)
#   --serial FILE    guest console to FILE (default: this terminal)
#   --res WxH        display size the device offers (default 1024x768)
#   --mem SIZE       guest RAM, a shared memfd the backend maps (default 256M; 1G with --3d)
#   --bench N        after the pattern, run kmsbench for N frames, then paint the pattern again
#   --stop           power off once done (QEMU exits) instead of keeping the guest up
#   --3d             the 3D guest (build.sh --3d; RAM default 1G): gl3d draws, checks and
#                    shows the scene of src/scene3d.h through Mesa's virgl driver
#   --kmscube N      with --3d, first kmscube for N frames
#   --glmark2 S      with --3d, then glmark2-es2-drm, S seconds a scene
#   --guest DIR      a built guest (default: what guest/build.sh prints)
#   --qemu DIR       directory from guest/qemu.sh (default: run it)
#   --pidfile FILE   QEMU writes its PID there
# Env: NEEP_GUEST_ACCEL=tcg|kvm (default tcg: KVM does not work on these machines).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SOCK= BUILTIN=0 QMP= SERIAL= RES=1024x768 MEM= BENCH=0 STOP=0 GUEST= QDIR= PIDFILE= GL=0 KMSCUBE=0 GLMARK2=0
while [ $# -gt 0 ]; do
    case "$1" in
    --socket) SOCK=$2; shift 2 ;;
    --builtin) BUILTIN=1; shift ;;
    --qmp) QMP=$2; shift 2 ;;
    --serial) SERIAL=$2; shift 2 ;;
    --res) RES=$2; shift 2 ;;
    --mem) MEM=$2; shift 2 ;;
    --bench) BENCH=$2; shift 2 ;;
    --stop) STOP=1; shift ;;
    --3d) GL=1; shift ;;
    --kmscube) KMSCUBE=$2; shift 2 ;;
    --glmark2) GLMARK2=$2; shift 2 ;;
    --guest) GUEST=$2; shift 2 ;;
    --qemu) QDIR=$2; shift 2 ;;
    --pidfile) PIDFILE=$2; shift 2 ;;
    --) shift; break ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
    esac
done
if [ -z "$GUEST" ]; then
    if [ $GL = 1 ]; then GUEST=$("$GUEST_SRC/build.sh" --3d); else GUEST=$("$GUEST_SRC/build.sh"); fi
fi
# the 3D guest's initramfs holds Mesa and LLVM (about 230 MB), unpacked into RAM
[ -n "$MEM" ] || { [ $GL = 1 ] && MEM=1G; } || MEM=256M
INITRD=$GUEST/initramfs.cpio.gz
[ -e "$INITRD" ] || INITRD=$GUEST/initramfs.cpio
[ -n "$QDIR" ] || QDIR=$("$GUEST_SRC/qemu.sh")
[[ $RES =~ ^([0-9]+)x([0-9]+)$ ]] || die "--res wants WxH, not $RES"
W=${BASH_REMATCH[1]} H=${BASH_REMATCH[2]}

if [ $BUILTIN = 1 ]; then
    GPU=(-device "virtio-gpu-pci,id=gpu,xres=$W,yres=$H")
else
    [ -n "$SOCK" ] || die "--socket SOCK or --builtin is needed"
    [ -S "$SOCK" ] || die "nothing listens on $SOCK (start the backend first)"
    GPU=(-chardev "socket,id=gpu,path=$SOCK" -device "vhost-user-gpu-pci,id=gpu,chardev=gpu,xres=$W,yres=$H")
fi
APPEND="console=ttyS0 panic=-1 loglevel=4 vt.global_cursor_default=0"
[ "$BENCH" -gt 0 ] && APPEND+=" neep.bench=$BENCH neep.benchmode=$RES"
[ $STOP = 1 ] && APPEND+=" neep.poweroff=1"
[ $GL = 1 ] && APPEND+=" neep.gl3d=1 neep.kmscube=$KMSCUBE neep.glmark2=$GLMARK2"
ARGS=(-name neep-demo-guest -nodefaults -no-user-config -no-reboot
      -machine "q35,accel=${NEEP_GUEST_ACCEL:-tcg},memory-backend=mem" -cpu max -m "$MEM"
      # vhost-user backends map guest RAM from the memfd QEMU passes them
      -object "memory-backend-memfd,id=mem,size=$MEM,share=on"
      -display none -vga none
      -serial "${SERIAL:+file:}${SERIAL:-mon:stdio}"
      -kernel "$GUEST/kernel" -initrd "$INITRD" -append "$APPEND"
      "${GPU[@]}")
[ -n "$QMP" ] && ARGS+=(-qmp "unix:$QMP,server=on,wait=off")
[ -n "$PIDFILE" ] && ARGS+=(-pidfile "$PIDFILE")
exec "$QDIR/qemu-system-x86_64" "${ARGS[@]}" "$@"

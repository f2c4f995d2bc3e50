#!/bin/busybox sh
# init.sh - /init of the validation guest's initramfs (validate.py packs it
# with busybox and the guest programs): runs the program the kernel command
# line names (migsim.guest=NAME migsim.args=A,B) on the serial console.
/bin/busybox mount -t proc proc /proc
prog=idle
args=
for word in $(/bin/busybox cat /proc/cmdline); do
	case $word in
	migsim.guest=*) prog=${word#*=} ;;
	migsim.args=-) ;;
	migsim.args=*) args=$(echo "${word#*=}" | /bin/busybox tr , ' ') ;;
	esac
done
exec /guest/$prog $args </dev/ttyS0 >/dev/ttyS0 2>&1

# hello.sh: the demo app of images/hello, run by /bin/sh inside a wasmbox container.
echo "$GREETING!"
echo "This is a WebAssembly container: its sh, echo and cat are one busybox-style module."
echo "Hostname: $(cat /etc/hostname)"
echo "Working directory: $(pwd)"

#!/usr/bin/env bash
# Prepares what a GPU machine needs to run the GPU check without npm (README "On a real GPU"):
#   .gpu-pack/gpu-check.mjs   the check and the benchmark bundled with their WGSL (scripts/gpu-bundle.mjs)
#   .gpu-pack/node.xz         this machine's Node binary, xz-compressed
#   .gl/*.deb                 the Vulkan loader (and the GL/EGL loaders of the device README's recipe), amd64
# and checks that they, with node_modules/webgpu/dist/linux-x64/dawn.node, fit in the 64 MiB that
# travel. Then prints the device command and its carry list. Run from anywhere in the repository:
#   npm run gpu-pack            (or: bash scripts/gpu-pack.sh [--test], --test also runs the bundle
#                                here with the unpacked Node in an empty folder, against SwiftShader)
set -euo pipefail
cd "$(dirname "$0")/.."
PACK=.gpu-pack
DAWN=node_modules/webgpu/dist/linux-x64/dawn.node
mkdir -p "$PACK"

node scripts/gpu-bundle.mjs "$PACK/gpu-check.mjs"

NODE_BIN="$(command -v node)"
if [ ! -s "$PACK/node.xz" ] || [ "$NODE_BIN" -nt "$PACK/node.xz" ] || [ "$(cat "$PACK/node.version" 2>/dev/null)" != "$(node --version)" ]; then
  echo "compressing $NODE_BIN ($(node --version)) into $PACK/node.xz (xz -9, a minute or two)…"
  xz -9 -T2 -c "$NODE_BIN" > "$PACK/node.xz.tmp" && mv "$PACK/node.xz.tmp" "$PACK/node.xz"
  node --version > "$PACK/node.version"
fi

[ -s "$DAWN" ] || { echo "missing $DAWN (npm install)" >&2; exit 1; }

# The device README's recipe for the Vulkan loader: amd64 packages, downloaded (not installed) here.
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  echo "downloading the loaders into .gl/ (apt-get download, amd64)…"
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update >/dev/null
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

size() { du -cb "$@" | tail -1 | cut -f1; }
tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
carried=$(size "$PACK" .gl "$DAWN")
total=$((tracked + carried))
printf 'pack: %s\n' "$(du -sh "$PACK" | cut -f1)"; ls -la "$PACK" .gl
printf 'dawn.node: %s; tracked files: %s bytes; total that travels: %s MiB (limit 64)\n' "$(du -h "$DAWN" | cut -f1)" "$tracked" "$((total / 1048576))"
[ "$total" -lt $((64 * 1048576)) ] || { echo "over 64 MiB" >&2; exit 1; }

if [ "${1:-}" = "--test" ]; then
  # The whole path here: the unpacked Node, the bundle and dawn.node in a folder with no node_modules.
  dir=$(mktemp -d)
  xz -dc "$PACK/node.xz" > "$dir/node" && chmod +x "$dir/node"
  cp "$PACK/gpu-check.mjs" "$dir/" && cp "$DAWN" "$dir/dawn.node"
  (cd "$dir" && ./node gpu-check.mjs --out "$dir/out" "${@:2}")
  echo "bundle test in $dir: outputs in $dir/out"
fi

cat <<'EOF'

On the GPU machine (device tool `run`), from the repository root of the session's checkout:
  carry: [".gpu-pack", ".gl", "node_modules/webgpu/dist/linux-x64/dawn.node"]
  timeout_s: 480
  command:
    for f in .gl/*.deb; do dpkg -x $f /; done; ldconfig; (xz -dc .gpu-pack/node.xz || python3 -c "import lzma,sys,shutil;shutil.copyfileobj(lzma.open('.gpu-pack/node.xz'),sys.stdout.buffer)") > /tmp/node && chmod +x /tmp/node && nvidia-smi -L; /tmp/node .gpu-pack/gpu-check.mjs --out $OUT --deadline 360 2>&1 | tee $OUT/log.txt
EOF

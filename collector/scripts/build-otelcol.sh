#!/usr/bin/env bash
# Builds the minimal agentmeter Collector from collector/builder-config.yaml with the
# OpenTelemetry Collector Builder and the Go toolchain, into a cache dir outside the repo:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/agentmeter/otelcol-<version>-<manifest hash>/otelcol-agentmeter
# The directory is keyed by the manifest's content (the first 12 hex digits of its SHA-256), so a
# changed manifest builds a new binary beside the old one (checkouts of different branches on one
# machine never rebuild over each other), and an existing binary is reused: running this again is
# quick. collector/test/helpers/tools.ts computes the same path. Prints the binary's path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="$here/builder-config.yaml"
version="$(awk '/^  version:/ { print $2; exit }' "$manifest")"
name="$(awk '/^  name:/ { print $2; exit }' "$manifest")"
key="$(sha256sum "$manifest" | cut -c1-12)"
root="${XDG_CACHE_HOME:-$HOME/.cache}/agentmeter"
cache="$root/otelcol-$version-$key"
binary="$cache/$name"

# The binary is reused while the manifest it was built from is unchanged.
reuse() {
  if [[ -x "$binary" && "${AGENTMETER_REBUILD_OTELCOL:-}" != "1" ]] && cmp -s "$manifest" "$cache/manifest.built.yaml"; then
    echo "$binary"
    exit 0
  fi
}
reuse

mkdir -p "$cache"
# One build at a time (CI and tests may call this concurrently); the winner's binary is reused.
exec 9>"$cache/.lock"
flock 9
reuse

command -v go >/dev/null 2>&1 || { echo "build-otelcol.sh: the Go toolchain (go) is not on PATH" >&2; exit 1; }

# ocb itself depends only on the version, so every manifest of that version shares it.
gobin="$root/ocb-$version"
builder="$gobin/builder"
if [[ ! -x "$builder" ]]; then
  echo "build-otelcol.sh: installing ocb v$version" >&2
  GOBIN="$gobin" go install "go.opentelemetry.io/collector/cmd/builder@v$version" >&2
fi

# The manifest's output_path is relative to the repo; point it at the cache dir instead.
work="$cache/src"
sed "s#^  output_path:.*#  output_path: $work#" "$manifest" > "$cache/builder-config.yaml"
echo "build-otelcol.sh: building $name $version in $work (takes minutes the first time)" >&2
CGO_ENABLED=0 "$builder" --config "$cache/builder-config.yaml" >&2
install -m 0755 "$work/$name" "$binary.tmp"
mv "$binary.tmp" "$binary"
cp "$manifest" "$cache/manifest.built.yaml"
echo "$binary"

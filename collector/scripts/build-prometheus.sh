#!/usr/bin/env bash
# Builds Prometheus 3 (prometheus and promtool) from the Go module proxy into a cache dir outside
# the repo, next to the Collector build:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/agentmeter/prometheus-<module version>/{prometheus,promtool}
# Module versions v0.3xx are Prometheus 3.xx. An existing build is reused, so running this again is
# quick. Prints the directory holding both binaries.
set -euo pipefail

version="${AGENTMETER_PROMETHEUS_MODULE_VERSION:-v0.316.0}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/agentmeter/prometheus-$version"

# remove_all_sd leaves out the cloud service discoveries (Kubernetes, AWS, ...), the bulk of the
# build; static and file discovery stay in, and DNS, which collector/prometheus/prometheus.yml uses.
tags="remove_all_sd,enable_dns_sd"
built() { [[ -x "$cache/prometheus" && -x "$cache/promtool" && "$(cat "$cache/build-tags" 2>/dev/null)" == "$tags" ]]; }

if ! built; then
  mkdir -p "$cache"
  # One build at a time (CI and tests may call this concurrently); the winner's binaries are reused.
  exec 9>"$cache/.lock"
  flock 9
fi
if ! built; then
  command -v go >/dev/null 2>&1 || { echo "build-prometheus.sh: the Go toolchain (go) is not on PATH" >&2; exit 1; }
  echo "build-prometheus.sh: building prometheus and promtool $version (takes minutes the first time)" >&2
  GOBIN="$cache/tmp" CGO_ENABLED=0 go install -tags "$tags" \
    "github.com/prometheus/prometheus/cmd/prometheus@$version" \
    "github.com/prometheus/prometheus/cmd/promtool@$version" >&2
  install -m 0755 "$cache/tmp/promtool" "$cache/promtool"
  install -m 0755 "$cache/tmp/prometheus" "$cache/prometheus"
  rm -rf "$cache/tmp"
  echo "$tags" > "$cache/build-tags"
fi
echo "$cache"

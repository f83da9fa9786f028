#!/usr/bin/env bash
# Makes sure the tools collector/ tests need are installed, and prints where each one is:
#   promtool, prometheus, amtool  Debian's prometheus and prometheus-alertmanager packages
#   otelcol-agentmeter            built from builder-config.yaml by build-otelcol.sh (cached)
#   chromium                      Debian's chromium, for the demo live view's browser test
# Idempotent and quick when everything is present; safe to run from CI on every run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=()
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
command -v prometheus >/dev/null 2>&1 || [[ -x /usr/bin/prometheus ]] || packages+=(prometheus)
command -v amtool >/dev/null 2>&1 || packages+=(prometheus-alertmanager)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)

if ((${#packages[@]} > 0)); then
  sudo=()
  [[ "$(id -u)" == "0" ]] || sudo=(sudo)
  echo "ensure-tools.sh: installing ${packages[*]} with apt" >&2
  "${sudo[@]}" apt-get update -qq >&2
  # Sorted and deduplicated: prometheus may be listed twice.
  mapfile -t unique < <(printf '%s\n' "${packages[@]}" | sort -u)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${unique[@]}" >&2
fi

otelcol="$(bash "$here/build-otelcol.sh")"

echo "promtool: $(command -v promtool)"
echo "prometheus: $(command -v prometheus || echo /usr/bin/prometheus)"
echo "amtool: $(command -v amtool)"
echo "chromium: $(command -v chromium)"
echo "otelcol: $otelcol"

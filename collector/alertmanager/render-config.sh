#!/bin/sh
# Renders an Alertmanager config template: every ${NAME} becomes the value of the environment
# variable NAME. Fails, naming them, when variables are unset or empty, so Alertmanager never
# starts with a half-filled config. POSIX sh and awk only (works in the busybox-based image).
#   render-config.sh alertmanager.yml.tmpl > alertmanager.yml
set -eu
template="${1:?usage: render-config.sh TEMPLATE > OUTPUT}"
awk '
  # Comments are copied as they are (they document the placeholders).
  /^[ \t]*#/ { print; next }
  {
    line = $0
    out = ""
    while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
      name = substr(line, RSTART + 2, RLENGTH - 3)
      if (!(name in ENVIRON) || ENVIRON[name] == "") { missing[name] = 1; value = "" } else { value = ENVIRON[name] }
      # Escape for a single-quoted YAML scalar.
      gsub(/'"'"'/, "'"'"''"'"'", value)
      out = out substr(line, 1, RSTART - 1) value
      line = substr(line, RSTART + RLENGTH)
    }
    print out line
  }
  END {
    n = 0
    for (name in missing) { list = list " " name; n++ }
    if (n > 0) { print "render-config.sh: set these environment variables:" list > "/dev/stderr"; exit 1 }
  }
' "$template"

#!/usr/bin/env bash
# Steps after pip: make solara's bundled vega assets answer the names solara asks for,
# so dashboard components work offline (see docs / solara-offline recipe).
set -eu
venv="$1"
cdn="$("$venv/bin/python" -c 'import sys; print(sys.prefix)')/share/solara/cdn"
if [ -d "$cdn" ]; then
  [ -e "$cdn/vega@5.21.0" ] && ln -sfn vega@5.21.0 "$cdn/vega@5"
  [ -e "$cdn/vega-lite@5.2.0" ] && ln -sfn vega-lite@5.2.0 "$cdn/vega-lite@5"
  [ -e "$cdn/vega-embed@6.20.2" ] && ln -sfn vega-embed@6.20.2 "$cdn/vega-embed@6"
fi
exit 0

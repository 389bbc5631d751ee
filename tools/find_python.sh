#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain and exit 1.
# Order: $PYTHON; python3.13/python3.12 on the PATH (only if they really run);
# a pyenv-installed 3.13/3.12 (pyenv shims fail unless PYENV_VERSION names them).
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not a working Python >= 3.12" >&2; exit 1
fi
for c in python3.13 python3.12; do
  if command -v "$c" >/dev/null 2>&1 && ok "$c"; then command -v "$c"; exit 0; fi
done
roots=""
command -v pyenv >/dev/null 2>&1 && roots="$(pyenv root 2>/dev/null)"
roots="$roots ${PYENV_ROOT:-} $HOME/.pyenv /root/.pyenv /opt/pyenv"
for r in $roots; do
  for v in "$r"/versions/3.12* "$r"/versions/3.13*; do
    if [ -x "$v/bin/python3" ] && ok "$v/bin/python3"; then echo "$v/bin/python3"; exit 0; fi
  done
done
echo "No Python >= 3.12 found (Mesa 3.5 needs it). Install one (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12'." >&2
exit 1

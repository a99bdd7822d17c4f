#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (Django 6 needs it), preferring 3.12 (what CI tests).
# Looks on PATH, then in pyenv.
set -u
for candidate in python3.12 python3.13 python3; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for path in $(ls -d "$root"/versions/3.12*/bin/python3 "$root"/versions/3.1[3-9]*/bin/python3 2>/dev/null); do
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
echo "IGNY8 needs Python 3.12 or newer (Django 6). Install it (e.g. 'pyenv install 3.12') and retry." >&2
exit 1

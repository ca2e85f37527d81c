#!/bin/sh
# Fails if libbiomatch.so exports any symbol that is not bm_-prefixed, or
# exports none at all (a broken visibility setup would hide everything).
set -eu
library=$1
symbols=$(nm -D --defined-only "$library" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' | sort -u)
count=$(printf '%s\n' "$symbols" | grep -c . || true)
stray=$(printf '%s\n' "$symbols" | grep -v '^bm_' | grep . || true)
echo "exported symbols: $count"
if [ "$count" -lt 5 ]; then echo "too few exported symbols: visibility broken?"; exit 1; fi
if [ -n "$stray" ]; then printf 'symbols without the bm_ prefix:\n%s\n' "$stray"; exit 1; fi
soname=$(objdump -p "$library" | awk '/SONAME/ {print $2}')
case "$soname" in libbiomatch.so.[0-9]*) echo "SONAME $soname" ;; *) echo "bad SONAME '$soname'"; exit 1 ;; esac

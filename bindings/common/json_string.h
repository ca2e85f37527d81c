/* JSON string literals for the command-line programs (biomatch and
 * biomatch-mpi), which print the same documented layouts (docs/cli.md) and
 * must escape identifiers and file names the same way. */
#ifndef BIOMATCH_BINDINGS_JSON_STRING_H
#define BIOMATCH_BINDINGS_JSON_STRING_H

#include <stdio.h>

/* Prints `text` (NUL-terminated) as a JSON string: quoted, with '"' and '\'
 * escaped and control bytes as \u00XX; other bytes, UTF-8 included, pass
 * through unchanged. Thread-safe as far as `out` is (stdio locks per call). */
void bm_json_write_string_(FILE *out, const char *text);

#endif

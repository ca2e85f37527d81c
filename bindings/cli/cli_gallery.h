/* Gallery options shared by enroll, delete, list, identify and dedup:
 * --db DIR and the options that matter when the gallery is created. */
#ifndef BIOMATCH_CLI_GALLERY_H
#define BIOMATCH_CLI_GALLERY_H

#include "biomatch/biomatch.h"
#include "biomatch/bm_gallery.h"

typedef struct cli_gallery_args {
  const char *db;
  bm_gallery_options options;
} cli_gallery_args;

void cli_gallery_args_init(cli_gallery_args *args);
/* Consumes argv[*index] (and its value) when it is a gallery option:
 * --db DIR, --shards S, --face-dim D, --face-storage f32|f16|int8.
 * Returns 1 if consumed, 0 if not a gallery option, -1 after printing a
 * usage error. */
int cli_parse_gallery_option(const char *command, int argc, char **argv, int *index, cli_gallery_args *args);
/* What the commands that read template files for a gallery (enroll,
 * identify) take besides their own options: the gallery options and the
 * template reading options (cli_parse_read_option). */
typedef struct cli_gallery_input_args {
  cli_gallery_args gallery;
  bm_read_options read;
} cli_gallery_input_args;

void cli_gallery_input_args_init(cli_gallery_input_args *args);
/* Consumes argv[*index] (and its value) when it is a gallery or a template
 * reading option; same returns as cli_parse_gallery_option. */
int cli_parse_gallery_input_option(const char *command, int argc, char **argv, int *index,
                                   cli_gallery_input_args *args);
/* Opens args->db (created when absent); prints the error and returns it on failure. */
bm_status cli_open_gallery(const char *command, const cli_gallery_args *args, bm_gallery **out);

#define CLI_GALLERY_OPTIONS_HELP                                                                   \
  "  --db DIR          the gallery folder (created when absent)\n"                                  \
  "  --shards S        shards of a new gallery (default 8)\n"                                       \
  "  --face-dim D      face embedding dimension of a new gallery (64..2048; default none)\n"        \
  "  --face-storage T  f32, f16 or int8 storage of a new gallery's faces (default f32)\n"

#endif

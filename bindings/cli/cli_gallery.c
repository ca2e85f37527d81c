#include "cli_gallery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_gallery_args_init(cli_gallery_args *args) {
  args->db = NULL;
  bm_gallery_options_init(&args->options);
}

static int parse_range(const char *command, const char *name, const char *text, unsigned long low,
                       unsigned long high, uint32_t *out) {
  char *end;
  const unsigned long value = strtoul(text, &end, 10);
  if (*text == '\0' || *end || value < low || value > high || text[0] == '-') {
    fprintf(stderr, "biomatch %s: %s takes %lu..%lu, not '%s'\n", command, name, low, high, text);
    return -1;
  }
  *out = (uint32_t)value;
  return 1;
}

int cli_parse_gallery_option(const char *command, int argc, char **argv, int *index, cli_gallery_args *args) {
  const char *name = argv[*index];
  const int known = strcmp(name, "--db") == 0 || strcmp(name, "--shards") == 0 || strcmp(name, "--face-dim") == 0 ||
                    strcmp(name, "--face-storage") == 0;
  if (!known) return 0;
  if (*index + 1 >= argc) {
    fprintf(stderr, "biomatch %s: %s needs a value\n", command, name);
    return -1;
  }
  const char *value = argv[++*index];
  if (strcmp(name, "--db") == 0) {
    args->db = value;
    return 1;
  }
  if (strcmp(name, "--shards") == 0) return parse_range(command, name, value, 1, 1024, &args->options.shard_count);
  if (strcmp(name, "--face-dim") == 0) return parse_range(command, name, value, 64, 2048, &args->options.face_dimension);
  if (strcmp(value, "f32") == 0) args->options.face_storage = BM_FACE_F32;
  else if (strcmp(value, "f16") == 0) args->options.face_storage = BM_FACE_F16;
  else if (strcmp(value, "int8") == 0) args->options.face_storage = BM_FACE_INT8;
  else {
    fprintf(stderr, "biomatch %s: --face-storage takes f32, f16 or int8\n", command);
    return -1;
  }
  return 1;
}

void cli_gallery_input_args_init(cli_gallery_input_args *args) {
  cli_gallery_args_init(&args->gallery);
  bm_read_options_init(&args->read);
}

int cli_parse_gallery_input_option(const char *command, int argc, char **argv, int *index,
                                   cli_gallery_input_args *args) {
  const int consumed = cli_parse_gallery_option(command, argc, argv, index, &args->gallery);
  return consumed != 0 ? consumed : cli_parse_read_option(argc, argv, index, &args->read);
}

bm_status cli_open_gallery(const char *command, const cli_gallery_args *args, bm_gallery **out) {
  if (!args->db) {
    fprintf(stderr, "biomatch %s: --db DIR is required\n", command);
    return BM_ERR_INVALID_ARGUMENT;
  }
  const bm_status status = bm_gallery_open(args->db, &args->options, out);
  if (status != BM_OK) cli_report_error(args->db, status);
  return status;
}

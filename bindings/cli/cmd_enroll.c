/* biomatch enroll --db DIR: reads "ID POSITION PATH" lines from stdin and
 * enrols each; "ok ID" is printed only once that line is durable. POSITION
 * is 0..10 (0 = unknown) with PATH a template or a PNG image, or "face"
 * with PATH a .npy / raw float32 embedding. Lines sharing an ID add to one
 * record: each line is a merge (BM_GALLERY_MERGE), so the same finger
 * position replaces that finger and each face line adds an embedding (up
 * to BM_GALLERY_MAX_FACES photos of the person). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_gallery.h"
#include "cli_inputs.h"

void cmd_enroll_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch enroll --db DIR [--batch N] [--image-ppi N] [gallery options]\n"
          "                       [template reading options] < LINES\n"
          "Reads lines \"ID POSITION PATH\" from stdin and enrols them into the gallery in DIR:\n"
          "  POSITION 0..10 (0 = unknown, 1..10 right thumb .. left little): PATH is a template\n"
          "  file (ISO, ANSI, xyt, bm) or a PNG image (minutiae extracted);\n"
          "  POSITION \"face\": PATH is a float32 embedding (.npy of shape (D,) or (1, D), or raw\n"
          "  little-endian float32), D being the gallery's --face-dim.\n"
          "Lines sharing an ID build one record; a known position given twice replaces the finger,\n"
          "and each face line adds one more embedding to the record (at most 16; the record then\n"
          "matches on its best-agreeing face). Enrolling the same face line twice stores it twice.\n"
          "Prints \"ok ID\" for a line only once it is durable on disk. A bad line prints an error on\n"
          "stderr (\"error ID: ...\") and the others go on; the exit status is then 1.\n"
          "  --batch N         acknowledge every N lines with one disk sync (group commit; default 1:\n"
          "                    one sync per line)\n"
          "  --image-ppi N     resolution of PNG files without a pHYs chunk (default 500)\n" CLI_GALLERY_OPTIONS_HELP
          "Exit status: 0 every line enrolled, 1 some line failed or the gallery cannot be opened,\n"
          "2 usage.\n");
}

typedef struct pending {
  char **ids;
  size_t count, capacity;
} pending;

static void acknowledge(bm_gallery *gallery, pending *waiting, int *failed) {
  if (waiting->count == 0) return;
  const bm_status status = bm_gallery_sync(gallery);
  for (size_t i = 0; i < waiting->count; ++i) {
    if (status == BM_OK) printf("ok %s\n", waiting->ids[i]);
    else fprintf(stderr, "error %s: %s: %s\n", waiting->ids[i], bm_error_name(status), bm_last_error_message());
    free(waiting->ids[i]);
  }
  if (status != BM_OK) *failed = 1;
  waiting->count = 0;
  fflush(stdout);
}

/* Builds the one-part record of a line and merges it into the gallery. */
static bm_status enroll_line(bm_gallery *gallery, const char *id, int position, const char *path,
                             const bm_read_options *options, double image_ppi) {
  bm_gallery_record *record = NULL;
  bm_status status = bm_gallery_record_create(id, &record);
  if (status != BM_OK) {
    fprintf(stderr, "error %s: %s: %s\n", id, bm_error_name(status), bm_last_error_message());
    return status;
  }
  if (position == CLI_POSITION_FACE) {
    float *face = NULL;
    size_t dimension = 0;
    status = cli_load_face(path, &face, &dimension);
    if (status == BM_OK) {
      status = bm_gallery_record_set_face(record, face, dimension);
      if (status != BM_OK) cli_report_error(path, status);
    }
    free(face);
  } else {
    bm_template *tpl = NULL;
    status = cli_load_finger(path, options, image_ppi, &tpl);
    if (status == BM_OK) {
      status = bm_gallery_record_set_finger(record, (unsigned)position, tpl);
      if (status != BM_OK) cli_report_error(path, status);
    }
    bm_template_free(tpl);
  }
  if (status == BM_OK) {
    status = bm_gallery_enroll(gallery, record, BM_GALLERY_MERGE, NULL);
    if (status != BM_OK) fprintf(stderr, "error %s: %s: %s\n", id, bm_error_name(status), bm_last_error_message());
  } else {
    fprintf(stderr, "error %s: %s\n", id, bm_error_name(status));
  }
  bm_gallery_record_free(record);
  return status;
}

int cmd_enroll(int argc, char **argv) {
  cli_gallery_input_args input;
  cli_gallery_input_args_init(&input);
  unsigned long batch = 1;
  double image_ppi = 0;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_gallery_input_option("enroll", argc, argv, &i, &input);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    char *end = NULL;
    if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
      batch = strtoul(argv[++i], &end, 10);
      if (*end || batch < 1 || batch > 1000000) {
        fprintf(stderr, "biomatch enroll: --batch takes 1..1000000\n");
        return CLI_EXIT_USAGE;
      }
    } else if (strcmp(argv[i], "--image-ppi") == 0 && i + 1 < argc) {
      image_ppi = strtod(argv[++i], &end);
      if (*end || !(image_ppi >= 100 && image_ppi <= 5000)) {
        fprintf(stderr, "biomatch enroll: --image-ppi takes 100..5000\n");
        return CLI_EXIT_USAGE;
      }
    } else {
      fprintf(stderr, "biomatch enroll: unknown argument '%s'\n", argv[i]);
      cmd_enroll_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (!input.gallery.db) {
    fprintf(stderr, "biomatch enroll: --db DIR is required\n");
    return CLI_EXIT_USAGE;
  }
  /* One sync per --batch lines: the gallery itself only writes, acknowledge() syncs. */
  input.gallery.options.sync = BM_GALLERY_SYNC_DEFERRED;
  bm_gallery *gallery = NULL;
  if (cli_open_gallery("enroll", &input.gallery, &gallery) != BM_OK) return CLI_EXIT_FAILURE;
  pending waiting = {NULL, 0, 0};
  int failed = 0;
  char *line = NULL;
  size_t line_capacity = 0;
  unsigned long line_number = 0;
  for (ssize_t length; (length = getline(&line, &line_capacity, stdin)) >= 0;) {
    ++line_number;
    char *save = NULL, *id = strtok_r(line, " \t\r\n", &save);
    if (!id || id[0] == '#') continue; /* blank lines and comments */
    char *position_text = strtok_r(NULL, " \t\r\n", &save), *path = strtok_r(NULL, "\r\n", &save);
    while (path && (*path == ' ' || *path == '\t')) ++path;
    const int position = position_text ? cli_parse_position(position_text) : -1;
    if (position < 0 || !path || !*path) {
      fprintf(stderr, "error %s: line %lu: expected \"ID POSITION PATH\" with POSITION 0..10 or face\n", id,
              line_number);
      failed = 1;
      continue;
    }
    if (enroll_line(gallery, id, position, path, &input.read, image_ppi) != BM_OK) {
      failed = 1;
      continue;
    }
    if (waiting.count == waiting.capacity) {
      waiting.capacity = waiting.capacity ? 2 * waiting.capacity : 64;
      char **grown = realloc(waiting.ids, waiting.capacity * sizeof *grown);
      if (!grown) {
        fprintf(stderr, "biomatch enroll: out of memory\n");
        failed = 1;
        break;
      }
      waiting.ids = grown;
    }
    char *copy = strdup(id);
    if (!copy) {
      fprintf(stderr, "error %s: out of memory (enrolled, not acknowledged)\n", id);
      failed = 1;
      continue;
    }
    waiting.ids[waiting.count++] = copy;
    if (waiting.count >= batch) acknowledge(gallery, &waiting, &failed);
  }
  acknowledge(gallery, &waiting, &failed);
  free(waiting.ids);
  free(line);
  bm_gallery_close(gallery);
  return failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* biomatch delete --db DIR ID...: deletes records; "deleted ID" once durable. */
#include <string.h>

#include "cli.h"
#include "cli_gallery.h"

void cmd_delete_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch delete --db DIR ID...\n"
          "Deletes the records ID... from the gallery in DIR and prints \"deleted ID\" for each once\n"
          "the deletion is durable. An unknown ID is reported on stderr (the others are deleted).\n"
          "Exit status: 0 all deleted, 1 some ID unknown or the gallery cannot be opened, 2 usage.\n");
}

int cmd_delete(int argc, char **argv) {
  cli_gallery_args args;
  cli_gallery_args_init(&args);
  int first_id = 0, id_count = 0;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_gallery_option("delete", argc, argv, &i, &args);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    if (argv[i][0] == '-' && argv[i][1] == '-') {
      fprintf(stderr, "biomatch delete: unknown option '%s'\n", argv[i]);
      return CLI_EXIT_USAGE;
    }
    if (!id_count) first_id = i;
    ++id_count;
    argv[first_id + id_count - 1] = argv[i]; /* gather the ids in place */
  }
  if (!args.db || id_count == 0) {
    cmd_delete_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  bm_gallery *gallery = NULL;
  if (cli_open_gallery("delete", &args, &gallery) != BM_OK) return CLI_EXIT_FAILURE;
  int failed = 0;
  for (int k = 0; k < id_count; ++k) {
    const char *id = argv[first_id + k];
    const bm_status status = bm_gallery_delete(gallery, id, NULL); /* durable policy: on disk when it returns */
    if (status == BM_OK) printf("deleted %s\n", id);
    else {
      cli_report_error(id, status);
      failed = 1;
    }
  }
  bm_gallery_close(gallery);
  return failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

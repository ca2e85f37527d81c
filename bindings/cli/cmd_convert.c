/* biomatch convert IN OUT --to FORMAT: reads a template in any supported
 * format (detected from content) and writes it in another. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cmd_convert_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch convert IN OUT --to iso2005|iso2011|ansi378|xyt|bm [--ppi N] [--height N]\n"
          "                        [--width N] [--view N] [--from FORMAT] [--lenient] [--iso-orientation]\n"
          "                        [--json]\n"
          "Converts a template; the input format is detected from its content.\n"
          "  --ppi N, --width N, --height N  geometry of an xyt input (xyt stores none; ppi defaults to 500,\n"
          "                                  the height is needed for the origin flip). When the template has\n"
          "                                  no image height and xyt is written, --height supplies it.\n"
          "  --view N          finger view of a multi-view input (default 0)\n"
          "  --lenient         accept the defects listed in docs/template-formats.md\n"
          "  --iso-orientation xyt (input and output) in ISO orientation: top-left origin, no 180-degree turn\n"
          "  --json            print {\"in\", \"out\", \"to\", \"minutia_count\"} once written\n"
          "Rounding of each format: docs/template-formats.md.\n"
          "Exit status: 0 written, 1 unreadable input or unwritable output, 2 usage.\n");
}

int cmd_convert(int argc, char **argv) {
  cli_template_args args;
  cli_template_args_init(&args);
  const char *paths[2] = {NULL, NULL};
  int path_count = 0;
  const char *target_name = NULL;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_template_option(argc, argv, &i, &args);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    if (strcmp(argv[i], "--to") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "biomatch convert: --to needs a format\n");
        return CLI_EXIT_USAGE;
      }
      target_name = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf(stderr, "biomatch convert: unknown option %s\n", argv[i]);
      cmd_convert_usage(stderr);
      return CLI_EXIT_USAGE;
    } else if (path_count < 2) {
      paths[path_count++] = argv[i];
    } else {
      fprintf(stderr, "biomatch convert: expected IN and OUT only\n");
      return CLI_EXIT_USAGE;
    }
  }
  bm_template_format target;
  if (path_count != 2 || !target_name) {
    cmd_convert_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  if (bm_template_format_from_name(target_name, &target) != BM_OK || target == BM_FORMAT_AUTO) {
    fprintf(stderr, "biomatch convert: --to %s: unknown format (iso2005, iso2011, ansi378, xyt, bm)\n", target_name);
    return CLI_EXIT_USAGE;
  }
  bm_template *tpl = NULL;
  if (cli_read_template(paths[0], &args.read, &tpl) != BM_OK) return CLI_EXIT_FAILURE;
  bm_status status = BM_OK;
  unsigned width, height;
  double ppi_x, ppi_y;
  bm_template_get_image(tpl, &width, &height, &ppi_x, &ppi_y);
  if (height == 0 && args.read.xyt_height != 0)
    status = bm_template_set_image(tpl, width, args.read.xyt_height, ppi_x, ppi_y);
  if (status == BM_OK)
    status = bm_template_write_file(tpl, target, args.read.flags & BM_XYT_ISO_ORIENTATION, paths[1]);
  const size_t minutiae = bm_template_minutia_count(tpl);
  bm_template_free(tpl);
  if (status != BM_OK) return cli_report_error(paths[1], status);
  if (args.json) {
    printf("{\"in\": ");
    bm_json_write_string_(stdout, paths[0]);
    printf(", \"out\": ");
    bm_json_write_string_(stdout, paths[1]);
    printf(", \"to\": \"%s\", \"minutia_count\": %zu}\n", bm_template_format_name(target), minutiae);
  }
  return CLI_EXIT_OK;
}

/* biomatch info FILE [--json]: format, header fields and minutiae of a
 * template file. Also holds the reading options shared with convert. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int parse_unsigned(const char *text, unsigned long max, unsigned long *value) {
  char *end;
  errno = 0;
  const unsigned long parsed = strtoul(text, &end, 10);
  if (errno || end == text || *end || text[0] == '-' || parsed > max) return 0;
  *value = parsed;
  return 1;
}

int cli_parse_read_option(int argc, char **argv, int *index, bm_read_options *options) {
  const char *name = argv[*index];
  if (strcmp(name, "--lenient") == 0) {
    options->flags |= BM_READ_LENIENT;
    return 1;
  }
  if (strcmp(name, "--iso-orientation") == 0) {
    options->flags |= BM_XYT_ISO_ORIENTATION;
    return 1;
  }
  const int takes_value = strcmp(name, "--view") == 0 || strcmp(name, "--ppi") == 0 ||
                          strcmp(name, "--width") == 0 || strcmp(name, "--height") == 0 ||
                          strcmp(name, "--from") == 0;
  if (!takes_value) return 0;
  if (*index + 1 >= argc) {
    fprintf(stderr, "biomatch: %s needs a value\n", name);
    return -1;
  }
  const char *value = argv[++*index];
  unsigned long number = 0;
  if (strcmp(name, "--from") == 0) {
    bm_template_format format;
    if (bm_template_format_from_name(value, &format) != BM_OK) {
      fprintf(stderr, "biomatch: --from %s: unknown format (iso2005, iso2011, ansi378, xyt, bm)\n", value);
      return -1;
    }
    options->format = format;
    return 1;
  }
  if (strcmp(name, "--ppi") == 0) {
    char *end;
    const double ppi = strtod(value, &end);
    if (end == value || *end || !isfinite(ppi) || ppi < 0) {
      fprintf(stderr, "biomatch: --ppi %s: not a resolution\n", value);
      return -1;
    }
    options->xyt_ppi = ppi;
    return 1;
  }
  if (!parse_unsigned(value, 65535, &number)) {
    fprintf(stderr, "biomatch: %s %s: not a number in 0..65535\n", name, value);
    return -1;
  }
  if (strcmp(name, "--view") == 0) options->view_index = (uint32_t)number;
  else if (strcmp(name, "--width") == 0) options->xyt_width = (uint32_t)number;
  else options->xyt_height = (uint32_t)number;
  return 1;
}

static const char *minutia_type_name(unsigned type) {
  switch (type) {
    case BM_MINUTIA_RIDGE_ENDING: return "ridge_ending";
    case BM_MINUTIA_BIFURCATION: return "bifurcation";
    default: return "other";
  }
}

static void print_quality_json(unsigned quality) {
  if (quality == BM_QUALITY_UNKNOWN) printf("null");
  else printf("%u", quality);
}

static void print_json(const char *path, bm_template_format format, size_t view_count, unsigned view_index,
                       const bm_template *tpl) {
  unsigned width, height, position, impression, quality, equipment, view_number;
  double ppi_x, ppi_y;
  size_t extended_size = 0;
  bm_template_get_image(tpl, &width, &height, &ppi_x, &ppi_y);
  bm_template_get_finger(tpl, &position, &impression, &quality);
  bm_template_get_record_info(tpl, &equipment, &view_number);
  (void)bm_template_extended_data(tpl, &extended_size);
  printf("{\"file\": ");
  bm_json_write_string_(stdout, path);
  printf(", \"format\": \"%s\", \"view_count\": %zu, \"view_index\": %u,\n", bm_template_format_name(format),
         view_count, view_index);
  printf(" \"image\": {\"width\": %u, \"height\": %u, \"ppi_x\": %.17g, \"ppi_y\": %.17g},\n", width, height, ppi_x,
         ppi_y);
  printf(" \"finger\": {\"position\": %u, \"impression\": %u, \"quality\": ", position, impression);
  print_quality_json(quality);
  printf("},\n \"capture_equipment_id\": %u, \"view_number\": %u,\n", equipment, view_number);
  printf(" \"extended_data\": {\"bytes\": %zu, \"areas\": %zu},\n", extended_size,
         bm_template_extended_area_count(tpl));
  const size_t count = bm_template_minutia_count(tpl);
  const bm_minutia *minutiae = bm_template_minutiae(tpl);
  printf(" \"minutia_count\": %zu,\n \"minutiae\": [", count);
  for (size_t i = 0; i < count; ++i) {
    printf("%s\n  {\"x\": %u, \"y\": %u, \"angle\": %.9g, \"type\": \"%s\", \"quality\": ", i ? "," : "",
           minutiae[i].x, minutiae[i].y, (double)minutiae[i].angle, minutia_type_name(minutiae[i].type));
    print_quality_json(minutiae[i].quality);
    putchar('}');
  }
  printf("%s]}\n", count ? "\n " : "");
}

static void print_text(const char *path, bm_template_format format, size_t view_count, unsigned view_index,
                       const bm_template *tpl) {
  unsigned width, height, position, impression, quality, equipment, view_number;
  double ppi_x, ppi_y;
  size_t extended_size = 0;
  bm_template_get_image(tpl, &width, &height, &ppi_x, &ppi_y);
  bm_template_get_finger(tpl, &position, &impression, &quality);
  bm_template_get_record_info(tpl, &equipment, &view_number);
  (void)bm_template_extended_data(tpl, &extended_size);
  printf("file:           %s\n", path);
  printf("format:         %s\n", bm_template_format_name(format));
  printf("views:          %zu (showing view %u)\n", view_count, view_index);
  printf("image:          %u x %u px (0 = unknown), %.2f x %.2f ppi\n", width, height, ppi_x, ppi_y);
  if (quality == BM_QUALITY_UNKNOWN)
    printf("finger:         position %u, impression %u, quality unknown\n", position, impression);
  else
    printf("finger:         position %u, impression %u, quality %u\n", position, impression, quality);
  printf("record:         capture equipment 0x%04x, view number %u\n", equipment, view_number);
  printf("extended data:  %zu bytes in %zu areas\n", extended_size, bm_template_extended_area_count(tpl));
  printf("minutiae:       %zu\n", bm_template_minutia_count(tpl));
}


static void print_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch info FILE [--json] [--view N] [--from FORMAT] [--ppi N] [--width N] [--height N]\n"
          "                      [--lenient] [--iso-orientation]\n"
          "Prints the format, header fields and minutiae count of a template file\n"
          "(with --json, every minutia too; layout in docs/cli.md).\n"
          "The format is detected from the content; --from forces it.\n"
          "xyt input needs --height (origin flip) unless --iso-orientation; --ppi defaults to 500.\n"
          "Exit status: 0 done, 1 unreadable or invalid file (one line on stderr), 2 usage.\n");
}

int cmd_info(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    print_usage(stdout);
    return CLI_EXIT_OK;
  }
  bm_read_options options;
  bm_read_options_init(&options);
  const char *path = NULL;
  int json = 0;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_read_option(argc, argv, &i, &options);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf(stderr, "biomatch info: unknown option %s\n", argv[i]);
      print_usage(stderr);
      return CLI_EXIT_USAGE;
    } else if (!path) {
      path = argv[i];
    } else {
      fprintf(stderr, "biomatch info: one FILE only\n");
      return CLI_EXIT_USAGE;
    }
  }
  if (!path) {
    print_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  unsigned char *data = NULL;
  size_t size = 0;
  if (!cli_load_file(path, &data, &size)) return CLI_EXIT_FAILURE;
  bm_template_format format = (bm_template_format)options.format;
  bm_status status = format == BM_FORMAT_AUTO ? bm_template_detect_format(data, size, &format) : BM_OK;
  size_t view_count = 0;
  bm_template *tpl = NULL;
  if (status == BM_OK) status = bm_template_count_views(data, size, &options, &view_count);
  if (status == BM_OK) status = bm_template_read_memory_ex(data, size, &options, &tpl);
  free(data);
  if (status != BM_OK) return cli_report_error(path, status);
  if (json) print_json(path, format, view_count, options.view_index, tpl);
  else print_text(path, format, view_count, options.view_index, tpl);
  bm_template_free(tpl);
  return CLI_EXIT_OK;
}

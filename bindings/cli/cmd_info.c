/* biomatch info FILE [--json]: format, header fields and minutiae of a
 * template file. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

/* The header fields both layouts print. */
typedef struct template_header {
  unsigned width, height, position, impression, quality, equipment, view_number;
  double ppi_x, ppi_y;
  size_t extended_size;
} template_header;

static template_header header_of(const bm_template *tpl) {
  template_header h = {0};
  bm_template_get_image(tpl, &h.width, &h.height, &h.ppi_x, &h.ppi_y);
  bm_template_get_finger(tpl, &h.position, &h.impression, &h.quality);
  bm_template_get_record_info(tpl, &h.equipment, &h.view_number);
  (void)bm_template_extended_data(tpl, &h.extended_size);
  return h;
}

static void print_json(const char *path, bm_template_format format, size_t view_count, unsigned view_index,
                       const bm_template *tpl) {
  const template_header h = header_of(tpl);
  printf("{\"file\": ");
  bm_json_write_string_(stdout, path);
  printf(", \"format\": \"%s\", \"view_count\": %zu, \"view_index\": %u,\n", bm_template_format_name(format),
         view_count, view_index);
  printf(" \"image\": {\"width\": %u, \"height\": %u, \"ppi_x\": %.17g, \"ppi_y\": %.17g},\n", h.width, h.height,
         h.ppi_x, h.ppi_y);
  printf(" \"finger\": {\"position\": %u, \"impression\": %u, \"quality\": ", h.position, h.impression);
  print_quality_json(h.quality);
  printf("},\n \"capture_equipment_id\": %u, \"view_number\": %u,\n", h.equipment, h.view_number);
  printf(" \"extended_data\": {\"bytes\": %zu, \"areas\": %zu},\n", h.extended_size,
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
  const template_header h = header_of(tpl);
  printf("file:           %s\n", path);
  printf("format:         %s\n", bm_template_format_name(format));
  printf("views:          %zu (showing view %u)\n", view_count, view_index);
  printf("image:          %u x %u px (0 = unknown), %.2f x %.2f ppi\n", h.width, h.height, h.ppi_x, h.ppi_y);
  if (h.quality == BM_QUALITY_UNKNOWN)
    printf("finger:         position %u, impression %u, quality unknown\n", h.position, h.impression);
  else
    printf("finger:         position %u, impression %u, quality %u\n", h.position, h.impression, h.quality);
  printf("record:         capture equipment 0x%04x, view number %u\n", h.equipment, h.view_number);
  printf("extended data:  %zu bytes in %zu areas\n", h.extended_size, bm_template_extended_area_count(tpl));
  printf("minutiae:       %zu\n", bm_template_minutia_count(tpl));
}


void cmd_info_usage(FILE *out) {
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
  cli_template_args args;
  cli_template_args_init(&args);
  const char *path = NULL;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_template_option(argc, argv, &i, &args);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf(stderr, "biomatch info: unknown option %s\n", argv[i]);
      cmd_info_usage(stderr);
      return CLI_EXIT_USAGE;
    } else if (!path) {
      path = argv[i];
    } else {
      fprintf(stderr, "biomatch info: one FILE only\n");
      return CLI_EXIT_USAGE;
    }
  }
  if (!path) {
    cmd_info_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  unsigned char *data = NULL;
  size_t size = 0;
  if (!cli_load_file(path, &data, &size)) return CLI_EXIT_FAILURE;
  const bm_read_options *options = &args.read;
  bm_template_format format = (bm_template_format)options->format;
  bm_status status = format == BM_FORMAT_AUTO ? bm_template_detect_format(data, size, &format) : BM_OK;
  size_t view_count = 0;
  bm_template *tpl = NULL;
  if (status == BM_OK) status = bm_template_count_views(data, size, options, &view_count);
  if (status == BM_OK) status = bm_template_read_memory_ex(data, size, options, &tpl);
  free(data);
  if (status != BM_OK) return cli_report_error(path, status);
  if (args.json) print_json(path, format, view_count, options->view_index, tpl);
  else print_text(path, format, view_count, options->view_index, tpl);
  bm_template_free(tpl);
  return CLI_EXIT_OK;
}

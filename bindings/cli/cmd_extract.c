/* biomatch extract IMAGE [-o OUT] [--to FORMAT] [--ppi N] [--overlay OUT.png]:
 * extracts the minutiae of a fingerprint image. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cmd_extract_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch extract IMAGE.png [-o OUT] [--to iso2005|iso2011|ansi378|xyt|bm] [--ppi N]\n"
          "                        [--overlay OUT.png] [--json]\n"
          "Extracts the minutiae of a grayscale fingerprint image (any PNG colour type).\n"
          "  -o OUT          template file to write (default: xyt text on standard output)\n"
          "  --to FORMAT     template format (default iso2011 for -o, xyt for standard output)\n"
          "  --ppi N         resolution of the image, overriding the PNG pHYs chunk (250..1000)\n"
          "  --overlay PNG   draw the segmented area and the minutiae (endings red, bifurcations green)\n"
          "  --json          print a summary object instead of the xyt text (layout in docs/cli.md)\n"
          "Exit status: 0 done, 1 unreadable image or no fingerprint in it, 2 usage.\n");
}

static void print_summary_json(const char *input, const char *output, const bm_image *image, const bm_template *tpl) {
  unsigned position = 0, impression = 0, quality = 0;
  bm_template_get_finger(tpl, &position, &impression, &quality);
  printf("{\"image\": ");
  bm_json_write_string_(stdout, input);
  printf(", \"width\": %u, \"height\": %u, \"ppi\": %.2f, \"output\": ", bm_image_width(image),
         bm_image_height(image), bm_image_ppi(image));
  if (output) bm_json_write_string_(stdout, output);
  else fputs("null", stdout);
  const size_t count = bm_template_minutia_count(tpl);
  const bm_minutia *minutiae = bm_template_minutiae(tpl);
  printf(", \"finger_quality\": %u, \"minutia_count\": %zu, \"minutiae\": [", quality, count);
  for (size_t i = 0; i < count; ++i)
    printf("%s{\"x\": %u, \"y\": %u, \"angle\": %.4g, \"type\": \"%s\", \"quality\": %u}", i ? ", " : "",
           minutiae[i].x, minutiae[i].y, (double)minutiae[i].angle,
           minutiae[i].type == BM_MINUTIA_RIDGE_ENDING  ? "ridge_ending"
           : minutiae[i].type == BM_MINUTIA_BIFURCATION ? "bifurcation"
                                                        : "other",
           minutiae[i].quality);
  printf("]}\n");
}

int cmd_extract(int argc, char **argv) {
  const char *input = NULL, *output = NULL, *format_name = NULL, *overlay = NULL;
  double ppi = 0;
  int json = 0;
  for (int i = 1; i < argc; ++i) {
    const int has_value = i + 1 < argc;
    if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--to") == 0 || strcmp(argv[i], "--ppi") == 0 ||
         strcmp(argv[i], "--overlay") == 0) && !has_value) {
      fprintf(stderr, "biomatch extract: %s needs a value\n", argv[i]);
      return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if (strcmp(argv[i], "-o") == 0) {
      output = argv[++i];
    } else if (strcmp(argv[i], "--to") == 0) {
      format_name = argv[++i];
    } else if (strcmp(argv[i], "--overlay") == 0) {
      overlay = argv[++i];
    } else if (strcmp(argv[i], "--ppi") == 0) {
      char *end = NULL;
      ppi = strtod(argv[++i], &end);
      if (!end || *end != '\0' || ppi <= 0) {
        fprintf(stderr, "biomatch extract: --ppi %s: not a positive number\n", argv[i]);
        return CLI_EXIT_USAGE;
      }
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf(stderr, "biomatch extract: unknown option %s\n", argv[i]);
      cmd_extract_usage(stderr);
      return CLI_EXIT_USAGE;
    } else if (!input) {
      input = argv[i];
    } else {
      fprintf(stderr, "biomatch extract: expected one IMAGE\n");
      return CLI_EXIT_USAGE;
    }
  }
  if (!input) {
    cmd_extract_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  bm_template_format format = output ? BM_FORMAT_ISO_2011 : BM_FORMAT_XYT;
  if (format_name && (bm_template_format_from_name(format_name, &format) != BM_OK || format == BM_FORMAT_AUTO)) {
    fprintf(stderr, "biomatch extract: --to %s: unknown format (iso2005, iso2011, ansi378, xyt, bm)\n", format_name);
    return CLI_EXIT_USAGE;
  }

  bm_image *image = NULL, *foreground = NULL;
  bm_template *tpl = NULL;
  bm_status status = bm_image_load_file(input, ppi, &image);
  if (status == BM_OK && ppi > 0) status = bm_image_set_ppi(image, ppi);
  if (status == BM_OK) status = bm_extract_ex(image, &tpl, overlay ? &foreground : NULL);
  int exit_code = CLI_EXIT_OK;
  if (status != BM_OK) {
    exit_code = cli_report_error(input, status);
  } else if (overlay && (status = bm_extract_write_overlay(image, foreground, tpl, overlay)) != BM_OK) {
    exit_code = cli_report_error(overlay, status);
  } else if (output) {
    status = bm_template_write_file(tpl, format, 0, output);
    if (status != BM_OK) exit_code = cli_report_error(output, status);
  } else if (!json) {
    size_t size = 0;
    status = bm_template_write_memory(tpl, format, 0, NULL, 0, &size);
    unsigned char *buffer = status == BM_OK ? malloc(size ? size : 1) : NULL;
    if (status == BM_OK && !buffer) status = BM_ERR_OUT_OF_MEMORY;
    if (status == BM_OK) status = bm_template_write_memory(tpl, format, 0, buffer, size, &size);
    if (status == BM_OK)
      fwrite(buffer, 1, size, stdout);
    else
      exit_code = cli_report_error("writing the template", status);
    free(buffer);
  }
  if (json && exit_code == CLI_EXIT_OK) print_summary_json(input, output, image, tpl);
  bm_template_free(tpl);
  bm_image_free(foreground);
  bm_image_free(image);
  return exit_code;
}

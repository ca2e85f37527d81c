/* Shared declarations of the biomatch command-line tool. */
#ifndef BIOMATCH_CLI_H
#define BIOMATCH_CLI_H

#include <stdio.h>

#include "biomatch/biomatch.h"
#include "../common/json_string.h" /* bm_json_write_string_, shared by both programs */

/* Exit codes, consistent across commands. */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAILURE = 1, /* the work failed (bad input file, I/O error...) */
  CLI_EXIT_USAGE = 2    /* the command line itself is wrong */
};

typedef struct cli_command {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv); /* argv[0] is the command name */
  /* Prints the command's usage: on stdout when its arguments hold -h or
   * --help (main.c answers that, the command is not run), on stderr after
   * a usage error. */
  void (*usage)(FILE *out);
} cli_command;

/* Prints "biomatch: <context>: <error name>: <message>" to stderr and returns CLI_EXIT_FAILURE. */
int cli_report_error(const char *context, bm_status status);
/* True when argv holds "-h" or "--help". */
int cli_wants_help(int argc, char **argv);

/* Template reading options (--view, --from, --ppi, --width, --height,
 * --lenient, --iso-orientation; cli_util.c): consumes argv[*index] (and its
 * value) when it is one; returns 1 if consumed, 0 if not a reading option,
 * -1 after printing a usage error. */
int cli_parse_read_option(int argc, char **argv, int *index, bm_read_options *options);
/* What the commands that read template files (info, convert, compare,
 * verify, eval) take besides their own options. */
typedef struct cli_template_args {
  bm_read_options read;
  int json; /* --json: machine-readable output */
} cli_template_args;
void cli_template_args_init(cli_template_args *args);
/* Consumes argv[*index] (and its value) when it is a template reading
 * option or --json; same returns as cli_parse_read_option. */
int cli_parse_template_option(int argc, char **argv, int *index, cli_template_args *args);
/* Reads a template file; on failure prints "biomatch: PATH: ..." (cli_report_error) and returns the status. */
bm_status cli_read_template(const char *path, const bm_read_options *options, bm_template **out);
/* Reads a whole file (freed by the caller; at most 64 MB); prints the reason and returns 0 on failure (cli_util.c). */
int cli_load_file(const char *path, unsigned char **data, size_t *size);

/* The commands, one per cmd_<name>.c: cmd_<name> runs it (argv[0] is its
 * name), cmd_<name>_usage prints its usage (cli_command.usage). */
int cmd_version(int argc, char **argv);
void cmd_version_usage(FILE *out);
int cmd_info(int argc, char **argv);
void cmd_info_usage(FILE *out);
int cmd_convert(int argc, char **argv);
void cmd_convert_usage(FILE *out);
int cmd_demo(int argc, char **argv);
void cmd_demo_usage(FILE *out);
int cmd_extract(int argc, char **argv);
void cmd_extract_usage(FILE *out);
int cmd_compare(int argc, char **argv);
void cmd_compare_usage(FILE *out);
int cmd_verify(int argc, char **argv);
void cmd_verify_usage(FILE *out);
int cmd_eval(int argc, char **argv);
void cmd_eval_usage(FILE *out);
int cmd_enroll(int argc, char **argv);
void cmd_enroll_usage(FILE *out);
int cmd_identify(int argc, char **argv);
void cmd_identify_usage(FILE *out);
int cmd_dedup(int argc, char **argv);
void cmd_dedup_usage(FILE *out);
int cmd_list(int argc, char **argv);
void cmd_list_usage(FILE *out);
int cmd_delete(int argc, char **argv);
void cmd_delete_usage(FILE *out);
int cmd_bench(int argc, char **argv);
void cmd_bench_usage(FILE *out);

#endif

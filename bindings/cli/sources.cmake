set(BM_CLI_SOURCES main.c cli_util.c cli_progress.c cli_parallel.c cmd_eval.c cmd_version.c cmd_info.c cmd_convert.c cmd_demo.c cmd_extract.c cmd_compare.c cmd_verify.c)

/* What biomatch-mpi prints: the layouts of the single-machine CLI
 * (docs/cli.md) for candidate lists and deduplication, with numbers printed
 * to full precision in JSON so runs can be compared exactly. */
#ifndef BIOMATCH_MPI_OUTPUT_H
#define BIOMATCH_MPI_OUTPUT_H

#include <stdio.h>

#include "../common/json_string.h" /* bm_json_write_string_, shared by both programs */
#include "mpi_candidates.h"
#include "mpi_pairs.h"

/* One probe's merged candidate list. */
void bm_mpi_print_candidates_(FILE *out, const char *spec, const bm_mpi_block_ *block, int json);

/* The deduplication result: pairs (sorted) and clusters. */
void bm_mpi_print_dedup_(FILE *out, const bm_mpi_pair_list_ *pairs, const char **ids, const size_t *members,
                         const size_t *starts, size_t cluster_count, int json);

#endif

/* Cross-rank deduplication pairs: comparing two records held as views of
 * record blocks (mpi_records.h), the pairs one rank computes against a
 * visiting block, and the clusters the root builds from every rank's pairs.
 *
 * A pair is scored exactly as bm_gallery_dedup() scores it on one machine,
 * so the distributed result equals the single-process one bit for bit: the
 * record with the smaller id (bytewise) is the probe, the other's fingers
 * are visited in ascending position (unknown position 0 skipped), each
 * finger adds the capped -log10 FMR term of the gallery's fusion, then the
 * face (f32 storage: the same dot-product kernel on the same normalised
 * vectors), and the fused score's FMR is the gallery's Fisher combination.
 * The fusion helpers are the gallery's own (reached through the static
 * library): a public "compare two records" call would remove that link. */
#ifndef BIOMATCH_MPI_PAIRS_H
#define BIOMATCH_MPI_PAIRS_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_match.h"
#include "mpi_records.h"

/* A pair on the wire: ids (a < b bytewise), fused score and its FMR. Every
 * byte written (padding zeroed) before sending. */
typedef struct bm_mpi_pair_ {
  char a[BM_GALLERY_MAX_ID_BYTES + 1];
  char b[BM_GALLERY_MAX_ID_BYTES + 1];
  uint8_t reserved[6];
  double score, fmr;
} bm_mpi_pair_;

typedef struct bm_mpi_pair_list_ {
  bm_mpi_pair_ *pairs;
  size_t count, capacity;
  uint64_t compared; /* record pairs compared */
} bm_mpi_pair_list_;

bm_status bm_mpi_pair_list_push_(bm_mpi_pair_list_ *list, const char *a, const char *b, double score, double fmr);
/* Appends every item of `from` (and its compared count). */
bm_status bm_mpi_pair_list_append_(bm_mpi_pair_list_ *list, const bm_mpi_pair_list_ *from);
void bm_mpi_pair_list_free_(bm_mpi_pair_list_ *list);

/* Probes of one record's fingers (position p at probes[p]; NULL where absent). */
typedef struct bm_mpi_probe_set_ {
  bm_probe *probes[BM_GALLERY_MAX_POSITION + 1];
} bm_mpi_probe_set_;

bm_status bm_mpi_probe_set_create_(const bm_mpi_record_view_ *record, bm_mpi_probe_set_ *out);
void bm_mpi_probe_set_free_(bm_mpi_probe_set_ *set);

/* Fused score of `probe_record` (the smaller id, with its probes) against
 * `other`; *terms = 0 when nothing was comparable. Thread-safe. */
bm_status bm_mpi_compare_records_(const bm_mpi_probe_set_ *probes, const bm_mpi_record_view_ *probe_record,
                                  const bm_mpi_record_view_ *other, uint32_t face_dimension, double *fused,
                                  unsigned *terms);

/* Compares local record i with visiting record j for every (i, j) with
 * (i + j) % 2 == parity, or every pair when parity < 0, keeping the pairs
 * whose FMR is <= max_fmr in `out`. Ids of the two sides must differ.
 * threads: OpenMP threads (0: OpenMP's default). */
bm_status bm_mpi_cross_pairs_(const bm_mpi_record_view_ *local, const bm_mpi_probe_set_ *local_probes,
                              size_t local_count, const bm_mpi_record_view_ *visiting,
                              const bm_mpi_probe_set_ *visiting_probes, size_t visiting_count,
                              uint32_t face_dimension, int parity, double max_fmr, unsigned threads,
                              bm_mpi_pair_list_ *out);

/* Compares the records of one block with each other (every i < j once;
 * blocks hold ids ascending, so record i is the probe), keeping the pairs
 * whose FMR is <= max_fmr in `out`. threads: OpenMP threads (0: default). */
bm_status bm_mpi_block_pairs_(const bm_mpi_record_view_ *records, const bm_mpi_probe_set_ *probes, size_t count,
                              uint32_t face_dimension, double max_fmr, unsigned threads, bm_mpi_pair_list_ *out);

/* Clusters (connected components, union-find) of a pair list: the list is
 * sorted in place by (a, b); *out_ids receives the distinct ids of the
 * pairs ascending, *out_members the cluster members as indices into those
 * ids, cluster c being members[starts[c] .. starts[c + 1]) ascending, and
 * clusters ordered by their first id, as bm_gallery_dedup() orders them.
 * Arrays are malloc'd. */
bm_status bm_mpi_cluster_pairs_(bm_mpi_pair_list_ *pairs, const char ***out_ids, size_t *out_id_count,
                                size_t **out_members, size_t **out_starts, size_t *out_cluster_count);

#endif

/* Unit tests of biomatch-mpi's parts that need no MPI ranks: the candidate
 * merge against sorting, id routing, record blocks (round trip and damage),
 * cross-rank pair scores against bm_gallery_dedup(), clusters, and the
 * input parsers on malformed bytes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "mpi_buffer.h"
#include "mpi_candidates.h"
#include "mpi_inputs.h"
#include "mpi_pairs.h"
#include "mpi_records.h"
#include "mpi_route.h"
#include "test_support.h"
#include "tests/gallery/gallery_fixtures.h"

static uint64_t random_next(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static int by_order(const void *a, const void *b) { return bm_mpi_candidate_order_(a, b); }

/* ------------------------------------------------------------- merge */

/* Random candidates spread over `ranks` blocks (ids unique, scores with
 * many ties), merged in a random tree, equal the sorted union's top_k. */
START_TEST(merge_equals_sorted_union) {
  uint64_t state = 1234 + (uint64_t)_i;
  for (int round = 0; round < 200; ++round) {
    const uint32_t top_k = 1 + (uint32_t)(random_next(&state) % 13);
    const int ranks = 1 + (int)(random_next(&state) % 6);
    const size_t bytes = bm_mpi_block_bytes_(top_k);
    bm_mpi_block_ **blocks = calloc((size_t)ranks, sizeof *blocks);
    bm_mpi_candidate_ *all = calloc((size_t)ranks * 20, sizeof *all);
    size_t total = 0;
    for (int r = 0; r < ranks; ++r) {
      blocks[r] = malloc(bytes);
      bm_mpi_block_init_(blocks[r], top_k, BM_OK);
      blocks[r]->comparisons = (uint64_t)r + 1;
      /* a rank may hold more candidates than top_k: keep its best top_k, as identify does */
      const size_t held = random_next(&state) % 20;
      bm_mpi_candidate_ local[20];
      memset(local, 0, sizeof local);
      for (size_t i = 0; i < held; ++i) {
        snprintf(local[i].id, sizeof local[i].id, "r%d-%zu-%llu", r, i, (unsigned long long)(random_next(&state) % 50));
        local[i].score = (double)(random_next(&state) % 5);
        local[i].finger_count = (uint8_t)(i % 3);
        all[total++] = local[i];
      }
      qsort(local, held, sizeof *local, by_order);
      const size_t kept = held < top_k ? held : top_k;
      memcpy(bm_mpi_block_slots_(blocks[r]), local, kept * sizeof *local);
      blocks[r]->count = (uint32_t)kept;
    }
    /* random pairwise merges until one block is left */
    int alive = ranks;
    while (alive > 1) {
      const int x = (int)(random_next(&state) % (uint64_t)alive);
      int y = (int)(random_next(&state) % (uint64_t)(alive - 1));
      if (y >= x) ++y;
      bm_mpi_block_merge_(blocks[x], blocks[y]);
      free(blocks[x]);
      blocks[x] = blocks[--alive];
    }
    qsort(all, total, sizeof *all, by_order);
    const size_t expected = total < top_k ? total : top_k;
    ck_assert_uint_eq(blocks[0]->count, expected);
    ck_assert_uint_eq(blocks[0]->comparisons, (uint64_t)ranks * (ranks + 1) / 2);
    const bm_mpi_candidate_ *got = bm_mpi_block_slots_const_(blocks[0]);
    for (size_t i = 0; i < expected; ++i) {
      ck_assert_str_eq(got[i].id, all[i].id);
      ck_assert(got[i].score == all[i].score);
      ck_assert_uint_eq(got[i].finger_count, all[i].finger_count);
    }
    free(blocks[0]);
    free(blocks);
    free(all);
  }
}
END_TEST

START_TEST(merge_combines_status_commutatively) {
  const size_t bytes = bm_mpi_block_bytes_(4);
  bm_mpi_block_ *a = malloc(bytes), *b = malloc(bytes), *c = malloc(bytes), *d = malloc(bytes);
  bm_mpi_block_init_(a, 4, BM_ERR_PARSE);
  bm_mpi_block_init_(b, 4, BM_ERR_IO);
  bm_mpi_block_init_(c, 4, BM_OK);
  memcpy(d, b, bytes);
  bm_mpi_block_merge_(a, b); /* a into b */
  bm_mpi_block_merge_(d, a); /* b into a */
  ck_assert_int_eq(a->status, b->status);
  ck_assert_int_eq(a->status, BM_ERR_IO);
  bm_mpi_block_merge_(c, a);
  ck_assert_int_eq(a->status, BM_ERR_IO);
  free(a), free(b), free(c), free(d);
}
END_TEST

/* ------------------------------------------------------------- routing */

START_TEST(owner_rank_is_stable_and_balanced) {
  /* FNV-1a 64 test vectors: the hash must never change (records would move) */
  ck_assert(bm_mpi_id_hash_("", 0) == 0xcbf29ce484222325ull);
  ck_assert(bm_mpi_id_hash_("a", 1) == 0xaf63dc4c8601ec8cull);
  ck_assert(bm_mpi_id_hash_("foobar", 6) == 0x85944171f73967e8ull);
  ck_assert_int_eq(bm_mpi_owner_rank_("anything", 1), 0);
  for (int ranks = 2; ranks <= 7; ++ranks) {
    int counts[7] = {0};
    char id[32];
    for (int i = 0; i < 70000; ++i) {
      snprintf(id, sizeof id, "person-%07d", i);
      const int owner = bm_mpi_owner_rank_(id, ranks);
      ck_assert_int_ge(owner, 0);
      ck_assert_int_lt(owner, ranks);
      ++counts[owner];
    }
    for (int r = 0; r < ranks; ++r) {
      const double share = counts[r] * (double)ranks / 70000.0;
      ck_assert_msg(share > 0.95 && share < 1.05, "rank %d of %d holds %.3f of its share", r, ranks, share);
    }
  }
}
END_TEST

/* ------------------------------------------------------------- records */

enum { FACE_DIMENSION = 64 };

/* A memory gallery of synthetic records: duplicates, faces on some,
 * unknown-position fingers on some. */
static bm_gallery *small_gallery(int with_faces) {
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = 2;
  options.face_dimension = with_faces ? FACE_DIMENSION : 0;
  bm_gallery *gallery = NULL;
  ck_assert_int_eq(bm_gallery_create(&options, &gallery), BM_OK);
  char id[32];
  float face[FACE_DIMENSION];
  for (int i = 0; i < 14; ++i) {
    const uint64_t person = (uint64_t)(i % 9); /* 9..13 duplicate 0..4 */
    snprintf(id, sizeof id, "rec-%02d", i);
    const unsigned positions = (i % 4 == 3) ? ((1u << 1) | (1u << 0)) : ((1u << 1) | (1u << 2) | (1u << 6));
    bm_gallery_record *record = gf_record(id, person, (uint32_t)(i / 9), positions);
    if (with_faces && i % 3 != 1) {
      gf_embedding(person, 0.2f, (uint64_t)i, face, FACE_DIMENSION);
      ck_assert_int_eq(bm_gallery_record_set_face(record, face, FACE_DIMENSION), BM_OK);
      /* some records hold several photos: deduplication scores the best pair */
      for (size_t extra = 0; extra < i % 4; ++extra) {
        gf_embedding(person, 0.35f, (uint64_t)(i * 31 + extra + 1), face, FACE_DIMENSION);
        ck_assert_int_eq(bm_gallery_record_add_face(record, face, FACE_DIMENSION), BM_OK);
      }
    }
    ck_assert_int_eq(bm_gallery_enroll(gallery, record, BM_GALLERY_INSERT, NULL), BM_OK);
    bm_gallery_record_free(record);
  }
  ck_assert_int_eq(bm_gallery_delete(gallery, "rec-05", NULL), BM_OK);
  return gallery;
}

START_TEST(record_block_round_trip) {
  bm_gallery *gallery = small_gallery(1);
  uint8_t *block = NULL;
  size_t size = 0, count = 0;
  ck_assert_int_eq(bm_mpi_records_pack_(gallery, FACE_DIMENSION, &block, &size, &count), BM_OK);
  ck_assert_uint_eq(count, 13);
  bm_mpi_record_view_ *views = NULL;
  size_t parsed = 0;
  ck_assert_int_eq(bm_mpi_records_parse_(block, size, FACE_DIMENSION, &views, &parsed), BM_OK);
  ck_assert_uint_eq(parsed, count);
  for (size_t i = 0; i < parsed; ++i) {
    bm_gallery_record *record = NULL;
    ck_assert_int_eq(bm_gallery_get(gallery, views[i].id, &record), BM_OK);
    for (unsigned p = 0; p <= BM_GALLERY_MAX_POSITION; ++p) {
      size_t blob_size = 0;
      const void *blob = bm_gallery_record_prepared(record, p, &blob_size);
      ck_assert_int_eq(blob != NULL, views[i].blobs[p] != NULL);
      if (!blob) continue;
      ck_assert_uint_eq(blob_size, views[i].blob_sizes[p]);
      ck_assert(memcmp(blob, views[i].blobs[p], blob_size) == 0);
    }
    const size_t faces = bm_gallery_record_face_count(record);
    ck_assert_uint_eq(faces, views[i].face_count);
    ck_assert_int_eq(faces != 0, views[i].faces != NULL);
    for (size_t f = 0; f < faces; ++f)
      ck_assert(memcmp(bm_gallery_record_face_at(record, f, NULL), views[i].faces + f * views[i].face_stride,
                       FACE_DIMENSION * sizeof(float)) == 0);
    bm_gallery_record_free(record);
  }
  free(views);
  /* a block of the wrong face dimension is refused */
  ck_assert_int_eq(bm_mpi_records_parse_(block, size, 128, &views, &parsed), BM_ERR_CORRUPT);
  free(block);
  bm_gallery_close(gallery);
}
END_TEST

/* Every truncation and many single-byte changes of a block either parse
 * into valid views or fail with BM_ERR_CORRUPT: never a crash (ASan). */
START_TEST(record_block_damage_is_reported) {
  bm_gallery *gallery = small_gallery(1);
  uint8_t *block = NULL;
  size_t size = 0, count = 0;
  ck_assert_int_eq(bm_mpi_records_pack_(gallery, FACE_DIMENSION, &block, &size, &count), BM_OK);
  uint8_t *copy = aligned_alloc(BM_MPI_RECORD_ALIGN_, size);
  bm_mpi_record_view_ *views = NULL;
  size_t parsed = 0;
  for (size_t cut = 0; cut < size; cut += BM_MPI_RECORD_ALIGN_) {
    memcpy(copy, block, cut);
    ck_assert_int_eq(bm_mpi_records_parse_(copy, cut, FACE_DIMENSION, &views, &parsed), BM_ERR_CORRUPT);
  }
  uint64_t state = 99;
  int refused = 0;
  for (int round = 0; round < 3000; ++round) {
    memcpy(copy, block, size);
    const size_t at = random_next(&state) % size;
    copy[at] ^= (uint8_t)(1u << (random_next(&state) % 8));
    const bm_status status = bm_mpi_records_parse_(copy, size, FACE_DIMENSION, &views, &parsed);
    ck_assert(status == BM_OK || status == BM_ERR_CORRUPT);
    refused += status != BM_OK;
    free(views);
    views = NULL;
  }
  ck_assert_int_gt(refused, 100);
  free(copy);
  free(block);
  bm_gallery_close(gallery);
}
END_TEST

/* ------------------------------------------------------------- pairs */

/* Scores of every pair, computed as one rank would across a split of the
 * records into two blocks, equal bm_gallery_dedup()'s bit for bit, and the
 * clusters are the same. */
static void check_pairs_against_gallery(int with_faces) {
  bm_gallery *gallery = small_gallery(with_faces);
  const uint32_t face_dimension = with_faces ? FACE_DIMENSION : 0;
  bm_gallery_dedup_result *expected = NULL;
  ck_assert_int_eq(bm_gallery_dedup(gallery, NULL, 0, 1.0, 1, NULL, NULL, &expected), BM_OK);
  uint8_t *block = NULL;
  size_t size = 0, count = 0;
  ck_assert_int_eq(bm_mpi_records_pack_(gallery, face_dimension, &block, &size, &count), BM_OK);
  bm_mpi_record_view_ *views = NULL;
  ck_assert_int_eq(bm_mpi_records_parse_(block, size, face_dimension, &views, &count), BM_OK);
  bm_mpi_probe_set_ *probes = calloc(count, sizeof *probes);
  for (size_t i = 0; i < count; ++i) ck_assert_int_eq(bm_mpi_probe_set_create_(&views[i], &probes[i]), BM_OK);
  /* two "ranks": odd and even records interleaved by id, so both orders of ids occur across sides */
  bm_mpi_record_view_ *side[2];
  bm_mpi_probe_set_ *side_probes[2];
  size_t side_count[2] = {0, 0};
  for (int s = 0; s < 2; ++s) {
    side[s] = calloc(count, sizeof *side[s]);
    side_probes[s] = calloc(count, sizeof *side_probes[s]);
  }
  for (size_t i = 0; i < count; ++i) {
    const int s = (int)(i % 2);
    side[s][side_count[s]] = views[i];
    side[s][side_count[s]].id = side[s][side_count[s]].id_storage;
    side_probes[s][side_count[s]++] = probes[i];
  }
  bm_mpi_pair_list_ pairs = {0};
  /* the cross pairs in two halves by parity (as the last ring step of an even job), then the pairs inside each side */
  ck_assert_int_eq(bm_mpi_cross_pairs_(side[0], side_probes[0], side_count[0], side[1], side_probes[1], side_count[1],
                                       face_dimension, 0, 1.0, 2, &pairs), BM_OK);
  ck_assert_int_eq(bm_mpi_cross_pairs_(side[1], side_probes[1], side_count[1], side[0], side_probes[0], side_count[0],
                                       face_dimension, 1, 1.0, 1, &pairs), BM_OK);
  for (int s = 0; s < 2; ++s)
    ck_assert_int_eq(bm_mpi_block_pairs_(side[s], side_probes[s], side_count[s], face_dimension, 1.0, 2, &pairs), BM_OK);
  ck_assert_uint_eq(pairs.compared, count * (count - 1) / 2);
  const char **ids = NULL;
  size_t id_count = 0, *members = NULL, *starts = NULL, clusters = 0;
  ck_assert_int_eq(bm_mpi_cluster_pairs_(&pairs, &ids, &id_count, &members, &starts, &clusters), BM_OK);
  ck_assert_uint_eq(pairs.count, bm_gallery_dedup_pair_count(expected));
  for (size_t i = 0; i < pairs.count; ++i) {
    const char *a, *b;
    double score, fmr;
    ck_assert_int_eq(bm_gallery_dedup_pair(expected, i, &a, &b, &score, &fmr), BM_OK);
    ck_assert_str_eq(pairs.pairs[i].a, a);
    ck_assert_str_eq(pairs.pairs[i].b, b);
    ck_assert_msg(pairs.pairs[i].score == score, "%s %s: %.17g vs %.17g", a, b, pairs.pairs[i].score, score);
    ck_assert(pairs.pairs[i].fmr == fmr);
  }
  ck_assert_uint_eq(clusters, bm_gallery_dedup_cluster_count(expected));
  for (size_t c = 0; c < clusters; ++c) {
    ck_assert_uint_eq(starts[c + 1] - starts[c], bm_gallery_dedup_cluster_size(expected, c));
    for (size_t j = starts[c]; j < starts[c + 1]; ++j)
      ck_assert_str_eq(ids[members[j]], bm_gallery_dedup_cluster_member(expected, c, j - starts[c]));
  }
  free(ids), free(members), free(starts);
  bm_mpi_pair_list_free_(&pairs);
  for (size_t i = 0; i < count; ++i) bm_mpi_probe_set_free_(&probes[i]);
  for (int s = 0; s < 2; ++s) free(side[s]), free(side_probes[s]);
  free(probes);
  free(views);
  free(block);
  bm_gallery_dedup_free(expected);
  bm_gallery_close(gallery);
}

START_TEST(cross_pairs_equal_gallery_dedup_fingers) { check_pairs_against_gallery(0); }
END_TEST

START_TEST(cross_pairs_equal_gallery_dedup_faces) { check_pairs_against_gallery(1); }
END_TEST

START_TEST(clusters_of_chains_and_stars) {
  bm_mpi_pair_list_ pairs = {0};
  /* d-e, a-b, b-c (chain a..c), x-z, y-z (star at z), listed out of order */
  const char *list[][2] = {{"d", "e"}, {"b", "c"}, {"y", "z"}, {"a", "b"}, {"x", "z"}};
  for (size_t i = 0; i < 5; ++i) ck_assert_int_eq(bm_mpi_pair_list_push_(&pairs, list[i][0], list[i][1], 1.0, 0.1), BM_OK);
  const char **ids = NULL;
  size_t id_count = 0, *members = NULL, *starts = NULL, clusters = 0;
  ck_assert_int_eq(bm_mpi_cluster_pairs_(&pairs, &ids, &id_count, &members, &starts, &clusters), BM_OK);
  ck_assert_uint_eq(id_count, 8);
  ck_assert_uint_eq(clusters, 3);
  const char *expected[3][3] = {{"a", "b", "c"}, {"d", "e", NULL}, {"x", "y", "z"}};
  for (size_t c = 0; c < 3; ++c)
    for (size_t j = starts[c]; j < starts[c + 1]; ++j) ck_assert_str_eq(ids[members[j]], expected[c][j - starts[c]]);
  ck_assert_str_eq(pairs.pairs[0].a, "a");
  ck_assert_str_eq(pairs.pairs[4].b, "z");
  free(ids), free(members), free(starts);
  bm_mpi_pair_list_free_(&pairs);
}
END_TEST

/* ------------------------------------------------------------- inputs */

START_TEST(face_files_and_damaged_npy) {
  float *face = NULL;
  size_t dimension = 0;
  const float raw[3] = {1.0f, 2.0f, 3.0f};
  ck_assert_int_eq(bm_mpi_parse_face_((const uint8_t *)raw, sizeof raw, &face, &dimension), BM_OK);
  ck_assert_uint_eq(dimension, 3);
  ck_assert(face[2] == 3.0f);
  free(face);
  ck_assert_int_eq(bm_mpi_parse_face_((const uint8_t *)raw, 5, &face, &dimension), BM_ERR_PARSE);
  ck_assert_int_eq(bm_mpi_parse_face_((const uint8_t *)raw, 0, &face, &dimension), BM_ERR_PARSE);
  /* a valid (1, 3) .npy, then damaged copies */
  uint8_t npy[128];
  const char header[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }";
  memcpy(npy, "\x93NUMPY\x01\x00", 8);
  const size_t header_length = sizeof header - 1;
  npy[8] = (uint8_t)header_length;
  npy[9] = 0;
  memcpy(npy + 10, header, header_length);
  memcpy(npy + 10 + header_length, raw, sizeof raw);
  const size_t size = 10 + header_length + sizeof raw;
  ck_assert_int_eq(bm_mpi_parse_face_(npy, size, &face, &dimension), BM_OK);
  ck_assert_uint_eq(dimension, 3);
  ck_assert(face[0] == 1.0f);
  free(face);
  for (size_t cut = 6; cut < size; ++cut)
    ck_assert_int_eq(bm_mpi_parse_face_(npy, cut, &face, &dimension), BM_ERR_PARSE);
  uint8_t bad[128];
  memcpy(bad, npy, size);
  bad[10 + 12] = '8'; /* '<f4' -> '<f8' */
  ck_assert_int_eq(bm_mpi_parse_face_(bad, size, &face, &dimension), BM_ERR_PARSE);
  memcpy(bad, npy, size);
  bad[8] = 0xff; /* header length beyond the file */
  ck_assert_int_eq(bm_mpi_parse_face_(bad, size, &face, &dimension), BM_ERR_PARSE);
}
END_TEST

START_TEST(probe_messages_truncated_or_damaged) {
  /* a probe message built by hand: one part of garbage template bytes */
  bm_mpi_buffer_ message = {0};
  ck_assert_int_eq(bm_mpi_buffer_append_u32_(&message, 0), BM_OK);
  ck_assert_int_eq(bm_mpi_buffer_append_u32_(&message, 1), BM_OK);
  ck_assert_int_eq(bm_mpi_buffer_append_u32_(&message, 1), BM_OK);
  ck_assert_int_eq(bm_mpi_buffer_append_u64_(&message, 5), BM_OK);
  ck_assert_int_eq(bm_mpi_buffer_append_(&message, "junk!", 5), BM_OK);
  bm_read_options read;
  bm_read_options_init(&read);
  bm_gallery_probe *probe = NULL;
  bm_status root_status;
  for (size_t cut = 0; cut < message.size; ++cut) {
    bm_mpi_reader_ reader = {message.data, cut, 0};
    ck_assert_int_eq(bm_mpi_probe_unpack_(&reader, &read, &root_status, &probe), BM_ERR_CORRUPT);
    ck_assert_ptr_null(probe);
  }
  bm_mpi_reader_ reader = {message.data, message.size, 0};
  const bm_status status = bm_mpi_probe_unpack_(&reader, &read, &root_status, &probe);
  ck_assert_int_ne(status, BM_OK); /* the template parser's own error */
  ck_assert_int_ne(status, BM_ERR_CORRUPT);
  ck_assert_uint_eq(reader.at, message.size);
  /* a root-side failure travels as a status */
  bm_mpi_buffer_ failed = {0};
  ck_assert_int_eq(bm_mpi_probe_pack_("/nonexistent/probe.bmt", 1, &failed), BM_ERR_IO);
  bm_mpi_reader_ failed_reader = {failed.data, failed.size, 0};
  ck_assert_int_eq(bm_mpi_probe_unpack_(&failed_reader, &read, &root_status, &probe), BM_OK);
  ck_assert_int_eq(root_status, BM_ERR_IO);
  ck_assert_ptr_null(probe);
  ck_assert_int_eq(bm_mpi_probe_pack_("3:/a,x:/b", 1, &failed), BM_ERR_IO); /* first part unreadable */
  ck_assert_int_eq(bm_mpi_parse_position_("face"), BM_MPI_POSITION_FACE_);
  ck_assert_int_eq(bm_mpi_parse_position_("11"), -1);
  ck_assert_int_eq(bm_mpi_parse_position_("-1"), -1);
  ck_assert_int_eq(bm_mpi_parse_position_("3x"), -1);
  bm_mpi_buffer_free_(&message);
  bm_mpi_buffer_free_(&failed);
}
END_TEST

static Suite *mpi_suite(void) {
  Suite *suite = suite_create("mpi");
  TCase *tc = tcase_create("units");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, merge_equals_sorted_union, 0, 4);
  tcase_add_test(tc, merge_combines_status_commutatively);
  tcase_add_test(tc, owner_rank_is_stable_and_balanced);
  tcase_add_test(tc, record_block_round_trip);
  tcase_add_test(tc, record_block_damage_is_reported);
  tcase_add_test(tc, cross_pairs_equal_gallery_dedup_fingers);
  tcase_add_test(tc, cross_pairs_equal_gallery_dedup_faces);
  tcase_add_test(tc, clusters_of_chains_and_stars);
  tcase_add_test(tc, face_files_and_damaged_npy);
  tcase_add_test(tc, probe_messages_truncated_or_damaged);
  suite_add_tcase(suite, tc);
  return suite;
}

int main(void) { return bm_test_run_suite(mpi_suite()); }

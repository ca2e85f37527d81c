/* Routed, acknowledged writes (see mpi_writes.h). */
#include "mpi_writes.h"

#include <stdlib.h>
#include <string.h>

#include "mpi_buffer.h"
#include "mpi_inputs.h"
#include "mpi_route.h"

enum { KIND_PUT = 1, KIND_DELETE = 2, LINE_BYTES = 8192 };

/* A rank's answer to one line: 256 bytes, four transfer units. */
typedef struct answer {
  uint32_t line;
  int32_t status;
  char message[248];
} answer;

typedef struct line_result {
  char id[BM_GALLERY_MAX_ID_BYTES + 1];
  int kind;
  bm_status status;
  char *message; /* malloc'd, errors only */
} line_result;

static size_t pad_units(size_t bytes) { return (bytes + BM_MPI_UNIT_BYTES_ - 1) / BM_MPI_UNIT_BYTES_; }

/* Root: parses one line into `result` and, when valid, appends its entry to
 * the owner's message. Returns 0 at a blank line (nothing to do). */
static int route_line(char *text, uint32_t line, int rank_count, bm_mpi_buffer_ *messages, line_result *result) {
  memset(result, 0, sizeof *result);
  text[strcspn(text, "\r\n")] = '\0';
  char *save = NULL;
  char *first = strtok_r(text, " \t", &save);
  if (!first) return 0;
  char *second = strtok_r(NULL, " \t", &save);
  char *third = strtok_r(NULL, "", &save);
  while (third && (*third == ' ' || *third == '\t')) ++third;
  const int is_delete = strcmp(first, "delete") == 0 && second && !third;
  const char *id = is_delete ? second : first;
  snprintf(result->id, sizeof result->id, "%s", id);
  result->kind = is_delete ? KIND_DELETE : KIND_PUT;
  const size_t id_length = strlen(id);
  if (id_length == 0 || id_length > BM_GALLERY_MAX_ID_BYTES) {
    result->status = BM_ERR_INVALID_ARGUMENT;
    result->message = strdup("id must have 1..64 bytes");
    return 1;
  }
  int position = 0;
  uint8_t *bytes = NULL;
  size_t size = 0;
  if (!is_delete) {
    position = second ? bm_mpi_parse_position_(second) : -1;
    if (position < 0 || !third || !*third) {
      result->status = BM_ERR_INVALID_ARGUMENT;
      result->message = strdup("expected \"ID POSITION PATH\" (POSITION 0..10 or face) or \"delete ID\"");
      return 1;
    }
    bm_status status = bm_mpi_read_file_(third, &bytes, &size);
    if (status != BM_OK) {
      result->status = status;
      result->message = strdup(bm_last_error_message());
      return 1;
    }
  }
  bm_mpi_buffer_ *message = &messages[bm_mpi_owner_rank_(id, rank_count)];
  bm_status status = bm_mpi_buffer_append_u32_(message, line);
  if (status == BM_OK) status = bm_mpi_buffer_append_u32_(message, (uint32_t)result->kind);
  if (status == BM_OK) status = bm_mpi_buffer_append_u32_(message, (uint32_t)position);
  if (status == BM_OK) status = bm_mpi_buffer_append_u32_(message, (uint32_t)id_length);
  if (status == BM_OK) status = bm_mpi_buffer_append_(message, id, id_length);
  if (status == BM_OK) status = bm_mpi_buffer_append_u64_(message, size);
  if (status == BM_OK) status = bm_mpi_buffer_append_(message, bytes, size);
  free(bytes);
  if (status != BM_OK) {
    result->status = status;
    result->message = strdup(bm_last_error_message());
  }
  return 1;
}

/* Owner: applies one entry to its gallery (not yet synced). */
static bm_status apply_entry(bm_gallery *gallery, uint32_t kind, uint32_t position, const char *id,
                             const uint8_t *bytes, size_t size, const bm_read_options *read) {
  if (kind == KIND_DELETE) return bm_gallery_delete(gallery, id, NULL);
  bm_gallery_record *record = NULL;
  bm_status status = bm_gallery_record_create(id, &record);
  if (status == BM_OK && position == BM_MPI_POSITION_FACE_) {
    float *face = NULL;
    size_t dimension = 0;
    status = bm_mpi_parse_face_(bytes, size, &face, &dimension);
    if (status == BM_OK) status = bm_gallery_record_set_face(record, face, dimension);
    free(face);
  } else if (status == BM_OK) {
    bm_template *tpl = NULL;
    status = bm_template_read_memory_ex(bytes, size, read, &tpl);
    if (status == BM_OK) status = bm_gallery_record_set_finger(record, position, tpl);
    bm_template_free(tpl);
  }
  if (status == BM_OK) status = bm_gallery_enroll(gallery, record, BM_GALLERY_MERGE, NULL);
  bm_gallery_record_free(record);
  return status;
}

static void set_answer(answer *a, uint32_t line, bm_status status) {
  memset(a, 0, sizeof *a);
  a->line = line;
  a->status = (int32_t)status;
  if (status != BM_OK) snprintf(a->message, sizeof a->message, "%s", bm_last_error_message());
}

/* Owner: applies its entries, syncs once, returns the answers. */
static bm_status apply_entries(const bm_mpi_job_ *job, const uint8_t *data, size_t size,
                               const bm_read_options *read, bm_mpi_buffer_ *answers) {
  bm_mpi_reader_ reader = {data, size, 0};
  size_t applied = 0;
  bm_status status = BM_OK;
  while (status == BM_OK && reader.size - reader.at >= 16) {
    uint32_t line, kind, position, id_length;
    uint64_t bytes_size;
    const uint8_t *id_bytes, *bytes;
    if (!bm_mpi_read_u32_(&reader, &line)) break;
    if (line == UINT32_MAX) break; /* padding */
    answer a;
    if (!bm_mpi_read_u32_(&reader, &kind) || !bm_mpi_read_u32_(&reader, &position) ||
        !bm_mpi_read_u32_(&reader, &id_length) || id_length == 0 || id_length > BM_GALLERY_MAX_ID_BYTES ||
        !bm_mpi_read_bytes_(&reader, id_length, &id_bytes) || !bm_mpi_read_u64_(&reader, &bytes_size) ||
        !bm_mpi_read_bytes_(&reader, bytes_size, &bytes) || (kind != KIND_PUT && kind != KIND_DELETE) ||
        position > BM_MPI_POSITION_FACE_) {
      /* cannot happen between ranks of one build; refuse the rest rather than guess */
      return BM_ERR_CORRUPT;
    }
    char id[BM_GALLERY_MAX_ID_BYTES + 1];
    memcpy(id, id_bytes, id_length);
    id[id_length] = '\0';
    set_answer(&a, line, apply_entry(job->gallery, kind, position, id, bytes, bytes_size, read));
    status = bm_mpi_buffer_append_(answers, &a, sizeof a);
    ++applied;
  }
  if (status != BM_OK || applied == 0) return status;
  /* one sync makes every write of the batch durable before any answer leaves */
  const bm_status synced = bm_gallery_sync(job->gallery);
  if (synced != BM_OK) {
    answer *all = (answer *)(void *)answers->data;
    for (size_t i = 0; i < applied; ++i)
      if (all[i].status == BM_OK) set_answer(&all[i], all[i].line, synced);
  }
  return BM_OK;
}

bm_status bm_mpi_write_lines_(const bm_mpi_job_ *job, FILE *in, FILE *out, const bm_mpi_write_options_ *options,
                              unsigned long long *failed_lines) {
  const int root = job->rank == 0;
  const int ranks = job->size;
  bm_mpi_buffer_ *messages = root ? calloc((size_t)ranks, sizeof *messages) : NULL;
  line_result *results = root ? calloc(options->batch, sizeof *results) : NULL;
  int *counts = root ? calloc((size_t)ranks, sizeof *counts) : NULL;
  int *displacements = root ? calloc((size_t)ranks, sizeof *displacements) : NULL;
  char *text = root ? malloc(LINE_BYTES) : NULL;
  bm_status status = root && (!messages || !results || !counts || !displacements || !text) ? BM_ERR_OUT_OF_MEMORY : BM_OK;
  status = bm_mpi_agree_(job, status);
  *failed_lines = 0;
  while (status == BM_OK) {
    /* root: read and route one batch */
    uint32_t lines = 0;
    bm_status local = BM_OK;
    if (root) {
      for (int r = 0; r < ranks; ++r) messages[r].size = 0;
      while (lines < options->batch && fgets(text, LINE_BYTES, in)) {
        if (route_line(text, lines, ranks, messages, &results[lines])) ++lines;
      }
      for (int r = 0; r < ranks && local == BM_OK; ++r) {
        /* pad with a line number no entry has, so owners stop there */
        const size_t units = pad_units(messages[r].size + 4);
        local = bm_mpi_buffer_append_u32_(&messages[r], UINT32_MAX);
        if (local == BM_OK) local = bm_mpi_buffer_append_(&messages[r], NULL, units * BM_MPI_UNIT_BYTES_ - messages[r].size);
        counts[r] = (int)units;
        displacements[r] = r ? displacements[r - 1] + counts[r - 1] : 0;
      }
    }
    uint32_t more = lines;
    MPI_Bcast(&more, 1, MPI_UINT32_T, 0, job->comm);
    if (more == 0) break;
    int my_units = 0;
    MPI_Scatter(counts, 1, MPI_INT, &my_units, 1, MPI_INT, 0, job->comm);
    bm_mpi_buffer_ all = {0}, mine = {0}, answers = {0};
    if (root) {
      for (int r = 0; r < ranks && local == BM_OK; ++r)
        local = bm_mpi_buffer_append_(&all, messages[r].data, (size_t)counts[r] * BM_MPI_UNIT_BYTES_);
    }
    if (local == BM_OK) local = bm_mpi_buffer_append_(&mine, NULL, (size_t)my_units * BM_MPI_UNIT_BYTES_);
    status = bm_mpi_agree_(job, local);
    if (status != BM_OK) {
      bm_mpi_buffer_free_(&all);
      bm_mpi_buffer_free_(&mine);
      break;
    }
    MPI_Scatterv(all.data, counts, displacements, bm_mpi_unit_type_(), mine.data, my_units, bm_mpi_unit_type_(), 0,
                 job->comm);
    bm_mpi_buffer_free_(&all);
    local = apply_entries(job, mine.data, mine.size, &options->read, &answers);
    bm_mpi_buffer_free_(&mine);
    status = bm_mpi_agree_(job, local);
    if (status != BM_OK) {
      bm_mpi_buffer_free_(&answers);
      break;
    }
    /* answers back to the root: four units each */
    int answer_units = (int)(answers.size / BM_MPI_UNIT_BYTES_);
    MPI_Gather(&answer_units, 1, MPI_INT, counts, 1, MPI_INT, 0, job->comm);
    bm_mpi_buffer_ gathered = {0};
    if (root) {
      for (int r = 0; r < ranks; ++r) displacements[r] = r ? displacements[r - 1] + counts[r - 1] : 0;
      local = bm_mpi_buffer_append_(&gathered, NULL,
                                    (size_t)(displacements[ranks - 1] + counts[ranks - 1]) * BM_MPI_UNIT_BYTES_ + 1);
    }
    status = bm_mpi_agree_(job, local);
    if (status == BM_OK)
      MPI_Gatherv(answers.data, answer_units, bm_mpi_unit_type_(), gathered.data, counts, displacements,
                  bm_mpi_unit_type_(), 0, job->comm);
    bm_mpi_buffer_free_(&answers);
    if (root && status == BM_OK) {
      const answer *got = (const answer *)(const void *)gathered.data;
      const size_t n = (gathered.size - 1) / sizeof(answer);
      for (size_t i = 0; i < n; ++i) {
        if (got[i].line >= lines) continue;
        line_result *r = &results[got[i].line];
        r->status = (bm_status)got[i].status;
        if (r->status != BM_OK) r->message = strdup(got[i].message);
      }
      for (uint32_t l = 0; l < lines; ++l) {
        line_result *r = &results[l];
        if (r->status == BM_OK) {
          fprintf(out, "%s %s\n", r->kind == KIND_DELETE ? "deleted" : "ok", r->id);
        } else {
          fprintf(stderr, "error %s: %s: %s\n", r->id, bm_error_name(r->status), r->message ? r->message : "");
          ++*failed_lines;
        }
        free(r->message);
        r->message = NULL;
      }
      fflush(out);
    }
    bm_mpi_buffer_free_(&gathered);
  }
  for (int r = 0; messages && r < ranks; ++r) bm_mpi_buffer_free_(&messages[r]);
  free(messages);
  free(results);
  free(counts);
  free(displacements);
  free(text);
  return status;
}

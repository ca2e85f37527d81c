/* Persistence throughput, each figure next to a reference measured in the
 * same run (the machine is shared and noisy: ratios are what count).
 *
 *   append/...    1 KB records through the store: fdatasync per record,
 *                 group commit of 64 records per fdatasync, no sync. The
 *                 references raw/pwrite+fdatasync and raw/pwrite are the bare
 *                 system calls on a file of the same directory.
 *   load/...      verified load of a snapshot (every section's CRC-32C) by
 *                 mmap and by read, warm page cache; the reference
 *                 raw/crc32c is the checksum alone over the same bytes in
 *                 memory. Seconds per GB = 1e9 / bytes_per_second.
 *
 *   build/bench/persist/bench_persist --benchmark_out=persist.json --benchmark_out_format=json
 *   python3 bench/persist/persist_ratios.py persist.json
 *
 * Files go to $BM_BENCH_DIR (default: the current directory), which should
 * be on the disk being measured; the snapshot is $BM_BENCH_SNAPSHOT_MB MB
 * (default 512).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_shim.h"
#include "gallery/store.h"
#include "util/crc32c.h"

enum { RECORD_SIZE = 1024, GROUP_RECORDS = 64, SECTION_COUNT = 8 };
/* A checkpoint every this many records keeps the log (and the disk use of
 * the no-sync case) bounded; it runs outside the timed region. */
enum { RECORDS_PER_LOG = 65536 };

static char base_directory[4096];
static unsigned char record[RECORD_SIZE];

static void fail_(const char *what) {
  fprintf(stderr, "bench_persist: %s: %s\n", what, bm_last_error_message());
  exit(1);
}

static void remove_directory_(const char *path) {
  char command[4400];
  snprintf(command, sizeof command, "rm -rf '%s'", path);
  if (system(command) != 0) fprintf(stderr, "bench_persist: could not remove %s\n", path);
}

static void append_case_(bm_bench_state *state, void *context) {
  const bm_store_options_ *options = context;
  char directory[4200];
  snprintf(directory, sizeof directory, "%s/bench-persist-append", base_directory);
  remove_directory_(directory);
  bm_store_ *store = NULL;
  if (bm_store_open_(directory, options, NULL, &store) != BM_OK) fail_("open");
  int64_t appended = 0;
  while (bm_bench_keep_running(state)) {
    if (bm_store_append_(store, 1, record, sizeof record, NULL) != BM_OK) fail_("append");
    if (++appended % RECORDS_PER_LOG == 0) {
      bm_bench_pause_timing(state);
      if (bm_store_checkpoint_(store, NULL, 0) != BM_OK) fail_("checkpoint");
      bm_bench_resume_timing(state);
    }
  }
  if (bm_store_sync_(store) != BM_OK) fail_("sync"); /* the last partial group is part of the cost */
  bm_bench_set_items_processed(state, appended);
  bm_bench_set_bytes_processed(state, appended * RECORD_SIZE);
  bm_store_close_(store);
  remove_directory_(directory);
}

/* The system calls alone: what any log must pay per record. */
static void raw_write_case_(bm_bench_state *state, void *context) {
  int sync_each = context != NULL;
  char path[4200];
  snprintf(path, sizeof path, "%s/bench-persist-raw", base_directory);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail_("open raw file");
  off_t offset = 0;
  int64_t written = 0;
  while (bm_bench_keep_running(state)) {
    if (pwrite(fd, record, sizeof record, offset) != (ssize_t)sizeof record) fail_("pwrite");
    offset += RECORD_SIZE;
    if (sync_each && fdatasync(fd) != 0) fail_("fdatasync");
    if (++written % RECORDS_PER_LOG == 0) offset = 0;
  }
  bm_bench_set_items_processed(state, written);
  bm_bench_set_bytes_processed(state, written * RECORD_SIZE);
  close(fd);
  unlink(path);
}

static struct {
  unsigned char *bytes;
  size_t size;
  char path[4200];
} snapshot_data;

static void load_case_(bm_bench_state *state, void *context) {
  int use_mmap = context != NULL;
  while (bm_bench_keep_running(state)) {
    bm_snapshot_ *snapshot = NULL;
    if (bm_snapshot_load_(snapshot_data.path, use_mmap, &snapshot) != BM_OK) fail_("load");
    bm_snapshot_free_(snapshot);
  }
  bm_bench_set_bytes_processed(state, bm_bench_iterations(state) * (int64_t)snapshot_data.size);
}

static void crc_reference_case_(bm_bench_state *state, void *context) {
  (void)context;
  uint32_t sink = 0;
  while (bm_bench_keep_running(state)) sink ^= bm_crc32c_(0, snapshot_data.bytes, snapshot_data.size);
  if (sink == 0x12345678u) fprintf(stderr, "(unlikely checksum)\n");
  bm_bench_set_bytes_processed(state, bm_bench_iterations(state) * (int64_t)snapshot_data.size);
}

static void write_snapshot_(void) {
  const char *megabytes = getenv("BM_BENCH_SNAPSHOT_MB");
  snapshot_data.size = (size_t)(megabytes ? atol(megabytes) : 512) << 20;
  snapshot_data.bytes = malloc(snapshot_data.size);
  if (!snapshot_data.bytes) fail_("allocate snapshot");
  uint64_t state = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i + 8 <= snapshot_data.size; i += 8) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    memcpy(snapshot_data.bytes + i, &state, 8);
  }
  bm_snapshot_section_ sections[SECTION_COUNT];
  size_t section_size = snapshot_data.size / SECTION_COUNT;
  for (int i = 0; i < SECTION_COUNT; ++i) {
    sections[i].tag = (uint32_t)i;
    sections[i].data = snapshot_data.bytes + (size_t)i * section_size;
    sections[i].size = section_size;
  }
  snprintf(snapshot_data.path, sizeof snapshot_data.path, "%s/bench-persist.bms", base_directory);
  if (bm_snapshot_write_(base_directory, snapshot_data.path, 1, sections, SECTION_COUNT, bm_file_io_default_()) != BM_OK)
    fail_("write snapshot");
}

int main(int argc, char **argv) {
  const char *directory = getenv("BM_BENCH_DIR");
  snprintf(base_directory, sizeof base_directory, "%s", directory && *directory ? directory : ".");
  for (size_t i = 0; i < sizeof record; ++i) record[i] = (unsigned char)(i * 37);
  write_snapshot_();

  static const bm_store_options_ sync_each = {.sync_policy = BM_SYNC_EACH_};
  static const bm_store_options_ group = {.sync_policy = BM_SYNC_GROUP_, .group_records = GROUP_RECORDS};
  static const bm_store_options_ no_sync = {.sync_policy = BM_SYNC_NONE_};
  static int yes = 1;
  bm_bench_register("raw/pwrite+fdatasync", raw_write_case_, &yes, 0);
  bm_bench_register("append/sync_each", append_case_, (void *)&sync_each, 0);
  bm_bench_register("append/group_64", append_case_, (void *)&group, 0);
  bm_bench_register("raw/pwrite", raw_write_case_, NULL, 0);
  bm_bench_register("append/no_sync", append_case_, (void *)&no_sync, 0);
  bm_bench_register("raw/crc32c", crc_reference_case_, NULL, 0);
  bm_bench_register("load/mmap", load_case_, &yes, 0);
  bm_bench_register("load/read", load_case_, NULL, 0);
  int status = bm_bench_run(argc, argv);
  unlink(snapshot_data.path);
  free(snapshot_data.bytes);
  return status;
}

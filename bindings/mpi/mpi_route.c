/* Record ownership and the per-rank folders (see mpi_route.h). */
#include "mpi_route.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

uint64_t bm_mpi_id_hash_(const char *id, size_t length) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < length; ++i) {
    hash ^= (uint8_t)id[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

int bm_mpi_owner_rank_(const char *id, int rank_count) {
  if (rank_count <= 1) return 0;
  /* FNV-1a alone spreads ids differing in their last characters unevenly
   * (person-0000001, person-0000002, ...): the splitmix64 finaliser mixes
   * every bit into the high ones, which are then scaled to 0..R-1:
   * floor(h32 * R / 2^32). */
  uint64_t z = bm_mpi_id_hash_(id, strlen(id));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  const uint64_t high = z >> 32;
  return (int)((high * (uint64_t)rank_count) >> 32);
}

bm_status bm_mpi_rank_directory_(const char *db, int rank, char *out, size_t capacity) {
  const int n = snprintf(out, capacity, "%s/rank-%04d", db, rank);
  if (n < 0 || (size_t)n >= capacity) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery folder path too long: %s", db);
  return BM_OK;
}

static const char manifest_format[] = "biomatch-mpi gallery\nranks %d\nowner FNV-1a-64 splitmix64 multiply-shift\n";

static bm_status write_manifest(const char *path, const char *temporary, int rank_count) {
  char text[256];
  const int length = snprintf(text, sizeof text, manifest_format, rank_count);
  const int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return bm_fail_(BM_ERR_IO, "%s: %s", temporary, strerror(errno));
  const ssize_t written = write(fd, text, (size_t)length);
  const int synced = written == length ? fdatasync(fd) : -1;
  const int saved = errno;
  close(fd);
  if (written != length || synced != 0) {
    unlink(temporary);
    return bm_fail_(BM_ERR_IO, "%s: %s", temporary, strerror(saved));
  }
  if (rename(temporary, path) != 0) return bm_fail_(BM_ERR_IO, "%s: %s", path, strerror(errno));
  return BM_OK;
}

bm_status bm_mpi_check_manifest_(const char *db, int rank_count) {
  if (!db || rank_count < 1) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "no gallery folder or no ranks");
  if (mkdir(db, 0755) != 0 && errno != EEXIST) return bm_fail_(BM_ERR_IO, "%s: %s", db, strerror(errno));
  char path[BM_MPI_PATH_MAX_], temporary[BM_MPI_PATH_MAX_];
  if (snprintf(path, sizeof path, "%s/ranks.txt", db) >= (int)sizeof path ||
      snprintf(temporary, sizeof temporary, "%s/ranks.txt.new", db) >= (int)sizeof temporary)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery folder path too long: %s", db);
  FILE *file = fopen(path, "r");
  if (!file) {
    if (errno != ENOENT) return bm_fail_(BM_ERR_IO, "%s: %s", path, strerror(errno));
    /* A folder with rank galleries but no manifest was not made by this tool. */
    char rank0[BM_MPI_PATH_MAX_];
    bm_status status = bm_mpi_rank_directory_(db, 0, rank0, sizeof rank0);
    if (status != BM_OK) return status;
    struct stat info;
    if (stat(rank0, &info) == 0)
      return bm_fail_(BM_ERR_CORRUPT, "%s: rank folders without ranks.txt (manifest lost?)", db);
    status = write_manifest(path, temporary, rank_count);
    if (status != BM_OK) return status;
    /* the rename must survive a crash before any rank acknowledges a write */
    const int dir = open(db, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      (void)fsync(dir);
      close(dir);
    }
    return BM_OK;
  }
  char text[256];
  const size_t length = fread(text, 1, sizeof text - 1, file);
  fclose(file);
  text[length] = '\0';
  int stored = 0;
  if (sscanf(text, "biomatch-mpi gallery\nranks %d", &stored) != 1 || stored < 1)
    return bm_fail_(BM_ERR_CORRUPT, "%s: not a biomatch-mpi manifest", path);
  if (stored != rank_count)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT,
                    "%s holds a gallery over %d ranks; this job has %d (records are owned by rank, run with -np %d)",
                    db, stored, rank_count, stored);
  return BM_OK;
}

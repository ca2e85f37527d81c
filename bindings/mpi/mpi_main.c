/* biomatch-mpi: the gallery sharded across MPI ranks (docs/mpi.md).
 *
 *   mpirun -np R biomatch-mpi enroll|identify|dedup|checkpoint|stats --db DIR ...
 *
 * Every rank runs this program with the same arguments; rank 0 reads the
 * inputs and prints, each rank r keeps its records in DIR/rank-r. Commands
 * and their output mirror the single-machine CLI (docs/cli.md). */
#include <errno.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_dedup.h"
#include "mpi_identify.h"
#include "mpi_job.h"
#include "mpi_writes.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_NO_CANDIDATE = 3 };

static void print_usage(FILE *out) {
  fprintf(out,
          "usage: mpirun -np R biomatch-mpi COMMAND --db DIR [options]\n"
          "Each rank r keeps the records whose id hashes to it in DIR/rank-r (snapshot + log);\n"
          "DIR/ranks.txt fixes R for the gallery. Rank 0 reads every input file and prints.\n"
          "commands:\n"
          "  enroll [--batch N] < LINES     \"ID POSITION PATH\" lines (POSITION 0..10 or face; lines\n"
          "                                 sharing an ID merge into one record) and \"delete ID\" lines;\n"
          "                                 \"ok ID\" / \"deleted ID\" once the owning rank made it durable\n"
          "                                 (one sync per batch of N lines, default 1)\n"
          "  identify [--top K] [--fmr F] [--position P] [--batch N] [--window W] PROBE...\n"
          "                                 1:N search; PROBE is a template path (finger at P, default\n"
          "                                 0 = unknown) or P:PATH,P:PATH,... with P 0..10 or face;\n"
          "                                 N probes per broadcast (default 8), W batches in flight\n"
          "                                 (default 4)\n"
          "  dedup [--fmr F]                N:N deduplication (default F 1e-6): pairs, then clusters\n"
          "  checkpoint                     every rank writes a snapshot and starts a fresh log\n"
          "  stats                          records and memory per rank\n"
          "options:\n"
          "  --db DIR          the gallery folder (created when absent)\n"
          "  --shards S        shards of each rank's new gallery (default 8)\n"
          "  --face-dim D      face embedding dimension of a new gallery (64..2048; f32 storage)\n"
          "  --threads T       OpenMP threads per rank (default 0 = OpenMP's default)\n"
          "  --json            JSON output (identify: one object per probe; dedup: one object)\n"
          "  --stats           timing figures on stderr (root)\n"
          "Exit status: 0 done, 1 error, 2 usage, 3 (identify) some probe has no candidate.\n");
}

typedef struct arguments {
  const char *command, *db;
  bm_gallery_options gallery;
  bm_mpi_identify_options_ identify;
  bm_mpi_write_options_ write;
  double dedup_fmr;
  unsigned threads;
  int json, stats;
  char **probes;
  size_t probe_count;
} arguments;

static int parse_unsigned(const char *text, unsigned long low, unsigned long high, unsigned long *out) {
  char *end = NULL;
  errno = 0;
  const unsigned long value = strtoul(text, &end, 10);
  if (errno || end == text || *end || value < low || value > high || text[0] == '-') return 0;
  *out = value;
  return 1;
}

static int parse_rate(const char *text, double *out) {
  char *end = NULL;
  errno = 0;
  const double value = strtod(text, &end);
  if (errno || end == text || *end || !(value > 0.0 && value <= 1.0)) return 0;
  *out = value;
  return 1;
}

/* Returns 1 when the arguments are usable; prints the reason (root) otherwise. */
static int parse_arguments(int argc, char **argv, int root, arguments *args) {
  memset(args, 0, sizeof *args);
  bm_gallery_options_init(&args->gallery);
  bm_gallery_search_params_init(&args->identify.search);
  bm_read_options_init(&args->identify.read);
  bm_read_options_init(&args->write.read);
  args->identify.batch = 8;
  args->identify.window = 4;
  args->write.batch = 1;
  args->dedup_fmr = 1e-6;
  if (argc < 2) return 0;
  args->command = argv[1];
  const int identify = strcmp(args->command, "identify") == 0, dedup = strcmp(args->command, "dedup") == 0,
            enroll = strcmp(args->command, "enroll") == 0;
  if (!identify && !dedup && !enroll && strcmp(args->command, "checkpoint") != 0 &&
      strcmp(args->command, "stats") != 0) {
    if (root) fprintf(stderr, "biomatch-mpi: unknown command '%s'\n", args->command);
    return 0;
  }
  for (int i = 2; i < argc; ++i) {
    const char *name = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long number = 0;
    int ok = 1, takes_value = 1;
    if (strcmp(name, "--db") == 0 && value) args->db = value;
    else if (strcmp(name, "--shards") == 0 && value && (ok = parse_unsigned(value, 1, 1024, &number)))
      args->gallery.shard_count = (uint32_t)number;
    else if (strcmp(name, "--face-dim") == 0 && value && (ok = parse_unsigned(value, 64, 2048, &number)))
      args->gallery.face_dimension = (uint32_t)number;
    else if (strcmp(name, "--threads") == 0 && value && (ok = parse_unsigned(value, 0, 256, &number)))
      args->threads = (unsigned)number;
    else if (identify && strcmp(name, "--top") == 0 && value &&
             (ok = parse_unsigned(value, 1, 1000, &number)))
      args->identify.search.top_k = (uint32_t)number;
    else if ((identify || dedup) && strcmp(name, "--fmr") == 0 && value &&
             (ok = parse_rate(value, identify ? &args->identify.search.max_fmr : &args->dedup_fmr)))
      ;
    else if (identify && strcmp(name, "--position") == 0 && value &&
             (ok = parse_unsigned(value, 0, BM_GALLERY_MAX_POSITION, &number)))
      args->identify.default_position = (unsigned)number;
    else if ((identify || enroll) && strcmp(name, "--batch") == 0 && value &&
             (ok = parse_unsigned(value, 1, 4096, &number))) {
      if (identify) args->identify.batch = (unsigned)number;
      else args->write.batch = (unsigned)number;
    } else if (identify && strcmp(name, "--window") == 0 && value && (ok = parse_unsigned(value, 1, 64, &number)))
      args->identify.window = (unsigned)number;
    else {
      takes_value = 0;
      if (strcmp(name, "--json") == 0) args->json = 1;
      else if (strcmp(name, "--stats") == 0) args->stats = 1;
      else if (identify && name[0] != '-') {
        args->probes = &argv[i];
        args->probe_count = (size_t)(argc - i);
        break;
      } else ok = 0;
    }
    if (!ok) {
      if (root) fprintf(stderr, "biomatch-mpi %s: unknown option, or missing or out-of-range value: '%s'\n",
                        args->command, name);
      return 0;
    }
    if (takes_value) ++i;
  }
  if (!args->db) {
    if (root) fprintf(stderr, "biomatch-mpi %s: --db DIR is required\n", args->command);
    return 0;
  }
  if (identify && args->probe_count == 0) {
    if (root) fprintf(stderr, "biomatch-mpi identify: no probe given\n");
    return 0;
  }
  args->identify.search.threads = args->threads;
  args->identify.json = args->json;
  return 1;
}

static int run_stats(const bm_mpi_job_ *job, int json) {
  bm_gallery_stats stats;
  bm_status status = bm_mpi_agree_(job, bm_gallery_get_stats(job->gallery, &stats));
  if (status != BM_OK) return EXIT_FAILED;
  unsigned long long mine[3] = {stats.records, stats.fingers, stats.total_bytes};
  unsigned long long *all = job->rank == 0 ? calloc((size_t)job->size * 3, sizeof *all) : NULL;
  MPI_Gather(mine, 3, MPI_UNSIGNED_LONG_LONG, all, 3, MPI_UNSIGNED_LONG_LONG, 0, job->comm);
  if (job->rank == 0 && all) {
    unsigned long long records = 0, bytes = 0;
    for (int r = 0; r < job->size; ++r) {
      if (json) printf("{\"rank\": %d, \"records\": %llu, \"fingers\": %llu, \"bytes\": %llu}\n", r, all[3 * r],
                       all[3 * r + 1], all[3 * r + 2]);
      else printf("rank %d: %llu records, %llu fingers, %llu bytes\n", r, all[3 * r], all[3 * r + 1], all[3 * r + 2]);
      records += all[3 * r];
      bytes += all[3 * r + 2];
    }
    if (!json) printf("total: %llu records, %llu bytes\n", records, bytes);
  }
  free(all);
  return EXIT_OK;
}

static int run(const bm_mpi_job_ *job, const arguments *args) {
  const int root = job->rank == 0;
  if (strcmp(args->command, "enroll") == 0) {
    unsigned long long failed = 0;
    bm_status status = bm_mpi_write_lines_(job, stdin, stdout, &args->write, &failed);
    unsigned long long all_failed = failed;
    MPI_Bcast(&all_failed, 1, MPI_UNSIGNED_LONG_LONG, 0, job->comm);
    return status != BM_OK || all_failed ? EXIT_FAILED : EXIT_OK;
  }
  if (strcmp(args->command, "identify") == 0) {
    bm_mpi_identify_stats_ stats;
    bm_status status = bm_mpi_identify_(job, root ? args->probes : NULL, root ? args->probe_count : 0,
                                        &args->identify, stdout, &stats);
    if (root && args->stats)
      fprintf(stderr,
              "identify: %llu probes on %d ranks in %.3f s wall (%.2f probes/s); CPU %.3f s summed over ranks, "
              "search %.3f s wall, %.3f s CPU; merge %.6f s for %llu block merges (%.3f us per probe)\n",
              stats.probes, job->size, stats.wall_seconds,
              stats.wall_seconds > 0 ? (double)stats.probes / stats.wall_seconds : 0.0, stats.cpu_seconds,
              stats.search_seconds, stats.search_cpu_seconds, stats.merge_seconds, stats.merges,
              stats.probes ? 1e6 * stats.merge_seconds / (double)stats.probes : 0.0);
    unsigned long long outcome[2] = {stats.failed, stats.no_candidate};
    MPI_Bcast(outcome, 2, MPI_UNSIGNED_LONG_LONG, 0, job->comm);
    if (status != BM_OK || outcome[0]) return EXIT_FAILED;
    return outcome[1] ? EXIT_NO_CANDIDATE : EXIT_OK;
  }
  if (strcmp(args->command, "dedup") == 0) {
    bm_mpi_dedup_stats_ stats;
    bm_status status = bm_mpi_dedup_(job, args->dedup_fmr, args->threads, args->json, stdout, &stats);
    if (root && args->stats && status == BM_OK)
      fprintf(stderr,
              "dedup: %llu record pairs compared on %d ranks in %.3f s wall (%.0f pairs/s); CPU %.3f s summed, "
              "%.3f s of it comparing; %llu pairs in %llu clusters; %llu bytes of record blocks passed on the ring\n",
              stats.pairs_compared, job->size, stats.wall_seconds,
              stats.wall_seconds > 0 ? (double)stats.pairs_compared / stats.wall_seconds : 0.0, stats.cpu_seconds,
              stats.compare_seconds, stats.pairs_found, stats.clusters, stats.ring_bytes);
    return status == BM_OK ? EXIT_OK : EXIT_FAILED;
  }
  if (strcmp(args->command, "checkpoint") == 0)
    return bm_mpi_agree_(job, bm_gallery_checkpoint(job->gallery)) == BM_OK ? EXIT_OK : EXIT_FAILED;
  return run_stats(job, args->json);
}

int main(int argc, char **argv) {
  int provided = 0;
  /* the gallery's OpenMP threads never call MPI: funneled is enough */
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  arguments args;
  int exit_code;
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    if (rank == 0) print_usage(stdout);
    exit_code = EXIT_OK;
  } else if (!parse_arguments(argc, argv, rank == 0, &args)) {
    if (rank == 0) print_usage(stderr);
    exit_code = EXIT_USAGE;
  } else {
    bm_mpi_job_ job;
    if (bm_mpi_job_open_(&job, MPI_COMM_WORLD, args.db, &args.gallery) != BM_OK) {
      exit_code = EXIT_FAILED;
    } else {
      exit_code = run(&job, &args);
      bm_mpi_job_close_(&job);
    }
  }
  MPI_Finalize();
  return exit_code;
}

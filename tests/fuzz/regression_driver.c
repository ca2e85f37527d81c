/* Replays fuzz inputs through a fuzz target without libFuzzer, so the seed
 * corpus and every past crash run in the normal ctest. Arguments are files
 * or folders (their regular files are replayed, in name order). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "cannot open %s\n", path);
    return 1;
  }
  size_t capacity = 1 << 16, size = 0;
  uint8_t *data = malloc(capacity);
  for (size_t got; data && (got = fread(data + size, 1, capacity - size, file)) > 0;) {
    size += got;
    if (size == capacity) data = realloc(data, capacity *= 2);
  }
  fclose(file);
  if (!data) return 1;
  /* An exact-size copy, so a sanitizer catches any read past the end. */
  uint8_t *exact = malloc(size ? size : 1);
  memcpy(exact, data, size);
  free(data);
  LLVMFuzzerTestOneInput(exact, size);
  free(exact);
  return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

int main(int argc, char **argv) {
  int failures = 0, replayed = 0;
  for (int i = 1; i < argc; ++i) {
    struct stat info;
    if (stat(argv[i], &info) != 0) {
      fprintf(stderr, "no such input: %s\n", argv[i]);
      return 1;
    }
    if (!S_ISDIR(info.st_mode)) {
      failures += replay_file(argv[i]);
      ++replayed;
      continue;
    }
    struct dirent **entries;
    const int count = scandir(argv[i], &entries, NULL, by_name);
    for (int e = 0; e < count; ++e) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], entries[e]->d_name);
      if (stat(path, &info) == 0 && S_ISREG(info.st_mode)) {
        failures += replay_file(path);
        ++replayed;
      }
      free(entries[e]);
    }
    if (count >= 0) free(entries);
  }
  printf("replayed %d input(s)\n", replayed);
  return failures ? 1 : 0;
}

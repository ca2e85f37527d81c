/* Reading the Tsinghua generated latent set (tsinghua_latent.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "tsinghua_latent.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_pair_numbers(const void *a, const void *b) {
  return atoi(*(const char *const *)a) - atoi(*(const char *const *)b);
}

int tsinghua_list_pairs(const char *dir, size_t max_pairs, char ***names, size_t *count) {
  *names = NULL;
  *count = 0;
  char folder[4096];
  snprintf(folder, sizeof folder, "%s/Latent_Latent", dir);
  DIR *d = opendir(folder);
  if (!d) return 0;
  char **list = calloc(max_pairs ? max_pairs : 1, sizeof *list);
  size_t listed = 0;
  int ok = list != NULL;
  struct dirent *entry;
  while (ok && listed < max_pairs && (entry = readdir(d)) != NULL)
    if (entry->d_name[0] != '.') {
      list[listed] = strdup(entry->d_name);
      ok = list[listed++] != NULL;
    }
  closedir(d);
  if (!ok) {
    tsinghua_free_pairs(list, listed);
    return 0;
  }
  qsort(list, listed, sizeof *list, compare_pair_numbers);
  *names = list;
  *count = listed;
  return 1;
}

void tsinghua_free_pairs(char **names, size_t count) {
  if (!names) return;
  for (size_t i = 0; i < count; ++i) free(names[i]);
  free(names);
}

/* Path of the first file ending in `suffix` in DIR/Latent_Latent/<pair>/<role>, or 0. */
static int find_file(const char *dir, const char *pair, const char *role, const char *suffix, char *path,
                     size_t capacity) {
  char folder[2048];
  snprintf(folder, sizeof folder, "%s/Latent_Latent/%s/%s", dir, pair, role);
  DIR *d = opendir(folder);
  if (!d) return 0;
  struct dirent *entry;
  int found = 0;
  while ((entry = readdir(d)) != NULL) {
    const size_t length = strlen(entry->d_name), suffix_length = strlen(suffix);
    if (length > suffix_length && strcmp(entry->d_name + length - suffix_length, suffix) == 0) {
      found = snprintf(path, capacity, "%s/%s", folder, entry->d_name) < (int)capacity;
      break;
    }
  }
  closedir(d);
  return found;
}

bm_status tsinghua_read_print(const char *dir, const char *pair, const char *role, bm_template **out) {
  char path[4096];
  if (!find_file(dir, pair, role, ".xyt", path, sizeof path)) return BM_ERR_NOT_FOUND;
  bm_read_options options;
  bm_read_options_init(&options);
  options.format = BM_FORMAT_XYT;
  options.xyt_width = 512;
  options.xyt_height = 512;
  options.xyt_ppi = 500;
  return bm_template_read_file_ex(path, &options, out);
}

bm_status tsinghua_extract_print(const char *dir, const char *pair, const char *role, bm_template **out) {
  *out = NULL;
  char path[4096];
  if (!find_file(dir, pair, role, ".png", path, sizeof path)) return BM_ERR_NOT_FOUND;
  bm_image *image = NULL;
  bm_status status = bm_image_load_file(path, 500, &image);
  if (status == BM_OK) status = bm_extract(image, out);
  bm_image_free(image);
  return status;
}

void tsinghua_crop(bm_template *tpl, size_t keep) {
  const size_t count = bm_template_minutia_count(tpl);
  if (count <= keep) return;
  const bm_minutia *m = bm_template_minutiae(tpl);
  double cx = 0, cy = 0;
  for (size_t i = 0; i < count; ++i) {
    cx += m[i].x;
    cy += m[i].y;
  }
  cx /= count;
  cy /= count;
  bm_minutia sorted[BM_MAX_MINUTIAE];
  memcpy(sorted, m, count * sizeof *m);
  /* Insertion sort: stable, so equal distances keep the template's order. */
  for (size_t i = 1; i < count; ++i)
    for (size_t j = i; j > 0 && hypot(sorted[j].x - cx, sorted[j].y - cy) < hypot(sorted[j - 1].x - cx, sorted[j - 1].y - cy); --j) {
      const bm_minutia t = sorted[j];
      sorted[j] = sorted[j - 1];
      sorted[j - 1] = t;
    }
  if (bm_template_set_minutiae(tpl, sorted, keep) != BM_OK) fprintf(stderr, "crop failed\n");
}

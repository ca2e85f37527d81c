#include "fvc_naming.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const template_extensions[] = {"iso", "ist", "ansi", "fmr", "xyt", "bm", "bmt", "tpl"};

static int parse_number(const char **cursor, long *value) {
  char *end;
  if (**cursor < '0' || **cursor > '9') return 0;
  *value = strtol(*cursor, &end, 10);
  *cursor = end;
  return 1;
}

int fvc_parse_name(const char *name, long *finger, long *impression) {
  const char *cursor = name;
  if (!parse_number(&cursor, finger) || *cursor++ != '_' || !parse_number(&cursor, impression) || *cursor++ != '.')
    return 0;
  if (strcasecmp(cursor, "png") == 0) return FVC_IMAGE;
  for (size_t i = 0; i < sizeof template_extensions / sizeof *template_extensions; ++i)
    if (strcasecmp(cursor, template_extensions[i]) == 0) return FVC_TEMPLATE;
  return 0;
}

static int compare_samples(const void *a, const void *b) {
  const fvc_sample *x = a, *y = b;
  if (x->finger != y->finger) return x->finger < y->finger ? -1 : 1;
  if (x->impression != y->impression) return x->impression < y->impression ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1; /* templates first */
  return strcmp(x->path, y->path);
}

int fvc_list_folder(const char *dir, unsigned kinds, fvc_sample **out, size_t *count) {
  *out = NULL;
  *count = 0;
  DIR *folder = opendir(dir);
  if (!folder) return 0;
  fvc_sample *samples = NULL;
  size_t used = 0, capacity = 0;
  int ok = 1;
  for (struct dirent *entry; ok && (entry = readdir(folder));) {
    long finger, impression;
    const int kind = fvc_parse_name(entry->d_name, &finger, &impression);
    if (!kind || !((unsigned)kind & kinds)) continue;
    if (used == capacity) {
      capacity = capacity ? capacity * 2 : 64;
      fvc_sample *grown = realloc(samples, capacity * sizeof *grown);
      if (!grown) {
        ok = 0;
        break;
      }
      samples = grown;
    }
    const size_t length = strlen(dir) + strlen(entry->d_name) + 2;
    char *path = malloc(length);
    if (!path) {
      ok = 0;
      break;
    }
    snprintf(path, length, "%s/%s", dir, entry->d_name);
    samples[used++] = (fvc_sample){path, finger, impression, (fvc_sample_kind)kind};
  }
  closedir(folder);
  if (!ok) {
    fvc_free_samples(samples, used);
    return 0;
  }
  if (used) qsort(samples, used, sizeof *samples, compare_samples);
  /* Keep the first of each finger/impression (the sort put templates first). */
  size_t kept = 0;
  for (size_t i = 0; i < used; ++i) {
    if (kept && samples[kept - 1].finger == samples[i].finger && samples[kept - 1].impression == samples[i].impression) {
      free(samples[i].path);
      continue;
    }
    samples[kept++] = samples[i];
  }
  *out = samples;
  *count = kept;
  return 1;
}

void fvc_free_samples(fvc_sample *samples, size_t count) {
  for (size_t i = 0; i < count; ++i) free(samples[i].path);
  free(samples);
}

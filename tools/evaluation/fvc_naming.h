/* FVC file naming: FFF_I.EXT is impression I of finger FFF. Lists the
 * samples of a folder so that an evaluation can pair them. */
#ifndef BIOMATCH_TOOLS_FVC_NAMING_H
#define BIOMATCH_TOOLS_FVC_NAMING_H

#include <stddef.h>

typedef enum fvc_sample_kind { FVC_TEMPLATE = 1, FVC_IMAGE = 2 } fvc_sample_kind;

typedef struct fvc_sample {
  char *path; /* DIR/NAME, owned */
  long finger, impression;
  fvc_sample_kind kind;
} fvc_sample;

/* Parses a file name (no folder part) "FFF_I.EXT": returns the kind (PNG
 * -> image; iso, ist, ansi, fmr, xyt, bm, bmt, tpl -> template) or 0 when
 * the name does not follow the convention or the extension is neither. */
int fvc_parse_name(const char *name, long *finger, long *impression);

/* Lists the samples of `dir` of the kinds in `kinds` (a bit mask), sorted by
 * finger then impression. A finger/impression present with several
 * extensions of the accepted kinds is listed once (templates first).
 * Returns 0 if the folder cannot be read or memory runs out; *out is NULL
 * when nothing matched. */
int fvc_list_folder(const char *dir, unsigned kinds, fvc_sample **out, size_t *count);
void fvc_free_samples(fvc_sample *samples, size_t count);

#endif

/* Inputs shared by the gallery commands: fingerprint samples (template
 * files or PNG images), face embeddings (.npy or raw float32), the gallery
 * folder. The loaders print one line naming the file on failure
 * ("biomatch: PATH: ERROR_NAME: message") and return the status. */
#ifndef BIOMATCH_CLI_INPUTS_H
#define BIOMATCH_CLI_INPUTS_H

#include "biomatch/biomatch.h"

/* Reads a template file, or extracts one from a PNG image (recognised by
 * its signature; `image_ppi` for PNGs without resolution, 0 = 500). */
bm_status cli_load_finger(const char *path, const bm_read_options *options, double image_ppi, bm_template **out);

/* Reads a face embedding: a NumPy .npy of little-endian float32 with shape
 * (D,) or (1, D), or a raw file of D little-endian float32 values. *out is
 * malloc'd. Fails with BM_ERR_IO, BM_ERR_PARSE (not such a file) or
 * BM_ERR_OUT_OF_MEMORY. */
bm_status cli_load_face(const char *path, float **out, size_t *dimension);

/* Parses a finger position: 0..10, or "face" (returns 11). -1 when neither. */
int cli_parse_position(const char *text);
enum { CLI_POSITION_FACE = 11 };

#endif

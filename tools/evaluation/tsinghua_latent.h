/* The Tsinghua generated latent set (part A) as the evaluation programs read
 * it: DIR/Latent_Latent/<pair>/latent/ and DIR/Latent_Latent/<pair>/sensor/
 * each hold one .xyt file and its .png image, a latent and the sensor
 * print of the same finger. xyt files are read in the NIST convention (origin bottom-left)
 * with the set's 512 x 512 image at 500 ppi (its SOURCE.md). */
#ifndef BIOMATCH_TOOLS_TSINGHUA_LATENT_H
#define BIOMATCH_TOOLS_TSINGHUA_LATENT_H

#include <stddef.h>

#include "biomatch/biomatch.h"

/* Lists the pair folders of DIR/Latent_Latent (entries not starting with
 * '.'), at most `max_pairs` of them in the order the folder yields them,
 * then sorted by pair number. Returns 0 when the folder cannot be read or
 * memory runs out. Free with tsinghua_free_pairs. Thread-safe. */
int tsinghua_list_pairs(const char *dir, size_t max_pairs, char ***names, size_t *count);
void tsinghua_free_pairs(char **names, size_t count);

/* Reads the .xyt file of DIR/Latent_Latent/<pair>/<role> (role "latent" or
 * "sensor"): BM_ERR_NOT_FOUND without touching the library's last error
 * when the folder holds none, else what bm_template_read_file_ex returns.
 * Thread-safe. */
bm_status tsinghua_read_print(const char *dir, const char *pair, const char *role, bm_template **out);

/* Extracts the minutiae of the .png image of DIR/Latent_Latent/<pair>/<role>
 * (500 ppi unless its pHYs chunk says otherwise): BM_ERR_NOT_FOUND when the
 * folder holds none, else what bm_image_load_file or bm_extract returns.
 * Thread-safe. */
bm_status tsinghua_extract_print(const char *dir, const char *pair, const char *role, bm_template **out);

/* Keeps the `keep` minutiae nearest to their centroid (ties by index),
 * imitating a small latent of 8-20 minutiae; prints "crop failed" to stderr
 * if the template refuses the new list. Thread-safe for distinct templates. */
void tsinghua_crop(bm_template *tpl, size_t keep);

#endif

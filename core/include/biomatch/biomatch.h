/**
 * @file biomatch.h
 * @brief Umbrella header: include this to get the whole public biomatch API.
 */
#ifndef BIOMATCH_BIOMATCH_H
#define BIOMATCH_BIOMATCH_H

#include "bm_export.h"
#include "bm_version.h"
#include "bm_errors.h"
#include "bm_template.h"
#include "bm_template_io.h"
#include "bm_match.h"
#include "bm_image.h"
#include "bm_extract.h"
#include "bm_kernels.h"
#include "bm_face.h"
#include "bm_gallery.h"

#endif /* BIOMATCH_BIOMATCH_H */

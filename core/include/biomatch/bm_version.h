/**
 * @file bm_version.h
 * @brief Release version and ABI version of biomatch.
 *
 * The release version (major.minor.patch) follows the project's releases.
 * The ABI version is tracked separately: it is the SONAME suffix of
 * libbiomatch.so and changes only when a binary-incompatible change is made.
 *
 * An application can check at start-up that the header it was compiled
 * against matches the library it loaded:
 * @code
 *   if (bm_version_number() / 10000 != BM_VERSION_NUMBER / 10000) { ... }
 * @endcode
 */
#ifndef BIOMATCH_BM_VERSION_H
#define BIOMATCH_BM_VERSION_H

#include "bm_export.h"

/** Major version: changes with incompatible API changes. */
#define BM_VERSION_MAJOR 0
/** Minor version: changes with compatible additions. */
#define BM_VERSION_MINOR 1
/** Patch version: fixes only. */
#define BM_VERSION_PATCH 0
/** Single number: major * 10000 + minor * 100 + patch. */
#define BM_VERSION_NUMBER (BM_VERSION_MAJOR * 10000 + BM_VERSION_MINOR * 100 + BM_VERSION_PATCH)
/** @cond internal */
#define BM_VERSION_STRINGIFY_(x) #x
#define BM_VERSION_EXPAND_(x) BM_VERSION_STRINGIFY_(x)
/** @endcond */
/** "major.minor.patch". */
#define BM_VERSION_STRING \
  BM_VERSION_EXPAND_(BM_VERSION_MAJOR) "." BM_VERSION_EXPAND_(BM_VERSION_MINOR) "." BM_VERSION_EXPAND_(BM_VERSION_PATCH)
/** Binary interface version: the N of libbiomatch.so.N. */
#define BM_ABI_VERSION 1

BM_EXTERN_C_BEGIN

/** @return BM_VERSION_NUMBER of the library actually loaded. Thread-safe. */
BM_API unsigned bm_version_number(void);
/** @return BM_VERSION_STRING of the library actually loaded (static storage). Thread-safe. */
BM_API const char *bm_version_string(void);
/** @return BM_ABI_VERSION of the library actually loaded. Thread-safe. */
BM_API unsigned bm_abi_version(void);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_VERSION_H */

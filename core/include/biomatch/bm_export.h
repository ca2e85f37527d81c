/**
 * @file bm_export.h
 * @brief Symbol visibility and calling conventions for the public biomatch API.
 *
 * The library is built with hidden visibility (-fvisibility=hidden); only
 * declarations marked BM_API are exported from libbiomatch.so. A test checks
 * that every exported symbol starts with `bm_`.
 */
#ifndef BIOMATCH_BM_EXPORT_H
#define BIOMATCH_BM_EXPORT_H

/** @def BM_API
 *  Marks a function as part of the stable, exported ABI.
 *  Define BM_STATIC when linking the static library on Windows. */
#if defined(_WIN32) && !defined(BM_STATIC)
#  if defined(BM_BUILDING_LIBRARY)
#    define BM_API __declspec(dllexport)
#  else
#    define BM_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define BM_API __attribute__((visibility("default")))
#else
#  define BM_API
#endif

/** @def BM_NODISCARD
 *  The result of this call carries an error code that must be checked. */
#if defined(__GNUC__) || defined(__clang__)
#  define BM_NODISCARD __attribute__((warn_unused_result))
#else
#  define BM_NODISCARD
#endif

#ifdef __cplusplus
#  define BM_EXTERN_C_BEGIN extern "C" {
#  define BM_EXTERN_C_END }
#else
/** Opens a C-linkage block in C++ (empty in C). */
#  define BM_EXTERN_C_BEGIN
/** Closes the block opened by BM_EXTERN_C_BEGIN. */
#  define BM_EXTERN_C_END
#endif

#endif /* BIOMATCH_BM_EXPORT_H */

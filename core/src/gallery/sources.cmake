# The sharded gallery (records, shards, search, fusion, deduplication,
# persistence glue) over the crash-safe store: write-ahead log, snapshots,
# the directory store that recovers and checkpoints them.
find_package(OpenMP REQUIRED)
set(BM_GALLERY_SOURCES
  core/src/gallery/file_io.c
  core/src/gallery/wal.c
  core/src/gallery/snapshot.c
  core/src/gallery/store.c
  core/src/gallery/gallery.c
  core/src/gallery/gallery_record.c
  core/src/gallery/gallery_shard.c
  core/src/gallery/gallery_fusion.c
  core/src/gallery/gallery_cascade.c
  core/src/gallery/gallery_search.c
  core/src/gallery/gallery_dedup.c
  core/src/gallery/gallery_persist.c)
set(BM_GALLERY_LIBS OpenMP::OpenMP_C)
# The cascade calls the prefilter when the library builds it.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/../prefilter/sources.cmake)
  set_source_files_properties(core/src/gallery/gallery_cascade.c PROPERTIES COMPILE_DEFINITIONS BM_GALLERY_HAVE_PREFILTER)
endif()

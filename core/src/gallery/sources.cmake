# Crash-safe persistence under the gallery: write-ahead log, snapshots,
# the directory store that recovers and checkpoints them.
set(BM_GALLERY_SOURCES
  core/src/gallery/file_io.c
  core/src/gallery/wal.c
  core/src/gallery/snapshot.c
  core/src/gallery/store.c)
set(BM_GALLERY_LIBS "")

# Template data model and the interchange formats.
set(BM_TEMPLATE_SOURCES
  core/src/template/template.c
  core/src/template/template_io.c
  core/src/template/fmr_common.c
  core/src/template/format_iso2005.c
  core/src/template/format_ansi378.c
  core/src/template/format_iso2011.c
  core/src/template/format_xyt.c
  core/src/template/format_native.c)
set(BM_TEMPLATE_LIBS m)

# Template data model and the interchange formats.
set(BM_TEMPLATE_SOURCES core/src/template/template.c)
set(BM_TEMPLATE_LIBS m)

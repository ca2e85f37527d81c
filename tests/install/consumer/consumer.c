#include <biomatch/biomatch.h>
#include <stdio.h>

int main(void) {
  if (bm_version_number() != BM_VERSION_NUMBER) return 1; /* header and library agree */
  bm_template *tpl = NULL;
  if (bm_template_create(&tpl) != BM_OK) return 1;
  bm_template_free(tpl);
  printf("biomatch %s, %s\n", bm_version_string(), bm_isa_name(bm_active_isa()));
  return bm_kernels_self_check() == BM_OK ? 0 : 1;
}

/* Arenas (util/arena.h): growth keeps every byte, stays 64-byte aligned,
 * reports a capacity at least what was asked, leaves a full arena as it was
 * when asked for nothing more, and frees (NULL included). Sizes cross the
 * huge-page advice threshold (2 MB) so both kinds of mapping are grown. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "test_support.h"

static uint8_t pattern(size_t i) { return (uint8_t)(i * 2654435761u >> 13); }

START_TEST(test_growth_keeps_contents_and_alignment) {
  uint8_t *arena = NULL;
  size_t capacity = 0, used = 0;
  const size_t steps[] = {1, 100, 65536, 70000, 1 << 20, 3 << 20, 5 << 20, 17 << 20};
  for (size_t s = 0; s < sizeof steps / sizeof *steps; ++s) {
    const size_t needed = used + steps[s];
    ck_assert_int_eq(bm_arena_grow_(&arena, &capacity, used, needed), 1);
    ck_assert_ptr_nonnull(arena);
    ck_assert_uint_ge(capacity, needed);
    ck_assert_uint_eq((uintptr_t)arena % 64, 0);
    for (size_t i = 0; i < used; ++i)
      if (arena[i] != pattern(i)) ck_abort_msg("byte %zu lost when growing to %zu", i, needed);
    for (size_t i = used; i < needed; ++i) arena[i] = pattern(i);
    used = needed;
    /* asking for no more than the capacity changes nothing */
    uint8_t *before = arena;
    const size_t kept = capacity;
    ck_assert_int_eq(bm_arena_grow_(&arena, &capacity, used, capacity), 1);
    ck_assert_ptr_eq(arena, before);
    ck_assert_uint_eq(capacity, kept);
  }
  /* the last bytes of the capacity are writable */
  arena[capacity - 1] = 7;
  bm_arena_free_(arena, capacity);
  bm_arena_free_(NULL, 0);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("arena");
  TCase *tc = tcase_create("arena");
  tcase_add_test(tc, test_growth_keeps_contents_and_alignment);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}

# BM_SANITIZE=address,undefined builds everything with those sanitizers, and
# makes UBSan fatal so that a finding fails the test that triggered it.
if(BM_SANITIZE)
  add_compile_options(-fsanitize=${BM_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${BM_SANITIZE})
endif()

# Compiler warnings shared by every biomatch target.
function(bm_target_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2>
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra>)
  if(BM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

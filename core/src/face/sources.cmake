# Face embeddings. Approximate search goes through FAISS's C API only.
# Debian's libfaiss-dev ships the C API headers and a static libfaiss.a but
# no libfaiss_c: faiss_c_api.cpp implements the subset biomatch calls.
# -DBM_FAISS_C_LIBRARY=/path/libfaiss_c.so links a real one instead.
set(BM_FAISS_C_LIBRARY "" CACHE FILEPATH "A real libfaiss_c to use instead of biomatch's C API subset")
find_path(FAISS_C_API_INCLUDE_DIR faiss/c_api/faiss_c.h REQUIRED)
find_package(OpenMP REQUIRED)
set(BM_FACE_SOURCES core/src/face/face_index.c core/src/face/face_search.c core/src/face/face_approximate.c
    core/src/face/face_calibration.c core/src/face/face_calibration_table.c)
if(BM_FAISS_C_LIBRARY)
  set(BM_FACE_LIBS ${BM_FAISS_C_LIBRARY} OpenMP::OpenMP_C)
else()
  find_library(FAISS_STATIC_LIBRARY NAMES libfaiss.a REQUIRED)
  # FAISS's batched search runs through BLAS; OpenBLAS is the fast one on Debian.
  set(BLA_VENDOR OpenBLAS)
  find_package(BLAS REQUIRED)
  list(APPEND BM_FACE_SOURCES core/src/face/faiss_c_api.cpp)
  set(BM_FACE_LIBS ${FAISS_STATIC_LIBRARY} ${BLAS_LIBRARIES} OpenMP::OpenMP_CXX OpenMP::OpenMP_C)
endif()

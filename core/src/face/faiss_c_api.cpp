// The subset of FAISS's C API that biomatch calls, implemented against the
// C API headers Debian ships (faiss/c_api/*.h) on top of Debian's static
// libfaiss.a, which ships without the C wrapper library.
//
// Every function catches every exception at the extern "C" boundary and
// returns the C API's error code; the message is kept per thread for
// faiss_get_last_error(), as FAISS's own c_api/error_impl.cpp does. Nothing
// is printed. The symbols are hidden inside libbiomatch.so: biomatch's C
// code is their only caller. Where a real libfaiss_c is available, the CMake
// option BM_FAISS_C_LIBRARY links it instead and this file is not built.
#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <new>
#include <stdexcept>
#include <string>

extern "C" {
#include <faiss/c_api/AutoTune_c.h>
#include <faiss/c_api/IndexFlat_c.h>
#include <faiss/c_api/IndexScalarQuantizer_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <faiss/c_api/index_io_c.h>
}

namespace {

thread_local std::string last_error_message;

// Runs `body`, translating any exception into the C API's error code.
template <class Body>
int guarded(Body &&body) noexcept {
  try {
    body();
    return OK;
  } catch (const faiss::FaissException &error) {
    last_error_message = error.what();
    return FAISS_EXCEPT;
  } catch (const std::bad_alloc &) {
    last_error_message = "out of memory";
    return STD_EXCEPT;
  } catch (const std::exception &error) {
    last_error_message = error.what();
    return STD_EXCEPT;
  } catch (...) {
    last_error_message = "unknown exception";
    return UNKNOWN_EXCEPT;
  }
}

// Checks the pointers every call needs; FAISS would dereference them.
void require(bool condition, const char *what) {
  if (!condition) throw std::invalid_argument(what);
}

faiss::Index *as_index(FaissIndex *index) { return reinterpret_cast<faiss::Index *>(index); }
const faiss::Index *as_index(const FaissIndex *index) { return reinterpret_cast<const faiss::Index *>(index); }

faiss::MetricType as_metric(FaissMetricType metric) {
  switch (metric) {
    case METRIC_INNER_PRODUCT:
      return faiss::METRIC_INNER_PRODUCT;
    case METRIC_L2:
      return faiss::METRIC_L2;
    default:
      throw std::invalid_argument("unsupported metric type");
  }
}

}  // namespace

extern "C" {

const char *faiss_get_last_error() { return last_error_message.c_str(); }

int faiss_index_factory(FaissIndex **p_index, int d, const char *description, FaissMetricType metric) {
  return guarded([&] {
    require(p_index && description && d > 0, "faiss_index_factory: bad argument");
    *p_index = nullptr;
    *p_index = reinterpret_cast<FaissIndex *>(faiss::index_factory(d, description, as_metric(metric)));
  });
}

int faiss_IndexFlatIP_new_with(FaissIndexFlatIP **p_index, idx_t d) {
  return guarded([&] {
    require(p_index && d > 0, "faiss_IndexFlatIP_new_with: bad argument");
    *p_index = nullptr;
    *p_index = reinterpret_cast<FaissIndexFlatIP *>(new faiss::IndexFlatIP(d));
  });
}

int faiss_IndexScalarQuantizer_new_with(FaissIndexScalarQuantizer **p_index, idx_t d, FaissQuantizerType qt,
                                        FaissMetricType metric) {
  return guarded([&] {
    require(p_index && d > 0, "faiss_IndexScalarQuantizer_new_with: bad argument");
    require(qt >= QT_8bit && qt <= QT_6bit, "faiss_IndexScalarQuantizer_new_with: unknown quantizer type");
    *p_index = nullptr;
    auto type = static_cast<faiss::ScalarQuantizer::QuantizerType>(qt);
    *p_index = reinterpret_cast<FaissIndexScalarQuantizer *>(
        new faiss::IndexScalarQuantizer(d, type, as_metric(metric)));
  });
}

void faiss_Index_free(FaissIndex *obj) { delete as_index(obj); }

int faiss_Index_d(const FaissIndex *obj) { return obj ? as_index(obj)->d : 0; }

int faiss_Index_is_trained(const FaissIndex *obj) { return obj ? as_index(obj)->is_trained : 0; }

idx_t faiss_Index_ntotal(const FaissIndex *obj) { return obj ? as_index(obj)->ntotal : 0; }

int faiss_Index_train(FaissIndex *index, idx_t n, const float *x) {
  return guarded([&] {
    require(index && n >= 0 && (x || n == 0), "faiss_Index_train: bad argument");
    as_index(index)->train(n, x);
  });
}

int faiss_Index_add(FaissIndex *index, idx_t n, const float *x) {
  return guarded([&] {
    require(index && n >= 0 && (x || n == 0), "faiss_Index_add: bad argument");
    as_index(index)->add(n, x);
  });
}

int faiss_Index_add_with_ids(FaissIndex *index, idx_t n, const float *x, const idx_t *xids) {
  return guarded([&] {
    require(index && n >= 0 && ((x && xids) || n == 0), "faiss_Index_add_with_ids: bad argument");
    as_index(index)->add_with_ids(n, x, xids);
  });
}

int faiss_Index_search(const FaissIndex *index, idx_t n, const float *x, idx_t k, float *distances, idx_t *labels) {
  return guarded([&] {
    require(index && n >= 0 && k > 0 && ((x && distances && labels) || n == 0), "faiss_Index_search: bad argument");
    as_index(index)->search(n, x, k, distances, labels);
  });
}

int faiss_Index_reset(FaissIndex *index) {
  return guarded([&] {
    require(index, "faiss_Index_reset: index is NULL");
    as_index(index)->reset();
  });
}

int faiss_ParameterSpace_new(FaissParameterSpace **space) {
  return guarded([&] {
    require(space, "faiss_ParameterSpace_new: space is NULL");
    *space = nullptr;
    *space = reinterpret_cast<FaissParameterSpace *>(new faiss::ParameterSpace());
  });
}

void faiss_ParameterSpace_free(FaissParameterSpace *space) {
  delete reinterpret_cast<faiss::ParameterSpace *>(space);
}

int faiss_ParameterSpace_set_index_parameter(const FaissParameterSpace *space, FaissIndex *index, const char *name,
                                             double value) {
  return guarded([&] {
    require(space && index && name, "faiss_ParameterSpace_set_index_parameter: bad argument");
    reinterpret_cast<const faiss::ParameterSpace *>(space)->set_index_parameter(as_index(index), name, value);
  });
}

// Index files: lets a long build be kept on disk and searched by later runs.
// A damaged or truncated file is an error code, but FAISS 1.7.3's reader
// leaks the part of the index it had read before throwing (its readers use
// raw new): read only files written by this API.
int faiss_write_index_fname(const FaissIndex *idx, const char *fname) {
  return guarded([&] {
    require(idx && fname, "faiss_write_index_fname: bad argument");
    faiss::write_index(as_index(idx), fname);
  });
}

int faiss_read_index_fname(const char *fname, int io_flags, FaissIndex **p_out) {
  return guarded([&] {
    require(fname && p_out, "faiss_read_index_fname: bad argument");
    *p_out = nullptr;
    *p_out = reinterpret_cast<FaissIndex *>(faiss::read_index(fname, io_flags));
  });
}

}  // extern "C"

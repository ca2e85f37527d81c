/* Generated placeholder: regenerate with bm_eval_fvc --write-table. */
#include "match/calibration.h"

static const float scores_[1] = {0};
const bm_impostor_table_ bm_impostor_table_fvc2002_ = {"none", 0, scores_, 1.0, 0.0, 1.0};

/* SPDX-License-Identifier: BSD-2-Clause */
/* pfk_alg.c: being written (see include/dpsec/pfkey.h). */
#include "dpsec/pfkey.h"

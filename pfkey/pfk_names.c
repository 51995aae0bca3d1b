/* SPDX-License-Identifier: BSD-2-Clause */
/* pfk_names.c: being written (see include/dpsec/pfkey.h). */
#include "dpsec/pfkey.h"

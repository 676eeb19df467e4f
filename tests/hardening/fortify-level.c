/* fortify-level.c: prints the _FORTIFY_SOURCE level the project's C is
 * compiled with (this file gets the same project arguments), so that the
 * hardening test can hold optimised builds to level 3.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>

int
main (void)
{
#ifdef _FORTIFY_SOURCE
  printf ("%d\n", _FORTIFY_SOURCE);
#else
  printf ("0\n");
#endif
  return 0;
}

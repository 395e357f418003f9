/* tap.h - a minimal TAP producer for the C unit tests.
 * Tests are tables; each row prints "ok N - name" or "not ok N - name" with
 * a "# got X, want Y" diagnostic. exit status is nonzero on any failure. */
#ifndef VULTURES_TAP_H
#define VULTURES_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline void
tap_plan(int n)
{
	printf("1..%d\n", n);
}

static inline int
tap_ok(int cond, const char *name)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
	return cond;
}

static inline int
tap_is_str(const char *got, const char *want, const char *name)
{
	int same = (got == NULL && want == NULL) ||
		   (got && want && strcmp(got, want) == 0);

	if (!tap_ok(same, name))
		printf("# got \"%s\", want \"%s\"\n", got ? got : "(null)", want ? want : "(null)");
	return same;
}

static inline int
tap_is_int(long got, long want, const char *name)
{
	if (!tap_ok(got == want, name))
		printf("# got %ld, want %ld\n", got, want);
	return got == want;
}

static inline int
tap_done(void)
{
	return tap_failed ? 1 : 0;
}

#endif

/* reports/report.h — campaign reports: report.json (docs/report-schema.md)
 * and a self-contained report.html (inline CSS and SVG, no external
 * resources), both written atomically. */
#ifndef UVSIM_REPORTS_REPORT_H
#define UVSIM_REPORTS_REPORT_H

#include <stddef.h>

#include "fuzz/fuzz.h"

/* Writes OUT_DIR/NAME/report.json and report.html for `n` campaigns. When
 * OUT_DIR/bench-fuzz.json and bench-fuzz.html exist (bench/fuzz), they are
 * included; so is OUT_DIR/bench-hard.html (bench/hard/report.sh: the
 * hard-bug benchmark's measured tables), in the HTML. `path` gets the HTML file's path. Returns 0, or -1 with `err`. */
int report_write(const char* out_dir, const char* name, const fz_campaign* cs,
                     size_t n, char* path, size_t pathlen, char* err, size_t errlen);

/* A JSON string literal of s (quotes included), valid UTF-8 whatever s
 * holds (invalid bytes: '?'):
 * a program's output may hold anything. */
void report_json_str(FILE* f, const char* s);
/* The length of the valid UTF-8 sequence at p (1 to 4), 0 when none. */
size_t report_utf8_len(const unsigned char* p);
/* HTML-escaped text. */
void report_html_text(FILE* f, const char* s);

#endif

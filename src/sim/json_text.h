/* json_text.h - a string as a JSON string literal (json_text.c), for the
 * simulator's JSON and the commands' reports. */
#ifndef MMKIT_SIM_JSON_TEXT_H
#define MMKIT_SIM_JSON_TEXT_H

#include <stdio.h>

/* text in quotes, with quotes, backslashes and control characters escaped */
void json_text(FILE *out, const char *text);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jsonv.h --- the JSON dualvm prints with --json, read into a GVariant
 * (jsonv.c): an object is a{sv}, an array av, a string s, an integer x,
 * another number d, true/false b, null mv.
 */
#ifndef DUALVM_GTK_JSONV_H
#define DUALVM_GTK_JSONV_H

#include <glib.h>

/* One JSON text: a new GVariant (the caller unrefs it), or NULL with
 * @err saying what and at which byte when @text is not exactly one JSON
 * value. */
GVariant *jsonv_parse(const char *text, char *err, size_t errlen);

/* The member @key of the object @obj as an integer (x, or d truncated),
 * or @def when it is missing or not a number. */
gint64 jsonv_int(GVariant *obj, const char *key, gint64 def);

#endif

/* title.h — a first title for a document from its text, until the
 * classifier (and a person) give a better one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Guesses a title from the OCR text of a document's first pages: the type
 * line in capitals ("KẾ HOẠCH", "QUYẾT ĐỊNH", …) with the subject lines
 * below it, or the "V/v …" line of a công văn, else the first substantial
 * line.  Returns NULL when the text has none.  NFC, newly allocated. */
char *kho_title_guess (const char *text);

G_END_DECLS

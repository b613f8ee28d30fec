/* library-log.h — send Leptonica's and libtiff's messages to g_log (private to ocr/).
 *
 * Leptonica prints to stderr and libtiff to its own handlers by default; both
 * are process-wide settings, so they are installed once, the first time any
 * ocr/ module is used.  Messages go to the "kho-ocr" domain: errors at info
 * level, warnings at debug level, so nothing reaches the terminal unless
 * G_MESSAGES_DEBUG asks for it.  The caller translates the failure itself.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Idempotent and thread-safe. */
void kho_ocr_route_library_logs (void);

/* The last libtiff error reported on this thread ("" if none); borrowed,
 * valid until the next libtiff call on this thread. */
const char *kho_ocr_last_tiff_error (void);
void kho_ocr_clear_tiff_error (void);

G_END_DECLS

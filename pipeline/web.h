/* web.h — kho serve: the archive over HTTP for the school's network:
 * search, documents, the office's queue, and corrections by editors.
 *
 * One KhoWeb serves one archive from the GLib main loop of the calling
 * thread; every database access happens on that thread.  Requests are
 * answered asynchronously by libsoup, so a slow client never holds up
 * another.
 */
#pragma once

#include <glib.h>
#include "pipeline/archive.h"

G_BEGIN_DECLS

typedef struct KhoWeb KhoWeb;

/* A server for @archive (borrowed: it must outlive the server).  Reads
 * [serve] read=open|login from the archive's kho.conf. */
KhoWeb *kho_web_new (KhoArchive *archive, GError **error);

/* Listens on @address (IPv4 or IPv6 literal) and @port (0: any free
 * port).  Returns "http://HOST:PORT/" (newly allocated) or NULL with
 * @error. */
char *kho_web_listen (KhoWeb *web, const char *address, int port, GError **error);

/* Stops listening, closes every connection and frees @web; NULL does nothing. */
void kho_web_free (KhoWeb *web);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoWeb, kho_web_free)

G_END_DECLS

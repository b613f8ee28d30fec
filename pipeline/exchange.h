/* exchange.h — documents out of the archive into a BagIt bag, and back in.
 *
 * A bag of kho (RFC 8493, store/bagit.h) has one folder per document,
 * data/<archive-id>/: the original under original/ with its file name, the
 * archival PDF <archive-id>.pdf, the text of each page (text/page-0001.txt,
 * and the words with their boxes in text/page-0001.words) and
 * metadata.xml: the fields with the element names of Phụ lục VI of Nghị
 * định 30/2020/NĐ-CP, the checksums, the pages and the audit trail.  Another
 * kho restores the documents from it without OCR: same archive IDs,
 * checksums, fields and search results.
 */
#pragma once

#include <glib.h>
#include "pipeline/archive.h"

G_BEGIN_DECLS

typedef struct {
  guint documents;
  guint files;       /* payload files */
  gint64 bytes;      /* payload bytes */
} KhoExportSummary;

/* Writes the documents @ids (row ids, gint64 in a GArray; archived ones)
 * of @archive as the bag @dir (which must not exist, or be an empty
 * folder), with @organization as its Source-Organization, then records an
 * "export" event for each.  Every stored file is checked against its
 * recorded SHA-256 as it is copied: a changed file fails the export and no
 * bag is left. */
gboolean kho_exchange_export (KhoArchive *archive, GArray *ids, const char *dir,
                              const char *organization, KhoExportSummary *summary,
                              GError **error);

typedef enum {
  KHO_IMPORT_RESTORED,   /* the document is in the archive now */
  KHO_IMPORT_DUPLICATE,  /* the archive had it (same original and part) */
} KhoImportStatus;

typedef struct {
  char *archive_id;      /* as the bag gives it */
  KhoImportStatus status;
  char *existing_id;     /* KHO_IMPORT_DUPLICATE: the archive's own ID for it */
  int pages;
} KhoImportResult;

void kho_import_result_free (KhoImportResult *result);

/* Validates the bag @dir whole (kho_bagit_open, then every metadata.xml
 * and the files it names), then restores its documents into the archive
 * at @root, creating it if needed: the original into the store, the PDF
 * to pdfa/, the document under its archive ID with its pages, fields,
 * tags and history, its full-text row, and an "import" event.  A document
 * the archive has already is skipped.  Returns a KhoImportResult* per
 * document, in the bag's order; NULL with @error when the bag is refused
 * (KHO_BAGIT_ERROR_INVALID: nothing was written) or a document could not
 * be restored (those before it stay restored). */
GPtrArray *kho_exchange_import (const char *dir, const char *root, GError **error);

G_END_DECLS

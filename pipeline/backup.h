/* backup.h — a consistent copy of an archive while it is in use. */
#pragma once

#include <glib.h>
#include "pipeline/archive.h"

G_BEGIN_DECLS

typedef struct {
  guint documents;   /* in the copied catalogue */
  guint originals;   /* files copied */
  guint pdfs;
  gint64 bytes;      /* of those files */
} KhoBackupSummary;

/* Copies @archive into @dir (which must not exist, or be an empty folder):
 * first the catalogue, with SQLite's online backup API (one moment of it,
 * while kho watch or kho serve go on), then the originals and archival
 * PDFs that copy of the catalogue records, each checked against its
 * SHA-256 as it is copied, then kho.conf and doctypes.conf.  Files added
 * after the catalogue was copied are left for the next backup; the
 * quarantine is not copied.  Written into DIR.tmp-XXXXXX and renamed: @dir
 * appears whole or not at all.  A stored file missing or changed fails the
 * backup, naming it. */
gboolean kho_backup_run (KhoArchive *archive, const char *dir, KhoBackupSummary *summary,
                         GError **error);

G_END_DECLS

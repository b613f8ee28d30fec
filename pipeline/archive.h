/* archive.h — an archive folder: its settings (kho.conf), its catalogue
 * (kho.db) and its files (originals/, pdfa/, quarantine/, tmp/). */
#pragma once

#include <glib.h>
#include "index/db.h"

G_BEGIN_DECLS

#define KHO_ARCHIVE_ERROR (kho_archive_error_quark ())
GQuark kho_archive_error_quark (void);

typedef enum {
  KHO_ARCHIVE_ERROR_MISSING,  /* no archive in the folder */
  KHO_ARCHIVE_ERROR_CONFIG,   /* kho.conf unreadable or invalid */
} KhoArchiveError;

#define KHO_ARCHIVE_DEFAULT_PREFIX "KHO"
#define KHO_ARCHIVE_DEFAULT_LANGUAGES "vie"

typedef struct {
  char *root;          /* the archive folder */
  KhoDb *db;           /* owned */
  char *prefix;        /* archive ID prefix, e.g. "KHO" */
  char *languages;     /* Tesseract languages, e.g. "vie" */
  int page_timeout_s;  /* OCR time limit per page */
  int workers;         /* 0: one per core */
  char *organization;  /* [archive] organization, who keeps it; NULL: not said */
  char *serve_read;    /* [serve] read: "open" or "login"; NULL: not said */
  /* kho watch ([watch] and [tags] in kho.conf) */
  char *inbox;         /* the watched folder; default ARCHIVE/inbox */
  int settle_ms;       /* a file is taken when unchanged this long */
  int rescan_s;        /* full rescan of the inbox, for lost events */
  int attempts;        /* failed attempts before quarantine */
  int orphan_limit;    /* deaths with the supervisor in a row before quarantine */
  int retry_delay_s;   /* wait before trying again after a full disk */
  int worker_memory_mb;/* address space of a worker process, 0: unlimited */
  GHashTable *tags;    /* inbox subfolder name → tag given to its documents */
  gboolean split_on_blank; /* the inbox's scans are split at blank pages */
} KhoArchive;

/* Creates the archive at @root, or updates it (idempotent): folders,
 * database, kho.conf.  @prefix NULL keeps the existing one (or the default). */
KhoArchive *kho_archive_init (const char *root, const char *prefix, GError **error);
/* Opens an existing archive; KHO_ARCHIVE_ERROR_MISSING when there is none. */
KhoArchive *kho_archive_open (const char *root, GError **error);
void kho_archive_free (KhoArchive *archive);

/* The tag of the inbox file @name (a path relative to the inbox): the tag
 * configured for its first folder, or NULL. */
const char *kho_archive_tag_for (KhoArchive *archive, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoArchive, kho_archive_free)

G_END_DECLS

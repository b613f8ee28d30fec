/* disposal.h — retention and deletion: how long each document is kept (the
 * retention field, from its type's rule in doctypes.conf, editable), which
 * are past it, and the one way a document leaves the archive, with its
 * tombstone in the audit trail. */
#pragma once

#include <glib.h>
#include "pipeline/archive.h"

G_BEGIN_DECLS

#define KHO_DISPOSAL_ERROR (kho_disposal_error_quark ())
GQuark kho_disposal_error_quark (void);

typedef enum {
  KHO_DISPOSAL_ERROR_RETAINED,    /* within its retention period, permanent, or none set */
  KHO_DISPOSAL_ERROR_PROCESSING,  /* still going through the stages */
  KHO_DISPOSAL_ERROR_FILES,       /* deleted, but a file could not be removed */
} KhoDisposalError;

typedef struct {
  int years;      /* -1: none set (an unclassified document); 0: permanent (Vĩnh viễn) */
  char *from;     /* ISO date the period counts from: the date of issue, else of intake */
  char *until;    /* ISO date the period ends (its first day past); NULL when none ends */
  gboolean past;  /* today is on or after @until */
} KhoRetention;

void kho_retention_clear (KhoRetention *retention);

/* The retention of @doc.  As the archives' lists count it, the period
 * runs in whole years from the end of the year the document was issued
 * (or, with no date of issue, taken in): issued 2023, kept 5 years, it is
 * past from 2029-01-01. */
void kho_disposal_retention (KhoDb *db, const KhoDocument *doc, KhoRetention *retention);

/* Archived documents past their retention period, as KhoDocument* (free
 * with g_ptr_array_unref), oldest end first; *@unset (may be NULL) gets
 * how many have no retention period. */
GPtrArray *kho_disposal_list_past (KhoDb *db, int *unset, GError **error);

/* Deletes @doc: in one transaction, a "delete" entry in the audit trail
 * whose detail is the tombstone (a JSON object: id, sha256, part, size,
 * pdf_sha256, pdf_size, file_name, retention, until, reason, forced), by
 * @actor (NULL: the OS user), and the document's rows (its other entries
 * stay, under its archive ID); then its archival PDF, and its original
 * unless another part of the same scan still has it.  Refused
 * (KHO_DISPOSAL_ERROR_RETAINED) within the retention period, for a
 * permanent document or one without a period, unless @force. */
gboolean kho_disposal_delete (KhoArchive *archive, const KhoDocument *doc, const char *reason,
                              gboolean force, const char *actor, GError **error);

G_END_DECLS

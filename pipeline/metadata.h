/* metadata.h — the classify stage: a document's type and fields from its
 * text, kept as the document's fields (source "auto"). */
#pragma once

#include <glib.h>
#include "index/classify.h"
#include "index/fields.h"
#include "pipeline/archive.h"

G_BEGIN_DECLS

typedef struct {
  KhoTypeRules *rules;  /* built in, with ARCHIVE/doctypes.conf over them */
  KhoTypeModel *model;  /* learned by kho train, or NULL */
} KhoClassifier;

/* The archive's rules and model.  A broken ARCHIVE/doctypes.conf is
 * reported as a warning and the built-in rules used; never NULL. */
KhoClassifier *kho_classifier_new (KhoArchive *archive);
void kho_classifier_free (KhoClassifier *classifier);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoClassifier, kho_classifier_free)

/* The fields and type of the document of @text (pages separated by '\f'). */
KhoFields *kho_classifier_run (KhoClassifier *classifier, const char *text,
                               KhoClassification *classification);

typedef struct {
  const char *name;   /* the field's name, as kho show --json calls it */
  const char *value;  /* borrowed; NULL when the document has none */
} KhoMetadataValue;

#define KHO_METADATA_N 13

/* The single-valued fields of @fields and @classification, in the order of
 * Phụ lục VI: type, type_code, number, year, notation, place, issued,
 * issuer, subject, signer_position, signer_name, urgency, secrecy. */
void kho_metadata_values (const KhoFields *fields, const KhoClassification *classification,
                          KhoMetadataValue values[KHO_METADATA_N]);

/* Stores @fields and @classification as the fields of document @id (within
 * the caller's transaction); values a person set stay. */
gboolean kho_metadata_store (KhoDb *db, gint64 id, const KhoFields *fields,
                             const KhoClassification *classification, GError **error);

/* "Kế hoạch (notation, 0.97)", for the stage's event. */
char *kho_classification_describe (const KhoClassification *classification);

/* --- corrections by a person (kho edit, the editors of kho serve) --- */

/* The fields a person may set, in the order forms show them. */
#define KHO_METADATA_N_EDITABLE 14
extern const char *const kho_metadata_editable[KHO_METADATA_N_EDITABLE];
gboolean kho_metadata_is_editable (const char *name);

/* Checks and normalises @value for editable field @name: a known type (its
 * code in *@type_code, newly allocated), a valid date, recipients "a; b"
 * as a JSON list, retention in years.  "" clears the field.  Newly
 * allocated, or NULL with @error (G_OPTION_ERROR_BAD_VALUE) when @value
 * cannot be one. */
char *kho_metadata_edit_value (KhoTypeRules *rules, const char *name, const char *value,
                               char **type_code, GError **error);

typedef struct {
  char *name;
  char *value;  /* normalised by kho_metadata_edit_value; "" clears */
} KhoMetadataEdit;

/* Sets the fields of @edits (KhoMetadataEdit, not freed) on @doc as a
 * person's ("user") values, each with an "edit" event by @actor (NULL: the
 * OS user), and re-indexes an archived document; all or nothing. */
gboolean kho_metadata_apply (KhoArchive *archive, const KhoDocument *doc, GArray *edits,
                             const char *actor, GError **error);

G_END_DECLS

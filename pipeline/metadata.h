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

G_END_DECLS

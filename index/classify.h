/* classify.h — the type of a document: the rules of Nghị định
 * 30/2020/NĐ-CP and of school records (data: index/doctypes.conf,
 * overridable per archive), and a model learned from the documents whose
 * type a person confirmed.
 *
 * Layout signals come first: the abbreviation inside the notation ("KH" in
 * "189/KH-UBND"), the type line in capitals ("KẾ HOẠCH"), "V/v" under the
 * number (a công văn).  Where they are missing or disagree, a multinomial
 * naive Bayes model over word unigrams and bigrams decides (Vietnamese
 * words span several syllables: "kế hoạch", "học bạ"); without a model,
 * the rules' keywords.  Each result has a confidence; below the
 * threshold the document is "Chưa phân loại" (unclassified), for a person
 * to confirm.
 */
#pragma once

#include <glib.h>
#include "index/fields.h"

G_BEGIN_DECLS

#define KHO_TYPE_UNCLASSIFIED "Chưa phân loại"

#define KHO_CLASSIFY_ERROR (kho_classify_error_quark ())

typedef enum {
  KHO_CLASSIFY_ERROR_RULES,  /* a doctypes.conf cannot be read or is invalid */
  KHO_CLASSIFY_ERROR_MODEL,  /* the text given to kho_type_model_parse() is not a model */
} KhoClassifyError;

GQuark kho_classify_error_quark (void);

typedef struct {
  char *name;        /* "Kế hoạch" */
  char *code;        /* "KH", NULL for Công văn, Thư công, school records */
  char *group;       /* "admin", "copy", "legal", "school" */
  char **keywords;   /* phrases that suggest it (folded: no diacritics, lower case) */
  int retention;     /* years to keep; 0: permanent (Vĩnh viễn) */
} KhoDocType;

typedef struct KhoTypeRules KhoTypeRules;

/* The rules shipped with kho (index/doctypes.conf, built in), with the
 * groups of @override_path (ARCHIVE/doctypes.conf; NULL or missing: none)
 * replacing or adding types. */
KhoTypeRules *kho_type_rules_load (const char *override_path, GError **error);
void kho_type_rules_free (KhoTypeRules *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoTypeRules, kho_type_rules_free)
guint kho_type_rules_count (const KhoTypeRules *rules);
const KhoDocType *kho_type_rules_get (const KhoTypeRules *rules, guint index);
const KhoDocType *kho_type_rules_by_name (const KhoTypeRules *rules, const char *name);
const KhoDocType *kho_type_rules_by_code (const KhoTypeRules *rules, const char *code);

/* A naive Bayes model over word unigrams and bigrams. */
typedef struct KhoTypeModel KhoTypeModel;

KhoTypeModel *kho_type_model_new (void);
void kho_type_model_free (KhoTypeModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoTypeModel, kho_type_model_free)
/* Learns that @text is of type @type. */
void kho_type_model_add (KhoTypeModel *model, const char *text, const char *type);
guint kho_type_model_n_documents (const KhoTypeModel *model);
/* The model as text (to keep it in the archive's database) and back. */
char *kho_type_model_serialize (const KhoTypeModel *model);
KhoTypeModel *kho_type_model_parse (const char *text, GError **error);

typedef struct {
  const KhoDocType *type;  /* NULL: unclassified */
  double confidence;       /* 0..1 */
  const char *reason;      /* "notation", "type line", "v/v", "model", "keywords", "none" */
} KhoClassification;

/* Below this confidence a document is unclassified. */
#define KHO_CLASSIFY_THRESHOLD 0.5

/* Classifies the document of @text whose fields are @fields (from
 * kho_fields_extract()), with @model when not NULL. */
KhoClassification kho_classify (const KhoTypeRules *rules, const KhoTypeModel *model,
                                const char *text, const KhoFields *fields);

G_END_DECLS

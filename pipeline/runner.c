/* runner.c — the stage runner: intake, prepare, ocr, assemble, index. */
#define G_LOG_DOMAIN "kho-pipeline"
#include "pipeline/runner.h"

#include <string.h>

#include "config.h"
#include <glib/gi18n-lib.h>
#include "index/db.h"
#include "index/queue.h"
#include "index/title.h"
#include "pipeline/metadata.h"
#include "ocr/decode.h"
#include "ocr/tess.h"
#include "store/originals.h"
#include "store/pdfa.h"


typedef KhoRunner Runner;

typedef struct {
  KhoPageImage *image;       /* decoded page; its pixels dropped once encoded */
  KhoPreparedPage *prepared; /* NULL for a page that kept its PDF text layer;
                              * its pixels dropped once encoded */
  KhoOcrPage *ocr;           /* NULL for a PDF text page or a blank page */
  KhoPdfImage *pdf_image;    /* the page image as the PDF/A will embed it */
} Page;

typedef struct {
  Runner *runner;
  char *file;
  char *sha256;
  KhoDocument *doc;
  int n_pages;
  int first_page;      /* of the source, from 0: this document's first page */
  Page *pages;
  gint pending;        /* atomic: pages not finished, plus one while submitting */
  gint prepare_ms;     /* atomic sums over the pages */
  gint ocr_ms;
  gint encode_ms;
  GMutex lock;
  char *error;         /* first failure, under lock */
  gboolean retry;      /* the failure came from the machine (disk full, a
                        * stop), not from the file: try again later */
  gint64 started_us;
  GPtrArray *resume_rows;  /* KhoPageRow* by page index, NULL for a page not
                            * committed yet: pages an interrupted run read
                            * already; NULL when there are none */
  int n_resumed;           /* pages with a row in resume_rows */
} Job;

typedef struct {
  gboolean page_done;        /* a page finished; else a document result */
  KhoIngestResult *result;
} Message;

struct KhoRunner {
  KhoArchive *archive;
  KhoRunnerOptions options;
  GThreadPool *pool;
  GMutex db_lock;            /* one transaction at a time on the shared connection */
  GAsyncQueue *messages;
  gint in_flight;            /* atomic: pages decoded and not yet finished */
  KhoOcrEngine *spare;       /* atomic: the engine loaded to check the languages,
                              * handed to the first worker that needs one */
  GThread *probe;            /* loads spare while the first input is decoded */
  GError *probe_error;       /* why it could not: no language data */
  gboolean stop;             /* the run cannot go on (calling thread only) */
  volatile gint cancelled;   /* kho_runner_cancel() was called */
  int max_in_flight;
  GHashTable *seen;          /* SHA-256 → archive ID of the inputs of this run
                              * (calling thread only) */
  KhoClassifier *classifier; /* document types: rules and model */
};

typedef struct {
  char *languages;
  KhoOcrEngine *engine;
} EngineSlot;

static void
engine_slot_free (gpointer data)
{
  EngineSlot *slot = data;

  kho_ocr_engine_free (slot->engine);
  g_free (slot->languages);
  g_free (slot);
}

/* One Tesseract engine per worker thread, loaded once and kept. */
static GPrivate engine_key = G_PRIVATE_INIT (engine_slot_free);

static KhoOcrEngine *
thread_engine (Runner *runner, GError **error)
{
  const char *languages = runner->options.languages;
  EngineSlot *slot = g_private_get (&engine_key);

  if (slot && g_strcmp0 (slot->languages, languages) == 0)
    return slot->engine;
  slot = g_new0 (EngineSlot, 1);
  slot->languages = g_strdup (languages);
  slot->engine = g_atomic_pointer_exchange (&runner->spare, NULL);
  if (slot->engine == NULL)
    slot->engine = kho_ocr_engine_new (languages, KHO_TESSDATA[0] ? KHO_TESSDATA : NULL, error);
  if (slot->engine == NULL)
    {
      engine_slot_free (slot);
      return NULL;
    }
  g_private_replace (&engine_key, slot);
  return slot->engine;
}

void
kho_runner_options_init (KhoRunnerOptions *options)
{
  memset (options, 0, sizeof *options);
  kho_prepare_options_init (&options->prepare);
}

const char *
kho_ingest_status_name (KhoIngestStatus status)
{
  switch (status)
    {
    case KHO_INGEST_ARCHIVED: return "archived";
    case KHO_INGEST_DUPLICATE: return "duplicate";
    case KHO_INGEST_FAILED: return "failed";
    }
  return "failed";
}

static void
result_free (KhoIngestResult *result)
{
  if (result == NULL)
    return;
  g_free (result->file);
  g_free (result->archive_id);
  g_free (result->sha256);
  g_free (result->error);
  g_free (result->stage);
  g_free (result);
}

static void
post (Runner *runner, gboolean page_done, KhoIngestResult *result)
{
  Message *message = g_new0 (Message, 1);

  message->page_done = page_done;
  message->result = result;
  g_async_queue_push (runner->messages, message);
}

static KhoIngestResult *
new_result (const char *file, KhoIngestStatus status, const char *archive_id,
            const char *sha256, int pages, const char *error, gint64 started_us)
{
  KhoIngestResult *result = g_new0 (KhoIngestResult, 1);

  result->file = g_strdup (file);
  result->status = status;
  result->archive_id = g_strdup (archive_id);
  result->sha256 = g_strdup (sha256);
  result->pages = pages;
  result->error = g_strdup (error);
  result->elapsed_ms = (g_get_monotonic_time () - started_us) / 1000;
  if (status == KHO_INGEST_FAILED)
    result->stage = g_strdup ("intake");
  return result;
}

static void
post_result (Runner *runner, const char *file, KhoIngestStatus status, const char *archive_id,
             const char *sha256, int pages, const char *error, gint64 started_us)
{
  post (runner, FALSE, new_result (file, status, archive_id, sha256, pages, error, started_us));
}

/* Posts the failure of @job, naming the stage it failed in. */
static void
post_job_failure (Job *job)
{
  KhoIngestResult *result = new_result (job->file, KHO_INGEST_FAILED, NULL, job->sha256,
                                        job->n_pages, job->error, job->started_us);

  g_free (result->stage);
  result->stage = g_strdup (job->doc && job->doc->id > 0 ? kho_stage_next (job->doc->stage)
                                                         : "intake");
  result->retry = job->retry;
  post (job->runner, FALSE, result);
}

/* The message of @error without the "NAME: " the decoder starts it with:
 * the runner names the input itself, by the path it was given. */
static const char *
reason (const GError *error, const char *name)
{
  gsize n = name ? strlen (name) : 0;

  if (n > 0 && error->domain == KHO_DECODE_ERROR && strncmp (error->message, name, n) == 0 &&
      strncmp (error->message + n, ": ", 2) == 0)
    return error->message + n + 2;
  return error->message;
}

/* TRUE when @error says the machine, not the input, is at fault: the disk
 * is full or the database busy.  The input is to be tried again later. */
static gboolean
is_resource_error (const GError *error)
{
  return g_error_matches (error, KHO_STORE_ERROR, KHO_STORE_ERROR_NO_SPACE) ||
         g_error_matches (error, KHO_DB_ERROR, KHO_DB_ERROR_FULL) ||
         g_error_matches (error, KHO_DB_ERROR, KHO_DB_ERROR_BUSY) ||
         g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
}

static void
job_fail (Job *job, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
job_fail (Job *job, const char *format, ...)
{
  va_list args;

  g_mutex_lock (&job->lock);
  if (job->error == NULL)
    {
      va_start (args, format);
      job->error = g_strdup_vprintf (format, args);
      va_end (args);
    }
  g_mutex_unlock (&job->lock);
}

/* Fails @job with @error, marked to be tried again when the machine, not
 * the input, is at fault. */
static void
job_fail_error (Job *job, const GError *error)
{
  job_fail (job, "%s: %s", job->file, error->message);
  if (is_resource_error (error))
    job->retry = TRUE;
}

static gboolean
job_failed (Job *job)
{
  gboolean failed;

  g_mutex_lock (&job->lock);
  failed = job->error != NULL;
  g_mutex_unlock (&job->lock);
  return failed;
}

static void
job_free (Job *job)
{
  for (int i = 0; i < job->n_pages; i++)
    {
      kho_page_image_free (job->pages[i].image);
      kho_prepared_page_free (job->pages[i].prepared);
      kho_ocr_page_free (job->pages[i].ocr);
      kho_pdfa_image_free (job->pages[i].pdf_image);
    }
  g_free (job->pages);
  g_free (job->file);
  g_free (job->sha256);
  kho_document_free (job->doc);
  g_clear_pointer (&job->resume_rows, g_ptr_array_unref);
  g_mutex_clear (&job->lock);
  g_free (job->error);
  g_free (job);
}

/* --- Database steps, each one transaction under the runner's lock. --- */

typedef gboolean (*TransactionBody) (Job *job, gpointer data, GError **error);

static gboolean
in_transaction (Runner *runner, Job *job, TransactionBody body, gpointer data, GError **error)
{
  KhoDb *db = runner->archive->db;
  gboolean ok;

  g_mutex_lock (&runner->db_lock);
  ok = kho_db_begin (db, error) && body (job, data, error) && kho_db_commit (db, error);
  if (!ok)
    kho_db_rollback (db);
  g_mutex_unlock (&runner->db_lock);
  return ok;
}

static gboolean
intake_body (Job *job, gpointer data, GError **error)
{
  KhoDb *db = job->runner->archive->db;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *detail = g_strdup_printf ("%s (%s, %" G_GINT64_FORMAT " bytes)", job->file,
                                             job->doc->format, job->doc->size);

  (void) data;
  return kho_db_insert_document (db, job->runner->archive->prefix,
                                 g_date_time_get_year (now), job->doc, error) > 0 &&
         kho_db_add_event (db, job->doc->id, "intake", "ok",
                           (g_get_monotonic_time () - job->started_us) / 1000, NULL, detail,
                           error);
}

static const char *
page_text (const Page *page)
{
  if (page->image->has_text)
    return page->image->text;
  return page->ocr ? page->ocr->text : "";
}

/* The page image the PDF/A embeds and the catalogue measures: upright and
 * deskewed, or as decoded for a page that kept its PDF text layer.
 * Borrowed; NULL once encode_page() dropped the pixels. */
static PIX *
upright_pix (const Page *page)
{
  return page->prepared ? page->prepared->upright : page->image->pix;
}

/* Writes the row of page @index, read a moment ago: its own short
 * transaction, so that a document interrupted in the middle of its OCR
 * keeps the pages read so far (INSERT OR REPLACE: a page read again after
 * a failed commit replaces its row). */
static gboolean
page_body (Job *job, gpointer data, GError **error)
{
  int index = GPOINTER_TO_INT (data);
  const Page *page = &job->pages[index];
  PIX *pix = upright_pix (page);
  g_autofree char *words = page->image->has_text
                               ? kho_words_serialize (page->image->words, page->image->n_words)
                           : page->ocr ? kho_words_serialize (page->ocr->words, page->ocr->n_words)
                                       : NULL;
  KhoPageRow row = {
    .number = index + 1,
    .width = (int) pixGetWidth (pix),
    .height = (int) pixGetHeight (pix),
    .dpi = page->image->dpi,
    .rotation = page->prepared ? page->prepared->rotation : 0,
    .skew = page->prepared ? page->prepared->skew : 0.0,
    .text_source = page->image->has_text ? "pdf" : page->ocr ? "ocr" : "none",
    .confidence = page->ocr ? page->ocr->mean_confidence : page->image->has_text ? 100 : 0,
    .blank = page->prepared ? page->prepared->blank : FALSE,
    .text = (char *) page_text (page),
    .words = words,
  };

  return kho_db_insert_page (job->runner->archive->db, job->doc->id, &row, error);
}

/* Marks the OCR stage done once every page's row is in (page_body wrote
 * them one by one, or an interrupted run did). */
static gboolean
ocr_done_body (Job *job, gpointer data, GError **error)
{
  KhoDb *db = job->runner->archive->db;
  int ocr_pages = 0, pdf_pages = 0;
  g_autofree char *detail = NULL;

  (void) data;
  for (int i = 0; i < job->n_pages; i++)
    {
      ocr_pages += job->pages[i].ocr != NULL;
      pdf_pages += job->pages[i].image->has_text;
    }
  detail = g_strdup_printf ("%d pages: %d by OCR, %d with their own text",
                            job->n_pages, ocr_pages, pdf_pages);
  if (job->n_resumed > 0)
    {
      char *longer = g_strdup_printf ("%s; %d from an earlier run", detail, job->n_resumed);

      g_free (detail);
      detail = longer;
    }
  return kho_db_add_event (db, job->doc->id, "prepare", "ok", g_atomic_int_get (&job->prepare_ms),
                           NULL, NULL, error) &&
         kho_db_add_event (db, job->doc->id, "ocr", "ok", g_atomic_int_get (&job->ocr_ms), NULL,
                           detail, error) &&
         kho_db_set_stage (db, job->doc->id, "ocr", error);
}

typedef struct {
  const char *title;
  const char *pdf_sha256;
  gint64 pdf_size;
  gint64 duration_ms;
} AssembleData;

static gboolean
assemble_body (Job *job, gpointer data, GError **error)
{
  AssembleData *assembled = data;
  KhoDb *db = job->runner->archive->db;

  return kho_db_set_assembled (db, job->doc->id, assembled->title, job->n_pages,
                               assembled->pdf_sha256, assembled->pdf_size, error) &&
         kho_db_add_event (db, job->doc->id, "assemble", "ok", assembled->duration_ms, NULL,
                           assembled->pdf_sha256, error);
}

typedef struct {
  const KhoFields *fields;
  KhoClassification classification;
  gint64 duration_ms;
} ClassifyData;

static gboolean
classify_body (Job *job, gpointer data, GError **error)
{
  ClassifyData *classified = data;
  KhoDb *db = job->runner->archive->db;
  g_autofree char *detail = kho_classification_describe (&classified->classification);

  return kho_metadata_store (db, job->doc->id, classified->fields,
                             &classified->classification, error) &&
         kho_db_add_event (db, job->doc->id, "classify", "ok", classified->duration_ms, NULL,
                           detail, error) &&
         kho_db_set_stage (db, job->doc->id, "classify", error);
}

/* The text of the whole document, pages separated by form feeds. */
static char *
document_text (Job *job)
{
  GString *text = g_string_new (NULL);

  for (int i = 0; i < job->n_pages; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\f');
      g_string_append (text, page_text (&job->pages[i]));
    }
  return g_string_free (text, FALSE);
}

/* The classify stage: the document's type and fields, from its text. */
static gboolean
classify (Job *job, GError **error)
{
  g_autofree char *text = document_text (job);
  g_autoptr (KhoFields) fields = NULL;
  ClassifyData classified = { 0 };
  gint64 t0 = g_get_monotonic_time ();

  fields = kho_classifier_run (job->runner->classifier, text, &classified.classification);
  classified.fields = fields;
  classified.duration_ms = (g_get_monotonic_time () - t0) / 1000;
  return in_transaction (job->runner, job, classify_body, &classified, error);
}

static gboolean
index_body (Job *job, gpointer data, GError **error)
{
  KhoDb *db = job->runner->archive->db;
  gint64 t0 = g_get_monotonic_time ();

  (void) data;
  return kho_db_index_document (db, job->doc->id, error) &&
         kho_db_add_event (db, job->doc->id, "index", "ok",
                           (g_get_monotonic_time () - t0) / 1000, NULL, NULL, error);
}

static gboolean
abandon_body (Job *job, gpointer data, GError **error)
{
  KhoDb *db = job->runner->archive->db;

  (void) data;
  /* The events of the document stay, detached, with the failure last. */
  return kho_db_add_event (db, job->doc->id, job->doc->stage ? job->doc->stage : "intake",
                           "failed", -1, NULL, job->error, error) &&
         kho_db_delete_document (db, job->doc->id, error);
}

/* Removes every trace of a document that could not be archived: its row
 * first (so no row ever points at a missing file), then its files. */
static void
abandon (Job *job)
{
  Runner *runner = job->runner;
  g_autoptr (GError) error = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *original = NULL;
  g_autoptr (KhoDocument) other = NULL;

  if (job->doc->id <= 0)
    return;
  if (!in_transaction (runner, job, abandon_body, NULL, &error))
    {
      g_warning ("%s: cannot remove the failed document: %s", job->file, error->message);
      return;
    }
  pdf = kho_store_pdf_path (runner->archive->root, job->doc->archive_id);
  original = kho_store_original_path (runner->archive->root, job->sha256);
  if (!kho_store_remove (pdf, &error))
    g_warning ("%s", error->message);
  /* The other parts of a split scan keep its original. */
  g_mutex_lock (&runner->db_lock);
  other = kho_db_find_sha256 (runner->archive->db, job->sha256, NULL);
  g_mutex_unlock (&runner->db_lock);
  if (other == NULL && !kho_store_remove (original, &error))
    g_warning ("%s", error->message);
}

/* The fields of the classify stage, as Phụ lục VI of Nghị định 30/2020/NĐ-CP
 * names them, for the PDF/A's XMP: pairs of name and value, NULL-ended. */
static GPtrArray *
document_metadata (Job *job)
{
  static const char *const names[][2] = {
    { "type", "TypeName" }, { "number", "CodeNumber" }, { "notation", "CodeNotation" },
    { "issued", "IssuedDate" }, { "place", "PlaceName" }, { "issuer", "OrganName" },
    { "subject", "Subject" }, { "signer_position", "SignerPosition" },
    { "signer_name", "SignerName" },
  };
  GPtrArray *pairs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) fields = NULL;

  g_mutex_lock (&job->runner->db_lock);
  fields = kho_db_get_fields (job->runner->archive->db, job->doc->id, NULL);
  g_mutex_unlock (&job->runner->db_lock);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    for (guint j = 0; fields && j < fields->len; j++)
      {
        KhoFieldRow *row = fields->pdata[j];

        if (strcmp (row->name, names[i][0]) == 0)
          {
            g_ptr_array_add (pairs, g_strdup (names[i][1]));
            g_ptr_array_add (pairs, g_strdup (row->value));
          }
      }
  g_ptr_array_add (pairs, NULL);
  return pairs;
}

static GBytes *
build_pdf (Job *job, const char *title, GError **error)
{
  g_autoptr (GDateTime) created = g_date_time_new_now_utc ();
  g_autoptr (GArray) pdf_pages = g_array_sized_new (FALSE, TRUE, sizeof (KhoPdfPage),
                                                    (guint) job->n_pages);
  g_autoptr (GPtrArray) word_arrays = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) metadata = document_metadata (job);
  KhoPdfInfo info = {
    .title = title,
    .language = "vi",
    .archive_id = job->doc->archive_id,
    .original_sha256 = job->sha256,
    .creator_tool = "kho " KHO_VERSION,
    .created = created,
    .metadata = (const char *const *) metadata->pdata,
  };

  for (int i = 0; i < job->n_pages; i++)
    {
      const Page *page = &job->pages[i];
      const KhoWord *words = page->image->has_text ? page->image->words
                             : page->ocr             ? page->ocr->words
                                                     : NULL;
      gsize n_words = page->image->has_text ? page->image->n_words
                      : page->ocr           ? page->ocr->n_words
                                            : 0;
      KhoPdfWord *pdf_words = g_new0 (KhoPdfWord, n_words + 1);
      KhoPdfPage pdf_page = {
        .image = page->pdf_image,
        .dpi = page->image->dpi,
        .words = pdf_words,
        .n_words = n_words,
      };

      for (gsize w = 0; w < n_words; w++)
        pdf_words[w] = (KhoPdfWord) {
          .text = words[w].text,
          .x = words[w].x, .y = words[w].y, .w = words[w].w, .h = words[w].h,
          .baseline = words[w].baseline,
          .line_height = words[w].line_height,
        };
      g_ptr_array_add (word_arrays, pdf_words);
      g_array_append_val (pdf_pages, pdf_page);
    }
  return kho_pdfa_build (&info, (const KhoPdfPage *) pdf_pages->data, pdf_pages->len, error);
}

static char *
document_title (Job *job)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char *title;

  for (int i = 0; i < job->n_pages && i < 2; i++)
    {
      g_string_append (text, page_text (&job->pages[i]));
      g_string_append_c (text, '\n');
    }
  title = kho_title_guess (text->str);
  return title ? title : g_path_get_basename (job->file);
}

/* For the crash tests: KHO_TEST_CRASH_AFTER=STAGE kills the process as a
 * power cut would, right after STAGE's result is committed. */
static void
crash_hook (const char *stage)
{
  if (g_strcmp0 (g_getenv ("KHO_TEST_CRASH_AFTER"), stage) == 0)
    abort ();
}

/* For the crash tests: KHO_TEST_CRASH_AFTER_PAGE=N kills the process as a
 * power cut would, right after the row of page N (from 1, of the document)
 * is committed.  Pages are read in parallel: with more than one worker,
 * other pages may be committed or not by then. */
static void
page_crash_hook (int number)
{
  const char *value = g_getenv ("KHO_TEST_CRASH_AFTER_PAGE");

  if (value && g_ascii_strtoll (value, NULL, 10) == number)
    abort ();
}

/* Sets the stage of @job's document to @stage, freeing the one it had. */
static void
set_stage (Job *job, const char *stage)
{
  g_free (job->doc->stage);
  job->doc->stage = g_strdup (stage);
}

/* Runs the stages after OCR, in the thread that finished the last page. */
static void
finish_job (Job *job)
{
  Runner *runner = job->runner;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = NULL;
  g_autofree char *title = NULL;
  g_autofree char *pdf_path = NULL;
  g_autofree char *pdf_sha256 = NULL;
  AssembleData assembled = { 0 };
  gint64 t0;

  gboolean classified = g_strcmp0 (job->doc->stage, "classify") == 0;
  gboolean ocr_done = classified || g_strcmp0 (job->doc->stage, "ocr") == 0;

  if (job->error)
    goto failed;
  /* Each page's row was committed as it was read (or by an interrupted
   * run); what is left is to say the stage is done. */
  if (!ocr_done && !in_transaction (runner, job, ocr_done_body, NULL, &error))
    goto failed_error;
  crash_hook ("ocr");
  set_stage (job, "ocr");
  if (!classified && !classify (job, &error))
    goto failed_error;
  crash_hook ("classify");
  set_stage (job, "classify");

  t0 = g_get_monotonic_time ();
  title = document_title (job);
  pdf = build_pdf (job, title, &error);
  if (pdf == NULL)
    goto failed_error;
  assembled.title = title;
  pdf_sha256 = kho_store_sha256_bytes (pdf);
  assembled.pdf_sha256 = pdf_sha256;
  assembled.pdf_size = (gint64) g_bytes_get_size (pdf);
  pdf_path = kho_store_pdf_path (runner->archive->root, job->doc->archive_id);
  if (!kho_store_write_atomic (runner->archive->root, pdf_path, pdf, &error))
    goto failed_error;
  /* The pages' images were encoded by the workers, as each page was done. */
  assembled.duration_ms = (g_get_monotonic_time () - t0) / 1000 + g_atomic_int_get (&job->encode_ms);
  if (!in_transaction (runner, job, assemble_body, &assembled, &error))
    goto failed_error;
  set_stage (job, "assemble");

  if (!in_transaction (runner, job, index_body, NULL, &error))
    goto failed_error;
  post_result (runner, job->file, KHO_INGEST_ARCHIVED, job->doc->archive_id, job->sha256,
               job->n_pages, NULL, job->started_us);
  job_free (job);
  return;

failed_error:
  job_fail_error (job, error);
failed:
  /* A document stopped by the machine stays at its last committed stage,
   * to be taken up again; one the file itself failed leaves no trace. */
  if (!job->retry)
    abandon (job);
  post_job_failure (job);
  job_free (job);
}

/* Below this mean word confidence, OCR doubts the page is upright. */
#define ORIENTATION_DOUBT_CONFIDENCE 75.0f

/* Prepares page @index of @job and OCRs it.  Preparing turns the page
 * upright when Leptonica's quick test doubts it is and Tesseract's OSD
 * confirms.  When that test wrongly passed a page and OCR then reads it
 * poorly, the page is prepared again with OSD asked in any case; the turn
 * is kept only when reading the turned page gives better text. */
static gboolean
process_page (Job *job, int index)
{
  Runner *runner = job->runner;
  Page *page = &job->pages[index];
  g_autoptr (GError) error = NULL;
  KhoPrepareOptions options = runner->options.prepare;

  KhoOcrEngine *engine;
  gint64 t0, t1;

  if (page->image->has_text)
    return TRUE;  /* a PDF page keeps its own text layer and its geometry */
  engine = thread_engine (runner, &error);
  if (engine == NULL)
    {
      job_fail (job, _("%s: ocr: %s"), job->file, error->message);
      return FALSE;
    }
  /* The tests count these lines to tell pages read from pages taken up. */
  g_debug ("%s: page %d of %d: prepare and OCR", job->file, index + 1, job->n_pages);
  t0 = g_get_monotonic_time ();
  page->prepared = kho_prepare_page (engine, page->image->pix, page->image->dpi, &options,
                                     &error);
  if (page->prepared == NULL)
    {
      job_fail (job, _("%s: prepare: page %d: %s"), job->file, index + 1, error->message);
      return FALSE;
    }
  t1 = g_get_monotonic_time ();
  g_atomic_int_add (&job->prepare_ms, (gint) ((t1 - t0) / 1000));
  if (page->prepared->blank)
    goto out;
  /* Tesseract thresholds the full-depth page itself (Otsu): unlike an
   * adaptive threshold, that drops the red seal and the blue signature,
   * which are not text. */
  page->ocr = kho_ocr_recognize (engine, page->prepared->upright, page->image->dpi,
                                 runner->options.page_timeout_ms, &error);
  if (page->ocr == NULL)
    {
      job_fail (job, _("%s: ocr: page %d: %s"), job->file, index + 1, error->message);
      return FALSE;
    }
  if (options.detect_orientation && !page->prepared->orientation_checked &&
      page->ocr->mean_confidence < ORIENTATION_DOUBT_CONFIDENCE)
    {
      /* Prepare again, this time asking OSD whatever the quick test says. */
      KhoPrepareOptions ask_osd = options;
      KhoPreparedPage *retry = NULL;
      KhoOcrPage *reread = NULL;

      ask_osd.quick_orientation_test = FALSE;
      retry = kho_prepare_page (engine, page->image->pix, page->image->dpi, &ask_osd, NULL);
      if (retry && retry->rotation != 0)
        reread = kho_ocr_recognize (engine, retry->upright, page->image->dpi,
                                    runner->options.page_timeout_ms, NULL);
      g_debug ("%s: page %d: OCR confidence %.0f; OSD turns it %d°: %.0f after", job->file,
               index + 1, page->ocr->mean_confidence, retry ? retry->rotation : 0,
               reread ? reread->mean_confidence : -1.0f);
      if (reread && reread->mean_confidence > page->ocr->mean_confidence)
        {
          kho_prepared_page_free (g_steal_pointer (&page->prepared));
          kho_ocr_page_free (g_steal_pointer (&page->ocr));
          page->prepared = g_steal_pointer (&retry);
          page->ocr = g_steal_pointer (&reread);
        }
      kho_prepared_page_free (retry);
      kho_ocr_page_free (reread);
    }
out:
  g_atomic_int_add (&job->ocr_ms, (gint) ((g_get_monotonic_time () - t1) / 1000));
  return TRUE;
}

/* Commits the row of page @index, just read, before the worker takes
 * another page: a crash from here on does not read it again. */
static void
commit_page (Job *job, int index)
{
  g_autoptr (GError) error = NULL;

  if (!in_transaction (job->runner, job, page_body, GINT_TO_POINTER (index), &error))
    {
      job_fail (job, _("%s: ocr: page %d: %s"), job->file, index + 1, error->message);
      if (is_resource_error (error))
        job->retry = TRUE;
      return;
    }
  page_crash_hook (index + 1);
}

/* Takes up page @index as an interrupted run left it in the catalogue:
 * turned and deskewed again exactly as then (the PDF/A embeds the same
 * pixels), its words as read then; no OCR. */
static void
restore_page (Job *job, int index)
{
  Page *page = &job->pages[index];
  KhoPageRow *row = g_ptr_array_index (job->resume_rows, index);

  g_debug ("%s: page %d of %d: read by an earlier run", job->file, index + 1, job->n_pages);
  if (page->image->has_text)
    return;
  page->prepared = g_new0 (KhoPreparedPage, 1);
  page->prepared->upright = kho_prepare_replay (page->image->pix, row->rotation,
                                                (float) row->skew);
  if (page->prepared->upright == NULL)
    {
      job_fail (job, _("%s: prepare: page %d: %s"), job->file, index + 1,
                "cannot turn the page again");
      return;
    }
  page->prepared->rotation = row->rotation;
  page->prepared->skew = (float) row->skew;
  page->prepared->blank = row->blank;
  page->prepared->changed = row->rotation != 0 || row->skew != 0.0;
  if (g_strcmp0 (row->text_source, "ocr") == 0)
    {
      page->ocr = g_new0 (KhoOcrPage, 1);
      page->ocr->words = kho_words_parse (row->words, &page->ocr->n_words);
      page->ocr->text = g_strdup (row->text);
      page->ocr->mean_confidence = (float) row->confidence;
    }
}

/* Encodes page @index's image as the PDF/A will embed it (the original
 * JPEG bytes when the page was not changed), then drops its pixels: a
 * document waiting for its last page holds compressed images only. */
static void
encode_page (Job *job, int index)
{
  Page *page = &job->pages[index];
  g_autoptr (GError) error = NULL;
  gboolean unchanged = page->prepared == NULL || !page->prepared->changed;
  PIX *pix = upright_pix (page);
  gint64 t0 = g_get_monotonic_time ();

  page->pdf_image = kho_pdfa_image_new (pix, unchanged ? page->image->jpeg : NULL, 0, &error);
  if (page->pdf_image == NULL)
    job_fail (job, _("%s: assemble: page %d: %s"), job->file, index + 1, error->message);
  g_atomic_int_add (&job->encode_ms, (gint) ((g_get_monotonic_time () - t0) / 1000));
  if (page->prepared)
    {
      pixDestroy (&page->prepared->upright);
      pixDestroy (&page->prepared->binary);
    }
  pixDestroy (&page->image->pix);
  g_clear_pointer (&page->image->jpeg, g_bytes_unref);
}

typedef struct {
  Job *job;
  int index;
} Task;

static void
page_task (gpointer data, gpointer user_data)
{
  Task *task = data;
  Job *job = task->job;
  Runner *runner = user_data;

  if (g_atomic_int_get (&runner->cancelled) && !job_failed (job))
    {
      job_fail (job, _("%s: stopped before page %d"), job->file, task->index + 1);
      job->retry = TRUE;
    }
  if (!job_failed (job))
    {
      if (job->resume_rows && g_ptr_array_index (job->resume_rows, task->index))
        restore_page (job, task->index);
      else if (process_page (job, task->index))
        commit_page (job, task->index);
    }
  if (!job_failed (job))
    encode_page (job, task->index);
  g_free (task);
  g_atomic_int_add (&runner->in_flight, -1);
  post (runner, TRUE, NULL);
  if (g_atomic_int_dec_and_test (&job->pending))
    finish_job (job);
}

/* --- The calling thread: intake and decoding, and the messages. --- */

typedef struct {
  const KhoRunnerCallbacks *callbacks;
  int pages_done, pages_total;
  int files_done, files_total;
  int failed;
} Progress;

static void
handle_message (Message *message, Progress *progress)
{
  const KhoRunnerCallbacks *callbacks = progress->callbacks;

  if (message->page_done)
    progress->pages_done++;
  else
    {
      progress->files_done++;
      if (message->result->status == KHO_INGEST_FAILED)
        progress->failed++;
      if (callbacks && callbacks->on_result)
        callbacks->on_result (message->result, callbacks->user_data);
      result_free (message->result);
    }
  if (callbacks && callbacks->on_progress)
    callbacks->on_progress (progress->pages_done, progress->pages_total, progress->files_done,
                            progress->files_total, callbacks->user_data);
  g_free (message);
}

static void
drain (Runner *runner, Progress *progress, guint64 timeout_us)
{
  Message *message;

  while ((message = g_async_queue_timeout_pop (runner->messages, timeout_us)) != NULL)
    {
      handle_message (message, progress);
      timeout_us = 0;
      if (g_async_queue_length (runner->messages) <= 0)
        break;
    }
}

static gpointer
probe_main (gpointer data)
{
  Runner *runner = data;
  KhoOcrEngine *engine = kho_ocr_engine_new (runner->options.languages,
                                             KHO_TESSDATA[0] ? KHO_TESSDATA : NULL,
                                             &runner->probe_error);

  g_atomic_pointer_set (&runner->spare, engine);
  return NULL;
}

/* Waits for the probe engine.  FALSE when the language data is missing:
 * every page would fail the same way, so the run stops at once. */
static gboolean
probe_joined (Runner *runner)
{
  if (runner->probe)
    g_thread_join (g_steal_pointer (&runner->probe));
  if (runner->probe_error)
    runner->stop = TRUE;
  return runner->probe_error == NULL;
}

/* Renders the pages of @source and hands them to the workers, never more
 * than max_in_flight pages decoded at once. */
static void
submit_pages (Runner *runner, Job *job, KhoSource *source, Progress *progress)
{
  for (int i = 0; i < job->n_pages; i++)
    {
      g_autoptr (GError) error = NULL;
      Task *task;

      while (g_atomic_int_get (&runner->in_flight) >= runner->max_in_flight)
        drain (runner, progress, 100000);
      if (job_failed (job))
        break;
      if (g_atomic_int_get (&runner->cancelled))
        {
          job_fail (job, _("%s: stopped before page %d"), job->file, i + 1);
          job->retry = TRUE;
          break;
        }
      job->pages[i].image = kho_source_render_page (source, job->first_page + i, &error);
      if (job->pages[i].image == NULL)
        {
          job_fail (job, _("%s: page %d: %s"), job->file, i + 1,
                    reason (error, job->doc->file_name));
          break;
        }
      if (!probe_joined (runner))
        {
          job_fail (job, "%s: %s", job->file, runner->probe_error->message);
          break;
        }
      task = g_new0 (Task, 1);
      task->job = job;
      task->index = i;
      g_atomic_int_inc (&job->pending);
      g_atomic_int_inc (&runner->in_flight);
      g_thread_pool_push (runner->pool, task, NULL);
    }
}

static void
post_failure (Runner *runner, const char *file, const char *sha256, const char *message,
              gboolean retry, gint64 started_us)
{
  KhoIngestResult *result = new_result (file, KHO_INGEST_FAILED, NULL, sha256, 0, message,
                                        started_us);

  g_mutex_lock (&runner->db_lock);
  kho_db_add_event (runner->archive->db, 0, "intake", "failed", -1, NULL, message, NULL);
  g_mutex_unlock (&runner->db_lock);
  result->retry = retry;
  post (runner, FALSE, result);
}

static gboolean
resume_event_body (Job *job, gpointer data, GError **error)
{
  (void) data;
  return kho_db_add_event (job->runner->archive->db, job->doc->id, "intake", "resumed", -1, NULL,
                           job->file, error);
}

/* TRUE when the archival PDF of @doc is in place with its recorded checksum,
 * so that a document interrupted after assembly needs indexing only. */
static gboolean
pdf_in_place (Runner *runner, const KhoDocument *doc)
{
  g_autofree char *path = NULL;
  g_autofree char *sha256 = NULL;

  if (g_strcmp0 (doc->stage, "assemble") != 0 || doc->pdf_sha256 == NULL)
    return FALSE;
  path = kho_store_pdf_path (runner->archive->root, doc->archive_id);
  sha256 = kho_store_sha256_file (path, NULL);
  return g_strcmp0 (sha256, doc->pdf_sha256) == 0;
}

/* Finds the pages of @job's document that an interrupted run committed:
 * they are taken up (restore_page), not read again.  A page whose row
 * cannot be read is simply read again. */
static void
resume_pages (Runner *runner, Job *job)
{
  g_autoptr (GPtrArray) rows = NULL;

  g_mutex_lock (&runner->db_lock);
  rows = kho_db_get_pages (runner->archive->db, job->doc->id, NULL);
  g_mutex_unlock (&runner->db_lock);
  if (rows == NULL || rows->len == 0)
    return;
  job->resume_rows = g_ptr_array_new_full ((guint) job->n_pages,
                                           (GDestroyNotify) kho_page_row_free);
  g_ptr_array_set_size (job->resume_rows, job->n_pages);
  for (guint i = 0; i < rows->len; i++)
    {
      KhoPageRow *row = rows->pdata[i];

      if (row->number < 1 || row->number > job->n_pages ||
          job->resume_rows->pdata[row->number - 1] != NULL)
        continue;
      job->resume_rows->pdata[row->number - 1] = g_steal_pointer (&rows->pdata[i]);
      job->n_resumed++;
    }
}

/* Takes pages @first..@last (from 0) of @source, the input @display, into
 * the archive as one document: part @part of a split scan, or with part 0
 * the whole file.  @existing (taken) is that document when an earlier run
 * left it unfinished: it is taken up at its last committed stage. */
static void
start_job (Runner *runner, KhoSource *source, GBytes *data, const char *sha256,
           const char *name, const char *display, KhoDocument *existing, int part, int first,
           int last, gint64 started_us, Progress *progress)
{
  g_autoptr (GError) error = NULL;
  Job *job;

  job = g_new0 (Job, 1);
  g_mutex_init (&job->lock);
  job->runner = runner;
  job->file = g_strdup (display);
  job->sha256 = g_strdup (sha256);
  job->started_us = started_us;
  job->n_pages = last - first + 1;
  job->first_page = first;
  job->pages = g_new0 (Page, job->n_pages);
  job->pending = 1;
  if (existing)
    {
      job->doc = existing;
      if (!in_transaction (runner, job, resume_event_body, NULL, &error))
        {
          job_fail_error (job, error);
          finish_job (job);
          return;
        }
      g_hash_table_insert (runner->seen, g_strdup (sha256), g_strdup (job->doc->archive_id));
      if (pdf_in_place (runner, job->doc))
        {
          gboolean indexed = in_transaction (runner, job, index_body, NULL, &error);

          if (indexed)
            post_result (runner, display, KHO_INGEST_ARCHIVED, job->doc->archive_id, sha256,
                         job->doc->page_count, NULL, started_us);
          else
            {
              job_fail_error (job, error);
              post_job_failure (job);
            }
          job_free (job);
          return;
        }
      resume_pages (runner, job);
      /* The OCR stage is done only with every page in; else the pages
       * missing are read, and the stage marked done after them. */
      if (job->n_resumed < job->n_pages || (g_strcmp0 (job->doc->stage, "ocr") != 0 &&
                                            g_strcmp0 (job->doc->stage, "classify") != 0))
        set_stage (job, "intake");
    }
  else
    {
      job->doc = g_new0 (KhoDocument, 1);
      job->doc->sha256 = g_strdup (sha256);
      job->doc->size = (gint64) g_bytes_get_size (data);
      job->doc->part = part;
      job->doc->first_page = part > 0 ? first + 1 : 0;
      job->doc->last_page = part > 0 ? last + 1 : 0;
      job->doc->format = g_strdup (kho_format_name (kho_source_format (source)));
      job->doc->file_name = g_strdup (name);
      job->doc->created = kho_db_now ();
      if (!kho_store_put_original (runner->archive->root, sha256, data, &error))
        {
          job_fail_error (job, error);
          finish_job (job);
          return;
        }
      if (!in_transaction (runner, job, intake_body, NULL, &error))
        {
          g_autoptr (KhoDocument) other = NULL;

          /* Another kho took the same file in meanwhile: its document
           * owns the original, which must stay. */
          g_mutex_lock (&runner->db_lock);
          other = kho_db_find_part (runner->archive->db, sha256, part, NULL);
          g_mutex_unlock (&runner->db_lock);
          job->doc->id = 0;
          if (other)
            {
              post_result (runner, display, KHO_INGEST_DUPLICATE, other->archive_id, sha256,
                           other->page_count, NULL, started_us);
              job_free (job);
              return;
            }
          {
            g_autofree char *original = kho_store_original_path (runner->archive->root, sha256);
            kho_store_remove (original, NULL);
          }
          job_fail_error (job, error);
          finish_job (job);
          return;
        }
      set_stage (job, "intake");
      g_hash_table_insert (runner->seen, g_strdup (sha256), g_strdup (job->doc->archive_id));
    }
  progress->pages_total += job->n_pages;
  submit_pages (runner, job, source, progress);
  if (g_atomic_int_dec_and_test (&job->pending))
    finish_job (job);

}

/* The parts of a scan split at its blank pages: pairs of first and last
 * page (from 0), blank pages in none.  NULL when no page is blank (the scan
 * is one document); empty when every page is. */
typedef struct {
  int first, last;
} Part;

static GArray *
find_parts (KhoSource *source, GError **error)
{
  g_autoptr (GArray) parts = g_array_new (FALSE, FALSE, sizeof (Part));
  int n = kho_source_n_pages (source), blanks = 0;
  Part part = { -1, -1 };

  /* Each page is decoded once more for this: cheap next to its OCR, and
   * the pages are not all held in memory at once. */
  for (int i = 0; i < n; i++)
    {
      KhoPageImage *image = kho_source_render_page (source, i, error);
      gboolean blank;

      if (image == NULL)
        return NULL;
      blank = kho_prepare_is_blank (image->pix, image->dpi);
      kho_page_image_free (image);
      if (blank)
        {
          blanks++;
          if (part.first >= 0)
            g_array_append_val (parts, part);
          part.first = -1;
          continue;
        }
      if (part.first < 0)
        part.first = i;
      part.last = i;
    }
  if (part.first >= 0)
    g_array_append_val (parts, part);
  return blanks > 0 ? g_steal_pointer (&parts) : NULL;
}

/* Takes each part of a split scan into the archive as its own document;
 * a part an earlier run archived is a duplicate. */
static void
intake_parts (Runner *runner, KhoSource *source, GBytes *data, const char *sha256,
              const char *name, const char *display, GArray *parts, gint64 started_us,
              Progress *progress)
{
  if (parts->len == 0)
    {
      g_autofree char *message = g_strdup_printf (_("%s: every page is blank"), display);
      post_failure (runner, display, sha256, message, FALSE, started_us);
      return;
    }
  progress->files_total += (int) parts->len - 1;
  for (guint k = 0; k < parts->len; k++)
    {
      Part range = g_array_index (parts, Part, k);
      KhoDocument *existing;

      g_mutex_lock (&runner->db_lock);
      existing = kho_db_find_part (runner->archive->db, sha256, (int) k + 1, NULL);
      g_mutex_unlock (&runner->db_lock);
      if (existing && g_strcmp0 (existing->status, "archived") == 0)
        {
          post_result (runner, display, KHO_INGEST_DUPLICATE, existing->archive_id, sha256,
                       existing->page_count, NULL, started_us);
          kho_document_free (existing);
          continue;
        }
      start_job (runner, source, data, sha256, name, display, existing, (int) k + 1,
                 range.first, range.last, started_us, progress);
    }
}

/* Takes @file (shown as @display) into the archive: validates it, stores
 * the original, records the document and hands its pages to the workers.
 * A document an earlier run left unfinished is taken up again under its
 * archive ID: from indexing when its PDF/A is in place, else from its pages. */
static void
intake (Runner *runner, const char *file, const char *display, Progress *progress)
{
  gint64 started_us = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) data = NULL;
  g_autoptr (KhoSource) source = NULL;
  g_autoptr (KhoDocument) existing = NULL;
  g_autofree char *name = g_path_get_basename (display);
  g_autofree char *sha256 = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *seen;

  /* A FIFO or a device would block the read or never end. */
  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR) && g_file_test (file, G_FILE_TEST_EXISTS))
    {
      g_autofree char *message = g_strdup_printf (_("%s: not a regular file"), display);
      post_result (runner, display, KHO_INGEST_FAILED, NULL, NULL, 0, message, started_us);
      return;
    }
  if (!g_file_get_contents (file, &contents, &length, &error))
    {
      g_autofree char *message = g_strdup_printf (_("%s: cannot read: %s"), display,
                                                  error->message);
      post_result (runner, display, KHO_INGEST_FAILED, NULL, NULL, 0, message, started_us);
      return;
    }
  data = g_bytes_new_take (g_steal_pointer (&contents), length);
  sha256 = kho_store_sha256_bytes (data);

  /* The same content twice in one run: the first is in the workers' hands. */
  seen = g_hash_table_lookup (runner->seen, sha256);
  if (seen != NULL)
    {
      post_result (runner, display, KHO_INGEST_DUPLICATE, *seen ? seen : NULL, sha256, 0, NULL,
                   started_us);
      return;
    }
  g_mutex_lock (&runner->db_lock);
  existing = kho_db_find_sha256 (runner->archive->db, sha256, &error);
  g_mutex_unlock (&runner->db_lock);
  if (error)
    goto failed;
  if (existing && g_strcmp0 (existing->status, "archived") == 0)
    {
      post_result (runner, display, KHO_INGEST_DUPLICATE, existing->archive_id, sha256,
                   existing->page_count, NULL, started_us);
      return;
    }

  /* Validate before anything is written: bad input leaves no trace but an event. */
  source = kho_source_open (data, name, &error);
  if (source == NULL)
    goto failed;

  /* A scan split before stays split: its parts are taken up as parts. */
  if (existing ? existing->part > 0 : runner->options.split_on_blank)
    {
      g_autoptr (GArray) parts = find_parts (source, &error);

      if (error)
        goto failed;
      if (parts)
        {
          intake_parts (runner, source, data, sha256, name, display, parts, started_us,
                        progress);
          return;
        }
    }
  start_job (runner, source, data, sha256, name, display, g_steal_pointer (&existing), 0, 0,
             kho_source_n_pages (source) - 1, started_us, progress);
  return;

failed:
  {
    g_autofree char *message = g_strdup_printf ("%s: %s", display, reason (error, name));
    post_failure (runner, display, sha256, message, is_resource_error (error), started_us);
  }
}

KhoRunner *
kho_runner_new (KhoArchive *archive, const KhoRunnerOptions *options)
{
  Runner *runner = g_new0 (Runner, 1);
  int workers;

  runner->archive = archive;
  runner->options = *options;
  if (runner->options.languages == NULL)
    runner->options.languages = archive->languages;
  if (runner->options.page_timeout_ms <= 0)
    runner->options.page_timeout_ms = archive->page_timeout_s * 1000;
  workers = options->workers > 0 ? options->workers
            : archive->workers > 0 ? archive->workers
                                   : (int) g_get_num_processors ();
  runner->max_in_flight = workers * 2;

  /* Fail early, once, when the language data is missing, rather than once
   * per document.  The engine loaded to find out serves the first worker;
   * it loads while the first input is read and decoded. */
  runner->probe = g_thread_new ("kho-probe", probe_main, runner);

  g_mutex_init (&runner->db_lock);
  runner->messages = g_async_queue_new ();
  /* Exclusive threads live as long as the runner: each keeps its engine. */
  runner->pool = g_thread_pool_new (page_task, runner, workers, TRUE, NULL);
  runner->classifier = kho_classifier_new (archive);
  return runner;
}

void
kho_runner_cancel (KhoRunner *runner)
{
  g_atomic_int_set (&runner->cancelled, 1);
}

int
kho_runner_run (KhoRunner *runner, GPtrArray *files, GPtrArray *names, KhoRunnerFlags flags,
                const KhoRunnerCallbacks *callbacks, GError **error)
{
  KhoArchive *archive = runner->archive;
  Progress progress = { 0 };
  g_autoptr (GPtrArray) unfinished = NULL;
  int started = 0;

  g_return_val_if_fail (names == NULL || names->len == files->len, -1);
  progress.callbacks = callbacks;
  progress.files_total = (int) files->len;
  runner->stop = FALSE;
  runner->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* Documents an interrupted run left unfinished come first, from their
   * stored originals: nothing given to kho is ever left half-done. */
  if (flags & KHO_RUNNER_RESUME)
    {
      kho_store_clean_staging (archive->root);
      unfinished = kho_db_list_unfinished (archive->db, NULL);
      progress.files_total += unfinished ? (int) unfinished->len : 0;
    }
  for (guint i = 0; unfinished && i < unfinished->len && !runner->stop; i++)
    {
      KhoDocument *doc = g_ptr_array_index (unfinished, i);
      g_autofree char *original = kho_store_original_path (archive->root, doc->sha256);

      if (g_atomic_int_get (&runner->cancelled))
        break;
      /* A kho watch worker has it, or it is another part of a split scan
       * taken up already. */
      if (kho_queue_sha256_active (archive->db, doc->sha256) ||
          g_hash_table_contains (runner->seen, doc->sha256))
        {
          progress.files_total--;
          continue;
        }
      intake (runner, original, doc->file_name, &progress);
      started++;
      drain (runner, &progress, 0);
    }
  for (guint i = 0; i < files->len && !runner->stop; i++)
    {
      const char *file = g_ptr_array_index (files, i);

      if (g_atomic_int_get (&runner->cancelled))
        break;
      intake (runner, file, names ? g_ptr_array_index (names, i) : file, &progress);
      started++;
      drain (runner, &progress, 0);
    }
  probe_joined (runner);
  /* Inputs not taken (the run was stopped) have no result. */
  if (runner->stop || g_atomic_int_get (&runner->cancelled))
    progress.files_total = started;
  while (progress.files_done < progress.files_total)
    drain (runner, &progress, G_USEC_PER_SEC);
  g_clear_pointer (&runner->seen, g_hash_table_unref);
  if (runner->probe_error)
    {
      g_propagate_error (error, g_error_copy (runner->probe_error));
      return -1;
    }
  return progress.failed;
}

void
kho_runner_free (KhoRunner *runner)
{
  if (runner == NULL)
    return;
  probe_joined (runner);
  g_thread_pool_free (runner->pool, FALSE, TRUE);
  kho_ocr_engine_free (runner->spare);
  g_async_queue_unref (runner->messages);
  g_mutex_clear (&runner->db_lock);
  g_clear_error (&runner->probe_error);
  kho_classifier_free (runner->classifier);
  g_free (runner);
}

int
kho_runner_ingest (KhoArchive *archive, const KhoRunnerOptions *options, GPtrArray *files,
                   const KhoRunnerCallbacks *callbacks, GError **error)
{
  KhoRunner *runner = kho_runner_new (archive, options);
  int failed = kho_runner_run (runner, files, NULL, KHO_RUNNER_RESUME, callbacks, error);

  kho_runner_free (runner);
  return failed;
}

/* fuzz-query.c — kho_query_build and kho_search_run on any user query.
 *
 * The bytes, up to the first NUL, are a query as typed.  query.h promises an
 * expression FTS5 always accepts, so searching a small catalogue must return
 * an array (possibly empty) and never an error, whatever was typed.
 */
#include <glib.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/query.h"
#include "index/schema.h"
#include "index/search.h"
#include "index/tokenizer.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const struct {
  const char *title, *body;
} documents[] = {
  { "Kế hoạch đào tạo năm học 2025–2026",
    "Căn cứ Công văn số 189/KH-UBND, nhà trường xây dựng kế hoạch đào tạo, "
    "bồi dưỡng giáo viên; hoá học và thuỷ lợi được dạy theo chương trình mới." },
  { "Quyết định thành lập hội đồng",
    "Hiệu trưởng quyết định thành lập Hội đồng thi đua, khen thưởng. "
    "ĐIỀU 1. Thành viên hội đồng gồm các ông (bà) có tên sau: Nguyễn Văn An, Trần Thị Bình." },
  { "Thông báo khai giảng",
    "Lễ khai giảng được tổ chức lúc 7 giờ 30 ngày 05/09/2025 tại sân trường. "
    "Học sinh mặc đồng phục; phụ huynh có thể tham dự. NEAR AND OR NOT \"quote\" title:x" },
};

static sqlite3 *
open_catalogue (void)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *message = NULL;

  if (sqlite3_open (":memory:", &db) != SQLITE_OK || kho_tokenizer_register (db) != SQLITE_OK)
    g_error ("cannot open the catalogue");
  if (sqlite3_exec (db, kho_schema_v1, NULL, NULL, &message) != SQLITE_OK)
    g_error ("schema: %s", message);
  for (gint64 id = 1; id <= (gint64) G_N_ELEMENTS (documents); id++) {
    const char *title = documents[id - 1].title, *body = documents[id - 1].body;
    if (sqlite3_prepare_v2 (db,
          "INSERT INTO documents (id, archive_id, sha256, size, format, file_name, title,"
          " status, page_count, created)"
          " VALUES (?1, printf('KHO-2026-%06d', ?1), printf('%064d', ?1), 1, 'pdf', 'scan.pdf',"
          " ?2, 'archived', 1, '2026-03-01T08:00:00Z')", -1, &stmt, NULL) != SQLITE_OK)
      g_error ("insert: %s", sqlite3_errmsg (db));
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_text (stmt, 2, title, -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) != SQLITE_DONE)
      g_error ("insert: %s", sqlite3_errmsg (db));
    sqlite3_finalize (stmt);
    if (sqlite3_prepare_v2 (db, "INSERT INTO doc_fts (rowid, title, body) VALUES (?1, ?2, ?3)",
                            -1, &stmt, NULL) != SQLITE_OK)
      g_error ("insert: %s", sqlite3_errmsg (db));
    sqlite3_bind_int64 (stmt, 1, id);
    sqlite3_bind_text (stmt, 2, title, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, body, -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) != SQLITE_DONE)
      g_error ("insert: %s", sqlite3_errmsg (db));
    sqlite3_finalize (stmt);
  }
  return db;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* One catalogue for the whole run: it is only read. */
  static sqlite3 *db = NULL;
  GError *error = NULL;

  if (db == NULL) {
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    db = open_catalogue ();
  }

  char *query = g_strndup ((const char *) data, size);
  char *expression = kho_query_build (query);
  if (expression != NULL && !g_utf8_validate (expression, -1, NULL))
    g_assert_not_reached ();  /* a finding: abort, as libFuzzer expects */
  g_free (expression);

  GPtrArray *hits = kho_search_run (db, query, NULL, &error);
  if (hits == NULL || error != NULL) {
    g_printerr ("query %s: %s\n", query, error ? error->message : "no array");
    g_assert_not_reached ();  /* a finding: abort, as libFuzzer expects */
  }
  for (guint i = 0; i < hits->len; i++) {
    const KhoSearchHit *hit = g_ptr_array_index (hits, i);
    if (hit->document_id < 1 || hit->document_id > (gint64) G_N_ELEMENTS (documents) ||
        hit->snippet == NULL)
      g_assert_not_reached ();  /* a finding: abort, as libFuzzer expects */
  }
  g_ptr_array_unref (hits);
  g_free (query);
  return 0;
}

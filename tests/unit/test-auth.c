/* test-auth.c — accounts, sessions and CSRF tokens of kho serve: roles,
 * names and passwords refused, hashes that are not the password, unknown
 * names, sessions that expire, end with a password change or a deleted
 * account, and tokens the database keeps only as their SHA-256. */
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>

#include "index/db.h"
#include "index-fixture.h"
#include "pipeline/auth.h"

typedef KhoTestDbFixture Fixture;

static void
add (Fixture *f, const char *name, const char *password, KhoRole role)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (kho_user_add (f->db, name, password, role, &error));
  g_assert_no_error (error);
}

/* A session of @name, which must open; its cookie token. */
static char *
open_session (Fixture *f, const char *name, int lifetime_s)
{
  g_autoptr (GError) error = NULL;
  char *token = kho_session_open (f->db, name, lifetime_s, &error);

  g_assert_no_error (error);
  return token;
}

static gint64
count (Fixture *f, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (kho_db_handle (f->db), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
test_roles (void)
{
  static const struct { KhoRole role; const char *name; } roles[] = {
    { KHO_ROLE_READER, "reader" }, { KHO_ROLE_EDITOR, "editor" },
    { KHO_ROLE_AUDITOR, "auditor" }, { KHO_ROLE_ADMIN, "admin" },
  };
  /* allows[role][needed], in the order of the enum: none, reader, editor, auditor, admin. */
  static const gboolean allows[5][5] = {
    { TRUE, FALSE, FALSE, FALSE, FALSE },   /* none */
    { TRUE, TRUE, FALSE, FALSE, FALSE },    /* reader */
    { TRUE, TRUE, TRUE, FALSE, FALSE },     /* editor */
    { TRUE, TRUE, FALSE, TRUE, FALSE },     /* auditor */
    { TRUE, TRUE, TRUE, TRUE, TRUE },       /* admin */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_assert_cmpstr (kho_role_name (roles[i].role), ==, roles[i].name);
      g_assert_cmpint (kho_role_parse (roles[i].name), ==, roles[i].role);
    }
  g_assert_cmpstr (kho_role_name (KHO_ROLE_NONE), ==, "none");
  g_assert_cmpint (kho_role_parse ("none"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_role_parse ("root"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_role_parse ("Admin"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_role_parse ("admin "), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_role_parse (""), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_role_parse (NULL), ==, KHO_ROLE_NONE);
  for (int role = KHO_ROLE_NONE; role <= KHO_ROLE_ADMIN; role++)
    for (int needed = KHO_ROLE_NONE; needed <= KHO_ROLE_ADMIN; needed++)
      {
        g_test_message ("%s needs %s", kho_role_name (role), kho_role_name (needed));
        g_assert_cmpint (kho_role_allows (role, needed), ==, allows[role][needed]);
      }
}

static void
test_add_list_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  KhoUser *user;

  (void) data;
  users = kho_user_list (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, 0);
  g_clear_pointer (&users, g_ptr_array_unref);

  add (f, "nguyen.van-a_1", "mật khẩu dài", KHO_ROLE_EDITOR);
  add (f, "admin", "correct horse", KHO_ROLE_ADMIN);
  add (f, "bao", "12345678", KHO_ROLE_READER);
  users = kho_user_list (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, 3);
  /* By name. */
  g_assert_cmpstr (((KhoUser *) users->pdata[0])->name, ==, "admin");
  g_assert_cmpint (((KhoUser *) users->pdata[0])->role, ==, KHO_ROLE_ADMIN);
  g_assert_cmpstr (((KhoUser *) users->pdata[1])->name, ==, "bao");
  g_assert_cmpint (((KhoUser *) users->pdata[1])->role, ==, KHO_ROLE_READER);
  user = users->pdata[2];
  g_assert_cmpstr (user->name, ==, "nguyen.van-a_1");
  g_assert_cmpint (user->role, ==, KHO_ROLE_EDITOR);
  g_assert_nonnull (user->created);
  g_assert_true (g_str_has_suffix (user->created, "Z"));
  g_clear_pointer (&users, g_ptr_array_unref);

  g_assert_true (kho_user_delete (f->db, "bao", &error));
  g_assert_no_error (error);
  g_assert_cmpint (kho_user_check (f->db, "bao", "12345678"), ==, KHO_ROLE_NONE);
  users = kho_user_list (f->db, &error);
  g_assert_cmpuint (users->len, ==, 2);
  g_assert_cmpstr (((KhoUser *) users->pdata[0])->name, ==, "admin");
  g_assert_cmpstr (((KhoUser *) users->pdata[1])->name, ==, "nguyen.van-a_1");

  g_assert_false (kho_user_delete (f->db, "bao", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "bao"));
  g_clear_error (&error);

  /* A role that is none of the four is refused. */
  g_assert_false (kho_user_add (f->db, "nobody", "long enough", KHO_ROLE_NONE, &error));
  g_assert_nonnull (strstr (error->message, "nobody"));
  g_assert_cmpint (count (f, "SELECT count(*) FROM users"), ==, 2);
}

static void
test_duplicate_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  add (f, "lan", "first password", KHO_ROLE_READER);
  g_assert_false (kho_user_add (f->db, "lan", "second password", KHO_ROLE_ADMIN, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "lan"));
  g_assert_nonnull (strstr (error->message, "exists"));
  /* The first account is as it was. */
  g_assert_cmpint (kho_user_check (f->db, "lan", "first password"), ==, KHO_ROLE_READER);
  g_assert_cmpint (kho_user_check (f->db, "lan", "second password"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (count (f, "SELECT count(*) FROM users"), ==, 1);
}

static void
test_bad_names_and_passwords (Fixture *f, gconstpointer data)
{
  const char *bad_names[] = { "", "a b", "ä", "a/b", "../x", "a'b", "x;DROP", "tab\tname",
                              "new\nline", "\033[31mred" };
  g_autofree char *name_64 = g_strnfill (64, 'n');
  g_autofree char *name_65 = g_strnfill (65, 'n');
  g_autoptr (GError) error = NULL;

  (void) data;
  for (gsize i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_autofree char *shown = g_strescape (bad_names[i], NULL);

      g_test_message ("name “%s”", shown);
      g_assert_false (kho_user_add (f->db, bad_names[i], "long enough", KHO_ROLE_READER, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "account name"));
      /* Refused names are shown escaped: no control character reaches a terminal. */
      for (const char *p = error->message; *p; p++)
        g_assert_false (g_ascii_iscntrl (*p));
      g_clear_error (&error);
    }
  g_assert_false (kho_user_add (f->db, NULL, "long enough", KHO_ROLE_READER, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (kho_user_add (f->db, name_65, "long enough", KHO_ROLE_READER, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  add (f, name_64, "long enough", KHO_ROLE_READER);

  /* At least 8 characters (not bytes): 7 two-byte letters are too few. */
  g_assert_false (kho_user_add (f->db, "minh", "1234567", KHO_ROLE_READER, &error));
  g_assert_nonnull (strstr (error->message, "minh"));
  g_assert_nonnull (strstr (error->message, "8"));
  g_clear_error (&error);
  g_assert_false (kho_user_add (f->db, "minh", "", KHO_ROLE_READER, &error));
  g_clear_error (&error);
  g_assert_false (kho_user_add (f->db, "minh", NULL, KHO_ROLE_READER, &error));
  g_clear_error (&error);
  g_assert_false (kho_user_add (f->db, "minh", "ééééééé", KHO_ROLE_READER, &error));
  g_clear_error (&error);
  g_assert_false (kho_user_add (f->db, "minh", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7", KHO_ROLE_READER,
                                &error));
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM users WHERE name = 'minh'"), ==, 0);
  add (f, "minh", "éééééééé", KHO_ROLE_READER);
  g_assert_cmpint (kho_user_check (f->db, "minh", "éééééééé"), ==, KHO_ROLE_READER);

  /* A new password is held to the same rule, and the old one stays. */
  g_assert_false (kho_user_set_password (f->db, "minh", "short", &error));
  g_assert_nonnull (strstr (error->message, "minh"));
  g_clear_error (&error);
  g_assert_cmpint (kho_user_check (f->db, "minh", "éééééééé"), ==, KHO_ROLE_READER);
  g_assert_false (kho_user_set_password (f->db, "nobody", "long enough", &error));
  g_assert_nonnull (strstr (error->message, "nobody"));
}

static void
test_check (Fixture *f, gconstpointer data)
{
  (void) data;
  add (f, "hoa", "s3cret-pass", KHO_ROLE_AUDITOR);
  add (f, "tuan", "another pass", KHO_ROLE_EDITOR);
  g_assert_cmpint (kho_user_check (f->db, "hoa", "s3cret-pass"), ==, KHO_ROLE_AUDITOR);
  g_assert_cmpint (kho_user_check (f->db, "tuan", "another pass"), ==, KHO_ROLE_EDITOR);
  g_assert_cmpint (kho_user_check (f->db, "hoa", "another pass"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, "hoa", "s3cret-pas"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, "hoa", "s3cret-pass "), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, "hoa", ""), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, "hoa", NULL), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, "Hoa", "s3cret-pass"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, "unknown", "s3cret-pass"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, "' OR 1=1 --", "x"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, NULL, "s3cret-pass"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, "", ""), ==, KHO_ROLE_NONE);
}

/* An unknown name costs a password verification too: not a quarter of a
 * known one's time (the same Argon2 work; a lookup alone would be 1000
 * times faster). */
static void
test_unknown_costs_as_much (Fixture *f, gconstpointer data)
{
  gint64 start, known = G_MAXINT64, unknown = G_MAXINT64;

  (void) data;
  add (f, "hoa", "s3cret-pass", KHO_ROLE_READER);
  for (int i = 0; i < 3; i++)
    {
      start = g_get_monotonic_time ();
      g_assert_cmpint (kho_user_check (f->db, "hoa", "wrong password"), ==, KHO_ROLE_NONE);
      known = MIN (known, g_get_monotonic_time () - start);
      start = g_get_monotonic_time ();
      g_assert_cmpint (kho_user_check (f->db, "nobody", "wrong password"), ==, KHO_ROLE_NONE);
      unknown = MIN (unknown, g_get_monotonic_time () - start);
    }
  g_test_message ("known %" G_GINT64_FORMAT " µs, unknown %" G_GINT64_FORMAT " µs", known,
                  unknown);
  g_assert_cmpint (unknown * 4, >, known);
}

static void
test_hash_stored (Fixture *f, gconstpointer data)
{
  const char *password = "Hà Nội 2026!";
  sqlite3_stmt *stmt = NULL;
  g_autofree char *hash = NULL;

  (void) data;
  add (f, "thu", password, KHO_ROLE_READER);
  g_assert_cmpint (sqlite3_prepare_v2 (kho_db_handle (f->db),
                                       "SELECT password_hash FROM users WHERE name = 'thu'", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  g_assert_cmpstr (hash, !=, password);
  g_assert_null (strstr (hash, password));
  g_assert_null (strstr (hash, "Hà Nội"));
  g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
  g_assert_cmpuint (strlen (hash), <, crypto_pwhash_STRBYTES);
  g_assert_cmpint (crypto_pwhash_str_verify (hash, password, strlen (password)), ==, 0);
  g_assert_cmpint (crypto_pwhash_str_verify (hash, "Ha Noi 2026!", strlen ("Ha Noi 2026!")), !=,
                   0);
  g_assert_cmpint (crypto_pwhash_str_needs_rehash (hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                   crypto_pwhash_MEMLIMIT_INTERACTIVE), ==, 0);

  /* The same password twice makes two hashes (a salt each). */
  add (f, "thu2", password, KHO_ROLE_READER);
  g_assert_cmpint (count (f, "SELECT count(DISTINCT password_hash) FROM users"), ==, 2);
}

static void
test_password_change_ends_sessions (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token_a = NULL, *token_b = NULL, *token_other = NULL;
  g_autoptr (KhoSession) other = NULL;

  (void) data;
  add (f, "an", "old password", KHO_ROLE_EDITOR);
  add (f, "binh", "binh password", KHO_ROLE_READER);
  token_a = open_session (f, "an", 3600);
  token_b = open_session (f, "an", 3600);
  token_other = open_session (f, "binh", 3600);

  g_assert_true (kho_user_set_password (f->db, "an", "new password", &error));
  g_assert_no_error (error);
  g_assert_null (kho_session_get (f->db, token_a));
  g_assert_null (kho_session_get (f->db, token_b));
  /* Another account's session goes on. */
  other = kho_session_get (f->db, token_other);
  g_assert_nonnull (other);
  g_assert_cmpstr (other->user, ==, "binh");
  g_assert_cmpint (kho_user_check (f->db, "an", "old password"), ==, KHO_ROLE_NONE);
  g_assert_cmpint (kho_user_check (f->db, "an", "new password"), ==, KHO_ROLE_EDITOR);
  g_assert_cmpint (count (f, "SELECT count(*) FROM sessions WHERE user = 'an'"), ==, 0);
}

static void
test_delete_ends_sessions (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;

  (void) data;
  add (f, "chi", "chi password", KHO_ROLE_ADMIN);
  token = open_session (f, "chi", 3600);
  g_assert_true (kho_user_delete (f->db, "chi", &error));
  g_assert_null (kho_session_get (f->db, token));
  g_assert_cmpint (count (f, "SELECT count(*) FROM sessions"), ==, 0);
  /* Gone for good: a new account of the same name does not inherit it. */
  add (f, "chi", "other password", KHO_ROLE_READER);
  g_assert_null (kho_session_get (f->db, token));
}

static gboolean
is_url_safe (const char *token)
{
  for (const char *p = token; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static void
test_session (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL, *second = NULL, *tampered = NULL;
  g_autoptr (KhoSession) session = NULL;
  g_autoptr (KhoSession) session_2 = NULL;

  (void) data;
  add (f, "dung", "dung password", KHO_ROLE_EDITOR);
  token = open_session (f, "dung", 3600);
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), ==, 43);
  g_assert_true (is_url_safe (token));

  session = kho_session_get (f->db, token);
  g_assert_nonnull (session);
  g_assert_cmpstr (session->user, ==, "dung");
  g_assert_cmpint (session->role, ==, KHO_ROLE_EDITOR);
  g_assert_nonnull (session->csrf);
  g_assert_cmpuint (strlen (session->csrf), ==, 43);
  g_assert_true (is_url_safe (session->csrf));
  g_assert_cmpstr (session->csrf, !=, token);

  /* Each session its own tokens. */
  second = open_session (f, "dung", 3600);
  g_assert_cmpstr (second, !=, token);
  session_2 = kho_session_get (f->db, second);
  g_assert_nonnull (session_2);
  g_assert_cmpstr (session_2->csrf, !=, session->csrf);

  /* Unknown, malformed or tampered tokens find nothing. */
  tampered = g_strdup (token);
  tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
  g_assert_null (kho_session_get (f->db, tampered));
  g_assert_null (kho_session_get (f->db, NULL));
  g_assert_null (kho_session_get (f->db, ""));
  g_assert_null (kho_session_get (f->db, "' OR 1=1 --"));
  g_assert_null (kho_session_get (f->db, session->csrf));

  /* Closing one leaves the other. */
  kho_session_close (f->db, token);
  g_assert_null (kho_session_get (f->db, token));
  g_clear_pointer (&session_2, kho_session_free);
  session_2 = kho_session_get (f->db, second);
  g_assert_nonnull (session_2);
  kho_session_close (f->db, NULL);
  kho_session_close (f->db, "garbage");
  g_assert_cmpint (count (f, "SELECT count(*) FROM sessions"), ==, 1);

  /* No session for an account that does not exist. */
  g_assert_null (kho_session_open (f->db, "ghost", 3600, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "ghost"));
  g_assert_cmpint (count (f, "SELECT count(*) FROM sessions"), ==, 1);
}

static void
test_session_expiry (Fixture *f, gconstpointer data)
{
  g_autofree char *token = NULL, *old = NULL, *fresh = NULL;
  g_autoptr (KhoSession) session = NULL;

  (void) data;
  add (f, "em", "em password", KHO_ROLE_READER);
  token = open_session (f, "em", 1);
  old = open_session (f, "em", 1);
  session = kho_session_get (f->db, token);
  g_assert_nonnull (session);
  g_clear_pointer (&session, kho_session_free);
  g_assert_cmpint (count (f, "SELECT count(*) FROM sessions"), ==, 2);

  g_usleep (2 * G_USEC_PER_SEC);
  g_assert_null (kho_session_get (f->db, token));
  /* Deleted when found expired … */
  g_assert_cmpint (count (f, "SELECT count(*) FROM sessions"), ==, 1);
  /* … or when the next session opens. */
  fresh = open_session (f, "em", 3600);
  g_assert_cmpint (count (f, "SELECT count(*) FROM sessions"), ==, 1);
  g_assert_null (kho_session_get (f->db, old));
  session = kho_session_get (f->db, fresh);
  g_assert_nonnull (session);
}

/* @needle anywhere in the file @path (which may be missing: FALSE). */
static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return memmem (contents, length, needle, strlen (needle)) != NULL;
}

static gboolean
database_contains (Fixture *f, const char *needle)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);

  return file_contains (f->path, needle) || file_contains (wal, needle);
}

static void
test_token_stored_as_sha256 (Fixture *f, gconstpointer data)
{
  g_autofree char *token = NULL, *digest = NULL, *query = NULL;
  g_autoptr (KhoSession) session = NULL;

  (void) data;
  add (f, "giang", "giang password", KHO_ROLE_READER);
  token = open_session (f, "giang", 3600);
  session = kho_session_get (f->db, token);
  g_assert_nonnull (session);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);

  /* What the database holds is the digest, in the WAL and after a checkpoint. */
  query = g_strdup_printf ("SELECT count(*) FROM sessions WHERE token_sha256 = '%s'", digest);
  g_assert_cmpint (count (f, query), ==, 1);
  g_assert_true (database_contains (f, digest));
  g_assert_true (database_contains (f, session->csrf));
  g_assert_false (database_contains (f, token));
  g_assert_false (database_contains (f, "giang password"));
  g_assert_cmpint (sqlite3_exec (kho_db_handle (f->db), "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
                                 NULL, NULL), ==, SQLITE_OK);
  g_assert_true (file_contains (f->path, digest));
  g_assert_false (database_contains (f, token));
}

static void
test_csrf (Fixture *f, gconstpointer data)
{
  g_autofree char *token = NULL, *other_token = NULL, *wrong = NULL, *longer = NULL;
  g_autoptr (KhoSession) session = NULL;
  g_autoptr (KhoSession) other = NULL;
  KhoSession empty = { .user = (char *) "x", .role = KHO_ROLE_ADMIN, .csrf = (char *) "" };
  KhoSession none = { .user = (char *) "x", .role = KHO_ROLE_ADMIN, .csrf = NULL };

  (void) data;
  add (f, "hai", "hai password", KHO_ROLE_EDITOR);
  token = open_session (f, "hai", 3600);
  other_token = open_session (f, "hai", 3600);
  session = kho_session_get (f->db, token);
  other = kho_session_get (f->db, other_token);
  g_assert_nonnull (session);
  g_assert_nonnull (other);

  g_assert_true (kho_csrf_check (session, session->csrf));
  wrong = g_strdup (session->csrf);
  wrong[42] = wrong[42] == 'A' ? 'B' : 'A';
  g_assert_false (kho_csrf_check (session, wrong));
  longer = g_strconcat (session->csrf, "A", NULL);
  g_assert_false (kho_csrf_check (session, longer));
  longer[42] = '\0';
  g_assert_false (kho_csrf_check (session, longer));  /* a prefix */
  g_assert_false (kho_csrf_check (session, other->csrf));
  g_assert_false (kho_csrf_check (session, token));
  g_assert_false (kho_csrf_check (session, ""));
  g_assert_false (kho_csrf_check (session, NULL));
  g_assert_false (kho_csrf_check (NULL, session->csrf));
  g_assert_false (kho_csrf_check (&empty, ""));
  g_assert_false (kho_csrf_check (&none, NULL));
  g_assert_false (kho_csrf_check (&none, ""));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  if (!kho_auth_init (&error))
    g_error ("%s", error->message);
  g_test_add_func ("/auth/roles", test_roles);
  g_test_add ("/auth/add-list-delete", Fixture, NULL, kho_test_db_setup, test_add_list_delete, kho_test_db_teardown);
  g_test_add ("/auth/duplicate-refused", Fixture, NULL, kho_test_db_setup, test_duplicate_refused, kho_test_db_teardown);
  g_test_add ("/auth/bad-names-and-passwords", Fixture, NULL, kho_test_db_setup,
              test_bad_names_and_passwords, kho_test_db_teardown);
  g_test_add ("/auth/check", Fixture, NULL, kho_test_db_setup, test_check, kho_test_db_teardown);
  g_test_add ("/auth/unknown-costs-as-much", Fixture, NULL, kho_test_db_setup, test_unknown_costs_as_much,
              kho_test_db_teardown);
  g_test_add ("/auth/hash-stored", Fixture, NULL, kho_test_db_setup, test_hash_stored, kho_test_db_teardown);
  g_test_add ("/auth/password-change-ends-sessions", Fixture, NULL, kho_test_db_setup,
              test_password_change_ends_sessions, kho_test_db_teardown);
  g_test_add ("/auth/delete-ends-sessions", Fixture, NULL, kho_test_db_setup, test_delete_ends_sessions,
              kho_test_db_teardown);
  g_test_add ("/auth/session", Fixture, NULL, kho_test_db_setup, test_session, kho_test_db_teardown);
  g_test_add ("/auth/session-expiry", Fixture, NULL, kho_test_db_setup, test_session_expiry, kho_test_db_teardown);
  g_test_add ("/auth/token-stored-as-sha256", Fixture, NULL, kho_test_db_setup,
              test_token_stored_as_sha256, kho_test_db_teardown);
  g_test_add ("/auth/csrf", Fixture, NULL, kho_test_db_setup, test_csrf, kho_test_db_teardown);
  return g_test_run ();
}

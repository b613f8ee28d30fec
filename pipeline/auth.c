/* auth.c — the accounts of kho serve, their sessions and CSRF tokens. */
#define G_LOG_DOMAIN "kho-auth"
#include "pipeline/auth.h"

#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "config.h"
#include <glib/gi18n-lib.h>

/* Errors of this module that are not the database's: a name or password
 * refused (0), an account that exists already (1) or does not exist (2).
 * Database failures keep KHO_DB_ERROR. */
#define AUTH_ERROR (g_quark_from_static_string ("kho-auth-error-quark"))
enum { AUTH_ERROR_INVALID, AUTH_ERROR_EXISTS, AUTH_ERROR_NOT_FOUND };

#define NAME_MAX_LENGTH 64
#define PASSWORD_MIN_CHARACTERS 8
#define TOKEN_BYTES 32
/* 32 bytes in base64url without padding. */
#define TOKEN_LENGTH 43

/* kho_user_check verifies a password against this hash when the account
 * does not exist, so that an unknown name costs as much time as a known
 * one and a stranger cannot tell which names exist.  Made with
 * crypto_pwhash_str at the interactive limits from a random password no
 * one kept; auth_ready() makes another if this libsodium's limits differ. */
static char dummy_hash[crypto_pwhash_STRBYTES] =
  "$argon2id$v=19$m=65536,t=2,p=1$nehmjpqq/s/wCSOtKa/b9Q$E0QbAmaWS8DNVr3aWOC8Ci/AS8nYQchNL+xJXgL4Lyc";

/* Initialises libsodium once; FALSE when it cannot.  Every function here
 * calls it, so forgetting kho_auth_init() is not a security hole. */
static gboolean
auth_ready (void)
{
  static gsize state = 0;  /* 0: not yet, 1: ready, 2: failed */

  if (g_once_init_enter (&state))
    {
      gsize result = 2;

      if (sodium_init () >= 0)
        {
          result = 1;
          if (crypto_pwhash_str_needs_rehash (dummy_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            {
              unsigned char secret[TOKEN_BYTES];

              randombytes_buf (secret, sizeof secret);
              if (crypto_pwhash_str (dummy_hash, (const char *) secret, sizeof secret,
                                     crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                     crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
                result = 2;
              sodium_memzero (secret, sizeof secret);
            }
        }
      g_once_init_leave (&state, result);
    }
  return state == 1;
}

gboolean
kho_auth_init (GError **error)
{
  if (!auth_ready ())
    {
      g_set_error (error, AUTH_ERROR, AUTH_ERROR_INVALID,
                   _("accounts: cannot initialise libsodium"));
      return FALSE;
    }
  return TRUE;
}

/* --- roles --- */

const char *
kho_role_name (KhoRole role)
{
  switch (role)
    {
    case KHO_ROLE_READER: return "reader";
    case KHO_ROLE_EDITOR: return "editor";
    case KHO_ROLE_AUDITOR: return "auditor";
    case KHO_ROLE_ADMIN: return "admin";
    case KHO_ROLE_NONE:
    default: return "none";
    }
}

KhoRole
kho_role_parse (const char *name)
{
  for (KhoRole role = KHO_ROLE_READER; role <= KHO_ROLE_ADMIN; role++)
    if (g_strcmp0 (name, kho_role_name (role)) == 0)
      return role;
  return KHO_ROLE_NONE;
}

gboolean
kho_role_allows (KhoRole role, KhoRole needed)
{
  if ((int) role < (int) KHO_ROLE_NONE || role > KHO_ROLE_ADMIN)
    return FALSE;
  if (needed == KHO_ROLE_NONE || role == needed || role == KHO_ROLE_ADMIN)
    return TRUE;
  return needed == KHO_ROLE_READER && role != KHO_ROLE_NONE;
}

/* --- SQL (the helpers of index/db-private.h are index/'s own) --- */

static gboolean
sql_error (KhoDb *db, GError **error, const char *what)
{
  sqlite3 *handle = kho_db_handle (db);
  int code = sqlite3_errcode (handle) & 0xff;

  g_set_error (error, KHO_DB_ERROR,
               code == SQLITE_BUSY || code == SQLITE_LOCKED ? KHO_DB_ERROR_BUSY :
               code == SQLITE_FULL ? KHO_DB_ERROR_FULL : KHO_DB_ERROR_SQL,
               "accounts: %s: %s", what, sqlite3_errmsg (handle));
  return FALSE;
}

static sqlite3_stmt *
prepare (KhoDb *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (kho_db_handle (db), sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      sql_error (db, error, "prepare");
      return NULL;
    }
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static char *
column_text (sqlite3_stmt *stmt, int index)
{
  const unsigned char *text = sqlite3_column_text (stmt, index);
  return text ? g_strdup ((const char *) text) : NULL;
}

/* Runs a statement of one text parameter that returns no row; the number
 * of rows it changed, or -1 with @error. */
static int
exec_with_text (KhoDb *db, const char *sql, const char *text, const char *what,
                GError **error)
{
  sqlite3_stmt *stmt = prepare (db, sql, error);
  int changes = -1;

  if (stmt == NULL)
    return -1;
  bind_text (stmt, 1, text);
  if (sqlite3_step (stmt) == SQLITE_DONE)
    changes = sqlite3_changes (kho_db_handle (db));
  else
    sql_error (db, error, what);
  sqlite3_finalize (stmt);
  return changes;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* --- accounts --- */

void
kho_user_free (KhoUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_free (user->created);
  g_free (user);
}

static gboolean
name_is_valid (const char *name)
{
  size_t length;

  if (name == NULL)
    return FALSE;
  length = strlen (name);
  if (length == 0 || length > NAME_MAX_LENGTH)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
check_name (const char *name, GError **error)
{
  g_autofree char *shown = NULL;

  if (name_is_valid (name))
    return TRUE;
  /* The name was refused: shown escaped, it cannot play tricks on a terminal. */
  shown = name ? g_strescape (name, NULL) : g_strdup ("");
  g_set_error (error, AUTH_ERROR, AUTH_ERROR_INVALID,
               _("account name “%s”: a name is 1 to %d letters, digits, “.”, “-” or “_”"),
               shown, NAME_MAX_LENGTH);
  return FALSE;
}

static gboolean
check_password (const char *name, const char *password, GError **error)
{
  if (password == NULL || !g_utf8_validate (password, -1, NULL))
    {
      g_set_error (error, AUTH_ERROR, AUTH_ERROR_INVALID,
                   _("account %s: the password is not valid UTF-8 text"), name);
      return FALSE;
    }
  if (g_utf8_strlen (password, -1) < PASSWORD_MIN_CHARACTERS)
    {
      g_set_error (error, AUTH_ERROR, AUTH_ERROR_INVALID,
                   _("account %s: the password is too short (at least %d characters)"), name,
                   PASSWORD_MIN_CHARACTERS);
      return FALSE;
    }
  return TRUE;
}

/* Fills @hash (crypto_pwhash_STRBYTES bytes) with the hash of @password. */
static gboolean
hash_password (const char *name, const char *password, char *hash, GError **error)
{
  if (crypto_pwhash_str (hash, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error (error, AUTH_ERROR, AUTH_ERROR_INVALID,
                   _("account %s: cannot hash the password (out of memory)"), name);
      return FALSE;
    }
  return TRUE;
}

gboolean
kho_user_add (KhoDb *db, const char *name, const char *password, KhoRole role,
              GError **error)
{
  char hash[crypto_pwhash_STRBYTES];
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  if (!kho_auth_init (error) || !check_name (name, error) ||
      !check_password (name, password, error))
    return FALSE;
  if (role <= KHO_ROLE_NONE || role > KHO_ROLE_ADMIN)
    {
      g_set_error (error, AUTH_ERROR, AUTH_ERROR_INVALID,
                   _("account %s: the role must be reader, editor, auditor or admin"), name);
      return FALSE;
    }
  if (!hash_password (name, password, hash, error))
    return FALSE;
  stmt = prepare (db, "INSERT INTO users (name, password_hash, role, created, updated) "
                      "VALUES (?1, ?2, ?3, ?4, ?4)", error);
  if (stmt == NULL)
    goto out;
  bind_text (stmt, 1, name);
  bind_text (stmt, 2, hash);
  bind_text (stmt, 3, kho_role_name (role));
  bind_text (stmt, 4, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    g_set_error (error, AUTH_ERROR, AUTH_ERROR_EXISTS, _("account %s exists already"), name);
  else if (rc != SQLITE_DONE)
    sql_error (db, error, "add an account");
  else
    ok = TRUE;

out:
  sqlite3_finalize (stmt);
  sodium_memzero (hash, sizeof hash);
  return ok;
}

static void
set_not_found (const char *name, GError **error)
{
  g_set_error (error, AUTH_ERROR, AUTH_ERROR_NOT_FOUND, _("no account %s"), name);
}

gboolean
kho_user_delete (KhoDb *db, const char *name, GError **error)
{
  int changes;

  if (!check_name (name, error) || !kho_db_begin (db, error))
    return FALSE;
  /* ON DELETE CASCADE would do, but only with foreign keys on: said twice. */
  if (exec_with_text (db, "DELETE FROM sessions WHERE user = ?", name, "end sessions",
                      error) < 0)
    goto fail;
  changes = exec_with_text (db, "DELETE FROM users WHERE name = ?", name, "delete an account",
                            error);
  if (changes < 0)
    goto fail;
  if (changes == 0)
    {
      set_not_found (name, error);
      goto fail;
    }
  return kho_db_commit (db, error);

fail:
  kho_db_rollback (db);
  return FALSE;
}

gboolean
kho_user_set_password (KhoDb *db, const char *name, const char *password, GError **error)
{
  char hash[crypto_pwhash_STRBYTES];
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int changes = 0;

  if (!kho_auth_init (error) || !check_name (name, error) ||
      !check_password (name, password, error))
    return FALSE;
  /* Hashed before the transaction: the write lock is not held meanwhile. */
  if (!hash_password (name, password, hash, error))
    return FALSE;
  if (!kho_db_begin (db, error))
    goto out;
  stmt = prepare (db, "UPDATE users SET password_hash = ?, updated = ? WHERE name = ?", error);
  if (stmt == NULL)
    goto out;
  bind_text (stmt, 1, hash);
  bind_text (stmt, 2, now);
  bind_text (stmt, 3, name);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sql_error (db, error, "change a password");
      goto out;
    }
  changes = sqlite3_changes (kho_db_handle (db));
  if (changes == 0)
    {
      set_not_found (name, error);
      goto out;
    }
  /* Whoever knew the old password may hold a session: it ends. */
  if (exec_with_text (db, "DELETE FROM sessions WHERE user = ?", name, "end sessions",
                      error) < 0)
    goto out;
  ok = kho_db_commit (db, error);

out:
  sqlite3_finalize (stmt);
  if (!ok)
    kho_db_rollback (db);
  sodium_memzero (hash, sizeof hash);
  return ok;
}

GPtrArray *
kho_user_list (KhoDb *db, GError **error)
{
  sqlite3_stmt *stmt = prepare (db, "SELECT name, role, created FROM users ORDER BY name",
                                error);
  GPtrArray *users;
  int rc;

  if (stmt == NULL)
    return NULL;
  users = g_ptr_array_new_with_free_func ((GDestroyNotify) kho_user_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KhoUser *user = g_new0 (KhoUser, 1);

      user->name = column_text (stmt, 0);
      user->role = kho_role_parse ((const char *) sqlite3_column_text (stmt, 1));
      user->created = column_text (stmt, 2);
      g_ptr_array_add (users, user);
    }
  if (rc != SQLITE_DONE)
    {
      sql_error (db, error, "list accounts");
      g_clear_pointer (&users, g_ptr_array_unref);
    }
  sqlite3_finalize (stmt);
  return users;
}

KhoRole
kho_user_check (KhoDb *db, const char *name, const char *password)
{
  g_autofree char *hash = NULL;
  KhoRole role = KHO_ROLE_NONE;
  sqlite3_stmt *stmt;
  gboolean right;

  if (!auth_ready ())
    return KHO_ROLE_NONE;
  if (password == NULL)
    password = "";
  if (name_is_valid (name) &&
      (stmt = prepare (db, "SELECT password_hash, role FROM users WHERE name = ?", NULL)))
    {
      bind_text (stmt, 1, name);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          hash = column_text (stmt, 0);
          role = kho_role_parse ((const char *) sqlite3_column_text (stmt, 1));
        }
      sqlite3_finalize (stmt);
    }
  /* Always one verification, of the account's hash or of the dummy. */
  right = crypto_pwhash_str_verify (hash ? hash : dummy_hash, password, strlen (password)) == 0;
  return hash && right ? role : KHO_ROLE_NONE;
}

/* --- sessions --- */

void
kho_session_free (KhoSession *session)
{
  if (session == NULL)
    return;
  g_free (session->user);
  if (session->csrf)
    sodium_memzero (session->csrf, strlen (session->csrf));
  g_free (session->csrf);
  g_free (session);
}

/* A new random token: 32 bytes from the system's generator, in base64url
 * without padding (43 characters, safe in a cookie, a URL or a form). */
static char *
random_token (void)
{
  const size_t size = sodium_base64_ENCODED_LEN (TOKEN_BYTES,
                                                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  unsigned char bytes[TOKEN_BYTES];
  char *token = g_malloc (size);

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (token, size, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);
  return token;
}

/* TRUE when @token looks like one random_token() made; anything else (a
 * cookie from elsewhere, garbage) is refused before the database. */
static gboolean
token_is_well_formed (const char *token)
{
  if (token == NULL || strlen (token) != TOKEN_LENGTH)
    return FALSE;
  for (const char *p = token; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* What the database keeps of a token: its SHA-256 in lower-case hex. */
static char *
token_digest (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

char *
kho_session_open (KhoDb *db, const char *user, int lifetime_s, GError **error)
{
  g_autofree char *now = kho_db_now ();
  g_autofree char *digest = NULL;
  g_autofree char *csrf = NULL;
  char *token = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 expires;
  int rc;

  g_return_val_if_fail (lifetime_s > 0, NULL);
  if (!kho_auth_init (error) || !check_name (user, error))
    return NULL;
  expires = now_seconds () + lifetime_s;
  /* Expired sessions are deleted here, lazily, rather than by a timer. */
  stmt = prepare (db, "DELETE FROM sessions WHERE expires < ?", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_int64 (stmt, 1, now_seconds ());
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sql_error (db, error, "delete expired sessions");
      goto out;
    }
  sqlite3_finalize (stmt);

  token = random_token ();
  csrf = random_token ();
  digest = token_digest (token);
  /* INSERT … SELECT: no row when the account does not exist. */
  stmt = prepare (db, "INSERT INTO sessions (token_sha256, user, csrf, created, expires) "
                      "SELECT ?, name, ?, ?, ? FROM users WHERE name = ?", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, digest);
  bind_text (stmt, 2, csrf);
  bind_text (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, expires);
  bind_text (stmt, 5, user);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      sql_error (db, error, "open a session");
      goto fail;
    }
  if (sqlite3_changes (kho_db_handle (db)) == 0)
    {
      set_not_found (user, error);
      goto fail;
    }
  goto out;

fail:
  g_clear_pointer (&token, g_free);
out:
  sqlite3_finalize (stmt);
  return token;
}

KhoSession *
kho_session_get (KhoDb *db, const char *token)
{
  g_autofree char *digest = NULL;
  KhoSession *session = NULL;
  sqlite3_stmt *stmt;

  if (!token_is_well_formed (token))
    return NULL;
  digest = token_digest (token);
  stmt = prepare (db, "SELECT s.user, u.role, s.csrf, s.expires FROM sessions s "
                      "JOIN users u ON u.name = s.user WHERE s.token_sha256 = ?", NULL);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, digest);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (sqlite3_column_int64 (stmt, 3) >= now_seconds ())
        {
          session = g_new0 (KhoSession, 1);
          session->user = column_text (stmt, 0);
          session->role = kho_role_parse ((const char *) sqlite3_column_text (stmt, 1));
          session->csrf = column_text (stmt, 2);
        }
      else
        {
          sqlite3_finalize (g_steal_pointer (&stmt));
          exec_with_text (db, "DELETE FROM sessions WHERE token_sha256 = ?", digest,
                          "delete an expired session", NULL);
        }
    }
  sqlite3_finalize (stmt);
  return session;
}

void
kho_session_close (KhoDb *db, const char *token)
{
  g_autofree char *digest = NULL;

  if (!token_is_well_formed (token))
    return;
  digest = token_digest (token);
  exec_with_text (db, "DELETE FROM sessions WHERE token_sha256 = ?", digest, "close a session",
                  NULL);
}

gboolean
kho_csrf_check (const KhoSession *session, const char *token)
{
  size_t length;

  if (session == NULL || session->csrf == NULL || token == NULL)
    return FALSE;
  /* The length is no secret (always 43); the bytes are compared in
   * constant time. */
  length = strlen (session->csrf);
  if (length == 0 || strlen (token) != length)
    return FALSE;
  return sodium_memcmp (session->csrf, token, length) == 0;
}

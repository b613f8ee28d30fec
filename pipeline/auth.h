/* auth.h — the accounts of kho serve, their sessions and CSRF tokens.
 *
 * Accounts live in the archive's database (schema v6): a name, a role and
 * a password hash made with libsodium's crypto_pwhash (Argon2id, its
 * "interactive" limits), never the password.  A session is a random token
 * in an HttpOnly, SameSite=Strict cookie; the database keeps only its
 * SHA-256, with the account, an expiry and the session's CSRF token, which
 * every form that changes something must carry back.
 *
 * Roles: reader (search and read), editor (also edit a document's fields),
 * auditor (also the audit views), admin (everything).
 *
 * Errors: a name, password or role refused, an account that exists already
 * or does not exist, each with a message naming the account; a failure of
 * the database keeps its KHO_DB_ERROR.
 */
#pragma once

#include <glib.h>
#include "index/db.h"

G_BEGIN_DECLS

typedef enum {
  KHO_ROLE_NONE = 0,  /* not logged in */
  KHO_ROLE_READER,
  KHO_ROLE_EDITOR,
  KHO_ROLE_AUDITOR,
  KHO_ROLE_ADMIN,
} KhoRole;

const char *kho_role_name (KhoRole role);     /* "reader", …; "none" */
KhoRole kho_role_parse (const char *name);    /* KHO_ROLE_NONE when unknown */
/* TRUE when @role may do what @needed may: admin anything, editor and
 * auditor what a reader may, each their own. */
gboolean kho_role_allows (KhoRole role, KhoRole needed);

/* Initialises libsodium; FALSE (with @error) when it cannot.  Call it once
 * at start to fail early: the functions below initialise it themselves
 * when needed (and then refuse, or find nothing, if it cannot be). */
gboolean kho_auth_init (GError **error);

typedef struct {
  char *name;
  KhoRole role;
  char *created;
} KhoUser;

void kho_user_free (KhoUser *user);  /* NULL does nothing */

/* Account names: 1 to 64 characters, ASCII letters, digits, '.', '-', '_'.
 * Passwords: at least 8 characters. */
gboolean kho_user_add (KhoDb *db, const char *name, const char *password, KhoRole role,
                       GError **error);
gboolean kho_user_delete (KhoDb *db, const char *name, GError **error);  /* and its sessions */
gboolean kho_user_set_password (KhoDb *db, const char *name, const char *password,
                                GError **error);                         /* ends its sessions */
/* KhoUser*, by name; free with g_ptr_array_unref. */
GPtrArray *kho_user_list (KhoDb *db, GError **error);

/* The role of @name when @password is right, else KHO_ROLE_NONE (also for
 * an unknown name, after as much work as for a known one: one Argon2id
 * verification, against a dummy hash). */
KhoRole kho_user_check (KhoDb *db, const char *name, const char *password);

typedef struct {
  char *user;
  KhoRole role;
  char *csrf;      /* the token forms must carry back */
} KhoSession;

void kho_session_free (KhoSession *session);  /* wipes csrf; NULL does nothing */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoSession, kho_session_free)

/* Opens a session of @user for @lifetime_s (> 0) seconds; returns the
 * cookie's token (newly allocated: 43 characters of base64url, 32 random
 * bytes), or NULL with @error (no such account).  Expiry is kept in whole
 * seconds: the session lasts between @lifetime_s and @lifetime_s + 1
 * seconds.  Sessions found expired are deleted (lazily, here and in
 * kho_session_get). */
char *kho_session_open (KhoDb *db, const char *user, int lifetime_s, GError **error);
/* The session of cookie token @token, or NULL when unknown, expired or
 * malformed (NULL too).  The role is the account's as it is now. */
KhoSession *kho_session_get (KhoDb *db, const char *token);
void kho_session_close (KhoDb *db, const char *token);  /* logs out; unknown: nothing */
/* TRUE when @token is @session's CSRF token (compared in constant time);
 * FALSE for a NULL or empty one, or a NULL session. */
gboolean kho_csrf_check (const KhoSession *session, const char *token);

G_END_DECLS

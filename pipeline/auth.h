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

/* Initialises libsodium; FALSE (with @error) when it cannot. */
gboolean kho_auth_init (GError **error);

typedef struct {
  char *name;
  KhoRole role;
  char *created;
} KhoUser;

void kho_user_free (KhoUser *user);

/* Account names: 1 to 64 characters, letters, digits, '.', '-', '_'.
 * Passwords: at least 8 characters. */
gboolean kho_user_add (KhoDb *db, const char *name, const char *password, KhoRole role,
                       GError **error);
gboolean kho_user_delete (KhoDb *db, const char *name, GError **error);  /* and its sessions */
gboolean kho_user_set_password (KhoDb *db, const char *name, const char *password,
                                GError **error);                         /* ends its sessions */
GPtrArray *kho_user_list (KhoDb *db, GError **error);                    /* KhoUser*, by name */

/* The role of @name when @password is right, else KHO_ROLE_NONE (also for
 * an unknown name, after as much work as for a known one). */
KhoRole kho_user_check (KhoDb *db, const char *name, const char *password);

typedef struct {
  char *user;
  KhoRole role;
  char *csrf;      /* the token forms must carry back */
} KhoSession;

void kho_session_free (KhoSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoSession, kho_session_free)

/* Opens a session of @user for @lifetime_s seconds; returns the cookie's
 * token (newly allocated, URL-safe), or NULL with @error. */
char *kho_session_open (KhoDb *db, const char *user, int lifetime_s, GError **error);
/* The session of cookie token @token, or NULL when unknown or expired. */
KhoSession *kho_session_get (KhoDb *db, const char *token);
void kho_session_close (KhoDb *db, const char *token);
/* TRUE when @token is @session's CSRF token (compared in constant time). */
gboolean kho_csrf_check (const KhoSession *session, const char *token);

G_END_DECLS

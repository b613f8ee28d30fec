/* cmd-user.c — kho user: the accounts of kho serve (add, del, passwd, list).
 *
 * A password is read from the terminal without echo, twice, or from the
 * first line of standard input with --password-stdin (for scripts).  It is
 * read with read(2) into one buffer on the stack, so no stdio buffer keeps
 * a copy, and the buffer is wiped after use.  Each change is recorded as an
 * event (stage "account") for the audit trail.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>
#include <sodium.h>

#include "config.h"
#include "pipeline/auth.h"
#include "pipeline/cli.h"

/* Room for a password and its NUL; a longer line is refused. */
#define PASSWORD_BUFFER 1024

/* --- reading a password --- */

static struct termios saved_termios;
static volatile sig_atomic_t echo_is_off = 0;

/* A signal while the terminal does not echo: echo comes back first, else
 * the shell would be left typing blind. */
static void
on_signal_without_echo (int signo)
{
  if (echo_is_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  signal (signo, SIG_DFL);
  raise (signo);
}

/* Reads one line of @fd into @buffer (@size bytes), without its newline
 * (nor a carriage return before it), NUL-terminated.  The length; -1 at
 * end of input before any byte or on a read error; -2 when the line does
 * not fit. */
static gssize
read_line (int fd, char *buffer, size_t size)
{
  size_t length = 0;
  gboolean any = FALSE;
  gssize result;
  char c = 0;

  for (;;)
    {
      ssize_t n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (!any)
            {
              result = -1;
              goto out;
            }
          break;
        }
      any = TRUE;
      if (c == '\n')
        break;
      if (length + 1 >= size)
        {
          result = -2;
          goto out;
        }
      buffer[length++] = c;
    }
  if (length > 0 && buffer[length - 1] == '\r')
    length--;
  buffer[length] = '\0';
  result = (gssize) length;

out:
  if (result < 0)
    sodium_memzero (buffer, size);
  sodium_memzero (&c, sizeof c);
  return result;
}

/* Shows @prompt on stderr and reads a line from the terminal on stdin
 * without echo. */
static gboolean
prompt_without_echo (const char *prompt, char *buffer, size_t size, GError **error)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
  struct sigaction handler = { 0 }, previous[G_N_ELEMENTS (signals)];
  struct termios quiet;
  gssize length;

  if (tcgetattr (STDIN_FILENO, &saved_termios) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("cannot read the terminal's settings: %s"), g_strerror (errno));
      return FALSE;
    }
  handler.sa_handler = on_signal_without_echo;
  sigemptyset (&handler.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &handler, &previous[i]);
  quiet = saved_termios;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  quiet.c_lflag |= ECHONL;  /* the Enter still moves to the next line */
  fputs (prompt, stderr);
  fflush (stderr);
  echo_is_off = 1;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  length = read_line (STDIN_FILENO, buffer, size);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  echo_is_off = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &previous[i], NULL);
  if (length == -2)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                 _("the password is longer than %d bytes"), PASSWORD_BUFFER - 1);
  else if (length < 0)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, _("no password given"));
  return length >= 0;
}

/* The new password of account @name into @password (PASSWORD_BUFFER
 * bytes): the first line of stdin when @from_stdin, else asked twice on
 * the terminal.  The caller wipes @password. */
static gboolean
read_new_password (const char *name, gboolean from_stdin, char *password, GError **error)
{
  char again[PASSWORD_BUFFER];
  g_autofree char *prompt = NULL;
  gboolean ok = FALSE;
  gssize length;

  if (from_stdin)
    {
      length = read_line (STDIN_FILENO, password, PASSWORD_BUFFER);
      if (length == -2)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     _("account %s: the password is longer than %d bytes"), name,
                     PASSWORD_BUFFER - 1);
      else if (length < 0)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO,
                     _("account %s: no password on standard input"), name);
      return length >= 0;
    }
  prompt = g_strdup_printf (_("New password for %s: "), name);
  if (!prompt_without_echo (prompt, password, PASSWORD_BUFFER, error) ||
      !prompt_without_echo (_("The same password again: "), again, sizeof again, error))
    goto out;
  if (strcmp (password, again) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("account %s: the two passwords differ; nothing changed"), name);
      goto out;
    }
  ok = TRUE;

out:
  sodium_memzero (again, sizeof again);
  return ok;
}

/* Without --password-stdin the password comes from the terminal: refuses
 * (and says so) when stdin is not one, before anything else is done. */
static gboolean
password_source_usable (const char *command, gboolean from_stdin)
{
  g_autofree char *message = NULL;

  if (from_stdin || isatty (STDIN_FILENO))
    return TRUE;
  message = g_strdup_printf (_("%s: standard input is not a terminal: give the password "
                               "on it with --password-stdin"), command);
  cli_print_error (message);
  return FALSE;
}

static gboolean
account_exists (KhoDb *db, const char *name, GError **error)
{
  g_autoptr (GPtrArray) users = kho_user_list (db, error);

  for (guint i = 0; users && i < users->len; i++)
    if (g_strcmp0 (((KhoUser *) users->pdata[i])->name, name) == 0)
      return TRUE;
  return FALSE;
}

/* Records @detail as an account event; says so when it cannot. */
static gboolean
record_event (KhoDb *db, const char *detail)
{
  g_autoptr (GError) error = NULL;

  if (kho_db_add_event (db, 0, "account", "ok", -1, NULL, detail, &error))
    return TRUE;
  cli_print_error (error->message);
  return FALSE;
}

/* --- kho user add / del / passwd / list --- */

static int
user_add (int argc, char **argv)
{
  static char *role_name = NULL;
  static gboolean password_stdin = FALSE;
  static const GOptionEntry entries[] = {
    { "role", 'r', 0, G_OPTION_ARG_STRING, &role_name,
      N_("What the account may do: reader (search and read), editor (also edit), auditor "
         "(also the audit views) or admin (everything)"), N_("ROLE") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Read the password from the first line of standard input"), NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autofree char *detail = NULL;
  char password[PASSWORD_BUFFER];
  const char *name;
  KhoRole role;
  gboolean ok;

  if (!cli_parse_options ("user add", N_("NAME"),
                          N_("Create an account of kho serve.  The password is asked for "
                             "twice on the terminal, or read with --password-stdin."),
                          entries, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      cli_print_error (_("user add: give one account name"));
      return EXIT_USAGE;
    }
  name = argv[1];
  role = kho_role_parse (role_name);
  if (role == KHO_ROLE_NONE)
    {
      g_autofree char *message =
        role_name ? g_strdup_printf (_("user add: “%s” is not a role: reader, editor, auditor "
                                       "or admin"), role_name)
                  : g_strdup (_("user add: give the role with --role reader|editor|auditor|admin"));
      cli_print_error (message);
      return EXIT_USAGE;
    }
  if (!password_source_usable ("user add", password_stdin))
    return EXIT_USAGE;
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (!kho_auth_init (&error))
    goto fail;
  /* Refused now rather than after the password is typed twice. */
  if (account_exists (archive->db, name, &error))
    g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_EXIST, _("account %s exists already"), name);
  if (error)
    goto fail;
  ok = read_new_password (name, password_stdin, password, &error) &&
       kho_user_add (archive->db, name, password, role, &error);
  sodium_memzero (password, sizeof password);
  if (!ok)
    goto fail;
  detail = g_strdup_printf ("user add %s (%s)", name, kho_role_name (role));
  if (!record_event (archive->db, detail))
    return EXIT_FAILURE;
  printf (_("Account %s added, role %s.\n"), name, kho_role_name (role));
  return EXIT_SUCCESS;

fail:
  cli_print_error (error->message);
  return EXIT_FAILURE;
}

static int
user_del (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autofree char *detail = NULL;

  if (!cli_parse_options ("user del", N_("NAME"),
                          N_("Delete an account of kho serve and end its sessions."),
                          NULL, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      cli_print_error (_("user del: give one account name"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (!kho_user_delete (archive->db, argv[1], &error))
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  detail = g_strdup_printf ("user del %s", argv[1]);
  if (!record_event (archive->db, detail))
    return EXIT_FAILURE;
  printf (_("Account %s deleted.\n"), argv[1]);
  return EXIT_SUCCESS;
}

static int
user_passwd (int argc, char **argv)
{
  static gboolean password_stdin = FALSE;
  static const GOptionEntry entries[] = {
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Read the password from the first line of standard input"), NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autofree char *detail = NULL;
  char password[PASSWORD_BUFFER];
  const char *name;
  gboolean ok;

  if (!cli_parse_options ("user passwd", N_("NAME"),
                          N_("Change the password of an account of kho serve; its sessions "
                             "end."),
                          entries, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      cli_print_error (_("user passwd: give one account name"));
      return EXIT_USAGE;
    }
  name = argv[1];
  if (!password_source_usable ("user passwd", password_stdin))
    return EXIT_USAGE;
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (!kho_auth_init (&error))
    goto fail;
  if (!account_exists (archive->db, name, &error) && error == NULL)
    g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_NOENT, _("no account %s"), name);
  if (error)
    goto fail;
  ok = read_new_password (name, password_stdin, password, &error) &&
       kho_user_set_password (archive->db, name, password, &error);
  sodium_memzero (password, sizeof password);
  if (!ok)
    goto fail;
  detail = g_strdup_printf ("user passwd %s", name);
  if (!record_event (archive->db, detail))
    return EXIT_FAILURE;
  printf (_("Password of %s changed; its sessions have ended.\n"), name);
  return EXIT_SUCCESS;

fail:
  cli_print_error (error->message);
  return EXIT_FAILURE;
}

static void
print_users_json (GPtrArray *users)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < users->len; i++)
    {
      KhoUser *user = users->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, user->name);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, kho_role_name (user->role));
      json_builder_set_member_name (builder, "created");
      json_builder_add_string_value (builder, user->created);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  cli_print_json (root, TRUE);
}

static int
user_list (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (GPtrArray) users = NULL;
  int width = 4;

  if (!cli_parse_options ("user list", "", N_("List the accounts of kho serve and their roles."),
                          NULL, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    {
      cli_print_error (_("user list: takes no arguments"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  users = kho_user_list (archive->db, &error);
  if (users == NULL)
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  if (cli_json)
    {
      print_users_json (users);
      return EXIT_SUCCESS;
    }
  if (users->len == 0)
    {
      printf (_("No accounts yet: kho user add NAME --role ROLE creates one.\n"));
      return EXIT_SUCCESS;
    }
  for (guint i = 0; i < users->len; i++)
    width = MAX (width, (int) strlen (((KhoUser *) users->pdata[i])->name));
  for (guint i = 0; i < users->len; i++)
    {
      KhoUser *user = users->pdata[i];
      g_autofree char *created = cli_display_date (user->created);

      /* TRANSLATORS: one line per account: name, role, date it was created. */
      printf (_("%-*s  %-7s  created %s\n"), width, user->name, kho_role_name (user->role),
              created);
    }
  return EXIT_SUCCESS;
}

/* --- kho user --- */

static const CliSubcommand subcommands[] = {
  { "add", user_add },
  { "del", user_del },
  { "passwd", user_passwd },
  { "list", user_list },
};

static void
user_usage (FILE *out)
{
  fputs (_("Usage: kho user add NAME --role reader|editor|auditor|admin [--password-stdin]\n"
           "       kho user del NAME\n"
           "       kho user passwd NAME [--password-stdin]\n"
           "       kho user list [--json]\n\n"
           "Manage the accounts of kho serve.  Without --password-stdin the password is "
           "asked for on the terminal.\n"
           "“kho user SUBCOMMAND --help” tells more.\n"), out);
}

int
cli_command_user (int argc, char **argv)
{
  return cli_run_subcommand (subcommands, G_N_ELEMENTS (subcommands), user_usage,
                             _("kho user: “%s” is not a subcommand: add, del, passwd or "
                               "list.\n\n"),
                             argc, argv);
}

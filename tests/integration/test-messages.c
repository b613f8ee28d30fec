/* test-messages.c — kho speaks Vietnamese by default and English on request.
 *
 * Runs the built kho (KHO_BINARY) with controlled environments and checks the
 * words of its messages: a document's failure reason in `ingest --json`, a
 * lookup error on stderr, the command list of --help.  The Vietnamese
 * strings are the ones in po/vi.po: a change there must change them here.
 */
#include <locale.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "store/originals.h"

#define VI_EMPTY "tệp rỗng (0 byte)"
#define EN_EMPTY "empty file (0 bytes)"
#define VI_BAD_ID "“NOPE” không phải là mã lưu trữ"
#define EN_BAD_ID "“NOPE” is not an archive ID"

static const char *kho_binary;
static char *work_dir;
static char *archive;
static char *empty_file;   /* a zero-byte input */

typedef struct {
  char *out;
  char *err;
  int status;   /* exit status; -1 when kho did not run or was killed */
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* An environment without any locale or kho language variable, then
 * @settings ("NAME=value" strings, NULL-terminated) on top. */
static char **
environment (const char *const *settings)
{
  static const char *const cleared[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG",
                                         "KHO_LANG", "KHO_ARCHIVE", "KHO_LOCALEDIR" };
  char **env = g_get_environ ();

  for (gsize i = 0; i < G_N_ELEMENTS (cleared); i++)
    env = g_environ_unsetenv (env, cleared[i]);
  for (gsize i = 0; settings && settings[i]; i++)
    {
      g_auto (GStrv) pair = g_strsplit (settings[i], "=", 2);
      env = g_environ_setenv (env, pair[0], pair[1] ? pair[1] : "", TRUE);
    }
  return env;
}

/* Runs kho with @args (NULL-terminated) in environment(@settings). */
static void
run_kho (Run *run, const char *const *settings, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) env = environment (settings);
  g_autoptr (GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) kho_binary);
  for (gsize i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  run->status = -1;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                     &run->err, &wait_status, &error))
    {
      run->out = g_strdup ("");
      run->err = g_strdup_printf ("cannot run %s: %s", kho_binary, error->message);
      return;
    }
  if (WIFEXITED (wait_status))
    run->status = WEXITSTATUS (wait_status);
}

/* `kho ARGS… ingest --json EMPTY` (or with --lang after the command when
 * @lang_after is set): returns the "error" member of its one JSON line,
 * after checking status "failed", exit status 1 and the file named first. */
static char *
ingest_error (const char *const *settings, const char *lang_before, const char *lang_after)
{
  g_auto (Run) run = { 0 };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  const char *args[10];
  int n = 0;
  JsonObject *object;
  const char *message;

  args[n++] = "--archive";
  args[n++] = archive;
  if (lang_before)
    {
      args[n++] = "--lang";
      args[n++] = lang_before;
    }
  args[n++] = "ingest";
  if (lang_after)
    {
      args[n++] = "--lang";
      args[n++] = lang_after;
    }
  args[n++] = "--json";
  args[n++] = empty_file;
  args[n] = NULL;
  run_kho (&run, settings, args);
  g_test_message ("ingest → %d: %s%s", run.status, run.out, run.err);
  g_assert_cmpint (run.status, ==, 1);
  if (!json_parser_load_from_data (parser, g_strstrip (run.out), -1, &error))
    g_error ("ingest --json printed no JSON (%s): %s", error->message, run.out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  object = json_node_get_object (json_parser_get_root (parser));
  /* Machine values stay English whatever the language. */
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (object, "file"), ==, empty_file);
  message = json_object_get_string_member (object, "error");
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, empty_file));
  g_assert_null (strchr (message, '\n'));
  return g_strdup (message);
}

static void
assert_reason (char *message, const char *reason, const char *other)
{
  g_autofree char *owned = message;

  g_assert_nonnull (strstr (owned, reason));
  g_assert_null (strstr (owned, other));
}

static void
test_lang_option (void)
{
  assert_reason (ingest_error (NULL, "vi", NULL), VI_EMPTY, EN_EMPTY);
  assert_reason (ingest_error (NULL, "en", NULL), EN_EMPTY, VI_EMPTY);
  /* Global, but also accepted after the command, like --archive. */
  assert_reason (ingest_error (NULL, NULL, "en"), EN_EMPTY, VI_EMPTY);
  /* --lang wins over KHO_LANG and the locale. */
  {
    const char *const env[] = { "KHO_LANG=en", "LANG=en_US.UTF-8", NULL };
    assert_reason (ingest_error (env, "vi", NULL), VI_EMPTY, EN_EMPTY);
  }
}

static void
test_kho_lang (void)
{
  const char *const en[] = { "KHO_LANG=en", "LANG=C.UTF-8", NULL };
  const char *const vi_over_locale[] = { "KHO_LANG=vi", "LANG=en_US.UTF-8",
                                         "LANGUAGE=en_US:en", NULL };

  assert_reason (ingest_error (en, NULL, NULL), EN_EMPTY, VI_EMPTY);
  assert_reason (ingest_error (vi_over_locale, NULL, NULL), VI_EMPTY, EN_EMPTY);
}

static void
test_default (void)
{
  /* CI's environment: LANG=C.UTF-8 and nothing else. */
  const char *const c_utf8[] = { "LANG=C.UTF-8", NULL };
  const char *const posix[] = { "LC_ALL=POSIX", NULL };
  /* Vietnamese even when vi_VN.UTF-8 is not generated on the machine. */
  const char *const vi_locale[] = { "LANG=vi_VN.UTF-8", NULL };
  const char *const en_locale[] = { "LANG=en_US.UTF-8", NULL };
  const char *const fr_language[] = { "LANGUAGE=fr:en", "LANG=C.UTF-8", NULL };

  assert_reason (ingest_error (c_utf8, NULL, NULL), VI_EMPTY, EN_EMPTY);
  assert_reason (ingest_error (NULL, NULL, NULL), VI_EMPTY, EN_EMPTY);
  assert_reason (ingest_error (posix, NULL, NULL), VI_EMPTY, EN_EMPTY);
  assert_reason (ingest_error (vi_locale, NULL, NULL), VI_EMPTY, EN_EMPTY);
  /* A locale that names another language asks for English. */
  assert_reason (ingest_error (en_locale, NULL, NULL), EN_EMPTY, VI_EMPTY);
  assert_reason (ingest_error (fr_language, NULL, NULL), EN_EMPTY, VI_EMPTY);
}

static void
test_show_error (void)
{
  const char *const c_utf8[] = { "LANG=C.UTF-8", NULL };
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--lang", "vi", "--archive", archive, "show", "NOPE", NULL };

    run_kho (&run, c_utf8, args);
    g_test_message ("show NOPE → %d: %s", run.status, run.err);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_true (g_str_has_prefix (run.err, "kho: " VI_BAD_ID));
    g_assert_cmpstr (run.out, ==, "");
  }
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--lang", "en", "--archive", archive, "show", "NOPE", NULL };

    run_kho (&run, c_utf8, args);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_true (g_str_has_prefix (run.err, "kho: " EN_BAD_ID));
  }
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--lang", "vi", "--archive", archive, "show",
                                 "KHO-2026-999999", NULL };

    run_kho (&run, c_utf8, args);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_cmpstr (run.err, ==, "kho: không có tài liệu KHO-2026-999999\n");
  }
}

/* Numbers and dates in `kho show` as each language writes them: the
 * bilevel sample (two pages, skewed −3°) ingested once. */
static void
test_numbers_and_dates (void)
{
  const char *const c_utf8[] = { "LANG=C.UTF-8", NULL };
  g_autofree char *input = g_build_filename (KHO_TEST_SRCDIR, "sample-scans",
                                             "quyet-dinh-hoi-dong.tif", NULL);
  g_autoptr (GRegex) vi_bytes = g_regex_new ("bản gốc +quyet-dinh-hoi-dong\\.tif, tiff, "
                                             "[0-9]{1,3}(\\.[0-9]{3})+ byte\n", 0, 0, NULL);
  g_autoptr (GRegex) en_bytes = g_regex_new ("original +quyet-dinh-hoi-dong\\.tif, tiff, "
                                             "[0-9]{1,3}(,[0-9]{3})+ bytes\n", 0, 0, NULL);
  g_autoptr (GRegex) vi_skew = g_regex_new ("chỉnh nghiêng -?[0-9]+,[0-9]{2}°", 0, 0, NULL);
  g_autoptr (GRegex) en_skew = g_regex_new ("deskewed -?[0-9]+\\.[0-9]{2}°", 0, 0, NULL);
  g_autoptr (GRegex) date = g_regex_new ("[0-3][0-9]/[01][0-9]/20[0-9]{2} [0-2][0-9]:[0-5][0-9]",
                                         0, 0, NULL);
  g_autofree char *id = NULL;
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--archive", archive, "ingest", "--json", input, NULL };
    g_autoptr (JsonNode) node = NULL;

    run_kho (&run, c_utf8, args);
    g_assert_cmpint (run.status, ==, 0);
    node = json_from_string (run.out, NULL);
    g_assert_nonnull (node);
    id = g_strdup (json_object_get_string_member (json_node_get_object (node), "id"));
  }
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--lang", "vi", "--archive", archive, "show", id, NULL };

    run_kho (&run, c_utf8, args);
    g_test_message ("%s", run.out);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_regex_match (vi_bytes, run.out, 0, NULL));
    g_assert_true (g_regex_match (vi_skew, run.out, 0, NULL));
    g_assert_true (g_regex_match (date, run.out, 0, NULL));
  }
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--lang", "en", "--archive", archive, "show", id, NULL };

    run_kho (&run, c_utf8, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_regex_match (en_bytes, run.out, 0, NULL));
    g_assert_true (g_regex_match (en_skew, run.out, 0, NULL));
  }
}

static void
test_help (void)
{
  const char *const c_utf8[] = { "LANG=C.UTF-8", NULL };
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--lang", "vi", "--help", NULL };

    run_kho (&run, c_utf8, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_str_has_prefix (run.out, "Cách dùng: kho "));
    g_assert_nonnull (strstr (run.out, "Các lệnh:\n"));
    g_assert_nonnull (strstr (run.out, "  init     tạo thư mục kho lưu trữ\n"));
    g_assert_nonnull (strstr (run.out, "  ingest   đưa bản quét vào kho lưu trữ\n"));
    g_assert_nonnull (strstr (run.out, "  search   tìm tài liệu (gõ không dấu cũng được)\n"));
    g_assert_null (strstr (run.out, "take scans"));
  }
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--lang", "en", "--help", NULL };

    run_kho (&run, c_utf8, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_str_has_prefix (run.out, "Usage: kho "));
    g_assert_nonnull (strstr (run.out, "  ingest   take scans into the archive\n"));
  }
  {
    /* A command's options, described by GOption from the marked entries;
     * the default language, with no locale variable at all. */
    g_auto (Run) run = { 0 };
    const char *const args[] = { "ingest", "--help", NULL };

    run_kho (&run, NULL, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "Không chỉnh trang bị nghiêng"));
    g_assert_nonnull (strstr (run.out, "--archive=THƯ_MỤC"));
  }
}

static void
test_bad_language (void)
{
  const char *const c_utf8[] = { "LANG=C.UTF-8", NULL };
  const char *const bad_env[] = { "KHO_LANG=fr", NULL };
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--lang", "de", "--help", NULL };

    run_kho (&run, c_utf8, args);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "--lang “de”"));
  }
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--help", NULL };

    run_kho (&run, bad_env, args);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "KHO_LANG “fr”"));
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  /* Messages compared here are UTF-8 whatever the test's own locale. */
  setlocale (LC_ALL, "");
  if (!g_get_charset (NULL))
    setlocale (LC_CTYPE, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  kho_binary = g_getenv ("KHO_BINARY");
  if (kho_binary == NULL)
    g_error ("KHO_BINARY must be set (run through meson test)");
  work_dir = g_dir_make_tmp ("kho-test-messages-XXXXXX", &error);
  if (work_dir == NULL)
    g_error ("cannot make a temporary folder: %s", error->message);
  archive = g_build_filename (work_dir, "archive", NULL);
  empty_file = g_build_filename (work_dir, "trống.png", NULL);
  if (!g_file_set_contents (empty_file, "", 0, &error))
    g_error ("cannot write %s: %s", empty_file, error->message);
  {
    g_auto (Run) run = { 0 };
    const char *const args[] = { "--archive", archive, "init", NULL };

    run_kho (&run, NULL, args);
    if (run.status != 0)
      g_error ("kho init failed (%d): %s", run.status, run.err);
  }

  g_test_add_func ("/messages/lang-option", test_lang_option);
  g_test_add_func ("/messages/numbers-and-dates", test_numbers_and_dates);
  g_test_add_func ("/messages/kho-lang", test_kho_lang);
  g_test_add_func ("/messages/default", test_default);
  g_test_add_func ("/messages/show-error", test_show_error);
  g_test_add_func ("/messages/help", test_help);
  g_test_add_func ("/messages/bad-language", test_bad_language);
  status = g_test_run ();

  kho_store_remove_tree (work_dir, NULL);
  g_free (empty_file);
  g_free (archive);
  g_free (work_dir);
  return status;
}

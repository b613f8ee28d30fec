/* replay.c — runs a fuzz target over a corpus without libFuzzer.
 *
 * Linked with one fuzz-*.c target in builds without -Dfuzzing=true, so that
 * every corpus replays as an ordinary meson test (suite "fuzz") with gcc and
 * no sanitizer runtime.  Usage: fuzz-TARGET [DIR-OR-FILE...]; every regular
 * file under each DIR (recursively, in name order) is one input, and the
 * result is TAP: "1..N", then "ok I - PATH" per input.  A target reports a
 * bug by crashing or aborting, which fails the test; inputs are read
 * whole, so a bug's reproducer can also be replayed on its own.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
collect (const char *path, GPtrArray *out)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_autoptr (GError) error = NULL;
    GDir *dir = g_dir_open (path, 0, &error);
    const char *name;

    if (dir == NULL) {
      printf ("Bail out! %s\n", error->message);
      exit (1);
    }
    while ((name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      collect (child, out);
    }
    g_dir_close (dir);
  } else if (g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_ptr_array_add (out, g_strdup (path));
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);

  if (argc < 2) {
    fprintf (stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++)
    collect (argv[i], inputs);
  g_ptr_array_sort (inputs, compare_paths);
  if (inputs->len == 0) {
    printf ("Bail out! no input under %s\n", argv[1]);
    return 1;
  }

  printf ("1..%u\n", inputs->len);
  fflush (stdout);
  for (guint i = 0; i < inputs->len; i++) {
    const char *path = g_ptr_array_index (inputs, i);
    g_autoptr (GError) error = NULL;
    char *contents = NULL;
    gsize length = 0;

    if (!g_file_get_contents (path, &contents, &length, &error)) {
      printf ("not ok %u - %s # %s\n", i + 1, path, error->message);
      continue;
    }
    /* A copy of exactly @length bytes, so that reading past the input is
     * caught by valgrind or ASan as it would be under libFuzzer. */
    guint8 *data = g_memdup2 (contents, length);
    g_free (contents);
    LLVMFuzzerTestOneInput (data, length);
    g_free (data);
    printf ("ok %u - %s\n", i + 1, path);
    fflush (stdout);
  }
  return 0;
}

/* cmd-optimize.c — kho optimize: merge the full-text index into one
 * segment, for the fastest searches (kho watch does it when idle; a
 * nightly timer may too). */
#include <stdlib.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "index/db.h"
#include "pipeline/cli.h"

/* Pages written by one step: a short hold of the write lock each. */
#define STEP_PAGES 2000

int
cli_command_optimize (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean more = TRUE;
  int steps = 0;
  double seconds;

  if (!cli_parse_options ("optimize", "",
                          N_("Merge the full-text index so that searches are as fast as they "
                             "can be; a step at a time, while kho watch and kho serve go on."),
                          NULL, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1)
    {
      cli_print_error (_("optimize: takes no arguments"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  while (more)
    {
      if (!kho_db_merge_index (archive->db, STEP_PAGES, &more, &error))
        {
          g_autofree char *message = g_strdup_printf (_("optimize: %s"), error->message);

          cli_print_error (message);
          return EXIT_FAILURE;
        }
      steps++;
    }
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  if (cli_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "steps");
      json_builder_add_int_value (builder, steps);
      json_builder_set_member_name (builder, "milliseconds");
      json_builder_add_int_value (builder, (gint64) (seconds * 1000 + 0.5));
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      cli_print_json (node, FALSE);
    }
  else
    {
      g_autofree char *time = cli_decimal_text (seconds, 1);

      /* TRANSLATORS: %s is a number of seconds, such as 1,5 */
      g_print (_("The full-text index is merged (%s s).\n"), time);
    }
  return EXIT_SUCCESS;
}

/* cmd-serve.c — kho serve: the archive on the school's network. */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "config.h"
#include "pipeline/cli.h"
#include "pipeline/web.h"

static gboolean
on_stop_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

int
cli_command_serve (int argc, char **argv)
{
  static char *listen = NULL;
  static int port = 8080;
  static const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      N_("Address to listen on (default 127.0.0.1; 0.0.0.0 opens it to the network)"),
      N_("ADDRESS") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("Port (default 8080; 0: any free port)"),
      "N" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (KhoWeb) web = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *uri = NULL;
  guint term, interrupt;

  if (!cli_parse_options ("serve", "",
                          N_("Serve the archive over HTTP: search, documents and the queue, "
                             "for browsers on the school's network."),
                          entries, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1)
    {
      cli_print_error (_("serve: takes no arguments"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  web = kho_web_new (archive, &error);
  if (web)
    uri = kho_web_listen (web, listen ? listen : "127.0.0.1", port, &error);
  if (uri == NULL)
    {
      g_autofree char *message = g_strdup_printf ("serve: %s", error->message);
      cli_print_error (message);
      g_free (listen);
      return EXIT_FAILURE;
    }
  /* Tests read this line: keep it exactly so, in both languages. */
  printf ("listening on %s\n", uri);
  fflush (stdout);
  loop = g_main_loop_new (NULL, FALSE);
  term = g_unix_signal_add (SIGTERM, on_stop_signal, loop);
  interrupt = g_unix_signal_add (SIGINT, on_stop_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (term);
  g_source_remove (interrupt);
  g_free (listen);
  return EXIT_SUCCESS;
}

/* cli.h — what the command files of kho share (main.c defines it):
 * options, the archive, output.  Only the command files print. */
#pragma once

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include "pipeline/archive.h"

G_BEGIN_DECLS

#define EXIT_USAGE 2

extern gboolean cli_json;  /* --json */

const char *cli_archive_path (void);
/* Prints "kho: MESSAGE" on stderr. */
void cli_print_error (const char *message);
/* Parses the command's options; prints usage and returns FALSE on error. */
gboolean cli_parse_options (const char *command, const char *parameters, const char *summary,
                            const GOptionEntry *entries, gboolean with_json, int *argc,
                            char ***argv);
/* A subcommand of a command such as kho user: its name and what runs it. */
typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
} CliSubcommand;

/* Runs the subcommand that @argv names (the first argument that is not an
 * option), handing it @argv without that name.  --help before it, or no
 * subcommand, prints @usage; a name not in @subcommands prints @unknown, a
 * translated format whose one %s is the name given, then @usage.  Returns
 * the exit status. */
int cli_run_subcommand (const CliSubcommand *subcommands, gsize n_subcommands,
                        void (*usage) (FILE *out), const char *unknown, int argc, char **argv);
/* Opens the archive, printing why it cannot. */
KhoArchive *cli_open_archive (void);
void cli_print_json (JsonNode *node, gboolean pretty);
/* Numbers and dates as the reader's language writes them.  Newly allocated. */
char *cli_decimal_text (double value, int decimals);
char *cli_count_text (gint64 value);
char *cli_display_date (const char *iso);

/* The document of @reference (an archive ID, a SHA-256 or a prefix of
 * one), printing why there is none. */
KhoDocument *cli_lookup (KhoArchive *archive, const char *reference);

/* Commands of cmd-metadata.c */
int cli_command_edit (int argc, char **argv);
int cli_command_train (int argc, char **argv);
int cli_command_extract (int argc, char **argv);

/* Commands of cmd-watch.c */
int cli_command_watch (int argc, char **argv);
int cli_command_worker (int argc, char **argv);
int cli_command_status (int argc, char **argv);
int cli_command_retry (int argc, char **argv);

/* Commands of cmd-user.c */
int cli_command_user (int argc, char **argv);

/* Commands of cmd-export.c */
int cli_command_export (int argc, char **argv);
int cli_command_import (int argc, char **argv);
int cli_command_backup (int argc, char **argv);

/* Commands of cmd-audit.c */
int cli_command_verify (int argc, char **argv);
int cli_command_audit (int argc, char **argv);
int cli_command_retention (int argc, char **argv);
int cli_command_delete (int argc, char **argv);

/* The command of cmd-optimize.c */
int cli_command_optimize (int argc, char **argv);

/* The command of cmd-serve.c */
int cli_command_serve (int argc, char **argv);

G_END_DECLS

/* ids.c — archive identifiers: "PREFIX-YEAR-SERIAL" and SHA-256 references. */
#include "index/ids.h"

#include <string.h>

gboolean
kho_id_prefix_is_valid (const char *prefix)
{
  gsize len;

  if (prefix == NULL)
    return FALSE;
  len = strlen (prefix);
  if (len == 0 || len > KHO_ID_PREFIX_MAX_LEN || !g_ascii_isalpha (prefix[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (prefix[i]))
      return FALSE;
  return TRUE;
}

static gboolean
all_hex (const char *text, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
all_digits (const char *text, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

KhoIdKind
kho_id_parse (const char *text, char **normalized)
{
  const char *dash1, *dash2;
  gsize len;

  if (normalized)
    *normalized = NULL;
  if (text == NULL)
    return KHO_ID_INVALID;
  len = strlen (text);

  dash1 = strchr (text, '-');
  if (dash1 != NULL)
    {
      gsize prefix_len = (gsize) (dash1 - text);
      g_autofree char *prefix = g_strndup (text, prefix_len);

      dash2 = strchr (dash1 + 1, '-');
      /* PREFIX-YYYY-NNNNNN: a four-digit year, a serial of 6 to 12 digits. */
      if (dash2 == NULL || dash2 - dash1 != 5 ||
          !all_digits (dash1 + 1, 4) ||
          strlen (dash2 + 1) < 6 || strlen (dash2 + 1) > 12 ||
          !all_digits (dash2 + 1, strlen (dash2 + 1)) ||
          !kho_id_prefix_is_valid (prefix))
        return KHO_ID_INVALID;
      if (normalized)
        *normalized = g_ascii_strup (text, -1);
      return KHO_ID_ARCHIVE;
    }

  if (len < KHO_ID_MIN_PREFIX || len > 64 || !all_hex (text, len))
    return KHO_ID_INVALID;
  if (normalized)
    *normalized = g_ascii_strdown (text, -1);
  return len == 64 ? KHO_ID_SHA256 : KHO_ID_SHA256_PREFIX;
}

char *
kho_id_format (const char *prefix, int year, gint64 serial)
{
  return g_strdup_printf ("%s-%04d-%06" G_GINT64_FORMAT, prefix, year, serial);
}

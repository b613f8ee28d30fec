/* title.c — a first title for a document from its text. */
#include "index/title.h"

#include <string.h>

#include "index/fold.h"

#define TITLE_MAX_CHARS 200

/* Folded type lines of Nghị định 30/2020 and school records. */
static const char *const type_lines[] = {
  "nghi quyet", "quyet dinh", "chi thi", "quy che", "quy dinh", "thong cao", "thong bao",
  "huong dan", "chuong trinh", "ke hoach", "phuong an", "de an", "du an", "bao cao",
  "bien ban", "to trinh", "hop dong", "cong dien", "ban ghi nho", "ban thoa thuan",
  "giay uy quyen", "giay moi", "giay gioi thieu", "giay nghi phep", "phieu gui",
  "phieu chuyen", "phieu bao", "hoc ba", "so dang bo", "so ghi dau bai", "giay chung nhan",
  "don", "ke hoach bai day", "ke hoach giao duc",
};

static gboolean
all_capitals (const char *line)
{
  g_autofree char *upper = g_utf8_strup (line, -1);
  g_autofree char *lower = g_utf8_strdown (line, -1);

  return strcmp (upper, line) == 0 && strcmp (lower, line) != 0;
}

static gboolean
is_type_line (const char *line)
{
  g_autofree char *folded = NULL;

  if (!all_capitals (line))  /* the type line is in capitals */
    return FALSE;
  folded = kho_fold_search (line, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (type_lines); i++)
    if (strcmp (folded, type_lines[i]) == 0)
      return TRUE;
  return FALSE;
}

/* "KẾ HOẠCH" → "Kế hoạch" */
static char *
sentence_case (const char *line)
{
  g_autofree char *lower = g_utf8_strdown (line, -1);
  gunichar first = g_utf8_get_char (lower);
  char buffer[8] = { 0 };

  g_unichar_to_utf8 (g_unichar_toupper (first), buffer);
  return g_strconcat (buffer, g_utf8_next_char (lower), NULL);
}

static char *
clip (GString *title)
{
  char *text;

  if (g_utf8_strlen (title->str, -1) > TITLE_MAX_CHARS)
    {
      const char *end = g_utf8_offset_to_pointer (title->str, TITLE_MAX_CHARS - 1);
      g_string_truncate (title, (gsize) (end - title->str));
      g_string_append (title, "…");
    }
  text = kho_fold_nfc (title->str, -1);
  g_string_free (title, TRUE);
  return text;
}

/* Appends the subject: up to @max lines from @from, skipping blank lines
 * before the first and stopping at a blank line after it, or at a line that
 * opens the body ("Căn cứ…", "Kính gửi…").  A subject set in capitals is
 * written in sentence case, as the decree's own examples are. */
static void
append_subject (GString *title, char **lines, gsize from, int max)
{
  int added = 0;

  for (gsize i = from; lines[i] && added < max; i++)
    {
      const char *line = g_strstrip (lines[i]);
      g_autofree char *folded = kho_fold_search (line, -1);

      if (*line == '\0')
        {
          if (added > 0)
            break;
          continue;
        }
      if (g_str_has_prefix (folded, "can cu") || g_str_has_prefix (folded, "kinh gui") ||
          g_str_has_prefix (folded, "so:") || strspn (line, "-_=.* ") == strlen (line))
        break;
      if (title->len > 0 && title->str[title->len - 1] != ' ')
        g_string_append_c (title, ' ');
      if (all_capitals (line))
        {
          g_autofree char *text = added == 0 ? sentence_case (line) : g_utf8_strdown (line, -1);
          g_string_append (title, text);
        }
      else
        g_string_append (title, line);
      added++;
    }
}

char *
kho_title_guess (const char *text)
{
  g_auto (GStrv) lines = NULL;
  GString *title;

  if (text == NULL)
    return NULL;
  lines = g_strsplit (text, "\n", 200);
  for (gsize i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line && is_type_line (line))
        {
          g_autofree char *type = sentence_case (line);

          title = g_string_new (type);
          g_string_append (title, ": ");
          append_subject (title, lines, i + 1, 3);
          if (g_str_has_suffix (title->str, ": "))
            g_string_truncate (title, title->len - 2);
          return clip (title);
        }
    }
  for (gsize i = 0; lines[i]; i++)
    {
      const char *line = g_strstrip (lines[i]);
      g_autofree char *folded = kho_fold_search (line, -1);

      if (g_str_has_prefix (folded, "v/v"))
        {
          title = g_string_new ("Công văn: ");
          append_subject (title, lines, i, 2);
          return clip (title);
        }
    }
  for (gsize i = 0; lines[i]; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (g_utf8_strlen (line, -1) >= 12)
        {
          title = g_string_new (line);
          return clip (title);
        }
    }
  return NULL;
}

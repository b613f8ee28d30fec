/* fields.h — the metadata of an administrative document, read from its
 * text as Nghị định 30/2020/NĐ-CP lays it out (names as its Phụ lục VI).
 *
 * The header: the issuing body top left (one to three lines: the superior
 * body, then the issuing body), the national motto top right, "Số:
 * 189/KH-UBND" under the body, the place and date line under the motto
 * ("Bình Chương, ngày 28 tháng 04 năm 2023"), urgency and secrecy marks;
 * the type name in capitals ("KẾ HOẠCH") with the subject below it, or for
 * a công văn "V/v …" under the number; at the end the signer's position
 * (with KT., TM., Q., TL., TUQ.) and name, and the recipients ("Nơi
 * nhận:").  OCR gives the two header columns interleaved row by row, one
 * after the other, or alternating; it loses diacritics ("thang", "nam"),
 * reads "Sô:" or "S6:" for "Số:", "l" for "1".  The parsers tolerate all
 * of it.
 *
 * Every string is NFC; a field the text does not have is NULL.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *type_line;       /* the type name as printed in capitals ("KẾ HOẠCH"),
                          * normalised to its usual case ("Kế hoạch"); NULL */
  char *number;          /* "189"; leading zeros kept ("07") */
  char *year;            /* "2020" for "30/2020/NĐ-CP" */
  char *notation;        /* "KH-UBND", "NĐ-CP", "PGDĐT", "NQ/CB" */
  char *code;            /* the type abbreviation the notation starts with
                          * ("KH" for "KH-UBND"; "NQ" for "NQ/CB"), NULL when
                          * it starts with none (the caller checks it against
                          * the known codes) */
  char *place;           /* "Bình Chương" */
  char *issued;          /* ISO 8601 date, "2023-04-28" */
  char *issuer;          /* lines joined with '\n' */
  char *subject;         /* trích yếu, lines joined with one space; for a
                          * công văn the text after "V/v" */
  char *signer_position; /* lines joined with '\n', prefixes kept */
  char *signer_name;
  GPtrArray *recipients; /* char*, never NULL; bullets, dashes, trailing
                          * ";" "." "," removed */
  char *urgency;         /* "Hỏa tốc", "Thượng khẩn", "Khẩn" */
  char *secrecy;         /* "Mật", "Tối mật", "Tuyệt mật" */
} KhoFields;

/* Reads the fields of the document whose text (all pages, pages separated
 * by a form feed '\f' or a blank line) is @text.  Never NULL. */
KhoFields *kho_fields_extract (const char *text);
void kho_fields_free (KhoFields *fields);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoFields, kho_fields_free)

/* The parsers, for the tests and for kho edit's checks. */

/* The date of "ngày 28 tháng 04 năm 2023", "ngày 5 tháng 1 năm 2020",
 * "28/4/2023", "28-04-2023", "28.4.2023", damaged as OCR damages them
 * ("thang", "nãm", "Ngay", "l" for "1"), found anywhere in @line.  ISO 8601,
 * or NULL when there is no valid date. */
char *kho_fields_parse_date (const char *line);

/* Splits a document number "Số: 189/KH-UBND", "Số 12-NQ/CB", "Số:
 * 30/2020/NĐ-CP", "Luật số: 43/2019/QH14" (also damaged: "Sô:", "S6:",
 * "l89") into its parts.  FALSE when @line has none. */
gboolean kho_fields_parse_number (const char *line, char **number, char **year,
                                  char **notation);

G_END_DECLS

/* test-classify.c — document types: the rules of doctypes.conf and their
 * overrides, codes, layout signals, the naive Bayes model and its text
 * form, and the accuracy over the labelled set of tests/classify. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "index/classify.h"
#include "index/fold.h"

#define CORPUS_DIR KHO_TEST_SRCDIR "/tests/classify/corpus"

/* The types of tests/classify/check-corpus.py (TYPES) with their codes. */
static const struct {
  const char *name;
  const char *code;
  const char *group;
} expected_types[] = {
  { "Nghị quyết", "NQ", "admin" }, { "Quyết định", "QĐ", "admin" },
  { "Chỉ thị", "CT", "admin" }, { "Quy chế", "QC", "admin" },
  { "Quy định", "QyĐ", "admin" }, { "Thông cáo", "TC", "admin" },
  { "Thông báo", "TB", "admin" }, { "Hướng dẫn", "HD", "admin" },
  { "Chương trình", "CTr", "admin" }, { "Kế hoạch", "KH", "admin" },
  { "Phương án", "PA", "admin" }, { "Đề án", "ĐA", "admin" },
  { "Dự án", "DA", "admin" }, { "Báo cáo", "BC", "admin" },
  { "Biên bản", "BB", "admin" }, { "Tờ trình", "TTr", "admin" },
  { "Hợp đồng", "HĐ", "admin" }, { "Công văn", NULL, "admin" },
  { "Công điện", "CĐ", "admin" }, { "Bản ghi nhớ", "BGN", "admin" },
  { "Bản thỏa thuận", "BTT", "admin" }, { "Giấy ủy quyền", "GUQ", "admin" },
  { "Giấy mời", "GM", "admin" }, { "Giấy giới thiệu", "GGT", "admin" },
  { "Giấy nghỉ phép", "GNP", "admin" }, { "Phiếu gửi", "PG", "admin" },
  { "Phiếu chuyển", "PC", "admin" }, { "Phiếu báo", "PB", "admin" },
  { "Thư công", NULL, "admin" },
  { "Bản sao y", "SY", "copy" }, { "Bản trích sao", "TrS", "copy" },
  { "Bản sao lục", "SL", "copy" },
  { "Luật", NULL, "legal" }, { "Nghị định", "NĐ", "legal" },
  { "Thông tư", "TT", "legal" }, { "Thông tư liên tịch", "TTLT", "legal" },
  { "Học bạ", NULL, "school" }, { "Sổ đăng bộ", NULL, "school" },
  { "Sổ theo dõi và đánh giá học sinh", NULL, "school" },
  { "Sổ ghi đầu bài", NULL, "school" }, { "Sổ chủ nhiệm", NULL, "school" },
  { "Kế hoạch bài dạy", NULL, "school" }, { "Kế hoạch giáo dục", NULL, "school" },
  { "Bằng", NULL, "school" }, { "Chứng chỉ", NULL, "school" },
  { "Giấy chứng nhận", NULL, "school" }, { "Đơn", NULL, "school" },
  { "Biên lai", NULL, "school" }, { "Hóa đơn", NULL, "school" },
};

static KhoTypeModel *train_small (void);

static KhoTypeRules *
load_rules (const char *override_path)
{
  g_autoptr (GError) error = NULL;
  KhoTypeRules *rules = kho_type_rules_load (override_path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rules);
  return rules;
}

/* Fields as kho_fields_extract() would give them (free with
 * kho_fields_free()); the strings are copied. */
static KhoFields *
fields_new (const char *type_line, const char *code, const char *notation, const char *year,
            const char *subject)
{
  KhoFields *fields = g_new0 (KhoFields, 1);

  fields->type_line = g_strdup (type_line);
  fields->code = g_strdup (code);
  fields->notation = g_strdup (notation);
  fields->year = g_strdup (year);
  fields->subject = g_strdup (subject);
  fields->recipients = g_ptr_array_new_with_free_func (g_free);
  return fields;
}

static char *
write_temp (const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("kho-doctypes-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  g_close (fd, NULL);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* ---- Rules ---- */

static void
test_rules_builtin (void)
{
  g_autoptr (KhoTypeRules) rules = load_rules (NULL);
  g_autoptr (GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (kho_type_rules_count (rules), ==, G_N_ELEMENTS (expected_types));
  for (gsize i = 0; i < G_N_ELEMENTS (expected_types); i++)
    {
      const KhoDocType *type = kho_type_rules_by_name (rules, expected_types[i].name);

      g_assert_nonnull (type);
      g_assert_cmpstr (type->name, ==, expected_types[i].name);
      g_assert_cmpstr (type->code, ==, expected_types[i].code);
      g_assert_cmpstr (type->group, ==, expected_types[i].group);
      g_assert_cmpint (type->retention, >=, 0);
      g_assert_cmpint (type->retention, <=, 100);
      g_assert_nonnull (type->keywords);
      g_assert_nonnull (type->keywords[0]);
      for (gsize k = 0; type->keywords[k]; k++)
        {
          const char *keyword = type->keywords[k];

          /* Folded: lower-case ASCII; two syllables or more. */
          for (const char *p = keyword; *p; p++)
            g_assert_true (g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == ' ');
          g_assert_nonnull (strchr (keyword, ' '));
        }
      if (type->code)
        {
          g_assert_false (g_hash_table_contains (codes, type->code));
          g_hash_table_add (codes, type->code);
          g_assert_true (kho_type_rules_by_code (rules, type->code) == type);
        }
    }
  g_assert_cmpint (kho_type_rules_by_name (rules, "Học bạ")->retention, ==, 0);
  g_assert_cmpint (kho_type_rules_by_name (rules, "Sổ đăng bộ")->retention, ==, 0);
  g_assert_cmpint (kho_type_rules_by_name (rules, "Kế hoạch bài dạy")->retention, >, 0);
  g_assert_true (kho_type_rules_get (rules, 0) == kho_type_rules_by_name (rules, "Nghị quyết"));
  g_assert_null (kho_type_rules_get (rules, kho_type_rules_count (rules)));
  /* Case does not matter for names, diacritics do. */
  g_assert_true (kho_type_rules_by_name (rules, "kế hoạch") ==
                 kho_type_rules_by_name (rules, "Kế hoạch"));
  g_assert_null (kho_type_rules_by_name (rules, "Ke hoach"));
  g_assert_null (kho_type_rules_by_name (rules, KHO_TYPE_UNCLASSIFIED));
  g_assert_null (kho_type_rules_by_name (rules, ""));
  g_assert_null (kho_type_rules_by_name (rules, NULL));

  /* A missing override file is no override. */
  {
    g_autoptr (KhoTypeRules) same = load_rules ("/nonexistent/ARCHIVE/doctypes.conf");
    g_assert_cmpuint (kho_type_rules_count (same), ==, kho_type_rules_count (rules));
  }
}

static void
test_rules_override (void)
{
  /* The group name in NFD, as some editors write it: still Kế hoạch. */
  g_autofree char *nfd = g_utf8_normalize ("Kế hoạch", -1, G_NORMALIZE_NFD);
  g_autofree char *text = g_strdup_printf (
    "# the archive's own\n"
    "[%s]\n"
    "retention=0\n"
    "keywords=Kế hoạch năm học;  ;XÂY DỰNG KẾ HOẠCH\n"
    "\n"
    "[Sổ điểm]\n"
    "group=school\n"
    "keywords=so goi ten va ghi diem\n"
    "titles=so goi ten\n"
    "retention=10\n"
    "\n"
    "[Giấy khen]\n"
    "code=GK\n"
    "group=school\n"
    "retention=0\n", nfd);
  g_autofree char *path = write_temp (text);
  g_autoptr (KhoTypeRules) builtin = load_rules (NULL);
  g_autoptr (KhoTypeRules) rules = load_rules (path);
  const KhoDocType *plan = kho_type_rules_by_name (rules, "Kế hoạch");
  const KhoDocType *added = kho_type_rules_by_name (rules, "Sổ điểm");
  const KhoDocType *award = kho_type_rules_by_name (rules, "Giấy khen");

  g_assert_cmpuint (kho_type_rules_count (rules), ==, kho_type_rules_count (builtin) + 2);
  /* Replaced: the keys the group sets; kept: the others. */
  g_assert_nonnull (plan);
  g_assert_cmpint (plan->retention, ==, 0);
  g_assert_cmpstr (plan->code, ==, "KH");
  g_assert_cmpstr (plan->group, ==, "admin");
  g_assert_cmpuint (g_strv_length (plan->keywords), ==, 2);
  g_assert_cmpstr (plan->keywords[0], ==, "ke hoach nam hoc");
  g_assert_cmpstr (plan->keywords[1], ==, "xay dung ke hoach");
  g_assert_true (kho_type_rules_by_code (rules, "KH-UBND") == plan);
  /* Added. */
  g_assert_nonnull (added);
  g_assert_null (added->code);
  g_assert_cmpstr (added->group, ==, "school");
  g_assert_cmpint (added->retention, ==, 10);
  g_assert_true (kho_type_rules_by_code (rules, "GK") == award);
  /* The other types are untouched. */
  g_assert_cmpint (kho_type_rules_by_name (rules, "Học bạ")->retention, ==, 0);

  /* The added type's title is a type line. */
  {
    KhoClassification c = kho_classify (rules, NULL, "TRƯỜNG TH&THCS BÌNH CHƯƠNG\nSỔ GỌI TÊN\n"
                                        "Lớp 6A\n", NULL);
    g_assert_true (c.type == added);
    g_assert_cmpstr (c.reason, ==, "type line");
  }
  g_unlink (path);
}

static void
check_broken (const char *contents, const char *group, const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_temp (contents);
  KhoTypeRules *rules = kho_type_rules_load (path, &error);

  g_assert_null (rules);
  g_assert_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  if (group)
    g_assert_nonnull (strstr (error->message, group));
  g_assert_nonnull (strstr (error->message, what));
  g_unlink (path);
}

static void
test_rules_broken (void)
{
  check_broken ("[Kế hoạch]\nretention=mười\n", "[Kế hoạch]", "retention");
  check_broken ("[Kế hoạch]\nretention=-1\n", "[Kế hoạch]", "retention");
  check_broken ("[Báo cáo]\nretension=5\n", "[Báo cáo]", "retension");
  check_broken ("[Sổ điểm]\nkeywords=so diem\n", "[Sổ điểm]", "group and retention");
  check_broken ("[Sổ điểm]\ncode=KH\ngroup=school\nretention=5\n", "[Sổ điểm]", "KH");
  check_broken ("[Sổ điểm]\ncode=qđ\ngroup=school\nretention=5\n", "[Sổ điểm]", "qđ");
  check_broken ("[Sổ điểm]\ncode=S Đ\ngroup=school\nretention=5\n", "[Sổ điểm]", "code");
  check_broken ("[Sổ điểm]\ngroup=Trường học\nretention=5\n", "[Sổ điểm]", "group");
  check_broken ("[Sổ\xff]\ngroup=school\nretention=5\n", NULL, "");
  check_broken ("[Sổ điểm]\ngroup=school\nretention=5\nkeywords=so \xff diem\n", "[Sổ điểm]", "");
  check_broken ("this is not a key file\n", NULL, "");
  check_broken ("[Kế hoạch\nretention=5\n", NULL, "");
}

static void
test_rules_code (void)
{
  g_autoptr (KhoTypeRules) rules = load_rules (NULL);
  static const struct {
    const char *code;
    const char *type;
  } cases[] = {
    { "QĐ", "Quyết định" }, { "QyĐ", "Quy định" }, { "QĐ-UBND", "Quyết định" },
    { "QyĐ-THCS", "Quy định" }, { "QÐ-TH&THCS", "Quyết định" } /* U+00D0 */,
    { "qđ", "Quyết định" }, { "QYĐ", "Quy định" },
    { "TT", "Thông tư" }, { "TT-BGDĐT", "Thông tư" }, { "TTLT", "Thông tư liên tịch" },
    { "TTLT-BGDĐT-BNV", "Thông tư liên tịch" }, { "TTr", "Tờ trình" },
    { "TTr-TH&THCS", "Tờ trình" }, { "CT", "Chỉ thị" }, { "CT-UBND", "Chỉ thị" },
    { "CTr", "Chương trình" }, { "CTr-CĐCS", "Chương trình" }, { "ĐA", "Đề án" },
    { "ÐA-TH&THCS", "Đề án" }, { "DA", "Dự án" }, { "DA-BQLDA", "Dự án" },
    { "NQ/CB", "Nghị quyết" }, { "NĐ-CP", "Nghị định" }, { "TrS", "Bản trích sao" },
    { "SY-TH&THCS", "Bản sao y" }, { "HĐ", "Hợp đồng" }, { "CĐ-UBND", "Công điện" },
    { "BGN", "Bản ghi nhớ" }, { " KH", "Kế hoạch" }, { "/KH-UBND", "Kế hoạch" },
    { "PGDĐT", NULL }, { "TH&THCS-VP", NULL }, { "QĐX", NULL }, { "Q", NULL },
    { "QH14", NULL }, { "UBND-KH", NULL }, { "", NULL }, { "-", NULL }, { NULL, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const KhoDocType *type = kho_type_rules_by_code (rules, cases[i].code);

      g_test_message ("%s → %s", cases[i].code, type ? type->name : "(none)");
      g_assert_cmpstr (type ? type->name : NULL, ==, cases[i].type);
    }
  g_assert_null (kho_type_rules_by_code (rules, "\xff\xfe"));
}

/* ---- Layout signals ---- */

static void
check_classify (const KhoTypeRules *rules, const KhoTypeModel *model, const char *text,
                const KhoFields *fields, const char *type, const char *reason,
                double min_confidence)
{
  KhoClassification c = kho_classify (rules, model, text, fields);

  g_test_message ("→ %s %.3f (%s)", c.type ? c.type->name : "(none)", c.confidence, c.reason);
  g_assert_cmpstr (c.type ? c.type->name : NULL, ==, type);
  g_assert_cmpfloat (c.confidence, >=, 0.0);
  g_assert_cmpfloat (c.confidence, <=, 1.0);
  if (type)
    g_assert_cmpfloat (c.confidence, >=, min_confidence);
  else
    g_assert_cmpfloat (c.confidence, <, KHO_CLASSIFY_THRESHOLD);
  if (reason)
    g_assert_cmpstr (c.reason, ==, reason);
}

static void
test_classify_layout (void)
{
  g_autoptr (KhoTypeRules) rules = load_rules (NULL);
  KhoFields *fields;

  /* Notation and type line agree: certain. */
  fields = fields_new ("Kế hoạch", "KH", "KH-UBND", NULL, "Thực hiện công tác phổ cập");
  check_classify (rules, NULL,
                  "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                  "XÃ BÌNH CHƯƠNG Độc lập - Tự do - Hạnh phúc\n"
                  "Số: 189/KH-UBND Bình Chương, ngày 10 tháng 11 năm 2025\n"
                  "KẾ HOẠCH\nThực hiện công tác phổ cập\n",
                  fields, "Kế hoạch", "notation", 0.99);
  kho_fields_free (fields);

  /* The notation alone, the type line alone (from the fields or read from
   * the text, also damaged by OCR). */
  fields = fields_new (NULL, "TTr", "TTr-PGDĐT", NULL, NULL);
  check_classify (rules, NULL, "Số: 112/TTr-PGDĐT\n", fields, "Tờ trình", "notation", 0.8);
  kho_fields_free (fields);
  fields = fields_new ("Quy định", NULL, NULL, NULL, NULL);
  check_classify (rules, NULL, "", fields, "Quy định", "type line", 0.8);
  kho_fields_free (fields);
  check_classify (rules, NULL, "UBND HUYỆN TƯ NGHĨA\nTRƯỜNG TH&THCS NGHĨA THẮNG\n"
                  "Số: 0l/ÐA-TH&THCS Nghĩa Thắng, ngày 28 thang 02 nam 2023\nÐỀ ÁN\n"
                  "Vị trí việc làm\n", NULL, "Đề án", "type line", 0.8);
  check_classify (rules, NULL, "KẾ H0ẠCH\nPhòng, chống đuối nước\n", NULL, "Kế hoạch",
                  "type line", 0.8);
  check_classify (rules, NULL, "CHỨNG CHỈ\nBồi dưỡng\n", NULL, "Chứng chỉ", "type line", 0.8);
  /* The longest name wins; a longer type line starts with the name. */
  fields = fields_new ("Kế hoạch bài dạy", NULL, NULL, NULL, NULL);
  check_classify (rules, NULL, "", fields, "Kế hoạch bài dạy", "type line", 0.8);
  kho_fields_free (fields);
  check_classify (rules, NULL, "TRƯỜNG: TH&THCS NGHĨA THẮNG\nKẾ HOẠCH GIÁO DỤC CỦA GIÁO VIÊN\n",
                  NULL, "Kế hoạch giáo dục", "type line", 0.8);
  check_classify (rules, NULL, "THÔNG TƯ LIÊN TỊCH\nQuy định mã số\n", NULL,
                  "Thông tư liên tịch", "type line", 0.8);
  check_classify (rules, NULL, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nBẰNG TỐT NGHIỆP TRUNG HỌC "
                  "CƠ SỞ\ncấp cho: Trần Quốc Bảo\n", NULL, "Bằng", "type line", 0.8);
  check_classify (rules, NULL, "ĐƠN XIN CHUYỂN TRƯỜNG\nKính gửi: Hiệu trưởng\n", NULL, "Đơn",
                  "type line", 0.8);
  check_classify (rules, NULL, "CÔNG TY TNHH MINH PHÁT\nHÓA ĐƠN GIÁ TRỊ GIA TĂNG Ký hiệu: "
                  "1C23TMP\n", NULL, "Hóa đơn", "type line", 0.8);
  check_classify (rules, NULL, "TRƯỜNG TH&THCS BÌNH CHƯƠNG\nTHƯ CẢM ƠN\nKính gửi: Quý nhà "
                  "hảo tâm\n", NULL, "Thư công", "type line", 0.8);
  /* Single-syllable names count only as a whole line: "ĐƠN VỊ" is no đơn. */
  check_classify (rules, NULL, "ĐƠN VỊ: TRƯỜNG TH&THCS\n", NULL, NULL, NULL, 0);

  /* A công văn: V/v under the number, no type line, no type code. */
  fields = fields_new (NULL, NULL, "PGDĐT", NULL, "kiểm tra công tác thư viện");
  check_classify (rules, NULL,
                  "UBND HUYỆN BÌNH SƠN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                  "Số: 412/PGDĐT Bình Sơn, ngày 14 tháng 10 năm 2019\n"
                  "V/v kiểm tra công tác thư viện\nKính gửi: Hiệu trưởng các trường.\n",
                  fields, "Công văn", "v/v", 0.8);
  check_classify (rules, NULL, "Sô: 238/PGDĐT-THCS\nV/V in sao đề kiểm tra\n", fields,
                  "Công văn", "v/v", 0.8);
  check_classify (rules, NULL, "Số: 96/TH&THCS-VP\n  V / v: đề nghị hỗ trợ\n", fields,
                  "Công văn", "v/v", 0.8);
  /* "V/v" in running text is not the trích yếu, and "Về việc" is not V/v. */
  check_classify (rules, NULL, "Thực hiện Công văn số 12/SGDĐT V/v tuyển sinh\n", fields, NULL,
                  NULL, 0);
  check_classify (rules, NULL, "Về việc tuyển sinh\n", fields, NULL, NULL, 0);
  kho_fields_free (fields);

  /* A copy: the copied quyết định's type line and number do not count. */
  fields = fields_new ("Quyết định", "SY", "SY-TH&THCS", NULL, "Về việc nâng bậc lương");
  check_classify (rules, NULL,
                  "ỦY BAN NHÂN DÂN HUYỆN BÌNH SƠN\nSố: 3265/QĐ-UBND\nQUYẾT ĐỊNH\n"
                  "Về việc nâng bậc lương\nQUYẾT ĐỊNH:\nĐiều 1. Nâng bậc lương.\n"
                  "Nơi nhận: KT. CHỦ TỊCH\nTRƯỜNG TH&THCS BÌNH CHƯƠNG\nSAO Y\n"
                  "Số: 07/SY-TH&THCS Bình Chương, ngày 18 tháng 10 năm 2023\n",
                  fields, "Bản sao y", NULL, 0.95);
  kho_fields_free (fields);
  /* … the copy's code without the block (OCR lost the "SAO Y" line). */
  fields = fields_new ("Quyết định", "SY", "SY-TH&THCS", NULL, NULL);
  check_classify (rules, NULL, "QUYẾT ĐỊNH\nVề việc nâng bậc lương\nQUYẾT ĐỊNH:\n"
                  "Điều 1. Nâng bậc lương.\nChịu trách nhiệm thi hành Quyết định này.\n",
                  fields, "Bản sao y", "notation", 0.8);
  kho_fields_free (fields);
  /* … even when the fields took the copied document's number. */
  fields = fields_new ("Quyết định", "QĐ", "QĐ-PGDĐT", NULL, NULL);
  check_classify (rules, NULL, "Số: 146/QĐ-PGDĐT\nQUYẾT ĐỊNH\nVề việc điều động\n"
                  "TRÍCH SA0\nSô: 02/TrS-TH&THCS\n", fields, "Bản trích sao", "type line", 0.8);
  kho_fields_free (fields);
  fields = fields_new (NULL, "SL", "SL-PGDĐT", NULL, NULL);
  check_classify (rules, NULL, "Số: 2046/SGD&ĐT-GDTrH\nV/v tổ chức dạy học 2 buổi/ngày\n"
                  "SAO LỤC\nSố: 05/SL-PGDĐT\n", fields, "Bản sao lục", NULL, 0.95);
  kho_fields_free (fields);

  /* Legal documents: the code with the year in the number; a Luật by its
   * "Luật số:" line; a provincial quyết định is a Quyết định. */
  fields = fields_new (NULL, "NĐ", "NĐ-CP", "2020", NULL);
  check_classify (rules, NULL, "CHÍNH PHỦ\nSố: 30/2020/NĐ-CP\n", fields, "Nghị định",
                  "notation", 0.9);
  kho_fields_free (fields);
  fields = fields_new ("Thông tư", "TT", "TT-BGDĐT", "2021", NULL);
  check_classify (rules, NULL, "", fields, "Thông tư", "notation", 0.99);
  kho_fields_free (fields);
  fields = fields_new ("Luật", NULL, "QH14", "2019", "GIÁO DỤC");
  check_classify (rules, NULL, "QUỐC HỘI\nLuật số: 43/2019/QH14\nLUẬT\nGIÁO DỤC\n", fields,
                  "Luật", NULL, 0.99);
  kho_fields_free (fields);
  fields = fields_new ("Quyết định", "QĐ", "QĐ-UBND", "2022", NULL);
  check_classify (rules, NULL, "", fields, "Quyết định", "notation", 0.99);
  kho_fields_free (fields);

  /* A receipt's series "BC-23T" is no báo cáo. */
  fields = fields_new ("Biên lai", "BC", "BC-23T", NULL, NULL);
  check_classify (rules, NULL, "TRƯỜNG TH&THCS BÌNH CHƯƠNG\nBIÊN LAI THU TIỀN\n"
                  "Ký hiệu: BC-23T Số: 0000345\nHọ tên người nộp tiền: Nguyễn Thị Hồng\n",
                  fields, "Biên lai", "type line", 0.9);
  kho_fields_free (fields);

  /* Notation and type line disagree, nothing else: neither wins. */
  fields = fields_new ("Báo cáo", "KH", "KH-THCS", NULL, NULL);
  check_classify (rules, NULL, "", fields, NULL, NULL, 0);
  /* … the content decides. */
  check_classify (rules, NULL, "BÁO CÁO\nI. ĐẶC ĐIỂM TÌNH HÌNH\nII. KẾT QUẢ ĐẠT ĐƯỢC\n"
                  "III. TỒN TẠI, HẠN CHẾ\nNhà trường kính báo cáo./.\n", fields, "Báo cáo",
                  "type line", 0.5);
  kho_fields_free (fields);
}

static void
test_classify_keywords (void)
{
  g_autoptr (KhoTypeRules) rules = load_rules (NULL);

  /* No layout signal: the keywords, three of them or more. */
  check_classify (rules, NULL,
                  "Họ và tên: Nguyễn Thị Khánh Linh Lớp: 7A\nToán 8,3 8,9 8,7\n"
                  "Kết quả học tập: Tốt Kết quả rèn luyện: Tốt\nĐược lên lớp: Lên lớp 8\n",
                  NULL, "Học bạ", "keywords", 0.5);
  check_classify (rules, NULL,
                  "Họ tên người nộp tiền: Nguyễn Thị Hồng\nNội dung thu: Học phí học kỳ I\n"
                  "Viết bằng chữ: Hai trăm bốn mươi nghìn đồng.\nNgười nộp tiền Người thu tiền\n",
                  NULL, "Biên lai", "keywords", 0.5);
  /* One phrase is not enough: a note that mentions kế hoạch bài dạy. */
  check_classify (rules, NULL, "Ghi chu hop to 4-5\n- nop ke hoach bai day tuan 12 cho to truong\n",
                  NULL, NULL, "keywords", 0);
}

static const char timetable[] =
  "TRƯỜNG TH&THCS BÌNH CHƯƠNG\n"
  "THỜI KHÓA BIỂU BUỔI SÁNG - KHỐI 6, 7\n"
  "Áp dụng từ ngày 04/9/2023\n"
  "Thứ Tiết 6A 6B 7A 7B\n"
  "Hai 1 Chào cờ Chào cờ Chào cờ Chào cờ\n"
  "2 Toán - Trang Ngữ văn - Hằng KHTN - Tâm Toán - Quang\n"
  "3 Ngữ văn - Hằng Toán - Trang Toán - Quang KHTN - Tâm\n";

static void
test_classify_none (void)
{
  g_autoptr (KhoTypeRules) rules = load_rules (NULL);
  KhoFields *empty = fields_new (NULL, NULL, NULL, NULL, NULL);
  KhoClassification c;

  c = kho_classify (rules, NULL, timetable, empty);
  g_assert_null (c.type);
  g_assert_cmpstr (c.reason, ==, "none");
  g_assert_cmpfloat (c.confidence, ==, 0.0);
  c = kho_classify (rules, NULL, "", NULL);
  g_assert_null (c.type);
  g_assert_cmpstr (c.reason, ==, "none");
  c = kho_classify (rules, NULL, NULL, NULL);
  g_assert_null (c.type);
  c = kho_classify (rules, NULL, "\xff\xfe\x01 V/\f\f", NULL);
  g_assert_null (c.type);
  kho_fields_free (empty);
}

/* Any bytes at all, in the text and as a code or a name: no crash, a
 * confidence in 0..1. */
static void
test_classify_random (void)
{
  static const char pieces[] = "V/v SAO Y\nKẾ HOẠCH Số: 12/QĐ-UBND Luật số 43 \f\r\xff\xc3 0l ÐÀ";
  g_autoptr (KhoTypeRules) rules = load_rules (NULL);
  g_autoptr (KhoTypeModel) model = train_small ();
  GRand *rand = g_rand_new_with_seed (1789);

  for (int round = 0; round < 3000; round++)
    {
      int length = g_rand_int_range (rand, 0, 200);
      g_autofree char *text = g_malloc ((gsize) length + 1);
      KhoClassification c;

      for (int i = 0; i < length; i++)
        text[i] = g_rand_boolean (rand)
                    ? (char) g_rand_int_range (rand, 1, 256)
                    : pieces[g_rand_int_range (rand, 0, (gint32) sizeof pieces - 1)];
      text[length] = '\0';
      c = kho_classify (rules, round % 2 ? model : NULL, text, NULL);
      g_assert_cmpfloat (c.confidence, >=, 0.0);
      g_assert_cmpfloat (c.confidence, <=, 1.0);
      g_assert_nonnull (c.reason);
      g_assert_true (c.type == NULL || c.confidence >= KHO_CLASSIFY_THRESHOLD);
      kho_type_rules_by_code (rules, text);
      kho_type_rules_by_name (rules, text);
      kho_type_model_add (model, text, "Kế hoạch");
    }
  g_rand_free (rand);
}

/* ---- The model ---- */

static const struct {
  const char *type;
  const char *text;
} training[] = {
  { "Kế hoạch", "Căn cứ kế hoạch năm học, nhà trường xây dựng kế hoạch như sau: I. MỤC ĐÍCH, "
                "YÊU CẦU. II. NỘI DUNG. III. TỔ CHỨC THỰC HIỆN. Kinh phí thực hiện từ ngân sách." },
  { "Kế hoạch", "Kế hoạch phòng chống đuối nước: mục đích yêu cầu, nội dung hoạt động, tổ "
                "chức thực hiện; giáo viên chủ nhiệm thực hiện kế hoạch." },
  { "Quyết định", "Căn cứ Điều lệ trường; xét đề nghị của tổ chuyên môn. QUYẾT ĐỊNH: Điều 1. "
                  "Thành lập hội đồng. Điều 2. Quyết định có hiệu lực kể từ ngày ký. Điều 3. "
                  "Các ông, bà có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này." },
  { "Quyết định", "Xét đề nghị của Trưởng phòng Nội vụ. QUYẾT ĐỊNH: Điều 1. Bổ nhiệm bà Lan. "
                  "Điều 2. Chánh Văn phòng chịu trách nhiệm thi hành Quyết định này." },
  { "Biên bản", "Hôm nay vào lúc 14 giờ, tại phòng họp. Thành phần: hội đồng sư phạm. Chủ trì: "
                "Hiệu trưởng. Thư ký: văn thư. Cuộc họp kết thúc vào lúc 16 giờ cùng ngày; "
                "biên bản được lập thành hai bản." },
};

static KhoTypeModel *
train_small (void)
{
  KhoTypeModel *model = kho_type_model_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (training); i++)
    kho_type_model_add (model, training[i].text, training[i].type);
  return model;
}

static void
test_model_round_trip (void)
{
  g_autoptr (KhoTypeRules) rules = load_rules (NULL);
  g_autoptr (KhoTypeModel) model = train_small ();
  g_autoptr (KhoTypeModel) parsed = NULL;
  g_autoptr (KhoTypeModel) empty = kho_type_model_new ();
  g_autoptr (KhoTypeModel) one = kho_type_model_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = kho_type_model_serialize (model);
  g_autofree char *again = NULL;
  g_autofree char *empty_text = NULL;
  KhoFields *fields = fields_new (NULL, NULL, NULL, NULL, NULL);
  const char *minutes = "Hôm nay vào lúc 8 giờ tại thư viện. Thành phần: tổ chuyên môn. "
                        "Chủ trì: tổ trưởng. Thư ký: cô Hà. Cuộc họp kết thúc lúc 10 giờ.";
  const char *decision = "Xét đề nghị của tổ trưởng. Điều 1. Khen thưởng học sinh. Điều 2. "
                         "Giáo viên chủ nhiệm chịu trách nhiệm thi hành Quyết định này.";

  g_assert_cmpuint (kho_type_model_n_documents (model), ==, G_N_ELEMENTS (training));
  g_assert_true (g_str_has_prefix (text, "kho-type-model 1\n"));
  g_assert_true (g_str_has_suffix (text, "\nend\n"));
  g_assert_nonnull (strstr (text, "\nclass 2 "));
  g_assert_nonnull (strstr (text, " Kế hoạch\n"));
  g_assert_nonnull (strstr (text, " ke hoach\n"));  /* a bigram */
  parsed = kho_type_model_parse (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  g_assert_cmpuint (kho_type_model_n_documents (parsed), ==, G_N_ELEMENTS (training));
  again = kho_type_model_serialize (parsed);
  g_assert_cmpstr (again, ==, text);

  /* No layout signal: the model decides, the same before and after the
   * round trip. */
  check_classify (rules, model, minutes, fields, "Biên bản", "model", 0.5);
  check_classify (rules, parsed, minutes, fields, "Biên bản", "model", 0.5);
  check_classify (rules, parsed, decision, fields, "Quyết định", "model", 0.5);
  {
    KhoClassification a = kho_classify (rules, model, decision, fields);
    KhoClassification b = kho_classify (rules, parsed, decision, fields);
    g_assert_cmpfloat_with_epsilon (a.confidence, b.confidence, 1e-12);
  }
  /* A layout signal outweighs the model. */
  {
    KhoFields *plan = fields_new (NULL, "KH", "KH-THCS", NULL, NULL);
    check_classify (rules, parsed, minutes, plan, "Kế hoạch", "notation", 0.5);
    kho_fields_free (plan);
  }
  /* The keywords still speak for the types the model has not seen. */
  check_classify (rules, parsed,
                  "Họ tên người nộp tiền: Nguyễn Thị Hồng\nNội dung thu: Học phí học kỳ I\n"
                  "Viết bằng chữ: Hai trăm bốn mươi nghìn đồng.\nNgười nộp tiền Người thu tiền\n",
                  fields, "Biên lai", "keywords", 0.5);
  /* Text the model knows nothing of: unclassified. */
  check_classify (rules, parsed, "Lorem ipsum dolor sit amet", fields, NULL, NULL, 0);

  /* An empty model and a model of one type are not used: the keywords are. */
  empty_text = kho_type_model_serialize (empty);
  g_assert_cmpstr (empty_text, ==, "kho-type-model 1\nend\n");
  {
    g_autoptr (KhoTypeModel) parsed_empty = kho_type_model_parse (empty_text, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (kho_type_model_n_documents (parsed_empty), ==, 0);
  }
  kho_type_model_add (one, minutes, "Biên bản");
  kho_type_model_add (one, "", "Biên bản");
  check_classify (rules, one, decision, fields, "Quyết định", "keywords", 0.5);
  /* A document with no words, and a type name with a line break in it. */
  kho_type_model_add (one, "12/3/2024 — 15.000", "Biên lai\nthu tiền");
  {
    g_autofree char *one_text = kho_type_model_serialize (one);
    g_autoptr (KhoTypeModel) one_parsed = kho_type_model_parse (one_text, &error);

    g_assert_no_error (error);
    g_assert_nonnull (strstr (one_text, "\nclass 1 0 Biên lai thu tiền\n"));
    g_assert_cmpuint (kho_type_model_n_documents (one_parsed), ==, 3);
  }
  kho_fields_free (fields);
}

static void
check_garbage (const char *text)
{
  g_autoptr (GError) error = NULL;
  KhoTypeModel *model = kho_type_model_parse (text, &error);

  g_assert_null (model);
  g_assert_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL);
  g_test_message ("%s", error->message);
}

static void
test_model_garbage (void)
{
  g_autoptr (KhoTypeModel) model = train_small ();
  g_autofree char *good = kho_type_model_serialize (model);
  gsize length = strlen (good);
  GRand *rand = g_rand_new_with_seed (20240531);

  check_garbage (NULL);
  check_garbage ("");
  check_garbage ("\n");
  check_garbage ("hello world");
  check_garbage ("kho-type-model 2\nend\n");
  check_garbage ("kho-type-model 1\n");
  check_garbage ("kho-type-model 1\nend\nclass 1 0 X\n");
  check_garbage ("kho-type-model 1\nclass 1 1 Kế hoạch\n3 ke hoach\n");
  check_garbage ("kho-type-model 1\nclass 1 2 Kế hoạch\n3 ke hoach\nend\n");
  check_garbage ("kho-type-model 1\nclass 0 1 Kế hoạch\n3 ke hoach\nend\n");
  check_garbage ("kho-type-model 1\nclass -1 1 Kế hoạch\n3 ke hoach\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 Kế hoạch\n0 ke hoach\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 Kế hoạch\nx ke hoach\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 Kế hoạch\n99999999999 ke hoach\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 Kế hoạch\n3 Kế hoạch\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 Kế hoạch\n3 ke hoach nam\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 Kế hoạch\n3 ke  hoach\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 Kế hoạch\n3 \nend\n");
  check_garbage ("kho-type-model 1\nclass 1 2 Kế hoạch\n3 ke\n1 ke\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 A\n3 ke\nclass 1 1 A\n3 ke\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 \n3 ke\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1\n3 ke\nend\n");
  check_garbage ("kho-type-model 1\nclass 1 1 K\xff\n3 ke\nend\n");
  check_garbage ("kho-type-model 1\nclass 4294967295 1 A\n3 ke\nclass 1 1 B\n3 ke\nend\n");
  check_garbage ("kho-type-model 1\r\nend\r\n");

  /* Every truncation of a good model but the whole, and random damage:
   * refused or parsed, never a crash. */
  for (gsize cut = 0; cut + 1 < length; cut++)
    {
      g_autofree char *prefix = g_strndup (good, cut);
      g_autoptr (GError) error = NULL;
      g_autoptr (KhoTypeModel) parsed = kho_type_model_parse (prefix, &error);

      g_assert_null (parsed);
      g_assert_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL);
    }
  for (int round = 0; round < 2000; round++)
    {
      g_autofree char *damaged = g_strdup (good);
      g_autoptr (GError) error = NULL;
      g_autoptr (KhoTypeModel) parsed = NULL;
      int changes = g_rand_int_range (rand, 1, 4);

      for (int k = 0; k < changes; k++)
        damaged[g_rand_int_range (rand, 0, (gint32) length)] =
          (char) g_rand_int_range (rand, 1, 256);
      parsed = kho_type_model_parse (damaged, &error);
      g_assert_true ((parsed == NULL) != (error == NULL));
      if (parsed)
        {
          g_autofree char *text = kho_type_model_serialize (parsed);
          g_assert_true (g_str_has_prefix (text, "kho-type-model 1\n"));
        }
    }
  g_rand_free (rand);
}

/* ---- The labelled set ---- */

typedef struct {
  char *name;
  char *type;   /* as labelled; "Chưa phân loại" for none */
  char *text;
  gboolean damaged;  /* OCR-like damage */
} CorpusDocument;

static void
corpus_document_free (gpointer data)
{
  CorpusDocument *document = data;

  g_free (document->name);
  g_free (document->type);
  g_free (document->text);
  g_free (document);
}

/* The text of a sample scan: its ground-truth pages, separated by form feeds. */
static char *
sample_text (const char *scan)
{
  GString *text = g_string_new (NULL);

  for (int page = 1;; page++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.p%d.gt.txt", KHO_TEST_SRCDIR, scan, page);
      g_autofree char *contents = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        break;
      if (page > 1)
        g_string_append_c (text, '\f');
      g_string_append (text, contents);
    }
  return g_string_free (text, FALSE);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
load_corpus (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (CORPUS_DIR, 0, &error);
  GPtrArray *documents = g_ptr_array_new_with_free_func (corpus_document_free);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_assert_no_error (error);
  while ((entry = g_dir_read_name (dir)))
    if (g_str_has_suffix (entry, ".json"))
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - strlen (".json")));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *json_path = g_strdup_printf ("%s/%s.json", CORPUS_DIR, name);
      g_autoptr (JsonParser) parser = json_parser_new ();
      CorpusDocument *document = g_new0 (CorpusDocument, 1);
      JsonObject *object;

      json_parser_load_from_file (parser, json_path, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      document->name = g_strdup (name);
      document->type = g_strdup (json_object_get_string_member (object, "type"));
      document->damaged = json_object_get_boolean_member (object, "damaged");
      if (g_str_has_prefix (name, "sample-"))
        document->text = sample_text (json_object_get_string_member (object, "text"));
      else
        {
          g_autofree char *txt_path = g_strdup_printf ("%s/%s.txt", CORPUS_DIR, name);

          g_file_get_contents (txt_path, &document->text, NULL, &error);
          g_assert_no_error (error);
        }
      g_assert_cmpuint (strlen (document->text), >, 0);
      g_ptr_array_add (documents, document);
    }
  return documents;
}

/* The share of @documents whose type kho_classify() gets right, with
 * @leave_one_out a model trained on all the others (their labels, except
 * "Chưa phân loại", which is no type to learn). */
static double
corpus_accuracy (const KhoTypeRules *rules, GPtrArray *documents, gboolean leave_one_out,
                 guint *damaged_right, guint *damaged_total)
{
  guint right = 0;

  *damaged_right = *damaged_total = 0;
  for (guint i = 0; i < documents->len; i++)
    {
      const CorpusDocument *document = g_ptr_array_index (documents, i);
      g_autoptr (KhoTypeModel) model = NULL;
      g_autoptr (KhoFields) fields = kho_fields_extract (document->text);
      KhoClassification c;
      const char *got;

      if (leave_one_out)
        {
          model = kho_type_model_new ();
          for (guint j = 0; j < documents->len; j++)
            {
              const CorpusDocument *other = g_ptr_array_index (documents, j);

              if (j != i && strcmp (other->type, KHO_TYPE_UNCLASSIFIED) != 0)
                kho_type_model_add (model, other->text, other->type);
            }
        }
      c = kho_classify (rules, model, document->text, fields);
      got = c.type ? c.type->name : KHO_TYPE_UNCLASSIFIED;
      *damaged_total += document->damaged;
      if (strcmp (got, document->type) == 0)
        {
          right++;
          *damaged_right += document->damaged;
        }
      else
        g_test_message ("%s %s: %s, got %s %.2f (%s)", leave_one_out ? "model" : "rules",
                        document->name, document->type, got, c.confidence, c.reason);
    }
  return (double) right / documents->len;
}

/* The floor over the labelled set. */
#define CORPUS_MIN_ACCURACY 0.95

static void
test_classify_corpus (void)
{
  g_autoptr (KhoTypeRules) rules = load_rules (NULL);
  g_autoptr (GPtrArray) documents = load_corpus ();
  guint damaged_right, damaged_total;
  double rules_only, with_model;

  g_assert_cmpuint (documents->len, >=, 74);
  rules_only = corpus_accuracy (rules, documents, FALSE, &damaged_right, &damaged_total);
  g_test_message ("type accuracy over %u documents, rules only: %.3f (damaged: %u/%u)",
                  documents->len, rules_only, damaged_right, damaged_total);
  with_model = corpus_accuracy (rules, documents, TRUE, &damaged_right, &damaged_total);
  g_test_message ("type accuracy over %u documents, with a model (leave one out): %.3f "
                  "(damaged: %u/%u)", documents->len, with_model, damaged_right, damaged_total);
  g_assert_cmpfloat (rules_only, >=, CORPUS_MIN_ACCURACY);
  g_assert_cmpfloat (with_model, >=, CORPUS_MIN_ACCURACY);
}

/* paperless-ngx's "any word" matching, the baseline to beat: a type
 * matches when any word of its name occurs in the text, and the first type
 * that matches is taken.  Vietnamese words are single syllables ("kế",
 * "hoạch", "quyết", "định"), so nearly every type matches nearly every
 * document. */
static const char *
any_word_type (const KhoTypeRules *rules, const char *text)
{
  g_autofree char *folded = kho_fold_search (text, -1);
  g_autoptr (GHashTable) words = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto (GStrv) tokens = g_regex_split_simple ("[^[:alnum:]]+", folded, 0, 0);

  for (int i = 0; tokens[i]; i++)
    if (*tokens[i])
      g_hash_table_add (words, tokens[i]);
  for (guint t = 0; t < kho_type_rules_count (rules); t++)
    {
      const KhoDocType *type = kho_type_rules_get (rules, t);
      g_autofree char *name = kho_fold_search (type->name, -1);
      g_auto (GStrv) syllables = g_strsplit (name, " ", -1);

      for (int i = 0; syllables[i]; i++)
        if (g_hash_table_contains (words, syllables[i]))
          return type->name;
    }
  return KHO_TYPE_UNCLASSIFIED;
}

/* kho's classification of the text alone (no fields from the parsers: its
 * own header scan, the keywords and a model trained leave-one-out) against
 * the any-word baseline.  The header scan does most of the work: on this
 * set most types have one example, too few for the model to learn. */
static void
test_classify_baseline (void)
{
  g_autoptr (KhoTypeRules) rules = load_rules (NULL);
  g_autoptr (GPtrArray) documents = load_corpus ();
  guint model_right = 0, baseline_right = 0;

  for (guint i = 0; i < documents->len; i++)
    {
      const CorpusDocument *document = g_ptr_array_index (documents, i);
      g_autoptr (KhoTypeModel) model = kho_type_model_new ();
      g_autoptr (KhoFields) none = kho_fields_extract ("");
      KhoClassification c;

      for (guint j = 0; j < documents->len; j++)
        {
          const CorpusDocument *other = g_ptr_array_index (documents, j);

          if (j != i && strcmp (other->type, KHO_TYPE_UNCLASSIFIED) != 0)
            kho_type_model_add (model, other->text, other->type);
        }
      c = kho_classify (rules, model, document->text, none);
      model_right += strcmp (c.type ? c.type->name : KHO_TYPE_UNCLASSIFIED,
                             document->type) == 0;
      baseline_right += strcmp (any_word_type (rules, document->text), document->type) == 0;
    }
  g_test_message ("type accuracy over %u documents from the text alone: kho %.3f, "
                  "paperless-style any-word matching %.3f", documents->len,
                  (double) model_right / documents->len,
                  (double) baseline_right / documents->len);
  g_assert_cmpuint (model_right, >, baseline_right);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/classify/rules/builtin", test_rules_builtin);
  g_test_add_func ("/classify/rules/override", test_rules_override);
  g_test_add_func ("/classify/rules/broken", test_rules_broken);
  g_test_add_func ("/classify/rules/code", test_rules_code);
  g_test_add_func ("/classify/layout", test_classify_layout);
  g_test_add_func ("/classify/keywords", test_classify_keywords);
  g_test_add_func ("/classify/none", test_classify_none);
  g_test_add_func ("/classify/random", test_classify_random);
  g_test_add_func ("/classify/model/round-trip", test_model_round_trip);
  g_test_add_func ("/classify/model/garbage", test_model_garbage);
  g_test_add_func ("/classify/corpus", test_classify_corpus);
  g_test_add_func ("/classify/baseline", test_classify_baseline);
  return g_test_run ();
}

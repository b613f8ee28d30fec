/* test-title.c — first titles from OCR text. */
#include <glib.h>

#include "index/title.h"

static void
check (const char *text, const char *expected)
{
  g_autofree char *title = kho_title_guess (text);

  g_test_message ("→ %s", title ? title : "(none)");
  g_assert_cmpstr (title, ==, expected);
}

static void
test_type_line (void)
{
  /* As Tesseract reads a kế hoạch: the header blocks side by side, then
   * the type line and, after a blank line, the subject on two lines. */
  check ("UBND HUYỆN BÌNH SƠN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n\n"
         "TRƯỜNG TH&THCS BÌNH CHƯƠNG Độc lập - Tự do - Hạnh phúc\n"
         "Số: 189/KH-THCS Bình Chương, ngày 28 tháng 04 năm 2023\n"
         "KẾ HOẠCH\n\n"
         "Số hóa hồ sơ, tài liệu lưu trữ của nhà trường\n"
         "giai đoạn 2023-2025\n\n"
         "Căn cứ Luật Lưu trữ năm 2011;\n",
         "Kế hoạch: Số hóa hồ sơ, tài liệu lưu trữ của nhà trường giai đoạn 2023-2025");
  check ("QUYẾT ĐỊNH\nVề việc thành lập Hội đồng xét hoàn thành\n"
         "chương trình tiểu học năm học 2022-2023\nCăn cứ Thông tư 27/2020/TT-BGDĐT;",
         "Quyết định: Về việc thành lập Hội đồng xét hoàn thành chương trình tiểu học năm "
         "học 2022-2023");
  /* A subject in capitals comes out in sentence case. */
  check ("HỌC BẠ\n\nKẾT QUẢ HỌC TẬP VÀ RÈN LUYỆN\nNĂM HỌC 2022-2023\n\nMôn học Điểm",
         "Học bạ: Kết quả học tập và rèn luyện năm học 2022-2023");
  /* A type line with nothing after it. */
  check ("THÔNG BÁO\n", "Thông báo");
}

static void
test_cong_van (void)
{
  check ("Số: 175/TH&THCS-VP Bình Chương, ngày 10 tháng 3 năm 2023\n"
         "V/v rà soát, bổ sung hồ sơ\nhọc sinh năm học 2022-2023\n\n"
         "Kính gửi: Các tổ chuyên môn",
         "Công văn: V/v rà soát, bổ sung hồ sơ học sinh năm học 2022-2023");
}

static void
test_fallbacks (void)
{
  /* "Kế hoạch" in running text is not a type line. */
  check ("Ngắn\nTheo kế hoạch của nhà trường, các lớp nộp hồ sơ.\n",
         "Theo kế hoạch của nhà trường, các lớp nộp hồ sơ.");
  check ("", NULL);
  check ("a\nb\n", NULL);
  check (NULL, NULL);
}

static void
test_nfc_and_length (void)
{
  /* NFD input ("Kế hoạch" decomposed) gives an NFC title. */
  g_autofree char *nfd = g_utf8_normalize ("KẾ HOẠCH\nSố hóa tài liệu", -1, G_NORMALIZE_NFD);
  g_autofree char *title = kho_title_guess (nfd);
  g_autoptr (GString) long_text = g_string_new ("BÁO CÁO\n");
  g_autofree char *long_title = NULL;

  g_assert_cmpstr (title, ==, "Kế hoạch: Số hóa tài liệu");
  for (int i = 0; i < 100; i++)
    g_string_append (long_text, "tình hình ");
  long_title = kho_title_guess (long_text->str);
  g_assert_cmpint (g_utf8_strlen (long_title, -1), ==, 200);
  g_assert_true (g_str_has_suffix (long_title, "…"));
  g_assert_true (g_str_has_prefix (long_title, "Báo cáo: tình hình"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/title/type-line", test_type_line);
  g_test_add_func ("/title/cong-van", test_cong_van);
  g_test_add_func ("/title/fallbacks", test_fallbacks);
  g_test_add_func ("/title/nfc-and-length", test_nfc_and_length);
  return g_test_run ();
}

/* test-fields.c — the metadata fields of administrative documents. */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <string.h>

#include "index/fields.h"

/* ------------------------------------------------------------------ */
/* The parsers                                                          */

static void
check_date (const char *line, const char *expected)
{
  g_autofree char *date = kho_fields_parse_date (line);

  g_test_message ("%s → %s", line ? line : "(null)", date ? date : "(none)");
  g_assert_cmpstr (date, ==, expected);
}

static void
test_date (void)
{
  check_date ("ngày 28 tháng 04 năm 2023", "2023-04-28");
  check_date ("Bình Chương, ngày 28 tháng 04 năm 2023", "2023-04-28");
  check_date ("ngày 5 tháng 1 năm 2020", "2020-01-05");
  check_date ("28/4/2023", "2023-04-28");
  check_date ("28-04-2023", "2023-04-28");
  check_date ("28.4.2023", "2023-04-28");
  check_date ("Quảng Phú, 30/9/2022", "2022-09-30");
  /* Damaged as OCR damages it. */
  check_date ("ngay 3 thang 5 nam 2022", "2022-05-03");
  check_date ("Thanh Sơn, ngày 3 tháng 5 nãm 2022", "2022-05-03");
  check_date ("Nghĩa Thắng, Ngay 31 thang 5 nam 2024", "2024-05-31");
  check_date ("Đắk Ring, ngày 31 thang l2 nam 2019", "2019-12-31");
  check_date ("Nghĩa Thắng, ngày 0l thang 8 nam 2022", "2022-08-01");
  check_date ("NGÀY 20 THÁNG 7 NĂM 2021", "2021-07-20");
  check_date ("ngày  9   tháng 4  năm 2019", "2019-04-09");
  check_date ("Sinh ngày: 1l/3/20l5", "2015-03-11");
  /* The first valid date of the line. */
  check_date ("từ ngày 31/02/2023 đến ngày 15/3/2023", "2023-03-15");
  check_date ("(26/3/1931 - 26/3/2024)", "1931-03-26");
  /* Invalid dates and garbage. */
  check_date ("31/02/2023", NULL);
  check_date ("ngày 30 tháng 2 năm 2024", NULL);
  check_date ("ngày 12 tháng 13 năm 2020", NULL);
  check_date ("ngày 0 tháng 5 năm 2020", NULL);
  check_date ("29/2/2023", NULL);
  check_date ("28/4/23", NULL);
  check_date ("12/34", NULL);
  check_date ("ngày 28 tháng 04", NULL);
  check_date ("1.200.000 đồng", NULL);
  check_date ("Số: 189/KH-UBND", NULL);
  check_date ("", NULL);
  check_date (NULL, NULL);
  check_date ("29/2/2024", "2024-02-29");
}

static void
check_number (const char *line, const char *number, const char *year, const char *notation)
{
  g_autofree char *n = NULL;
  g_autofree char *y = NULL;
  g_autofree char *t = NULL;
  gboolean found = kho_fields_parse_number (line, &n, &y, &t);

  g_test_message ("%s → %s | %s | %s", line, n ? n : "-", y ? y : "-", t ? t : "-");
  g_assert_cmpint (found, ==, number != NULL);
  g_assert_cmpstr (n, ==, number);
  g_assert_cmpstr (y, ==, year);
  g_assert_cmpstr (t, ==, notation);
}

static void
test_number (void)
{
  check_number ("Số: 189/KH-UBND", "189", NULL, "KH-UBND");
  check_number ("Số 12-NQ/CB", "12", NULL, "NQ/CB");
  check_number ("Số: 30/2020/NĐ-CP", "30", "2020", "NĐ-CP");
  check_number ("Luật số: 43/2019/QH14", "43", "2019", "QH14");
  check_number ("Số: 412/PGDĐT", "412", NULL, "PGDĐT");
  check_number ("Số: 07/QĐ-THCS", "07", NULL, "QĐ-THCS");
  check_number ("Số: 21/2015/TTLT-BGDĐT-BNV", "21", "2015", "TTLT-BGDĐT-BNV");
  /* Damaged. */
  check_number ("Sô: l45/KH-TH&THCS", "145", NULL, "KH-TH&THCS");
  check_number ("S6: 07/QĐ-THCS", "07", NULL, "QĐ-THCS");
  check_number ("S6: 0l/BB-KK Đắk Ring, ngày 31 thang l2 nam 2019", "01", NULL, "BB-KK");
  check_number ("Sô: ll2/TTr-PGDĐT", "112", NULL, "TTr-PGDĐT");
  check_number ("Số: 88/QÐ-TH&THCS", "88", NULL, "QĐ-TH&THCS");  /* U+00D0 for Đ */
  check_number ("S6: 30/2020/NÐ-CP Hà Nội, ngay 05 thang 3 nãm 2020", "30", "2020", "NĐ-CP");
  check_number ("Số : 05 / HD-PGDĐT", "05", NULL, "HD-PGDĐT");
  check_number ("Số:  96 /TH&THCS-VP Bình Chương,  12-01-2026", "96", NULL, "TH&THCS-VP");
  check_number ("SỐ: 15/BC-UBND", "15", NULL, "BC-UBND");
  /* On the same line as the place and date (interleaved header). */
  check_number ("Số: 412/PGDĐT Bình Sơn, ngày 14 tháng 10 năm 2019", "412", NULL, "PGDĐT");
  /* A receipt's number has no notation; "Ký hiệu" is elsewhere. */
  check_number ("Ký hiệu: BC-23T Số: 0000345", "0000345", NULL, NULL);
  /* Not document numbers. */
  check_number ("Căn cứ Nghị định số 20/2014/NĐ-CP ngày 24 tháng 3 năm 2014", NULL, NULL, NULL);
  check_number ("Số vào sổ cấp bằng: 347/THCS-2022", NULL, NULL, NULL);
  check_number ("Số hiệu: B 0245718", NULL, NULL, NULL);
  check_number ("Mã số thuế: 4300812356", NULL, NULL, NULL);
  check_number ("Số TT Số đăng bộ Họ và tên", NULL, NULL, NULL);
  check_number ("Số dư năm 2024 chuyển sang", NULL, NULL, NULL);
  check_number ("KẾ HOẠCH", NULL, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Whole documents                                                      */

static char *
join_recipients (const KhoFields *fields)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < fields->recipients->len; i++)
    g_string_append_printf (out, "%s%s", i ? "|" : "",
                            (char *) g_ptr_array_index (fields->recipients, i));
  return g_string_free (out, FALSE);
}

static void
test_header_interleaved (void)
{
  g_autoptr (KhoFields) f = kho_fields_extract (
    "UBND HUYỆN BÌNH SƠN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "TRƯỜNG TH&THCS BÌNH CHƯƠNG Độc lập - Tự do - Hạnh phúc\n"
    "Số: 189/KH-THCS Bình Chương, ngày 28 tháng 04 năm 2023\n"
    "KẾ HOẠCH\n"
    "Số hóa hồ sơ, tài liệu lưu trữ của nhà trường\n"
    "giai đoạn 2023-2025\n"
    "Căn cứ Luật Lưu trữ năm 2011;\n");

  g_assert_cmpstr (f->issuer, ==, "UBND HUYỆN BÌNH SƠN\nTRƯỜNG TH&THCS BÌNH CHƯƠNG");
  g_assert_cmpstr (f->number, ==, "189");
  g_assert_null (f->year);
  g_assert_cmpstr (f->notation, ==, "KH-THCS");
  g_assert_cmpstr (f->code, ==, "KH");
  g_assert_cmpstr (f->place, ==, "Bình Chương");
  g_assert_cmpstr (f->issued, ==, "2023-04-28");
  g_assert_cmpstr (f->type_line, ==, "Kế hoạch");
  g_assert_cmpstr (f->subject, ==,
                   "Số hóa hồ sơ, tài liệu lưu trữ của nhà trường giai đoạn 2023-2025");
  g_assert_null (f->signer_position);
  g_assert_cmpuint (f->recipients->len, ==, 0);
}

static void
test_header_layouts (void)
{
  /* Left column then right column, with blank lines as Tesseract leaves them. */
  g_autoptr (KhoFields) f = kho_fields_extract (
    "ỦY BAN NHÂN DÂN\n\nHUYỆN BÌNH SƠN\nSố: 04/CT-UBND\n\n"
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    "Bình Sơn, ngày 10 tháng 8 năm 2020\n\nCHỈ THỊ\n"
    "Về thực hiện nhiệm vụ trọng tâm năm học 2020-2021\n\nNăm học 2020-2021 là");
  /* Alternating line by line, damaged. */
  g_autoptr (KhoFields) g = kho_fields_extract (
    "UBND HUYEN BINH SON\nC0NG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nPH0NG GIÁO DỤC VÀ ĐÀO TẠO\n"
    "Độc lập-Tự do-Hạnh phúc\nSô: 238/PGDĐT-THCS\nBinh Son, ngay 06 thang 12 nãm 2021\n"
    "V/V in sao, bảo quản và bàn giao đề kiểm tra\ncuối học kỳ I năm học 2021-2022\nMẬT\n"
    "Kính gửi: Hiệu trưởng các trường.\n");
  /* A Party header: its motto, the place and date beside the body. */
  g_autoptr (KhoFields) h = kho_fields_extract (
    "ĐẢNG BỘ XÃ BÌNH CHƯƠNG ĐẢNG CỘNG SẢN VIỆT NAM\n"
    "CHI BỘ TRƯỜNG TH&THCS BÌNH CHƯƠNG Bình Chương, ngày 05 tháng 8 năm 2022\n*\n"
    "Số 12-NQ/CB\nNGHỊ QUYẾT\nvề lãnh đạo thực hiện nhiệm vụ năm học 2022-2023\n"
    "Căn cứ Quy định về chức năng, nhiệm vụ của chi bộ;\n");

  g_assert_cmpstr (f->issuer, ==, "ỦY BAN NHÂN DÂN\nHUYỆN BÌNH SƠN");
  g_assert_cmpstr (f->number, ==, "04");
  g_assert_cmpstr (f->code, ==, "CT");
  g_assert_cmpstr (f->place, ==, "Bình Sơn");
  g_assert_cmpstr (f->issued, ==, "2020-08-10");
  g_assert_cmpstr (f->subject, ==, "Về thực hiện nhiệm vụ trọng tâm năm học 2020-2021");

  /* The usual words of a body get their diacritics back, names cannot. */
  g_assert_cmpstr (g->issuer, ==, "UBND HUYỆN BINH SON\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO");
  g_assert_cmpstr (g->number, ==, "238");
  g_assert_cmpstr (g->notation, ==, "PGDĐT-THCS");
  g_assert_null (g->code);
  g_assert_cmpstr (g->place, ==, "Binh Son");
  g_assert_cmpstr (g->issued, ==, "2021-12-06");
  g_assert_null (g->type_line);
  g_assert_cmpstr (g->subject, ==,
                   "in sao, bảo quản và bàn giao đề kiểm tra cuối học kỳ I năm học 2021-2022");
  g_assert_cmpstr (g->secrecy, ==, "Mật");
  g_assert_null (g->urgency);

  g_assert_cmpstr (h->issuer, ==, "ĐẢNG BỘ XÃ BÌNH CHƯƠNG\nCHI BỘ TRƯỜNG TH&THCS BÌNH CHƯƠNG");
  g_assert_cmpstr (h->number, ==, "12");
  g_assert_cmpstr (h->notation, ==, "NQ/CB");
  g_assert_cmpstr (h->code, ==, "NQ");
  g_assert_cmpstr (h->place, ==, "Bình Chương");
  g_assert_cmpstr (h->issued, ==, "2022-08-05");
  g_assert_cmpstr (h->type_line, ==, "Nghị quyết");
  g_assert_cmpstr (h->subject, ==, "về lãnh đạo thực hiện nhiệm vụ năm học 2022-2023");
}

static void
test_marks (void)
{
  g_autoptr (KhoFields) f = kho_fields_extract (
    "UBND HUYỆN MỘ ĐỨC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO Độc lập - Tự do - Hạnh phúc\n"
    "Số: 25/TB-PGDĐT Mộ Đức, ngày 4 tháng 2 năm 2020\nHỎA TỐC\nTHÔNG BÁO\n"
    "Về việc cho học sinh tạm nghỉ học\nThực hiện chỉ đạo của Ủy ban nhân dân huyện\n");
  g_autoptr (KhoFields) g = kho_fields_extract (
    "S6: 17/GM-PGDĐT Tư Nghĩa, Ngay 09 thang 4 nam 2019\nTHƯỢNG KHẨN\nTỐI MẬT\nGIẤY MỜI\n"
    "Dự hội nghị\n");
  g_autoptr (KhoFields) h = kho_fields_extract (
    "Số: 57/TH&THCS\nV/v đề nghị hỗ trợ\nKHẨN\nKính gửi: Phòng Giáo dục.\n"
    "Nhà trường khẩn trương báo cáo.\nMật\n");

  g_assert_cmpstr (f->urgency, ==, "Hỏa tốc");
  g_assert_null (f->secrecy);
  g_assert_cmpstr (f->type_line, ==, "Thông báo");
  g_assert_cmpstr (f->subject, ==, "Về việc cho học sinh tạm nghỉ học");
  g_assert_cmpstr (g->urgency, ==, "Thượng khẩn");
  g_assert_cmpstr (g->secrecy, ==, "Tối mật");
  g_assert_cmpstr (g->type_line, ==, "Giấy mời");
  g_assert_cmpstr (h->urgency, ==, "Khẩn");
  g_assert_cmpstr (h->subject, ==, "đề nghị hỗ trợ");
  g_assert_null (h->code);
}

static void
test_signer_and_list (void)
{
  /* Interleaved: the titles beside the items of Nơi nhận. */
  g_autoptr (KhoFields) f = kho_fields_extract (
    "Nội dung./.\nNơi nhận: TM. ỦY BAN NHÂN DÂN\n- Sở GD&ĐT tỉnh (b/c); KT. CHỦ TỊCH\n"
    "- TT Đảng ủy, HĐND xã; PHÓ CHỦ TỊCH\n- Các trường MN, TH&THCS trên địa bàn;\n"
    "- Lưu: VT, VHXH.\nTrần Thị Thu Sương\n");
  /* Left column then right: the titles under the list, (Đã ký) between. */
  g_autoptr (KhoFields) g = kho_fields_extract (
    "Nội dung./.\nNơi nhận:\n- Các trường THCS, TH&THCS;\n- Lưu: VT.\nTL. TRƯỞNG PHÒNG\n"
    "CHUYÊN VIÊN\n(Đã ký)\nNguyễn Thị Hồng Nhung\n");
  g_autoptr (KhoFields) h = kho_fields_extract (
    "Nơi nhận: Q. HIỆU TRƯỞNG\n- Như trên;\n- Lưu: VT, NV. (Đã ký)\nPhạm Thị Lan\n");
  g_autoptr (KhoFields) k = kho_fields_extract (
    "Nơi nhận: TUQ. TRƯỞNG PHÒNG\n- Như trên; CHUYÊN VIÊN\n- Lưu: VT, THCS.\nLê Thị Thanh Tâm\n");
  /* Right column first: the signature, then the list. */
  g_autoptr (KhoFields) m = kho_fields_extract (
    "Học kỳ II tập trung phụ đạo học sinh yếu./.\nHIỆU TRƯỞNG\n\nNguyễn Văn Hùng\n\n"
    "Nơi nhận:\n- Phòng GD&ĐT Bình Sơn (b/c);\n- Lưu: VT.\n");
  g_autofree char *fr = join_recipients (f);
  g_autofree char *gr = join_recipients (g);
  g_autofree char *mr = join_recipients (m);
  g_autofree char *hr = join_recipients (h);

  g_assert_cmpstr (f->signer_position, ==, "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH");
  g_assert_cmpstr (f->signer_name, ==, "Trần Thị Thu Sương");
  g_assert_cmpstr (fr, ==, "Sở GD&ĐT tỉnh (b/c)|TT Đảng ủy, HĐND xã|"
                           "Các trường MN, TH&THCS trên địa bàn|Lưu: VT, VHXH");
  g_assert_cmpstr (g->signer_position, ==, "TL. TRƯỞNG PHÒNG\nCHUYÊN VIÊN");
  g_assert_cmpstr (g->signer_name, ==, "Nguyễn Thị Hồng Nhung");
  g_assert_cmpstr (gr, ==, "Các trường THCS, TH&THCS|Lưu: VT");
  g_assert_cmpstr (h->signer_position, ==, "Q. HIỆU TRƯỞNG");
  g_assert_cmpstr (h->signer_name, ==, "Phạm Thị Lan");
  g_assert_cmpstr (hr, ==, "Như trên|Lưu: VT, NV");
  g_assert_cmpstr (k->signer_position, ==, "TUQ. TRƯỞNG PHÒNG\nCHUYÊN VIÊN");
  g_assert_cmpstr (k->signer_name, ==, "Lê Thị Thanh Tâm");
  g_assert_cmpstr (m->signer_position, ==, "HIỆU TRƯỞNG");
  g_assert_cmpstr (m->signer_name, ==, "Nguyễn Văn Hùng");
  g_assert_cmpstr (mr, ==, "Phòng GD&ĐT Bình Sơn (b/c)|Lưu: VT");
}

static void
check_signer (const char *text, const char *position, const char *name)
{
  g_autoptr (KhoFields) f = kho_fields_extract (text);

  g_test_message ("→ %s / %s", f->signer_position ? f->signer_position : "-",
                  f->signer_name ? f->signer_name : "-");
  g_assert_cmpstr (f->signer_position, ==, position);
  g_assert_cmpstr (f->signer_name, ==, name);
  g_assert_cmpuint (f->recipients->len, ==, 0);
}

static void
test_signer_side_by_side (void)
{
  /* The chair of a biên bản signs on the right. */
  check_signer ("Biên bản kết thúc lúc 11 giờ 00 cùng ngày./.\nTHƯ KÝ TRƯỞNG BAN KIỂM KÊ\n"
                "Nguyễn Thị Hạnh Y Hiên\n", "TRƯỞNG BAN KIỂM KÊ", "Y Hiên");
  /* Parties of a hợp đồng: Bên A, on the left. */
  check_signer ("mỗi bên giữ 02 bản./.\nĐẠI DIỆN BÊN A ĐẠI DIỆN BÊN B\nHIỆU TRƯỞNG GIÁM ĐỐC\n"
                "Nguyễn Văn Hùng Đặng Văn Lực\n", "ĐẠI DIỆN BÊN A\nHIỆU TRƯỞNG",
                "Nguyễn Văn Hùng");
  /* Người ủy quyền, on the right. */
  check_signer ("về nội dung được ủy quyền./.\nNGƯỜI ĐƯỢC ỦY QUYỀN NGƯỜI ỦY QUYỀN\n"
                "PHÓ HIỆU TRƯỞNG HIỆU TRƯỞNG\nPhạm Thị Lan Nguyễn Văn Hùng\n",
                "NGƯỜI ỦY QUYỀN\nHIỆU TRƯỞNG", "Nguyễn Văn Hùng");
  /* A học bạ: the Hiệu trưởng beside the form teacher, brackets between. */
  check_signer ("Thanh Sơn, ngay 31 thang 5 nãm 2023\nGiáo viên chủ nhiệm HIỆU TRƯỞNG\n"
                "(Ký và ghi rõ họ tên) (Ký, đóng dấu)\nTrần Thị Hải Yến Nguyễn Hữu Quyết\n",
                "HIỆU TRƯỞNG", "Nguyễn Hữu Quyết");
  /* A receipt: the collector; an invoice signed digitally has no name. */
  check_signer ("Ngày 15/9/2023\nNgười nộp tiền Người thu tiền\n"
                "(Ký, ghi rõ họ tên) (Ký, ghi rõ họ tên)\nNguyễn Thị Hồng Trần Thị Kim Oanh\n",
                "Người thu tiền", "Trần Thị Kim Oanh");
  check_signer ("Số tiền viết bằng chữ: Bốn mươi sáu triệu đồng.\nNgười mua hàng Người bán hàng\n"
                "(Ký, ghi rõ họ tên) (Ký, ghi rõ họ tên)\nSignature Valid\n"
                "Ký bởi: CÔNG TY TNHH MINH PHÁT\nKý ngày: 20/04/2023\n", "Người bán hàng", NULL);
  /* One signer, with the place and date above and numbers below. */
  check_signer ("Xếp loại: Giỏi\nQuảng Ngãi, ngày 20 tháng 12 năm 2019\nKT. HIỆU TRƯỞNG\n"
                "PHÓ HIỆU TRƯỞNG\nHồ Văn Thắng\nSố hiệu: PVĐ.BD 00217\n",
                "KT. HIỆU TRƯỞNG\nPHÓ HIỆU TRƯỞNG", "Hồ Văn Thắng");
  /* No signature block at all. */
  check_signer ("Điều 3. Tính chất, nguyên lý giáo dục\n"
                "1. Nền giáo dục Việt Nam là nền giáo dục xã hội chủ nghĩa.\n",
                NULL, NULL);
}

static void
test_subjects (void)
{
  g_autoptr (KhoFields) don = kho_fields_extract (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nĐƠN XIN CHUYỂN TRƯỜNG\n"
    "Kính gửi: - Hiệu trưởng trường TH&THCS Bình Chương\n");
  g_autoptr (KhoFields) luat = kho_fields_extract (
    "QUỐC HỘI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    "Luật số: 43/2019/QH14\nLUẬT\nGIÁO DỤC\n"
    "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n");
  g_autoptr (KhoFields) quy_che = kho_fields_extract (
    "QUY CHẾ\nChi tiêu nội bộ năm 2023\n"
    "(Ban hành kèm theo Quyết định số 03/QĐ-TH&THCS ngày 06/01/2023\n"
    "của Hiệu trưởng Trường TH&THCS Bình Chương)\nChương I\n");
  g_autoptr (KhoFields) quyet_dinh = kho_fields_extract (
    "QUYẾT ÐỊNH\nVề việc bổ nhiệm Phó Hiệu trưởng\nTrường TH&THCS Bình Chương\n"
    "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN BÌNH SƠN\nCăn cứ Luật Tổ chức chính quyền địa phương;\n");
  g_autoptr (KhoFields) gioi_thieu = kho_fields_extract (
    "GIẤY GIỚI THIỆU\nTrường TH&THCS Quảng Phú trân trọng giới thiệu:\n");
  g_autoptr (KhoFields) cong_van = kho_fields_extract (
    "Số:  96 /TH&THCS-VP Bình Chương,  12-01-2026\nV/v: đề nghị hỗ trợ kinh phí sửa chữa\n"
    "nhà vệ sinh học sinh điểm trường chính\nKính gửi: Ủy ban nhân dân xã Bình Chương.\n");

  g_assert_cmpstr (don->type_line, ==, "Đơn");
  g_assert_cmpstr (don->subject, ==, "XIN CHUYỂN TRƯỜNG");
  g_assert_null (don->issuer);
  g_assert_cmpstr (luat->type_line, ==, "Luật");
  g_assert_cmpstr (luat->subject, ==, "GIÁO DỤC");
  g_assert_cmpstr (luat->issuer, ==, "QUỐC HỘI");
  g_assert_cmpstr (luat->notation, ==, "QH14");
  g_assert_null (luat->code);
  g_assert_null (luat->issued);
  g_assert_cmpstr (quy_che->subject, ==, "Chi tiêu nội bộ năm 2023");
  g_assert_null (quy_che->number);
  g_assert_null (quy_che->issued);
  g_assert_cmpstr (quyet_dinh->type_line, ==, "Quyết định");
  g_assert_cmpstr (quyet_dinh->subject, ==,
                   "Về việc bổ nhiệm Phó Hiệu trưởng Trường TH&THCS Bình Chương");
  g_assert_cmpstr (gioi_thieu->type_line, ==, "Giấy giới thiệu");
  g_assert_null (gioi_thieu->subject);
  g_assert_null (cong_van->type_line);
  g_assert_cmpstr (cong_van->subject, ==,
                   "đề nghị hỗ trợ kinh phí sửa chữa nhà vệ sinh học sinh điểm trường chính");
  g_assert_cmpstr (cong_van->issued, ==, "2026-01-12");
  g_assert_cmpstr (cong_van->notation, ==, "TH&THCS-VP");
  g_assert_null (cong_van->code);
}

static void
test_copy (void)
{
  /* A copy: its own header at the end counts, the subject is the original's. */
  g_autoptr (KhoFields) f = kho_fields_extract (
    "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "HUYỆN BÌNH SƠN Độc lập - Tự do - Hạnh phúc\n"
    "Số: 3265/QĐ-UBND Bình Sơn, ngày 12 tháng 10 năm 2023\nQUYẾT ĐỊNH\n"
    "Về việc nâng bậc lương thường xuyên\nCăn cứ Nghị định số 204/2004/NĐ-CP;\n"
    "Nơi nhận: KT. CHỦ TỊCH\n- Như Điều 2; PHÓ CHỦ TỊCH\n- Lưu: VT, NV. (Đã ký)\n"
    "Trương Công Luận\nUBND HUYỆN BÌNH SƠN\nTRƯỜNG TH&THCS BÌNH CHƯƠNG\nSAO Y\n"
    "Số: 07/SY-TH&THCS Bình Chương, ngày 18 tháng 10 năm 2023\nNơi nhận: HIỆU TRƯỞNG\n"
    "- Các viên chức có tên tại Điều 1;\n- Lưu: VT, hồ sơ viên chức.\nNguyễn Văn Hùng\n");
  g_autofree char *recipients = join_recipients (f);

  g_assert_cmpstr (f->number, ==, "07");
  g_assert_cmpstr (f->code, ==, "SY");
  g_assert_cmpstr (f->issued, ==, "2023-10-18");
  g_assert_cmpstr (f->issuer, ==, "UBND HUYỆN BÌNH SƠN\nTRƯỜNG TH&THCS BÌNH CHƯƠNG");
  g_assert_cmpstr (f->type_line, ==, "Bản sao y");
  g_assert_cmpstr (f->subject, ==, "Về việc nâng bậc lương thường xuyên");
  g_assert_cmpstr (f->signer_position, ==, "HIỆU TRƯỞNG");
  g_assert_cmpstr (f->signer_name, ==, "Nguyễn Văn Hùng");
  g_assert_cmpstr (recipients, ==, "Các viên chức có tên tại Điều 1|Lưu: VT, hồ sơ viên chức");
}

static void
test_receipt (void)
{
  /* A receipt: "Số:" beside "Ký hiệu:", the date on its own line. */
  g_autoptr (KhoFields) f = kho_fields_extract (
    "TRƯỜNG TH&THCS BÌNH CHƯƠNG\nMã số thuế: 4300812356\n"
    "Địa chỉ: thôn An Điềm, xã Bình Chương, huyện Bình Sơn, tỉnh Quảng Ngãi\n"
    "BIÊN LAI THU TIỀN\nKý hiệu: BC-23T Số: 0000345\nLiên 2: Giao người nộp tiền\n"
    "Số tiền: 240.000 đồng\nNgày 15/9/2023\nNgười nộp tiền Người thu tiền\n"
    "(Ký, ghi rõ họ tên) (Ký, ghi rõ họ tên)\nNguyễn Thị Hồng Trần Thị Kim Oanh\n");

  g_assert_cmpstr (f->issuer, ==, "TRƯỜNG TH&THCS BÌNH CHƯƠNG");
  g_assert_cmpstr (f->type_line, ==, "Biên lai");
  g_assert_null (f->subject);
  g_assert_cmpstr (f->number, ==, "0000345");
  g_assert_cmpstr (f->notation, ==, "BC-23T");
  g_assert_null (f->code);  /* a series, not a type */
  g_assert_null (f->place);
  g_assert_cmpstr (f->issued, ==, "2023-09-15");
  g_assert_cmpstr (f->signer_position, ==, "Người thu tiền");
  g_assert_cmpstr (f->signer_name, ==, "Trần Thị Kim Oanh");
}

static void
test_codes (void)
{
  static const struct { const char *line, *code; } cases[] = {
    { "Số: 21/2015/TTLT-BGDĐT-BNV", "TTLT" }, { "Số 12-NQ/CB", "NQ" },
    { "Số: 05/QyĐ-THCS", "QyĐ" }, { "Số: 02/TrS-TH&THCS", "TrS" },
    { "Số: 412/PGDĐT", NULL }, { "Luật số: 43/2019/QH14", NULL },
    { "Số: 57/TH&THCS-VP", NULL }, { "Số: 1875/SGDĐT-VP", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (KhoFields) f = kho_fields_extract (cases[i].line);

      g_test_message ("%s → %s", cases[i].line, f->code ? f->code : "(none)");
      g_assert_cmpstr (f->code, ==, cases[i].code);
    }
}

static void
test_tesseract (void)
{
  /* As Tesseract gives a công văn: blank lines between blocks, the name
   * a block away from the title, "V/v" read "V/". */
  g_autoptr (KhoFields) f = kho_fields_extract (
    "UBND HUYỆN BÌNH SƠN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
    "TRƯỜNG TH&THCS BÌNH CHƯƠNG Độc lập - Tự do - Hạnh phúc\n\n"
    "Số: 175/TH&THCS-VP Bình Chương, ngày 12 tháng 04 năm 2023\n"
    "V/ rà soát, bổ sung hồ sơ học sinh\nnăm học 2022-2023\n\n"
    "Kính gửi: Giáo viên chủ nhiệm các lớp và bộ phận văn thư.\n\n"
    "Nhận được công văn này, đề nghị các bộ phận nghiêm túc thực hiện./.\n\n"
    "Nơi nhận: HIỆU TRƯỞNG\n- Như trên;\n\n- Lưu: VT.\n\n\nNguyễn Văn Hùng\n\f");
  g_autofree char *recipients = join_recipients (f);

  g_assert_cmpstr (f->issuer, ==, "UBND HUYỆN BÌNH SƠN\nTRƯỜNG TH&THCS BÌNH CHƯƠNG");
  g_assert_cmpstr (f->notation, ==, "TH&THCS-VP");
  g_assert_cmpstr (f->subject, ==, "rà soát, bổ sung hồ sơ học sinh năm học 2022-2023");
  g_assert_cmpstr (f->signer_position, ==, "HIỆU TRƯỞNG");
  g_assert_cmpstr (f->signer_name, ==, "Nguyễn Văn Hùng");
  g_assert_cmpstr (recipients, ==, "Như trên|Lưu: VT");
}

static void
test_recipients (void)
{
  /* An item wrapped on two lines; the right column beside the last one. */
  g_autoptr (KhoFields) f = kho_fields_extract (
    "Nơi nhận:\n- Ban Chỉ đạo quốc gia về phòng, chống\nthiên tai (b/c);\n"
    "- Lưu: VT, KTN. (Đã ký)\nCHỦ TỊCH\nPhạm Hồng Quân\n");
  /* No Nơi nhận: none ("Kính gửi" is not one). */
  g_autoptr (KhoFields) g = kho_fields_extract (
    "Kính gửi:\n- Trưởng phòng Giáo dục và Đào tạo;\n- Hiệu trưởng các trường.\n");
  g_autofree char *recipients = join_recipients (f);

  g_assert_cmpstr (recipients, ==, "Ban Chỉ đạo quốc gia về phòng, chống thiên tai (b/c)|"
                                   "Lưu: VT, KTN");
  g_assert_cmpstr (f->signer_position, ==, "CHỦ TỊCH");
  g_assert_cmpstr (f->signer_name, ==, "Phạm Hồng Quân");
  g_assert_cmpuint (g->recipients->len, ==, 0);
}

static void
test_empty (void)
{
  g_autoptr (KhoFields) f = kho_fields_extract ("");
  g_autoptr (KhoFields) g = kho_fields_extract (NULL);
  g_autoptr (KhoFields) h = kho_fields_extract ("\f\n\n   \f");
  /* NFD in, NFC out. */
  g_autofree char *nfd = g_utf8_normalize (
    "UBND HUYỆN BÌNH SƠN\nTRƯỜNG TH&THCS BÌNH CHƯƠNG\n"
    "Số: 189/KH-THCS\nBình Chương, ngày 28 tháng 04 năm 2023\n", -1, G_NORMALIZE_NFD);
  g_autoptr (KhoFields) k = kho_fields_extract (nfd);

  g_assert_null (f->number);
  g_assert_nonnull (f->recipients);
  g_assert_nonnull (g->recipients);
  g_assert_null (h->issuer);
  g_assert_cmpstr (k->issuer, ==, "UBND HUYỆN BÌNH SƠN\nTRƯỜNG TH&THCS BÌNH CHƯƠNG");
  g_assert_cmpstr (k->place, ==, "Bình Chương");
  kho_fields_free (NULL);
}

/* ------------------------------------------------------------------ */
/* The labelled set: tests/classify/corpus                              */

enum
{
  F_NUMBER, F_YEAR, F_NOTATION, F_PLACE, F_ISSUED, F_ISSUER, F_SUBJECT, F_SIGNER_POSITION,
  F_SIGNER_NAME, F_URGENCY, F_SECRECY, F_RECIPIENTS, N_FIELDS
};

static const char *const field_keys[N_FIELDS] = {
  "number", "year", "notation", "place", "issued", "issuer", "subject", "signer_position",
  "signer_name", "urgency", "secrecy", "recipients",
};

/* What scoring compares: NFC, white space collapsed, case folded; NULL
 * stays NULL. */
static char *
score_form (const char *value)
{
  g_autofree char *nfc = NULL;
  g_autofree char *folded = NULL;
  g_auto (GStrv) words = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  if (value == NULL)
    return NULL;
  nfc = g_utf8_normalize (value, -1, G_NORMALIZE_NFC);
  folded = g_utf8_casefold (nfc, -1);
  words = g_strsplit_set (folded, " \t\n\r\f\v", -1);
  for (guint i = 0; words[i]; i++)
    if (*words[i])
      g_string_append_printf (out, "%s%s", out->len ? " " : "", words[i]);
  return g_strdup (out->str);
}

static const char *
predicted (const KhoFields *f, guint field)
{
  switch (field)
    {
    case F_NUMBER: return f->number;
    case F_YEAR: return f->year;
    case F_NOTATION: return f->notation;
    case F_PLACE: return f->place;
    case F_ISSUED: return f->issued;
    case F_ISSUER: return f->issuer;
    case F_SUBJECT: return f->subject;
    case F_SIGNER_POSITION: return f->signer_position;
    case F_SIGNER_NAME: return f->signer_name;
    case F_URGENCY: return f->urgency;
    case F_SECRECY: return f->secrecy;
    default: return NULL;
    }
}

typedef struct
{
  guint documents;
  guint correct[N_FIELDS];
  guint recipients_expected, recipients_predicted, recipients_matched;
} Score;

/* The text of a labelled document: NNN-slug.txt beside its label, or for
 * a sample the ground truth pages of the scan its "text" member names. */
static char *
corpus_text (const char *json_path, JsonObject *label)
{
  g_autoptr (GString) pages = NULL;
  char *text = NULL;

  if (!json_object_has_member (label, "text"))
    {
      g_autofree char *stem = g_strndup (json_path, strlen (json_path) - strlen (".json"));
      g_autofree char *txt = g_strconcat (stem, ".txt", NULL);

      g_assert_true (g_file_get_contents (txt, &text, NULL, NULL));
      return text;
    }
  pages = g_string_new (NULL);
  for (guint page = 1;; page++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.p%u.gt.txt", KHO_TEST_SRCDIR,
                                               json_object_get_string_member (label, "text"),
                                               page);
      if (!g_file_get_contents (path, &text, NULL, NULL))
        break;
      g_string_append_printf (pages, "%s%s", pages->len ? "\f" : "", text);
      g_free (text);
    }
  g_assert_cmpuint (pages->len, >, 0);
  return g_strdup (pages->str);
}

static char *
expected_string (JsonObject *label, const char *key)
{
  JsonNode *node = json_object_get_member (label, key);

  g_assert_nonnull (node);
  return JSON_NODE_HOLDS_NULL (node) ? NULL : score_form (json_node_get_string (node));
}

/* Scores the recipients as sets. */
static void
score_recipients (Score *score, JsonObject *label, const KhoFields *f, const char *name)
{
  JsonArray *expected = json_object_get_array_member (label, "recipients");
  g_autoptr (GHashTable) want = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint matched = 0;

  for (guint i = 0; i < json_array_get_length (expected); i++)
    g_hash_table_add (want, score_form (json_array_get_string_element (expected, i)));
  for (guint i = 0; i < f->recipients->len; i++)
    {
      g_autofree char *item = score_form (g_ptr_array_index (f->recipients, i));

      if (g_hash_table_contains (want, item))
        matched++;
      else
        g_test_message ("  %s: recipient not expected: %s", name, item);
    }
  score->recipients_expected += g_hash_table_size (want);
  score->recipients_predicted += f->recipients->len;
  score->recipients_matched += matched;
  if (matched == g_hash_table_size (want) && matched == f->recipients->len)
    score->correct[F_RECIPIENTS]++;
  else
    g_test_message ("  %s: recipients %u of %u expected, %u predicted", name, matched,
                    g_hash_table_size (want), f->recipients->len);
}

static void
score_document (Score *score, const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *text = NULL;
  g_autoptr (KhoFields) f = NULL;
  JsonObject *label;

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  label = json_node_get_object (json_parser_get_root (parser));
  text = corpus_text (path, label);
  f = kho_fields_extract (text);
  score->documents++;
  for (guint field = 0; field < F_RECIPIENTS; field++)
    {
      g_autofree char *want = expected_string (label, field_keys[field]);
      g_autofree char *got = score_form (predicted (f, field));

      if (g_strcmp0 (want, got) == 0)
        score->correct[field]++;
      else
        g_test_message ("  %s: %s: expected «%s», got «%s»", name, field_keys[field],
                        want ? want : "null", got ? got : "null");
    }
  score_recipients (score, label, f, name);
}

/* Reads every labelled document and asserts the floors the issue sets. */
static void
test_corpus (void)
{
  g_autofree char *dir = g_build_filename (KHO_TEST_SRCDIR, "tests", "classify", "corpus", NULL);
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  Score score = { 0 };
  const char *entry;

  g_assert_nonnull (listing);
  while ((entry = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (entry, ".json"))
      g_ptr_array_add (paths, g_build_filename (dir, entry, NULL));
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < paths->len; i++)
    score_document (&score, g_ptr_array_index (paths, i));

  g_assert_cmpuint (score.documents, ==, 74);
  for (guint field = 0; field < N_FIELDS; field++)
    g_test_message ("%-16s %5.1f%%  (%u/%u)", field_keys[field],
                    100.0 * score.correct[field] / score.documents, score.correct[field],
                    score.documents);
  g_test_message ("recipients items: precision %.1f%%, recall %.1f%%",
                  100.0 * score.recipients_matched / MAX (score.recipients_predicted, 1),
                  100.0 * score.recipients_matched / MAX (score.recipients_expected, 1));
  g_assert_cmpfloat ((double) score.correct[F_ISSUED] / score.documents, >=, 0.95);
  g_assert_cmpfloat ((double) score.correct[F_NUMBER] / score.documents, >=, 0.90);
  g_assert_cmpfloat ((double) score.correct[F_NOTATION] / score.documents, >=, 0.90);
  g_assert_cmpfloat ((double) score.correct[F_ISSUER] / score.documents, >=, 0.85);
  g_assert_cmpfloat ((double) score.correct[F_SUBJECT] / score.documents, >=, 0.80);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");  /* messages in Vietnamese on a UTF-8 terminal */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fields/date", test_date);
  g_test_add_func ("/fields/number", test_number);
  g_test_add_func ("/fields/header-interleaved", test_header_interleaved);
  g_test_add_func ("/fields/header-layouts", test_header_layouts);
  g_test_add_func ("/fields/marks", test_marks);
  g_test_add_func ("/fields/signer-and-list", test_signer_and_list);
  g_test_add_func ("/fields/signer-side-by-side", test_signer_side_by_side);
  g_test_add_func ("/fields/subjects", test_subjects);
  g_test_add_func ("/fields/copy", test_copy);
  g_test_add_func ("/fields/receipt", test_receipt);
  g_test_add_func ("/fields/codes", test_codes);
  g_test_add_func ("/fields/tesseract", test_tesseract);
  g_test_add_func ("/fields/recipients", test_recipients);
  g_test_add_func ("/fields/empty", test_empty);
  g_test_add_func ("/fields/corpus", test_corpus);
  return g_test_run ();
}

-- kho schema, version 2: each page keeps its words with their boxes, so a
-- document interrupted after OCR is assembled again without a second OCR.
-- One word a line: "x y w h baseline line_height line confidence<TAB>text".
ALTER TABLE pages ADD COLUMN words TEXT NOT NULL DEFAULT '';

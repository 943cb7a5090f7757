-- The heading of the congress's documents and the counting committee they name (Decree 30/2020/NĐ-CP): who issues them, under which superior body,
-- where, and which motto stands top right. NULL means the preset's default (Server/Documents/HeadingSettings.cs).
-- Numbered 0021: 0020 is taken by the badge work on another branch.
ALTER TABLE congress
    ADD COLUMN doc_organisation  text CHECK (doc_organisation IS NULL OR length(doc_organisation) <= 200),
    ADD COLUMN doc_superior_body text CHECK (doc_superior_body IS NULL OR length(doc_superior_body) <= 200),
    ADD COLUMN doc_place         text CHECK (doc_place IS NULL OR length(doc_place) <= 100),
    ADD COLUMN doc_motto         text CHECK (doc_motto IS NULL OR doc_motto IN ('national', 'party', 'youth_union', 'none')),
    -- The counting committee as approved by the congress, one name a line, the head first: the counting minutes
    -- name them and print the head's name under the head's signature.
    ADD COLUMN counting_committee text CHECK (counting_committee IS NULL OR length(counting_committee) <= 2000);

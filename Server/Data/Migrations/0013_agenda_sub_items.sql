-- Sub-items: "4. Báo cáo" may hold "4.1 Báo cáo chính trị", "4.2 Báo cáo kiểm điểm". Order stays one sequence.
ALTER TABLE agenda_item ADD COLUMN parent_id uuid REFERENCES agenda_item (id) ON DELETE CASCADE CHECK (parent_id <> id);

-- What the hall projector shows: a scene the secretariat chose, or 'auto' (follow the current item and poll),
-- a free message for the 'message' scene, and the language of the hall screen (the hall PC has no keyboard).
ALTER TABLE congress
    ADD COLUMN projector_scene text NOT NULL DEFAULT 'auto'
        CHECK (projector_scene IN ('auto', 'welcome', 'agenda', 'attendance', 'poll', 'message', 'speaker')),
    ADD COLUMN projector_message text CHECK (char_length(projector_message) <= 300),
    ADD COLUMN projector_language text NOT NULL DEFAULT 'vi' CHECK (projector_language IN ('vi', 'en')),
    ADD COLUMN projector_version bigint NOT NULL DEFAULT 0;

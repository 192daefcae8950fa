-- The answer engine: people/places/organisations with their aliases, who is mentioned where, quotes,
-- and the full-text index. Everything that points at an article goes with it (ON DELETE CASCADE).

CREATE TABLE entities (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('PER', 'LOC', 'ORG')),
    name       TEXT NOT NULL,                  -- canonical name, for display
    key        TEXT NOT NULL                   -- cross-script key of the canonical name
);
CREATE INDEX entities_key ON entities(key);

CREATE TABLE aliases (
    id        INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    surface   TEXT NOT NULL,
    key       TEXT NOT NULL,                   -- news.names phrase key: the same for all case forms/scripts
    origin    TEXT NOT NULL CHECK (origin IN ('auto', 'admin', 'geo')),
    UNIQUE (entity_id, key)
);
CREATE INDEX aliases_key ON aliases(key);

CREATE TABLE mentions (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entity_id  INTEGER REFERENCES entities(id) ON DELETE SET NULL,
    surface    TEXT NOT NULL,
    key        TEXT NOT NULL,
    count      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX mentions_article ON mentions(article_id);
CREATE INDEX mentions_entity ON mentions(entity_id, article_id);
CREATE INDEX mentions_key ON mentions(key);

CREATE TABLE quotes (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entity_id     INTEGER REFERENCES entities(id) ON DELETE SET NULL,
    speaker_text  TEXT,
    speaker_key   TEXT,
    text          TEXT NOT NULL,
    start         INTEGER NOT NULL,            -- offsets into articles.clean_text
    end           INTEGER NOT NULL,
    verb          TEXT,
    attribution   TEXT CHECK (attribution IN ('direct', 'role', 'pronoun')),
    kind          TEXT NOT NULL CHECK (kind IN ('quote', 'statement')),
    norm          TEXT NOT NULL                -- hash of the normalised text: the same quote in two articles
);
CREATE INDEX quotes_entity ON quotes(entity_id);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_speaker_key ON quotes(speaker_key);
CREATE INDEX quotes_norm ON quotes(norm);

-- Indexed forms of each article (news.terms, news.names): body stems (ru/en: Snowball, bg: light rules;
-- function words dropped; numbers as one token), name keys, and cross-script keys of the words.
CREATE TABLE article_index (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    names      TEXT NOT NULL,
    cross      TEXT NOT NULL DEFAULT ''
);

-- unicode61 over stems was measured against trigram (see bench/quality.py): stems win on XQuAD and
-- name keys need whole-token matches; typos are handled by rapidfuzz over name_vocab.
CREATE VIRTUAL TABLE doc_fts USING fts5(
    body, names, cross, content='article_index', content_rowid='article_id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE doc_vocab USING fts5vocab(doc_fts, 'row');

CREATE TRIGGER article_index_ai AFTER INSERT ON article_index BEGIN
    INSERT INTO doc_fts(rowid, body, names, cross) VALUES (new.article_id, new.body, new.names, new.cross);
END;
CREATE TRIGGER article_index_ad AFTER DELETE ON article_index BEGIN
    INSERT INTO doc_fts(doc_fts, rowid, body, names, cross)
    VALUES ('delete', old.article_id, old.body, old.names, old.cross);
END;

-- Every name key seen, with how many articles had it: the vocabulary for fuzzy name matching.
CREATE TABLE name_vocab (
    key  TEXT PRIMARY KEY,
    docs INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE engine_state (
    k TEXT PRIMARY KEY,
    v INTEGER NOT NULL
);
INSERT INTO engine_state(k, v) VALUES ('alias_version', 0);
-- collection statistics for the second-stage ranking (news.ranking): indexed articles, tokens per column
INSERT INTO engine_state(k, v) VALUES ('index_docs', 0), ('index_len_body', 0), ('index_len_names', 0),
    ('index_len_cross', 0);
